//! Search through the API: a person's and an organization's, their walls, and paging.

use crate::app_test;
use crate::helpers::{page, problem, signed_in, TestApp};
use crate::ledger::{entry, json_of, relationship, thread};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// A relationship (`body` names the vendor) with one thread; (relationship, thread).
async fn conversation(app: &TestApp, token: &str, body: Value) -> (String, String) {
    let rel = relationship(app, token, body).await;
    let t = thread(app, token, &rel, "Jacket zip", "support").await;
    (rel, t)
}

async fn say(app: &TestApp, token: &str, thread: &str, kind: &str, text: &str) -> String {
    let e = entry(app, token, thread, json!({"kind": kind, "text": text})).await;
    e["id"].as_str().unwrap().to_owned()
}

/// The entry ids of a search's hits, and its `next`.
async fn hits(app: &TestApp, token: &str, path: &str) -> (Vec<String>, Option<String>) {
    let v = json_of(app.get(path, token).await).await;
    let ids = v["items"].as_array().unwrap().iter();
    let ids = ids.map(|h| h["entry_id"].as_str().unwrap().to_owned());
    (ids.collect(), v["next"].as_str().map(str::to_owned))
}

app_test!(
    an_organization_searches_its_customers_conversations,
    |app| {
        let bob = app.user("bob").await;
        let carol = app.user("carol").await;
        let alice = app.user("alice").await;
        let dave = app.user("dave").await;
        let erin = app.user("erin").await;
        let frank = app.user("frank").await;
        let northwind = app.org(&bob, "northwind").await;
        app.join(&bob, &northwind, &carol, "agent").await;
        let moderator = app.user("molly").await;
        app.join(&bob, &northwind, &moderator, "moderator").await;
        app.org(&frank, "southwind").await;

        let (alice_rel, t) = conversation(&app, &alice, json!({"org": "northwind"})).await;
        let asked = say(&app, &alice, &t, "message", "The parcel jacket zip broke").await;
        let own_note = say(&app, &alice, &t, "note", "parcel jacket: keep the receipt").await;
        let vendor_note = say(&app, &carol, &t, "note", "parcel jacket: offer a refund").await;
        let reply = say(&app, &carol, &t, "message", "Send the parcel back to us").await;
        // Dave tracked Northwind alone, then shared the history: it is theirs to search now.
        let (dave_rel, dt) = conversation(&app, &dave, json!({"vendor_name": "Northwind"})).await;
        let daves = say(&app, &dave, &dt, "message", "My parcel never came").await;
        let (_, not_yet) = hits(&app, &carol, "/api/v1/orgs/northwind/search?q=parcel").await;
        assert!(not_yet.is_none());
        let share = json!({"org": "northwind"});
        let path = format!("/api/v1/relationships/{dave_rel}/share");
        json_of(app.post(&path, Some(&dave), share).await).await;
        // Erin's conversation with another vendor never shows.
        let (_, et) = conversation(&app, &erin, json!({"org": "southwind"})).await;
        say(&app, &erin, &et, "message", "parcel for southwind").await;

        // The agent finds the customers' messages and the organization's own notes, newest
        // first, never a customer's private note; the owner too, by id or handle.
        let (found, next) = hits(&app, &carol, "/api/v1/orgs/northwind/search?q=parcel").await;
        assert_eq!(
            found,
            [
                daves.clone(),
                reply.clone(),
                vendor_note.clone(),
                asked.clone()
            ]
        );
        assert!(next.is_none());
        let by_id = format!("/api/v1/orgs/{northwind}/search?q=parcel");
        assert_eq!(hits(&app, &bob, &by_id).await.0, found);
        // Each hit names its customer by their pseudonym, never the person's handle or the
        // name the person gave the vendor, and marks the match.
        let v = json_of(
            app.get("/api/v1/orgs/northwind/search?q=refund", &carol)
                .await,
        )
        .await;
        let hit = &v["items"][0];
        assert_eq!(hit["entry_id"], vendor_note.as_str(), "{v}");
        assert_eq!(hit["relationship_id"], alice_rel.as_str());
        let rel = json_of(
            app.get(&format!("/api/v1/relationships/{alice_rel}"), &carol)
                .await,
        )
        .await;
        assert_eq!(hit["customer"], rel["pseudonym"], "{v} {rel}");
        assert!(
            hit["snippet"]
                .as_str()
                .unwrap()
                .contains("<mark>refund</mark>"),
            "{v}"
        );
        assert!(hit.get("vendor_name").is_none(), "{v}");
        // Narrowed to one customer.
        let one = format!("/api/v1/orgs/northwind/search?q=parcel&relationship={alice_rel}");
        assert_eq!(
            hits(&app, &carol, &one).await.0,
            [reply.clone(), vendor_note, asked.clone()]
        );
        let support = "/api/v1/orgs/northwind/search?q=parcel&stage=purchase";
        assert!(hits(&app, &carol, support).await.0.is_empty());

        // The customer's own search: her note and the vendor's answer, not the vendor's note.
        let (mine, _) = hits(&app, &alice, "/api/v1/search?q=parcel").await;
        assert_eq!(mine, [reply, own_note, asked]);

        // Walls: the customer, another organization's owner and a moderator (who does not
        // answer customers) get 404, as does an unknown organization.
        for token in [&alice, &frank, &moderator] {
            let r = app
                .get("/api/v1/orgs/northwind/search?q=parcel", token)
                .await;
            problem(r, 404, "not_found").await;
        }
        let r = app
            .get("/api/v1/orgs/nowhere/search?q=parcel", &carol)
            .await;
        problem(r, 404, "not_found").await;
        // Bad input: a clear error, for the organization's search as for the person's.
        for base in ["/api/v1/orgs/northwind/search", "/api/v1/search"] {
            problem(app.get(base, &carol).await, 400, "invalid_query").await;
            let r = app
                .get(&format!("{base}?q=parcel&stage=shopping"), &carol)
                .await;
            problem(r, 422, "invalid_value").await;
            let r = app
                .get(&format!("{base}?q=parcel&before=yesterday"), &carol)
                .await;
            problem(r, 400, "invalid_cursor").await;
            let r = app
                .get(&format!("{base}?q=parcel&limit=many"), &carol)
                .await;
            problem(r, 400, "invalid_query").await;
            let long = "a".repeat(501);
            let r = app.get(&format!("{base}?q={long}"), &carol).await;
            problem(r, 422, "invalid_value").await;
        }
    }
);

