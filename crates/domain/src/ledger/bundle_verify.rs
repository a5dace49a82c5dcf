//! Streaming verification of a bundle.
//!
//! One pass over the lines, memory proportional to the number of entries
//! (one digest, sequence and side each, to check corrections and
//! checkpoints). Signatures are checked in batches with `ed25519-zebra`,
//! which folds all signatures by one key into one term of the batch equation:
//! a bundle has two keys, so a batch of n signatures costs a multiscalar
//! multiplication of about n points instead of 2n. Only a batch that fails is
//! checked entry by entry, to name the entry. Each line gets at most one
//! failure: the first rule it breaks.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::io::BufRead;

use ed25519_dalek::{Signature, VerifyingKey};
use ed25519_zebra::VerificationKeyBytes;
use rand::rngs::StdRng;
use rand::SeedableRng;
use serde_json::Value;
use sha2::{Digest as _, Sha256};

use super::bundle_read::{BadLine, LineHint};
use super::{
    body_digest, verify_digest, BundleEntry, BundleHeader, BundleItem, BundleReader, BundleTip,
    Digest, EntryKind, FailedItem, KeyId, LedgerError, Problem, Side, SignedCheckpoint,
    VerifyFailure, VerifyReport,
};

/// How to verify a bundle.
#[derive(Debug, Clone)]
pub struct VerifyOptions {
    /// When set, every key in the bundle must be one of these (a bundle
    /// carries its own keys, so without pinning a forger could re-sign all of
    /// it with new keys).
    pub trusted_keys: Option<Vec<VerifyingKey>>,
    /// Keep at most this many failures in the report (all are counted).
    pub max_failures: usize,
    /// Signatures per batch equation.
    pub batch_size: usize,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        Self {
            trusted_keys: None,
            max_failures: 1000,
            batch_size: 1024,
        }
    }
}

/// Verify a bundle with the default options. `Err` only when reading fails;
/// everything wrong with the content is in the report.
pub fn verify_bundle<R: BufRead>(reader: R) -> Result<VerifyReport, LedgerError> {
    verify_bundle_with(reader, &VerifyOptions::default())
}

/// Verify a bundle. `Err` only when reading fails; everything wrong with the
/// content is in the report.
pub fn verify_bundle_with<R: BufRead>(
    reader: R,
    options: &VerifyOptions,
) -> Result<VerifyReport, LedgerError> {
    let mut reader = BundleReader::new(reader);
    let mut v = Verifier::new(options);
    match reader.next_item()? {
        Some(Ok((line, BundleItem::Header(header)))) => v.header(line, header),
        Some(Ok((line, _))) => {
            v.fail(line, FailedItem::Line, None, Problem::MissingHeader);
            return Ok(v.report);
        }
        Some(Err(bad)) => {
            let problem = if bad.hint == LineHint::Bundle {
                Problem::BadLine(bad.message)
            } else {
                Problem::MissingHeader
            };
            v.fail(bad.line, FailedItem::Header, None, problem);
            return Ok(v.report);
        }
        None => {
            v.fail(1, FailedItem::Line, None, Problem::MissingHeader);
            return Ok(v.report);
        }
    }
    while let Some(step) = reader.next_item()? {
        match step {
            Ok((line, BundleItem::Header(_))) => {
                v.fail(line, FailedItem::Header, None, Problem::DuplicateHeader);
            }
            Ok((line, BundleItem::Entry(entry))) => v.entry(line, entry),
            Ok((_, BundleItem::Note(_))) => v.report.notes += 1,
            Ok((line, BundleItem::Checkpoint(c))) => {
                v.report.checkpoints += 1;
                v.checkpoints.push((line, c));
            }
            Err(bad) => v.bad_line(bad),
        }
    }
    Ok(v.finish())
}

