//! Attachments: upload to a conversation, download.

use super::types::EntryOut;
use crate::attachments::add_attachment;
use crate::auth::Principal;
use crate::error::Problem;
use crate::json::ApiQuery;
use crate::{AppState, Result};
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use slingshot_domain::Scope;

/// `?filename=`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct UploadQuery {
    /// The file's name.
    pub filename: Option<String>,
}

/// Attach a file (the raw body; PDF, PNG, JPEG, GIF, WebP, plain text or CSV, checked by
/// content; at most `attachment_limit` bytes, 10 MiB by default). It is recorded as an
/// attachment entry on the chain with its SHA-256.
#[utoipa::path(post, path = "/threads/{id}/attachments", tag = "entries", security(("bearer" = [])), params(("id" = String, Path, description = "thread id"), UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "the file"),
    responses((status = 201, body = EntryOut), (status = 404, body = Problem), (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn upload(
    State(state): State<AppState>,
    p: Principal,
    headers: HeaderMap,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<UploadQuery>,
    body: Body,
) -> Result<(StatusCode, Json<EntryOut>)> {
    let user = p.require(Scope::LedgerWrite)?;
    let data = super::read_body(body, state.config.attachment_limit).await?;
    let declared = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let row = add_attachment(
        &state,
        &user.id,
        &id,
        q.filename.as_deref().unwrap_or("attachment"),
        declared,
        data.to_vec(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(EntryOut::from(&row))))
}

/// Download an attachment (either side of the relationship; never the other side's private files).
#[utoipa::path(get, path = "/attachments/{id}", tag = "entries", security(("bearer" = [])), params(("id" = String, Path, description = "attachment id")),
    responses((status = 200, content_type = "application/octet-stream", description = "the file"), (status = 404, body = Problem)))]
pub async fn download(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<String>,
) -> Result<Response> {
    let user = p.require(Scope::LedgerRead)?;
    let a = state.store.attachment_for(&user.id, &id).await?;
    let disposition = format!("attachment; filename=\"{}\"", a.filename);
    Ok((
        [
            (header::CONTENT_TYPE, a.content_type),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        a.data,
    )
        .into_response())
}
