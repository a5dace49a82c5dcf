//! Export and import bundles, countersign, the due list and the organization's inbox.

use super::types::{
    queue_window, CheckpointOut, ImportOut, InboxOut, InboxQuery, List, OrgDueQuery, ThreadOut,
};
use crate::auth::Principal;
use crate::error::Problem;
use crate::json::ApiQuery;
use crate::{ledger, AppState, Result, ServerError};
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use slingshot_domain::conversation::{parse_date, Status};
use slingshot_domain::Scope;
use slingshot_store::Assigned;

/// Download the relationship's bundle (JSON Lines): entries, bodies, checkpoints, public keys.
/// `slingshot verify FILE` checks it offline. The bundle is written while it is sent and
/// holds the history up to its newest entry when the request arrived; should the server fail
/// midway, the transfer is cut short (never completed), and what arrived fails verification.
#[utoipa::path(get, path = "/relationships/{id}/export", tag = "ledger", security(("bearer" = [])),
    params(("id" = String, Path, description = "relationship id")),
    responses((status = 200, content_type = "application/jsonl", description = "the bundle"), (status = 404, body = Problem)))]
pub async fn export(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<String>,
) -> Result<Response> {
    let user = p.require(Scope::LedgerRead)?;
    let (rel, side) = state.store.relationship_for(&user.id, &id).await?;
    let bundle = crate::bundle_export::Export::prepare(&state, &rel, side).await?;
    let disposition = format!("attachment; filename=\"relationship-{}.jsonl\"", rel.id);
    Ok((
        [
            (header::CONTENT_TYPE, "application/jsonl".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bundle.into_body(),
    )
        .into_response())
}

/// Import a bundle exported elsewhere: verified first, then stored as one of your
/// relationships with its original id, entries and signatures.
#[utoipa::path(post, path = "/relationships/import", tag = "ledger", security(("bearer" = [])),
    request_body(content = String, content_type = "application/jsonl", description = "a bundle"),
    responses((status = 201, body = ImportOut), (status = 409, description = "already here", body = Problem),
        (status = 413, description = "larger than `import_limit`", body = Problem),
        (status = 422, description = "does not verify; the detail names the entry", body = Problem)))]
pub async fn import(
    State(state): State<AppState>,
    p: Principal,
    body: Body,
) -> Result<(StatusCode, Json<ImportOut>)> {
    let user = p.require(Scope::LedgerWrite)?;
    let body = super::read_body(body, state.config.import_limit).await?;
    if body.is_empty() {
        return Err(ServerError::Invalid(
            "invalid_bundle",
            "the body is empty; send the bundle file".into(),
        ));
    }
    let done = ledger::import_bundle(&state, &user.id, &body).await?;
    Ok((
        StatusCode::CREATED,
        Json(ImportOut {
            relationship_id: done.relationship_id,
            files_left_out: done.files_left_out,
        }),
    ))
}

/// Countersign the other side's latest entry (a checkpoint both sides can show). When
/// your side already countersigned that entry, the checkpoint stored then is returned (200).
#[utoipa::path(post, path = "/relationships/{id}/checkpoints", tag = "ledger", security(("bearer" = [])),
    params(("id" = String, Path, description = "relationship id")),
    responses((status = 201, body = CheckpointOut), (status = 200, description = "already countersigned", body = CheckpointOut), (status = 404, body = Problem), (status = 409, description = "nothing to countersign", body = Problem)))]
pub async fn checkpoint(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<CheckpointOut>)> {
    let user = p.require(Scope::LedgerWrite)?;
    let (c, new) = ledger::countersign(&state, &user.id, &id).await?;
    Ok((
        if new {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        },
        Json(CheckpointOut {
            seq: c.seq,
            hash: c.hash,
            side: c.side,
            key_id: c.key_id,
        }),
    ))
}

