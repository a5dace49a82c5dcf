//! CSRF protection for pages: a random token in an HttpOnly cookie, repeated in a hidden
//! field of every form (double submit), compared in constant time on every POST.

use super::WebError;
use crate::secrets::random_token;
use crate::{AppState, ServerError};
use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use subtle::ConstantTimeEq;

/// Name of the CSRF cookie and form field.
pub const CSRF_COOKIE: &str = "slingshot_csrf";

/// The request's CSRF token, for rendering forms.
#[derive(Debug, Clone)]
pub struct CsrfToken(pub String);

impl<S: Send + Sync> FromRequestParts<S> for CsrfToken {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<CsrfToken>()
            .cloned()
            .unwrap_or(CsrfToken(String::new())))
    }
}

/// Middleware: issue the cookie when missing; refuse POSTs whose `csrf` field does not
/// match it (nothing runs, nothing changes).
pub async fn protect(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let jar = CookieJar::from_headers(req.headers());
    let existing = jar
        .get(CSRF_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|v| v.len() >= 32);
    if req.method() == Method::POST {
        let Some(expected) = existing.clone() else {
            return WebError::Server(ServerError::Csrf).into_response();
        };
        let multipart = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        if multipart {
            // File uploads carry the token in the form's action URL, so the body streams.
            let q = req.uri().query().unwrap_or("");
            let given = form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == "csrf")
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default();
            if !bool::from(given.as_bytes().ct_eq(expected.as_bytes())) {
                return WebError::Server(ServerError::Csrf).into_response();
            }
            req.extensions_mut().insert(CsrfToken(expected));
            return next.run(req).await;
        }
        let (parts, body) = req.into_parts();
        let bytes = match axum::body::to_bytes(body, state.config.body_limit).await {
            Ok(b) => b,
            Err(_) => {
                return WebError::Server(ServerError::PayloadTooLarge(state.config.body_limit))
                    .into_response()
            }
        };
        let given = form_urlencoded::parse(&bytes)
            .find(|(k, _)| k == "csrf")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        if !bool::from(given.as_bytes().ct_eq(expected.as_bytes())) {
            return WebError::Server(ServerError::Csrf).into_response();
        }
        req = Request::from_parts(parts, Body::from(bytes));
    }
    let token = existing.clone().unwrap_or_else(|| random_token(""));
    req.extensions_mut().insert(CsrfToken(token.clone()));
    let mut res = next.run(req).await;
    if existing.is_none() {
        let secure = if state.config.cookies_secure() {
            "; Secure"
        } else {
            ""
        };
        let cookie = format!("{CSRF_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax{secure}");
        if let Ok(v) = header::HeaderValue::from_str(&cookie) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    res
}
