//! Entries: append to a conversation, read timelines, erase.

use super::types::{EntryIn, EntryOut, List, PageQuery, TimelineQuery};
use crate::auth::Principal;
use crate::error::Problem;
use crate::json::{ApiJson, ApiQuery};
use crate::{ledger, AppState, Result, ServerError};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use slingshot_domain::conversation::{parse_date, parse_tag, Stage, Status};
use slingshot_domain::Scope;
use slingshot_store::{cursor_of, StoreError, TimelineFilter};

/// Append a message, private note, event or correction. Acknowledged once durable. With an
/// `Idempotency-Key` header, a retry with the same key returns the entry already stored
/// (200) instead of appending it twice; the same key with a different entry is 422
/// `idempotency_key_reused` (as the IETF Idempotency-Key draft asks).
#[utoipa::path(post, path = "/threads/{id}/entries", tag = "entries", security(("bearer" = [])), request_body = EntryIn,
    params(("id" = String, Path, description = "thread id"),
        ("Idempotency-Key" = Option<String>, Header, description = "1–100 characters; the same key returns the same entry")),
    responses((status = 201, body = EntryOut), (status = 200, description = "already stored under this Idempotency-Key", body = EntryOut),
        (status = 404, body = Problem), (status = 413, body = Problem),
        (status = 422, description = "invalid entry, or an Idempotency-Key already used for a different entry", body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    p: Principal,
    headers: HeaderMap,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<EntryIn>,
) -> Result<(StatusCode, Json<EntryOut>)> {
    let user = p.require(Scope::LedgerWrite)?;
    let key = match headers.get("idempotency-key") {
        None => None,
        Some(v) => {
            let k = v
                .to_str()
                .ok()
                .map(str::trim)
                .filter(|k| (1..=100).contains(&k.len()));
            Some(
                k.ok_or_else(|| {
                    ServerError::BadRequest(
                        "invalid_idempotency_key",
                        "Idempotency-Key must be 1–100 visible ASCII characters".into(),
                    )
                })?
                .to_owned(),
            )
        }
    };
    let source_ref = key.as_ref().map(|k| format!("idem:{}:{k}", user.id));
    let input = ledger::EntryInput {
        kind: &b.kind,
        text: b.text.as_deref(),
        event: b.event.as_ref(),
        corrects: b.corrects.as_deref(),
    };
    match ledger::add_entry(&state, &user.id, &id, input, source_ref.clone()).await {
        Ok(row) => Ok((StatusCode::CREATED, Json(EntryOut::from(&row)))),
        Err(ServerError::Store(StoreError::Conflict(what))) if source_ref.is_some() => {
            let (thread, _, _) = state.store.thread_for(&user.id, &id).await?;
            match state
                .store
                .entry_by_source(
                    &thread.relationship_id,
                    source_ref.as_deref().unwrap_or_default(),
                )
                .await
            {
                Ok(row) if replays(&row, &id, &b) => {
                    Ok((StatusCode::OK, Json(EntryOut::from(&row))))
                }
                Ok(_) => Err(ServerError::Invalid(
                    "idempotency_key_reused",
                    "this Idempotency-Key was used for a different entry; use a new key".into(),
                )),
                Err(_) => Err(ServerError::Store(StoreError::Conflict(what))),
            }
        }
        Err(e) => Err(e),
    }
}

/// Whether a stored entry is the one this request asks for (same thread, kind and body),
/// so a retry under its Idempotency-Key may be answered with it. An erased body is
/// compared on thread and kind only.
fn replays(row: &slingshot_store::EntryRow, thread_id: &str, b: &EntryIn) -> bool {
    if row.thread_id != thread_id || row.kind != b.kind {
        return false;
    }
    let Some(stored) = row.body.as_deref() else {
        return true;
    };
    let asked =
        slingshot_domain::entry_body::build_body(&b.kind, b.text.as_deref(), b.event.as_ref());
    match (asked, serde_json::from_str::<serde_json::Value>(stored)) {
        (Ok((asked, _)), Ok(stored)) => asked == stored,
        _ => false,
    }
}

fn date_us(d: &str) -> Result<i64> {
    let d = parse_date(d)?;
    slingshot_store::date_start_us(&d)
        .ok_or_else(|| ServerError::Invalid("invalid_value", format!("{d} is not a date")))
}

/// A timeline's (or a search's) filters, checked.
pub(crate) fn filter_of(
    relationship: Option<&str>,
    stage: Option<&str>,
    status: Option<&str>,
    tag: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<TimelineFilter> {
    Ok(TimelineFilter {
        relationship_id: relationship.map(str::to_owned),
        stage: stage
            .map(Stage::parse)
            .transpose()?
            .map(|s| s.as_str().to_owned()),
        status: status
            .map(Status::parse)
            .transpose()?
            .map(|s| s.as_str().to_owned()),
        tag: tag.map(parse_tag).transpose()?,
        from_us: from.map(date_us).transpose()?,
        to_us: to.map(date_us).transpose()?,
    })
}

/// A cursor is one a page gave as `next` (`<time>:<id>`); else 400 `invalid_cursor`,
/// rather than the first page again (a paging client would loop).
pub(crate) fn check_cursor(before: Option<&str>) -> Result<()> {
    match before {
        Some(c) if !slingshot_store::is_cursor(c) => Err(ServerError::BadRequest(
            "invalid_cursor",
            "`before` takes the `next` value of the previous page".into(),
        )),
        _ => Ok(()),
    }
}

/// The caller's timeline across all their vendors, newest first.
#[utoipa::path(get, path = "/timeline", tag = "entries", security(("bearer" = [])), params(TimelineQuery),
    responses((status = 200, body = List<EntryOut>), (status = 400, body = Problem), (status = 422, body = Problem)))]
