//! Personal data through the API: vault, grants and signed receipts, granted reads and
//! the access log (access requests and terms are in `personal_requests` and
//! `personal_terms`).

use crate::app_test;
use crate::helpers::{problem, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use slingshot_domain::consent::check_kantara_receipt;

pub(crate) async fn ok(r: reqwest::Response) -> Value {
    let status = r.status();
    let v: Value = r.json().await.unwrap();
    assert!(status.is_success(), "{status}: {v}");
    v
}

pub(crate) async fn put(app: &TestApp, path: &str, token: &str, body: Value) -> reqwest::Response {
    app.call(Method::PUT, path, Some(token), Some(body)).await
}

pub(crate) fn in_days(days: i64) -> String {
    (time::OffsetDateTime::now_utc() + time::Duration::days(days))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

/// alice (customer) with two fields, bob owning `acme` with published privacy settings,
/// and alice's relationship with acme. Returns (alice, bob, rel id, pseudonym, [email, address]).
pub(crate) async fn world(app: &TestApp) -> (String, String, String, String, Vec<String>) {
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    app.org(&bob, "acme").await;
    ok(put(
        app,
        "/api/v1/orgs/acme/privacy",
        &bob,
        json!({"response_days": 30, "time_zone": "America/Toronto", "weekend": "sat,sun",
               "holidays": "2026-12-25 # Christmas\n2027-01-01\n", "jurisdiction": "CA-ON",
               "policy_url": "https://acme.example/privacy", "contact_email": "privacy@acme.example"}),
    )
    .await)
    .await;
    let rel = ok(app
        .post(
            "/api/v1/relationships",
            Some(&alice),
            json!({"org": "acme"}),
        )
        .await)
    .await;
    let mut fields = Vec::new();
    for (kind, value) in [
        ("email", "alice@example.net"),
        ("postal-address", "1 Main St, Toronto"),
    ] {
        let f = ok(app
            .post(
                "/api/v1/me/profile",
                Some(&alice),
                json!({"kind": kind, "value": value}),
            )
            .await)
        .await;
        fields.push(f["id"].as_str().unwrap().to_owned());
    }
    (
        alice,
        bob,
        rel["id"].as_str().unwrap().to_owned(),
        rel["pseudonym"].as_str().unwrap().to_owned(),
        fields,
    )
}

app_test!(grants_are_read_as_granted_logged_and_revoked, |app| {
    let (alice, bob, rel, pseudo, fields) = world(&app).await;
    // A third field, not granted.
    ok(app
        .post(
            "/api/v1/me/profile",
            Some(&alice),
            json!({"kind": "birthdate", "value": "1990-02-28"}),
        )
        .await)
    .await;
    let g = app
        .post("/api/v1/me/grants", Some(&alice),
            json!({"relationship": rel, "purpose": "delivery", "fields": fields, "expires_at": in_days(30)}))
        .await;
    assert_eq!(g.status(), StatusCode::CREATED);
    let g: Value = g.json().await.unwrap();
    assert_eq!(g["status"], "active");
    let grant_id = g["id"].as_str().unwrap().to_owned();

    // The organization reads exactly what was granted, for that purpose.
    let path = format!("/api/v1/orgs/acme/customers/{pseudo}/profile?purpose=delivery");
    let p = ok(app.get(&path, &bob).await).await;
    let labels: Vec<&str> = p["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["label"].as_str().unwrap())
        .collect();
    assert_eq!(p["fields"].as_array().unwrap().len(), 2, "{p}");
    assert!(
        !p.to_string().contains("1990-02-28"),
        "ungranted birthdate leaked: {p}"
    );
    assert!(
        labels.contains(&"E-mail address")
            || labels.iter().any(|l| l.to_lowercase().contains("mail")),
        "{labels:?}"
    );

    // Another purpose: nothing granted.
    let r = app
        .get(
            &format!("/api/v1/orgs/acme/customers/{pseudo}/profile?purpose=marketing"),
            &bob,
        )
        .await;
    problem(r, 403, "no_grant").await;
    // Unknown purpose, missing purpose.
    problem(
        app.get(
            &format!("/api/v1/orgs/acme/customers/{pseudo}/profile?purpose=selling"),
            &bob,
        )
        .await,
        422,
        "invalid_consent",
    )
    .await;
    problem(
        app.get(
            &format!("/api/v1/orgs/acme/customers/{pseudo}/profile"),
            &bob,
        )
        .await,
        400,
        "invalid_query",
    )
    .await;
    // The customer is not a member of acme; a stranger's org cannot read it either.
    problem(app.get(&path, &alice).await, 404, "not_found").await;
    let carol = app.user("carol").await;
    app.org(&carol, "globex").await;
    problem(
        app.get(
            &format!("/api/v1/orgs/globex/customers/{pseudo}/profile?purpose=delivery"),
            &carol,
        )
        .await,
        404,
        "not_found",
    )
    .await;
    problem(app.get(&path, &carol).await, 404, "not_found").await;

    // A token without profile:read cannot read; one with it can, and the log names it.
    let weak = ok(app
        .post(
            "/api/v1/tokens",
            Some(&bob),
            json!({"name": "crm", "scopes": ["orgs:read"]}),
        )
        .await)
    .await;
    problem(
        app.get(&path, weak["token"].as_str().unwrap()).await,
        403,
        "insufficient_scope",
    )
    .await;
    let strong = ok(app
        .post(
            "/api/v1/tokens",
            Some(&bob),
            json!({"name": "shipping", "scopes": ["profile:read"]}),
        )
        .await)
    .await;
    ok(app.get(&path, strong["token"].as_str().unwrap()).await).await;

    // Every read is in the person's access log: who, which fields, which purpose, how.
    let log = ok(app.get("/api/v1/me/access-log", &alice).await).await;
    let items = log["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{log}");
    assert_eq!(items[0]["via"], "token shipping");
    assert_eq!(items[1]["via"], "session");
    assert_eq!(items[0]["reader"], "bob");
    assert_eq!(items[0]["purpose"], "delivery");
    assert_eq!(items[0]["fields"].as_array().unwrap().len(), 2);
    // Paging.
    let page = ok(app.get("/api/v1/me/access-log?limit=1", &alice).await).await;
    let next = page["next"].as_str().unwrap();
    let page2 = ok(app
        .get(
            &format!("/api/v1/me/access-log?limit=1&before={next}"),
            &alice,
        )
        .await)
    .await;
    assert_eq!(page2["items"][0]["id"], items[1]["id"]);
    // Nobody can edit or delete the log: there is no such route, and the organization sees none of it.
    for m in [Method::DELETE, Method::PUT, Method::PATCH] {
        let r = app
            .call(m, "/api/v1/me/access-log", Some(&bob), Some(json!({})))
            .await;
        assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    }
    assert!(
        ok(app.get("/api/v1/me/access-log", &bob).await).await["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        ok(app.get("/api/v1/me/access-log", &alice).await).await["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // The receipt is a signed Kantara v1.1 document that verifies with the instance's keys.
    let consents = ok(app.get("/api/v1/me/consents", &alice).await).await;
    let c = &consents["items"][0];
    assert_eq!(c["action"], "given");
    assert_eq!(c["record"]["purposes"][0], "delivery");
    check_kantara_receipt(&c["receipt"]).unwrap();
    let jwks = ok(app
        .call(Method::GET, "/api/v1/keys/instance", None, None)
        .await)
    .await;
    let keys = slingshot_credentials::keys_from_jwks(&jwks).unwrap();
    let jws = app
        .get(
            &format!("/api/v1/me/consents/{}/receipt", c["id"].as_str().unwrap()),
            &alice,
        )
        .await
        .text()
        .await
        .unwrap();
    let v = slingshot_credentials::verify_compact(&jws, &keys).unwrap();
    let doc: Value = serde_json::from_slice(&v.payload).unwrap();
    assert_eq!(doc["version"], "KI-CR-v1.1.0");
    assert_eq!(doc["piiPrincipalId"], pseudo.as_str());
    // An altered receipt fails, naming the signature.
    let mut parts: Vec<String> = jws.split('.').map(str::to_owned).collect();
    let mut altered = doc.clone();
    altered["piiPrincipalId"] = json!("someone else");
    use base64::Engine;
    parts[1] = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(serde_json::to_vec(&altered).unwrap());
    let e = slingshot_credentials::verify_compact(&parts.join("."), &keys)
        .unwrap_err()
        .to_string();
    assert!(e.contains("signature"), "{e}");
    // Another person's receipt is not found.
    problem(
        app.get(
            &format!("/api/v1/me/consents/{}/receipt", c["id"].as_str().unwrap()),
            &bob,
        )
        .await,
        404,
        "not_found",
    )
    .await;

    // Revoke: reads stop with the reason; a second revocation conflicts; a withdrawal receipt exists.
    let rv = ok(app
        .post(
            &format!("/api/v1/me/grants/{grant_id}/revoke"),
            Some(&alice),
            json!({}),
        )
        .await)
    .await;
    assert_eq!(rv["status"], "revoked");
    let body = problem(app.get(&path, &bob).await, 403, "grant_revoked").await;
    assert!(body["detail"].as_str().unwrap().contains("revoked"));
    problem(
        app.post(
            &format!("/api/v1/me/grants/{grant_id}/revoke"),
            Some(&alice),
            json!({}),
        )
        .await,
        409,
        "conflict",
    )
    .await;
    problem(
        app.post(
            &format!("/api/v1/me/grants/{grant_id}/revoke"),
            Some(&bob),
            json!({}),
        )
        .await,
        404,
        "not_found",
    )
    .await;
    let consents = ok(app.get("/api/v1/me/consents", &alice).await).await;
    assert_eq!(consents["items"].as_array().unwrap().len(), 2);
    assert_eq!(consents["items"][0]["action"], "withdrawn");
    check_kantara_receipt(&consents["items"][0]["receipt"]).unwrap();
    // For the interop suite: the server's own receipts, validated by Python's jsonschema
    // and checked by `slingshot verify` in .ci/run.
    if let Some(dir) = std::env::var_os("SLINGSHOT_RECEIPTS_OUT") {
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("instance.jwks"), jwks.to_string()).unwrap();
        for c in consents["items"].as_array().unwrap() {
            let id = c["id"].as_str().unwrap();
            std::fs::write(dir.join(format!("{id}.jws")), c["jws"].as_str().unwrap()).unwrap();
            std::fs::write(dir.join(format!("{id}.json")), c["receipt"].to_string()).unwrap();
        }
    }
    // The refused reads wrote nothing to the log.
    assert_eq!(
        ok(app.get("/api/v1/me/access-log", &alice).await).await["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
});

app_test!(bad_grants_change_nothing, |app| {
    let (alice, bob, rel, pseudo, fields) = world(&app).await;
    let grant = |body: Value| app.post("/api/v1/me/grants", Some(&alice), body);
    // Someone else's field.
    let bf = ok(app
        .post(
            "/api/v1/me/profile",
            Some(&bob),
            json!({"kind": "phone", "value": "555-0100"}),
        )
        .await)
    .await;
    problem(grant(json!({"relationship": rel, "purpose": "billing", "fields": [bf["id"]], "expires_at": in_days(5)})).await, 422, "text_required").await;
    // Past or too-far expiry, bad time, unknown purpose, no fields, someone else's relationship.
    problem(grant(json!({"relationship": rel, "purpose": "billing", "fields": fields, "expires_at": in_days(-1)})).await, 422, "invalid_expiry").await;
    problem(grant(json!({"relationship": rel, "purpose": "billing", "fields": fields, "expires_at": in_days(3000)})).await, 422, "invalid_expiry").await;
    problem(grant(json!({"relationship": rel, "purpose": "billing", "fields": fields, "expires_at": "tomorrow"})).await, 422, "invalid_expiry").await;
    problem(grant(json!({"relationship": rel, "purpose": "spying", "fields": fields, "expires_at": in_days(5)})).await, 422, "invalid_consent").await;
    problem(grant(json!({"relationship": rel, "purpose": "billing", "fields": [], "expires_at": in_days(5)})).await, 422, "text_required").await;
    problem(app.post("/api/v1/me/grants", Some(&bob), json!({"relationship": rel, "purpose": "billing", "fields": [bf["id"]], "expires_at": in_days(5)})).await, 404, "not_found").await;
    problem(
        grant(json!({"relationship": rel, "purpose": "billing"})).await,
        422,
        "invalid_body",
    )
    .await;
    // An organization without a privacy contact cannot receive data.
    let carol = app.user("carol").await;
    app.org(&carol, "globex").await;
    let rel2 = ok(app
        .post(
            "/api/v1/relationships",
            Some(&alice),
            json!({"org": "globex"}),
        )
        .await)
    .await;
    problem(grant(json!({"relationship": rel2["id"], "purpose": "billing", "fields": fields, "expires_at": in_days(5)})).await, 422, "no_privacy_contact").await;
    // Off-platform vendors get nothing.
    let off = ok(app
        .post(
            "/api/v1/relationships",
            Some(&alice),
            json!({"vendor_name": "Corner shop"}),
        )
        .await)
    .await;
    problem(grant(json!({"relationship": off["id"], "purpose": "billing", "fields": fields, "expires_at": in_days(5)})).await, 422, "off_platform_vendor").await;
    // Nothing was written.
    assert!(
        ok(app.get("/api/v1/me/grants", &alice).await).await["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert!(
        ok(app.get("/api/v1/me/consents", &alice).await).await["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    problem(
        app.get(
            &format!("/api/v1/orgs/acme/customers/{pseudo}/profile?purpose=billing"),
            &bob,
        )
        .await,
        403,
        "no_grant",
    )
    .await;
    // Bad profile fields.
    problem(
        app.post(
            "/api/v1/me/profile",
            Some(&alice),
            json!({"kind": "birthdate", "value": "1990-02-30"}),
        )
        .await,
        422,
        "invalid_field",
    )
    .await;
    problem(
        app.post(
            "/api/v1/me/profile",
            Some(&alice),
            json!({"kind": "email", "value": "not an address"}),
        )
        .await,
        422,
        "invalid_field",
    )
    .await;
    problem(
        app.post(
            "/api/v1/me/profile",
            Some(&alice),
            json!({"kind": "shoe", "value": "42"}),
        )
        .await,
        422,
        "invalid_consent",
    )
    .await;
    problem(
        app.post(
            "/api/v1/me/profile",
            Some(&alice),
            json!({"kind": "custom", "value": ""}),
        )
        .await,
        422,
        "invalid_field",
    )
    .await;
    problem(
        app.call(
            Method::PATCH,
            &format!("/api/v1/me/profile/{}", bf["id"].as_str().unwrap()),
            Some(&alice),
            Some(json!({"value": "x"})),
        )
        .await,
        404,
        "not_found",
    )
    .await;
    assert_eq!(
        ok(app.get("/api/v1/me/profile", &alice).await).await["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // Bad settings.
    problem(
        put(
            &app,
            "/api/v1/orgs/acme/privacy",
            &bob,
            json!({"response_days": 30, "time_zone": "Mars/Olympus", "weekend": "sat,sun"}),
        )
        .await,
        422,
        "invalid_calendar",
    )
    .await;
    problem(put(&app, "/api/v1/orgs/acme/privacy", &bob, json!({"response_days": 30, "time_zone": "UTC", "weekend": "sat,sun", "holidays": "2026-13-01"})).await, 422, "invalid_calendar").await;
    problem(
        put(
            &app,
            "/api/v1/orgs/acme/privacy",
            &bob,
            json!({"response_days": 0, "time_zone": "UTC", "weekend": "sat,sun"}),
        )
        .await,
        422,
        "invalid_settings",
    )
    .await;
    problem(
        put(
            &app,
            "/api/v1/orgs/acme/privacy",
            &alice,
            json!({"response_days": 30, "time_zone": "UTC", "weekend": "sat,sun"}),
        )
        .await,
        404,
        "not_found",
    )
    .await;
    let s = ok(app.get("/api/v1/orgs/acme/privacy", &bob).await).await;
    assert_eq!(s["time_zone"], "America/Toronto");
});

app_test!(grants_expire, |app| {
    let (alice, bob, rel, pseudo, fields) = world(&app).await;
    let soon = (time::OffsetDateTime::now_utc() + time::Duration::seconds(2))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    ok(app.post("/api/v1/me/grants", Some(&alice), json!({"relationship": rel, "purpose": "billing", "fields": fields, "expires_at": soon})).await).await;
    let path = format!("/api/v1/orgs/acme/customers/{pseudo}/profile?purpose=billing");
    ok(app.get(&path, &bob).await).await;
    tokio::time::sleep(std::time::Duration::from_millis(2300)).await;
    let body = problem(app.get(&path, &bob).await, 403, "grant_expired").await;
    assert!(body["detail"].as_str().unwrap().contains("expired"));
    assert_eq!(
        ok(app.get("/api/v1/me/grants", &alice).await).await["items"][0]["status"],
        "expired"
    );
});