app_test!(search_pages_newest_first_without_overlap, |app| {
    let bob = app.user("bob").await;
    let alice = app.user("alice").await;
    app.org(&bob, "northwind").await;
    let (_, t) = conversation(&app, &alice, json!({"org": "northwind"})).await;
    let mut written = Vec::new();
    for i in 0..7 {
        let who = if i % 3 == 2 { &bob } else { &alice };
        written.push(say(&app, who, &t, "message", &format!("lantern number {i}")).await);
    }
    written.reverse();
    for (token, base) in [
        (&alice, "/api/v1/search?q=lantern&limit=3".to_owned()),
        (
            &bob,
            "/api/v1/orgs/northwind/search?q=lantern&limit=3".to_owned(),
        ),
    ] {
        let mut seen = Vec::new();
        let mut path = base.clone();
        let mut pages = 0;
        loop {
            let (ids, next) = hits(&app, token, &path).await;
            pages += 1;
            seen.extend(ids);
            match next {
                Some(c) => path = format!("{base}&before={c}"),
                None => break,
            }
        }
        assert_eq!(seen, written, "{base}");
        assert_eq!(pages, 3, "{base}");
    }
    // A page's last hit erased since still leads on to the next page.
    let (first, next) = hits(&app, &alice, "/api/v1/search?q=lantern&limit=3").await;
    let r = app
        .post(
            &format!("/api/v1/entries/{}/erase", first[2]),
            Some(&alice),
            json!({}),
        )
        .await;
    assert_eq!(r.status(), 204);
    let path = format!("/api/v1/search?q=lantern&limit=3&before={}", next.unwrap());
    assert_eq!(hits(&app, &alice, &path).await.0, written[3..6]);
});

