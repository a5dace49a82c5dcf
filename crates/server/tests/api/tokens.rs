use crate::app_test;
use crate::helpers::problem;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

app_test!(api_tokens_carry_scopes_and_stop_when_revoked, |app| {
    let alice = app.user("alice").await;
    let r = app
        .post(
            "/api/v1/tokens",
            Some(&alice),
            json!({"name": "reader", "scopes": ["account:read", "orgs:read"]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let created: Value = r.json().await.unwrap();
    let token = created["token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("sst_"));
    // The token works within its scopes.
    app.get("/api/v1/me", &token)
        .await
        .error_for_status()
        .unwrap();
    app.get("/api/v1/orgs", &token)
        .await
        .error_for_status()
        .unwrap();
    problem(
        app.post(
            "/api/v1/orgs",
            Some(&token),
            json!({"handle": "x-org", "name": "X", "kind": "vendor"}),
        )
        .await,
        403,
        "insufficient_scope",
    )
    .await;
    problem(
        app.get("/api/v1/me/audit", &token).await,
        403,
        "insufficient_scope",
    )
    .await;
    // Tokens cannot mint tokens or change the password.
    problem(
        app.post(
            "/api/v1/tokens",
            Some(&token),
            json!({"name": "x", "scopes": ["orgs:read"]}),
        )
        .await,
        403,
        "session_required",
    )
    .await;
    // The list never shows secrets.
    let list = app
        .get("/api/v1/tokens", &alice)
        .await
        .text()
        .await
        .unwrap();
    assert!(!list.contains(&token));
    assert!(list.contains("reader"));
    // Stored hashed.
    let id = created["id"].as_str().unwrap();
    let r = app
        .call(
            Method::DELETE,
            &format!("/api/v1/tokens/{id}"),
            Some(&alice),
            None,
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    problem(app.get("/api/v1/me", &token).await, 401, "unauthenticated").await;
    problem(
        app.call(
            Method::DELETE,
            &format!("/api/v1/tokens/{id}"),
            Some(&alice),
            None,
        )
        .await,
        404,
        "not_found",
    )
    .await;
    // Bad scope lists.
    problem(
        app.post(
            "/api/v1/tokens",
            Some(&alice),
            json!({"name": "x", "scopes": ["root"]}),
        )
        .await,
        422,
        "invalid_value",
    )
    .await;
    problem(
        app.post(
            "/api/v1/tokens",
            Some(&alice),
            json!({"name": "x", "scopes": []}),
        )
        .await,
        422,
        "invalid_value",
    )
    .await;
    problem(
        app.post(
            "/api/v1/tokens",
            Some(&alice),
            json!({"name": "", "scopes": ["orgs:read"]}),
        )
        .await,
        422,
        "invalid_value",
    )
    .await;
    let audit: Value = app
        .get("/api/v1/me/audit", &alice)
        .await
        .json()
        .await
        .unwrap();
    let events: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(&events[..2], ["token_revoked", "token_created"]);
});
