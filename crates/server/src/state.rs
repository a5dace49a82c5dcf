//! Shared application state handed to every handler.

use crate::config::Config;
use crate::metrics::Metrics;
use crate::ratelimit::LoginLimiter;
use slingshot_store::Store;
use std::sync::Arc;

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
}

impl AppState {
    /// Wrap the parts.
    pub fn new(store: Store, config: Config) -> Self {
        Self(Arc::new(Inner {
            store,
            config,
            limiter: LoginLimiter::default(),
            metrics: Metrics::new(),
        }))
    }
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}
