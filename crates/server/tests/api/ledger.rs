//! Relationships, conversations and the signed ledger through the API.

use crate::app_test;
use crate::helpers::{problem, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use slingshot_domain::ledger::verify_bundle;

async fn json_of(r: reqwest::Response) -> Value {
    let status = r.status();
    let v: Value = r.json().await.unwrap();
    assert!(status.is_success(), "{status}: {v}");
    v
}

async fn relationship(app: &TestApp, token: &str, body: Value) -> String {
    json_of(app.post("/api/v1/relationships", Some(token), body).await).await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn thread(app: &TestApp, token: &str, rel: &str, subject: &str, stage: &str) -> String {
    let r = app
        .post(
            &format!("/api/v1/relationships/{rel}/threads"),
            Some(token),
            json!({"subject": subject, "stage": stage}),
        )
        .await;
    json_of(r).await["id"].as_str().unwrap().to_owned()
}

async fn entry(app: &TestApp, token: &str, thread: &str, body: Value) -> Value {
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

pub async fn export(app: &TestApp, token: &str, rel: &str) -> Vec<u8> {
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

app_test!(both_sides_hold_the_history_and_countersign, |app| {
    let bob = app.user("bob").await;
    let carol = app.user("carol").await;
    let alice = app.user("alice").await;
    let mo = app.user("moe").await;
    let org = app.org(&bob, "northwind").await;
    app.join(&bob, &org, &carol, "agent").await;
    app.join(&bob, &org, &mo, "moderator").await;
    let rel = relationship(&app, &alice, json!({"org": "northwind"})).await;
    let got = json_of(
        app.get(&format!("/api/v1/relationships/{rel}"), &alice)
            .await,
    )
    .await;
    assert_eq!(
        (got["vendor_name"].as_str(), got["two_sided"].as_bool()),
        (Some("northwind"), Some(true))
    );
    let t = thread(&app, &alice, &rel, "Zip broke on my jacket", "support").await;
    entry(
        &app,
        &alice,
        &t,
        json!({"kind": "message", "text": "The zip broke after a week"}),
    )
    .await;
    entry(
        &app,
        &alice,
        &t,
        json!({"kind": "note", "text": "my private note"}),
    )
    .await;

    // The agent sees the customer by pseudonym, in the inbox, and answers.
    let inbox = json_of(app.get("/api/v1/orgs/northwind/inbox", &carol).await).await;
    let row = &inbox["items"][0];
    assert_eq!(row["thread_id"], t.as_str());
    assert!(row["customer"].as_str().unwrap().starts_with("c-"));
    assert!(row["waiting_seconds"].as_i64().is_some());
    assert_eq!(row["awaiting_reply"], true);
    entry(
        &app,
        &carol,
        &t,
        json!({"kind": "message", "text": "Sorry! A replacement is on its way"}),
    )
    .await;
    entry(
        &app,
        &carol,
        &t,
        json!({"kind": "note", "text": "vendor-only note"}),
    )
    .await;
    let carol_id = app.user_id(&carol).await;
    let r = app
        .call(
            Method::PATCH,
            &format!("/api/v1/threads/{t}"),
            Some(&carol),
            Some(json!({"status": "waiting_on_customer", "assignee": carol_id})),
        )
        .await;
    assert_eq!(json_of(r).await["status"], "waiting_on_customer");

    // Each side keeps its own follow-up date and sees only its own.
    let path = format!("/api/v1/threads/{t}");
    for (token, date) in [(&alice, "2026-01-05"), (&carol, "2026-01-03")] {
        let body = json!({ "follow_up_on": date });
        let r = app
            .call(Method::PATCH, &path, Some(token), Some(body))
            .await;
        assert_eq!(json_of(r).await["follow_up_on"], date);
    }
    assert_eq!(
        json_of(app.get(&path, &alice).await).await["follow_up_on"],
        "2026-01-05"
    );
    assert_eq!(
        json_of(app.get(&path, &bob).await).await["follow_up_on"],
        "2026-01-03"
    );
    // The agent's reminder is on the organization's due list (not the customer's).
    let org_due = |q: &str| format!("/api/v1/orgs/northwind/due{q}");
    let due = json_of(app.get(&org_due("?date=2026-01-03"), &carol).await).await;
    assert_eq!(due["items"][0]["thread_id"], t.as_str(), "{due}");
    assert_eq!(due["items"][0]["follow_up_on"], "2026-01-03");
    let mine = format!("?date=2026-01-03&assignee={carol_id}");
    let due = json_of(app.get(&org_due(&mine), &carol).await).await;
    assert_eq!(due["items"].as_array().unwrap().len(), 1);
    for q in ["?date=2026-01-02", "?date=2026-01-03&assignee=someone-else"] {
        let due = json_of(app.get(&org_due(q), &carol).await).await;
        assert!(due["items"].as_array().unwrap().is_empty(), "{q}: {due}");
    }
    let inbox = json_of(app.get("/api/v1/orgs/northwind/inbox", &carol).await).await;
    assert_eq!(inbox["items"][0]["follow_up_on"], "2026-01-03");
    problem(
        app.get(&org_due("?date=2026-13-01"), &carol).await,
        422,
        "invalid_value",
    )
    .await;
    problem(
        app.get(&org_due("?when=today"), &carol).await,
        400,
        "invalid_query",
    )
    .await;
    problem(app.get(&org_due(""), &alice).await, 404, "not_found").await;
    problem(app.get(&org_due(""), &mo).await, 404, "not_found").await;
    // The agent clearing theirs leaves the customer's reminder on the due list.
    let clear = Some(json!({ "follow_up_on": "" }));
    let cleared = json_of(app.call(Method::PATCH, &path, Some(&carol), clear).await).await;
    assert!(cleared["follow_up_on"].is_null(), "{cleared}");
    let due = json_of(app.get("/api/v1/due?date=2026-01-05", &alice).await).await;
    assert_eq!(due["items"][0]["id"], t.as_str());
    assert_eq!(due["items"][0]["follow_up_on"], "2026-01-05");
    let due = json_of(app.get(&org_due("?date=2026-12-31"), &carol).await).await;
    assert!(due["items"].as_array().unwrap().is_empty(), "{due}");
    // A moderator does not act in relationships.
    problem(
        app.get(&format!("/api/v1/relationships/{rel}"), &mo).await,
        404,
        "not_found",
    )
    .await;
    problem(
        app.get("/api/v1/orgs/northwind/inbox", &mo).await,
        404,
        "not_found",
    )
    .await;
    // The customer cannot assign.
    let r = app
        .call(
            Method::PATCH,
            &format!("/api/v1/threads/{t}"),
            Some(&alice),
            Some(json!({"assignee": carol_id})),
        )
        .await;
    problem(r, 403, "forbidden").await;

    // The inbox filters by assignee (an id, `me`, `none`) and leaves out what is done.
    let inbox = |q: &'static str| {
        let (app, carol) = (&app, &carol);
        async move {
            let r = app
                .get(&format!("/api/v1/orgs/northwind/inbox{q}"), carol)
                .await;
            let v = json_of(r).await;
            let ids: Vec<String> = v["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["thread_id"].as_str().unwrap().to_owned())
                .collect();
            (ids, v)
        }
    };
    let second = thread(&app, &alice, &rel, "Where is my parcel?", "support").await;
    entry(
        &app,
        &alice,
        &second,
        json!({"kind": "message", "text": "No parcel yet"}),
    )
    .await;
    let (all, v) = inbox("").await;
    assert_eq!(all.len(), 2, "{v}");
    let row = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["thread_id"] == t.as_str())
        .unwrap()
        .clone();
    assert_eq!(row["assignee"], "carol");
    // The agent answered the zip (a private note would not count); the parcel waits, first.
    assert_eq!(row["awaiting_reply"], false, "{row}");
    assert_eq!(all[0], second, "awaiting an answer comes first");
    assert_eq!(inbox("?assignee=me").await.0, [t.as_str()]);
    assert_eq!(inbox("?assignee=none").await.0, [second.as_str()]);
    let by_id = format!("?assignee={carol_id}");
    let r = app
        .get(&format!("/api/v1/orgs/northwind/inbox{by_id}"), &carol)
        .await;
    assert_eq!(json_of(r).await["items"].as_array().unwrap().len(), 1);
    let path2 = format!("/api/v1/threads/{second}");
    let done = Some(json!({"status": "resolved"}));
    assert_eq!(
        app.call(Method::PATCH, &path2, Some(&carol), done)
            .await
            .status(),
        200
    );
    assert_eq!(
        inbox("").await.0,
        [t.as_str()],
        "resolved threads leave the inbox"
    );
    assert_eq!(inbox("?status=resolved").await.0, [second.as_str()]);
    problem(
        app.get("/api/v1/orgs/northwind/inbox?status=done", &carol)
            .await,
        422,
        "invalid_value",
    )
    .await;

    // Each side sees its own notes only.
    let mine = json_of(
        app.get(&format!("/api/v1/relationships/{rel}/timeline"), &alice)
            .await,
    )
    .await
    .to_string();
    let theirs = json_of(
        app.get(&format!("/api/v1/relationships/{rel}/timeline"), &carol)
            .await,
    )
    .await
    .to_string();
    assert!(mine.contains("my private note") && !mine.contains("vendor-only note"));
    assert!(theirs.contains("vendor-only note") && !theirs.contains("my private note"));
    // One conversation's entries, paged, as each side sees them.
    let of_thread = |q: &str| format!("/api/v1/threads/{t}/entries{q}");
    let page1 = json_of(app.get(&of_thread("?limit=2"), &alice).await).await;
    let first: Vec<&str> = page1["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(first.len(), 2, "{page1}");
    let next = page1["next"].as_str().unwrap();
    let page2 = json_of(
        app.get(&of_thread(&format!("?limit=50&before={next}")), &alice)
            .await,
    )
    .await;
    let all = format!("{page1}{page2}");
    assert!(
        all.contains("my private note") && !all.contains("vendor-only note"),
        "{all}"
    );
    assert!(
        all.contains("The zip broke after a week")
            && !page2["items"].as_array().unwrap().is_empty()
    );
    assert!(page2["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["thread_id"] == t.as_str()));
    let vendor_view = json_of(app.get(&of_thread(""), &carol).await)
        .await
        .to_string();
    assert!(vendor_view.contains("vendor-only note") && !vendor_view.contains("my private note"));
    problem(app.get(&of_thread(""), &mo).await, 404, "not_found").await;
    problem(
        app.get(&of_thread("?before=yesterday"), &alice).await,
        400,
        "invalid_cursor",
    )
    .await;

    // The customer countersigns the vendor's entry; the bundle carries both keys.
    let cp = json_of(
        app.post(
            &format!("/api/v1/relationships/{rel}/checkpoints"),
            Some(&alice),
            json!({}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (cp["seq"].as_i64(), cp["side"].as_str()),
        (Some(2), Some("customer"))
    );
    // Countersigning the same entry again stores nothing new: 200 and the checkpoint held.
    let again = app
        .post(
            &format!("/api/v1/relationships/{rel}/checkpoints"),
            Some(&alice),
            json!({}),
        )
        .await;
    assert_eq!(again.status(), StatusCode::OK);
    let again: Value = again.json().await.unwrap();
    assert_eq!(again, cp, "the checkpoint already stored");
    let bundle = export(&app, &carol, &rel).await;
    let report = verify_bundle(&bundle[..]).unwrap();
    assert!(report.is_valid(), "{report:?}");
    assert_eq!((report.entries, report.checkpoints), (3, 1));
    let first = String::from_utf8(bundle)
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(
        serde_json::from_str::<Value>(&first).unwrap()["keys"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
});

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

app_test!(
    bad_conversation_input_is_refused_and_writes_nothing,
    |app| {
        let alice = app.user("alice").await;
        let rel = relationship(&app, &alice, json!({"vendor_name": "Kestrel"})).await;
        problem(
            app.post(
                "/api/v1/relationships",
                Some(&alice),
                json!({"vendor_name": "  "}),
            )
            .await,
            422,
            "invalid_value",
        )
        .await;
        problem(
            app.post(
                "/api/v1/relationships",
                Some(&alice),
                json!({"org": "no-such-org"}),
            )
            .await,
            404,
            "not_found",
        )
        .await;
        let r = app
            .post(
                &format!("/api/v1/relationships/{rel}/threads"),
                Some(&alice),
                json!({"subject": "x", "stage": "shopping"}),
            )
            .await;
        problem(r, 422, "invalid_value").await;
        let r = app
            .post(
                &format!("/api/v1/relationships/{rel}/threads"),
                Some(&alice),
                json!({"subject": "x", "stage": "other", "follow_up_on": "2026-02-30"}),
            )
            .await;
        problem(r, 422, "invalid_value").await;
        let t = thread(&app, &alice, &rel, "Bill", "support").await;
        let r = app
            .call(
                Method::PATCH,
                &format!("/api/v1/threads/{t}"),
                Some(&alice),
                Some(json!({"status": "pending"})),
            )
            .await;
        problem(r, 422, "invalid_value").await;
        let big = "x".repeat(70_000);
        problem(
            app.post(
                &format!("/api/v1/threads/{t}/entries"),
                Some(&alice),
                json!({"kind": "message", "text": big}),
            )
            .await,
            413,
            "payload_too_large",
        )
        .await;
        let r = app
            .post(
                &format!("/api/v1/threads/{t}/entries"),
                Some(&alice),
                json!({"kind": "event", "event": {"type": "purchase"}}),
            )
            .await;
        problem(r, 422, "invalid_value").await;
        let r = app
            .post(
                &format!("/api/v1/threads/{t}/entries"),
                Some(&alice),
                json!({"kind": "message", "text": "x", "seq": 7}),
            )
            .await;
        problem(r, 422, "invalid_body").await;
        let r = app
            .post(
                &format!("/api/v1/threads/{t}/links"),
                Some(&alice),
                json!({"to": t, "kind": "follows_from"}),
            )
            .await;
        problem(r, 422, "invalid_value").await;
        let r = app
            .client
            .post(app.url("/api/v1/relationships/import"))
            .bearer_auth(&alice)
            .body("{not a bundle")
            .send()
            .await
            .unwrap();
        problem(r, 422, "invalid_bundle").await;
        let tl = json_of(app.get("/api/v1/timeline", &alice).await).await;
        assert!(tl["items"].as_array().unwrap().is_empty());
        problem(
            app.get("/api/v1/timeline?from=yesterday", &alice).await,
            422,
            "invalid_value",
        )
        .await;
        // A cursor no page gave is refused, not read as "from the start" (a client
        // paging on it would loop); a relationship's timeline takes no filters.
        for path in [
            "/api/v1/timeline?before=garbage".to_owned(),
            format!("/api/v1/relationships/{rel}/timeline?before=12:"),
        ] {
            problem(app.get(&path, &alice).await, 400, "invalid_cursor").await;
        }
        problem(
            app.get(
                &format!("/api/v1/relationships/{rel}/timeline?stage=bogus"),
                &alice,
            )
            .await,
            400,
            "invalid_query",
        )
        .await;
        // Follow-ups feed the due list.
        let r = app
            .call(
                Method::PATCH,
                &format!("/api/v1/threads/{t}"),
                Some(&alice),
                Some(json!({"follow_up_on": "2026-01-02"})),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let due = json_of(app.get("/api/v1/due?date=2026-01-05", &alice).await).await;
        assert_eq!(due["items"][0]["id"], t.as_str());
        assert!(
            json_of(app.get("/api/v1/due?date=2026-01-01", &alice).await).await["items"]
                .as_array()
                .unwrap()
                .is_empty()
        );
    }
);

app_test!(concurrent_appends_form_one_unbroken_chain, |app| {
    let alice = app.user("alice").await;
    let rel = relationship(&app, &alice, json!({"vendor_name": "Busy Vendor"})).await;
    let t = thread(&app, &alice, &rel, "Many messages", "other").await;
    let mut calls = Vec::new();
    for i in 0..60 {
        let (client, url, token) = (
            app.client.clone(),
            app.url(&format!("/api/v1/threads/{t}/entries")),
            alice.clone(),
        );
        calls.push(tokio::spawn(async move {
            client
                .post(url)
                .bearer_auth(token)
                .json(&json!({"kind": "message", "text": format!("message {i}")}))
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    for c in calls {
        assert_eq!(c.await.unwrap(), StatusCode::CREATED);
    }
    let bundle = export(&app, &alice, &rel).await;
    let report = verify_bundle(&bundle[..]).unwrap();
    assert!(report.is_valid(), "{report:?}");
    assert_eq!(report.entries, 60);
});

// Appends arriving together are stored in one group; each still gets its own answer:
// a post to someone else's thread is 404, a retried Idempotency-Key fails the group's
// insert (the rest are then stored one by one) and answers with the entry stored.
app_test!(mixed_groups_answer_each_append_for_itself, |app| {
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let rel_a = relationship(&app, &alice, json!({"vendor_name": "Alice's Vendor"})).await;
    let t_a = thread(&app, &alice, &rel_a, "Alice's", "other").await;
    let rel_b = relationship(&app, &bob, json!({"vendor_name": "Bob's Vendor"})).await;
    let t_b = thread(&app, &bob, &rel_b, "Bob's", "other").await;
    let mut calls = Vec::new();
    for i in 0..90 {
        // alice on her thread; bob on his, and on alice's (refused); alice twice under one key.
        let (token, t, key) = match i % 3 {
            0 => (
                alice.clone(),
                t_a.clone(),
                (i < 12).then(|| "same-key".to_owned()),
            ),
            1 => (bob.clone(), t_b.clone(), None),
            _ => (bob.clone(), t_a.clone(), None),
        };
        let (client, url) = (
            app.client.clone(),
            app.url(&format!("/api/v1/threads/{t}/entries")),
        );
        calls.push(tokio::spawn(async move {
            // A retry under one key sends the same entry again.
            let text = match key {
                Some(_) => "the retried message".to_owned(),
                None => format!("message {i}"),
            };
            let mut req = client
                .post(url)
                .bearer_auth(token)
                .json(&json!({"kind": "message", "text": text}));
            if let Some(k) = key {
                req = req.header("idempotency-key", k);
            }
            let r = req.send().await.unwrap();
            let status = r.status();
            let body: Value = r.json().await.unwrap();
            (i, status, body)
        }));
    }
    let mut keyed = Vec::new();
    for c in calls {
        let (i, status, body) = c.await.unwrap();
        match i % 3 {
            0 if i < 12 => {
                assert!(
                    status == StatusCode::CREATED || status == StatusCode::OK,
                    "{status}"
                );
                keyed.push((status, body["id"].as_str().unwrap().to_owned()));
            }
            0 | 1 => assert_eq!(status, StatusCode::CREATED, "{body}"),
            _ => {
                assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
                assert_eq!(body["code"], "not_found");
            }
        }
    }
    // One entry for the key, and every retry answered with it.
    assert_eq!(
        keyed
            .iter()
            .filter(|(s, _)| *s == StatusCode::CREATED)
            .count(),
        1
    );
    assert!(keyed.iter().all(|(_, id)| *id == keyed[0].1));
    for (token, rel, n) in [(&alice, &rel_a, 30 - 4 + 1), (&bob, &rel_b, 30)] {
        let report = verify_bundle(&export(&app, token, rel).await[..]).unwrap();
        assert!(report.is_valid(), "{report:?}");
        assert_eq!(report.entries, n);
    }
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_entries_arrive_as_server_sent_events() {
    let app = TestApp::spawn(slingshot_store::testing::TestDb::sqlite().await).await;
    let alice = app.user("alice").await;
    let mallory = app.user("mallory").await;
    let rel = relationship(&app, &alice, json!({"vendor_name": "Live Vendor"})).await;
    let t = thread(&app, &alice, &rel, "Live", "other").await;
    let mut stream = app
        .client
        .get(app.url("/api/v1/events"))
        .bearer_auth(&alice)
        .send()
        .await
        .unwrap();
    let mut other = app
        .client
        .get(app.url("/api/v1/events"))
        .bearer_auth(&mallory)
        .send()
        .await
        .unwrap();
    assert_eq!(stream.headers()["content-type"], "text/event-stream");
    let e = entry(
        &app,
        &alice,
        &t,
        json!({"kind": "message", "text": "hello live"}),
    )
    .await;
    let chunk = tokio::time::timeout(std::time::Duration::from_secs(5), stream.chunk())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let text = String::from_utf8_lossy(&chunk);
    assert!(
        text.contains("event: entry") && text.contains(e["id"].as_str().unwrap()),
        "{text}"
    );
    let nothing = tokio::time::timeout(std::time::Duration::from_millis(300), other.chunk()).await;
    assert!(nothing.is_err(), "another person's stream stays quiet");
}

app_test!(idempotency_keys_make_retries_safe, |app| {
    let alice = app.user("alice").await;
    let rel = relationship(&app, &alice, json!({"vendor_name": "Retry Vendor"})).await;
    let t = thread(&app, &alice, &rel, "Flaky network", "other").await;
    let send = |key: &'static str, text: &'static str| {
        app.client
            .post(app.url(&format!("/api/v1/threads/{t}/entries")))
            .bearer_auth(&alice)
            .header("Idempotency-Key", key)
            .json(&json!({"kind": "message", "text": text}))
            .send()
    };
    let first = send("k-1", "Where is my parcel?").await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    let again = send("k-1", "Where is my parcel?").await.unwrap();
    assert_eq!(again.status(), StatusCode::OK);
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["id"], first["id"]);
    assert_eq!(again["seq"], first["seq"]);
    assert_eq!(
        send("k-2", "Still waiting").await.unwrap().status(),
        StatusCode::CREATED
    );
    // The same key for a different entry is refused, and appends nothing.
    problem(
        send("k-1", "Something else entirely").await.unwrap(),
        422,
        "idempotency_key_reused",
    )
    .await;
    let note = app
        .client
        .post(app.url(&format!("/api/v1/threads/{t}/entries")))
        .bearer_auth(&alice)
        .header("Idempotency-Key", "k-1")
        .json(&json!({"kind": "note", "text": "Where is my parcel?"}))
        .send()
        .await
        .unwrap();
    problem(note, 422, "idempotency_key_reused").await;
    let r = app
        .client
        .post(app.url(&format!("/api/v1/threads/{t}/entries")))
        .bearer_auth(&alice)
        .header("Idempotency-Key", "")
        .json(&json!({"kind": "message", "text": "x"}))
        .send()
        .await
        .unwrap();
    problem(r, 400, "invalid_idempotency_key").await;
    let bundle = export(&app, &alice, &rel).await;
    let report = verify_bundle(&bundle[..]).unwrap();
    assert_eq!(
        (report.is_valid(), report.entries),
        (true, 2),
        "the retry appended nothing"
    );
});

app_test!(attachments_are_checked_stored_and_fenced, |app| {
    let alice = app.user("alice").await;
    let mallory = app.user("mallory").await;
    let rel = relationship(&app, &alice, json!({"vendor_name": "Paper Vendor"})).await;
    let t = thread(&app, &alice, &rel, "Receipts", "purchase").await;
    let up = |token: &str, name: &str, ct: &str, data: Vec<u8>| {
        app.client
            .post(app.url(&format!("/api/v1/threads/{t}/attachments?filename={name}")))
            .bearer_auth(token)
            .header("content-type", ct)
            .body(data)
            .send()
    };
    // A PDF larger than the JSON body limit (1 MiB) but within the attachment limit.
    let mut pdf = b"%PDF-1.7\n".to_vec();
    pdf.resize(1_500_000, b'x');
    let r = up(&alice, "receipt.pdf", "application/pdf", pdf.clone())
        .await
        .unwrap();
    let e = json_of(r).await;
    assert_eq!(e["kind"], "attachment");
    assert_eq!(e["body"]["attachment"]["size"], 1_500_000);
    let id = e["body"]["attachment"]["id"].as_str().unwrap().to_owned();
    let got = app.get(&format!("/api/v1/attachments/{id}"), &alice).await;
    assert_eq!(got.headers()["content-type"], "application/pdf");
    assert!(got.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("receipt.pdf"));
    assert_eq!(got.bytes().await.unwrap().len(), 1_500_000);
    problem(
        app.get(&format!("/api/v1/attachments/{id}"), &mallory)
            .await,
        404,
        "not_found",
    )
    .await;
    assert_eq!(
        up(&mallory, "x.pdf", "application/pdf", pdf.clone())
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    // Refusals: too large, not an accepted type whatever it claims, empty.
    let big = vec![b'a'; 10 * 1024 * 1024 + 1];
    problem(
        up(&alice, "big.txt", "text/plain", big).await.unwrap(),
        413,
        "payload_too_large",
    )
    .await;
    problem(
        up(
            &alice,
            "x.pdf",
            "application/pdf",
            b"MZ\x90\x00\x03\x00\x00".to_vec(),
        )
        .await
        .unwrap(),
        415,
        "unsupported_media_type",
    )
    .await;
    problem(
        up(&alice, "e.txt", "text/plain", Vec::new()).await.unwrap(),
        422,
        "invalid_value",
    )
    .await;
    // One entry on the chain, and it verifies.
    let report = verify_bundle(&export(&app, &alice, &rel).await[..]).unwrap();
    assert_eq!((report.is_valid(), report.entries), (true, 1));
    // Erasing the entry erases the file's bytes too; the chain still verifies.
    let r = app
        .post(
            &format!("/api/v1/entries/{}/erase", e["id"].as_str().unwrap()),
            Some(&alice),
            json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    problem(
        app.get(&format!("/api/v1/attachments/{id}"), &alice).await,
        404,
        "not_found",
    )
    .await;
    let report = verify_bundle(&export(&app, &alice, &rel).await[..]).unwrap();
    assert!(report.is_valid() && report.erased == 1, "{report:?}");
});

/// Two servers on one PostgreSQL database: an entry stored through one appears live on
/// the other's event stream (LISTEN/NOTIFY), and only for those who may see it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_updates_cross_servers_on_postgres() {
    let Some(db) = slingshot_store::testing::TestDb::postgres().await else {
        return;
    };
    let url = db.url.clone();
    let app = TestApp::spawn(db).await;
    // The second server: its own pool on the same database.
    let store = slingshot_store::Store::open(&url).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let other = format!("http://{}", listener.local_addr().unwrap());
    let config = slingshot_server::Config {
        public_url: other.clone(),
        database_url: Some(url),
        ..slingshot_server::Config::default()
    };
    let state = slingshot_server::AppState::new(
        store,
        config,
        slingshot_credentials::MasterKey::generate(),
    );
    tokio::spawn(slingshot_server::serve(
        listener,
        state,
        std::future::pending(),
    ));

    let alice = app.user("alice").await;
    let mallory = app.user("mallory").await;
    let rel = relationship(&app, &alice, json!({"vendor_name": "Corner Bikes"})).await;
    let t = thread(&app, &alice, &rel, "Bike", "purchase").await;
    let open = |token: String| {
        let url = format!("{other}/api/v1/events");
        async move {
            let r = reqwest::Client::new()
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::OK);
            r
        }
    };
    let mut alice_stream = open(alice.clone()).await;
    let mut mallory_stream = open(mallory.clone()).await;
    // Give both listeners a moment to subscribe before the entry is stored.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let e = entry(
        &app,
        &alice,
        &t,
        json!({"kind": "message", "text": "Is it in stock?"}),
    )
    .await;
    let id = e["id"].as_str().unwrap().to_owned();
    let mut seen = String::new();
    let found = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        while let Some(chunk) = alice_stream.chunk().await.unwrap() {
            seen.push_str(&String::from_utf8_lossy(&chunk));
            if seen.contains(&id) {
                return true;
            }
        }
        false
    })
    .await;
    assert_eq!(
        found,
        Ok(true),
        "the other server never announced {id}: {seen}"
    );
    // Mallory's stream on that server stays silent about Alice's entry.
    let leaked = tokio::time::timeout(std::time::Duration::from_millis(800), async {
        let mut s = String::new();
        while let Some(chunk) = mallory_stream.chunk().await.unwrap() {
            s.push_str(&String::from_utf8_lossy(&chunk));
            if s.contains(&id) {
                return true;
            }
        }
        false
    })
    .await;
    assert!(
        !matches!(leaked, Ok(true)),
        "an entry leaked to another tenant"
    );
}

app_test!(metrics_count_committed_groups_and_their_entries, |app| {
    let alice = app.user("alice").await;
    let rel = relationship(&app, &alice, json!({"vendor_name": "Metered Shop"})).await;
    let t = thread(&app, &alice, &rel, "Counting", "support").await;
    let before = app.client.get(app.url("/metrics")).send().await.unwrap();
    let before = before.text().await.unwrap();
    // Each append waits for its own group, one after the other: three groups of one.
    for i in 0..3 {
        entry(
            &app,
            &alice,
            &t,
            json!({"kind": "message", "text": format!("no. {i}")}),
        )
        .await;
    }
    // A refused append (a stranger's thread) is no group at all.
    let bob = app.user("bob").await;
    let r = app
        .post(
            &format!("/api/v1/threads/{t}/entries"),
            Some(&bob),
            json!({"kind": "message", "text": "not mine"}),
        )
        .await;
    problem(r, 404, "not_found").await;
    let m = app.client.get(app.url("/metrics")).send().await.unwrap();
    let m = m.text().await.unwrap();
    let value = |text: &str, name: &str| -> f64 {
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
            .unwrap_or(0.0)
    };
    for (name, grew) in [
        ("slingshot_ledger_group_entries_count", 3.0),
        ("slingshot_ledger_group_entries_sum", 3.0),
        ("slingshot_ledger_commit_seconds_count", 3.0),
    ] {
        assert_eq!(value(&m, name) - value(&before, name), grew, "{name}: {m}");
    }
    assert!(
        value(&m, "slingshot_ledger_commit_seconds_sum") > 0.0,
        "{m}"
    );
    assert!(
        m.contains("# HELP slingshot_ledger_group_entries Entries per committed group"),
        "{m}"
    );
});

app_test!(corrections_name_an_earlier_entry_of_their_own_side, |app| {
    let bob = app.user("bob").await;
    let carol = app.user("carol").await;
    let alice = app.user("alice").await;
    let org = app.org(&bob, "northwind").await;
    app.join(&bob, &org, &carol, "agent").await;
    let rel = relationship(&app, &alice, json!({"org": "northwind"})).await;
    let other = relationship(&app, &alice, json!({"vendor_name": "Corner Bikes"})).await;
    let t = thread(&app, &alice, &rel, "Wrong size", "purchase").await;
    let elsewhere = thread(&app, &alice, &other, "Bike", "purchase").await;
    let mine = entry(
        &app,
        &alice,
        &t,
        json!({"kind": "message", "text": "I ordered M"}),
    )
    .await;
    let theirs = entry(
        &app,
        &carol,
        &t,
        json!({"kind": "message", "text": "We sent M"}),
    )
    .await;
    let far = entry(
        &app,
        &alice,
        &elsewhere,
        json!({"kind": "message", "text": "hi"}),
    )
    .await;
    let note = entry(
        &app,
        &carol,
        &t,
        json!({"kind": "note", "text": "vendor-only"}),
    )
    .await;
    let hash = |e: &Value| e["hash"].as_str().unwrap().to_owned();
    let correct =
        |target: String| json!({"kind": "correction", "text": "I meant L", "corrects": target});
    let post = |token: String, body: Value| {
        let app = &app;
        let t = t.clone();
        async move {
            app.post(&format!("/api/v1/threads/{t}/entries"), Some(&token), body)
                .await
        }
    };
    // Refused, and nothing is appended: the other side's entry, an unknown hash, an
    // entry of another relationship, a malformed hash, no target at all.
    for (token, body, code) in [
        (&alice, correct(hash(&theirs)), "invalid_correction"),
        (&carol, correct(hash(&mine)), "invalid_correction"),
        (&alice, correct("0".repeat(64)), "invalid_correction"),
        (&alice, correct(hash(&far)), "invalid_correction"),
        (&alice, correct("not-a-hash".into()), "invalid_value"),
        (
            &alice,
            json!({"kind": "correction", "text": "x"}),
            "invalid_value",
        ),
    ] {
        problem(post(token.clone(), body).await, 422, code).await;
    }
    // A stranger learns nothing: 404, as for any thread of someone else.
    let dan = app.user("dan").await;
    problem(post(dan, correct(hash(&mine))).await, 404, "not_found").await;
    let report = verify_bundle(&export(&app, &alice, &rel).await[..]).unwrap();
    assert!(report.is_valid(), "{report:?}");
    assert_eq!(report.entries, 2, "a refused correction was appended");

    // Each side corrects its own entry; the chain still verifies offline.
    let fixed = json_of(post(alice.clone(), correct(hash(&mine))).await).await;
    assert_eq!(fixed["seq"], 3);
    assert_eq!(fixed["corrects"], hash(&mine).as_str(), "{fixed}");
    // The timeline names the corrected entry; other entries carry no such field.
    let tl = json_of(
        app.get(&format!("/api/v1/relationships/{rel}/timeline"), &alice)
            .await,
    )
    .await;
    let items = tl["items"].as_array().unwrap();
    let c = items.iter().find(|e| e["id"] == fixed["id"]).unwrap();
    assert_eq!(c["corrects"], hash(&mine).as_str());
    let m = items.iter().find(|e| e["id"] == mine["id"]).unwrap();
    assert!(m.get("corrects").is_none(), "{m}");
    let tl = json_of(app.get("/api/v1/timeline", &alice).await).await;
    assert!(tl["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["corrects"] == hash(&mine).as_str()));
    json_of(post(carol.clone(), correct(hash(&theirs))).await).await;
    let report = verify_bundle(&export(&app, &alice, &rel).await[..]).unwrap();
    assert!(report.is_valid(), "{report:?}");
    assert_eq!(report.entries, 4);

    // The customer may not erase (or learn of) the vendor side's private note.
    let r = app
        .post(
            &format!("/api/v1/entries/{}/erase", note["id"].as_str().unwrap()),
            Some(&alice),
            json!({}),
        )
        .await;
    problem(r, 404, "not_found").await;
    let tl = json_of(
        app.get(&format!("/api/v1/relationships/{rel}/timeline"), &carol)
            .await,
    )
    .await;
    let kept = tl["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == note["id"])
        .expect("the vendor's note is gone");
    assert_eq!(kept["erased"], false, "{kept}");
});

app_test!(nul_text_and_bad_vendor_details_are_refused, |app| {
    let alice = app.user("alice").await;
    let rel = relationship(&app, &alice, json!({"vendor_name": "Kestrel"})).await;
    let t = thread(&app, &alice, &rel, "Bill", "support").await;
    for (path, body, code) in [
        (
            "/api/v1/relationships".to_owned(),
            json!({"vendor_name": "a\u{0}b"}),
            "invalid_text",
        ),
        (
            "/api/v1/relationships".to_owned(),
            json!({"vendor_name": "Shop", "vendor_domain": "com"}),
            "invalid_value",
        ),
        (
            "/api/v1/relationships".to_owned(),
            json!({"vendor_name": "Shop", "vendor_website": "https://a b"}),
            "invalid_value",
        ),
        (
            "/api/v1/relationships".to_owned(),
            json!({"vendor_name": "Shop", "notes": "n".repeat(10_001)}),
            "invalid_value",
        ),
        (
            format!("/api/v1/relationships/{rel}/threads"),
            json!({"subject": "x\u{0}", "stage": "other"}),
            "invalid_text",
        ),
        (
            format!("/api/v1/threads/{t}/entries"),
            json!({"kind": "message", "text": "paid\u{0}"}),
            "invalid_text",
        ),
    ] {
        problem(app.post(&path, Some(&alice), body).await, 422, code).await;
    }
    // A backslash before "u0000" is text, not a NUL.
    let e = entry(
        &app,
        &alice,
        &t,
        json!({"kind": "message", "text": "C:\\u0000"}),
    )
    .await;
    assert_eq!(e["body"]["text"], "C:\\u0000");
    let rels = json_of(app.get("/api/v1/relationships", &alice).await).await;
    assert_eq!(rels["items"].as_array().unwrap().len(), 1, "{rels}");
    let tl = json_of(app.get("/api/v1/timeline", &alice).await).await;
    assert_eq!(tl["items"].as_array().unwrap().len(), 1, "{tl}");
});

app_test!(
    an_event_logged_after_the_fact_is_dated_when_it_happened,
    |app| {
        let alice = app.user("alice").await;
        let rel = relationship(&app, &alice, json!({"vendor_name": "Corner Bikes"})).await;
        let t = thread(&app, &alice, &rel, "Bike", "purchase").await;
        let day = |days_ago: i64| -> String {
            slingshot_store::rfc3339(slingshot_store::now_us() - days_ago * 86_400_000_000)
                .chars()
                .take(10)
                .collect()
        };
        let event = |on: String| json!({"kind": "event", "event": {"type": "purchase", "item": "Trail 3", "on": on}});
        let path = format!("/api/v1/threads/{t}/entries");
        // Refused, and nothing appended: a day after today, a day that does not exist.
        for on in [day(-2), "2026-02-30".to_owned(), "last week".to_owned()] {
            problem(
                app.post(&path, Some(&alice), event(on)).await,
                422,
                "invalid_value",
            )
            .await;
        }
        let e = entry(&app, &alice, &t, event(day(10))).await;
        assert!(
            e["at"]
                .as_str()
                .unwrap()
                .starts_with(&format!("{}T12:00:00", day(10))),
            "{e}"
        );
        assert_eq!(e["body"]["event"]["on"], day(10).as_str());
        assert_eq!(e["seq"], 1, "only the dated event was appended");
        // The timeline's date filter finds it on that day, and not today.
        let on_day = json_of(
            app.get(
                &format!("/api/v1/timeline?from={}&to={}", day(10), day(9)),
                &alice,
            )
            .await,
        )
        .await;
        assert_eq!(on_day["items"].as_array().unwrap().len(), 1, "{on_day}");
        let today = json_of(
            app.get(&format!("/api/v1/timeline?from={}", day(0)), &alice)
                .await,
        )
        .await;
        assert!(today["items"].as_array().unwrap().is_empty(), "{today}");
        // Today's date is just now.
        let now = entry(&app, &alice, &t, event(day(0))).await;
        assert_eq!(now["seq"], 2);
        let report = verify_bundle(&export(&app, &alice, &rel).await[..]).unwrap();
        assert!(report.is_valid(), "{report:?}");
    }
);
