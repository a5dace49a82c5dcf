//! The Watchlist page: upload cascades, a background CELF run, the chosen sources and chart.

use crate::helpers::{browser, csrf_from, TestApp, PASSWORD};
use reqwest::{Client, StatusCode};
use slingshot_store::testing::TestDb;

async fn browser_for(app: &TestApp, handle: &str) -> (Client, String) {
    let c = browser();
    let csrf = csrf_from(
        &c.get(app.url("/login"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    let r = c
        .post(app.url("/login"))
        .form(&[("handle", handle), ("password", PASSWORD), ("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    (c, csrf)
}

const CASCADES: &str = "a 10,b 20,c 30\nb 5,a 6\nc 1,d 2,a 3\nd 7,e 8\ne 1,a 2,b 3\nf 4\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn owners_choose_sources_to_watch_in_the_background() {
    let app = TestApp::spawn(TestDb::sqlite().await).await;
    let owner = app.user("olivia").await;
    let agent = app.user("agnes").await;
    app.user("mallory").await;
    let org = app.org(&owner, "harbor").await;
    app.join(&owner, &org, &agent, "agent").await;

    let (c, csrf) = browser_for(&app, "olivia").await;
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(CASCADES.as_bytes().to_vec()).file_name("stories.txt"),
        )
        .text("format", "text")
        .text("objective", "dl")
        .text("k", "2");
    let r = c
        .post(app.url(&format!("/orgs/harbor/watchlist?csrf={csrf}")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    let mut html = String::new();
    for _ in 0..100 {
        html = c
            .get(app.url(&location))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if html.contains("proven within") || html.contains("Failed") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(html.contains("DL = 5.0 with 2 sources"), "{html}");
    assert!(
        html.contains("<td>a</td>"),
        "a carries 4 of the 6 stories: {html}"
    );
    let run = location.split("run=").nth(1).unwrap();
    let svg = c
        .get(app.url(&format!("/orgs/harbor/watchlist/{run}/chart.svg")))
        .send()
        .await
        .unwrap();
    assert_eq!(svg.headers()["content-type"], "image/svg+xml");
    assert!(svg.text().await.unwrap().starts_with("<svg"));

    // Bad input shows an error and starts nothing.
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(CASCADES.as_bytes().to_vec()),
        )
        .text("k", "0");
    let r = c
        .post(app.url(&format!("/orgs/harbor/watchlist?csrf={csrf}")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let form = reqwest::multipart::Form::new().text("k", "3");
    let r = c
        .post(app.url("/orgs/harbor/watchlist"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "no CSRF token");

    // A malformed file fails visibly, with the line.
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(b"a 1,b x\n".to_vec()),
        )
        .text("k", "1");
    let r = c
        .post(app.url(&format!("/orgs/harbor/watchlist?csrf={csrf}")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    for _ in 0..100 {
        html = c
            .get(app.url(&location))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if html.contains("Failed") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(html.contains("Failed") && html.contains(":1:"), "{html}");

    // Agents see the page but cannot start runs; outsiders get 404.
    let (ca, csrf_a) = browser_for(&app, "agnes").await;
    assert_eq!(
        ca.get(app.url("/orgs/harbor/watchlist"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(CASCADES.as_bytes().to_vec()),
        )
        .text("k", "1");
    let r = ca
        .post(app.url(&format!("/orgs/harbor/watchlist?csrf={csrf_a}")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let (cm, _) = browser_for(&app, "mallory").await;
    assert_eq!(
        cm.get(app.url("/orgs/harbor/watchlist"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        cm.get(app.url(&format!("/orgs/harbor/watchlist/{run}/chart.svg")))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
}
