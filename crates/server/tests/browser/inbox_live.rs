//! An agent's open inbox shows a customer's new conversation without a reload, and the
//! agent links it, countersigns, and finds the customer on the customers page.

use crate::support::*;
use fantoccini::Locator;
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_inbox_fills_as_customers_write() {
    let Some((_driver, c)) = start_driver().await else {
        return;
    };
    let (base, _db) = spawn_app().await;
    let http = reqwest::Client::new();
    let owner = api_user(&http, &base, "olivia").await;
    let alice = api_user(&http, &base, "alice").await;
    let post = |token: &str, path: &str, body: Value| {
        http.post(format!("{base}/api/v1{path}"))
            .bearer_auth(token)
            .json(&body)
            .send()
    };
    let r = post(
        &owner,
        "/orgs",
        json!({"handle": "harbor", "name": "Harbor Bikes", "kind": "vendor"}),
    )
    .await
    .unwrap();
    assert!(r.status().is_success());
    let rel: Value = post(&alice, "/relationships", json!({"org": "harbor"}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let rel = rel["id"].as_str().unwrap().to_owned();

    sign_in(&c, &base, "olivia", "lantern orchard pebble").await;
    wait_for_path(&c, "/").await;
    c.goto(&format!("{base}/orgs/harbor/inbox")).await.unwrap();
    wait_text(&c, Locator::Id("inbox-live"), "Nothing waiting").await;

    // The customer writes (through the API, as from a phone): the open inbox shows it.
    let t: Value = post(
        &alice,
        &format!("/relationships/{rel}/threads"),
        json!({"subject": "Brake squeaks", "stage": "support"}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let thread = t["id"].as_str().unwrap().to_owned();
    let r = post(
        &alice,
        &format!("/threads/{thread}/entries"),
        json!({"kind": "message", "text": "Squeaks when wet"}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::CREATED);
    let inbox = wait_text(&c, Locator::Id("inbox-live"), "Brake squeaks").await;
    assert!(!inbox.contains("Nothing waiting"), "{inbox}");
    assert_eq!(c.current_url().await.unwrap().path(), "/orgs/harbor/inbox");

    // From the customers page to the history, where the owner countersigns.
    find(&c, Locator::LinkText("All customers"))
        .await
        .click()
        .await
        .unwrap();
    wait_for_path(&c, "/orgs/harbor/customers").await;
    find(&c, Locator::Css("table tbody tr td a"))
        .await
        .click()
        .await
        .unwrap();
    wait_for_path(&c, &format!("/relationships/{rel}")).await;
    let button = find(&c, Locator::Css("#proof button")).await;
    assert_eq!(
        button.text().await.unwrap(),
        "Countersign the customer's entries up to entry 1"
    );
    button.click().await.unwrap();
    wait_text(
        &c,
        Locator::Id("proof"),
        "You countersigned the customer's entries up to entry 1",
    )
    .await;
    screenshot(&c, "proof").await;
    c.close().await.unwrap();
}