/// The search pages: an agent's from the inbox, a person's, each a page of 50 with a link to
/// older hits that keeps the words and the narrowing.
#[tokio::test]
async fn search_pages_show_a_page_and_lead_to_older_hits() {
    let app = TestApp::spawn(slingshot_store::testing::TestDb::sqlite().await).await;
    let bob = app.user("bob").await;
    let alice = app.user("alice").await;
    app.user("carol").await;
    app.org(&bob, "northwind").await;
    let (rel, t) = conversation(&app, &alice, json!({"org": "northwind"})).await;
    for i in 0..52 {
        say(&app, &alice, &t, "message", &format!("kettle question {i}")).await;
    }
    say(&app, &alice, &t, "note", "kettle: my own note").await;
    let path = format!("/api/v1/relationships/{rel}");
    let pseudonym = json_of(app.get(&path, &bob).await).await["pseudonym"]
        .as_str()
        .unwrap()
        .to_owned();

    let (c, _) = signed_in(&app, "bob").await;
    let first = page(&c, app.url("/orgs/northwind/search?q=kettle")).await;
    assert_eq!(first.matches("<li>").count(), 50, "{first}");
    assert!(
        first.contains("kettle question 51") || first.contains("<mark>kettle</mark> question 51"),
        "{first}"
    );
    assert!(
        first.contains(&pseudonym),
        "the customer is not named: {first}"
    );
    assert!(
        !first.contains("my own note"),
        "a customer's note showed: {first}"
    );
    let more = first
        .split("rel=\"next\" href=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("a link to older hits")
        .replace("&#38;", "&");
    assert!(
        more.starts_with("/orgs/northwind/search?q=kettle&before="),
        "{more}"
    );
    let second = page(&c, app.url(&more)).await;
    assert_eq!(second.matches("<li>").count(), 2, "{second}");
    assert!(
        second.contains("question</mark> 0") || second.contains("question 0"),
        "{second}"
    );
    assert!(!second.contains("rel=\"next\""), "{second}");

    // The person's page pages the same way and also finds her note.
    let (a, _) = signed_in(&app, "alice").await;
    let url = format!("/search?q=kettle&relationship={rel}");
    let mine = page(&a, app.url(&url)).await;
    assert_eq!(mine.matches("<li>").count(), 50, "{mine}");
    assert!(mine.contains("my own note"), "{mine}");
    let more = mine
        .split("rel=\"next\" href=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("a link to older hits")
        .replace("&#38;", "&");
    assert!(more.contains(&format!("relationship={rel}")), "{more}");
    assert_eq!(page(&a, app.url(&more)).await.matches("<li>").count(), 3);
    // The timeline's filters narrow the page, and the link to older hits keeps them.
    let support = page(&a, app.url("/search?q=kettle&stage=support&tag=")).await;
    assert_eq!(support.matches("<li>").count(), 50);
    assert!(support.contains("stage=support&#38;before="), "{support}");
    let purchase = page(&a, app.url("/search?q=kettle&stage=purchase")).await;
    assert!(purchase.contains("0 result(s)"), "{purchase}");
    let later = page(&a, app.url("/search?q=kettle&from=2999-01-01")).await;
    assert!(later.contains("0 result(s)"), "{later}");
    let r = a
        .get(app.url("/search?q=kettle&stage=shopping"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // A cut-short cursor starts from the newest rather than failing.
    let cut = page(&a, app.url("/search?q=kettle&before=12")).await;
    assert_eq!(cut.matches("<li>").count(), 50);
    // Not a member: no organization's search page.
    let r = a
        .get(app.url("/orgs/northwind/search?q=kettle"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

/// A hit older than a long thread's newest page opens the page that holds it, with a way
/// back to the newest.
#[tokio::test]
async fn a_hit_deep_in_a_long_thread_opens_where_it_is() {
    let app = TestApp::spawn(slingshot_store::testing::TestDb::sqlite().await).await;
    let alice = app.user("alice").await;
    let (_, t) = conversation(&app, &alice, json!({"vendor_name": "Long Mail"})).await;
    let first = say(&app, &alice, &t, "message", "the original warranty card").await;
    for i in 0..205 {
        say(&app, &alice, &t, "message", &format!("reply {i}")).await;
    }
    let (a, _) = signed_in(&app, "alice").await;
    let newest = page(&a, app.url(&format!("/threads/{t}"))).await;
    assert!(
        !newest.contains(&format!("id=\"e-{first}\"")),
        "not a long thread"
    );
    let hits = page(&a, app.url("/search?q=warranty")).await;
    let link = hits
        .split("<a href=\"")
        .find(|s| s.starts_with(&format!("/threads/{t}?entry=")))
        .and_then(|s| s.split('"').next())
        .expect("the hit links to its thread")
        .replace("&#38;", "&");
    let opened = page(&a, app.url(&link)).await;
    assert!(
        opened.contains(&format!("id=\"e-{first}\"")),
        "{link}: {opened}"
    );
    assert!(opened.contains(&format!("href=\"/threads/{t}\">Newest entries")));
    assert!(!newest.contains("Newest entries"));
}
