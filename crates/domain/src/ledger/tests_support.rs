//! Test fixtures: a small two-sided chain and its bundle.

use ed25519_dalek::SigningKey;
use serde_json::{json, Map, Value};

use super::*;

#[derive(Clone)]
pub(crate) struct Chain {
    pub customer: SigningKey,
    pub vendor: SigningKey,
    pub relationship: String,
    pub entries: Vec<(SignedEntry, Value)>,
    pub erased: Vec<bool>,
    pub checkpoints: Vec<SignedCheckpoint>,
}

pub(crate) fn time(i: usize) -> LedgerTime {
    LedgerTime::parse(&format!(
        "2026-11-25T{:02}:{:02}:{:02}.{:03}Z",
        (i / 3600) % 24,
        (i / 60) % 60,
        i % 60,
        i % 1000
    ))
    .unwrap()
}

impl Chain {
    pub fn new() -> Self {
        Self {
            customer: SigningKey::from_bytes(&[11; 32]),
            vendor: SigningKey::from_bytes(&[22; 32]),
            relationship: "0192f0c4-7d1e-7c3a-9f00-00000000abcd".into(),
            entries: Vec::new(),
            erased: Vec::new(),
            checkpoints: Vec::new(),
        }
    }

    pub fn key(&self, side: Side) -> &SigningKey {
        match side {
            Side::Customer => &self.customer,
            Side::Vendor => &self.vendor,
        }
    }

    pub fn tip(&self) -> Option<ChainTip> {
        self.entries.last().map(|(e, _)| ChainTip::of(e))
    }

    pub fn push(&mut self, side: Side, kind: EntryKind, body: Value, corrects: Option<Digest>) {
        let i = self.entries.len();
        let key = self.key(side).clone();
        let header = next_header(
            self.tip().as_ref(),
            EntryDraft {
                relationship: self.relationship.clone(),
                author_side: side,
                author_key_id: KeyId::of(&key.verifying_key()),
                kind,
                thread: format!("thread-{}", i % 3),
                time: time(i),
                body: &body,
                corrects,
            },
        )
        .unwrap();
        let entry = SignedEntry::sign(header, &key).unwrap();
        self.entries.push((entry, body));
        self.erased.push(false);
    }

    /// The other side countersigns entry `index`.
    pub fn countersign(&mut self, index: usize) {
        let (entry, _) = &self.entries[index];
        let side = entry.header.author_side.other();
        let key = self.key(side).clone();
        let cp = Checkpoint::of_entry(
            &entry.header,
            entry.hash,
            side,
            KeyId::of(&key.verifying_key()),
            time(index + 1),
        )
        .unwrap();
        self.checkpoints
            .push(SignedCheckpoint::sign(cp, &key).unwrap());
    }

    /// `n` entries of both sides and every shared kind, a correction when
    /// possible, and checkpoints of the other side's entries.
    pub fn sample(n: usize) -> Self {
        let mut c = Self::new();
        for i in 0..n {
            let side = if i % 3 == 2 {
                Side::Vendor
            } else {
                Side::Customer
            };
            let kinds = [
                EntryKind::Thread,
                EntryKind::Message,
                EntryKind::Event,
                EntryKind::Attachment,
            ];
            let body = json!({
                "text": format!("entry {i}: é €, 😀 \"quoted\"\n"),
                "amount": i as f64 * 1.25,
                "items": [i, {"z": null, "a": true}],
            });
            let corrects = if i % 7 == 6 {
                c.entries
                    .iter()
                    .rev()
                    .find(|(e, _)| e.header.author_side == side)
                    .map(|(e, _)| e.hash)
            } else {
                None
            };
            let kind = if corrects.is_some() {
                EntryKind::Correction
            } else {
                kinds[i % kinds.len()]
            };
            c.push(side, kind, body, corrects);
        }
        for i in (0..n).step_by(4) {
            c.countersign(i);
        }
        c
    }

    pub fn header(&self) -> BundleHeader {
        let mut details = Map::new();
        details.insert("vendor".into(), json!("Northwind Outfitters"));
        BundleHeader {
            relationship: BundleRelationship {
                id: self.relationship.clone(),
                details,
            },
            keys: vec![
                BundleKey::new(Side::Customer, self.customer.verifying_key()),
                BundleKey::new(Side::Vendor, self.vendor.verifying_key()),
            ],
            tip: self.entries.last().map(|(e, _)| BundleTip {
                sequence: e.header.sequence,
                hash: e.hash,
            }),
        }
    }

    pub fn bundle(&self) -> Vec<u8> {
        let mut w = BundleWriter::new(Vec::new(), &self.header()).unwrap();
        for ((entry, body), erased) in self.entries.iter().zip(&self.erased) {
            let body = if *erased {
                EntryBody::Erased
            } else {
                EntryBody::Present(body)
            };
            w.write_entry(entry, body).unwrap();
        }
        for c in &self.checkpoints {
            w.write_checkpoint(c).unwrap();
        }
        w.finish().unwrap()
    }
}

/// [`Chain::sample`], built once per size (signing is slow in debug builds).
pub(crate) fn sample(n: usize) -> Chain {
    use std::sync::{Mutex, OnceLock};
    static CACHE: OnceLock<Mutex<Vec<Option<Chain>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(Vec::new()));
    let mut cache = cache.lock().unwrap();
    if cache.len() <= n {
        cache.resize(n + 1, None);
    }
    cache[n].get_or_insert_with(|| Chain::sample(n)).clone()
}

pub(crate) fn verify(bytes: &[u8]) -> VerifyReport {
    verify_bundle(bytes).unwrap()
}

pub(crate) fn lines(bytes: &[u8]) -> Vec<Value> {
    std::str::from_utf8(bytes)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

pub(crate) fn join(lines: &[Value]) -> Vec<u8> {
    let mut out = Vec::new();
    for l in lines {
        out.extend(serde_json::to_vec(l).unwrap());
        out.push(b'\n');
    }
    out
}