pub async fn timeline(
    State(state): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<TimelineQuery>,
) -> Result<Json<List<EntryOut>>> {
    let user = p.require(Scope::LedgerRead)?;
    let f = filter_of(
        q.relationship.as_deref(),
        q.stage.as_deref(),
        q.status.as_deref(),
        q.tag.as_deref(),
        q.from.as_deref(),
        q.to.as_deref(),
    )?;
    check_cursor(q.before.as_deref())?;
    let limit = q.limit.unwrap_or(50).clamp(1, 200);
    let rows = state
        .store
        .timeline_person(&user.id, &f, q.before.as_deref(), limit)
        .await?;
    let next = (rows.len() as i64 == limit)
        .then(|| rows.last().map(cursor_of))
        .flatten();
    Ok(Json(List {
        items: EntryOut::page(&state.store, &rows).await?,
        next,
    }))
}

/// One relationship's timeline as the caller's side sees it (the vendor's per-customer view).
#[utoipa::path(get, path = "/relationships/{id}/timeline", tag = "entries", security(("bearer" = [])),
    params(("id" = String, Path, description = "relationship id"), PageQuery),
    responses((status = 200, body = List<EntryOut>), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn relationship_timeline(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<List<EntryOut>>> {
    let user = p.require(Scope::LedgerRead)?;
    check_cursor(q.before.as_deref())?;
    let (rel, side) = state.store.relationship_for(&user.id, &id).await?;
    relationship_page(&state, &rel.id, side, None, &q).await
}

/// A page of a relationship's timeline (or of one of its threads) as `side` sees it.
async fn relationship_page(
    state: &AppState,
    relationship: &str,
    side: slingshot_domain::ledger::Side,
    thread: Option<&str>,
    q: &PageQuery,
) -> Result<Json<List<EntryOut>>> {
    let limit = q.limit.unwrap_or(50).clamp(1, 200);
    let rows = state
        .store
        .timeline_relationship(relationship, side, thread, q.before.as_deref(), limit)
        .await?;
    let next = (rows.len() as i64 == limit)
        .then(|| rows.last().map(cursor_of))
        .flatten();
    Ok(Json(List {
        items: EntryOut::page(&state.store, &rows).await?,
        next,
    }))
}

/// One conversation's entries as the caller's side sees them, newest first.
#[utoipa::path(get, path = "/threads/{id}/entries", tag = "entries", security(("bearer" = [])),
    params(("id" = String, Path, description = "thread id"), PageQuery),
    responses((status = 200, body = List<EntryOut>), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn thread_timeline(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<List<EntryOut>>> {
    let user = p.require(Scope::LedgerRead)?;
    check_cursor(q.before.as_deref())?;
    let (t, rel, side) = state.store.thread_for(&user.id, &id).await?;
    relationship_page(&state, &rel.id, side, Some(&t.id), &q).await
}

/// Erase an entry's body (the customer, for their own relationship). The chain still verifies.
#[utoipa::path(post, path = "/entries/{id}/erase", tag = "entries", security(("bearer" = [])),
    params(("id" = String, Path, description = "entry id")),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn erase(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<String>,
) -> Result<StatusCode> {
    let user = p.require(Scope::LedgerWrite)?;
    state.store.erase_entry(&user.id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
