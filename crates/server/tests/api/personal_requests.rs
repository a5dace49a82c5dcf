//! Personal data through the API: access requests on the organization's clock (extended,
//! answered with an export, refused with reasons, deletion).

use crate::app_test;
use crate::helpers::problem;
use crate::personal::{in_days, ok, world};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use slingshot_domain::calendar::{deadline, BusinessCalendar, Zone};
use slingshot_domain::ledger::verify_bundle;

app_test!(
    access_request_is_extended_once_answered_with_export_or_refused,
    |app| {
        let (alice, bob, rel, _pseudo, fields) = world(&app).await;
        // Some history with acme.
        let th = ok(app
            .post(
                &format!("/api/v1/relationships/{rel}/threads"),
                Some(&alice),
                json!({"subject": "Order 7", "stage": "purchase"}),
            )
            .await)
        .await;
        let th = th["id"].as_str().unwrap();
        ok(app
            .post(
                &format!("/api/v1/threads/{th}/entries"),
                Some(&alice),
                json!({"kind": "message", "text": "Where is my parcel?"}),
            )
            .await)
        .await;
        ok(app
            .post(
                &format!("/api/v1/threads/{th}/entries"),
                Some(&bob),
                json!({"kind": "message", "text": "On its way."}),
            )
            .await)
        .await;
        ok(app
            .post(
                &format!("/api/v1/threads/{th}/entries"),
                Some(&alice),
                json!({"kind": "note", "text": "my private note"}),
            )
            .await)
        .await;
        ok(app.post("/api/v1/me/grants", Some(&alice), json!({"relationship": rel, "purpose": "delivery", "fields": fields, "expires_at": in_days(30)})).await).await;

        let sent = app.post("/api/v1/me/requests", Some(&alice), json!({"org": "acme", "kind": "access", "body": "Please send me everything you hold about me."})).await;
        assert_eq!(sent.status(), StatusCode::CREATED);
        let req: Value = sent.json().await.unwrap();
        let id = req["id"].as_str().unwrap().to_owned();
        // The due date is the organization's clock: 30 business days in Toronto, holidays off.
        let cal = BusinessCalendar::new(
            &[time::Weekday::Saturday, time::Weekday::Sunday],
            slingshot_domain::calendar::parse_holidays("2026-12-25\n2027-01-01").unwrap(),
            true,
        )
        .unwrap();
        let zone = Zone::parse("America/Toronto").unwrap();
        let d = deadline(time::OffsetDateTime::now_utc(), &zone, &cal, 30).unwrap();
        assert_eq!(req["due_on"], d.due_on.to_string());
        assert_eq!(req["state"], "received");
        assert_eq!(req["time_zone"], "America/Toronto");
        assert_eq!(req["overdue"], false);
        assert_eq!(req["events"][0]["kind"], "received");

        // The organization's queue has it; the person cannot extend or answer it.
        let q = ok(app.get("/api/v1/orgs/acme/requests?open=true", &bob).await).await;
        assert_eq!(q["items"][0]["id"], id.as_str());
        problem(
            app.post(
                &format!("/api/v1/requests/{id}/extend"),
                Some(&alice),
                json!({"reason": "x"}),
            )
            .await,
            403,
            "forbidden",
        )
        .await;
        problem(
            app.post(
                &format!("/api/v1/requests/{id}/answer"),
                Some(&alice),
                json!({}),
            )
            .await,
            403,
            "forbidden",
        )
        .await;
        let carol = app.user("carol").await;
        problem(
            app.get(&format!("/api/v1/requests/{id}"), &carol).await,
            404,
            "not_found",
        )
        .await;
        problem(
            app.get("/api/v1/orgs/acme/requests", &carol).await,
            404,
            "not_found",
        )
        .await;

        // Extend once with a reason; the new date follows the old one; a second extension is refused.
        problem(
            app.post(
                &format!("/api/v1/requests/{id}/extend"),
                Some(&bob),
                json!({"reason": "  "}),
            )
            .await,
            422,
            "text_required",
        )
        .await;
        problem(
            app.post(
                &format!("/api/v1/requests/{id}/extend"),
                Some(&bob),
                json!({"reason": "archives", "business_days": 31}),
            )
            .await,
            422,
            "invalid_extension",
        )
        .await;
        let ext = ok(app
            .post(
                &format!("/api/v1/requests/{id}/extend"),
                Some(&bob),
                json!({"reason": "Our archives are off-site.", "business_days": 10}),
            )
            .await)
        .await;
        assert_eq!(ext["state"], "extended");
        assert_eq!(
            ext["due_on"],
            cal.add_business_days(d.due_on, 10).unwrap().to_string()
        );
        assert_eq!(ext["first_due_on"], d.due_on.to_string());
        let mine = ok(app.get(&format!("/api/v1/requests/{id}"), &alice).await).await;
        assert!(mine["events"][1]["text"]
            .as_str()
            .unwrap()
            .contains("archives are off-site"));
        problem(
            app.post(
                &format!("/api/v1/requests/{id}/extend"),
                Some(&bob),
                json!({"reason": "more"}),
            )
            .await,
            409,
            "already_extended",
        )
        .await;

        // Answer with the export: everything acme holds, not alice's private note.
        let ans = ok(app
            .post(
                &format!("/api/v1/requests/{id}/answer"),
                Some(&bob),
                json!({}),
            )
            .await)
        .await;
        assert_eq!(ans["state"], "answered");
        assert_eq!(ans["has_export"], true);
        let ex = app
            .get(&format!("/api/v1/requests/{id}/export"), &alice)
            .await;
        assert_eq!(ex.status(), StatusCode::OK);
        let ex: Value = ex.json().await.unwrap();
        assert_eq!(ex["format"], "slingshot-held-data/1");
        assert_eq!(ex["entries"].as_array().unwrap().len(), 2, "{ex}");
        assert!(!ex.to_string().contains("my private note"));
        assert!(ex.to_string().contains("Where is my parcel?"));
        assert_eq!(ex["grants"].as_array().unwrap().len(), 1);
        problem(
            app.get(&format!("/api/v1/requests/{id}/export"), &carol)
                .await,
            404,
            "not_found",
        )
        .await;
        // Closed: no more moves.
        problem(
            app.post(
                &format!("/api/v1/requests/{id}/refuse"),
                Some(&bob),
                json!({"reasons": "r", "recourse": "c"}),
            )
            .await,
            409,
            "illegal_transition",
        )
        .await;
        problem(
            app.post(
                &format!("/api/v1/requests/{id}/withdraw"),
                Some(&alice),
                json!({}),
            )
            .await,
            409,
            "illegal_transition",
        )
        .await;

        // A refusal needs reasons and recourse, and nothing changes without them.
        let r2 = ok(app
            .post(
                "/api/v1/me/requests",
                Some(&alice),
                json!({"org": "acme", "kind": "objection", "body": "Stop marketing to me."}),
            )
            .await)
        .await;
        let id2 = r2["id"].as_str().unwrap();
        problem(
            app.post(
                &format!("/api/v1/requests/{id2}/refuse"),
                Some(&bob),
                json!({"reasons": "We must keep them."}),
            )
            .await,
            422,
            "text_required",
        )
        .await;
        problem(
            app.post(
                &format!("/api/v1/requests/{id2}/refuse"),
                Some(&bob),
                json!({"recourse": "The commissioner."}),
            )
            .await,
            422,
            "text_required",
        )
        .await;
        problem(
            app.post(
                &format!("/api/v1/requests/{id2}/answer"),
                Some(&bob),
                json!({"answer": "Partly", "reasons": "law"}),
            )
            .await,
            422,
            "text_required",
        )
        .await;
        problem(
            app.post(
                &format!("/api/v1/requests/{id2}/answer"),
                Some(&bob),
                json!({}),
            )
            .await,
            422,
            "text_required",
        )
        .await;
        assert_eq!(
            ok(app.get(&format!("/api/v1/requests/{id2}"), &alice).await).await["state"],
            "received"
        );
        let refused = ok(app.post(&format!("/api/v1/requests/{id2}/refuse"), Some(&bob),
        json!({"reasons": "Tax law requires us to keep invoices for 6 years.", "recourse": "Complain to the Privacy Commissioner of Canada."})).await).await;
        assert_eq!(refused["state"], "refused");
        assert!(refused["recourse"]
            .as_str()
            .unwrap()
            .contains("Commissioner"));
        assert_eq!(refused["has_export"], false);

        // Bad requests: unknown kind, no text, an organization without a relationship or none
        // at all, a correction naming no fields.
        app.org(&carol, "globex").await;
        for (body, status, code) in [
            (
                json!({"org": "acme", "kind": "erase", "body": "x"}),
                422,
                "invalid_value",
            ),
            (
                json!({"org": "acme", "kind": "access", "body": " "}),
                422,
                "text_required",
            ),
            (
                json!({"org": "globex", "kind": "access", "body": "x"}),
                404,
                "not_found",
            ),
            (
                json!({"org": "nope", "kind": "access", "body": "x"}),
                404,
                "not_found",
            ),
            (
                json!({"org": "acme", "kind": "correction", "body": "fix"}),
                422,
                "text_required",
            ),
        ] {
            let r = app.post("/api/v1/me/requests", Some(&alice), body).await;
            problem(r, status, code).await;
        }
        let cf = ok(app
            .post(
                "/api/v1/me/profile",
                Some(&carol),
                json!({"kind": "phone", "value": "555"}),
            )
            .await)
        .await;
        problem(
            app.post(
                "/api/v1/me/requests",
                Some(&alice),
                json!({"org": "acme", "kind": "correction", "body": "fix", "fields": [cf["id"]]}),
            )
            .await,
            422,
            "text_required",
        )
        .await;
        let corr = ok(app.post("/api/v1/me/requests", Some(&alice), json!({"org": "acme", "kind": "correction", "body": "My address changed.", "fields": [fields[1]]})).await).await;
        let w = ok(app
            .post(
                &format!("/api/v1/requests/{}/withdraw", corr["id"].as_str().unwrap()),
                Some(&alice),
                json!({}),
            )
            .await)
        .await;
        assert_eq!(w["state"], "withdrawn");
        assert_eq!(
            ok(app.get("/api/v1/me/requests", &alice).await).await["items"]
                .as_array()
                .unwrap()
                .len(),
            3
        );

        // Public figures: two answered on time, none overdue.
        let public = ok(app
            .call(Method::GET, "/api/v1/orgs/acme/public", None, None)
            .await)
        .await;
        assert_eq!(public["figures"]["answered"], 2);
        assert_eq!(public["figures"]["on_time_share"], 1.0);
        assert_eq!(public["figures"]["overdue"], 0);
    }
);

