//! What travels in a bundle besides the chain: attachment files (checked on import against
//! the signed body, downloadable where they were brought), each conversation's dates, and
//! the customer's follow-ups.

use crate::app_test;
use crate::helpers::{problem, TestApp};
use crate::ledger::{export, json_of, relationship, thread};
use serde_json::{json, Value};
use slingshot_domain::ledger::verify_bundle;

/// Upload a file to a thread; the attachment entry.
async fn upload(app: &TestApp, token: &str, thread: &str, name: &str, data: &[u8]) -> Value {
    let r = app
        .client
        .post(app.url(&format!(
            "/api/v1/threads/{thread}/attachments?filename={name}"
        )))
        .bearer_auth(token)
        .header("content-type", "application/octet-stream")
        .body(data.to_vec())
        .send()
        .await
        .unwrap();
    json_of(r).await
}

async fn import(app: &TestApp, token: &str, bundle: Vec<u8>) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/relationships/import"))
        .bearer_auth(token)
        .body(bundle)
        .send()
        .await
        .unwrap()
}

app_test!(attachment_files_travel_with_the_bundle, |app| {
    let alice = app.user("alice").await;
    let rel = relationship(&app, &alice, json!({"vendor_name": "Paper Vendor"})).await;
    let t = thread(&app, &alice, &rel, "Receipts", "purchase").await;
    let mut pdf = b"%PDF-1.7\n".to_vec();
    pdf.resize(40_000, b'r');
    let receipt = upload(&app, &alice, &t, "receipt.pdf", &pdf).await;
    let notes = upload(&app, &alice, &t, "notes.txt", b"serial 0042-77").await;
    let receipt_id = receipt["body"]["attachment"]["id"].as_str().unwrap();
    let notes_id = notes["body"]["attachment"]["id"].as_str().unwrap();

    let bundle = export(&app, &alice, &rel).await;
    let report = verify_bundle(&bundle[..]).unwrap();
    assert!(report.is_valid(), "{report}");
    assert_eq!(report.files, 2, "{report}");

    // The PDF's file altered in the bundle: refused, naming the entry; nothing is stored.
    let other = TestApp::spawn(slingshot_store::testing::TestDb::sqlite().await).await;
    let bob = other.user("bob").await;
    let text = String::from_utf8(bundle.clone()).unwrap();
    let seq = receipt["seq"].as_u64().unwrap();
    let tampered: Vec<String> = text
        .lines()
        .map(|line| {
            let mut v: Value = serde_json::from_str(line).unwrap();
            if v["header"]["sequence"].as_u64() == Some(seq) {
                let file = v["file"].as_str().expect("the PDF's line carries its file");
                v["file"] = json!(file.replacen('c', "d", 1));
            }
            v.to_string()
        })
        .collect();
    let r = import(&other, &bob, (tampered.join("\n") + "\n").into_bytes()).await;
    let p = problem(r, 422, "invalid_bundle").await;
    let detail = p["detail"].as_str().unwrap();
    assert!(
        detail.contains(&format!("entry {seq}: attachment file was altered")),
        "{p}"
    );
    let rels = json_of(other.get("/api/v1/relationships", &bob).await).await;
    assert!(rels["items"].as_array().unwrap().is_empty(), "{rels}");

    // The bundle as exported: imported, and both files download there as they were.
    json_of(import(&other, &bob, bundle.clone()).await).await;
    for (id, data, content_type) in [
        (receipt_id, &pdf[..], "application/pdf"),
        (notes_id, &b"serial 0042-77"[..], "text/plain"),
    ] {
        let got = other.get(&format!("/api/v1/attachments/{id}"), &bob).await;
        assert_eq!(got.status(), 200);
        assert_eq!(got.headers()["content-type"], content_type);
        assert_eq!(&got.bytes().await.unwrap()[..], data);
    }
    // The history brought here exports with its files again.
    let again = export(&other, &bob, &rel).await;
    assert_eq!(verify_bundle(&again[..]).unwrap().files, 2);

    // An erased attachment leaves its file behind; the chain still verifies.
    let path = format!("/api/v1/entries/{}/erase", notes["id"].as_str().unwrap());
    let r = app.post(&path, Some(&alice), json!({})).await;
    assert_eq!(r.status(), 204);
    let after = export(&app, &alice, &rel).await;
    let report = verify_bundle(&after[..]).unwrap();
    assert!(report.is_valid(), "{report}");
    assert_eq!((report.files, report.erased), (1, 1), "{report}");
});

