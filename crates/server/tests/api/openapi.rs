//! The OpenAPI document covers every API route, and every documented route exists.

use crate::helpers::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use slingshot_store::testing::TestDb;

#[tokio::test]
async fn every_documented_route_exists() {
    let app = TestApp::spawn(TestDb::sqlite().await).await;
    let spec: Value = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(spec["openapi"], "3.1.0");
    let paths = spec["paths"].as_object().unwrap();
    assert!(paths.len() >= 15, "{} paths", paths.len());
    for (path, ops) in paths {
        assert!(path.starts_with("/api/v1/"), "{path}");
        let concrete = path.replace(['{', '}'], "");
        for (method, op) in ops.as_object().unwrap() {
            assert!(
                op["responses"].as_object().is_some_and(|r| !r.is_empty()),
                "{method} {path} documents no responses"
            );
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let r = app
                .client
                .request(m, app.url(&concrete))
                .send()
                .await
                .unwrap();
            assert_ne!(
                r.status(),
                StatusCode::METHOD_NOT_ALLOWED,
                "{method} {path} is documented but not routed"
            );
            let body: Value = r.json().await.unwrap_or(Value::Null);
            assert!(
                !(r_is_route_missing(&body)),
                "{method} {path} is documented but not routed"
            );
        }
    }
}

fn r_is_route_missing(body: &Value) -> bool {
    // Unrouted /api paths answer with the no_route problem; routed ones answer 401,
    // a validation problem, or not_found for a missing resource.
    body["code"] == "no_route" && body["status"] == 404
}

#[test]
fn api_routes_are_only_added_through_openapi() {
    // A plain `.route(` in the API folder would add an undocumented route.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/api");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            !text.contains(".route("),
            "{} adds a route outside utoipa_axum::routes!",
            path.display()
        );
    }
    let lib = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs"),
    )
    .unwrap();
    let hand_routed: Vec<&str> = lib
        .lines()
        .map(str::trim)
        .filter(|l| l.contains("\"/api/"))
        .collect();
    assert_eq!(
        hand_routed,
        [
            "\"/api/v1/openapi.json\",",
            ".route(\"/api/{*rest}\", any(api_not_found))"
        ],
        "only openapi.json and the API 404 fallback may be routed by hand"
    );
}
