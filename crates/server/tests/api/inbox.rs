//! The organization's inbox: whose turn it is in each conversation.

use crate::app_test;
use crate::ledger::{entry, json_of, relationship, thread};
use crate::mail::MBOX;
use serde_json::{json, Value};

/// The inbox row of `thread`, as agent `token` sees it.
async fn row(app: &crate::helpers::TestApp, token: &str, thread: &str) -> Value {
    let inbox = json_of(app.get("/api/v1/orgs/northwind/inbox", token).await).await;
    inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["thread_id"] == thread)
        .unwrap_or_else(|| panic!("{thread} not in {inbox}"))
        .clone()
}

app_test!(the_inbox_keeps_the_customers_latest_turn, |app| {
    let bob = app.user("bob").await;
    let alice = app.user("alice").await;
    app.org(&bob, "northwind").await;
    let rel = relationship(
        &app,
        &alice,
        json!({"org": "northwind", "vendor_domain": "northwind.example"}),
    )
    .await;
    let t = thread(&app, &alice, &rel, "Zip broke", "support").await;
    let say = |text: &str| json!({"kind": "message", "text": text});
    entry(&app, &alice, &t, say("The zip broke")).await;
    entry(&app, &bob, &t, say("A new one is on its way")).await;
    entry(&app, &alice, &t, say("It has not come")).await;
    let before = row(&app, &bob, &t).await;
    assert_eq!(before["awaiting_reply"], true, "{before}");

    // A purchase logged afterwards, dated last year, is not the customer's latest turn.
    let bought =
        json!({"kind": "event", "event": {"type": "purchase", "item": "Zip", "on": "2025-11-02"}});
    entry(&app, &alice, &t, bought).await;
    let after = row(&app, &bob, &t).await;
    assert_eq!(after["awaiting_reply"], true, "{after}");
    let waited = after["waiting_seconds"].as_i64().unwrap();
    assert!(
        waited < 600,
        "waiting since the message, not the purchase: {after}"
    );

    // Mail the customer imports: the vendor's answer, received last, is the vendor's turn.
    let r = app
        .client
        .post(app.url("/api/v1/mail/import?me=alice@home.example"))
        .bearer_auth(&alice)
        .header("content-type", "application/mbox")
        .body(MBOX)
        .send()
        .await
        .unwrap();
    let report: Value = r.json().await.unwrap();
    assert_eq!(report["imported"], 3, "{report}");
    let mailed = report["threads"][0]["thread_id"].as_str().unwrap();
    assert_eq!(report["threads"][0]["relationship_id"], rel.as_str());
    let mailed = row(&app, &bob, mailed).await;
    assert_eq!(
        mailed["awaiting_reply"], false,
        "the vendor wrote last: {mailed}"
    );
});

app_test!(the_inbox_and_the_due_list_come_a_page_at_a_time, |app| {
    let bob = app.user("bob").await;
    let alice = app.user("alice").await;
    app.org(&bob, "northwind").await;
    let rel = relationship(&app, &alice, json!({"org": "northwind"})).await;
    let mut threads = Vec::new();
    for subject in ["First", "Second", "Third"] {
        let t = thread(&app, &alice, &rel, subject, "support").await;
        entry(
            &app,
            &alice,
            &t,
            json!({"kind": "message", "text": subject}),
        )
        .await;
        let follow = json!({"follow_up_on": slingshot_store::rfc3339(slingshot_store::now_us()).chars().take(10).collect::<String>()});
        let r = app
            .call(
                reqwest::Method::PATCH,
                &format!("/api/v1/threads/{t}"),
                Some(&bob),
                Some(follow),
            )
            .await;
        assert_eq!(r.status(), reqwest::StatusCode::OK);
        threads.push(t);
    }
    for list in ["inbox", "due"] {
        let mut seen = Vec::new();
        let mut after = String::new();
        loop {
            let path = format!("/api/v1/orgs/northwind/{list}?limit=2{after}");
            let page = json_of(app.get(&path, &bob).await).await;
            let items = page["items"].as_array().unwrap();
            assert!(items.len() <= 2, "{page}");
            seen.extend(
                items
                    .iter()
                    .map(|i| i["thread_id"].as_str().unwrap().to_owned()),
            );
            match page["next"].as_str() {
                Some(n) => after = format!("&after={n}"),
                None => break,
            }
        }
        seen.sort();
        let mut all = threads.clone();
        all.sort();
        assert_eq!(seen, all, "every thread once, in pages of two: {list}");
        for bad in ["?after=x", "?after=-1", "?limit=0", "?limit=201"] {
            let r = app
                .get(&format!("/api/v1/orgs/northwind/{list}{bad}"), &bob)
                .await;
            assert_eq!(r.status(), reqwest::StatusCode::BAD_REQUEST, "{list}{bad}");
        }
    }
});

#[tokio::test]
async fn the_inbox_page_goes_on_past_its_first_page() {
    use crate::helpers::{page, signed_in, TestApp};
    let app = TestApp::spawn(slingshot_store::testing::TestDb::sqlite().await).await;
    let (_carol, alice, rel) = crate::ledger_pages::northwind_and_customer(&app).await;
    for subject in ["Zip broke", "Wrong size"] {
        thread(&app, &alice, &rel, subject, "support").await;
    }
    let (c, _) = signed_in(&app, "carol").await;
    let first = page(&c, app.url("/orgs/northwind/inbox")).await;
    assert!(first.contains("Zip broke") && first.contains("Wrong size"));
    assert!(!first.contains("More conversations"), "{first}");
    let second = page(&c, app.url("/orgs/northwind/inbox?after=1")).await;
    let shown = ["Zip broke", "Wrong size"]
        .iter()
        .filter(|s| second.contains(*s))
        .count();
    assert_eq!(shown, 1, "the second of two: {second}");
    for bad in ["after=zz", "due_after=-3"] {
        let url = app.url(&format!("/orgs/northwind/inbox?{bad}"));
        let r = c.get(url).send().await.unwrap();
        assert_eq!(r.status(), reqwest::StatusCode::BAD_REQUEST, "{bad}");
    }
    page(&c, app.url("/orgs/northwind/inbox?due_after=0")).await;
}
