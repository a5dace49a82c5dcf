//! Linking conversations from the thread page, and the links it refuses.

use crate::helpers::{page, post_form, signed_in, TestApp};
use crate::ledger::{relationship, thread};
use reqwest::StatusCode;
use serde_json::json;
use slingshot_store::testing::TestDb;

#[tokio::test]
async fn a_person_links_a_support_case_to_its_purchase_on_the_page() {
    let app = TestApp::spawn(TestDb::sqlite().await).await;
    let alice = app.user("alice").await;
    let rel = relationship(&app, &alice, json!({"vendor_name": "Trailhead"})).await;
    let bought = thread(&app, &alice, &rel, "Bought the jacket", "purchase").await;
    let broke = thread(&app, &alice, &rel, "Zip broke", "support").await;
    let (a, csrf) = signed_in(&app, "alice").await;
    let links = |t: &str| app.url(&format!("/threads/{t}/links"));

    let html = page(&a, app.url(&format!("/threads/{broke}"))).await;
    assert!(html.contains("Link to another conversation"), "{html}");
    assert!(html.contains(&format!(
        r#"<option value="{bought}">Bought the jacket</option>"#
    )));
    assert!(
        !html.contains(&format!(r#"<option value="{broke}">"#)),
        "not itself"
    );

    let form = [
        ("csrf", csrf.as_str()),
        ("kind", "follows_from"),
        ("to", &bought),
    ];
    let r = post_form(&a, links(&broke), &form).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = page(&a, app.url(&format!("/threads/{broke}"))).await;
    assert!(
        html.contains(&format!(
            r#"<li>follows from <a href="/threads/{bought}">Bought the jacket</a></li>"#
        )),
        "{html}"
    );
    let html = page(&a, app.url(&format!("/threads/{bought}"))).await;
    assert!(html.contains(&format!(
        r#"<li>followed by <a href="/threads/{broke}">Zip broke</a></li>"#
    )));

    // The purchase cannot follow from its own follower: 422 on the page, nothing linked.
    let back = [
        ("csrf", csrf.as_str()),
        ("kind", "follows_from"),
        ("to", &broke),
    ];
    let r = post_form(&a, links(&bought), &back).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("its own ancestor"), "{html}");
    let unknown = [
        ("csrf", csrf.as_str()),
        ("kind", "caused_by"),
        ("to", &broke),
    ];
    let r = post_form(&a, links(&bought), &unknown).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Another person's conversation is not there to link to, either way round.
    let mallory = app.user("mallory").await;
    let theirs = relationship(&app, &mallory, json!({"vendor_name": "Elsewhere"})).await;
    let theirs = thread(&app, &mallory, &theirs, "Mine", "research").await;
    let cross = [
        ("csrf", csrf.as_str()),
        ("kind", "related"),
        ("to", &theirs),
    ];
    let r = post_form(&a, links(&bought), &cross).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = post_form(
        &a,
        links(&theirs),
        &[
            ("csrf", csrf.as_str()),
            ("kind", "related"),
            ("to", &bought),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let got = app.get(&format!("/api/v1/threads/{bought}"), &alice).await;
    let got: serde_json::Value = got.json().await.unwrap();
    assert_eq!(got["links"].as_array().unwrap().len(), 1, "{got}");
}