app_test!(
    imported_conversations_keep_their_dates_and_the_customers_follow_ups,
    |app| {
        let bob = app.user("bob").await;
        let alice = app.user("alice").await;
        app.org(&bob, "northwind").await;
        let r = app
            .post(
                "/api/v1/relationships",
                Some(&alice),
                json!({"org": "northwind"}),
            )
            .await;
        let rel = json_of(r).await["id"].as_str().unwrap().to_owned();
        let path = format!("/api/v1/relationships/{rel}/threads");
        let body = json!({"subject": "Order 7", "stage": "purchase", "follow_up_on": "2026-12-11"});
        let t = json_of(app.post(&path, Some(&alice), body).await).await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        // Bought in the shop weeks ago, logged today; the vendor keeps its own reminder.
        let path = format!("/api/v1/threads/{t}/entries");
        let bought = json!({"kind": "event", "event": {"type": "purchase", "item": "Trail 3", "on": "2026-11-02"}});
        json_of(app.post(&path, Some(&alice), bought).await).await;
        let change = Some(json!({"follow_up_on": "2026-12-09"}));
        let r = app
            .call(
                reqwest::Method::PATCH,
                &format!("/api/v1/threads/{t}"),
                Some(&bob),
                change,
            )
            .await;
        assert_eq!(r.status(), 200);

        let other = TestApp::spawn(slingshot_store::testing::TestDb::sqlite().await).await;
        let carl = other.user("carl").await;
        let threads_of = |token: String| {
            let other = &other;
            let rel = rel.clone();
            async move {
                let path = format!("/api/v1/relationships/{rel}/threads");
                json_of(other.get(&path, &token).await).await["items"][0].clone()
            }
        };
        // The customer's bundle: her follow-up comes along, and the conversation began when
        // its first entry says, not when it was imported.
        json_of(import(&other, &carl, export(&app, &alice, &rel).await).await).await;
        let brought = threads_of(carl.clone()).await;
        assert_eq!(brought["follow_up_on"], "2026-12-11", "{brought}");
        assert!(
            brought["created_at"]
                .as_str()
                .unwrap()
                .starts_with("2026-11-02"),
            "{brought}"
        );
        let due = json_of(other.get("/api/v1/due?date=2026-12-11", &carl).await).await;
        assert_eq!(due["items"][0]["id"], t.as_str(), "{due}");
        // The vendor's bundle carries neither side's reminder.
        let third = TestApp::spawn(slingshot_store::testing::TestDb::sqlite().await).await;
        let dora = third.user("dora").await;
        json_of(import(&third, &dora, export(&app, &bob, &rel).await).await).await;
        let path = format!("/api/v1/relationships/{rel}/threads");
        let theirs = json_of(third.get(&path, &dora).await).await["items"][0].clone();
        assert!(theirs["follow_up_on"].is_null(), "{theirs}");
    }
);

