//! Writing to the ledger: bad input refused whole, concurrent and grouped appends,
//! idempotent retries, attachments, and the group-commit metrics.

use crate::app_test;
use crate::helpers::problem;
use crate::ledger::{entry, export, json_of, relationship, thread};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use slingshot_domain::ledger::verify_bundle;

app_test!(
    bad_conversation_input_is_refused_and_writes_nothing,
    |app| {
        let alice = app.user("alice").await;
        let rel = relationship(&app, &alice, json!({"vendor_name": "Kestrel"})).await;
        problem(
            app.post(
                "/api/v1/relationships",
                Some(&alice),
                json!({"vendor_name": "  "}),
            )
            .await,
            422,
            "invalid_value",
        )
        .await;
        problem(
            app.post(
                "/api/v1/relationships",
                Some(&alice),
                json!({"org": "no-such-org"}),
            )
            .await,
            404,
            "not_found",
        )
        .await;
        let r = app
            .post(
                &format!("/api/v1/relationships/{rel}/threads"),
                Some(&alice),
                json!({"subject": "x", "stage": "shopping"}),
            )
            .await;
        problem(r, 422, "invalid_value").await;
        let r = app
            .post(
                &format!("/api/v1/relationships/{rel}/threads"),
                Some(&alice),
                json!({"subject": "x", "stage": "other", "follow_up_on": "2026-02-30"}),
            )
            .await;
        problem(r, 422, "invalid_value").await;
        let t = thread(&app, &alice, &rel, "Bill", "support").await;
        let r = app
            .call(
                Method::PATCH,
                &format!("/api/v1/threads/{t}"),
                Some(&alice),
                Some(json!({"status": "pending"})),
            )
            .await;
        problem(r, 422, "invalid_value").await;
        let big = "x".repeat(70_000);
        problem(
            app.post(
                &format!("/api/v1/threads/{t}/entries"),
                Some(&alice),
                json!({"kind": "message", "text": big}),
            )
            .await,
            413,
            "payload_too_large",
        )
        .await;
        let r = app
            .post(
                &format!("/api/v1/threads/{t}/entries"),
                Some(&alice),
                json!({"kind": "event", "event": {"type": "purchase"}}),
            )
            .await;
        problem(r, 422, "invalid_value").await;
        let r = app
            .post(
                &format!("/api/v1/threads/{t}/entries"),
                Some(&alice),
                json!({"kind": "message", "text": "x", "seq": 7}),
            )
            .await;
        problem(r, 422, "invalid_body").await;
        let r = app
            .post(
                &format!("/api/v1/threads/{t}/links"),
                Some(&alice),
                json!({"to": t, "kind": "follows_from"}),
            )
            .await;
        problem(r, 422, "invalid_value").await;
        let r = app
            .client
            .post(app.url("/api/v1/relationships/import"))
            .bearer_auth(&alice)
            .body("{not a bundle")
            .send()
            .await
            .unwrap();
        problem(r, 422, "invalid_bundle").await;
        let tl = json_of(app.get("/api/v1/timeline", &alice).await).await;
        assert!(tl["items"].as_array().unwrap().is_empty());
        problem(
            app.get("/api/v1/timeline?from=yesterday", &alice).await,
            422,
            "invalid_value",
        )
        .await;
        // A cursor no page gave is refused, not read as "from the start" (a client
        // paging on it would loop); a relationship's timeline takes no filters.
        for path in [
            "/api/v1/timeline?before=garbage".to_owned(),
            format!("/api/v1/relationships/{rel}/timeline?before=12:"),
        ] {
            problem(app.get(&path, &alice).await, 400, "invalid_cursor").await;
        }
        problem(
            app.get(
                &format!("/api/v1/relationships/{rel}/timeline?stage=bogus"),
                &alice,
            )
            .await,
            400,
            "invalid_query",
        )
        .await;
        // Follow-ups feed the due list.
        let r = app
            .call(
                Method::PATCH,
                &format!("/api/v1/threads/{t}"),
                Some(&alice),
                Some(json!({"follow_up_on": "2026-01-02"})),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let due = json_of(app.get("/api/v1/due?date=2026-01-05", &alice).await).await;
        assert_eq!(due["items"][0]["id"], t.as_str());
        assert!(
            json_of(app.get("/api/v1/due?date=2026-01-01", &alice).await).await["items"]
                .as_array()
                .unwrap()
                .is_empty()
        );
    }
);

app_test!(concurrent_appends_form_one_unbroken_chain, |app| {
    let alice = app.user("alice").await;
    let rel = relationship(&app, &alice, json!({"vendor_name": "Busy Vendor"})).await;
    let t = thread(&app, &alice, &rel, "Many messages", "other").await;
    let mut calls = Vec::new();
    for i in 0..60 {
        let (client, url, token) = (
            app.client.clone(),
            app.url(&format!("/api/v1/threads/{t}/entries")),
            alice.clone(),
        );
        calls.push(tokio::spawn(async move {
            client
                .post(url)
                .bearer_auth(token)
                .json(&json!({"kind": "message", "text": format!("message {i}")}))
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    for c in calls {
        assert_eq!(c.await.unwrap(), StatusCode::CREATED);
    }
    let bundle = export(&app, &alice, &rel).await;
    let report = verify_bundle(&bundle[..]).unwrap();
    assert!(report.is_valid(), "{report:?}");
    assert_eq!(report.entries, 60);
});

// Appends arriving together are stored in one group; each still gets its own answer:
// a post to someone else's thread is 404, a retried Idempotency-Key fails the group's
// insert (the rest are then stored one by one) and answers with the entry stored.
app_test!(mixed_groups_answer_each_append_for_itself, |app| {
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let rel_a = relationship(&app, &alice, json!({"vendor_name": "Alice's Vendor"})).await;
    let t_a = thread(&app, &alice, &rel_a, "Alice's", "other").await;
    let rel_b = relationship(&app, &bob, json!({"vendor_name": "Bob's Vendor"})).await;
    let t_b = thread(&app, &bob, &rel_b, "Bob's", "other").await;
    let mut calls = Vec::new();
    for i in 0..90 {
        // alice on her thread; bob on his, and on alice's (refused); alice twice under one key.
        let (token, t, key) = match i % 3 {
            0 => (
                alice.clone(),
                t_a.clone(),
                (i < 12).then(|| "same-key".to_owned()),
            ),
            1 => (bob.clone(), t_b.clone(), None),
            _ => (bob.clone(), t_a.clone(), None),
        };
        let (client, url) = (
            app.client.clone(),
            app.url(&format!("/api/v1/threads/{t}/entries")),
        );
        calls.push(tokio::spawn(async move {
            // A retry under one key sends the same entry again.
            let text = match key {
                Some(_) => "the retried message".to_owned(),
                None => format!("message {i}"),
            };
            let mut req = client
                .post(url)
                .bearer_auth(token)
                .json(&json!({"kind": "message", "text": text}));
            if let Some(k) = key {
                req = req.header("idempotency-key", k);
            }
            let r = req.send().await.unwrap();
            let status = r.status();
            let body: Value = r.json().await.unwrap();
            (i, status, body)
        }));
    }
    let mut keyed = Vec::new();
    for c in calls {
        let (i, status, body) = c.await.unwrap();
        match i % 3 {
            0 if i < 12 => {
                assert!(
                    status == StatusCode::CREATED || status == StatusCode::OK,
                    "{status}"
                );
                keyed.push((status, body["id"].as_str().unwrap().to_owned()));
            }
            0 | 1 => assert_eq!(status, StatusCode::CREATED, "{body}"),
            _ => {
                assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
                assert_eq!(body["code"], "not_found");
            }
        }
    }
    // One entry for the key, and every retry answered with it.
    assert_eq!(
        keyed
            .iter()
            .filter(|(s, _)| *s == StatusCode::CREATED)
            .count(),
        1
    );
    assert!(keyed.iter().all(|(_, id)| *id == keyed[0].1));
    for (token, rel, n) in [(&alice, &rel_a, 30 - 4 + 1), (&bob, &rel_b, 30)] {
        let report = verify_bundle(&export(&app, token, rel).await[..]).unwrap();
        assert!(report.is_valid(), "{report:?}");
        assert_eq!(report.entries, n);
    }
});

app_test!(idempotency_keys_make_retries_safe, |app| {
    let alice = app.user("alice").await;
    let rel = relationship(&app, &alice, json!({"vendor_name": "Retry Vendor"})).await;
    let t = thread(&app, &alice, &rel, "Flaky network", "other").await;
    let send = |key: &'static str, text: &'static str| {
        app.client
            .post(app.url(&format!("/api/v1/threads/{t}/entries")))
            .bearer_auth(&alice)
            .header("Idempotency-Key", key)
            .json(&json!({"kind": "message", "text": text}))
            .send()
    };
    let first = send("k-1", "Where is my parcel?").await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    let again = send("k-1", "Where is my parcel?").await.unwrap();
    assert_eq!(again.status(), StatusCode::OK);
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["id"], first["id"]);
    assert_eq!(again["seq"], first["seq"]);
    assert_eq!(
        send("k-2", "Still waiting").await.unwrap().status(),
        StatusCode::CREATED
    );
    // The same key for a different entry is refused, and appends nothing.
    problem(
        send("k-1", "Something else entirely").await.unwrap(),
        422,
        "idempotency_key_reused",
    )
    .await;
    let note = app
        .client
        .post(app.url(&format!("/api/v1/threads/{t}/entries")))
        .bearer_auth(&alice)
        .header("Idempotency-Key", "k-1")
        .json(&json!({"kind": "note", "text": "Where is my parcel?"}))
        .send()
        .await
        .unwrap();
    problem(note, 422, "idempotency_key_reused").await;
    let r = app
        .client
        .post(app.url(&format!("/api/v1/threads/{t}/entries")))
        .bearer_auth(&alice)
        .header("Idempotency-Key", "")
        .json(&json!({"kind": "message", "text": "x"}))
        .send()
        .await
        .unwrap();
    problem(r, 400, "invalid_idempotency_key").await;
    let bundle = export(&app, &alice, &rel).await;
    let report = verify_bundle(&bundle[..]).unwrap();
    assert_eq!(
        (report.is_valid(), report.entries),
        (true, 2),
        "the retry appended nothing"
    );
});

app_test!(nul_text_and_bad_vendor_details_are_refused, |app| {
    let alice = app.user("alice").await;
    let rel = relationship(&app, &alice, json!({"vendor_name": "Kestrel"})).await;
    let t = thread(&app, &alice, &rel, "Bill", "support").await;
    for (path, body, code) in [
        (
            "/api/v1/relationships".to_owned(),
            json!({"vendor_name": "a\u{0}b"}),
            "invalid_text",
        ),
        (
            "/api/v1/relationships".to_owned(),
            json!({"vendor_name": "Shop", "vendor_domain": "com"}),
            "invalid_value",
        ),
        (
            "/api/v1/relationships".to_owned(),
            json!({"vendor_name": "Shop", "vendor_website": "https://a b"}),
            "invalid_value",
        ),
        (
            "/api/v1/relationships".to_owned(),
            json!({"vendor_name": "Shop", "notes": "n".repeat(10_001)}),
            "invalid_value",
        ),
        (
            format!("/api/v1/relationships/{rel}/threads"),
            json!({"subject": "x\u{0}", "stage": "other"}),
            "invalid_text",
        ),
        (
            format!("/api/v1/threads/{t}/entries"),
            json!({"kind": "message", "text": "paid\u{0}"}),
            "invalid_text",
        ),
    ] {
        problem(app.post(&path, Some(&alice), body).await, 422, code).await;
    }
    // A backslash before "u0000" is text, not a NUL.
    let e = entry(
        &app,
        &alice,
        &t,
        json!({"kind": "message", "text": "C:\\u0000"}),
    )
    .await;
    assert_eq!(e["body"]["text"], "C:\\u0000");
    let rels = json_of(app.get("/api/v1/relationships", &alice).await).await;
    assert_eq!(rels["items"].as_array().unwrap().len(), 1, "{rels}");
    let tl = json_of(app.get("/api/v1/timeline", &alice).await).await;
    assert_eq!(tl["items"].as_array().unwrap().len(), 1, "{tl}");
});

app_test!(metrics_count_committed_groups_and_their_entries, |app| {
    let alice = app.user("alice").await;
    let rel = relationship(&app, &alice, json!({"vendor_name": "Metered Shop"})).await;
    let t = thread(&app, &alice, &rel, "Counting", "support").await;
    let before = app.client.get(app.url("/metrics")).send().await.unwrap();
    let before = before.text().await.unwrap();
    // Each append waits for its own group, one after the other: three groups of one.
    for i in 0..3 {
        entry(
            &app,
            &alice,
            &t,
            json!({"kind": "message", "text": format!("no. {i}")}),
        )
        .await;
    }
    // A refused append (a stranger's thread) is no group at all.
    let bob = app.user("bob").await;
    let r = app
        .post(
            &format!("/api/v1/threads/{t}/entries"),
            Some(&bob),
            json!({"kind": "message", "text": "not mine"}),
        )
        .await;
    problem(r, 404, "not_found").await;
    let m = app.client.get(app.url("/metrics")).send().await.unwrap();
    let m = m.text().await.unwrap();
    let value = |text: &str, name: &str| -> f64 {
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
            .unwrap_or(0.0)
    };
    for (name, grew) in [
        ("slingshot_ledger_group_entries_count", 3.0),
        ("slingshot_ledger_group_entries_sum", 3.0),
        ("slingshot_ledger_commit_seconds_count", 3.0),
    ] {
        assert_eq!(value(&m, name) - value(&before, name), grew, "{name}: {m}");
    }
    assert!(
        value(&m, "slingshot_ledger_commit_seconds_sum") > 0.0,
        "{m}"
    );
    assert!(
        m.contains("# HELP slingshot_ledger_group_entries Entries per committed group"),
        "{m}"
    );
});

app_test!(attachments_are_checked_stored_and_fenced, |app| {
    let alice = app.user("alice").await;
    let mallory = app.user("mallory").await;
    let rel = relationship(&app, &alice, json!({"vendor_name": "Paper Vendor"})).await;
    let t = thread(&app, &alice, &rel, "Receipts", "purchase").await;
    let up = |token: &str, name: &str, ct: &str, data: Vec<u8>| {
        app.client
            .post(app.url(&format!("/api/v1/threads/{t}/attachments?filename={name}")))
            .bearer_auth(token)
            .header("content-type", ct)
            .body(data)
            .send()
    };
    // A PDF larger than the JSON body limit (1 MiB) but within the attachment limit.
    let mut pdf = b"%PDF-1.7\n".to_vec();
    pdf.resize(1_500_000, b'x');
    let r = up(&alice, "receipt.pdf", "application/pdf", pdf.clone())
        .await
        .unwrap();
    let e = json_of(r).await;
    assert_eq!(e["kind"], "attachment");
    assert_eq!(e["body"]["attachment"]["size"], 1_500_000);
    let id = e["body"]["attachment"]["id"].as_str().unwrap().to_owned();
    let got = app.get(&format!("/api/v1/attachments/{id}"), &alice).await;
    assert_eq!(got.headers()["content-type"], "application/pdf");
    assert!(got.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("receipt.pdf"));
    assert_eq!(got.bytes().await.unwrap().len(), 1_500_000);
    problem(
        app.get(&format!("/api/v1/attachments/{id}"), &mallory)
            .await,
        404,
        "not_found",
    )
    .await;
    assert_eq!(
        up(&mallory, "x.pdf", "application/pdf", pdf.clone())
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    // Refusals: too large, not an accepted type whatever it claims, empty.
    let big = vec![b'a'; 10 * 1024 * 1024 + 1];
    problem(
        up(&alice, "big.txt", "text/plain", big).await.unwrap(),
        413,
        "payload_too_large",
    )
    .await;
    problem(
        up(
            &alice,
            "x.pdf",
            "application/pdf",
            b"MZ\x90\x00\x03\x00\x00".to_vec(),
        )
        .await
        .unwrap(),
        415,
        "unsupported_media_type",
    )
    .await;
    problem(
        up(&alice, "e.txt", "text/plain", Vec::new()).await.unwrap(),
        422,
        "invalid_value",
    )
    .await;
    // One entry on the chain, and it verifies.
    let report = verify_bundle(&export(&app, &alice, &rel).await[..]).unwrap();
    assert_eq!((report.is_valid(), report.entries), (true, 1));
    // Erasing the entry erases the file's bytes too; the chain still verifies.
    let r = app
        .post(
            &format!("/api/v1/entries/{}/erase", e["id"].as_str().unwrap()),
            Some(&alice),
            json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    problem(
        app.get(&format!("/api/v1/attachments/{id}"), &alice).await,
        404,
        "not_found",
    )
    .await;
    let report = verify_bundle(&export(&app, &alice, &rel).await[..]).unwrap();
    assert!(report.is_valid() && report.erased == 1, "{report:?}");
});
