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

/// Open a thread in a new relationship of `token`'s person; its (relationship, thread) ids.
async fn conversation(app: &crate::helpers::TestApp, token: &str, rel: Value) -> (String, String) {
    let r: Value = app
        .post("/api/v1/relationships", Some(token), rel)
        .await
        .json()
        .await
        .unwrap();
    let rel = r["id"].as_str().unwrap().to_owned();
    let t: Value = app
        .post(
            &format!("/api/v1/relationships/{rel}/threads"),
            Some(token),
            json!({"subject": "Order", "stage": "purchase"}),
        )
        .await
        .json()
        .await
        .unwrap();
    (rel, t["id"].as_str().unwrap().to_owned())
}

// One organization's people never reach another's customers, inbox or members; links and
// assignments never cross a relationship or an organization.
app_test!(walls_between_organizations_and_relationships, |app| {
    let bob = app.user("bob").await;
    let carol = app.user("carol").await;
    let eve = app.user("eve").await;
    let dave = app.user("dave").await;
    let alice = app.user("alice").await;
    let mallory = app.user("mallory").await;
    let northwind = app.org(&bob, "northwind").await;
    app.join(&bob, &northwind, &carol, "agent").await;
    let contoso = app.org(&eve, "contoso").await;
    app.join(&eve, &contoso, &dave, "agent").await;
    let (rel, t) = conversation(&app, &alice, json!({"org": "northwind"})).await;
    let (_, other_t) = conversation(&app, &alice, json!({"vendor_name": "Corner Shop"})).await;
    let (_, mallorys_t) = conversation(&app, &mallory, json!({"vendor_name": "Elsewhere"})).await;

    // Another organization's owner and agent see nothing of northwind's customers.
    for token in [&eve, &dave] {
        for path in [
            format!("/api/v1/orgs/{northwind}/relationships"),
            format!("/api/v1/orgs/{northwind}/inbox"),
            format!("/api/v1/orgs/{northwind}/search?q=hello"),
            format!("/api/v1/relationships/{rel}"),
            format!("/api/v1/threads/{t}"),
        ] {
            problem(app.get(&path, token).await, 404, "not_found").await;
        }
        let r = app
            .post(
                &format!("/api/v1/threads/{t}/entries"),
                Some(token),
                json!({"kind": "message", "text": "hello from a rival"}),
            )
            .await;
        problem(r, 404, "not_found").await;
    }
    // Northwind's own agent sees the customer in its inbox.
    let inbox: Value = app
        .get(&format!("/api/v1/orgs/{northwind}/inbox"), &carol)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(inbox["items"].as_array().unwrap().len(), 1);

    // A thread is assigned only to someone who answers for the relationship's organization.
    let dave_id = app.user_id(&dave).await;
    let r = app
        .call(
            Method::PATCH,
            &format!("/api/v1/threads/{t}"),
            Some(&carol),
            Some(json!({ "assignee": dave_id })),
        )
        .await;
    problem(r, 422, "invalid_value").await;
    let seen: Value = app
        .get(&format!("/api/v1/threads/{t}"), &carol)
        .await
        .json()
        .await
        .unwrap();
    assert!(seen["assignee_id"].is_null(), "{seen}");

    // Links stay inside one relationship: not to alice's other vendor, not to mallory's.
    for to in [&other_t, &mallorys_t] {
        let r = app
            .post(
                &format!("/api/v1/threads/{t}/links"),
                Some(&alice),
                json!({"to": to, "kind": "related"}),
            )
            .await;
        problem(r, 404, "not_found").await;
    }
    let seen: Value = app
        .get(&format!("/api/v1/threads/{t}"), &alice)
        .await
        .json()
        .await
        .unwrap();
    assert!(seen["links"].as_array().unwrap().is_empty(), "{seen}");
    assert_eq!(
        app.get(&format!("/api/v1/threads/{mallorys_t}"), &mallory)
            .await
            .status(),
        StatusCode::OK
    );
});
