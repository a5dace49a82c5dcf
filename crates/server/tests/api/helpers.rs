//! Spawn the app on port 0 against a fresh database; small request helpers.

use reqwest::{Client, Method, Response, StatusCode};
use serde_json::{json, Value};
use slingshot_server::{AppState, Config};
use slingshot_store::testing::TestDb;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub const PASSWORD: &str = "cobalt kettle meadow";

pub struct TestApp {
    pub base: String,
    pub db: TestDb,
    pub client: Client,
    stop: Option<oneshot::Sender<()>>,
    pub task: Option<JoinHandle<std::io::Result<()>>>,
}

impl TestApp {
    pub async fn spawn(db: TestDb) -> Self {
        Self::spawn_with(db, |_| {}).await
    }

    pub async fn spawn_with(db: TestDb, tweak: impl FnOnce(&mut Config)) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let mut config = Config {
            public_url: base.clone(),
            database_url: Some(db.url.clone()),
            ..Config::default()
        };
        tweak(&mut config);
        let state = AppState::new(
            db.store.clone(),
            config,
            slingshot_credentials::MasterKey::generate(),
        );
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(slingshot_server::serve(listener, state, async move {
            let _ = rx.await;
        }));
        let client = Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Self {
            base,
            db,
            client,
            stop: Some(tx),
            task: Some(task),
        }
    }

    /// Begin graceful shutdown; returns the server task to await.
    pub fn shutdown(&mut self) -> JoinHandle<std::io::Result<()>> {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        self.task.take().unwrap()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Response {
        let mut rb = self.client.request(method, self.url(path));
        if let Some(t) = token {
            rb = rb.bearer_auth(t);
        }
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        rb.send().await.unwrap()
    }

    pub async fn get(&self, path: &str, token: &str) -> Response {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Response {
        self.call(Method::POST, path, token, Some(body)).await
    }

    /// Register `handle` and sign in; returns the session token.
    pub async fn user(&self, handle: &str) -> String {
        let r = self
            .post(
                "/api/v1/accounts",
                None,
                json!({"handle": handle, "password": PASSWORD}),
            )
            .await;
        assert_eq!(
            r.status(),
            StatusCode::CREATED,
            "register {handle}: {}",
            r.text().await.unwrap()
        );
        self.sign_in(handle, PASSWORD).await
    }

    pub async fn sign_in(&self, handle: &str, password: &str) -> String {
        let r = self
            .post(
                "/api/v1/sessions",
                None,
                json!({"handle": handle, "password": password}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED, "sign in {handle}");
        r.json::<Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub async fn user_id(&self, token: &str) -> String {
        self.get("/api/v1/me", token)
            .await
            .json::<Value>()
            .await
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Create an org owned by the token's user; returns its id.
    pub async fn org(&self, token: &str, handle: &str) -> String {
        let r = self
            .post(
                "/api/v1/orgs",
                Some(token),
                json!({"handle": handle, "name": handle, "kind": "vendor"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        r.json::<Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Invite and accept: `member_token` joins `org` with `role`.
    pub async fn join(&self, owner_token: &str, org: &str, member_token: &str, role: &str) {
        let r = self
            .post(
                &format!("/api/v1/orgs/{org}/invites"),
                Some(owner_token),
                json!({"role": role}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let secret = r.json::<Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
            .to_owned();
        let r = self
            .post(
                &format!("/api/v1/invites/{secret}/accept"),
                Some(member_token),
                json!({}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
    }
}

/// Assert a problem+json response with this status and code; returns the document.
pub async fn problem(r: Response, status: u16, code: &str) -> Value {
    assert_eq!(r.status().as_u16(), status, "status");
    let ct = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    assert_eq!(ct, "application/problem+json");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["status"], status);
    assert!(body["detail"].as_str().is_some_and(|d| !d.is_empty()));
    body
}

/// A test run against the real server on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! app_test {
    ($name:ident, |$app:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            async fn run($app: $crate::helpers::TestApp) $body
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                run($crate::helpers::TestApp::spawn(slingshot_store::testing::TestDb::sqlite().await).await).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(db) = slingshot_store::testing::TestDb::postgres().await {
                    run($crate::helpers::TestApp::spawn(db).await).await;
                }
            }
        }
    };
}

/// The CSRF token in a page's form.
pub fn csrf_from(html: &str) -> String {
    let at = html
        .find("name=\"csrf\" value=\"")
        .expect("form has a csrf field")
        + 19;
    html[at..].split('"').next().unwrap().to_owned()
}

/// A client that keeps cookies and does not follow redirects, like a browser session.
pub fn browser() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A browser signed in as `handle` (password [`PASSWORD`]), and a CSRF token for its forms.
pub async fn signed_in(app: &TestApp, handle: &str) -> (reqwest::Client, String) {
    let c = browser();
    let html = c
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_from(&html);
    let form = [("handle", handle), ("password", PASSWORD), ("csrf", &csrf)];
    let r = c.post(app.url("/login")).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = c
        .get(app.url("/relationships"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_from(&html);
    (c, csrf)
}

/// A page's HTML, asserting 200.
pub async fn page(c: &reqwest::Client, url: String) -> String {
    let r = c.get(url).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.text().await.unwrap()
}

/// Post a form from a signed-in browser.
pub async fn post_form(c: &Client, url: String, form: &[(&str, &str)]) -> Response {
    c.post(url).form(form).send().await.unwrap()
}
