//! Plain-text error answers turned into problem documents, for the API.

use crate::error::{problem_response, Problem};
use axum::http::{header, StatusCode};
use axum::response::Response;

/// On the API every error is problem+json. Axum answers a few requests itself before any
/// handler runs, in plain text (a path segment that is not UTF-8, say); this turns those
/// answers into problem documents with the same status and a stable code.
pub async fn plain_errors_as_problems(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let res = next.run(req).await;
    let status = res.status();
    let plain = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|ct| ct.starts_with("text/plain"));
    if !(status.is_client_error() || status.is_server_error()) || !plain {
        return res;
    }
    let (parts, body) = res.into_parts();
    let detail = axum::body::to_bytes(body, 4096)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
        .ok()
        .filter(|d| !d.is_empty() && !status.is_server_error())
        .unwrap_or_else(|| status.canonical_reason().unwrap_or("error").to_owned());
    let code = match status {
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNPROCESSABLE_ENTITY => "invalid_value",
        s if s.is_server_error() => "internal",
        _ => "bad_request",
    };
    let p = Problem {
        kind: format!("https://slingshot.example/problems/{code}"),
        title: status.canonical_reason().unwrap_or("Error").to_owned(),
        status: status.as_u16(),
        detail,
        code: code.to_owned(),
        retry_after: None,
    };
    let mut out = problem_response(&p);
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            out.headers_mut().insert(name.clone(), value.clone());
        }
    }
    out
}
