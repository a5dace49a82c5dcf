use crate::helpers::{TestApp, PASSWORD};
use reqwest::StatusCode;
use serde_json::json;
use slingshot_store::testing::TestDb;

#[tokio::test]
async fn health_readiness_metrics_and_headers() {
    let app = TestApp::spawn(TestDb::sqlite().await).await;
    let r = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert!(r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("frame-ancestors 'none'"));
    assert_eq!(
        app.client
            .get(app.url("/readyz"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    let m = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        m.contains(
            "slingshot_http_requests_total{method=\"GET\",route=\"/readyz\",status=\"200\"} 1"
        ),
        "{m}"
    );
    assert!(m.contains("slingshot_http_request_duration_seconds_bucket"));
    // Readiness fails when the database is gone.
    app.db.store.close().await;
    assert_eq!(
        app.client
            .get(app.url("/readyz"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_lets_in_flight_requests_finish() {
    let mut app = TestApp::spawn(TestDb::sqlite().await).await;
    app.user("alice").await;
    // Sign-ins spend tens of milliseconds in Argon2: start several, then shut down.
    let mut calls = Vec::new();
    for _ in 0..6 {
        let client = app.client.clone();
        let url = app.url("/api/v1/sessions");
        calls.push(tokio::spawn(async move {
            client
                .post(url)
                .json(&json!({"handle": "alice", "password": PASSWORD}))
                .send()
                .await
                .map(|r| r.status())
        }));
    }
    tokio::time::sleep(std::time::Duration::from_millis(15)).await;
    let server = app.shutdown();
    for c in calls {
        assert_eq!(
            c.await.unwrap().unwrap(),
            StatusCode::CREATED,
            "an in-flight request was cut off"
        );
    }
    server.await.unwrap().unwrap();
    assert!(
        app.client.get(app.url("/healthz")).send().await.is_err(),
        "no new connections after shutdown"
    );
}