app_test!(
    the_customers_private_notes_come_along_and_the_vendors_stay,
    |app| {
        let bob = app.user("bob").await;
        let alice = app.user("alice").await;
        app.org(&bob, "northwind").await;
        let rel = relationship(&app, &alice, json!({"org": "northwind"})).await;
        let t = thread(&app, &alice, &rel, "Bike", "research").await;
        let path = format!("/api/v1/threads/{t}/entries");
        for (token, body) in [
            (
                &alice,
                json!({"kind": "message", "text": "Which frame size?"}),
            ),
            (
                &alice,
                json!({"kind": "note", "text": "compared three commuter frames"}),
            ),
            (
                &bob,
                json!({"kind": "note", "text": "vip customer, offer a discount"}),
            ),
        ] {
            json_of(app.post(&path, Some(token), body).await).await;
        }

        let bundle = export(&app, &alice, &rel).await;
        let report = verify_bundle(&bundle[..]).unwrap();
        assert!(report.is_valid(), "{report}");
        assert_eq!(report.notes, 1, "{report}");
        let text = String::from_utf8(bundle.clone()).unwrap();
        assert!(
            !text.contains("vip customer"),
            "the vendor's note left with the customer's bundle"
        );
        let vendors = String::from_utf8(export(&app, &bob, &rel).await).unwrap();
        assert!(!vendors.contains("commuter frames") && !vendors.contains("vip customer"));

        // Not a note this instance would take: refused with the line named, nothing stored.
        let other = TestApp::spawn(slingshot_store::testing::TestDb::sqlite().await).await;
        let carl = other.user("carl").await;
        for (from, to) in [
            (
                "\"side\":\"customer\",\"time\"",
                "\"side\":\"vendor\",\"time\"",
            ),
            ("compared three commuter frames", "   "),
        ] {
            assert!(text.contains(from), "{from}");
            let r = import(&other, &carl, text.replacen(from, to, 1).into_bytes()).await;
            let p = problem(r, 422, "invalid_bundle").await;
            assert!(p["detail"].as_str().unwrap().starts_with("line "), "{p}");
        }
        let rels = json_of(other.get("/api/v1/relationships", &carl).await).await;
        assert!(rels["items"].as_array().unwrap().is_empty(), "{rels}");

        // Brought in: the note is the importer's own private note, found by search.
        json_of(import(&other, &carl, bundle).await).await;
        let path = format!("/api/v1/threads/{t}/entries");
        let entries = json_of(other.get(&path, &carl).await).await;
        let notes: Vec<&Value> = entries["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == "note")
            .collect();
        assert_eq!(notes.len(), 1, "{entries}");
        assert_eq!(notes[0]["body"]["text"], "compared three commuter frames");
        let hits = json_of(other.get("/api/v1/search?q=commuter", &carl).await).await;
        assert_eq!(hits["items"].as_array().unwrap().len(), 1, "{hits}");
        // Exported again from there, it still verifies and still carries the note.
        let again = verify_bundle(&export(&other, &carl, &rel).await[..]).unwrap();
        assert!(again.is_valid() && again.notes == 1, "{again}");
    }
);

/// An attachment too large for a bundle line (possible when `attachment_limit` is raised past
/// 12 MiB) is left out of the bundle; the chain still verifies.
#[tokio::test]
async fn a_file_too_large_for_a_bundle_line_is_left_out() {
    let db = slingshot_store::testing::TestDb::sqlite().await;
    let app = TestApp::spawn_with(db, |c| c.attachment_limit = 13 * 1024 * 1024).await;
    let alice = app.user("alice").await;
    let rel = relationship(&app, &alice, json!({"vendor_name": "Scans"})).await;
    let t = thread(&app, &alice, &rel, "Scans", "other").await;
    let mut big = b"%PDF-1.7\n".to_vec();
    big.resize(12 * 1024 * 1024 + 1, b's');
    let scan = upload(&app, &alice, &t, "scan.pdf", &big).await["seq"].clone();
    upload(&app, &alice, &t, "small.txt", b"fits").await;
    let bundle = export(&app, &alice, &rel).await;
    let report = verify_bundle(&bundle[..]).unwrap();
    assert!(report.is_valid(), "{report}");
    assert_eq!(report.files, 1, "{report}");
    assert_eq!(json!(report.files_left_out), json!([scan]), "{report}");
}

/// Files are carried while the bundle stays within the instance's `import_limit` (so it can
/// be brought back); an instance that accepts smaller attachments imports the entries
/// without the larger files and says which.
#[tokio::test]
async fn bundles_keep_within_the_import_limit_and_imports_name_files_left_out() {
    let db = slingshot_store::testing::TestDb::sqlite().await;
    let app = TestApp::spawn_with(db, |c| c.import_limit = 2 * 1024 * 1024 + 200_000).await;
    let alice = app.user("alice").await;
    let rel = relationship(&app, &alice, json!({"vendor_name": "Scans"})).await;
    let t = thread(&app, &alice, &rel, "Scans", "other").await;
    let mut scan = b"%PDF-1.7\n".to_vec();
    scan.resize(600_000, b's');
    let mut seqs = Vec::new();
    for name in ["a.pdf", "b.pdf", "c.pdf"] {
        seqs.push(
            upload(&app, &alice, &t, name, &scan).await["seq"]
                .as_u64()
                .unwrap(),
        );
    }
    let small = upload(&app, &alice, &t, "small.txt", b"fits").await;
    let bundle = export(&app, &alice, &rel).await;
    assert!(
        bundle.len() <= 2 * 1024 * 1024 + 200_000,
        "{}",
        bundle.len()
    );
    let report = verify_bundle(&bundle[..]).unwrap();
    assert!(report.is_valid(), "{report}");
    // 1 MiB of room per line is kept: one scan and the small file; the bundle says
    // which files it left out.
    assert_eq!(report.files, 2, "{report}");
    assert_eq!(report.files_left_out, seqs[1..], "{report}");
    // The same bundle brought back here is accepted whole.
    let bob = app.user("bob").await;
    let r = import(&app, &bob, bundle.clone()).await;
    assert_eq!(r.status(), 409, "the relationship is already here");

    // Another instance that accepts attachments of at most 100 kB.
    let db = slingshot_store::testing::TestDb::sqlite().await;
    let other = TestApp::spawn_with(db, |c| c.attachment_limit = 100_000).await;
    let carol = other.user("carol").await;
    let r = import(&other, &carol, bundle).await;
    assert_eq!(r.status(), 201);
    let done = json_of(r).await;
    // The first scan is over this instance's limit; the exporter left out the others.
    assert_eq!(done["files_left_out"], json!(seqs), "{done}");
    let small_id = small["body"]["attachment"]["id"].as_str().unwrap();
    let got = other
        .get(&format!("/api/v1/attachments/{small_id}"), &carol)
        .await;
    assert_eq!(got.status(), 200);
    let timeline = json_of(
        other
            .get(&format!("/api/v1/relationships/{rel}/timeline"), &carol)
            .await,
    )
    .await;
    assert_eq!(timeline["items"].as_array().unwrap().len(), 4, "{timeline}");
}

/// Brought in through the page, a history whose files are too large here says which
/// entries came without them; the notice takes nothing but a list of numbers.
#[tokio::test]
async fn the_import_page_names_the_files_left_out() {
    use crate::helpers::{page, signed_in};
    let app = TestApp::spawn(slingshot_store::testing::TestDb::sqlite().await).await;
    let alice = app.user("alice").await;
    let rel = relationship(&app, &alice, json!({"vendor_name": "Scans"})).await;
    let t = thread(&app, &alice, &rel, "Scans", "other").await;
    let mut scan = b"%PDF-1.7\n".to_vec();
    scan.resize(300_000, b's');
    let seq = upload(&app, &alice, &t, "scan.pdf", &scan).await["seq"]
        .as_u64()
        .unwrap();
    let bundle = export(&app, &alice, &rel).await;

    let db = slingshot_store::testing::TestDb::sqlite().await;
    let other = TestApp::spawn_with(db, |c| c.attachment_limit = 100_000).await;
    other.user("alice").await;
    let (c, csrf) = signed_in(&other, "alice").await;
    let part = reqwest::multipart::Part::bytes(bundle).file_name("history.jsonl");
    let r = c
        .post(other.url(&format!("/relationships/import?csrf={csrf}")))
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let to = r.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(to, format!("/relationships/{rel}?files_left_out={seq}"));
    let html = page(&c, other.url(&to)).await;
    assert!(
        html.contains(&format!("The files of entries {seq} were not brought")),
        "{html}"
    );
    let html = page(
        &c,
        other.url(&format!("/relationships/{rel}?files_left_out=1,x")),
    )
    .await;
    assert!(!html.contains("were larger"), "{html}");
}
