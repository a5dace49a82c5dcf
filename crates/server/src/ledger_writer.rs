//! Group commit for ledger appends: one writer task takes every waiting append, stores
//! the group in one transaction (one fsync), then acknowledges each entry — only after
//! its group is durable. A failing group is retried entry by entry, so one bad entry
//! fails alone.

use crate::keyring::KeyRing;
use crate::{Result, ServerError};
use slingshot_store::{EntryRow, NewEntry, Store};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::{broadcast, mpsc, oneshot};

/// A stored entry, announced to live listeners (server-sent events), on this server and,
/// over PostgreSQL, on the others.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct EntryEvent {
    /// The relationship.
    pub relationship_id: String,
    /// Its person.
    pub person_id: String,
    /// Its organization, if two-sided.
    pub org_id: Option<String>,
    /// The thread.
    pub thread_id: String,
    /// The new entry.
    pub entry_id: String,
    /// For private notes, the side that may see it.
    pub private_side: Option<String>,
}

struct Job {
    entry: NewEntry,
    reply: oneshot::Sender<Result<EntryRow>>,
}

/// The handle handlers append through.
#[derive(Clone)]
pub struct LedgerWriter {
    tx: mpsc::Sender<Job>,
}

impl LedgerWriter {
    /// Start the writer task.
    pub fn spawn(
        store: Store,
        keys: Arc<KeyRing>,
        events: broadcast::Sender<EntryEvent>,
        max_group: usize,
        origin: String,
    ) -> Self {
        let (tx, rx) = mpsc::channel(8192);
        tokio::spawn(run(rx, store, keys, events, max_group.max(1), origin));
        Self { tx }
    }

    /// Append one entry; resolves once it is durable.
    pub async fn append(&self, entry: NewEntry) -> Result<EntryRow> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Job { entry, reply })
            .await
            .map_err(|_| ServerError::Internal("ledger writer stopped".into()))?;
        rx.await
            .map_err(|_| ServerError::Internal("ledger writer dropped an append".into()))?
    }
}

async fn run(
    mut rx: mpsc::Receiver<Job>,
    store: Store,
    keys: Arc<KeyRing>,
    events: broadcast::Sender<EntryEvent>,
    max_group: usize,
    origin: String,
) {
    let mut batch = Vec::with_capacity(max_group);
    while let Some(first) = rx.recv().await {
        batch.push(first);
        while batch.len() < max_group {
            match rx.try_recv() {
                Ok(j) => batch.push(j),
                Err(_) => break,
            }
        }
        let jobs = std::mem::take(&mut batch);
        let stored = process(jobs, &store, &keys, &events).await;
        crate::live::publish(&store, &origin, stored).await;
    }
}

async fn process(
    jobs: Vec<Job>,
    store: &Store,
    keys: &KeyRing,
    events: &broadcast::Sender<EntryEvent>,
) -> Vec<EntryEvent> {
    let mut stored = Vec::new();
    let mut signing = HashMap::new();
    let mut ready = Vec::with_capacity(jobs.len());
    for job in jobs {
        if let std::collections::hash_map::Entry::Vacant(slot) = signing.entry(job.entry.signer()) {
            match keys.key_for(store, slot.key()).await {
                Ok(k) => {
                    slot.insert(k);
                }
                Err(e) => {
                    let _ = job.reply.send(Err(e));
                    continue;
                }
            }
        }
        ready.push(job);
    }
    let items: Vec<NewEntry> = ready.iter().map(|j| j.entry.clone()).collect();
    match store.append_entries(&items, &signing).await {
        Ok(rows) => {
            for (job, row) in ready.into_iter().zip(rows) {
                stored.push(announce(events, &job.entry, &row));
                let _ = job.reply.send(Ok(row));
            }
        }
        Err(e) if ready.len() == 1 => {
            if let Some(job) = ready.pop() {
                let _ = job.reply.send(Err(e.into()));
            }
        }
        Err(_) => {
            // Find the bad entry: store each alone.
            for job in ready {
                let r = store
                    .append_entries(std::slice::from_ref(&job.entry), &signing)
                    .await;
                let r = r.map_err(ServerError::from).and_then(|mut rows| {
                    rows.pop()
                        .ok_or_else(|| ServerError::Internal("no row".into()))
                });
                if let Ok(row) = &r {
                    stored.push(announce(events, &job.entry, row));
                }
                let _ = job.reply.send(r);
            }
        }
    }
    stored
}

fn announce(events: &broadcast::Sender<EntryEvent>, e: &NewEntry, row: &EntryRow) -> EntryEvent {
    let ev = EntryEvent {
        relationship_id: e.relationship_id.clone(),
        person_id: e.person_id.clone(),
        org_id: e.org_id.clone(),
        thread_id: e.thread_id.clone(),
        entry_id: row.id.clone(),
        private_side: row.private_side.clone(),
    };
    let _ = events.send(ev.clone());
    ev
}
