//! Relationships, conversations and the signed ledger through the API.

use crate::app_test;
use crate::helpers::{problem, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use slingshot_domain::ledger::verify_bundle;

pub(crate) async fn json_of(r: reqwest::Response) -> Value {
    let status = r.status();
    let v: Value = r.json().await.unwrap();
    assert!(status.is_success(), "{status}: {v}");
    v
}

pub(crate) async fn relationship(app: &TestApp, token: &str, body: Value) -> String {
    json_of(app.post("/api/v1/relationships", Some(token), body).await).await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

pub(crate) async fn thread(
    app: &TestApp,
    token: &str,
    rel: &str,
    subject: &str,
    stage: &str,
) -> String {
    let r = app
        .post(
            &format!("/api/v1/relationships/{rel}/threads"),
            Some(token),
            json!({"subject": subject, "stage": stage}),
        )
        .await;
    json_of(r).await["id"].as_str().unwrap().to_owned()
}

pub(crate) async fn entry(app: &TestApp, token: &str, thread: &str, body: Value) -> Value {
    json_of(
        app.post(
            &format!("/api/v1/threads/{thread}/entries"),
            Some(token),
            body,
        )
        .await,
    )
    .await
}

pub(crate) async fn export(app: &TestApp, token: &str, rel: &str) -> Vec<u8> {
    let r = app
        .get(&format!("/api/v1/relationships/{rel}/export"), token)
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    r.bytes().await.unwrap().to_vec()
}

app_test!(
    customer_logs_a_purchase_finds_it_exports_and_imports_elsewhere,
    |app| {
        let alice = app.user("alice").await;
        let rel = relationship(
            &app,
            &alice,
            json!({"vendor_name": "Corner Bikes", "vendor_domain": "cornerbikes.example"}),
        )
        .await;
        let research = thread(&app, &alice, &rel, "Which commuter bike?", "research").await;
        let purchase = thread(&app, &alice, &rel, "Bought the Trail 3", "purchase").await;
        entry(&app, &alice, &research, json!({"kind": "note", "text": "Compared three commuter models; the Trail 3 rides best"})).await;
        let bought = entry(&app, &alice, &purchase, json!({"kind": "event", "text": "Paid in store",
        "event": {"type": "purchase", "item": "Trail 3 commuter bike", "amount": "899.00", "currency": "EUR", "order_ref": "CB-2211"}})).await;
        assert_eq!(
            bought["seq"], 1,
            "notes are off the chain, so the purchase is the first chain entry"
        );
        let msg = entry(
            &app,
            &alice,
            &purchase,
            json!({"kind": "message", "text": "Please send the warranty card"}),
        )
        .await;
        assert_eq!(msg["seq"], 2);
        let tag = Some(json!({"tags": ["bike", "warranty"]}));
        let r = app
            .call(
                Method::PATCH,
                &format!("/api/v1/threads/{purchase}"),
                Some(&alice),
                tag,
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        // Link the purchase to the research; the reverse link would be a cycle.
        let r = app
            .post(
                &format!("/api/v1/threads/{purchase}/links"),
                Some(&alice),
                json!({"to": research, "kind": "follows_from"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let r = app
            .post(
                &format!("/api/v1/threads/{research}/links"),
                Some(&alice),
                json!({"to": purchase, "kind": "follows_from"}),
            )
            .await;
        problem(r, 422, "invalid_value").await;

        // Timeline, filtered; search with highlighted snippets.
        let tl = json_of(app.get("/api/v1/timeline?stage=purchase", &alice).await).await;
        let kinds: Vec<&str> = tl["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["message", "event"]);
        let hits = json_of(app.get("/api/v1/search?q=warranty", &alice).await).await;
        let snippet = hits["items"][0]["snippet"].as_str().unwrap();
        assert!(snippet.contains("<mark>warranty</mark>"), "{snippet}");
        assert!(
            json_of(app.get("/api/v1/search?q=commuter", &alice).await).await["items"]
                .as_array()
                .unwrap()
                .len()
                >= 2
        );

        // Search narrows like the timeline: by stage, tag, vendor, dates.
        let n = |v: Value| v["items"].as_array().unwrap().len();
        let search = |q: String| {
            let (app, alice) = (&app, &alice);
            async move {
                json_of(
                    app.get(&format!("/api/v1/search?q=commuter{q}"), alice)
                        .await,
                )
                .await
            }
        };
        assert_eq!(n(search("&stage=purchase".into()).await), 1);
        let research_hits = search("&stage=research".into()).await;
        assert_eq!(
            research_hits["items"][0]["thread_id"],
            research.as_str(),
            "{research_hits}"
        );
        assert_eq!(n(search("&tag=bike".into()).await), 1);
        // Tags are kept in lower case: a filter written otherwise finds them all the same.
        assert_eq!(n(search("&tag=%20Bike".into()).await), 1);
        let r = app
            .get("/api/v1/search?q=commuter&tag=no%20spaces", &alice)
            .await;
        crate::helpers::problem(r, 422, "invalid_value").await;
        assert_eq!(
            n(search(format!("&relationship={rel}&status=open")).await),
            2
        );
        assert_eq!(n(search("&relationship=someone-elses".into()).await), 0);
        assert_eq!(n(search("&from=2999-01-01".into()).await), 0);
        problem(
            app.get("/api/v1/search?q=commuter&stage=shopping", &alice)
                .await,
            422,
            "invalid_value",
        )
        .await;
        problem(
            app.get("/api/v1/search?q=commuter&to=31/12", &alice).await,
            422,
            "invalid_value",
        )
        .await;

        // Export verifies offline; erasing a body keeps it verifying.
        let bundle = export(&app, &alice, &rel).await;
        let report = verify_bundle(&bundle[..]).unwrap();
        assert!(report.is_valid(), "{report:?}");
        assert_eq!(report.entries, 2);
        let r = app
            .post(
                &format!("/api/v1/entries/{}/erase", msg["id"].as_str().unwrap()),
                Some(&alice),
                json!({}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        let bundle = export(&app, &alice, &rel).await;
        let report = verify_bundle(&bundle[..]).unwrap();
        assert!(report.is_valid() && report.erased == 1, "{report:?}");
        assert!(
            json_of(app.get("/api/v1/search?q=warranty", &alice).await).await["items"]
                .as_array()
                .unwrap()
                .is_empty()
        );

        // A tampered bundle is refused with the entry named; nothing is stored.
        let other = TestApp::spawn(slingshot_store::testing::TestDb::sqlite().await).await;
        let bob = other.user("bob").await;
        let tampered = String::from_utf8(bundle.clone())
            .unwrap()
            .replace("899.00", "89.00");
        let r = other
            .client
            .post(other.url("/api/v1/relationships/import"))
            .bearer_auth(&bob)
            .body(tampered)
            .send()
            .await
            .unwrap();
        let p = problem(r, 422, "invalid_bundle").await;
        assert!(p["detail"].as_str().unwrap().contains('1'), "{p}");
        assert!(
            json_of(other.get("/api/v1/relationships", &bob).await).await["items"]
                .as_array()
                .unwrap()
                .is_empty()
        );
        // Unsigned thread details that are not what this instance accepts: refused too.
        let text = String::from_utf8(bundle.clone()).unwrap();
        assert!(
            text.contains("\"stage\":\"purchase\""),
            "the header describes the threads"
        );
        let odd = text.replacen("\"stage\":\"purchase\"", "\"stage\":\"shopping\"", 1);
        let r = other
            .client
            .post(other.url("/api/v1/relationships/import"))
            .bearer_auth(&bob)
            .body(odd)
            .send()
            .await
            .unwrap();
        let p = problem(r, 422, "invalid_bundle").await;
        assert!(p["detail"].as_str().unwrap().contains("shopping"), "{p}");
        // The real bundle imports on the other instance and still verifies there.
        let r = other
            .client
            .post(other.url("/api/v1/relationships/import"))
            .bearer_auth(&bob)
            .body(bundle.clone())
            .send()
            .await
            .unwrap();
        let imported = json_of(r).await["relationship_id"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(imported, rel);
        // The conversations come with it: subjects, stages, tags and links, even one
        // that holds only a private note (no chain entry).
        let there = json_of(
            other
                .get(&format!("/api/v1/relationships/{imported}/threads"), &bob)
                .await,
        )
        .await;
        let items = there["items"].as_array().unwrap();
        let by_id = |id: &str| {
            items
                .iter()
                .find(|t| t["id"] == id)
                .cloned()
                .unwrap_or_default()
        };
        assert_eq!(items.len(), 2, "{there}");
        assert_eq!(
            (
                by_id(&purchase)["subject"].as_str(),
                by_id(&purchase)["stage"].as_str()
            ),
            (Some("Bought the Trail 3"), Some("purchase"))
        );
        assert_eq!(by_id(&research)["subject"], "Which commuter bike?");
        assert_eq!(by_id(&purchase)["tags"], json!(["bike", "warranty"]));
        assert_eq!(
            by_id(&purchase)["links"][0],
            json!([purchase, research, "follows_from"])
        );
        let again = export(&other, &bob, &imported).await;
        assert!(verify_bundle(&again[..]).unwrap().is_valid());
        let r = other
            .client
            .post(other.url("/api/v1/relationships/import"))
            .bearer_auth(&bob)
            .body(bundle)
            .send()
            .await
            .unwrap();
        problem(r, 409, "conflict").await;
        // Imported bodies are found by search there, and erased from it.
        let found = json_of(other.get("/api/v1/search?q=commuter", &bob).await).await;
        let hits = found["items"].as_array().unwrap();
        assert!(!hits.is_empty(), "{found}");
        for h in hits {
            let id = h["entry_id"].as_str().unwrap();
            let r = other
                .post(
                    &format!("/api/v1/entries/{id}/erase"),
                    Some(&bob),
                    json!({}),
                )
                .await;
            assert_eq!(r.status(), StatusCode::NO_CONTENT);
        }
        assert!(
            json_of(other.get("/api/v1/search?q=commuter", &bob).await).await["items"]
                .as_array()
                .unwrap()
                .is_empty()
        );
        // And new entries continue the chain there.
        let threads = json_of(
            other
                .get(&format!("/api/v1/relationships/{imported}/threads"), &bob)
                .await,
        )
        .await;
        let t = threads["items"][0]["id"].as_str().unwrap().to_owned();
        assert_eq!(
            entry(
                &other,
                &bob,
                &t,
                json!({"kind": "message", "text": "Continuing here"})
            )
            .await["seq"],
            3
        );
        assert!(verify_bundle(&export(&other, &bob, &imported).await[..])
            .unwrap()
            .is_valid());
    }
);

app_test!(outsiders_never_reach_a_relationship, |app| {
    let alice = app.user("alice").await;
    let mallory = app.user("mallory").await;
    let rel = relationship(&app, &alice, json!({"vendor_name": "Kestrel"})).await;
    let t = thread(&app, &alice, &rel, "Roaming charges", "support").await;
    let e = entry(
        &app,
        &alice,
        &t,
        json!({"kind": "message", "text": "Why was I charged?"}),
    )
    .await;
    let eid = e["id"].as_str().unwrap();
    let cases: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, format!("/api/v1/relationships/{rel}"), None),
        (
            Method::GET,
            format!("/api/v1/relationships/{rel}/threads"),
            None,
        ),
        (
            Method::POST,
            format!("/api/v1/relationships/{rel}/threads"),
            Some(json!({"subject": "x", "stage": "other"})),
        ),
        (
            Method::GET,
            format!("/api/v1/relationships/{rel}/timeline"),
            None,
        ),
        (
            Method::GET,
            format!("/api/v1/relationships/{rel}/export"),
            None,
        ),
        (
            Method::POST,
            format!("/api/v1/relationships/{rel}/checkpoints"),
            Some(json!({})),
        ),
        (
            Method::POST,
            format!("/api/v1/relationships/{rel}/share"),
            Some(json!({"org": "x"})),
        ),
        (Method::GET, format!("/api/v1/threads/{t}"), None),
        (
            Method::PATCH,
            format!("/api/v1/threads/{t}"),
            Some(json!({"status": "closed"})),
        ),
        (
            Method::POST,
            format!("/api/v1/threads/{t}/entries"),
            Some(json!({"kind": "message", "text": "hi"})),
        ),
        (
            Method::POST,
            format!("/api/v1/threads/{t}/links"),
            Some(json!({"to": t, "kind": "related"})),
        ),
        (
            Method::POST,
            format!("/api/v1/entries/{eid}/erase"),
            Some(json!({})),
        ),
    ];
    for (method, path, body) in cases {
        let r = app.call(method.clone(), &path, Some(&mallory), body).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{method} {path}");
    }
    assert!(
        json_of(app.get("/api/v1/search?q=charged", &mallory).await).await["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert!(
        json_of(app.get("/api/v1/timeline", &mallory).await).await["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // Nothing changed for alice.
    let tl = json_of(app.get("/api/v1/timeline", &alice).await).await;
    assert_eq!(tl["items"].as_array().unwrap().len(), 1);
});

app_test!(a_link_is_removed_by_a_party_to_it_once, |app| {
    let (carol, alice, rel) = crate::ledger_pages::northwind_and_customer(&app).await;
    let research = thread(&app, &alice, &rel, "Which tent?", "research").await;
    let purchase = thread(&app, &carol, &rel, "Your order", "purchase").await;
    let link = json!({"to": research, "kind": "follows_from"});
    let r = app
        .post(
            &format!("/api/v1/threads/{purchase}/links"),
            Some(&alice),
            link,
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let path = format!("/api/v1/threads/{purchase}/links/follows_from/{research}");
    let delete = |who: String, path: String| {
        let app = &app;
        async move { app.call(Method::DELETE, &path, Some(&who), None).await }
    };
    // Bad kind, another kind, the wrong way round, a stranger: nothing removed.
    let bad = format!("/api/v1/threads/{purchase}/links/caused_by/{research}");
    problem(delete(alice.clone(), bad).await, 422, "invalid_value").await;
    let other = format!("/api/v1/threads/{purchase}/links/related/{research}");
    problem(delete(alice.clone(), other).await, 404, "not_found").await;
    let reversed = format!("/api/v1/threads/{research}/links/follows_from/{purchase}");
    problem(delete(alice.clone(), reversed).await, 404, "not_found").await;
    let mallory = app.user("mallory").await;
    problem(delete(mallory, path.clone()).await, 404, "not_found").await;
    let t = json_of(
        app.get(&format!("/api/v1/threads/{purchase}"), &alice)
            .await,
    )
    .await;
    assert_eq!(t["links"].as_array().unwrap().len(), 1, "{t}");
    // The vendor's agent removes it; the thread comes back without it; once only.
    let t = json_of(delete(carol.clone(), path.clone()).await).await;
    assert_eq!(t["links"], json!([]), "{t}");
    let t = json_of(
        app.get(&format!("/api/v1/threads/{research}"), &alice)
            .await,
    )
    .await;
    assert_eq!(t["links"], json!([]), "{t}");
    problem(delete(carol, path).await, 404, "not_found").await;
});
