//! The ceiling for benchmarks: a bare axum server answering `GET /healthz` and
//! `GET /me` with a fixed JSON body, no middleware, no database.
//! Usage: `cargo run --release -p slingshot-server --example bare_axum -- 127.0.0.1:18081`

use axum::routing::get;
use axum::{Json, Router};

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:18081".into());
    let app = Router::new().route("/healthz", get(|| async { "ok\n" })).route(
        "/me",
        get(|| async { Json(serde_json::json!({"id": "01", "handle": "alice", "display_name": "Alice", "is_admin": true})) }),
    );
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("bare axum on http://{addr}");
    axum::serve(listener, app).await
}