/// `?date=YYYY-MM-DD` (default today, UTC).
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DueQuery {
    /// Due on or before this date.
    pub date: Option<String>,
}

/// An inbox's `assignee` filter: an account id, `me` (the caller) or `none`.
pub(crate) fn assigned<'a>(raw: Option<&'a str>, me: &'a str) -> Assigned<'a> {
    match raw.map(str::trim) {
        None | Some("") => Assigned::Anyone,
        Some("none") => Assigned::Nobody,
        Some("me") => Assigned::To(me),
        Some(id) => Assigned::To(id),
    }
}

/// `date` checked, or today (UTC).
fn due_date(date: Option<&str>) -> Result<String> {
    Ok(match date {
        Some(d) => parse_date(d)?,
        None => slingshot_store::rfc3339(slingshot_store::now_us())
            .chars()
            .take(10)
            .collect(),
    })
}

/// Your follow-ups due by a date ("chase if no reply by Friday").
#[utoipa::path(get, path = "/due", tag = "threads", security(("bearer" = [])), params(DueQuery),
    responses((status = 200, body = List<ThreadOut>), (status = 422, body = Problem)))]
pub async fn due(
    State(state): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<DueQuery>,
) -> Result<Json<List<ThreadOut>>> {
    let user = p.require(Scope::LedgerRead)?;
    let date = due_date(q.date.as_deref())?;
    let mut out = Vec::new();
    for t in state.store.due_for_person(&user.id, &date).await? {
        out.push(super::threads::thread_out(&state, &t).await?);
    }
    Ok(Json(List::all(out)))
}

/// The organization's inbox: conversations across customers, longest-waiting first.
#[utoipa::path(get, path = "/orgs/{org}/inbox", tag = "threads", security(("bearer" = [])),
    params(("org" = String, Path, description = "organization id or handle"), InboxQuery),
    responses((status = 200, body = List<InboxOut>), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn inbox(
    State(state): State<AppState>,
    p: Principal,
    Path(org): Path<String>,
    ApiQuery(q): ApiQuery<InboxQuery>,
) -> Result<Json<List<InboxOut>>> {
    let user = p.require(Scope::LedgerRead)?;
    let window = queue_window(q.after.as_deref(), q.limit)?;
    let o = state.store.org_for_member(&user.id, &org).await?;
    let status = q.status.as_deref().map(Status::parse).transpose()?;
    let page = state
        .store
        .org_inbox(
            &user.id,
            &o.org.id,
            status,
            assigned(q.assignee.as_deref(), &user.id),
            window,
        )
        .await?;
    let now = slingshot_store::now_us();
    Ok(Json(List {
        items: page.items.iter().map(|r| InboxOut::from(r, now)).collect(),
        next: page.next,
    }))
}

/// The organization's follow-ups due by a date, earliest first (its agents' "chase by Friday").
#[utoipa::path(get, path = "/orgs/{org}/due", tag = "threads", security(("bearer" = [])),
    params(("org" = String, Path, description = "organization id or handle"), OrgDueQuery),
    responses((status = 200, body = List<InboxOut>), (status = 400, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn org_due(
    State(state): State<AppState>,
    p: Principal,
    Path(org): Path<String>,
    ApiQuery(q): ApiQuery<OrgDueQuery>,
) -> Result<Json<List<InboxOut>>> {
    let user = p.require(Scope::LedgerRead)?;
    let date = due_date(q.date.as_deref())?;
    let window = queue_window(q.after.as_deref(), q.limit)?;
    let o = state.store.org_for_member(&user.id, &org).await?;
    let page = state
        .store
        .due_for_org(
            &user.id,
            &o.org.id,
            &date,
            assigned(q.assignee.as_deref(), &user.id),
            window,
        )
        .await?;
    let now = slingshot_store::now_us();
    Ok(Json(List {
        items: page.items.iter().map(|r| InboxOut::from(r, now)).collect(),
        next: page.next,
    }))
}
