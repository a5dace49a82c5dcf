//! Access requests: the person sends and withdraws; the organization works its queue,
//! extends once, answers (with the export or the erasure) or refuses with reasons.

use super::personal_types::{AnswerIn, ExtendIn, RefuseIn, RequestEventOut, RequestIn, RequestOut};
use super::types::List;
use crate::auth::Principal;
use crate::error::Problem;
use crate::json::{ApiJson, ApiQuery};
use crate::personal::requests::{self, Decision, RequestInput};
use crate::{AppState, Result};
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use slingshot_domain::access_request::{Refusal, RequestKind};
use slingshot_domain::Scope;
use slingshot_store::{now_us, AccessRequest, StoreError};

/// A request as its reader sees it, with its history.
pub(crate) async fn full(state: &AppState, r: &AccessRequest) -> Result<RequestOut> {
    let org = state.store.org_public(&r.org_id).await?;
    let rel = state.store.relationship_by_id(&r.relationship_id).await?;
    let mut out = RequestOut::of(r, &org.name, &rel.pseudonym, now_us());
    out.events = state
        .store
        .request_events(&r.id)
        .await?
        .iter()
        .map(RequestEventOut::from)
        .collect();
    Ok(out)
}

/// Your requests, newest first (overdue ones are flagged).
#[utoipa::path(get, path = "/me/requests", tag = "requests", security(("bearer" = [])),
    responses((status = 200, body = List<RequestOut>), (status = 401, body = Problem)))]
pub async fn mine(State(state): State<AppState>, p: Principal) -> Result<Json<List<RequestOut>>> {
    let user = p.require(Scope::PrivacyRead)?;
    let now = now_us();
    let rows = state.store.requests_of_person(&user.id).await?;
    Ok(Json(List::all(
        rows.iter()
            .map(|r| RequestOut::of(&r.request, &r.org_name, &r.pseudonym, now))
            .collect(),
    )))
}

/// Send an organization a request: access, correction, deletion, portability or
/// objection. Due on its clock: the receipt date plus its response time in business days.
#[utoipa::path(post, path = "/me/requests", tag = "requests", security(("bearer" = [])), request_body = RequestIn,
    responses((status = 201, body = RequestOut), (status = 404, description = "no relationship with this organization", body = Problem),
        (status = 422, description = "unknown kind, no text, or a field you do not hold", body = Problem)))]
pub async fn send(
    State(state): State<AppState>,
    p: Principal,
    ApiJson(body): ApiJson<RequestIn>,
) -> Result<(StatusCode, Json<RequestOut>)> {
    let user = p.require(Scope::PrivacyWrite)?;
    let kind = RequestKind::parse(&body.kind)?;
    let r = requests::send(
        &state,
        &user.id,
        RequestInput {
            org: body.org,
            kind,
            body: Some(body.body),
            field_ids: body.fields,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(full(&state, &r).await?)))
}

/// One request with its history (its person, or a member acting for its organization).
#[utoipa::path(get, path = "/requests/{id}", tag = "requests", security(("bearer" = [])),
    params(("id" = String, Path, description = "request id")),
    responses((status = 200, body = RequestOut), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<String>,
) -> Result<Json<RequestOut>> {
    let user = p.require(Scope::PrivacyRead)?;
    let (r, _) = state.store.request_for(&user.id, &id).await?;
    Ok(Json(full(&state, &r).await?))
}

/// Withdraw your open request.
#[utoipa::path(post, path = "/requests/{id}/withdraw", tag = "requests", security(("bearer" = [])),
    params(("id" = String, Path, description = "request id")),
    responses((status = 200, body = RequestOut), (status = 404, body = Problem), (status = 409, description = "already closed", body = Problem)))]
pub async fn withdraw(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<String>,
) -> Result<Json<RequestOut>> {
    let user = p.require(Scope::PrivacyWrite)?;
    let r = requests::withdraw(&state, &user.id, &id).await?;
    Ok(Json(full(&state, &r).await?))
}

/// Queue filter.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct QueueQuery {
    /// Only open requests (default false).
    pub open: Option<bool>,
}

/// The organization's queue: open requests by due date (overdue first), then closed ones.
#[utoipa::path(get, path = "/orgs/{org}/requests", tag = "requests", security(("bearer" = [])),
    params(("org" = String, Path, description = "organization id or handle"), QueueQuery),
    responses((status = 200, body = List<RequestOut>), (status = 404, body = Problem)))]
