//! Pages: forms need the CSRF token, errors show in place, sessions use safe cookies.

use crate::helpers::{browser, csrf_from, signed_in, TestApp, PASSWORD};
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
    // A NUL character (%00) in any form field is refused before the form is read.
    let r = c
        .post(app.url("/register"))
        .form(&[
            ("handle", "alice"),
            ("display_name", "Al\u{0}ice"),
            ("password", PASSWORD),
            ("csrf", &token),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("NUL"));
    assert_eq!(app.db.store.count_users().await.unwrap(), 0);
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

#[tokio::test]
async fn files_are_attached_from_the_thread_page_and_downloaded_by_either_side_only() {
    let app = TestApp::spawn(TestDb::sqlite().await).await;
    let token = app.user("alice").await;
    let rel: serde_json::Value = app
        .post(
            "/api/v1/relationships",
            Some(&token),
            serde_json::json!({"vendor_name": "Corner Bikes"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let thread: serde_json::Value = app
        .post(
            &format!(
                "/api/v1/relationships/{}/threads",
                rel["id"].as_str().unwrap()
            ),
            Some(&token),
            serde_json::json!({"subject": "Bike purchase", "stage": "purchase"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let tid = thread["id"].as_str().unwrap();
    let (c, csrf) = signed_in(&app, "alice").await;
    let upload = |name: &'static str, bytes: &'static [u8], csrf: String| {
        let c = c.clone();
        let url = app.url(&format!("/threads/{tid}/attachments?csrf={csrf}"));
        async move {
            let part = reqwest::multipart::Part::bytes(bytes).file_name(name);
            c.post(url)
                .multipart(reqwest::multipart::Form::new().part("file", part))
                .send()
                .await
                .unwrap()
        }
    };
    // Without the token nothing is stored.
    let r = upload(
        "receipt.txt",
        b"Receipt: Trail 3 bike, 899.00 EUR",
        "nope".into(),
    )
    .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = upload(
        "receipt.txt",
        b"Receipt: Trail 3 bike, 899.00 EUR",
        csrf.clone(),
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // A program is refused in place (checked by content, not by name).
    let r = upload(
        "photo.png",
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00",
        csrf.clone(),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let page = c
        .get(app.url(&format!("/threads/{tid}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(">receipt.txt</a>"), "{page}");
    assert!(!page.contains("photo.png"));
    let href = page
        .split("href=\"/attachments/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let got = c
        .get(app.url(&format!("/attachments/{href}")))
        .send()
        .await
        .unwrap();
    assert_eq!(got.status(), StatusCode::OK);
    assert_eq!(
        got.bytes().await.unwrap().as_ref(),
        b"Receipt: Trail 3 bike, 899.00 EUR"
    );
    // Someone else gets nothing.
    let mallory = app.user("mallory").await;
    let r = app
        .get(&format!("/api/v1/attachments/{href}"), &mallory)
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}
