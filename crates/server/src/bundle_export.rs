//! Exporting a relationship's bundle a chunk at a time, so that an export of a long
//! history never sits whole in memory: to an HTTP response, a file, or a buffer.
//!
//! [`Export::prepare`] reads the header (keys, conversations, the tip), the private notes
//! and the checkpoints, so a failure there still becomes an error response; entries and
//! their files are read from the store while the bundle is written, up to the tip. A
//! failure after that aborts the response (the client sees an incomplete download), and
//! since it can only come before the last entry, the header's `tip` makes the bundle
//! received fail `slingshot verify` too.

use crate::ledger::corrupt;
use crate::{AppState, Result};
use axum::body::{Body, Bytes};
use serde_json::Value;
use slingshot_domain::ledger::{
    public_key_from_base64url, BundleHeader, BundleKey, BundleNote, BundleRelationship, BundleTip,
    BundleWriter, Checkpoint, Digest, EntryBody, EntryHeader, KeyId, LedgerTime, Side,
    SignedCheckpoint, SignedEntry,
};
use slingshot_store::{ChainRow, Relationship};
use tokio::sync::mpsc;

/// Bytes gathered before a chunk is handed on.
const CHUNK: usize = 256 * 1024;

/// Chain rows read from the store at a time.
const ROWS: i64 = 500;

/// Chunks waiting for a slow reader before the export waits too.
const QUEUED: usize = 2;

/// A chunk of a bundle, or the error that cut the export short.
pub type Chunk = std::io::Result<Vec<u8>>;

/// A relationship's bundle, ready to be written as `side` exports it: the chain with its
/// attachment files, the conversations, and, in the customer's bundle, the customer's
/// follow-up dates and private notes (a vendor's stay with the vendor).
pub struct Export {
    state: AppState,
    rel: Relationship,
    header: BundleHeader,
    notes: Vec<BundleNote>,
    checkpoints: Vec<SignedCheckpoint>,
}

/// What an export wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Exported {
    /// The bundle's size in bytes.
    pub bytes: u64,
    /// Entry lines written.
    pub entries: u64,
    /// Attachment entries whose file was left out (it would have taken the bundle over
    /// the instance's `import_limit`); each says so with `"file_left_out":true`.
    pub files_left_out: Vec<u64>,
}

impl Export {
    /// Read the header of `rel`'s bundle as `side` exports it.
    pub async fn prepare(state: &AppState, rel: &Relationship, side: Side) -> Result<Self> {
        // Checkpoints first: the keys read next then include theirs. Entries and
        // checkpoints stop at the tip read with `rel`, so a history that grows while it
        // is downloaded still makes a bundle that verifies.
        let mut checkpoints = Vec::new();
        for c in state.store.checkpoints(&rel.id).await? {
            if c.seq > rel.head_seq {
                continue;
            }
            let checkpoint = Checkpoint {
                relationship: rel.id.clone(),
                sequence: u64::try_from(c.seq).unwrap_or(0),
                hash: Digest::parse(&c.hash).map_err(corrupt)?,
                side: Side::parse(&c.side).map_err(corrupt)?,
                key_id: KeyId::parse(&c.key_id).map_err(corrupt)?,
                time: LedgerTime::parse(&slingshot_store::rfc3339(c.at)).map_err(corrupt)?,
            };
            let signature = slingshot_domain::ledger::signature_from_base64url(&c.signature)
                .map_err(corrupt)?;
            checkpoints.push(SignedCheckpoint {
                checkpoint,
                signature,
            });
        }
        let notes = crate::bundle_notes::read(&state.store, &rel.id, side).await?;
        let ids = state.store.chain_key_ids(&rel.id).await?;
        let mut keys = Vec::new();
        for k in state.store.public_keys(&ids).await? {
            let side = if k.owner.starts_with("org:") || k.owner.ends_with(":vendor") {
                Side::Vendor
            } else {
                Side::Customer
            };
            keys.push(BundleKey::new(
                side,
                public_key_from_base64url(&k.public_key).map_err(corrupt)?,
            ));
        }
        let mut details = serde_json::Map::new();
        details.insert("vendor_name".into(), Value::String(rel.vendor_name.clone()));
        details.insert(
            "exported_at".into(),
            Value::String(slingshot_store::rfc3339(slingshot_store::now_us())),
        );
        let follow_ups = side == Side::Customer;
        let (threads, links) = state.store.bundle_threads(&rel.id, follow_ups).await?;
        crate::bundle_threads::write(&mut details, &threads, &links)?;
        let tip = (rel.head_seq > 0).then(|| -> Result<BundleTip> {
            Ok(BundleTip {
                sequence: u64::try_from(rel.head_seq).unwrap_or(0),
                hash: Digest::parse(&rel.head_hash).map_err(corrupt)?,
            })
        });
        let header = BundleHeader {
            relationship: BundleRelationship {
                id: rel.id.clone(),
                details,
            },
            keys,
            tip: tip.transpose()?,
        };
        Ok(Self {
            state: state.clone(),
            rel: rel.clone(),
            header,
            notes,
            checkpoints,
        })
    }