pub async fn queue(
    State(state): State<AppState>,
    p: Principal,
    Path(org): Path<String>,
    ApiQuery(q): ApiQuery<QueueQuery>,
) -> Result<Json<List<RequestOut>>> {
    let user = p.require(Scope::PrivacyRead)?;
    let o = state.store.org_for_member(&user.id, &org).await?;
    let now = now_us();
    let rows = state
        .store
        .requests_of_org(&user.id, &o.org.id, q.open.unwrap_or(false))
        .await?;
    Ok(Json(List::all(
        rows.iter()
            .map(|r| RequestOut::of(&r.request, &r.org_name, &r.pseudonym, now))
            .collect(),
    )))
}

/// Extend once, with a written reason the person sees, by up to the original response time.
#[utoipa::path(post, path = "/requests/{id}/extend", tag = "requests", security(("bearer" = [])), request_body = ExtendIn,
    params(("id" = String, Path, description = "request id")),
    responses((status = 200, body = RequestOut), (status = 404, body = Problem),
        (status = 409, description = "already extended (already_extended) or closed", body = Problem), (status = 422, body = Problem)))]
pub async fn extend(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ExtendIn>,
) -> Result<Json<RequestOut>> {
    let user = p.require(Scope::PrivacyWrite)?;
    let r = requests::extend(
        &state,
        &user.id,
        &id,
        Some(&body.reason),
        body.business_days,
    )
    .await?;
    Ok(Json(full(&state, &r).await?))
}

/// Answer: access and portability attach the export of everything held; deletion erases
/// it (the ledger chain stays verifiable) and revokes grants. With `reasons` and
/// `recourse`, the answer is a partial refusal.
#[utoipa::path(post, path = "/requests/{id}/answer", tag = "requests", security(("bearer" = [])), request_body = AnswerIn,
    params(("id" = String, Path, description = "request id")),
    responses((status = 200, body = RequestOut), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, description = "a partial refusal without reasons or recourse", body = Problem)))]
pub async fn answer(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AnswerIn>,
) -> Result<Json<RequestOut>> {
    let user = p.require(Scope::PrivacyWrite)?;
    let decision = if body.reasons.is_some() || body.recourse.is_some() {
        Decision::Partial {
            text: body.answer,
            refusal: Refusal::new(body.reasons.as_deref(), body.recourse.as_deref())?,
        }
    } else {
        Decision::Answer { text: body.answer }
    };
    let (r, _) = requests::decide(&state, &user.id, &id, decision).await?;
    Ok(Json(full(&state, &r).await?))
}

/// Refuse in full, with written reasons and the person's recourse (both required).
#[utoipa::path(post, path = "/requests/{id}/refuse", tag = "requests", security(("bearer" = [])), request_body = RefuseIn,
    params(("id" = String, Path, description = "request id")),
    responses((status = 200, body = RequestOut), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, description = "reasons or recourse missing", body = Problem)))]
pub async fn refuse(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RefuseIn>,
) -> Result<Json<RequestOut>> {
    let user = p.require(Scope::PrivacyWrite)?;
    let refusal = Refusal::new(body.reasons.as_deref(), body.recourse.as_deref())?;
    let (r, _) = requests::decide(&state, &user.id, &id, Decision::Refuse(refusal)).await?;
    Ok(Json(full(&state, &r).await?))
}

/// The export an answer carried (JSON: relationship, threads, entries, grants, access log, terms).
#[utoipa::path(get, path = "/requests/{id}/export", tag = "requests", security(("bearer" = [])),
    params(("id" = String, Path, description = "request id")),
    responses((status = 200, content_type = "application/json", description = "the export"), (status = 404, body = Problem)))]
pub async fn export(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<String>,
) -> Result<Response> {
    let user = p.require(Scope::PrivacyRead)?;
    let (r, _) = state.store.request_for(&user.id, &id).await?;
    let (ct, bytes) = state
        .store
        .request_export(&r.id)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => StoreError::NotFound,
            e => e,
        })?;
    Ok((
        [
            (header::CONTENT_TYPE, ct),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"held-data-{}.json\"", r.id),
            ),
        ],
        bytes,
    )
        .into_response())
}
