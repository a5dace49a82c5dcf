//! Every tenant-scoped endpoint answers an outsider with 404, never a hint.

use crate::app_test;
use crate::helpers::problem;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

app_test!(outsiders_get_not_found_everywhere, |app| {
    let alice = app.user("alice").await;
    let mallory = app.user("mallory").await;
    let alice_id = app.user_id(&alice).await;
    let org = app.org(&alice, "northwind").await;
    let inv: Value = app
        .post(
            &format!("/api/v1/orgs/{org}/invites"),
            Some(&alice),
            json!({"role": "agent"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let inv_id = inv["id"].as_str().unwrap();
    let tok: Value = app
        .post(
            "/api/v1/tokens",
            Some(&alice),
            json!({"name": "t", "scopes": ["orgs:read"]}),
        )
        .await
        .json()
        .await
        .unwrap();
    let tok_id = tok["id"].as_str().unwrap();
    let sessions: Value = app
        .get("/api/v1/sessions", &alice)
        .await
        .json()
        .await
        .unwrap();
    let sess_id = sessions["items"][0]["id"].as_str().unwrap();

    let cases: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, format!("/api/v1/orgs/{org}"), None),
        (Method::GET, "/api/v1/orgs/northwind".into(), None),
        (Method::GET, format!("/api/v1/orgs/{org}/members"), None),
        (
            Method::PUT,
            format!("/api/v1/orgs/{org}/members/{alice_id}"),
            Some(json!({"role": "agent"})),
        ),
        (
            Method::DELETE,
            format!("/api/v1/orgs/{org}/members/{alice_id}"),
            None,
        ),
        (Method::GET, format!("/api/v1/orgs/{org}/invites"), None),
        (
            Method::POST,
            format!("/api/v1/orgs/{org}/invites"),
            Some(json!({"role": "owner"})),
        ),
        (
            Method::DELETE,
            format!("/api/v1/orgs/{org}/invites/{inv_id}"),
            None,
        ),
        (Method::GET, format!("/api/v1/orgs/{org}/audit"), None),
        (
            Method::POST,
            format!("/api/v1/admin/orgs/{org}/verify"),
            Some(json!({})),
        ),
        (Method::DELETE, format!("/api/v1/tokens/{tok_id}"), None),
        (Method::DELETE, format!("/api/v1/sessions/{sess_id}"), None),
    ];
    for (method, path, body) in cases {
        let r = app.call(method.clone(), &path, Some(&mallory), body).await;
        let p = problem(r, 404, "not_found").await;
        assert_eq!(p["detail"], "not found", "{method} {path}");
    }
    // Nothing changed for alice.
    let members: Value = app
        .get(&format!("/api/v1/orgs/{org}/members"), &alice)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(members["items"].as_array().unwrap().len(), 1);
    let invites: Value = app
        .get(&format!("/api/v1/orgs/{org}/invites"), &alice)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(invites["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        app.get("/api/v1/sessions", &alice).await.status(),
        StatusCode::OK
    );
    let orgs: Value = app
        .get("/api/v1/orgs", &mallory)
        .await
        .json()
        .await
        .unwrap();
    assert!(orgs["items"].as_array().unwrap().is_empty());
    // A member with a lesser role sees the org but not its audit log or invitations.
    let agent = app.user("agent-ann").await;
    app.join(&alice, &org, &agent, "agent").await;
    assert_eq!(
        app.get(&format!("/api/v1/orgs/{org}/members"), &agent)
            .await
            .status(),
        StatusCode::OK
    );
    problem(
        app.get(&format!("/api/v1/orgs/{org}/audit"), &agent).await,
        403,
        "forbidden",
    )
    .await;
    problem(
        app.get(&format!("/api/v1/orgs/{org}/invites"), &agent)
            .await,
        403,
        "forbidden",
    )
    .await;
    let audit: Value = app
        .get("/api/v1/me/audit", &mallory)
        .await
        .json()
        .await
        .unwrap();
    assert!(audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["subject"] == "mallory"));
});
