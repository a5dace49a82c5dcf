//! What the browser tests share: chromedriver and Chromium started per test, the app on
//! a random port, and waiting for pages.

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use slingshot_server::{AppState, Config};
use slingshot_store::testing::TestDb;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct Driver {
    child: Child,
    url: String,
    _profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn chromedriver_path() -> Option<String> {
    let candidates = [
        std::env::var("SLINGSHOT_CHROMEDRIVER").unwrap_or_default(),
        "/usr/bin/chromedriver".into(),
    ];
    candidates
        .into_iter()
        .find(|p| !p.is_empty() && std::path::Path::new(p).exists())
}

pub async fn start_driver() -> Option<(Driver, Client)> {
    let Some(path) = chromedriver_path() else {
        if std::env::var_os("CI").is_some()
            || std::env::var_os("SLINGSHOT_REQUIRE_BROWSER").is_some()
        {
            panic!("chromedriver not found: install Debian's chromium and chromium-driver");
        }
        eprintln!("skipped: chromedriver not found (apt-get install chromium chromium-driver)");
        return None;
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(path)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let profile = tempfile::tempdir().unwrap();
    let driver = Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
        _profile: profile,
    };
    let caps = json!({
        "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--no-first-run", "--disable-quic", "--window-size=1200,900",
                     format!("--user-data-dir={}", driver._profile.path().display())]
        }
    });
    let caps = caps.as_object().unwrap().clone();
    for _ in 0..400 {
        let mut b = ClientBuilder::new(HttpConnector::new());
        b.capabilities(caps.clone());
        if let Ok(c) = b.connect(&driver.url).await {
            return Some((driver, c));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not start");
}

/// Start Slingshot on port 0 with a fresh SQLite database; returns its base URL.
pub async fn spawn_app() -> (String, TestDb) {
    let db = TestDb::sqlite().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let config = Config {
        public_url: base.clone(),
        database_url: Some(db.url.clone()),
        ..Config::default()
    };
    let state = AppState::new(
        db.store.clone(),
        config,
        slingshot_credentials::MasterKey::generate(),
    );
    tokio::spawn(slingshot_server::serve(
        listener,
        state,
        std::future::pending(),
    ));
    (base, db)
}

/// Find an element, waiting while a navigation replaces the page.
pub async fn find(c: &Client, l: Locator<'_>) -> fantoccini::elements::Element {
    for _ in 0..400 {
        if let Ok(e) = c.find(l).await {
            return e;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "element {l:?} never appeared on {}",
        c.current_url()
            .await
            .map(|u| u.to_string())
            .unwrap_or_default()
    );
}

/// An element's text, retried while a navigation replaces the page.
pub async fn text_of(c: &Client, l: Locator<'_>) -> String {
    for _ in 0..400 {
        if let Ok(e) = c.find(l).await {
            if let Ok(t) = e.text().await {
                return t;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no text for {l:?}");
}

pub async fn fill(c: &Client, id: &str, value: &str) {
    let el = find(c, Locator::Id(id)).await;
    el.clear().await.unwrap();
    el.send_keys(value).await.unwrap();
}

pub async fn click_button(c: &Client, text: &str) {
    let xpath = format!("//button[normalize-space()='{text}']");
    find(c, Locator::XPath(&xpath)).await.click().await.unwrap();
}

/// Wait until the browser is on `path` (clicks return before navigation ends).
pub async fn wait_for_path(c: &Client, path: &str) {
    for _ in 0..400 {
        if c.current_url().await.unwrap().path() == path {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "browser did not reach {path}; it is on {}",
        c.current_url().await.unwrap()
    );
}

/// The page's text; retried while a navigation replaces the document.
pub async fn body_text(c: &Client) -> String {
    for _ in 0..50 {
        if let Ok(el) = c.find(Locator::Css("body")).await {
            if let Ok(t) = el.text().await {
                return t;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the page never settled");
}

pub async fn sign_in(c: &Client, base: &str, handle: &str, password: &str) {
    c.goto(&format!("{base}/login")).await.unwrap();
    fill(c, "handle", handle).await;
    fill(c, "password", password).await;
    click_button(c, "Sign in").await;
}

pub async fn sign_out(c: &Client) {
    click_button(c, "Sign out").await;
    for _ in 0..400 {
        if body_text(c).await.contains("Create account") {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub async fn screenshot(c: &Client, name: &str) {
    if let Ok(dir) = std::env::var("SLINGSHOT_SCREENSHOTS") {
        let png = c.screenshot().await.unwrap();
        std::fs::write(format!("{dir}/{name}.png"), png).unwrap();
    }
}

/// Register through the API; returns a session token.
pub async fn api_user(http: &reqwest::Client, base: &str, handle: &str) -> String {
    let r = http
        .post(format!("{base}/api/v1/accounts"))
        .json(&json!({"handle": handle, "password": "lantern orchard pebble"}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let r = http
        .post(format!("{base}/api/v1/sessions"))
        .json(&json!({"handle": handle, "password": "lantern orchard pebble"}))
        .send()
        .await
        .unwrap();
    r.json::<serde_json::Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Wait until an element's text contains `want`; returns it.
pub async fn wait_text(c: &Client, l: Locator<'_>, want: &str) -> String {
    let mut t = String::new();
    for _ in 0..400 {
        if let Ok(e) = c.find(l).await {
            t = e.text().await.unwrap_or_default();
            if t.contains(want) {
                return t;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "{l:?} never contained {want:?}; last: {t:?}; page: {}",
        body_text(c).await
    );
}
