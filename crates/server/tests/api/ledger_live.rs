//! New entries arriving live: server-sent events, and across servers on PostgreSQL.

use crate::helpers::TestApp;
use crate::ledger::{entry, relationship, thread};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_entries_arrive_as_server_sent_events() {
    let app = TestApp::spawn(slingshot_store::testing::TestDb::sqlite().await).await;
    let alice = app.user("alice").await;
    let mallory = app.user("mallory").await;
    let rel = relationship(&app, &alice, json!({"vendor_name": "Live Vendor"})).await;
    let t = thread(&app, &alice, &rel, "Live", "other").await;
    let mut stream = app
        .client
        .get(app.url("/api/v1/events"))
        .bearer_auth(&alice)
        .send()
        .await
        .unwrap();
    let mut other = app
        .client
        .get(app.url("/api/v1/events"))
        .bearer_auth(&mallory)
        .send()
        .await
        .unwrap();
    assert_eq!(stream.headers()["content-type"], "text/event-stream");
    let e = entry(
        &app,
        &alice,
        &t,
        json!({"kind": "message", "text": "hello live"}),
    )
    .await;
    let chunk = tokio::time::timeout(std::time::Duration::from_secs(5), stream.chunk())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let text = String::from_utf8_lossy(&chunk);
    assert!(
        text.contains("event: entry") && text.contains(e["id"].as_str().unwrap()),
        "{text}"
    );
    let nothing = tokio::time::timeout(std::time::Duration::from_millis(300), other.chunk()).await;
    assert!(nothing.is_err(), "another person's stream stays quiet");
}

/// Two servers on one PostgreSQL database: an entry stored through one appears live on
/// the other's event stream (LISTEN/NOTIFY), and only for those who may see it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_updates_cross_servers_on_postgres() {
    let Some(db) = slingshot_store::testing::TestDb::postgres().await else {
        return;
    };
    let url = db.url.clone();
    let app = TestApp::spawn(db).await;
    // The second server: its own pool on the same database.
    let store = slingshot_store::Store::open(&url).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let other = format!("http://{}", listener.local_addr().unwrap());
    let config = slingshot_server::Config {
        public_url: other.clone(),
        database_url: Some(url),
        ..slingshot_server::Config::default()
    };
    let state = slingshot_server::AppState::new(
        store,
        config,
        slingshot_credentials::MasterKey::generate(),
    );
    tokio::spawn(slingshot_server::serve(
        listener,
        state,
        std::future::pending(),
    ));

    let alice = app.user("alice").await;
    let mallory = app.user("mallory").await;
    let rel = relationship(&app, &alice, json!({"vendor_name": "Corner Bikes"})).await;
    let t = thread(&app, &alice, &rel, "Bike", "purchase").await;
    let open = |token: String| {
        let url = format!("{other}/api/v1/events");
        async move {
            let r = reqwest::Client::new()
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::OK);
            r
        }
    };
    let mut alice_stream = open(alice.clone()).await;
    let mut mallory_stream = open(mallory.clone()).await;
    // Give both listeners a moment to subscribe before the entry is stored.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let e = entry(
        &app,
        &alice,
        &t,
        json!({"kind": "message", "text": "Is it in stock?"}),
    )
    .await;
    let id = e["id"].as_str().unwrap().to_owned();
    let mut seen = String::new();
    let found = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        while let Some(chunk) = alice_stream.chunk().await.unwrap() {
            seen.push_str(&String::from_utf8_lossy(&chunk));
            if seen.contains(&id) {
                return true;
            }
        }
        false
    })
    .await;
    assert_eq!(
        found,
        Ok(true),
        "the other server never announced {id}: {seen}"
    );
    // Mallory's stream on that server stays silent about Alice's entry.
    let leaked = tokio::time::timeout(std::time::Duration::from_millis(800), async {
        let mut s = String::new();
        while let Some(chunk) = mallory_stream.chunk().await.unwrap() {
            s.push_str(&String::from_utf8_lossy(&chunk));
            if s.contains(&id) {
                return true;
            }
        }
        false
    })
    .await;
    assert!(
        !matches!(leaked, Ok(true)),
        "an entry leaked to another tenant"
    );
}
