//! Linking conversations from the thread page, and the links it refuses.

use crate::helpers::{page, post_form, signed_in, TestApp};
use crate::ledger::{relationship, thread};
use reqwest::StatusCode;
use serde_json::json;
use slingshot_store::testing::TestDb;

/// Alice, signed in, with a purchase and its support case at one vendor.
struct Jacket {
    app: TestApp,
    alice: String,
    bought: String,
    broke: String,
    a: reqwest::Client,
    csrf: String,
}

impl Jacket {
    async fn new() -> Self {
        let app = TestApp::spawn(TestDb::sqlite().await).await;
        let alice = app.user("alice").await;
        let rel = relationship(&app, &alice, json!({"vendor_name": "Trailhead"})).await;
        let bought = thread(&app, &alice, &rel, "Bought the jacket", "purchase").await;
        let broke = thread(&app, &alice, &rel, "Zip broke", "support").await;
        let (a, csrf) = signed_in(&app, "alice").await;
        Self {
            app,
            alice,
            bought,
            broke,
            a,
            csrf,
        }
    }
}

#[tokio::test]
async fn a_person_links_a_support_case_to_its_purchase_on_the_page() {
    let Jacket {
        app,
        alice,
        bought,
        broke,
        a,
        csrf,
    } = Jacket::new().await;
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
            r#"<li>follows from <a href="/threads/{bought}">Bought the jacket</a>"#
        )),
        "{html}"
    );
    let html = page(&a, app.url(&format!("/threads/{bought}"))).await;
    assert!(html.contains(&format!(
        r#"<li>followed by <a href="/threads/{broke}">Zip broke</a>"#
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

#[tokio::test]
async fn a_wrong_link_is_removed_from_either_conversation() {
    let Jacket {
        app,
        bought,
        broke,
        a,
        csrf,
        ..
    } = Jacket::new().await;
    let link = [
        ("csrf", csrf.as_str()),
        ("kind", "duplicate_of"),
        ("to", &bought),
    ];
    let r = post_form(&a, app.url(&format!("/threads/{broke}/links")), &link).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = page(&a, app.url(&format!("/threads/{bought}"))).await;
    assert!(html.contains("duplicated by"), "{html}");
    assert!(html.contains("Remove the link to Zip broke"), "{html}");

    let remove = |kind: &'static str| {
        [
            ("csrf", csrf.clone()),
            ("from", broke.clone()),
            ("to", bought.clone()),
            ("kind", kind.to_owned()),
        ]
    };
    let unlink = |on: &str| app.url(&format!("/threads/{on}/links/remove"));
    // An unknown kind is refused on the page; a link of another kind is not there.
    let r = a
        .post(unlink(&bought))
        .form(&remove("caused_by"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = a
        .post(unlink(&bought))
        .form(&remove("related"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // Another person cannot remove it, from either conversation.
    app.user("mallory").await;
    let (m, m_csrf) = signed_in(&app, "mallory").await;
    let mut theirs = remove("duplicate_of");
    theirs[0].1 = m_csrf;
    let r = m.post(unlink(&bought)).form(&theirs).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // Without the form's token nothing happens.
    let mut forged = remove("duplicate_of");
    forged[0].1 = "forged".into();
    let r = a.post(unlink(&bought)).form(&forged).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let html = page(&a, app.url(&format!("/threads/{broke}"))).await;
    assert!(html.contains("duplicate of"), "still linked: {html}");

    // From the conversation it points to: back there, and gone from both pages.
    let r = a
        .post(unlink(&bought))
        .form(&remove("duplicate_of"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        r.headers()["location"],
        format!("/threads/{bought}").as_str()
    );
    for t in [&bought, &broke] {
        let html = page(&a, app.url(&format!("/threads/{t}"))).await;
        assert!(!html.contains("class=\"links\""), "{html}");
    }
    let r = a
        .post(unlink(&bought))
        .form(&remove("duplicate_of"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND, "already removed");
}
