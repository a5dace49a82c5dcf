//! Live updates across servers: each server announces the entries it stored on
//! PostgreSQL's `slingshot_entries` channel and relays what the others announce into its
//! own broadcast (server-sent events). On SQLite there is one server and nothing to relay.

use crate::ledger_writer::EntryEvent;
use serde::{Deserialize, Serialize};
use slingshot_store::{Store, MAX_NOTICE_BYTES};
use std::time::Duration;
use tokio::sync::broadcast;

/// The PostgreSQL channel.
pub const ENTRY_CHANNEL: &str = "slingshot_entries";

/// One notice: the announcing server, and entries it stored.
#[derive(Debug, Serialize, Deserialize)]
struct Notice {
    /// The announcing server's id (a server ignores its own notices).
    o: String,
    /// The entries.
    e: Vec<EntryEvent>,
}

/// Announce stored entries to the other servers (PostgreSQL only).
pub async fn publish(store: &Store, origin: &str, events: Vec<EntryEvent>) {
    if events.is_empty() || store.backend() != slingshot_store::Backend::Postgres {
        return;
    }
    let mut payloads = Vec::new();
    let mut chunk: Vec<EntryEvent> = Vec::new();
    let mut size = 0;
    for e in events {
        let len = e.relationship_id.len()
            + e.person_id.len()
            + e.thread_id.len()
            + e.entry_id.len()
            + 200;
        if size + len > MAX_NOTICE_BYTES && !chunk.is_empty() {
            payloads.push(encode(origin, std::mem::take(&mut chunk)));
            size = 0;
        }
        size += len;
        chunk.push(e);
    }
    if !chunk.is_empty() {
        payloads.push(encode(origin, chunk));
    }
    if let Err(e) = store.notify(ENTRY_CHANNEL, &payloads).await {
        tracing::warn!(error = %e, "could not announce entries to other servers");
    }
}

fn encode(origin: &str, e: Vec<EntryEvent>) -> String {
    serde_json::to_string(&Notice {
        o: origin.to_owned(),
        e,
    })
    .unwrap_or_default()
}

/// Relay the other servers' notices into `events`, reconnecting after failures.
pub async fn relay(url: String, origin: String, events: broadcast::Sender<EntryEvent>) {
    loop {
        match slingshot_store::listen(&url, ENTRY_CHANNEL).await {
            Ok(mut listener) => loop {
                match listener.recv().await {
                    Ok(n) => match serde_json::from_str::<Notice>(n.payload()) {
                        Ok(notice) if notice.o != origin => {
                            for e in notice.e {
                                let _ = events.send(e);
                            }
                        }
                        Ok(_) => {}
                        Err(e) => tracing::warn!(error = %e, "unreadable entry notice"),
                    },
                    Err(e) => {
                        tracing::warn!(error = %e, "entry notices: connection lost");
                        break;
                    }
                }
            },
            Err(e) => tracing::warn!(error = %e, "entry notices: cannot listen"),
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
