use crate::app_test;
use crate::helpers::{problem, PASSWORD};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

app_test!(register_sign_in_and_sign_out, |app| {
    let r = app
        .post(
            "/api/v1/accounts",
            None,
            json!({"handle": "Alice", "display_name": "Alice Ng", "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let me: Value = r.json().await.unwrap();
    assert_eq!(
        (me["handle"].as_str(), me["is_admin"].as_bool()),
        (Some("alice"), Some(true)),
        "first account is the administrator"
    );
    let dup = app
        .post(
            "/api/v1/accounts",
            None,
            json!({"handle": "alice", "password": PASSWORD}),
        )
        .await;
    problem(dup, 409, "conflict").await;
    let weak = app
        .post(
            "/api/v1/accounts",
            None,
            json!({"handle": "bob", "password": "password123"}),
        )
        .await;
    problem(weak, 422, "weak_password").await;
    let bad = app
        .post(
            "/api/v1/accounts",
            None,
            json!({"handle": "b", "password": PASSWORD}),
        )
        .await;
    problem(bad, 422, "invalid_handle").await;
    assert_eq!(
        app.db.store.count_users().await.unwrap(),
        1,
        "refused registrations wrote nothing"
    );

    // Wrong password and unknown account look the same.
    let wrong = app
        .post(
            "/api/v1/sessions",
            None,
            json!({"handle": "alice", "password": "not the password"}),
        )
        .await;
    let wrong = problem(wrong, 401, "invalid_credentials").await;
    let unknown = app
        .post(
            "/api/v1/sessions",
            None,
            json!({"handle": "nobody", "password": "not the password"}),
        )
        .await;
    let unknown = problem(unknown, 401, "invalid_credentials").await;
    assert_eq!(wrong["detail"], unknown["detail"]);

    let t1 = app.sign_in("alice", PASSWORD).await;
    let t2 = app.sign_in("ALICE", PASSWORD).await;
    let me: Value = app.get("/api/v1/me", &t1).await.json().await.unwrap();
    assert_eq!(me["display_name"], "Alice Ng");
    let sessions: Value = app.get("/api/v1/sessions", &t1).await.json().await.unwrap();
    let items = sessions["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items.iter().filter(|s| s["current"] == true).count(), 1);
    // Sign out the other session from this one.
    let other = items.iter().find(|s| s["current"] == false).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = app
        .call(
            Method::DELETE,
            &format!("/api/v1/sessions/{other}"),
            Some(&t1),
            None,
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    problem(app.get("/api/v1/me", &t2).await, 401, "unauthenticated").await;
    problem(
        app.call(Method::GET, "/api/v1/me", None, None).await,
        401,
        "unauthenticated",
    )
    .await;
    problem(
        app.get("/api/v1/me", "ss_forged").await,
        401,
        "unauthenticated",
    )
    .await;

    let audit: Value = app.get("/api/v1/me/audit", &t1).await.json().await.unwrap();
    let events: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        events,
        [
            "signed_out",
            "signed_in",
            "signed_in",
            "sign_in_failed",
            "registered"
        ]
    );
});

app_test!(password_change_ends_other_sessions, |app| {
    let t1 = app.user("alice").await;
    let t2 = app.sign_in("alice", PASSWORD).await;
    let r = app.call(Method::PUT, "/api/v1/me/password", Some(&t1), Some(json!({"current_password": "nope nope nope", "new_password": "river stone lantern"}))).await;
    problem(r, 403, "wrong_password").await;
    let r = app
        .call(
            Method::PUT,
            "/api/v1/me/password",
            Some(&t1),
            Some(json!({"current_password": PASSWORD, "new_password": "short"})),
        )
        .await;
    problem(r, 422, "weak_password").await;
    app.get("/api/v1/me", &t2).await.error_for_status().unwrap();
    let r = app
        .call(
            Method::PUT,
            "/api/v1/me/password",
            Some(&t1),
            Some(json!({"current_password": PASSWORD, "new_password": "river stone lantern"})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    app.get("/api/v1/me", &t1).await.error_for_status().unwrap();
    problem(app.get("/api/v1/me", &t2).await, 401, "unauthenticated").await;
    let old = app
        .post(
            "/api/v1/sessions",
            None,
            json!({"handle": "alice", "password": PASSWORD}),
        )
        .await;
    problem(old, 401, "invalid_credentials").await;
    app.sign_in("alice", "river stone lantern").await;
});

app_test!(sign_in_is_rate_limited_per_account, |app| {
    app.user("alice").await;
    for _ in 0..5 {
        let r = app
            .post(
                "/api/v1/sessions",
                None,
                json!({"handle": "alice", "password": "guess guess guess"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    // Locked now, even with the right password, with a clear wait.
    let r = app
        .post(
            "/api/v1/sessions",
            None,
            json!({"handle": "alice", "password": PASSWORD}),
        )
        .await;
    let retry = r
        .headers()
        .get("retry-after")
        .unwrap()
        .to_str()
        .unwrap()
        .parse::<u64>()
        .unwrap();
    assert!((1..=30).contains(&retry));
    let p = problem(r, 429, "rate_limited").await;
    assert!(p["detail"].as_str().unwrap().contains("try again in"));
    assert_eq!(p["retry_after"], retry);
    // Another account is not affected.
    app.user("bob").await;
});
