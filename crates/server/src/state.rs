//! Shared application state handed to every handler.

use crate::access_log_writer::AccessLogWriter;
use crate::config::Config;
use crate::keyring::KeyRing;
use crate::ledger_writer::{EntryEvent, LedgerWriter};
use crate::metrics::Metrics;
use crate::ratelimit::LoginLimiter;
use slingshot_credentials::MasterKey;
use slingshot_store::Store;
use std::sync::Arc;
use tokio::sync::broadcast;

/// Cheap to clone: everything lives behind one `Arc`.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

/// The state's contents.
pub struct Inner {
    /// The database.
    pub store: Store,
    /// Settings.
    pub config: Config,
    /// Sign-in failure counters.
    pub limiter: LoginLimiter,
    /// Request counters and timings.
    pub metrics: Metrics,
    /// Signing keys of people and organizations.
    pub keys: Arc<KeyRing>,
    /// Group-committing ledger appender.
    pub ledger: LedgerWriter,
    /// New entries, for server-sent events.
    pub events: broadcast::Sender<EntryEvent>,
    /// Group-committing access-log writer.
    pub access_log: AccessLogWriter,
}

impl AppState {
    /// Wrap the parts and start the ledger writer (call inside a Tokio runtime).
    pub fn new(store: Store, config: Config, master: MasterKey) -> Self {
        let keys = Arc::new(KeyRing::new(master));
        let (events, _) = broadcast::channel(1024);
        let origin = slingshot_store::new_id();
        let metrics = Metrics::new();
        let ledger = LedgerWriter::spawn(
            store.clone(),
            keys.clone(),
            events.clone(),
            config.ledger_group,
            origin.clone(),
            metrics.ledger.clone(),
        );
        if store.backend() == slingshot_store::Backend::Postgres {
            if let Some(url) = config.database_url.clone() {
                tokio::spawn(crate::live::relay(url, origin, events.clone()));
            }
        }
        let access_log = AccessLogWriter::spawn(store.clone());
        if store.backend() == slingshot_store::Backend::Sqlite {
            tokio::spawn(checkpoints(store.clone()));
        }
        Self(Arc::new(Inner {
            access_log,
            store,
            config,
            limiter: LoginLimiter::default(),
            metrics,
            keys,
            ledger,
            events,
        }))
    }
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

/// How often SQLite's WAL is checkpointed apart from the commits. Whatever these
/// checkpoints leave, the ledger's committer copies itself when the WAL passes 64 MiB,
/// and appends wait meanwhile: under full append load (about 200 MB of WAL a second),
/// checkpointing every 500 ms left 10–30 ms stalls every third of a second and a p99 of
/// 43 ms; every 50 ms, a p99 of 32 ms at the same throughput (BENCHMARKS.md).
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(50);

/// Checkpoint SQLite's WAL every [`CHECKPOINT_EVERY`], apart from the commits, until
/// the store closes.
async fn checkpoints(store: Store) {
    let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if store.is_closed() {
            return;
        }
        if let Err(e) = store.checkpoint_wal().await {
            tracing::debug!(error = %e, "WAL checkpoint");
        }
    }
}
