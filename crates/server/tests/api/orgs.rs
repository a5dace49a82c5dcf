use crate::app_test;
use crate::helpers::problem;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

app_test!(
    owner_invites_member_changes_role_and_audit_shows_it,
    |app| {
        let alice = app.user("alice").await;
        let bob = app.user("bob").await;
        let carol = app.user("carol").await;
        let bob_id = app.user_id(&bob).await;
        let alice_id = app.user_id(&alice).await;
        let org = app.org(&alice, "northwind").await;
        problem(
            app.post(
                "/api/v1/orgs",
                Some(&bob),
                json!({"handle": "northwind", "name": "N", "kind": "vendor"}),
            )
            .await,
            409,
            "conflict",
        )
        .await;
        problem(
            app.post(
                "/api/v1/orgs",
                Some(&bob),
                json!({"handle": "other", "name": "N", "kind": "cult"}),
            )
            .await,
            422,
            "invalid_value",
        )
        .await;

        let r = app
            .post(
                &format!("/api/v1/orgs/{org}/invites"),
                Some(&alice),
                json!({"role": "agent"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let inv: Value = r.json().await.unwrap();
        assert!(inv["url"].as_str().unwrap().starts_with(&app.base));
        let secret = inv["token"].as_str().unwrap();
        let joined: Value = app
            .post(
                &format!("/api/v1/invites/{secret}/accept"),
                Some(&bob),
                json!({}),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(joined["role"], "agent");
        // Single use.
        problem(
            app.post(
                &format!("/api/v1/invites/{secret}/accept"),
                Some(&carol),
                json!({}),
            )
            .await,
            410,
            "link_gone",
        )
        .await;
        problem(
            app.post("/api/v1/invites/si_unknown/accept", Some(&carol), json!({}))
                .await,
            404,
            "not_found",
        )
        .await;

        // Agents cannot manage members.
        let r = app
            .call(
                Method::PUT,
                &format!("/api/v1/orgs/{org}/members/{alice_id}"),
                Some(&bob),
                Some(json!({"role": "agent"})),
            )
            .await;
        problem(r, 403, "forbidden").await;
        problem(
            app.post(
                &format!("/api/v1/orgs/{org}/invites"),
                Some(&bob),
                json!({"role": "agent"}),
            )
            .await,
            403,
            "forbidden",
        )
        .await;
        problem(
            app.get(&format!("/api/v1/orgs/{org}/audit"), &bob).await,
            403,
            "forbidden",
        )
        .await;

        let r = app
            .call(
                Method::PUT,
                &format!("/api/v1/orgs/{org}/members/{bob_id}"),
                Some(&alice),
                Some(json!({"role": "moderator"})),
            )
            .await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        let r = app
            .call(
                Method::PUT,
                &format!("/api/v1/orgs/{org}/members/{bob_id}"),
                Some(&alice),
                Some(json!({"role": "emperor"})),
            )
            .await;
        problem(r, 422, "invalid_value").await;
        let members: Value = app
            .get(&format!("/api/v1/orgs/{org}/members"), &bob)
            .await
            .json()
            .await
            .unwrap();
        let roles: Vec<(&str, &str)> = members["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| (m["handle"].as_str().unwrap(), m["role"].as_str().unwrap()))
            .collect();
        assert_eq!(roles, [("alice", "owner"), ("bob", "moderator")]);

        // The last owner can neither leave nor be demoted.
        problem(
            app.call(
                Method::DELETE,
                &format!("/api/v1/orgs/{org}/members/{alice_id}"),
                Some(&alice),
                None,
            )
            .await,
            409,
            "last_owner",
        )
        .await;
        let r = app
            .call(
                Method::PUT,
                &format!("/api/v1/orgs/{org}/members/{alice_id}"),
                Some(&alice),
                Some(json!({"role": "admin"})),
            )
            .await;
        problem(r, 409, "last_owner").await;

        let audit: Value = app
            .get(&format!("/api/v1/orgs/{org}/audit"), &alice)
            .await
            .json()
            .await
            .unwrap();
        let first = &audit["items"][0];
        assert_eq!(
            (
                first["event"].as_str(),
                first["subject"].as_str(),
                first["actor"].as_str()
            ),
            (Some("role_changed"), Some("bob"), Some("alice"))
        );
        assert_eq!(first["detail"], "agent → moderator");
        // Bob sees the change in his own log too.
        let mine: Value = app
            .get("/api/v1/me/audit", &bob)
            .await
            .json()
            .await
            .unwrap();
        assert!(mine["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["event"] == "role_changed"));

        // Bob leaves.
        let r = app
            .call(
                Method::DELETE,
                &format!("/api/v1/orgs/{org}/members/{bob_id}"),
                Some(&bob),
                None,
            )
            .await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        problem(
            app.get(&format!("/api/v1/orgs/{org}"), &bob).await,
            404,
            "not_found",
        )
        .await;
    }
);

app_test!(admin_verifies_an_organization, |app| {
    let admin = app.user("root-admin").await;
    let bob = app.user("bob").await;
    let org = app.org(&bob, "riverside").await;
    problem(
        app.post(
            &format!("/api/v1/admin/orgs/{org}/verify"),
            Some(&bob),
            json!({}),
        )
        .await,
        404,
        "not_found",
    )
    .await;
    problem(app.get("/api/v1/admin/orgs", &bob).await, 404, "not_found").await;
    let v: Value = app
        .post(
            &format!("/api/v1/admin/orgs/{org}/verify"),
            Some(&admin),
            json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["verified"], true);
    let seen: Value = app
        .get(&format!("/api/v1/orgs/{org}"), &bob)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(seen["verified"], true);
    let all: Value = app
        .get("/api/v1/admin/orgs", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(all["items"].as_array().unwrap().len(), 1);
});
