//! Corrections on the pages: an entry corrected from another conversation (or another
//! page) is marked corrected, and each end links to the other, here and after a move.

use crate::app_test;
use crate::helpers::{page, signed_in};
use crate::ledger::{entry, export, relationship, thread};
use reqwest::StatusCode;
use serde_json::json;

app_test!(
    an_entry_corrected_in_another_conversation_links_to_its_correction,
    |app| {
        let alice = app.user("alice").await;
        let rel = relationship(&app, &alice, json!({"vendor_name": "Corner Bikes"})).await;
        let bought = thread(&app, &alice, &rel, "Bike", "purchase").await;
        let support = thread(&app, &alice, &rel, "Flat tyre", "support").await;
        let wrong = entry(
            &app,
            &alice,
            &bought,
            json!({"kind": "message", "text": "I paid 899 EUR"}),
        )
        .await;
        let fix = entry(
            &app,
            &alice,
            &support,
            json!({"kind": "correction", "text": "It was 859 EUR", "corrects": wrong["hash"]}),
        )
        .await;
        let (old, new) = (wrong["id"].as_str().unwrap(), fix["id"].as_str().unwrap());
        let (c, _) = signed_in(&app, "alice").await;

        // The purchase conversation marks the entry, linking to the correction's page.
        let html = page(&c, app.url(&format!("/threads/{bought}"))).await;
        let to_fix = href_before(&html, "\">corrected</a>");
        assert!(
            to_fix.starts_with(&format!("/threads/{support}?entry="))
                && to_fix.ends_with(&format!(":{new}#e-{new}")),
            "{html}"
        );
        // The support conversation's correction links back to the entry, by number.
        let html = page(&c, app.url(&format!("/threads/{support}"))).await;
        let to_old = href_before(&html, "\">#1</a>");
        assert!(
            to_old.starts_with(&format!("/threads/{bought}?entry="))
                && to_old.ends_with(&format!(":{old}#e-{old}")),
            "{html}"
        );
        // Those links open the pages that hold the entries.
        let html = page(
            &c,
            app.url(to_fix.replace(&format!("#e-{new}"), "").as_str()),
        )
        .await;
        assert!(html.contains(&format!("id=\"e-{new}\"")), "{html}");
        let html = page(
            &c,
            app.url(to_old.replace(&format!("#e-{old}"), "").as_str()),
        )
        .await;
        assert!(html.contains(&format!("id=\"e-{old}\"")), "{html}");
        // On the relationship's page, which shows both, the links stay on the page.
        let html = page(&c, app.url(&format!("/relationships/{rel}"))).await;
        assert!(
            html.contains(&format!("href=\"#e-{new}\">corrected</a>")),
            "{html}"
        );
        assert!(html.contains(&format!("corrects <a href=\"#e-{old}\">#1</a>")));
        // Entries nobody corrected carry no mark.
        assert_eq!(html.matches(">corrected</a>").count(), 1);

        // The history moved to another instance keeps the links.
        let bundle = export(&app, &alice, &rel).await;
        let other =
            crate::helpers::TestApp::spawn(slingshot_store::testing::TestDb::sqlite().await).await;
        let alice2 = other.user("alice").await;
        let r = other
            .client
            .post(other.url("/api/v1/relationships/import"))
            .bearer_auth(&alice2)
            .body(bundle)
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            StatusCode::CREATED,
            "{}",
            r.text().await.unwrap()
        );
        let (c2, _) = signed_in(&other, "alice").await;
        let html = page(&c2, other.url(&format!("/threads/{bought}"))).await;
        assert!(html.contains(">corrected</a>"), "{html}");
        let html = page(&c2, other.url(&format!("/threads/{support}"))).await;
        assert!(html.contains("\">#1</a>"), "{html}");
    }
);

/// The address of the link whose text follows `end` (`…href="ADDRESS` + `end`).
fn href_before<'a>(html: &'a str, end: &str) -> &'a str {
    let stop = html
        .find(end)
        .unwrap_or_else(|| panic!("no {end} in {html}"));
    let start = html[..stop].rfind("href=\"").unwrap() + 6;
    &html[start..stop]
}