/// Hashes a [`Digest`] by its first 8 bytes. The map only holds digests
/// that are SHA-256 outputs (headers that hash to their recorded hash), so
/// their bits are already uniform and cannot be steered into collisions.
#[derive(Clone, Copy, Default)]
struct DigestHash;

impl BuildHasher for DigestHash {
    type Hasher = DigestHasher;
    fn build_hasher(&self) -> DigestHasher {
        DigestHasher(0)
    }
}

struct DigestHasher(u64);

impl Hasher for DigestHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8).take(1) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = self.0.rotate_left(29) ^ u64::from_le_bytes(word);
        }
    }
}

/// A key of the bundle, checked.
struct KeyRow {
    id: KeyId,
    side: Side,
    key: VerifyingKey,
}

/// A signature waiting for its batch.
struct Pending {
    line: u64,
    item: FailedItem,
    sequence: u64,
    digest: Digest,
    signature: Signature,
    key: usize,
}

struct Verifier<'o> {
    options: &'o VerifyOptions,
    report: VerifyReport,
    relationship: String,
    keys: Vec<KeyRow>,
    declared_tip: Option<BundleTip>,
    /// The sequence number due at the next entry line.
    next_seq: u64,
    /// The hash the next entry must name as previous; `None` after an unreadable entry.
    prev: Option<Digest>,
    /// The last entry read whose header matches its hash.
    last: Option<BundleTip>,
    /// Entries whose header matches its hash: hash → (sequence, author side).
    seen: HashMap<Digest, (u64, Side), DigestHash>,
    /// The line of the last entry that failed a check.
    last_failed_line: Option<u64>,
    /// The line of the last entry read.
    last_entry_line: u64,
    checkpoints: Vec<(u64, SignedCheckpoint)>,
    batch: Vec<Pending>,
}

impl<'o> Verifier<'o> {
    fn new(options: &'o VerifyOptions) -> Self {
        Self {
            options,
            report: VerifyReport::default(),
            relationship: String::new(),
            keys: Vec::new(),
            declared_tip: None,
            next_seq: 1,
            prev: Some(Digest::GENESIS),
            last: None,
            seen: HashMap::default(),
            last_failed_line: None,
            last_entry_line: 0,
            checkpoints: Vec::new(),
            batch: Vec::with_capacity(options.batch_size.max(1)),
        }
    }

    fn fail(&mut self, line: u64, item: FailedItem, sequence: Option<u64>, problem: Problem) {
        self.report.failure_count += 1;
        if self.report.failures.len() < self.options.max_failures {
            self.report.failures.push(VerifyFailure {
                line,
                item,
                sequence,
                problem,
            });
        }
    }

    fn header(&mut self, line: u64, header: BundleHeader) {
        let item = FailedItem::Header;
        if let Err(e) = super::check_id(&header.relationship.id, "a relationship id") {
            self.fail(line, item, None, Problem::Rule(e));
        }
        self.relationship = header.relationship.id;
        self.report.relationship = Some(self.relationship.clone());
        self.declared_tip = header.tip;
        if let Some(tip) = header.tip {
            let expected = usize::try_from(tip.sequence.min(1 << 20)).unwrap_or(0);
            self.seen.reserve(expected);
        }
        for key in header.keys {
            let reason = if KeyId::of(&key.public_key) != key.key_id {
                Some("its id is not derived from the public key")
            } else if key.public_key.is_weak() {
                Some("is a weak (small-order) key")
            } else if self.keys.iter().any(|k| k.id == key.key_id) {
                Some("is listed twice")
            } else {
                None
            };
            if let Some(reason) = reason {
                let problem = Problem::BadKey {
                    key_id: key.key_id,
                    reason,
                };
                self.fail(line, item, None, problem);
                continue;
            }
            if let Some(trusted) = &self.options.trusted_keys {
                if !trusted.contains(&key.public_key) {
                    let problem = Problem::UntrustedKey {
                        key_id: key.key_id,
                        side: key.side,
                    };
                    self.fail(line, item, None, problem);
                }
            }
            self.keys.push(KeyRow {
                id: key.key_id,
                side: key.side,
                key: key.public_key,
            });
        }
    }