    /// Write the bundle to `tx` in chunks of about 256 KiB. When the receiver goes away
    /// the export stops early (what was sent is all the reader wanted).
    pub async fn write_to(self, tx: mpsc::Sender<Chunk>) -> Result<Exported> {
        let w = BundleWriter::new(Vec::with_capacity(CHUNK), &self.header).map_err(corrupt)?;
        let mut out = ChunkedBundle {
            w,
            tx,
            sent: 0,
            closed: false,
        };
        let mut done = Exported::default();
        let tip = self.rel.head_seq;
        let mut after = 0;
        while after < tip {
            let rows = self
                .state
                .store
                .chain_rows(&self.rel.id, after, ROWS)
                .await?;
            let Some(last) = rows.last() else { break };
            after = last.seq;
            for r in rows.iter().take_while(|r| r.seq <= tip) {
                if self.write_entry(&mut out, r).await? {
                    done.files_left_out.push(u64::try_from(r.seq).unwrap_or(0));
                }
                done.entries += 1;
                out.flush_if_full().await;
                if out.closed {
                    return Ok(done);
                }
            }
        }
        for note in &self.notes {
            out.w.write_note(note).map_err(corrupt)?;
            out.flush_if_full().await;
        }
        for c in &self.checkpoints {
            out.w.write_checkpoint(c).map_err(corrupt)?;
            out.flush_if_full().await;
        }
        out.flush().await;
        done.bytes = out.sent as u64;
        Ok(done)
    }

    /// Write one chain row; true when its attachment's file was left out.
    async fn write_entry(&self, out: &mut ChunkedBundle, r: &ChainRow) -> Result<bool> {
        let header: EntryHeader = serde_json::from_str(&r.header).map_err(corrupt)?;
        let entry = SignedEntry {
            header,
            hash: Digest::parse(&r.hash).map_err(corrupt)?,
            signature: slingshot_domain::ledger::signature_from_base64url(&r.signature)
                .map_err(corrupt)?,
        };
        let body: Option<Value> = r
            .body
            .as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(corrupt)?;
        let b = match &body {
            Some(v) if r.erased_at.is_none() => EntryBody::Present(v),
            _ => EntryBody::Erased,
        };
        let limit = self.state.config.import_limit;
        let (Some(id), EntryBody::Present(_)) = (&r.file_id, &b) else {
            out.w.write_entry(&entry, b).map_err(corrupt)?;
            return Ok(false);
        };
        // Left out on its recorded size before its bytes are read, or on the bytes read.
        let written = out.written();
        let fits = |len| crate::bundle_files::fits_within(len, written, limit);
        let recorded = usize::try_from(r.file_size.unwrap_or(0)).unwrap_or(usize::MAX);
        let file = if fits(recorded) {
            match self.state.store.chain_file(&self.rel.id, id).await {
                Ok(f) => Some(f),
                // Erased since the rows were read: no file.
                Err(slingshot_store::StoreError::NotFound) => None,
                Err(e) => return Err(e.into()),
            }
        } else {
            None
        };
        let left_out = match &file {
            Some(f) => !fits(f.len()),
            None => !fits(recorded),
        };
        if left_out {
            out.w.write_entry_leaving_out_file(&entry, b)
        } else {
            out.w.write_entry_with_file(&entry, b, file.as_deref())
        }
        .map_err(corrupt)?;
        Ok(left_out)
    }

    /// The whole bundle in memory (the demo's checks and tests).
    pub async fn into_bytes(self) -> Result<Vec<u8>> {
        let (tx, mut rx) = mpsc::channel::<Chunk>(QUEUED);
        let collect = async {
            let mut all = Vec::new();
            while let Some(Ok(chunk)) = rx.recv().await {
                all.extend_from_slice(&chunk);
            }
            all
        };
        let (done, all) = tokio::join!(self.write_to(tx), collect);
        done.map(|_| all)
    }

