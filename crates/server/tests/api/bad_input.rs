//! Malformed, mistyped, missing, oversized: a clear problem, nothing written, never a 500.

use crate::helpers::{problem, TestApp, PASSWORD};
use reqwest::StatusCode;
use slingshot_store::testing::TestDb;

async fn raw(
    app: &TestApp,
    path: &str,
    content_type: &str,
    body: impl Into<reqwest::Body>,
) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn malformed_bodies_get_problems_and_write_nothing() {
    let app = TestApp::spawn_with(TestDb::sqlite().await, |c| c.body_limit = 4096).await;
    problem(
        raw(
            &app,
            "/api/v1/accounts",
            "application/json",
            "{\"handle\": ",
        )
        .await,
        400,
        "malformed_json",
    )
    .await;
    problem(
        raw(
            &app,
            "/api/v1/accounts",
            "application/json",
            "{\"handle\": 5, \"password\": \"x\"}",
        )
        .await,
        422,
        "invalid_body",
    )
    .await;
    problem(
        raw(
            &app,
            "/api/v1/accounts",
            "application/json",
            "{\"handle\": \"ann\"}",
        )
        .await,
        422,
        "invalid_body",
    )
    .await;
    let extra =
        format!("{{\"handle\": \"ann\", \"password\": \"{PASSWORD}\", \"is_admin\": true}}");
    problem(
        raw(&app, "/api/v1/accounts", "application/json", extra).await,
        422,
        "invalid_body",
    )
    .await;
    problem(
        raw(&app, "/api/v1/accounts", "text/plain", "hello").await,
        415,
        "unsupported_media_type",
    )
    .await;
    let big = format!(
        "{{\"handle\": \"ann\", \"password\": \"{}\"}}",
        "x".repeat(10_000)
    );
    problem(
        raw(&app, "/api/v1/accounts", "application/json", big).await,
        413,
        "payload_too_large",
    )
    .await;
    assert_eq!(app.db.store.count_users().await.unwrap(), 0);
    // Unknown API paths and methods are problems too.
    problem(
        app.client
            .get(app.url("/api/v1/nope"))
            .send()
            .await
            .unwrap(),
        404,
        "no_route",
    )
    .await;
    problem(
        app.client
            .patch(app.url("/api/v1/accounts"))
            .send()
            .await
            .unwrap(),
        405,
        "method_not_allowed",
    )
    .await;
    let r = app
        .client
        .get(app.url("/api/v1/me/audit?limit=abc"))
        .bearer_auth("ss_x")
        .send()
        .await
        .unwrap();
    assert!(r.status() == StatusCode::BAD_REQUEST || r.status() == StatusCode::UNAUTHORIZED);
    // A path segment that is not UTF-8 is refused before any handler runs: a problem too,
    // and nothing is appended.
    let user = app.user("pat").await;
    for (method, path) in [
        (reqwest::Method::POST, "/api/v1/threads/%FF%FE/entries"),
        (reqwest::Method::GET, "/api/v1/relationships/%C3%28"),
    ] {
        let r = app
            .client
            .request(method, app.url(path))
            .bearer_auth(&user)
            .json(&serde_json::json!({"kind": "message", "text": "x"}))
            .send()
            .await
            .unwrap();
        let body = problem(r, 400, "bad_request").await;
        assert!(body["detail"].as_str().unwrap().contains("UTF-8"), "{body}");
    }
}