    /// A line that could not be read: counted as the entry due here while
    /// entries are being read, else as a checkpoint.
    fn bad_line(&mut self, bad: BadLine) {
        let problem = Problem::BadLine(bad.message);
        if bad.hint == LineHint::Note {
            self.report.notes += 1;
            self.fail(bad.line, FailedItem::Line, None, problem);
            return;
        }
        let as_entry = match bad.hint {
            LineHint::Entry => true,
            LineHint::Unknown => self.checkpoints.is_empty(),
            LineHint::Bundle | LineHint::Checkpoint | LineHint::Note => false,
        };
        if as_entry {
            self.report.entries += 1;
            let seq = self.next_seq;
            self.fail(bad.line, FailedItem::Entry, Some(seq), problem);
            self.last_entry_line = bad.line;
            self.last_failed_line = Some(bad.line);
            self.next_seq = seq.saturating_add(1);
            self.prev = None;
        } else if bad.hint == LineHint::Bundle {
            self.fail(bad.line, FailedItem::Header, None, problem);
        } else {
            self.report.checkpoints += 1;
            self.fail(bad.line, FailedItem::Checkpoint, None, problem);
        }
    }

    fn entry(&mut self, line: u64, e: BundleEntry) {
        self.report.entries += 1;
        self.last_entry_line = line;
        if e.erased {
            self.report.erased += 1;
        }
        if e.file.is_some() {
            self.report.files += 1;
        }
        let expected = self.next_seq;
        let h = &e.entry.header;
        let fail_here = |v: &mut Self, problem| {
            v.fail(line, FailedItem::Entry, Some(expected), problem);
            v.last_failed_line = Some(line);
        };

        // 1. The header must hash to the recorded hash; if not, none of its
        //    fields can be trusted, so the entry takes the position due.
        let computed = match h.hash() {
            Ok(d) => d,
            Err(err) => {
                fail_here(self, Problem::Rule(err));
                self.advance(expected, e.entry.hash);
                self.last = Some(BundleTip {
                    sequence: expected,
                    hash: e.entry.hash,
                });
                return;
            }
        };
        if computed != e.entry.hash {
            let recorded = e.entry.hash;
            fail_here(self, Problem::HeaderAltered { recorded, computed });
            self.advance(expected, recorded);
            self.last = Some(BundleTip {
                sequence: expected,
                hash: recorded,
            });
            return;
        }

        // 2. Its place in the chain. From here on the chain follows the
        //    entry's own sequence and hash, so one removal or swap does not
        //    fail every later entry.
        let (seq, hash, side) = (h.sequence, computed, h.author_side);
        self.seen.insert(hash, (seq, side));
        let problem = self.check_entry(&e, expected);
        self.advance(seq, hash);
        self.last = Some(BundleTip {
            sequence: seq,
            hash,
        });
        match problem {
            Err(problem) => fail_here(self, problem),
            Ok(key) => {
                if e.file_left_out {
                    self.report.files_left_out.push(seq);
                }
                self.batch.push(Pending {
                    line,
                    item: FailedItem::Entry,
                    sequence: seq,
                    digest: hash,
                    signature: e.entry.signature,
                    key,
                });
                if self.batch.len() >= self.options.batch_size {
                    self.flush();
                }
            }
        }
    }

