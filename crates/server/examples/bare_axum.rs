//! The ceiling for benchmarks: a bare axum server answering `GET /healthz`, `GET /me`
//! with a fixed JSON body, and `POST /entries` that parses a JSON body and answers 201
//! with JSON; no middleware, no database.
//! Usage: `cargo run --release -p slingshot-server --example bare_axum -- 127.0.0.1:18081`

use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:18081".into());
    let app = Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/me", get(|| async { Json(json!({"id": "01", "handle": "alice", "display_name": "Alice", "is_admin": true})) }))
        .route(
            "/entries",
            post(|Json(body): Json<Value>| async move {
                (StatusCode::CREATED, Json(json!({"id": "01", "kind": body["kind"], "seq": 1})))
            }),
        );
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("bare axum on http://{addr}");
    axum::serve(listener, app).await
}
