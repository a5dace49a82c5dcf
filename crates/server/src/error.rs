//! The server's one error type, and how it reaches clients: RFC 9457
//! `application/problem+json` with a stable `code` (the cause is logged, not sent).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use slingshot_domain::{DomainError, Scope};
use slingshot_store::StoreError;
use thiserror::Error;

/// Everything a request or a server command can fail with.
#[derive(Debug, Error)]
pub enum ServerError {
    /// A database refusal or failure.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A domain rule refused the input.
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// A consent record or term broke a rule.
    #[error(transparent)]
    Consent(#[from] slingshot_domain::consent::ConsentError),
    /// A calendar setting or date computation failed.
    #[error(transparent)]
    Calendar(#[from] slingshot_domain::calendar::CalendarError),
    /// No valid session or token.
    #[error("sign in first (no valid session or bearer token)")]
    Unauthenticated,
    /// Wrong handle or password (deliberately not saying which).
    #[error("wrong handle or password")]
    InvalidCredentials,
    /// Wrong current password when changing it.
    #[error("the current password is wrong")]
    WrongPassword,
    /// The token lacks a scope.
    #[error("this token lacks the scope '{}'", .0.as_str())]
    MissingScope(Scope),
    /// The action needs a signed-in session, not an API token.
    #[error("this action needs a signed-in session, not an API token")]
    SessionRequired,
    /// Too many attempts.
    #[error("too many attempts; try again in {0} s")]
    RateLimited(u64),
    /// Malformed request (bad JSON syntax, bad query).
    #[error("{1}")]
    BadRequest(&'static str, String),
    /// Well-formed but invalid request (wrong types, missing fields).
    #[error("{1}")]
    Invalid(&'static str, String),
    /// The body is over the limit.
    #[error("request body is too large (limit {0} bytes)")]
    PayloadTooLarge(usize),
    /// Wrong `Content-Type`; the text names the expected ones.
    #[error("expected Content-Type: {0}")]
    UnsupportedMediaType(&'static str),
    /// A form arrived without a valid CSRF token.
    #[error("the form's security token is missing or stale; reload the page and try again")]
    Csrf,
    /// Bad configuration.
    #[error("configuration: {0}")]
    Config(String),
    /// A page failed to render.
    #[error("template: {0}")]
    Template(#[from] askama::Error),
    /// File or socket I/O.
    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),
    /// No API route has this path.
    #[error("no such API path; see /api/v1/openapi.json")]
    NoRoute,
    /// Anything else that is our fault.
    #[error("internal error: {0}")]
    Internal(String),
}

/// Result with [`ServerError`].
pub type Result<T, E = ServerError> = std::result::Result<T, E>;

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the problem type.
    #[serde(rename = "type")]
    pub kind: String,
    /// Short summary of the problem type.
    pub title: String,
    /// HTTP status.
    pub status: u16,
    /// What went wrong this time, for people.
    pub detail: String,
    /// Stable machine-readable code.
    pub code: String,
    /// Seconds to wait, for `rate_limited`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

impl ServerError {
    /// HTTP status and stable code.
    pub fn status_code(&self) -> (StatusCode, &'static str) {
        use StatusCode as S;
        match self {
            Self::Store(e) => match e {
                StoreError::NotFound => (S::NOT_FOUND, "not_found"),
                StoreError::Conflict(_) => (S::CONFLICT, "conflict"),
                StoreError::Gone => (S::GONE, "link_gone"),
                StoreError::Domain(d) => domain_status(d),
                StoreError::Unsupported(_) => (S::BAD_REQUEST, "unsupported"),
                StoreError::Refused { code, .. } => (S::FORBIDDEN, code),
                StoreError::Busy => (S::SERVICE_UNAVAILABLE, "busy"),
                // PostgreSQL refuses NUL in text ("character not in repertoire").
                e if e.is_nul_in_text() => (S::UNPROCESSABLE_ENTITY, "invalid_text"),
                _ => (S::INTERNAL_SERVER_ERROR, "internal"),
            },
            Self::Domain(d) => domain_status(d),
            Self::Consent(_) => (S::UNPROCESSABLE_ENTITY, "invalid_consent"),
            Self::Calendar(_) => (S::UNPROCESSABLE_ENTITY, "invalid_calendar"),
            Self::Unauthenticated => (S::UNAUTHORIZED, "unauthenticated"),
            Self::InvalidCredentials => (S::UNAUTHORIZED, "invalid_credentials"),
            Self::WrongPassword => (S::FORBIDDEN, "wrong_password"),
            Self::MissingScope(_) => (S::FORBIDDEN, "insufficient_scope"),
            Self::SessionRequired => (S::FORBIDDEN, "session_required"),
            Self::RateLimited(_) => (S::TOO_MANY_REQUESTS, "rate_limited"),
            Self::BadRequest(code, _) | Self::Invalid(code, _) if code.is_empty() => {
                (S::BAD_REQUEST, "bad_request")
            }
            Self::BadRequest(code, _) => (S::BAD_REQUEST, code),
            Self::Invalid(code, _) => (S::UNPROCESSABLE_ENTITY, code),
            Self::PayloadTooLarge(_) => (S::PAYLOAD_TOO_LARGE, "payload_too_large"),
            Self::UnsupportedMediaType(_) => (S::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"),
            Self::Csrf => (S::FORBIDDEN, "csrf"),
            Self::NoRoute => (S::NOT_FOUND, "no_route"),
            Self::Config(_) | Self::Template(_) | Self::Io(_) | Self::Internal(_) => {
                (S::INTERNAL_SERVER_ERROR, "internal")
            }
        }
    }

    /// The message safe to show: internal causes are replaced by a generic sentence.
    pub fn public_detail(&self) -> String {
        let (status, _) = self.status_code();
        if status.is_server_error() {
            "something went wrong on our side; it has been logged".into()
        } else {
            self.to_string()
        }
    }

    /// The problem document for this error.
    pub fn problem(&self) -> Problem {
        let (status, code) = self.status_code();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        Problem {
            kind: format!("https://slingshot.example/problems/{code}"),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: self.public_detail(),
            code: code.to_owned(),
            retry_after: match self {
                Self::RateLimited(s) => Some(*s),
                _ => None,
            },
        }
    }
}

fn domain_status(d: &DomainError) -> (StatusCode, &'static str) {
    match d {
        DomainError::LastOwner => (StatusCode::CONFLICT, "last_owner"),
        DomainError::NotAllowed => (StatusCode::FORBIDDEN, "forbidden"),
        DomainError::WeakPassword(_) => (StatusCode::UNPROCESSABLE_ENTITY, "weak_password"),
        DomainError::InvalidHandle => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_handle"),
        DomainError::AlreadyExtended => (StatusCode::CONFLICT, "already_extended"),
        DomainError::IllegalMove { .. } => (StatusCode::CONFLICT, "illegal_transition"),
        DomainError::MissingText(_) => (StatusCode::UNPROCESSABLE_ENTITY, "text_required"),
        DomainError::InvalidName(..) | DomainError::UnknownValue { .. } => {
            (StatusCode::UNPROCESSABLE_ENTITY, "invalid_value")
        }
    }
}

/// Wrap a problem as a response.
pub fn problem_response(p: &Problem) -> Response {
    let status = StatusCode::from_u16(p.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::to_vec(p).unwrap_or_default();
    let mut res = (status, body).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    if let Some(s) = p.retry_after {
        if let Ok(v) = HeaderValue::from_str(&s.to_string()) {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
    }
    res
}

impl IntoResponse for ServerError {
    fn into_response(self) -> Response {
        problem_response(&self.problem())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_causes_are_not_sent() {
        let e = ServerError::Internal("db password is hunter2".into());
        let p = e.problem();
        assert_eq!((p.status, p.code.as_str()), (500, "internal"));
        assert!(!p.detail.contains("hunter2"));
    }

    #[test]
    fn store_refusals_map_to_stable_codes() {
        let cases = [
            (ServerError::Store(StoreError::NotFound), 404, "not_found"),
            (
                ServerError::Store(StoreError::Conflict("handle")),
                409,
                "conflict",
            ),
            (
                ServerError::Store(StoreError::Domain(DomainError::LastOwner)),
                409,
                "last_owner",
            ),
            (ServerError::RateLimited(7), 429, "rate_limited"),
            (
                ServerError::Invalid("invalid_body", "x".into()),
                422,
                "invalid_body",
            ),
        ];
        for (e, status, code) in cases {
            let p = e.problem();
            assert_eq!((p.status, p.code.as_str()), (status, code));
        }
    }
}
