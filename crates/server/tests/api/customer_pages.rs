//! The organization's customers, on a page and through the API, a page at a time.

use crate::helpers::{page, problem, signed_in, TestApp};
use crate::ledger::relationship;
use crate::ledger_pages::northwind_and_customer;
use reqwest::StatusCode;
use serde_json::{json, Value};
use slingshot_store::testing::TestDb;

#[tokio::test]
async fn an_agent_finds_every_customer_a_page_at_a_time() {
    let app = TestApp::spawn(TestDb::sqlite().await).await;
    let (carol, _alice, first) = northwind_and_customer(&app).await;
    // Two more customers; a relationship never shared is not the vendor's to see.
    let mut rels = vec![first];
    for who in ["dave", "erin"] {
        let t = app.user(who).await;
        rels.push(relationship(&app, &t, json!({"org": "northwind"})).await);
    }
    let frank = app.user("frank").await;
    let private = relationship(&app, &frank, json!({"vendor_name": "northwind"})).await;

    let get = |q: String| {
        let (app, carol) = (&app, &carol);
        async move {
            app.get(&format!("/api/v1/orgs/northwind/relationships{q}"), carol)
                .await
        }
    };
    let one: Value = get("?limit=2".into()).await.json().await.unwrap();
    let ids: Vec<&str> = one["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [rels[2].as_str(), rels[1].as_str()],
        "newest first: {one}"
    );
    let next = one["next"].as_str().unwrap();
    let two: Value = get(format!("?limit=2&before={next}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(two["items"].as_array().unwrap().len(), 1, "{two}");
    assert_eq!(two["items"][0]["id"], rels[0].as_str());
    assert!(two["next"].is_null(), "{two}");
    for bad in ["?limit=0", "?limit=201", "?limit=x"] {
        let r = get(bad.into()).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{bad}");
    }
    problem(
        get("?before=%27%20OR%201%3D1".into()).await,
        400,
        "invalid_cursor",
    )
    .await;
    // A customer is not the organization.
    let r = app
        .get("/api/v1/orgs/northwind/relationships", &frank)
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // The page: every customer by pseudonym, each a link to their history.
    let (c, _) = signed_in(&app, "carol").await;
    let org = page(&c, app.url("/orgs/northwind")).await;
    assert!(org.contains(r#"href="/orgs/northwind/customers""#), "{org}");
    let html = page(&c, app.url("/orgs/northwind/customers?limit=2")).await;
    for id in &rels[1..] {
        assert!(
            html.contains(&format!(r#"href="/relationships/{id}""#)),
            "{html}"
        );
    }
    assert!(!html.contains(&rels[0]) && !html.contains(&private));
    let older = html
        .split("customers?before=")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let html = page(
        &c,
        app.url(&format!("/orgs/northwind/customers?limit=2&before={older}")),
    )
    .await;
    assert!(
        html.contains(&format!(r#"href="/relationships/{}""#, rels[0])),
        "{html}"
    );
    // The customer's history is one click away, and the agent may start a conversation there.
    let history = page(&c, app.url(&format!("/relationships/{}", rels[0]))).await;
    assert!(history.contains("Start a conversation"), "{history}");
    // Frank's history, tracked alone since before, shared now: the newest customer.
    let r = app
        .post(
            &format!("/api/v1/relationships/{private}/share"),
            Some(&frank),
            json!({"org": "northwind"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let now: Value = get("?limit=1".into()).await.json().await.unwrap();
    assert_eq!(now["items"][0]["id"], private.as_str(), "{now}");
    let (f, _) = signed_in(&app, "frank").await;
    let r = f
        .get(app.url("/orgs/northwind/customers"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_search_page_offers_recent_customers_and_any_one_from_its_row() {
    use slingshot_domain::{DisplayName, Handle};
    let app = TestApp::spawn(TestDb::sqlite().await).await;
    let (_carol, _alice, first) = northwind_and_customer(&app).await;
    let (c, _) = signed_in(&app, "carol").await;
    let html = page(&c, app.url("/orgs/northwind/search")).await;
    assert!(
        html.contains(&format!("<option value=\"{first}\"")),
        "{html}"
    );
    assert!(
        !html.contains("shared most recently"),
        "all are listed: {html}"
    );
    // A hundred customers more, stored directly (signing up each would take long).
    let store = &app.db.store;
    for i in 0..100 {
        let h = format!("customer{i}");
        let u = store
            .create_user(
                &Handle::parse(&h).unwrap(),
                &DisplayName::parse(&h).unwrap(),
                "$argon2id$fake",
                false,
                true,
                "127.0.0.1",
            )
            .await
            .unwrap();
        let new = slingshot_store::NewRelationship {
            org: Some("northwind".into()),
            ..Default::default()
        };
        store.create_relationship(&u.id, &new).await.unwrap();
    }
    let html = page(&c, app.url("/orgs/northwind/search")).await;
    assert_eq!(customer_options(&html), 100);
    assert!(html.contains("shared most recently"), "{html}");
    assert!(
        !html.contains(&format!("<option value=\"{first}\"")),
        "the oldest is left out"
    );
    // Its row on the customers' pages narrows the search to it, and the page offers it.
    let mut older = page(&c, app.url("/orgs/northwind/customers")).await;
    while let Some(next) = older.split("customers?before=").nth(1) {
        let next = next.split('"').next().unwrap().to_owned();
        older = page(
            &c,
            app.url(&format!("/orgs/northwind/customers?before={next}")),
        )
        .await;
    }
    let search = format!("/orgs/northwind/search?relationship={first}");
    assert!(older.contains(&format!("href=\"{search}\"")), "{older}");
    let html = page(&c, app.url(&format!("{search}&q=anything"))).await;
    assert!(
        html.contains(&format!("<option value=\"{first}\" selected>")),
        "{html}"
    );
    // Another organization's customer is not offered, whatever the address says.
    let mallory = app.user("mallory").await;
    let theirs = relationship(&app, &mallory, json!({"vendor_name": "Elsewhere"})).await;
    let r = c
        .get(app.url(&format!("/orgs/northwind/search?relationship={theirs}")))
        .send()
        .await
        .unwrap();
    let html = r.text().await.unwrap();
    assert!(
        !html.contains(&format!("<option value=\"{theirs}\"")),
        "{html}"
    );
}

/// How many customers the search page's narrowing list offers (besides "all").
fn customer_options(html: &str) -> usize {
    let list = html.split("id=\"s-narrow\"").nth(1).unwrap();
    let list = list.split("</select>").next().unwrap();
    list.matches("<option value=\"").count() - 1
}
