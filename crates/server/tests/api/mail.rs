//! Importing one's own mail through the API.

use crate::app_test;
use crate::helpers::problem;
use reqwest::StatusCode;
use serde_json::Value;

pub const MBOX: &str = "From support@northwind.example Mon Mar  3 09:15:00 2025\n\
From: Northwind Support <support@northwind.example>\n\
To: Alice Ng <alice@home.example>\n\
Subject: Your order NW-1042 has shipped\n\
Message-ID: <ship-1042@northwind.example>\n\
Date: Mon, 3 Mar 2025 09:15:00 +0000\n\
\n\
Your trail jacket is on its way. Tracking: ZX99.\n\
\n\
From alice@home.example Tue Mar  4 10:00:00 2025\n\
From: Alice Ng <alice@home.example>\n\
To: support@northwind.example\n\
Subject: Re: Your order NW-1042 has shipped\n\
Message-ID: <reply-1@home.example>\n\
In-Reply-To: <ship-1042@northwind.example>\n\
References: <ship-1042@northwind.example>\n\
Date: Tue, 4 Mar 2025 10:00:00 +0000\n\
\n\
The zip on the jacket broke on day one.\n\
>From my phone\n\
\n\
From support@northwind.example Wed Mar  5 08:00:00 2025\n\
From: Northwind Support <support@northwind.example>\n\
To: alice@home.example\n\
Subject: Re: Your order NW-1042 has shipped\n\
Message-ID: <reply-2@northwind.example>\n\
In-Reply-To: <reply-1@home.example>\n\
References: <ship-1042@northwind.example> <missing@nowhere.example> <reply-1@home.example>\n\
Date: Wed, 5 Mar 2025 08:00:00 +0000\n\
\n\
We are sorry. A replacement jacket ships today.\n\
\n\
From nobody Thu Mar  6 08:00:00 2025\n\
\x01\x02\x03 garbage without headers\n\
\n";

/// Upload [`MBOX`] as alice@home.example's mail.
async fn import_mbox(app: &crate::helpers::TestApp, token: &str) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/mail/import?me=alice@home.example"))
        .bearer_auth(token)
        .header("content-type", "application/mbox")
        .body(MBOX)
        .send()
        .await
        .unwrap()
}

