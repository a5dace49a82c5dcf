//! Slingshot's HTTP server: the JSON API (`/api/v1`, OpenAPI 3.1), server-rendered pages,
//! authentication, and operations endpoints.

pub mod access_log_writer;
pub mod accounts;
pub mod api;
pub mod attachments;
pub mod auth;
pub mod bundle_export;
pub mod bundle_files;
pub mod bundle_notes;
pub mod bundle_threads;
pub mod config;
pub mod demo;
mod demo_privacy;
mod error;
pub mod json;
pub mod keyring;
pub mod ledger;
pub mod ledger_writer;
pub mod live;
pub mod mail_import;
pub mod metrics;
mod ops;
pub mod personal;
mod plain_errors;
pub mod ratelimit;
pub mod secrets;
mod state;
pub mod web;

pub use config::Config;
pub use error::{problem_response, Problem, Result, ServerError};
pub use state::AppState;

use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::{Extension, Router};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use tower_http::catch_panic::CatchPanicLayer;
use utoipa_axum::router::OpenApiRouter;

/// The OpenAPI document of the JSON API.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, spec) = OpenApiRouter::<AppState>::new()
        .merge(api::router())
        .split_for_parts();
    spec
}

/// The whole application: API, pages and operations endpoints.
pub fn app(state: AppState) -> Router {
    let limit = state.config.body_limit;
    let (api_routes, spec) = api::router().split_for_parts();
    let api_routes = api_routes.layer(axum::middleware::from_fn(
        plain_errors::plain_errors_as_problems,
    ));
    let spec_json: Arc<str> = spec.to_pretty_json().unwrap_or_default().into();
    Router::new()
        .merge(api_routes)
        .route(
            "/api/v1/openapi.json",
            get(move || {
                let s = spec_json.clone();
                async move {
                    (
                        [(axum::http::header::CONTENT_TYPE, "application/json")],
                        s.to_string(),
                    )
                }
            }),
        )
        .route("/api/{*rest}", any(api_not_found))
        .merge(web::router(state.clone()))
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .route("/static/app.css", get(ops::stylesheet))
        .route("/static/live.js", get(ops::live_script))
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(axum::middleware::from_fn(ops::security_headers))
        .layer(Extension(json::BodyLimit(limit)))
        .layer(DefaultBodyLimit::max(limit))
        .layer(CatchPanicLayer::custom(|_| {
            ServerError::Internal("handler panicked".into()).into_response()
        }))
        .with_state(state)
}

async fn api_not_found() -> ServerError {
    ServerError::NoRoute
}

async fn method_not_allowed() -> Response {
    let p = Problem {
        kind: "https://slingshot.example/problems/method_not_allowed".into(),
        title: "Method Not Allowed".into(),
        status: StatusCode::METHOD_NOT_ALLOWED.as_u16(),
        detail: "this path does not accept that method".into(),
        code: "method_not_allowed".into(),
        retry_after: None,
    };
    problem_response(&p)
}

/// Serve `app(state)` on `listener` until `shutdown` resolves; in-flight requests finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    secrets::warm_up();
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down: finishing in-flight requests");
}
