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
