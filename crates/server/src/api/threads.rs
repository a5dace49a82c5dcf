//! Conversations: open, read, change, link.

use super::types::{LinkIn, List, ThreadIn, ThreadOut, ThreadPatch};
use crate::auth::Principal;
use crate::error::Problem;
use crate::json::ApiJson;
use crate::{AppState, Result};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use slingshot_domain::conversation::{
    parse_date, parse_subject, parse_tag, LinkKind, Stage, Status,
};
use slingshot_domain::Scope;
use slingshot_store::{NewThread, Thread, ThreadChange};

pub(crate) async fn thread_out(state: &AppState, t: &Thread) -> Result<ThreadOut> {
    let tags = state.store.thread_tags(&t.id).await?;
    let links = state
        .store
        .thread_links(&t.id)
        .await?
        .into_iter()
        .map(|l| [l.from_thread, l.to_thread, l.kind])
        .collect();
    Ok(ThreadOut::from(t, tags, links))
}

/// Open a conversation in a relationship (either side).
#[utoipa::path(post, path = "/relationships/{id}/threads", tag = "threads", security(("bearer" = [])), request_body = ThreadIn,
    params(("id" = String, Path, description = "relationship id")),
    responses((status = 201, body = ThreadOut), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ThreadIn>,
) -> Result<(StatusCode, Json<ThreadOut>)> {
    let user = p.require(Scope::LedgerWrite)?;
    let new = NewThread {
        subject: parse_subject(&body.subject)?,
        stage: Stage::parse(&body.stage)?,
        tags: body
            .tags
            .iter()
            .map(|t| parse_tag(t))
            .collect::<Result<_, _>>()?,
        follow_up_on: body.follow_up_on.as_deref().map(parse_date).transpose()?,
    };
    let t = state.store.create_thread(&user.id, &id, &new).await?;
    Ok((StatusCode::CREATED, Json(thread_out(&state, &t).await?)))
}

/// Conversations of a relationship, most recently active first.
#[utoipa::path(get, path = "/relationships/{id}/threads", tag = "threads", security(("bearer" = [])),
    params(("id" = String, Path, description = "relationship id")),
    responses((status = 200, body = List<ThreadOut>), (status = 404, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<String>,
) -> Result<Json<List<ThreadOut>>> {
    let user = p.require(Scope::LedgerRead)?;
    let mut out = Vec::new();
    for t in state.store.threads_in(&user.id, &id).await? {
        out.push(thread_out(&state, &t).await?);
    }
    Ok(Json(List::all(out)))
}

/// One conversation.
#[utoipa::path(get, path = "/threads/{id}", tag = "threads", security(("bearer" = [])),
    params(("id" = String, Path, description = "thread id")),
    responses((status = 200, body = ThreadOut), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<String>,
) -> Result<Json<ThreadOut>> {
    let user = p.require(Scope::LedgerRead)?;
    let (t, _, _) = state.store.thread_for(&user.id, &id).await?;
    Ok(Json(thread_out(&state, &t).await?))
}

/// Change stage, status, subject, tags, follow-up date or assignee.
#[utoipa::path(patch, path = "/threads/{id}", tag = "threads", security(("bearer" = [])), request_body = ThreadPatch,
    params(("id" = String, Path, description = "thread id")),
    responses((status = 200, body = ThreadOut), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ThreadPatch>,
) -> Result<Json<ThreadOut>> {
    let user = p.require(Scope::LedgerWrite)?;
    let change = ThreadChange {
        stage: b.stage.as_deref().map(Stage::parse).transpose()?,
        status: b.status.as_deref().map(Status::parse).transpose()?,
        subject: b.subject.as_deref().map(parse_subject).transpose()?,
        tags: b
            .tags
            .map(|ts| {
                ts.iter()
                    .map(|t| parse_tag(t))
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?,
        follow_up_on: b
            .follow_up_on
            .map(|d| {
                if d.is_empty() {
                    Ok(None)
                } else {
                    parse_date(&d).map(Some)
                }
            })
            .transpose()?,
        assignee: b
            .assignee
            .map(|a| if a.is_empty() { None } else { Some(a) }),
    };
    let t = state.store.update_thread(&user.id, &id, &change).await?;
    Ok(Json(thread_out(&state, &t).await?))
}

/// Link to another conversation of the same relationship.
#[utoipa::path(post, path = "/threads/{id}/links", tag = "threads", security(("bearer" = [])), request_body = LinkIn,
    params(("id" = String, Path, description = "thread id")),
    responses((status = 200, body = ThreadOut), (status = 404, body = Problem), (status = 422, description = "would make the thread its own ancestor", body = Problem)))]
pub async fn link(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<LinkIn>,
) -> Result<Json<ThreadOut>> {
    let user = p.require(Scope::LedgerWrite)?;
    let kind = LinkKind::parse(&b.kind)?;
    state.store.link_threads(&user.id, &id, &b.to, kind).await?;
    let (t, _, _) = state.store.thread_for(&user.id, &id).await?;
    Ok(Json(thread_out(&state, &t).await?))
}

/// Remove a link this conversation makes to another (either side may, as either may link).
#[utoipa::path(delete, path = "/threads/{id}/links/{kind}/{to}", tag = "threads", security(("bearer" = [])),
    params(("id" = String, Path, description = "the thread the link is from"),
           ("kind" = String, Path, description = "follows_from, related or duplicate_of"),
           ("to" = String, Path, description = "the thread the link is to")),
    responses((status = 200, body = ThreadOut), (status = 404, description = "no such link of a thread of yours", body = Problem),
              (status = 422, description = "unknown kind", body = Problem)))]
pub async fn unlink(
    State(state): State<AppState>,
    p: Principal,
    Path((id, kind, to)): Path<(String, String, String)>,
) -> Result<Json<ThreadOut>> {
    let user = p.require(Scope::LedgerWrite)?;
    let kind = LinkKind::parse(&kind)?;
    state.store.unlink_threads(&user.id, &id, &to, kind).await?;
    let (t, _, _) = state.store.thread_for(&user.id, &id).await?;
    Ok(Json(thread_out(&state, &t).await?))
}