    /// Check an entry whose header matches its hash; the key index to verify
    /// its signature with, or the first problem.
    fn check_entry(&self, e: &BundleEntry, expected: u64) -> Result<usize, Problem> {
        let h = &e.entry.header;
        if h.sequence != expected {
            return Err(Problem::WrongSequence {
                expected,
                found: h.sequence,
            });
        }
        if let Some(prev) = self.prev {
            if h.prev_hash != prev {
                return Err(Problem::WrongPrevHash {
                    expected: prev,
                    found: h.prev_hash,
                });
            }
        }
        if h.relationship != self.relationship {
            return Err(Problem::WrongRelationship {
                found: h.relationship.clone(),
            });
        }
        h.check_shape().map_err(Problem::Rule)?;
        if let Some(target) = h.corrects {
            match self.seen.get(&target) {
                Some(&(seq, side)) if seq < h.sequence && side == h.author_side => {}
                _ => return Err(Problem::BadCorrection { target }),
            }
        }
        if e.erased {
            if e.body.is_some() {
                return Err(Problem::ErasedWithBody);
            }
        } else {
            let computed =
                body_digest(e.body.as_ref().unwrap_or(&Value::Null)).map_err(Problem::Rule)?;
            if computed != h.body_digest {
                return Err(Problem::BodyAltered {
                    expected: h.body_digest,
                    computed,
                });
            }
        }
        if let Some(file) = &e.file {
            check_file(h.kind, e.body.as_ref(), file)?;
        }
        if e.file_left_out {
            recorded_file(h.kind, e.body.as_ref())?;
        }
        self.key_for(h.author_key_id, h.author_side)
    }

    fn key_for(&self, key_id: KeyId, claimed: Side) -> Result<usize, Problem> {
        let index = self
            .keys
            .iter()
            .position(|k| k.id == key_id)
            .ok_or(Problem::UnknownKey { key_id })?;
        match self.keys.get(index) {
            Some(k) if k.side == claimed => Ok(index),
            Some(k) => Err(Problem::KeySide {
                key_id,
                key_side: k.side,
                claimed,
            }),
            None => Err(Problem::UnknownKey { key_id }),
        }
    }

    fn advance(&mut self, sequence: u64, hash: Digest) {
        self.next_seq = sequence.saturating_add(1);
        self.prev = Some(hash);
    }

    /// Verify the waiting signatures in one batch; if the batch fails, one
    /// by one to name the entries.
    fn flush(&mut self) {
        if self.batch.is_empty() {
            return;
        }
        let batch = std::mem::take(&mut self.batch);
        if !self.batch_verifies(&batch) {
            for p in &batch {
                let ok = self
                    .keys
                    .get(p.key)
                    .is_some_and(|k| verify_digest(&k.key, &p.digest, &p.signature).is_ok());
                if !ok {
                    let key_id = self.keys.get(p.key).map(|k| k.id);
                    let problem = match key_id {
                        Some(key_id) => Problem::BadSignature { key_id },
                        None => Problem::BadLine("internal: key index".into()),
                    };
                    self.fail(p.line, p.item, Some(p.sequence), problem);
                    if p.item == FailedItem::Entry {
                        self.last_failed_line = self.last_failed_line.max(Some(p.line));
                    }
                }
            }
        }
        self.batch = batch;
        self.batch.clear();
    }

    /// Whether every signature of `batch` verifies, in one equation. The
    /// equation's random weights come from a hash of every key, signature and
    /// message in it (as `ed25519_dalek::verify_batch` derives its own): whoever
    /// wrote the bundle fixed them all before the weights exist, and the check
    /// needs nothing from the operating system.
    fn batch_verifies(&self, batch: &[Pending]) -> bool {
        let mut verifier = ed25519_zebra::batch::Verifier::new();
        let mut transcript = Sha256::new();
        transcript.update(b"slingshot bundle batch v1");
        for p in batch {
            let Some(k) = self.keys.get(p.key) else {
                return false;
            };
            let key = k.key.to_bytes();
            transcript.update(key);
            transcript.update(p.signature.to_bytes());
            transcript.update(p.digest.as_bytes());
            verifier.queue((
                VerificationKeyBytes::from(key),
                p.signature,
                &p.digest.as_bytes()[..],
            ));
        }
        let rng = StdRng::from_seed(transcript.finalize().into());
        verifier.verify(rng).is_ok()
    }

