//! Prometheus metrics: request counts and latencies by route and status.

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use std::time::Instant;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

/// The server's metrics registry.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    in_flight: Gauge,
    /// The ledger writer's: group sizes and commit times.
    pub ledger: LedgerMetrics,
}

/// What the ledger's group commit does: how many entries each committed group held and
/// how long storing it took (one transaction, one fsync on SQLite). Cheap to clone: the
/// writer's threads hold their own handles onto the same metrics.
#[derive(Clone, Debug)]
pub struct LedgerMetrics {
    /// Entries per committed group.
    pub group_entries: Histogram,
    /// Seconds to store a group (its transaction, commit included).
    pub commit_seconds: Histogram,
}

impl LedgerMetrics {
    fn new() -> Self {
        Self {
            group_entries: Histogram::new(exponential_buckets(1.0, 2.0, 11)),
            commit_seconds: Histogram::new(exponential_buckets(0.000_25, 2.0, 12)),
        }
    }
}

impl Default for LedgerMetrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// A registry with Slingshot's metrics.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("slingshot");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RouteLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.0005, 2.0, 14))
        });
        let in_flight = Gauge::default();
        registry.register(
            "http_requests",
            "HTTP requests by method, route and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "HTTP request latency by route",
            latency.clone(),
        );
        registry.register(
            "http_requests_in_flight",
            "Requests being served now",
            in_flight.clone(),
        );
        let ledger = LedgerMetrics::new();
        registry.register(
            "ledger_group_entries",
            "Entries per committed group of ledger appends",
            ledger.group_entries.clone(),
        );
        registry.register(
            "ledger_commit_seconds",
            "Time to store one group of ledger appends, commit included",
            ledger.commit_seconds.clone(),
        );
        Self {
            registry,
            requests,
            latency,
            in_flight,
            ledger,
        }
    }

    /// The metrics in the OpenMetrics text format (which Prometheus reads).
    pub fn render(&self) -> String {
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

/// Middleware counting and timing each request by its route pattern (not its raw path).
pub async fn track(State(state): State<crate::AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".into());
    let method = req.method().as_str().to_owned();
    let m = &state.metrics;
    m.in_flight.inc();
    let start = Instant::now();
    let res = next.run(req).await;
    m.in_flight.dec();
    m.latency
        .get_or_create(&RouteLabels {
            route: route.clone(),
        })
        .observe(start.elapsed().as_secs_f64());
    m.requests
        .get_or_create(&RequestLabels {
            method,
            route,
            status: res.status().as_u16(),
        })
        .inc();
    res
}
