//! JSON request bodies whose every rejection is a problem+json with a stable code.

use crate::ServerError;
use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderMap, StatusCode};
use serde::de::DeserializeOwned;

/// Like `axum::Json`, but errors are [`ServerError`]s.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ServerError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let limit = req
            .extensions()
            .get::<BodyLimit>()
            .map(|l| l.0)
            .unwrap_or(0);
        if !is_json(req.headers()) {
            return Err(ServerError::UnsupportedMediaType("application/json"));
        }
        let bytes = match Bytes::from_request(req, state).await {
            Ok(b) => b,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(ServerError::PayloadTooLarge(limit))
            }
            Err(e) => return Err(ServerError::BadRequest("bad_request", e.body_text())),
        };
        if has_nul_escape(&bytes) {
            return Err(ServerError::Invalid(
                "invalid_text",
                "text may not contain NUL characters (\\u0000)".into(),
            ));
        }
        match axum::Json::<T>::from_bytes(&bytes) {
            Ok(axum::Json(v)) => Ok(Self(v)),
            Err(JsonRejection::MissingJsonContentType(_)) => {
                Err(ServerError::UnsupportedMediaType("application/json"))
            }
            Err(JsonRejection::JsonSyntaxError(e)) => {
                Err(ServerError::BadRequest("malformed_json", e.body_text()))
            }
            Err(JsonRejection::JsonDataError(e)) => {
                Err(ServerError::Invalid("invalid_body", e.body_text()))
            }
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(ServerError::PayloadTooLarge(limit))
            }
            Err(e) => Err(ServerError::BadRequest("bad_request", e.body_text())),
        }
    }
}

/// `Content-Type: application/json` or another `+json` type, as `axum::Json` accepts.
fn is_json(headers: &HeaderMap) -> bool {
    let Some(ct) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Whether a JSON text holds the escape `\u0000` (a NUL character in a string; raw
/// control characters are not valid JSON anyway). Text with NUL cannot be stored on
/// PostgreSQL and is never meant; it is refused on every backend alike.
fn has_nul_escape(json: &[u8]) -> bool {
    let mut i = 0;
    while let Some(off) = json
        .get(i..)
        .and_then(|rest| rest.iter().position(|&b| b == b'\\'))
    {
        let at = i + off;
        match json.get(at + 1) {
            Some(b'u') if json.get(at + 2..at + 6) == Some(b"0000") => return true,
            _ => i = at + 2,
        }
    }
    false
}

/// The configured body limit, placed in request extensions so errors can state it.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

/// Like `axum::extract::Query`, but errors are [`ServerError`]s.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> axum::extract::FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ServerError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Self(q.0))
            .map_err(|e| ServerError::BadRequest("invalid_query", e.body_text()))
    }
}

#[cfg(test)]
mod tests {
    use super::has_nul_escape;

    #[test]
    fn only_a_real_nul_escape_counts() {
        assert!(has_nul_escape(br#"{"text":"a\u0000b"}"#));
        assert!(has_nul_escape(br#"["\\\u0000"]"#));
        assert!(!has_nul_escape(br#"{"text":"a\\u0000b"}"#));
        assert!(has_nul_escape(br#"{"text":"\u00001"}"#));
        assert!(!has_nul_escape(br#"{"text":"\u0001 \n \\"}"#));
        assert!(!has_nul_escape(b"\\"));
    }
}
