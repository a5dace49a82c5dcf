//! Exporting a relationship's bundle a chunk at a time, so that an export of a long
//! history never sits whole in memory: to an HTTP response, a file, or a buffer.
//!
//! [`Export::prepare`] reads what the header needs (keys, conversations, the tip), so a
//! failure there still becomes an error response; entries, notes and checkpoints are read
//! from the store while the bundle is written. A failure after that aborts the response
//! (the client sees an incomplete download; the header's `tip` makes a truncated bundle
//! fail `slingshot verify`).

use crate::{AppState, Result, ServerError};
use axum::body::{Body, Bytes};
use serde_json::Value;
use slingshot_domain::ledger::{
    public_key_from_base64url, BundleHeader, BundleKey, BundleRelationship, BundleTip,
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
    side: Side,
    header: BundleHeader,
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

fn corrupt(e: impl std::fmt::Display) -> ServerError {
    ServerError::Internal(format!("stored chain: {e}"))
}

impl Export {
    /// Read the header of `rel`'s bundle as `side` exports it.
    pub async fn prepare(state: &AppState, rel: &Relationship, side: Side) -> Result<Self> {
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
            side,
            header,
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
        let mut after = 0;
        while !out.closed {
            let rows = self
                .state
                .store
                .chain_rows(&self.rel.id, after, ROWS)
                .await?;
            let Some(last) = rows.last() else { break };
            after = last.seq;
            for r in &rows {
                if self.write_entry(&mut out, r).await? {
                    done.files_left_out.push(u64::try_from(r.seq).unwrap_or(0));
                }
                done.entries += 1;
                out.flush_if_full().await;
            }
        }
        crate::bundle_notes::write(&self.state.store, &self.rel.id, self.side, &mut out).await?;
        for c in self.state.store.checkpoints(&self.rel.id).await? {
            let cp = Checkpoint {
                relationship: self.rel.id.clone(),
                sequence: u64::try_from(c.seq).unwrap_or(0),
                hash: Digest::parse(&c.hash).map_err(corrupt)?,
                side: Side::parse(&c.side).map_err(corrupt)?,
                key_id: KeyId::parse(&c.key_id).map_err(corrupt)?,
                time: LedgerTime::parse(&slingshot_store::rfc3339(c.at)).map_err(corrupt)?,
            };
            let signature = slingshot_domain::ledger::signature_from_base64url(&c.signature)
                .map_err(corrupt)?;
            out.w
                .write_checkpoint(&SignedCheckpoint {
                    checkpoint: cp,
                    signature,
                })
                .map_err(corrupt)?;
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
        let file = match (&r.file_id, &b) {
            // Erased since the rows were read: no file.
            (Some(id), EntryBody::Present(_)) => {
                match self.state.store.chain_file(&self.rel.id, id).await {
                    Ok(f) => Some(f),
                    Err(slingshot_store::StoreError::NotFound) => None,
                    Err(e) => return Err(e.into()),
                }
            }
            _ => None,
        };
        let limit = self.state.config.import_limit;
        match file {
            Some(f) if !crate::bundle_files::fits_within(f.len(), out.written(), limit) => {
                out.w
                    .write_entry_leaving_out_file(&entry, b)
                    .map_err(corrupt)?;
                Ok(true)
            }
            f => {
                out.w
                    .write_entry_with_file(&entry, b, f.as_deref())
                    .map_err(corrupt)?;
                Ok(false)
            }
        }
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
pub struct ChunkedBundle {
    /// The writer; its output holds what was not yet handed on.
    pub w: BundleWriter<Vec<u8>>,
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
    pub async fn flush_if_full(&mut self) {
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
