//! Importing one's own mail.

use crate::auth::Principal;
use crate::error::Problem;
use crate::json::ApiQuery;
use crate::mail_import::{import_mail, MailReport};
use crate::{AppState, Result, ServerError};
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use serde::Deserialize;
use slingshot_domain::Scope;

/// `?me=` your own addresses.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct MailQuery {
    /// Your own e-mail addresses, comma-separated (the other party's domain picks the vendor).
    /// Left out: taken from the mail where it leaves no doubt (the only address on every
    /// message, or the only one that received them all), named in the report as
    /// `assumed_me`; else 422 `me_required`.
    pub me: Option<String>,
}

/// Import mail: one message (`message/rfc822`) or an mbox (`application/mbox`). Messages
/// are grouped into conversations by Message-ID, In-Reply-To and References (then
/// subject), attached to the relationship whose vendor domain matches (or a new
/// off-platform vendor), and skipped when imported before. The report lists what was
/// imported and what was skipped and why.
#[utoipa::path(post, path = "/mail/import", tag = "entries", security(("bearer" = [])), params(MailQuery),
    request_body(content = String, content_type = "message/rfc822", description = "a message, or an mbox with Content-Type application/mbox"),
    responses((status = 200, body = MailReport), (status = 413, body = Problem), (status = 422, description = "`me` left out and the mail does not tell whose it is (`me_required`)", body = Problem), (status = 415, body = Problem)))]
pub async fn import(
    State(state): State<AppState>,
    p: Principal,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<MailQuery>,
    body: Body,
) -> Result<(StatusCode, Json<MailReport>)> {
    let user = p.require(Scope::LedgerWrite)?;
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let mbox = match ct.split(';').next().unwrap_or("").trim() {
        "message/rfc822" => false,
        "application/mbox" => true,
        _ => {
            return Err(ServerError::UnsupportedMediaType(
                "message/rfc822 (one message) or application/mbox",
            ))
        }
    };
    let me: Vec<String> =
        q.me.unwrap_or_default()
            .split(',')
            .map(|s| s.trim().to_ascii_lowercase())
            .filter(|s| !s.is_empty())
            .collect();
    let body = super::read_body(body, state.config.import_limit).await?;
    let report = import_mail(&state, &user.id, &body, mbox, &me).await?;
    Ok((StatusCode::OK, Json(report)))
}
