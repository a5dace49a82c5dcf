//! Personal data through the API: terms an organization proffers, answered once by each
//! person, and published.

use crate::app_test;
use crate::helpers::problem;
use crate::personal::{ok, world};
use reqwest::Method;
use serde_json::json;

app_test!(terms_are_proffered_answered_once_and_published, |app| {
    let (alice, bob, _rel, _pseudo, _fields) = world(&app).await;
    let list = ok(app
        .call(Method::GET, "/api/v1/terms-list", None, None)
        .await)
    .await;
    assert!(list["items"].as_array().unwrap().len() >= 5);
    let t = ok(app
        .post(
            "/api/v1/me/terms",
            Some(&alice),
            json!({"org": "acme", "term": "no-sale-no-sharing"}),
        )
        .await)
    .await;
    let id = t["id"].as_str().unwrap().to_owned();
    assert_eq!(t["signatures"].as_array().unwrap().len(), 1);
    problem(
        app.post(
            "/api/v1/me/terms",
            Some(&alice),
            json!({"org": "acme", "term": "sell-everything"}),
        )
        .await,
        422,
        "invalid_consent",
    )
    .await;
    let carol = app.user("carol").await;
    problem(
        app.post(
            "/api/v1/me/terms",
            Some(&carol),
            json!({"org": "acme", "term": "no-tracking"}),
        )
        .await,
        404,
        "not_found",
    )
    .await;
    // Bad answers change nothing; the person cannot answer their own proffer.
    problem(
        app.post(
            &format!("/api/v1/terms/{id}/respond"),
            Some(&bob),
            json!({"response": "counter", "counter_term": "no-sale-no-sharing"}),
        )
        .await,
        422,
        "invalid_consent",
    )
    .await;
    problem(
        app.post(
            &format!("/api/v1/terms/{id}/respond"),
            Some(&bob),
            json!({"response": "maybe"}),
        )
        .await,
        422,
        "invalid_response",
    )
    .await;
    problem(
        app.post(
            &format!("/api/v1/terms/{id}/respond"),
            Some(&alice),
            json!({"response": "accepted"}),
        )
        .await,
        404,
        "not_found",
    )
    .await;
    problem(
        app.post(
            &format!("/api/v1/terms/{id}/respond"),
            Some(&carol),
            json!({"response": "accepted"}),
        )
        .await,
        404,
        "not_found",
    )
    .await;
    let a = ok(app
        .post(
            &format!("/api/v1/terms/{id}/respond"),
            Some(&bob),
            json!({"response": "accepted"}),
        )
        .await)
    .await;
    assert_eq!(a["response"], "accepted");
    let sigs = a["signatures"].as_array().unwrap();
    assert_eq!(sigs.len(), 2);
    assert_ne!(sigs[0]["signed"], sigs[1]["signed"]);
    problem(
        app.post(
            &format!("/api/v1/terms/{id}/respond"),
            Some(&bob),
            json!({"response": "rejected"}),
        )
        .await,
        409,
        "conflict",
    )
    .await;
    // Both sides see the same record.
    let mine = ok(app.get(&format!("/api/v1/terms/{id}"), &alice).await).await;
    let theirs = ok(app.get(&format!("/api/v1/terms/{id}"), &bob).await).await;
    assert_eq!(mine["record"], theirs["record"]);
    assert_eq!(mine["signatures"], theirs["signatures"]);
    // A counter-proposal.
    let t2 = ok(app
        .post(
            "/api/v1/me/terms",
            Some(&alice),
            json!({"org": "acme", "term": "delete-on-end"}),
        )
        .await)
    .await;
    let c = ok(app
        .post(
            &format!("/api/v1/terms/{}/respond", t2["id"].as_str().unwrap()),
            Some(&bob),
            json!({"response": "counter", "counter_term": "service-only"}),
        )
        .await)
    .await;
    assert_eq!(c["counter_term"], "service-only");
    // The public profile lists accepted terms only.
    let public = ok(app
        .call(Method::GET, "/api/v1/orgs/acme/public", None, None)
        .await)
    .await;
    let acc = public["accepted_terms"].as_array().unwrap();
    assert_eq!(acc.len(), 1);
    assert_eq!(acc[0]["term"], "no-sale-no-sharing");
    assert_eq!(public["privacy"]["contact_email"], "privacy@acme.example");
});
