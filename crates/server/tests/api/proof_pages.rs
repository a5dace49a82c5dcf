//! The relationship page's proof of the shared history: each side countersigns the other's
//! entries from the page, and the checkpoints travel in the exported bundle.

use crate::helpers::{page, post_form, signed_in, TestApp};
use crate::ledger::{entry, export, thread};
use crate::ledger_pages::northwind_and_customer;
use reqwest::StatusCode;
use serde_json::json;
use slingshot_domain::ledger::verify_bundle;
use slingshot_store::testing::TestDb;

/// The entry the page offers to countersign, if any.
fn offered(html: &str) -> Option<u64> {
    let (_, rest) = html.split_once("entries up to entry ")?;
    rest.split('<').next()?.trim().parse().ok()
}

#[tokio::test]
async fn each_side_countersigns_the_other_from_the_relationship_page() {
    let app = TestApp::spawn(TestDb::sqlite().await).await;
    let (carol, alice, rel) = northwind_and_customer(&app).await;
    let url = app.url(&format!("/relationships/{rel}"));
    let (a, a_csrf) = signed_in(&app, "alice").await;
    let (c, c_csrf) = signed_in(&app, "carol").await;
    let countersign = app.url(&format!("/relationships/{rel}/countersign"));

    // Nothing from the vendor yet: no button for the customer, and posting anyway is 409.
    let t = thread(&app, &alice, &rel, "Zip broke", "support").await;
    entry(
        &app,
        &alice,
        &t,
        json!({"kind": "message", "text": "The zip broke"}),
    )
    .await;
    let before = page(&a, url.clone()).await;
    assert!(before.contains("Proof of the shared history"), "{before}");
    assert_eq!(offered(&before), None, "{before}");
    assert!(
        before.contains("The vendor has not countersigned yours yet."),
        "{before}"
    );
    let r = post_form(&a, countersign.clone(), &[("csrf", &a_csrf)]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);

    // The agent countersigns the customer's two entries (the thread, 0, and the message, 1).
    let seen = page(&c, url.clone()).await;
    assert_eq!(offered(&seen), Some(1), "{seen}");
    let r = post_form(&c, countersign.clone(), &[("csrf", &c_csrf)]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(to, format!("/relationships/{rel}?countersigned=1#proof"));
    let after = page(&c, app.url(&to)).await;
    assert!(
        after.contains("Countersigned: your signed checkpoint of entry 1"),
        "{after}"
    );
    assert!(
        after.contains("countersigned the customer's entries up to entry 1, on"),
        "{after}"
    );
    assert_eq!(
        offered(&after),
        None,
        "nothing left to countersign: {after}"
    );
    // Again: the checkpoint held is kept, not a second one.
    let r = post_form(&c, countersign.clone(), &[("csrf", &c_csrf)]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    // The customer sees it, answers the vendor's reply with a checkpoint of their own.
    entry(
        &app,
        &carol,
        &t,
        json!({"kind": "message", "text": "A new one ships today"}),
    )
    .await;
    let mine = page(&a, url.clone()).await;
    assert!(
        mine.contains("The vendor countersigned yours up to entry 1, on"),
        "{mine}"
    );
    assert_eq!(offered(&mine), Some(2), "{mine}");
    let r = post_form(&a, countersign.clone(), &[("csrf", &a_csrf)]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    let bundle = export(&app, &alice, &rel).await;
    let report = verify_bundle(&bundle[..]).unwrap();
    assert!(report.is_valid(), "{report}");
    assert_eq!(report.checkpoints, 2, "{report}");

    // Someone outside the relationship, or a form without its CSRF token, changes nothing.
    app.user("mallory").await;
    let (m, m_csrf) = signed_in(&app, "mallory").await;
    let r = post_form(&m, countersign.clone(), &[("csrf", &m_csrf)]).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = post_form(&c, countersign, &[]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let bundle = export(&app, &alice, &rel).await;
    assert_eq!(verify_bundle(&bundle[..]).unwrap().checkpoints, 2);
}