app_test!(
    deletion_erases_bodies_keeps_the_chain_and_revokes_grants,
    |app| {
        let (alice, bob, rel, pseudo, fields) = world(&app).await;
        let th = ok(app
            .post(
                &format!("/api/v1/relationships/{rel}/threads"),
                Some(&alice),
                json!({"subject": "Warranty", "stage": "support"}),
            )
            .await)
        .await;
        let th = th["id"].as_str().unwrap();
        for text in ["It broke.", "Send it back."] {
            ok(app
                .post(
                    &format!("/api/v1/threads/{th}/entries"),
                    Some(&alice),
                    json!({"kind": "message", "text": text}),
                )
                .await)
            .await;
        }
        let att = app
            .client
            .post(app.url(&format!(
                "/api/v1/threads/{th}/attachments?filename=receipt.txt"
            )))
            .bearer_auth(&alice)
            .header("content-type", "text/plain")
            .body("Receipt: kettle, 39.90 EUR")
            .send()
            .await
            .unwrap();
        let att: Value = ok(att).await;
        let att_id = att["body"]["attachment"]["id"].as_str().unwrap().to_owned();
        ok(app.post("/api/v1/me/grants", Some(&alice), json!({"relationship": rel, "purpose": "customer-support", "fields": fields, "expires_at": in_days(30)})).await).await;
        let req = ok(app
            .post(
                "/api/v1/me/requests",
                Some(&alice),
                json!({"org": "acme", "kind": "deletion", "body": "Delete my data."}),
            )
            .await)
        .await;
        let ans = ok(app
            .post(
                &format!("/api/v1/requests/{}/answer", req["id"].as_str().unwrap()),
                Some(&bob),
                json!({}),
            )
            .await)
        .await;
        assert_eq!(ans["erasure_report"]["bodies_erased"], 3, "{ans}");
        assert_eq!(ans["erasure_report"]["attachments_erased"], 1, "{ans}");
        assert_eq!(ans["erasure_report"]["grants_revoked"], 1);
        problem(
            app.get(&format!("/api/v1/attachments/{att_id}"), &alice)
                .await,
            404,
            "not_found",
        )
        .await;
        problem(
            app.get(
                &format!("/api/v1/orgs/acme/customers/{pseudo}/profile?purpose=customer-support"),
                &bob,
            )
            .await,
            403,
            "grant_revoked",
        )
        .await;
        let bundle = app
            .get(&format!("/api/v1/relationships/{rel}/export"), &alice)
            .await
            .bytes()
            .await
            .unwrap();
        let report = verify_bundle(&bundle[..]).unwrap();
        assert!(report.is_valid() && report.erased == 3, "{report:?}");
        let c = ok(app.get("/api/v1/me/consents", &alice).await).await;
        assert_eq!(c["items"][0]["action"], "withdrawn");
    }
);
