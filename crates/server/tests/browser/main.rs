//! Browser test: a real Chromium through chromedriver (Debian's `chromium` and
//! `chromium-driver`) drives the pages: register → sign in → create organization →
//! invite a member → the member accepts → the owner changes the role → the audit log
//! shows it.
//!
//! Skips with a note when chromedriver is missing, except when `CI` or
//! `SLINGSHOT_REQUIRE_BROWSER` is set: then a missing browser fails the test.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod inbox_live;
mod support;

use fantoccini::Locator;
use serde_json::json;
use std::time::Duration;
use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_org_invite_accept_role_change_and_audit() {
    let Some((_driver, c)) = start_driver().await else {
        return;
    };
    let (base, _db) = spawn_app().await;
    let password = "lantern orchard pebble";

    // The owner registers (and is signed in), signs out, signs in again.
    c.goto(&format!("{base}/register")).await.unwrap();
    fill(&c, "handle", "olivia").await;
    fill(&c, "display_name", "Olivia Owner").await;
    fill(&c, "password", password).await;
    click_button(&c, "Create account").await;
    wait_for_path(&c, "/").await;
    assert!(body_text(&c).await.contains("Welcome, Olivia Owner"));
    sign_out(&c).await;
    sign_in(&c, &base, "olivia", password).await;
    wait_for_path(&c, "/").await;
    assert!(body_text(&c).await.contains("Welcome, Olivia Owner"));

    // Create an organization.
    c.goto(&format!("{base}/orgs/new")).await.unwrap();
    fill(&c, "name", "Harbor Bikes").await;
    fill(&c, "handle", "harbor-bikes").await;
    find(&c, Locator::Id("kind"))
        .await
        .select_by_value("vendor")
        .await
        .unwrap();
    click_button(&c, "Create organization").await;
    wait_for_path(&c, "/orgs/harbor-bikes").await;

    // Invite a member as agent; the link is shown once.
    find(&c, Locator::Id("invite-role"))
        .await
        .select_by_value("agent")
        .await
        .unwrap();
    click_button(&c, "Create invitation link").await;
    let link = text_of(&c, Locator::Id("invite-link")).await;
    assert!(link.starts_with(&format!("{base}/invites/si_")), "{link}");
    sign_out(&c).await;

    // The member registers, opens the link and accepts.
    c.goto(&format!("{base}/register")).await.unwrap();
    fill(&c, "handle", "milo").await;
    fill(&c, "display_name", "Milo Member").await;
    fill(&c, "password", password).await;
    click_button(&c, "Create account").await;
    wait_for_path(&c, "/").await;
    c.goto(&link).await.unwrap();
    assert!(body_text(&c).await.contains("as agent"));
    click_button(&c, "Accept invitation").await;
    wait_for_path(&c, "/orgs/harbor-bikes").await;
    assert!(body_text(&c).await.contains("your role: agent"));
    // The link is single-use.
    c.goto(&link).await.unwrap();
    assert!(body_text(&c).await.contains("expired or was already used"));
    sign_out(&c).await;

    // The owner makes the member a moderator.
    sign_in(&c, &base, "olivia", password).await;
    wait_for_path(&c, "/").await;
    c.goto(&format!("{base}/orgs/harbor-bikes")).await.unwrap();
    find(&c, Locator::Id("role-milo"))
        .await
        .select_by_value("moderator")
        .await
        .unwrap();
    find(
        &c,
        Locator::XPath("//tr[@data-handle='milo']//button[normalize-space()='Change role']"),
    )
    .await
    .click()
    .await
    .unwrap();
    let mut role = String::new();
    for _ in 0..400 {
        role = text_of(&c, Locator::Css("tr[data-handle='milo'] td.role")).await;
        if role == "moderator" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(role, "moderator");

    // The audit log shows it.
    find(&c, Locator::LinkText("Audit log"))
        .await
        .click()
        .await
        .unwrap();
    wait_for_path(&c, "/orgs/harbor-bikes/audit").await;
    let first_row = text_of(&c, Locator::Css("table.audit tbody tr")).await;
    assert!(
        first_row.contains("role_changed")
            && first_row.contains("agent → moderator")
            && first_row.contains("milo"),
        "{first_row}"
    );
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_a_purchase_import_mail_and_find_it_by_search() {
    let Some((_driver, c)) = start_driver().await else {
        return;
    };
    let (base, _db) = spawn_app().await;

    c.goto(&format!("{base}/register")).await.unwrap();
    fill(&c, "handle", "paula").await;
    fill(&c, "display_name", "Paula Person").await;
    fill(&c, "password", "lantern orchard pebble").await;
    click_button(&c, "Create account").await;
    wait_for_path(&c, "/").await;

    // Track a vendor that is not on Slingshot.
    c.goto(&format!("{base}/relationships")).await.unwrap();
    fill(&c, "vendor_name", "Corner Bikes").await;
    fill(&c, "vendor_domain", "cornerbikes.example").await;
    click_button(&c, "Start tracking").await;
    for _ in 0..400 {
        if c.current_url()
            .await
            .unwrap()
            .path()
            .starts_with("/relationships/")
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(body_text(&c).await.contains("Corner Bikes"));

    // Start a purchase conversation and log the purchase.
    fill(&c, "subject", "New commuter bike").await;
    find(&c, Locator::Id("stage"))
        .await
        .select_by_value("purchase")
        .await
        .unwrap();
    click_button(&c, "Start conversation").await;
    for _ in 0..400 {
        if c.current_url()
            .await
            .unwrap()
            .path()
            .starts_with("/threads/")
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let thread_path = c.current_url().await.unwrap().path().to_owned();
    find(&c, Locator::Id("kind"))
        .await
        .select_by_value("event")
        .await
        .unwrap();
    fill(&c, "text", "Paid in store").await;
    find(&c, Locator::Id("event_type"))
        .await
        .select_by_value("purchase")
        .await
        .unwrap();
    fill(&c, "item", "Trail 3 bike").await;
    fill(&c, "amount", "899.00").await;
    fill(&c, "currency", "EUR").await;
    fill(&c, "order_ref", "CB-2211").await;
    click_button(&c, "Add").await;
    let mut text = String::new();
    for _ in 0..400 {
        text = body_text(&c).await;
        if text.contains("purchase: Trail 3 bike — 899.00 EUR, order CB-2211") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        text.contains("purchase: Trail 3 bike — 899.00 EUR, order CB-2211"),
        "{text}"
    );
    screenshot(&c, "thread").await;

    // Import an e-mail from the shop.
    let dir = tempfile::tempdir().unwrap();
    let eml = dir.path().join("warranty.eml");
    std::fs::write(&eml, "From: Corner Bikes <sam@cornerbikes.example>\r\nTo: paula@home.example\r\nSubject: Your warranty card\r\nMessage-ID: <w-1@cornerbikes.example>\r\nDate: Tue, 4 Mar 2025 10:00:00 +0000\r\n\r\nYour frame warranty runs for five years from today.\r\n").unwrap();
    c.goto(&format!("{base}/relationships")).await.unwrap();
    fill(&c, "me", "paula@home.example").await;
    find(&c, Locator::Id("mailfile"))
        .await
        .send_keys(eml.to_str().unwrap())
        .await
        .unwrap();
    click_button(&c, "Import").await;
    let mut summary = String::new();
    for _ in 0..400 {
        if let Ok(el) = c.find(Locator::Id("mail-summary")).await {
            summary = el.text().await.unwrap_or_default();
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        summary.starts_with("1 imported"),
        "{summary} / {}",
        body_text(&c).await
    );

    // Find it by search.
    c.goto(&format!("{base}/search?q=warranty")).await.unwrap();
    let hit = text_of(&c, Locator::Css("ol.hits li mark")).await;
    assert_eq!(hit.to_lowercase(), "warranty");
    screenshot(&c, "search").await;
    c.goto(&format!("{base}/relationships")).await.unwrap();
    screenshot(&c, "relationships").await;
    let timeline = body_text(&c).await;
    assert!(
        timeline.contains("Your frame warranty runs for five years")
            && timeline.contains("Trail 3 bike"),
        "{timeline}"
    );
    // An entry written elsewhere (here, through the API) appears on the open timeline
    // without a reload.
    let http = reqwest::Client::new();
    let r = http
        .post(format!("{base}/api/v1/sessions"))
        .json(&json!({"handle": "paula", "password": "lantern orchard pebble"}))
        .send()
        .await
        .unwrap();
    let token = r.json::<serde_json::Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = http
        .post(format!("{base}/api/v1{thread_path}/entries"))
        .bearer_auth(&token)
        .json(&json!({"kind": "note", "text": "Written from my phone"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::CREATED);
    wait_text(&c, Locator::Id("timeline"), "Written from my phone").await;
    assert_eq!(c.current_url().await.unwrap().path(), "/relationships");
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grant_then_request_extension_answer_with_export_and_a_refusal() {
    let Some((_driver, c)) = start_driver().await else {
        return;
    };
    let (base, _db) = spawn_app().await;
    let http = reqwest::Client::new();
    // The vendor and its published privacy settings; the customer's relationship with it.
    let owen = api_user(&http, &base, "owen").await;
    let pat = api_user(&http, &base, "pat").await;
    let ok = |r: reqwest::Response| {
        assert!(r.status().is_success(), "{}", r.status());
        r
    };
    ok(http
        .post(format!("{base}/api/v1/orgs"))
        .bearer_auth(&owen)
        .json(&json!({"handle": "shopco", "name": "Shop Co", "kind": "vendor"}))
        .send()
        .await
        .unwrap());
    ok(http
        .put(format!("{base}/api/v1/orgs/shopco/privacy"))
        .bearer_auth(&owen)
        .json(
            &json!({"response_days": 30, "time_zone": "Europe/Paris", "weekend": "sat,sun",
            "contact_email": "privacy@shop.example"}),
        )
        .send()
        .await
        .unwrap());
    ok(http
        .post(format!("{base}/api/v1/relationships"))
        .bearer_auth(&pat)
        .json(&json!({"org": "shopco"}))
        .send()
        .await
        .unwrap());

    // The customer keeps a field, grants it, and sends two requests from the page.
    sign_in(&c, &base, "pat", "lantern orchard pebble").await;
    wait_for_path(&c, "/").await;
    c.goto(&format!("{base}/data")).await.unwrap();
    find(&c, Locator::Id("field-kind"))
        .await
        .select_by_value("postal-address")
        .await
        .unwrap();
    fill(&c, "field-label", "Home").await;
    fill(&c, "field-value", "3 rue des Lilas, Lyon").await;
    click_button(&c, "Add field").await;
    wait_text(&c, Locator::Id("fields"), "3 rue des Lilas").await;
    find(&c, Locator::Id("grant-purpose"))
        .await
        .select_by_value("delivery")
        .await
        .unwrap();
    find(
        &c,
        Locator::XPath("//form[@action='/data/grants']//input[@name='field']"),
    )
    .await
    .click()
    .await
    .unwrap();
    click_button(&c, "Grant").await;
    wait_text(&c, Locator::Id("grant-list"), "active").await;

    find(&c, Locator::Id("req-kind"))
        .await
        .select_by_value("access")
        .await
        .unwrap();
    fill(
        &c,
        "req-body",
        "Please send me everything you hold about me.",
    )
    .await;
    click_button(&c, "Send request").await;
    let state = text_of(&c, Locator::Id("request-state")).await;
    assert_eq!(state, "received");
    let access_url = c.current_url().await.unwrap();
    let access_id = access_url
        .path()
        .trim_start_matches("/requests/")
        .to_owned();
    c.goto(&format!("{base}/data")).await.unwrap();
    find(&c, Locator::Id("req-kind"))
        .await
        .select_by_value("objection")
        .await
        .unwrap();
    fill(&c, "req-body", "Stop sending me catalogues.").await;
    click_button(&c, "Send request").await;
    wait_text(&c, Locator::Id("request-state"), "received").await;
    let objection_path = c.current_url().await.unwrap().path().to_owned();
    sign_out(&c).await;

    // The organization works its queue: extend once, then answer with the export.
    sign_in(&c, &base, "owen", "lantern orchard pebble").await;
    wait_for_path(&c, "/").await;
    c.goto(&format!("{base}/orgs/shopco/privacy"))
        .await
        .unwrap();
    let queue = wait_text(&c, Locator::Id("queue"), "objection").await;
    assert!(queue.contains("access"), "{queue}");
    find(
        &c,
        Locator::XPath("//table[@id='queue']//a[normalize-space()='access']"),
    )
    .await
    .click()
    .await
    .unwrap();
    wait_for_path(&c, &format!("/requests/{access_id}")).await;
    let first_due = text_of(&c, Locator::Id("due-on")).await;
    fill(&c, "ext-reason", "Our archive is being moved.").await;
    fill(&c, "ext-days", "10").await;
    click_button(&c, "Extend").await;
    wait_text(&c, Locator::Id("request-state"), "extended").await;
    let new_due = text_of(&c, Locator::Id("due-on")).await;
    assert!(new_due > first_due, "{new_due} after {first_due}");
    assert!(
        c.find(Locator::Id("extend-button")).await.is_err(),
        "a second extension is offered"
    );
    fill(&c, "ans-text", "Here is all we hold.").await;
    click_button(&c, "Send answer").await;
    wait_text(&c, Locator::Id("request-state"), "answered").await;
    find(&c, Locator::Id("export-link")).await;

    // A refusal needs reasons and recourse: without recourse nothing changes.
    c.goto(&format!("{base}{objection_path}")).await.unwrap();
    fill(&c, "ref-reasons", "Catalogues go to all loyalty members.").await;
    click_button(&c, "Refuse").await;
    wait_text(&c, Locator::Css("p.error"), "recourse").await;
    assert_eq!(text_of(&c, Locator::Id("request-state")).await, "received");
    fill(&c, "ref-reasons", "Catalogues go to all loyalty members.").await;
    fill(&c, "ref-recourse", "Complain to the CNIL.").await;
    click_button(&c, "Refuse").await;
    wait_text(&c, Locator::Id("request-state"), "refused").await;
    assert!(text_of(&c, Locator::Id("recourse")).await.contains("CNIL"));
    sign_out(&c).await;

    // The customer sees the extension, the answer and the refusal, and gets the export.
    sign_in(&c, &base, "pat", "lantern orchard pebble").await;
    wait_for_path(&c, "/").await;
    c.goto(&format!("{base}/requests/{access_id}"))
        .await
        .unwrap();
    assert!(text_of(&c, Locator::Id("extension"))
        .await
        .contains("archive is being moved"));
    assert!(text_of(&c, Locator::Id("history"))
        .await
        .contains("Extended to"));
    let href = find(&c, Locator::Id("export-link"))
        .await
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(href, format!("/requests/{access_id}/export"));
    let export: serde_json::Value = http
        .get(format!("{base}/api/v1/requests/{access_id}/export"))
        .bearer_auth(&pat)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(export["grants"].as_array().unwrap().len(), 1);
    c.goto(&format!("{base}{objection_path}")).await.unwrap();
    assert!(text_of(&c, Locator::Id("reasons"))
        .await
        .contains("loyalty members"));
    screenshot(&c, "refused-request").await;
    c.close().await.unwrap();
}
