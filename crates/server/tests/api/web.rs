//! Pages: forms need the CSRF token, errors show in place, sessions use safe cookies.

use crate::helpers::{browser, csrf_from, TestApp, PASSWORD};
use reqwest::StatusCode;
use slingshot_store::testing::TestDb;

#[tokio::test]
async fn forms_without_the_csrf_token_change_nothing() {
    let app = TestApp::spawn(TestDb::sqlite().await).await;
    let c = browser();
    let page = c.get(app.url("/register")).send().await.unwrap();
    let cookie = page
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let html = page.text().await.unwrap();
    let token = csrf_from(&html);
    let form = [
        ("handle", "alice"),
        ("password", PASSWORD),
        ("display_name", "Alice"),
    ];
    let r = c
        .post(app.url("/register"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.text().await.unwrap().contains("security token"));
    let r = c
        .post(app.url("/register"))
        .form(&[
            ("handle", "alice"),
            ("password", PASSWORD),
            ("csrf", "wrong-token-wrong-token-wrong-token"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.db.store.count_users().await.unwrap(), 0);

    // With the token: an error shows in place, then success signs in.
    let r = c
        .post(app.url("/register"))
        .form(&[("handle", "alice"), ("password", "short"), ("csrf", &token)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("role=\"alert\"") && html.contains("at least 10 characters"));
    let r = c
        .post(app.url("/register"))
        .form(&[
            ("handle", "alice"),
            ("display_name", "Alice"),
            ("password", PASSWORD),
            ("csrf", &token),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let session = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("slingshot_session="))
        .unwrap();
    assert!(
        session.contains("HttpOnly")
            && session.contains("SameSite=Lax")
            && !session.contains("Secure")
    );
    let home = c
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(home.contains("Welcome, Alice"));
    // Pages that need a session redirect visitors to sign in.
    let r = app.client.get(app.url("/account")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/login?next=%2Faccount");
}

#[tokio::test]
async fn sign_in_page_shows_errors_in_place() {
    let app = TestApp::spawn(TestDb::sqlite().await).await;
    app.user("alice").await;
    let c = browser();
    let token = csrf_from(
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
        .form(&[
            ("handle", "alice"),
            ("password", "wrong wrong wrong"),
            ("csrf", &token),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let html = r.text().await.unwrap();
    assert!(html.contains("wrong handle or password") && html.contains("value=\"alice\""));
    let r = c
        .post(app.url("/login"))
        .form(&[
            ("handle", "alice"),
            ("password", PASSWORD),
            ("csrf", &token),
            ("next", "//evil.example"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/");
    let account = c
        .get(app.url("/account"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(account.contains("this session") && account.contains("signed_in"));
}

#[tokio::test]
async fn secure_cookies_when_served_over_tls() {
    let app = TestApp::spawn_with(TestDb::sqlite().await, |c| {
        c.public_url = "https://slingshot.example".into()
    })
    .await;
    let r = app.client.get(app.url("/login")).send().await.unwrap();
    assert!(r.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .contains("; Secure"));
}