    fn finish(mut self) -> VerifyReport {
        self.flush();
        let checkpoints = std::mem::take(&mut self.checkpoints);
        let mut countersigned = std::collections::HashSet::new();
        for (line, c) in &checkpoints {
            let (side, sequence) = (c.checkpoint.side, c.checkpoint.sequence);
            if countersigned.insert((side, sequence)) {
                self.checkpoint(*line, c);
            } else {
                let problem = Problem::DuplicateCheckpoint { side, sequence };
                self.fail(*line, FailedItem::Checkpoint, Some(sequence), problem);
            }
        }
        self.flush();
        // A last entry that already failed explains a different tip.
        let last_failed = self.last_failed_line == Some(self.last_entry_line);
        if let Some(declared) = self.declared_tip.filter(|_| !last_failed) {
            if self.last != Some(declared) {
                let problem = Problem::TipMismatch {
                    declared,
                    found: self.last,
                };
                self.fail(1, FailedItem::Header, Some(declared.sequence), problem);
            }
        }
        self.report.tip = self.last;
        self.report.failures.sort_by_key(|f| f.line);
        self.report
    }

    fn checkpoint(&mut self, line: u64, c: &SignedCheckpoint) {
        let cp = &c.checkpoint;
        let item = FailedItem::Checkpoint;
        let result = (|| {
            if cp.relationship != self.relationship {
                return Err(Problem::WrongRelationship {
                    found: cp.relationship.clone(),
                });
            }
            cp.check_shape().map_err(Problem::Rule)?;
            let key = self.key_for(cp.key_id, cp.side)?;
            match self.seen.get(&cp.hash) {
                Some(&(seq, side)) if seq == cp.sequence => {
                    if side == cp.side {
                        return Err(Problem::CheckpointOwnEntry);
                    }
                }
                _ => {
                    return Err(Problem::CheckpointMismatch {
                        sequence: cp.sequence,
                        hash: cp.hash,
                    })
                }
            }
            let digest = cp.digest().map_err(Problem::Rule)?;
            Ok((key, digest))
        })();
        match result {
            Ok((key, digest)) => {
                self.batch.push(Pending {
                    line,
                    item,
                    sequence: cp.sequence,
                    digest,
                    signature: c.signature,
                    key,
                });
                if self.batch.len() >= self.options.batch_size {
                    self.flush();
                }
            }
            Err(problem) => self.fail(line, item, Some(cp.sequence), problem),
        }
    }
}

/// An attachment's file must be what its (already checked) body records: the same SHA-256
/// and size. A file on an erased entry, on an entry of another kind, or on one that
/// records no attachment, is refused.
fn check_file(kind: EntryKind, body: Option<&Value>, file: &[u8]) -> Result<(), Problem> {
    let (expected, recorded_size) = recorded_file(kind, body)?;
    let computed = hex::encode(Sha256::digest(file));
    let size = file.len() as u64;
    if computed != expected || size != recorded_size {
        return Err(Problem::FileAltered {
            expected: expected.to_owned(),
            computed,
            recorded_size,
            size,
        });
    }
    Ok(())
}

/// The SHA-256 and size an attachment entry's body records; the entry a file (or a
/// `file_left_out`) is on must be an attachment whose body is present.
fn recorded_file(kind: EntryKind, body: Option<&Value>) -> Result<(&str, u64), Problem> {
    if kind != EntryKind::Attachment {
        return Err(Problem::StrayFile("it is not an attachment"));
    }
    let Some(body) = body else {
        return Err(Problem::StrayFile("its body was erased"));
    };
    let recorded = body.get("attachment").and_then(|a| {
        let sha256 = a.get("sha256")?.as_str()?;
        let size = a.get("size")?.as_u64()?;
        Some((sha256, size))
    });
    recorded.ok_or(Problem::StrayFile("its body records no attachment"))
}
