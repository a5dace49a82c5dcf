//! Both sides of a relationship: the shared history, countersigned checkpoints, corrections
//! and dated events.

use crate::app_test;
use crate::helpers::problem;
use crate::ledger::{entry, export, json_of, relationship, thread};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use slingshot_domain::ledger::verify_bundle;

app_test!(both_sides_hold_the_history_and_countersign, |app| {
    let bob = app.user("bob").await;
    let carol = app.user("carol").await;
    let alice = app.user("alice").await;
    let mo = app.user("moe").await;
    let org = app.org(&bob, "northwind").await;
    app.join(&bob, &org, &carol, "agent").await;
    app.join(&bob, &org, &mo, "moderator").await;
    let rel = relationship(&app, &alice, json!({"org": "northwind"})).await;
    let got = json_of(
        app.get(&format!("/api/v1/relationships/{rel}"), &alice)
            .await,
    )
    .await;
    assert_eq!(
        (got["vendor_name"].as_str(), got["two_sided"].as_bool()),
        (Some("northwind"), Some(true))
    );
    let t = thread(&app, &alice, &rel, "Zip broke on my jacket", "support").await;
    entry(
        &app,
        &alice,
        &t,
        json!({"kind": "message", "text": "The zip broke after a week"}),
    )
    .await;
    entry(
        &app,
        &alice,
        &t,
        json!({"kind": "note", "text": "my private note"}),
    )
    .await;

    // The agent sees the customer by pseudonym, in the inbox, and answers.
    let inbox = json_of(app.get("/api/v1/orgs/northwind/inbox", &carol).await).await;
    let row = &inbox["items"][0];
    assert_eq!(row["thread_id"], t.as_str());
    assert!(row["customer"].as_str().unwrap().starts_with("c-"));
    assert!(row["waiting_seconds"].as_i64().is_some());
    assert_eq!(row["awaiting_reply"], true);
    entry(
        &app,
        &carol,
        &t,
        json!({"kind": "message", "text": "Sorry! A replacement is on its way"}),
    )
    .await;
    entry(
        &app,
        &carol,
        &t,
        json!({"kind": "note", "text": "vendor-only note"}),
    )
    .await;
    let carol_id = app.user_id(&carol).await;
    let r = app
        .call(
            Method::PATCH,
            &format!("/api/v1/threads/{t}"),
            Some(&carol),
            Some(json!({"status": "waiting_on_customer", "assignee": carol_id})),
        )
        .await;
    assert_eq!(json_of(r).await["status"], "waiting_on_customer");

    // Each side keeps its own follow-up date and sees only its own.
    let path = format!("/api/v1/threads/{t}");
    for (token, date) in [(&alice, "2026-01-05"), (&carol, "2026-01-03")] {
        let body = json!({ "follow_up_on": date });
        let r = app
            .call(Method::PATCH, &path, Some(token), Some(body))
            .await;
        assert_eq!(json_of(r).await["follow_up_on"], date);
    }
    assert_eq!(
        json_of(app.get(&path, &alice).await).await["follow_up_on"],
        "2026-01-05"
    );
    assert_eq!(
        json_of(app.get(&path, &bob).await).await["follow_up_on"],
        "2026-01-03"
    );
    // The agent's reminder is on the organization's due list (not the customer's).
    let org_due = |q: &str| format!("/api/v1/orgs/northwind/due{q}");
    let due = json_of(app.get(&org_due("?date=2026-01-03"), &carol).await).await;
    assert_eq!(due["items"][0]["thread_id"], t.as_str(), "{due}");
    assert_eq!(due["items"][0]["follow_up_on"], "2026-01-03");
    let mine = format!("?date=2026-01-03&assignee={carol_id}");
    let due = json_of(app.get(&org_due(&mine), &carol).await).await;
    assert_eq!(due["items"].as_array().unwrap().len(), 1);
    for q in ["?date=2026-01-02", "?date=2026-01-03&assignee=someone-else"] {
        let due = json_of(app.get(&org_due(q), &carol).await).await;
        assert!(due["items"].as_array().unwrap().is_empty(), "{q}: {due}");
    }
    let inbox = json_of(app.get("/api/v1/orgs/northwind/inbox", &carol).await).await;
    assert_eq!(inbox["items"][0]["follow_up_on"], "2026-01-03");
    problem(
        app.get(&org_due("?date=2026-13-01"), &carol).await,
        422,
        "invalid_value",
    )
    .await;
    problem(
        app.get(&org_due("?when=today"), &carol).await,
        400,
        "invalid_query",
    )
    .await;
    problem(app.get(&org_due(""), &alice).await, 404, "not_found").await;
    problem(app.get(&org_due(""), &mo).await, 404, "not_found").await;
    // The agent clearing theirs leaves the customer's reminder on the due list.
    let clear = Some(json!({ "follow_up_on": "" }));
    let cleared = json_of(app.call(Method::PATCH, &path, Some(&carol), clear).await).await;
    assert!(cleared["follow_up_on"].is_null(), "{cleared}");
    let due = json_of(app.get("/api/v1/due?date=2026-01-05", &alice).await).await;
    assert_eq!(due["items"][0]["id"], t.as_str());
    assert_eq!(due["items"][0]["follow_up_on"], "2026-01-05");
    let due = json_of(app.get(&org_due("?date=2026-12-31"), &carol).await).await;
    assert!(due["items"].as_array().unwrap().is_empty(), "{due}");
    // A moderator does not act in relationships.
    problem(
        app.get(&format!("/api/v1/relationships/{rel}"), &mo).await,
        404,
        "not_found",
    )
    .await;
    problem(
        app.get("/api/v1/orgs/northwind/inbox", &mo).await,
        404,
        "not_found",
    )
    .await;
    // The customer cannot assign.
    let r = app
        .call(
            Method::PATCH,
            &format!("/api/v1/threads/{t}"),
            Some(&alice),
            Some(json!({"assignee": carol_id})),
        )
        .await;
    problem(r, 403, "forbidden").await;

    // The inbox filters by assignee (an id, `me`, `none`) and leaves out what is done.
    let inbox = |q: &'static str| {
        let (app, carol) = (&app, &carol);
        async move {
            let r = app
                .get(&format!("/api/v1/orgs/northwind/inbox{q}"), carol)
                .await;
            let v = json_of(r).await;
            let ids: Vec<String> = v["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["thread_id"].as_str().unwrap().to_owned())
                .collect();
            (ids, v)
        }
    };
    let second = thread(&app, &alice, &rel, "Where is my parcel?", "support").await;
    entry(
        &app,
        &alice,
        &second,
        json!({"kind": "message", "text": "No parcel yet"}),
    )
    .await;
    let (all, v) = inbox("").await;
    assert_eq!(all.len(), 2, "{v}");
    let row = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["thread_id"] == t.as_str())
        .unwrap()
        .clone();
    assert_eq!(row["assignee"], "carol");
    // The agent answered the zip (a private note would not count); the parcel waits, first.
    assert_eq!(row["awaiting_reply"], false, "{row}");
    assert_eq!(all[0], second, "awaiting an answer comes first");
    assert_eq!(inbox("?assignee=me").await.0, [t.as_str()]);
    assert_eq!(inbox("?assignee=none").await.0, [second.as_str()]);
    let by_id = format!("?assignee={carol_id}");
    let r = app
        .get(&format!("/api/v1/orgs/northwind/inbox{by_id}"), &carol)
        .await;
    assert_eq!(json_of(r).await["items"].as_array().unwrap().len(), 1);
    let path2 = format!("/api/v1/threads/{second}");
    let done = Some(json!({"status": "resolved"}));
    assert_eq!(
        app.call(Method::PATCH, &path2, Some(&carol), done)
            .await
            .status(),
        200
    );
    assert_eq!(
        inbox("").await.0,
        [t.as_str()],
        "resolved threads leave the inbox"
    );
    assert_eq!(inbox("?status=resolved").await.0, [second.as_str()]);
    problem(
        app.get("/api/v1/orgs/northwind/inbox?status=done", &carol)
            .await,
        422,
        "invalid_value",
    )
    .await;

    // Each side sees its own notes only.
    let mine = json_of(
        app.get(&format!("/api/v1/relationships/{rel}/timeline"), &alice)
            .await,
    )
    .await
    .to_string();
    let theirs = json_of(
        app.get(&format!("/api/v1/relationships/{rel}/timeline"), &carol)
            .await,
    )
    .await
    .to_string();
    assert!(mine.contains("my private note") && !mine.contains("vendor-only note"));
    assert!(theirs.contains("vendor-only note") && !theirs.contains("my private note"));
    // One conversation's entries, paged, as each side sees them.
    let of_thread = |q: &str| format!("/api/v1/threads/{t}/entries{q}");
    let page1 = json_of(app.get(&of_thread("?limit=2"), &alice).await).await;
    let first: Vec<&str> = page1["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(first.len(), 2, "{page1}");
    let next = page1["next"].as_str().unwrap();
    let page2 = json_of(
        app.get(&of_thread(&format!("?limit=50&before={next}")), &alice)
            .await,
    )
    .await;
    let all = format!("{page1}{page2}");
    assert!(
        all.contains("my private note") && !all.contains("vendor-only note"),
        "{all}"
    );
    assert!(
        all.contains("The zip broke after a week")
            && !page2["items"].as_array().unwrap().is_empty()
    );
    assert!(page2["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["thread_id"] == t.as_str()));
    let vendor_view = json_of(app.get(&of_thread(""), &carol).await)
        .await
        .to_string();
    assert!(vendor_view.contains("vendor-only note") && !vendor_view.contains("my private note"));
    problem(app.get(&of_thread(""), &mo).await, 404, "not_found").await;
    problem(
        app.get(&of_thread("?before=yesterday"), &alice).await,
        400,
        "invalid_cursor",
    )
    .await;

    // The customer countersigns the vendor's entry; the bundle carries both keys.
    let cp = json_of(
        app.post(
            &format!("/api/v1/relationships/{rel}/checkpoints"),
            Some(&alice),
            json!({}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (cp["seq"].as_i64(), cp["side"].as_str()),
        (Some(2), Some("customer"))
    );
    // Countersigning the same entry again stores nothing new: 200 and the checkpoint held.
    let again = app
        .post(
            &format!("/api/v1/relationships/{rel}/checkpoints"),
            Some(&alice),
            json!({}),
        )
        .await;
    assert_eq!(again.status(), StatusCode::OK);
    let again: Value = again.json().await.unwrap();
    assert_eq!(again, cp, "the checkpoint already stored");
    let bundle = export(&app, &carol, &rel).await;
    let report = verify_bundle(&bundle[..]).unwrap();
    assert!(report.is_valid(), "{report:?}");
    assert_eq!((report.entries, report.checkpoints), (3, 1));
    let first = String::from_utf8(bundle)
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(
        serde_json::from_str::<Value>(&first).unwrap()["keys"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
});

app_test!(corrections_name_an_earlier_entry_of_their_own_side, |app| {
    let bob = app.user("bob").await;
    let carol = app.user("carol").await;
    let alice = app.user("alice").await;
    let org = app.org(&bob, "northwind").await;
    app.join(&bob, &org, &carol, "agent").await;
    let rel = relationship(&app, &alice, json!({"org": "northwind"})).await;
    let other = relationship(&app, &alice, json!({"vendor_name": "Corner Bikes"})).await;
    let t = thread(&app, &alice, &rel, "Wrong size", "purchase").await;
    let elsewhere = thread(&app, &alice, &other, "Bike", "purchase").await;
    let mine = entry(
        &app,
        &alice,
        &t,
        json!({"kind": "message", "text": "I ordered M"}),
    )
    .await;
    let theirs = entry(
        &app,
        &carol,
        &t,
        json!({"kind": "message", "text": "We sent M"}),
    )
    .await;
    let far = entry(
        &app,
        &alice,
        &elsewhere,
        json!({"kind": "message", "text": "hi"}),
    )
    .await;
    let note = entry(
        &app,
        &carol,
        &t,
        json!({"kind": "note", "text": "vendor-only"}),
    )
    .await;
    let hash = |e: &Value| e["hash"].as_str().unwrap().to_owned();
    let correct =
        |target: String| json!({"kind": "correction", "text": "I meant L", "corrects": target});
    let post = |token: String, body: Value| {
        let app = &app;
        let t = t.clone();
        async move {
            app.post(&format!("/api/v1/threads/{t}/entries"), Some(&token), body)
                .await
        }
    };
    // Refused, and nothing is appended: the other side's entry, an unknown hash, an
    // entry of another relationship, a malformed hash, no target at all.
    for (token, body, code) in [
        (&alice, correct(hash(&theirs)), "invalid_correction"),
        (&carol, correct(hash(&mine)), "invalid_correction"),
        (&alice, correct("0".repeat(64)), "invalid_correction"),
        (&alice, correct(hash(&far)), "invalid_correction"),
        (&alice, correct("not-a-hash".into()), "invalid_value"),
        (
            &alice,
            json!({"kind": "correction", "text": "x"}),
            "invalid_value",
        ),
    ] {
        problem(post(token.clone(), body).await, 422, code).await;
    }
    // A stranger learns nothing: 404, as for any thread of someone else.
    let dan = app.user("dan").await;
    problem(post(dan, correct(hash(&mine))).await, 404, "not_found").await;
    let report = verify_bundle(&export(&app, &alice, &rel).await[..]).unwrap();
    assert!(report.is_valid(), "{report:?}");
    assert_eq!(report.entries, 2, "a refused correction was appended");

    // Each side corrects its own entry; the chain still verifies offline.
    let fixed = json_of(post(alice.clone(), correct(hash(&mine))).await).await;
    assert_eq!(fixed["seq"], 3);
    assert_eq!(fixed["corrects"], hash(&mine).as_str(), "{fixed}");
    // The timeline names the corrected entry; other entries carry no such field.
    let tl = json_of(
        app.get(&format!("/api/v1/relationships/{rel}/timeline"), &alice)
            .await,
    )
    .await;
    let items = tl["items"].as_array().unwrap();
    let c = items.iter().find(|e| e["id"] == fixed["id"]).unwrap();
    assert_eq!(c["corrects"], hash(&mine).as_str());
    let m = items.iter().find(|e| e["id"] == mine["id"]).unwrap();
    assert!(m.get("corrects").is_none(), "{m}");
    assert!(c.get("corrected_by").is_none(), "{c}");
    // The corrected entry names its correction, even on a page without it.
    assert_eq!(m["corrected_by"], fixed["id"], "{m}");
    // One entry a page: the page holding it holds nothing else.
    let mut path = format!("/api/v1/relationships/{rel}/timeline?limit=1");
    let alone = loop {
        let one = json_of(app.get(&path, &alice).await).await;
        if one["items"][0]["id"] == mine["id"] {
            break one["items"][0].clone();
        }
        let next = one["next"].as_str().expect("the entry is on some page");
        path = format!("/api/v1/relationships/{rel}/timeline?limit=1&before={next}");
    };
    assert_eq!(alone["corrected_by"], fixed["id"], "{alone}");
    let tl = json_of(app.get("/api/v1/timeline", &alice).await).await;
    assert!(tl["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["corrects"] == hash(&mine).as_str()));
    json_of(post(carol.clone(), correct(hash(&theirs))).await).await;
    let report = verify_bundle(&export(&app, &alice, &rel).await[..]).unwrap();
    assert!(report.is_valid(), "{report:?}");
    assert_eq!(report.entries, 4);

    // The customer may not erase (or learn of) the vendor side's private note.
    let r = app
        .post(
            &format!("/api/v1/entries/{}/erase", note["id"].as_str().unwrap()),
            Some(&alice),
            json!({}),
        )
        .await;
    problem(r, 404, "not_found").await;
    let tl = json_of(
        app.get(&format!("/api/v1/relationships/{rel}/timeline"), &carol)
            .await,
    )
    .await;
    let kept = tl["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == note["id"])
        .expect("the vendor's note is gone");
    assert_eq!(kept["erased"], false, "{kept}");
});

app_test!(
    an_event_logged_after_the_fact_is_dated_when_it_happened,
    |app| {
        let alice = app.user("alice").await;
        let rel = relationship(&app, &alice, json!({"vendor_name": "Corner Bikes"})).await;
        let t = thread(&app, &alice, &rel, "Bike", "purchase").await;
        let day = |days_ago: i64| -> String {
            slingshot_store::rfc3339(slingshot_store::now_us() - days_ago * 86_400_000_000)
                .chars()
                .take(10)
                .collect()
        };
        let event = |on: String| json!({"kind": "event", "event": {"type": "purchase", "item": "Trail 3", "on": on}});
        let path = format!("/api/v1/threads/{t}/entries");
        // Refused, and nothing appended: a day after today, a day that does not exist.
        for on in [day(-2), "2026-02-30".to_owned(), "last week".to_owned()] {
            problem(
                app.post(&path, Some(&alice), event(on)).await,
                422,
                "invalid_value",
            )
            .await;
        }
        let e = entry(&app, &alice, &t, event(day(10))).await;
        assert!(
            e["at"]
                .as_str()
                .unwrap()
                .starts_with(&format!("{}T12:00:00", day(10))),
            "{e}"
        );
        assert_eq!(e["body"]["event"]["on"], day(10).as_str());
        assert_eq!(e["seq"], 1, "only the dated event was appended");
        // The timeline's date filter finds it on that day, and not today.
        let on_day = json_of(
            app.get(
                &format!("/api/v1/timeline?from={}&to={}", day(10), day(9)),
                &alice,
            )
            .await,
        )
        .await;
        assert_eq!(on_day["items"].as_array().unwrap().len(), 1, "{on_day}");
        let today = json_of(
            app.get(&format!("/api/v1/timeline?from={}", day(0)), &alice)
                .await,
        )
        .await;
        assert!(today["items"].as_array().unwrap().is_empty(), "{today}");
        // Today's date is just now.
        let now = entry(&app, &alice, &t, event(day(0))).await;
        assert_eq!(now["seq"], 2);
        let report = verify_bundle(&export(&app, &alice, &rel).await[..]).unwrap();
        assert!(report.is_valid(), "{report:?}");
    }
);