    /// The bundle as a response body, written while it is sent. An error midway is
    /// logged and cuts the body short.
    pub fn into_body(self) -> Body {
        let (tx, rx) = mpsc::channel(QUEUED);
        let rel = self.rel.id.clone();
        tokio::spawn(async move {
            let abort = tx.clone();
            if let Err(e) = self.write_to(tx).await {
                tracing::error!(relationship = %rel, error = %e, "export cut short");
                let _ = abort
                    .send(Err(std::io::Error::other("export cut short")))
                    .await;
            }
        });
        let chunks = tokio_stream::wrappers::ReceiverStream::new(rx);
        Body::from_stream(futures_util::StreamExt::map(chunks, |c| c.map(Bytes::from)))
    }
}

/// A bundle writer whose output is handed on whenever it reaches [`CHUNK`] bytes.
struct ChunkedBundle {
    /// The writer; its output holds what was not yet handed on.
    w: BundleWriter<Vec<u8>>,
    tx: mpsc::Sender<Chunk>,
    sent: usize,
    closed: bool,
}

impl ChunkedBundle {
    /// Bytes of the bundle so far, handed on or not.
    fn written(&self) -> usize {
        self.sent + self.w.get_ref().len()
    }

    /// Hand on what was written when it reaches a chunk's size.
    async fn flush_if_full(&mut self) {
        if self.w.get_ref().len() >= CHUNK {
            self.flush().await;
        }
    }

    async fn flush(&mut self) {
        let buf = self.w.get_mut();
        if buf.is_empty() {
            return;
        }
        let chunk = std::mem::replace(buf, Vec::with_capacity(CHUNK));
        self.sent += chunk.len();
        if !self.closed && self.tx.send(Ok(chunk)).await.is_err() {
            self.closed = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::{add_entry, EntryInput};
    use slingshot_domain::ledger::verify_bundle;
    use slingshot_store::testing::TestDb;
    use std::time::Duration;

    /// The demo world with eight 300 kB scans on Alice's Northwind history: a bundle of
    /// several chunks.
    async fn long_history() -> (TestDb, AppState, String, String) {
        let db = TestDb::sqlite().await;
        let state = AppState::new(
            db.store.clone(),
            crate::Config::default(),
            slingshot_credentials::MasterKey::generate(),
        );
        crate::demo::seed(&state).await.unwrap().unwrap();
        let alice = db.store.user_by_handle("alice").await.unwrap();
        let rels = db.store.relationships_of(&alice.id).await.unwrap();
        let nw = rels.into_iter().find(|r| r.two_sided()).unwrap();
        let thread = db.store.threads_in(&alice.id, &nw.id).await.unwrap()[0]
            .id
            .clone();
        for i in 0..8 {
            let mut scan = format!("scan {i}\n").into_bytes();
            scan.resize(300_000, b's');
            crate::attachments::add_attachment(&state, &alice.id, &thread, "s.txt", "", scan)
                .await
                .unwrap();
        }
        (db, state, alice.id, thread)
    }

    #[tokio::test]
    async fn a_history_that_grows_while_it_is_written_still_verifies() {
        let (db, state, alice, thread) = long_history().await;
        let rel = db.store.thread_for(&alice, &thread).await.unwrap().1;
        let export = Export::prepare(&state, &rel, Side::Customer).await.unwrap();
        let text = EntryInput {
            kind: "message",
            text: Some("written during the download"),
            ..EntryInput::default()
        };
        add_entry(&state, &alice, &thread, text, None)
            .await
            .unwrap();
        let bundle = export.into_bytes().await.unwrap();
        assert!(bundle.len() > 4 * CHUNK, "{}", bundle.len());
        let report = verify_bundle(&bundle[..]).unwrap();
        assert!(report.is_valid(), "{report}");
        assert_eq!(report.entries, u64::try_from(rel.head_seq).unwrap());
        assert_eq!((report.files, report.notes), (9, 1), "{report}");
    }

    #[tokio::test]
    async fn an_export_stops_when_its_reader_goes_away() {
        let (db, state, alice, thread) = long_history().await;
        let rel = db.store.thread_for(&alice, &thread).await.unwrap().1;
        let export = Export::prepare(&state, &rel, Side::Customer).await.unwrap();
        let (tx, mut rx) = mpsc::channel(1);
        let writing = tokio::spawn(export.write_to(tx));
        let first = rx.recv().await.unwrap().unwrap();
        assert!(first.starts_with(b"{\"type\":\"bundle\""));
        drop(rx);
        let done = tokio::time::timeout(Duration::from_secs(30), writing)
            .await
            .expect("the export stops")
            .unwrap()
            .unwrap();
        assert!(
            done.entries < u64::try_from(rel.head_seq).unwrap(),
            "{done:?}"
        );
    }
}
