//! Pages of the ledger: the vendor inbox and its due list, assignment, paging, corrections,
//! relationship notes, several mail files at once, bringing a history in, search by vendor.

use crate::helpers::{page, post_form, signed_in, TestApp};
use reqwest::StatusCode;
use slingshot_store::testing::TestDb;

#[tokio::test]
async fn the_inbox_page_lists_the_agents_follow_ups_due() {
    use serde_json::{json, Value};
    let app = TestApp::spawn(TestDb::sqlite().await).await;
    let (carol, alice, rel) = northwind_and_customer(&app).await;
    let day = |days: i64| -> String {
        slingshot_store::rfc3339(slingshot_store::now_us() + days * 86_400_000_000)
            .chars()
            .take(10)
            .collect()
    };
    // Two conversations: the agent chases one today, the other next week.
    for (subject, follow_up) in [("Zip broke", day(0)), ("Wrong size", day(7))] {
        let path = format!("/api/v1/relationships/{rel}/threads");
        let body = json!({"subject": subject, "stage": "support"});
        let t: Value = app
            .post(&path, Some(&alice), body)
            .await
            .json()
            .await
            .unwrap();
        let path = format!("/api/v1/threads/{}", t["id"].as_str().unwrap());
        let change = Some(json!({ "follow_up_on": follow_up }));
        let r = app
            .call(reqwest::Method::PATCH, &path, Some(&carol), change)
            .await;
        assert_eq!(r.status(), StatusCode::OK);
    }
    let (c, _) = signed_in(&app, "carol").await;
    let page = page(&c, app.url("/orgs/northwind/inbox")).await;
    assert!(
        page.contains(r#"action="/orgs/northwind/search""#),
        "the inbox has no search: {page}"
    );
    let (due, rest) = page.split_once("Follow-ups due").expect("a due section");
    let section = rest.split("</section>").next().unwrap();
    assert!(
        section.contains("Zip broke") && section.contains(&day(0)),
        "{section}"
    );
    assert!(!section.contains("Wrong size"), "{section}");
    // Both stay in the inbox table, each with the agent's date.
    assert!(rest.contains("Wrong size") && rest.contains(&day(7)));
    assert!(!due.contains("Zip broke"));
    // The customer has no inbox at all.
    let r = app.get("/api/v1/orgs/northwind/due", &alice).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

/// Sign `handle` in through the login form; the client and a CSRF token for its forms.
#[tokio::test]
async fn agents_assign_on_the_thread_page_and_filter_the_inbox() {
    use serde_json::{json, Value};
    let app = TestApp::spawn(TestDb::sqlite().await).await;
    let (carol, alice, rel) = northwind_and_customer(&app).await;
    let mut threads = Vec::new();
    for subject in ["Zip broke", "Wrong size"] {
        let path = format!("/api/v1/relationships/{rel}/threads");
        let t: Value = app
            .post(
                &path,
                Some(&alice),
                json!({"subject": subject, "stage": "support"}),
            )
            .await
            .json()
            .await
            .unwrap();
        threads.push(t["id"].as_str().unwrap().to_owned());
    }
    let carol_id = app.user_id(&carol).await;
    let (c, csrf) = signed_in(&app, "carol").await;
    // The agent's thread page offers the organization's people to assign.
    let html = page(&c, app.url(&format!("/threads/{}", threads[0]))).await;
    assert!(
        html.contains("name=\"assignee\"") && html.contains(&format!("value=\"{carol_id}\"")),
        "{html}"
    );
    let assign = |c: &reqwest::Client, csrf: &str, thread: &str| {
        let form = [
            ("csrf", csrf),
            ("stage", "support"),
            ("status", "open"),
            ("assignee", carol_id.as_str()),
        ];
        c.post(app.url(&format!("/threads/{thread}/update")))
            .form(&form)
            .send()
    };
    let r = assign(&c, &csrf, &threads[0]).await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let t: Value = app
        .get(&format!("/api/v1/threads/{}", threads[0]), &carol)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(t["assignee_id"], carol_id.as_str());
    // The inbox shows who has what, links each customer, and filters.
    let html = page(&c, app.url("/orgs/northwind/inbox")).await;
    assert!(
        html.contains(&format!("href=\"/relationships/{rel}\"")),
        "{html}"
    );
    assert!(html.contains("<td>carol</td>"), "{html}");
    let table = |html: &str| html.split("<tbody>").nth(1).unwrap_or("").to_owned();
    let unassigned = table(&page(&c, app.url("/orgs/northwind/inbox?assignee=none")).await);
    assert!(
        unassigned.contains("Wrong size") && !unassigned.contains("Zip broke"),
        "{unassigned}"
    );
    let mine = table(&page(&c, app.url("/orgs/northwind/inbox?assignee=me")).await);
    assert!(
        mine.contains("Zip broke") && !mine.contains("Wrong size"),
        "{mine}"
    );
    // The customer's page has no assignee control, and posting one is refused in place.
    let (alice_c, alice_csrf) = signed_in(&app, "alice").await;
    let html = page(&alice_c, app.url(&format!("/threads/{}", threads[1]))).await;
    assert!(!html.contains("name=\"assignee\""));
    let r = assign(&alice_c, &alice_csrf, &threads[1]).await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let t: Value = app
        .get(&format!("/api/v1/threads/{}", threads[1]), &carol)
        .await
        .json()
        .await
        .unwrap();
    assert!(t["assignee_id"].is_null());
}

#[tokio::test]
async fn older_entries_keep_the_filters_and_long_threads_page() {
    use serde_json::json;
    let app = TestApp::spawn(TestDb::sqlite().await).await;
    let alice = app.user("alice").await;
    let (_, tid) = vendor_thread(&app, &alice, "Corner Bikes", "Long story", "support").await;
    let tid = tid.as_str();
    for i in 0..201 {
        let r = app
            .post(
                &format!("/api/v1/threads/{tid}/entries"),
                Some(&alice),
                json!({"kind": "note", "text": format!("note number {i}")}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    let (c, _) = signed_in(&app, "alice").await;
    let html = page(&c, app.url("/relationships?stage=support&tag=")).await;
    let href = html
        .split("href=\"?")
        .nth(1)
        .expect("an older-entries link")
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&")
        .replace("&#38;", "&");
    assert!(href.starts_with("stage=support&before="), "{href}");
    assert!(!href.contains("tag="), "empty filters are left out: {href}");
    let older = page(&c, app.url(&format!("/relationships?{href}"))).await;
    assert!(
        older.contains("note number 150") && !older.contains("note number 151<"),
        "the next 50"
    );
    // A thread shows its newest 200 entries, oldest first, and links to the rest.
    let html = page(&c, app.url(&format!("/threads/{tid}"))).await;
    assert!(html.contains("note number 200") && !html.contains("note number 0<"));
    let href = html
        .split("href=\"?")
        .nth(1)
        .expect("a link to earlier entries")
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&")
        .replace("&#38;", "&");
    let earlier = page(&c, app.url(&format!("/threads/{tid}?{href}"))).await;
    assert!(
        earlier.contains("note number 0<") && !earlier.contains("note number 200"),
        "{earlier}"
    );
}

#[tokio::test]
async fn several_eml_files_import_as_one_upload() {
    let app = TestApp::spawn(TestDb::sqlite().await).await;
    app.user("alice").await;
    let (c, csrf) = signed_in(&app, "alice").await;
    let order = "From: Shop <orders@shop.example>\r\nTo: alice@home.example\r\nSubject: Order 5\r\nMessage-ID: <o5@shop.example>\r\nDate: Mon, 3 Mar 2025 09:00:00 +0000\r\n\r\nThanks for ordering.\r\n";
    let reply = "From: Alice <alice@home.example>\r\nTo: orders@shop.example\r\nSubject: Re: Order 5\r\nMessage-ID: <r5@home.example>\r\nIn-Reply-To: <o5@shop.example>\r\nDate: Tue, 4 Mar 2025 09:00:00 +0000\r\n\r\nWhere is it?\r\n";
    let upload = |files: Vec<(&'static str, &'static str)>| {
        let c = c.clone();
        let url = app.url(&format!("/mail/import?csrf={csrf}"));
        async move {
            let mut form = reqwest::multipart::Form::new().text("me", "alice@home.example");
            for (name, text) in files {
                form = form.part(
                    "file",
                    reqwest::multipart::Part::bytes(text.as_bytes()).file_name(name),
                );
            }
            c.post(url).multipart(form).send().await.unwrap()
        }
    };
    let r = upload(vec![("order.eml", order), ("reply.eml", reply)]).await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("2 imported"), "{html}");
    assert!(
        html.contains("2 message(s)"),
        "one conversation of two: {html}"
    );
    // No file at all is refused in place.
    let r = upload(vec![]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_person_keeps_notes_and_describes_the_vendor_on_its_page() {
    let app = TestApp::spawn(TestDb::sqlite().await).await;
    app.user("alice").await;
    let (c, csrf) = signed_in(&app, "alice").await;
    let form = [
        ("csrf", csrf.as_str()),
        ("org", ""),
        ("vendor_name", "Corner Bikes"),
        ("notes", "Ask for Sam at the counter"),
    ];
    let r = post_form(&c, app.url("/relationships"), &form).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let at = r.headers()["location"].to_str().unwrap().to_owned();
    let html = page(&c, app.url(&at)).await;
    assert!(html.contains("Ask for Sam at the counter"), "{html}");
    let edit = [
        ("csrf", csrf.as_str()),
        ("vendor_name", "Corner Bikes & Repairs"),
        ("vendor_website", "https://cornerbikes.example"),
        ("vendor_domain", "cornerbikes.example"),
        ("notes", "Sam left; ask for Jo"),
    ];
    let r = post_form(&c, app.url(&format!("{at}/edit")), &edit).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = page(&c, app.url(&at)).await;
    assert!(
        html.contains("Corner Bikes &#38; Repairs") || html.contains("Corner Bikes &amp; Repairs"),
        "{html}"
    );
    assert!(
        html.contains("mail from cornerbikes.example") && html.contains("Sam left; ask for Jo")
    );
    // A bad domain is refused and changes nothing.
    let bad = [
        ("csrf", csrf.as_str()),
        ("vendor_name", "X"),
        ("vendor_domain", "no spaces please"),
    ];
    let r = post_form(&c, app.url(&format!("{at}/edit")), &bad).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page(&c, app.url(&at))
        .await
        .contains("mail from cornerbikes.example"));
}

#[tokio::test]
async fn a_correction_is_written_from_the_thread_page_and_points_to_its_entry() {
    use serde_json::{json, Value};
    let app = TestApp::spawn(TestDb::sqlite().await).await;
    let alice = app.user("alice").await;
    let (rid, tid) = vendor_thread(&app, &alice, "Corner Bikes", "Bike", "purchase").await;
    let tid = tid.as_str();
    let e: Value = app
        .post(
            &format!("/api/v1/threads/{tid}/entries"),
            Some(&alice),
            json!({"kind": "message", "text": "I paid 899 EUR"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let hash = e["hash"].as_str().unwrap();
    let (c, csrf) = signed_in(&app, "alice").await;
    let html = page(&c, app.url(&format!("/threads/{tid}"))).await;
    let link = format!("href=\"?correct={hash}#write-h\"");
    assert!(html.contains(&link), "{html}");
    let form_page = page(&c, app.url(&format!("/threads/{tid}?correct={hash}"))).await;
    assert!(form_page.contains(&format!("name=\"corrects\" value=\"{hash}\"")));
    assert!(form_page.contains("<option value=\"correction\" selected>"));
    let form = [
        ("csrf", csrf.as_str()),
        ("kind", "correction"),
        ("text", "It was 859 EUR"),
        ("corrects", hash),
    ];
    let r = post_form(&c, app.url(&format!("/threads/{tid}/entries")), &form).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = page(&c, app.url(&format!("/threads/{tid}"))).await;
    let old = e["id"].as_str().unwrap();
    assert!(
        html.contains(&format!("corrects <a href=\"#e-{old}\">#1</a>")),
        "{html}"
    );
    assert!(html.contains(">corrected</a>"));
    // A correction of nothing real is refused in place, and nothing is added.
    let bad = [
        ("csrf", csrf.as_str()),
        ("kind", "correction"),
        ("text", "x"),
        ("corrects", "00"),
    ];
    let r = post_form(&c, app.url(&format!("/threads/{tid}/entries")), &bad).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let tl: Value = app
        .get(&format!("/api/v1/relationships/{rid}/timeline"), &alice)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(tl["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_history_downloaded_here_is_brought_in_on_another_instance() {
    use serde_json::json;
    let app = TestApp::spawn(TestDb::sqlite().await).await;
    let alice = app.user("alice").await;
    let (rid, tid) = vendor_thread(&app, &alice, "Corner Bikes", "Bike purchase", "purchase").await;
    let rid = rid.as_str();
    let r = app
        .post(
            &format!("/api/v1/threads/{tid}/entries"),
            Some(&alice),
            json!({"kind": "message", "text": "Receipt please"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let (c, _) = signed_in(&app, "alice").await;
    let r = c
        .get(app.url(&format!("/relationships/{rid}/export")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let bundle = r.bytes().await.unwrap().to_vec();

    let other = TestApp::spawn(TestDb::sqlite().await).await;
    other.user("alice").await;
    let (c2, csrf2) = signed_in(&other, "alice").await;
    let send = |bytes: Vec<u8>| {
        let c2 = c2.clone();
        let url = other.url(&format!("/relationships/import?csrf={csrf2}"));
        async move {
            let part = reqwest::multipart::Part::bytes(bytes).file_name("history.jsonl");
            c2.post(url)
                .multipart(reqwest::multipart::Form::new().part("file", part))
                .send()
                .await
                .unwrap()
        }
    };
    // An altered history is refused in place, naming the entry; nothing is stored.
    let altered = String::from_utf8(bundle.clone())
        .unwrap()
        .replace("Receipt please", "Refund please");
    let r = send(altered.into_bytes()).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("entry 1"));
    let r = send(bundle).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        r.headers()["location"],
        format!("/relationships/{rid}").as_str()
    );
    let html = page(&c2, other.url(&format!("/relationships/{rid}"))).await;
    assert!(
        html.contains("Bike purchase") && html.contains("Receipt please"),
        "{html}"
    );
}

#[tokio::test]
async fn the_search_page_narrows_to_one_vendor() {
    use serde_json::{json, Value};
    let app = TestApp::spawn(TestDb::sqlite().await).await;
    let alice = app.user("alice").await;
    let mut rels = Vec::new();
    for vendor in ["Corner Bikes", "Lakeside Books"] {
        let rel: Value = app
            .post(
                "/api/v1/relationships",
                Some(&alice),
                json!({"vendor_name": vendor}),
            )
            .await
            .json()
            .await
            .unwrap();
        let rid = rel["id"].as_str().unwrap().to_owned();
        let path = format!("/api/v1/relationships/{rid}/threads");
        let t: Value = app
            .post(
                &path,
                Some(&alice),
                json!({"subject": format!("{vendor} order"), "stage": "purchase"}),
            )
            .await
            .json()
            .await
            .unwrap();
        let body = json!({"kind": "message", "text": format!("Where is my parcel from {vendor}?")});
        let r = app
            .post(
                &format!("/api/v1/threads/{}/entries", t["id"].as_str().unwrap()),
                Some(&alice),
                body,
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        rels.push(rid);
    }
    let (c, _) = signed_in(&app, "alice").await;
    let all = page(&c, app.url("/search?q=parcel")).await;
    assert!(all.contains("2 result(s)"), "{all}");
    let one = page(
        &c,
        app.url(&format!("/search?q=parcel&relationship={}", rels[1])),
    )
    .await;
    assert!(
        one.contains("1 result(s)") && one.contains("Lakeside Books order"),
        "{one}"
    );
    assert!(one.contains(&format!("<option value=\"{}\" selected>", rels[1])));
}

/// A relationship with an off-platform `vendor` and a thread in it, through the API:
/// (relationship id, thread id).
async fn vendor_thread(
    app: &TestApp,
    token: &str,
    vendor: &str,
    subject: &str,
    stage: &str,
) -> (String, String) {
    use serde_json::{json, Value};
    let rel: Value = app
        .post(
            "/api/v1/relationships",
            Some(token),
            json!({"vendor_name": vendor}),
        )
        .await
        .json()
        .await
        .unwrap();
    let rid = rel["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/relationships/{rid}/threads");
    let t: Value = app
        .post(
            &path,
            Some(token),
            json!({"subject": subject, "stage": stage}),
        )
        .await
        .json()
        .await
        .unwrap();
    (rid, t["id"].as_str().unwrap().to_owned())
}

/// Northwind (owner bob) with agent carol, and alice's relationship with it, through the
/// API: carol's and alice's tokens and the relationship's id.
pub(crate) async fn northwind_and_customer(app: &TestApp) -> (String, String, String) {
    use serde_json::{json, Value};
    let bob = app.user("bob").await;
    let carol = app.user("carol").await;
    let alice = app.user("alice").await;
    let org = app.org(&bob, "northwind").await;
    app.join(&bob, &org, &carol, "agent").await;
    let rel: Value = app
        .post(
            "/api/v1/relationships",
            Some(&alice),
            json!({"org": "northwind"}),
        )
        .await
        .json()
        .await
        .unwrap();
    (carol, alice, rel["id"].as_str().unwrap().to_owned())
}
