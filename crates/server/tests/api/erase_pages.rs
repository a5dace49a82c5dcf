//! Erasing one entry from the page it is shown on.

use crate::helpers::{page, post_form, signed_in, TestApp};
use crate::ledger::{entry, export, thread};
use crate::ledger_pages::northwind_and_customer;
use reqwest::StatusCode;
use serde_json::{json, Value};
use slingshot_domain::ledger::verify_bundle;
use slingshot_store::testing::TestDb;

#[tokio::test]
async fn the_customer_erases_one_entry_and_the_history_still_verifies() {
    let app = TestApp::spawn(TestDb::sqlite().await).await;
    let (carol, alice, rel) = northwind_and_customer(&app).await;
    let t = thread(&app, &alice, &rel, "Refund", "support").await;
    let oops = entry(
        &app,
        &alice,
        &t,
        json!({"kind": "message", "text": "My card is 4111 1111"}),
    )
    .await;
    let oops = oops["id"].as_str().unwrap().to_owned();
    entry(
        &app,
        &carol,
        &t,
        json!({"kind": "message", "text": "Please never send card numbers"}),
    )
    .await;
    let (a, csrf) = signed_in(&app, "alice").await;
    let erase = app.url(&format!("/entries/{oops}/erase"));

    // Only the customer is offered the button; the vendor's agent is not, and may not.
    let html = page(&a, app.url(&format!("/threads/{t}"))).await;
    assert!(
        html.contains(&format!(r#"action="/entries/{oops}/erase""#)),
        "{html}"
    );
    let (c, c_csrf) = signed_in(&app, "carol").await;
    let theirs = page(&c, app.url(&format!("/threads/{t}"))).await;
    assert!(!theirs.contains("/erase\""), "{theirs}");
    let r = post_form(&c, erase.clone(), &[("csrf", &c_csrf)]).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = post_form(&a, erase.clone(), &[]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "no CSRF token");
    assert!(page(&a, app.url(&format!("/threads/{t}")))
        .await
        .contains("4111 1111"));

    let r = post_form(&a, erase.clone(), &[("csrf", &csrf)]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_owned();
    let (path, anchor) = to.split_once('#').unwrap();
    assert!(path.starts_with(&format!("/threads/{t}?entry=")), "{to}");
    assert!(
        path.ends_with(&format!(":{oops}")) && anchor == format!("e-{oops}"),
        "{to}"
    );
    let html = page(&a, app.url(path)).await;
    assert!(html.contains(&format!(r#"id="e-{oops}""#)), "{html}");
    assert!(
        !html.contains("4111 1111") && html.contains("erased on request"),
        "{html}"
    );
    assert!(html.contains("Please never send card numbers"));
    let hits: Value = app
        .get("/api/v1/search?q=4111", &alice)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(hits["items"].as_array().unwrap().len(), 0, "{hits}");
    let report = verify_bundle(&export(&app, &alice, &rel).await[..]).unwrap();
    assert!(report.is_valid(), "{report}");
    assert_eq!(report.erased, 1);
    // Erasing again changes nothing; an entry that is not there is 404.
    let r = post_form(&a, erase, &[("csrf", &csrf)]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = post_form(&a, app.url("/entries/nope/erase"), &[("csrf", &csrf)]).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}