app_test!(
    mail_imports_into_threads_and_reimport_skips_duplicates,
    |app| {
        let alice = app.user("alice").await;
        let r = import_mbox(&app, &alice).await;
        assert_eq!(r.status(), StatusCode::OK);
        let report: Value = r.json().await.unwrap();
        assert_eq!(report["imported"], 3, "{report}");
        assert_eq!(report["failed"].as_array().unwrap().len(), 1, "{report}");
        assert_eq!(report["failed"][0]["index"], 3);
        let threads = report["threads"].as_array().unwrap();
        assert_eq!(
            threads.len(),
            1,
            "one conversation from the reply chain: {report}"
        );
        assert_eq!(threads[0]["vendor_name"], "northwind.example");
        assert_eq!(threads[0]["messages"], 3);

        // Found by search; the relationship's timeline has the mail in date order.
        let hits: Value = app
            .get("/api/v1/search?q=zip%20jacket", &alice)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(hits["items"].as_array().unwrap().len(), 1);
        let rel = threads[0]["relationship_id"].as_str().unwrap();
        let tl: Value = app
            .get(&format!("/api/v1/relationships/{rel}/timeline"), &alice)
            .await
            .json()
            .await
            .unwrap();
        let texts: Vec<&str> = tl["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["body"]["mail"]["direction"].as_str().unwrap())
            .collect();
        assert_eq!(texts, ["received", "sent", "received"], "newest first");

        // Re-import: everything is a duplicate, nothing new is stored.
        let r = import_mbox(&app, &alice).await;
        let again: Value = r.json().await.unwrap();
        assert_eq!(
            (
                again["imported"].as_u64(),
                again["skipped"].as_array().unwrap().len()
            ),
            (Some(0), 3),
            "{again}"
        );
        let rels: Value = app
            .get("/api/v1/relationships", &alice)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(rels["items"].as_array().unwrap().len(), 1);
        assert_eq!(rels["items"][0]["entries"], 3);

        // A single .eml for an existing vendor domain joins that relationship.
        let url = app.url("/api/v1/mail/import?me=alice@home.example");
        let eml = "From: Northwind Billing <billing@northwind.example>\r\nTo: alice@home.example\r\nSubject: Invoice 77\r\nMessage-ID: <inv-77@northwind.example>\r\nDate: Thu, 6 Mar 2025 08:00:00 +0000\r\n\r\nInvoice attached.\r\n";
        let r = app
            .client
            .post(&url)
            .bearer_auth(&alice)
            .header("content-type", "message/rfc822")
            .body(eml)
            .send()
            .await
            .unwrap();
        let one: Value = r.json().await.unwrap();
        assert_eq!(one["threads"][0]["relationship_id"], rel);
        let r = app
            .client
            .post(&url)
            .bearer_auth(&alice)
            .header("content-type", "text/plain")
            .body(eml)
            .send()
            .await
            .unwrap();
        problem(r, 415, "unsupported_media_type").await;
    }
);

/// Mail and bundles may be larger than a JSON body (`body_limit`), up to `import_limit`;
/// past it the answer is a 413 problem, and nothing is imported.
#[tokio::test]
async fn uploads_past_the_import_limit_are_refused_whole() {
    use crate::helpers::TestApp;
    use slingshot_store::testing::TestDb;
    let app = TestApp::spawn_with(TestDb::sqlite().await, |c| {
        c.body_limit = 1024;
        c.import_limit = 4096;
    })
    .await;
    let alice = app.user("alice").await;
    let send = |path: &str, ct: &str, body: Vec<u8>| {
        app.client
            .post(app.url(path))
            .bearer_auth(&alice)
            .header("content-type", ct)
            .body(body)
            .send()
    };
    // Over the JSON limit, under the import limit: imported.
    assert!(MBOX.len() > 1024 && MBOX.len() < 4096);
    let r = send(
        "/api/v1/mail/import?me=alice@home.example",
        "application/mbox",
        MBOX.into(),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let before: Value = app
        .get("/api/v1/timeline", &alice)
        .await
        .json()
        .await
        .unwrap();
    // Over the import limit: 413 problem+json, for mail and for bundles alike.
    let mut big = MBOX.replace("NW-1042", "NW-2042").into_bytes();
    big.resize(5000, b'\n');
    for (path, ct) in [
        ("/api/v1/mail/import", "application/mbox"),
        ("/api/v1/relationships/import", "application/jsonl"),
    ] {
        let r = send(path, ct, big.clone()).await.unwrap();
        problem(r, 413, "payload_too_large").await;
    }
    let after: Value = app
        .get("/api/v1/timeline", &alice)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(before["items"], after["items"], "something was imported");
}

app_test!(search_puts_the_newest_first_whenever_it_was_stored, |app| {
    let alice = app.user("alice").await;
    let r = app
        .post(
            "/api/v1/relationships",
            Some(&alice),
            serde_json::json!({"vendor_name": "Corner Bikes"}),
        )
        .await;
    let rel: Value = r.json().await.unwrap();
    let r = app
        .post(
            &format!(
                "/api/v1/relationships/{}/threads",
                rel["id"].as_str().unwrap()
            ),
            Some(&alice),
            serde_json::json!({"subject": "New jacket", "stage": "research"}),
        )
        .await;
    let thread: Value = r.json().await.unwrap();
    let t = thread["id"].as_str().unwrap();
    let r = app
        .post(
            &format!("/api/v1/threads/{t}/entries"),
            Some(&alice),
            serde_json::json!({"kind": "note", "text": "Looking at a rain jacket"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    // Mail of March 2025, imported after today's note.
    let r = import_mbox(&app, &alice).await;
    assert_eq!(r.status(), StatusCode::OK);
    let hits: Value = app
        .get("/api/v1/search?q=jacket", &alice)
        .await
        .json()
        .await
        .unwrap();
    let items = hits["items"].as_array().unwrap();
    assert_eq!(items.len(), 4, "{hits}");
    let first = &items[0];
    assert_eq!(
        (first["subject"].as_str(), first["vendor_name"].as_str()),
        (Some("New jacket"), Some("Corner Bikes")),
        "{hits}"
    );
    let at: Vec<&str> = items.iter().map(|h| h["at"].as_str().unwrap()).collect();
    assert!(
        at.windows(2).all(|w| w[0] >= w[1]),
        "not newest first: {at:?}"
    );
    assert!(at[3].starts_with("2025-03-03"), "{at:?}");
});

// Uploads of one person take turns: the same mailbox sent four times at once is stored
// once, under one new vendor, on one chain that verifies.
app_test!(concurrent_uploads_store_each_message_once, |app| {
    let alice = app.user("alice").await;
    let (a, b, c, d) = tokio::join!(
        import_mbox(&app, &alice),
        import_mbox(&app, &alice),
        import_mbox(&app, &alice),
        import_mbox(&app, &alice)
    );
    let mut imported = 0;
    for r in [a, b, c, d] {
        assert_eq!(r.status(), StatusCode::OK);
        let report: Value = r.json().await.unwrap();
        imported += report["imported"].as_u64().unwrap();
    }
    assert_eq!(imported, 3, "each message once over all four uploads");
    let rels: Value = app
        .get("/api/v1/relationships", &alice)
        .await
        .json()
        .await
        .unwrap();
    let items = rels["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "one new vendor: {rels}");
    assert_eq!(items[0]["entries"], 3);
    let rel = items[0]["id"].as_str().unwrap();
    let bundle = crate::ledger::export(&app, &alice, rel).await;
    let report = slingshot_domain::ledger::verify_bundle(&bundle[..]).unwrap();
    assert!(report.is_valid(), "{report:?}");
    assert_eq!(report.entries, 3);
});

/// Upload one message as alice@home.example's mail; the report.
async fn import_eml(app: &crate::helpers::TestApp, token: &str, eml: &str) -> Value {
    let r = app
        .client
        .post(app.url("/api/v1/mail/import?me=alice@home.example"))
        .bearer_auth(token)
        .header("content-type", "message/rfc822")
        .body(eml.to_owned())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

fn eml(id: &str, in_reply_to: Option<&str>, subject: &str, day: u32, text: &str) -> String {
    let reply = in_reply_to.map_or(String::new(), |p| {
        format!("In-Reply-To: <{p}>\r\nReferences: <{p}>\r\n")
    });
    format!(
        "From: Northwind Support <support@northwind.example>\r\nTo: alice@home.example\r\n\
         Subject: {subject}\r\nMessage-ID: <{id}>\r\n{reply}Date: Mon, {day} Mar 2025 09:00:00 +0000\r\n\r\n{text}\r\n"
    )
}

app_test!(a_reply_uploaded_later_joins_its_conversation, |app| {
    let alice = app.user("alice").await;
    let first = import_eml(
        &app,
        &alice,
        &eml(
            "order-1@northwind.example",
            None,
            "Order NW-7 confirmed",
            3,
            "Thanks for your order",
        ),
    )
    .await;
    let t = &first["threads"][0];
    assert_eq!(t["continued"], false);
    let thread = t["thread_id"].as_str().unwrap().to_owned();
    // Another file, days later, answering the first: same conversation, no new vendor.
    let reply = eml(
        "ship-1@northwind.example",
        Some("order-1@northwind.example"),
        "Re: Order NW-7 confirmed",
        5,
        "It has shipped",
    );
    let second = import_eml(&app, &alice, &reply).await;
    assert_eq!(
        second["threads"][0]["thread_id"],
        thread.as_str(),
        "{second}"
    );
    assert_eq!(second["threads"][0]["continued"], true);
    assert_eq!(second["threads"][0]["subject"], "Order NW-7 confirmed");
    // A reply to the reply, with its parent only in References, joins it too.
    let third = eml(
        "late-1@northwind.example",
        Some("ship-1@northwind.example"),
        "Re: Re: Order NW-7",
        6,
        "Delivered",
    );
    assert_eq!(
        import_eml(&app, &alice, &third).await["threads"][0]["thread_id"],
        thread.as_str()
    );
    let rels: Value = app
        .get("/api/v1/relationships", &alice)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(rels["items"].as_array().unwrap().len(), 1);
    let rel = rels["items"][0]["id"].as_str().unwrap();
    let threads: Value = app
        .get(&format!("/api/v1/relationships/{rel}/threads"), &alice)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(threads["items"].as_array().unwrap().len(), 1, "{threads}");
    // Mail answering nothing stored starts its own conversation.
    let other = eml(
        "promo-1@northwind.example",
        Some("never-seen@northwind.example"),
        "Spring sale",
        7,
        "20% off",
    );
    let fourth = import_eml(&app, &alice, &other).await;
    assert_ne!(fourth["threads"][0]["thread_id"], thread.as_str());
    assert_eq!(fourth["threads"][0]["continued"], false);
    // Another person's conversation is never joined, whatever the ids.
    let bob = app.user("bob").await;
    let bobs = import_eml(&app, &bob, &reply).await;
    assert_ne!(bobs["threads"][0]["thread_id"], thread.as_str());
    assert_eq!(bobs["threads"][0]["continued"], false);
    // An erased message's Message-ID goes with it: a later answer to it starts anew.
    let tl: Value = app
        .get(&format!("/api/v1/relationships/{rel}/timeline"), &alice)
        .await
        .json()
        .await
        .unwrap();
    let promo = tl["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["body"]["mail"]["message_id"] == "promo-1@northwind.example")
        .unwrap();
    let r = app
        .post(
            &format!("/api/v1/entries/{}/erase", promo["id"].as_str().unwrap()),
            Some(&alice),
            serde_json::json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let answer = eml(
        "promo-2@northwind.example",
        Some("promo-1@northwind.example"),
        "Re: Spring sale",
        8,
        "Last day",
    );
    let fifth = import_eml(&app, &alice, &answer).await;
    assert_eq!(fifth["threads"][0]["continued"], false, "{fifth}");
});

app_test!(the_person_describes_the_vendor_and_mail_follows, |app| {
    use reqwest::Method;
    use serde_json::json;
    let bob = app.user("bob").await;
    let alice = app.user("alice").await;
    let mallory = app.user("mallory").await;
    app.org(&bob, "northwind").await;
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
    let id = rel["id"].as_str().unwrap();
    assert_eq!(rel["vendor_domain"], "");
    let path = format!("/api/v1/relationships/{id}");
    let patch = |token: &String, body: Value| {
        let (app, path, token) = (&app, path.clone(), token.clone());
        async move {
            app.call(Method::PATCH, &path, Some(&token), Some(body))
                .await
        }
    };
    // Bad input changes nothing.
    problem(
        patch(&alice, json!({"vendor_domain": "not a domain"})).await,
        422,
        "invalid_value",
    )
    .await;
    problem(
        patch(&alice, json!({"vendor_name": "  "})).await,
        422,
        "invalid_value",
    )
    .await;
    problem(
        patch(&alice, json!({"colour": "red"})).await,
        422,
        "invalid_body",
    )
    .await;
    problem(
        patch(&alice, json!({"notes": 7})).await,
        422,
        "invalid_body",
    )
    .await;
    problem(
        patch(&bob, json!({"notes": "mine now"})).await,
        403,
        "forbidden",
    )
    .await;
    problem(
        patch(&mallory, json!({"notes": "mine now"})).await,
        404,
        "not_found",
    )
    .await;
    let now: Value = app.get(&path, &alice).await.json().await.unwrap();
    assert_eq!(
        (now["vendor_domain"].as_str(), now["notes"].as_str()),
        (Some(""), Some(""))
    );
    // The person gives the mail domain and a note; only they see the note.
    let r = patch(
        &alice,
        json!({"vendor_domain": "Northwind.example", "notes": "Jacket warranty: 2 years"}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let now: Value = r.json().await.unwrap();
    assert_eq!(now["vendor_domain"], "northwind.example");
    assert_eq!(now["vendor_name"], "northwind", "left alone");
    let theirs: Value = app.get(&path, &bob).await.json().await.unwrap();
    assert!(theirs.get("notes").is_none(), "{theirs}");
    // Mail from that domain now goes to the two-sided relationship, not a new vendor.
    let report: Value = import_mbox(&app, &alice).await.json().await.unwrap();
    assert_eq!(report["threads"][0]["relationship_id"], id, "{report}");
    let rels: Value = app
        .get("/api/v1/relationships", &alice)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(rels["items"].as_array().unwrap().len(), 1);
});

app_test!(
    without_me_the_person_is_taken_from_the_mail_only_when_it_tells,
    |app| {
        let alice = app.user("alice").await;
        let send = |body: &'static str| {
            app.client
                .post(app.url("/api/v1/mail/import"))
                .bearer_auth(&alice)
                .header("content-type", "application/mbox")
                .body(body)
                .send()
        };
        let timeline = || async {
            let v: Value = app
                .get("/api/v1/timeline", &alice)
                .await
                .json()
                .await
                .unwrap();
            v["items"].clone()
        };
        // A conversation written both ways could be either side's: she must say.
        problem(send(MBOX).await.unwrap(), 422, "me_required").await;
        // Mail to two addresses of hers, and nothing on every message: the same.
        const TWO: &str = "From shop@one.example Mon Mar  3 09:15:00 2025\n\
From: shop@one.example\nTo: alice@home.example\nSubject: A\nMessage-ID: <a@one.example>\n\nOne\n\n\
From shop@two.example Mon Mar  3 09:15:00 2025\n\
From: shop@two.example\nTo: alice@work.example\nSubject: B\nMessage-ID: <b@two.example>\n\nTwo\n\n";
        problem(send(TWO).await.unwrap(), 422, "me_required").await;
        assert_eq!(timeline().await, serde_json::json!([]), "nothing imported");

        // Two messages from the shop to her (once with a +tag): she received them all.
        const FROM_SHOP: &str = "From shop@northwind.example Mon Mar  3 09:15:00 2025\n\
From: shop@northwind.example\nTo: alice@home.example\nSubject: Shipped\nMessage-ID: <s1@northwind.example>\n\nShipped\n\n\
From shop@northwind.example Tue Mar  4 09:15:00 2025\n\
From: shop@northwind.example\nTo: Alice <alice+shops@home.example>\nSubject: Delivered\nMessage-ID: <s2@northwind.example>\n\nDelivered\n\n";
        let r = send(FROM_SHOP).await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let report: Value = r.json().await.unwrap();
        assert_eq!(report["assumed_me"], "alice@home.example", "{report}");
        assert!(report["summary"]
            .as_str()
            .unwrap()
            .contains("alice@home.example"));
        assert_eq!(
            report["threads"][0]["vendor_name"], "northwind.example",
            "{report}"
        );
        let items = timeline().await;
        let directions: Vec<&str> = items
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["body"]["mail"]["direction"].as_str())
            .collect();
        assert_eq!(directions, ["received", "received"], "{items}");
    }
);

app_test!(a_reply_from_a_tagged_address_is_the_persons_own, |app| {
    let alice = app.user("alice").await;
    let r = app
        .client
        .post(app.url("/api/v1/mail/import?me=alice@home.example"))
        .bearer_auth(&alice)
        .header("content-type", "message/rfc822")
        .body("From: Alice <Alice+Shops@home.example>\r\nTo: shop@northwind.example\r\nSubject: Where is it?\r\nMessage-ID: <q1@home.example>\r\n\r\nStill waiting.\r\n")
        .send()
        .await
        .unwrap();
    let report: Value = r.json().await.unwrap();
    assert_eq!(
        report["threads"][0]["vendor_name"], "northwind.example",
        "{report}"
    );
    let v: Value = app
        .get("/api/v1/timeline", &alice)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["items"][0]["body"]["mail"]["direction"], "sent", "{v}");
});

app_test!(another_copy_of_an_imported_message_is_skipped, |app| {
    let alice = app.user("alice").await;
    let send = |body: String| {
        app.client
            .post(app.url("/api/v1/mail/import?me=alice@home.example"))
            .bearer_auth(&alice)
            .header("content-type", "message/rfc822")
            .body(body)
            .send()
    };
    let eml = "From: billing@northwind.example\r\nTo: alice@home.example\r\nSubject: Invoice 77\r\nMessage-ID: <inv-77@northwind.example>\r\nDate: Thu, 6 Mar 2025 08:00:00 +0000\r\n\r\nInvoice attached.\r\n";
    let first: Value = send(eml.into()).await.unwrap().json().await.unwrap();
    assert_eq!(first["imported"], 1, "{first}");
    // The same message from a provider's export, with its own headers on top.
    let copy = format!("X-Gmail-Labels: Inbox\r\n{eml}");
    let again: Value = send(copy).await.unwrap().json().await.unwrap();
    assert_eq!(
        (
            again["imported"].as_u64(),
            again["skipped"].as_array().map(Vec::len)
        ),
        (Some(0), Some(1)),
        "{again}"
    );
    // Mail imported before copies were known by their content (stored under its raw
    // digest): still known, from its stored Message-ID, date, sender and text.
    app.db
        .execute("UPDATE entries SET source_ref = 'a-raw-digest' WHERE source_ref IS NOT NULL")
        .await;
    let copy = format!("X-GM-THRID: 17\r\n{eml}");
    let old: Value = send(copy).await.unwrap().json().await.unwrap();
    assert_eq!(old["imported"], 0, "{old}");
});

app_test!(
    a_reply_without_references_uploaded_later_joins_by_subject,
    |app| {
        let alice = app.user("alice").await;
        let send = |body: &'static str| {
            app.client
                .post(app.url("/api/v1/mail/import?me=alice@home.example"))
                .bearer_auth(&alice)
                .header("content-type", "message/rfc822")
                .body(body)
                .send()
        };
        let first: Value = send("From: shop@northwind.example\r\nTo: alice@home.example\r\nSubject: Order NW-7 shipped\r\nMessage-ID: <nw7@northwind.example>\r\nDate: Mon, 3 Mar 2025 09:00:00 +0000\r\n\r\nOn its way.\r\n")
        .await.unwrap().json().await.unwrap();
        let thread = first["threads"][0]["thread_id"]
            .as_str()
            .unwrap()
            .to_owned();
        // Her reply, from a mailer that wrote no In-Reply-To or References.
        let reply: Value = send("From: alice@home.example\r\nTo: shop@northwind.example\r\nSubject: RE: ORDER NW-7 SHIPPED\r\nMessage-ID: <r1@home.example>\r\nDate: Tue, 4 Mar 2025 09:00:00 +0000\r\n\r\nStill not here.\r\n")
        .await.unwrap().json().await.unwrap();
        assert_eq!(reply["threads"][0]["thread_id"], thread.as_str(), "{reply}");
        assert_eq!(reply["threads"][0]["continued"], true, "{reply}");
        // The same subject, not a reply: a conversation of its own.
        let fresh: Value = send("From: shop@northwind.example\r\nTo: alice@home.example\r\nSubject: Order NW-7 shipped\r\nMessage-ID: <nw7-again@northwind.example>\r\nDate: Wed, 5 Mar 2025 09:00:00 +0000\r\n\r\nA second parcel.\r\n")
        .await.unwrap().json().await.unwrap();
        assert_ne!(fresh["threads"][0]["thread_id"], thread.as_str(), "{fresh}");
        // A reply joins the latest such conversation that had begun when it was sent...
        let late: Value = send("From: alice@home.example\r\nTo: shop@northwind.example\r\nSubject: Re: Order NW-7 shipped\r\nMessage-ID: <r2@home.example>\r\nDate: Tue, 4 Mar 2025 18:00:00 +0000\r\n\r\nStill waiting.\r\n")
        .await.unwrap().json().await.unwrap();
        assert_eq!(late["threads"][0]["thread_id"], thread.as_str(), "{late}");
        // ...and none that began after it: it has a conversation of its own.
        let early: Value = send("From: alice@home.example\r\nTo: shop@northwind.example\r\nSubject: Re: Order NW-7 shipped\r\nMessage-ID: <r0@home.example>\r\nDate: Sun, 2 Mar 2025 09:00:00 +0000\r\n\r\nAny news?\r\n")
        .await.unwrap().json().await.unwrap();
        assert_eq!(early["threads"][0]["continued"], false, "{early}");
        assert_ne!(early["threads"][0]["thread_id"], thread.as_str(), "{early}");
        assert_ne!(
            early["threads"][0]["thread_id"],
            fresh["threads"][0]["thread_id"]
        );
    }
);
