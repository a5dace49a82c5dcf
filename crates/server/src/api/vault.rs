//! The person's vault: profile fields.

use super::personal_types::{FieldIn, FieldOut, FieldPatch};
use super::types::List;
use crate::auth::Principal;
use crate::error::Problem;
use crate::json::ApiJson;
use crate::personal::vault::{check_field, check_value};
use crate::{AppState, Result, ServerError};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use slingshot_domain::consent::FieldKind;
use slingshot_domain::Scope;

/// Your profile fields.
#[utoipa::path(get, path = "/me/profile", tag = "personal data", security(("bearer" = [])),
    responses((status = 200, body = List<FieldOut>), (status = 401, body = Problem)))]
pub async fn list(State(state): State<AppState>, p: Principal) -> Result<Json<List<FieldOut>>> {
    let user = p.require(Scope::PrivacyRead)?;
    let fields = state.store.profile_fields(&user.id).await?;
    Ok(Json(List::all(fields.iter().map(FieldOut::from).collect())))
}

/// Add a profile field.
#[utoipa::path(post, path = "/me/profile", tag = "personal data", security(("bearer" = [])), request_body = FieldIn,
    responses((status = 201, body = FieldOut), (status = 422, body = Problem)))]
pub async fn add(
    State(state): State<AppState>,
    p: Principal,
    ApiJson(body): ApiJson<FieldIn>,
) -> Result<(StatusCode, Json<FieldOut>)> {
    let user = p.require(Scope::PrivacyWrite)?;
    let (kind, label, value) = check_field(&body.kind, body.label.as_deref(), &body.value)?;
    let f = state
        .store
        .add_profile_field(&user.id, kind.as_str(), &label, &value)
        .await?;
    Ok((StatusCode::CREATED, Json(FieldOut::from(&f))))
}

/// Change a field's label or value.
#[utoipa::path(patch, path = "/me/profile/{id}", tag = "personal data", security(("bearer" = [])), request_body = FieldPatch,
    params(("id" = String, Path, description = "field id")),
    responses((status = 200, body = FieldOut), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<FieldPatch>,
) -> Result<Json<FieldOut>> {
    let user = p.require(Scope::PrivacyWrite)?;
    let f = state.store.profile_field(&user.id, &id).await?;
    let kind = FieldKind::parse(&f.kind)?;
    let value = body
        .value
        .as_deref()
        .map(|v| check_value(kind, v))
        .transpose()?;
    let label = match body.label.as_deref().map(str::trim) {
        Some("") => {
            return Err(ServerError::Invalid(
                "invalid_field",
                "a label cannot be empty".into(),
            ))
        }
        Some(l) if l.chars().count() > crate::personal::vault::MAX_LABEL => {
            return Err(ServerError::Invalid(
                "invalid_field",
                "a label is at most 100 characters".into(),
            ))
        }
        other => other,
    };
    let f = state
        .store
        .update_profile_field(&user.id, &id, label, value.as_deref())
        .await?;
    Ok(Json(FieldOut::from(&f)))
}

/// Delete a field (grants that named it stop returning it).
#[utoipa::path(delete, path = "/me/profile/{id}", tag = "personal data", security(("bearer" = [])),
    params(("id" = String, Path, description = "field id")),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn remove(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<String>,
) -> Result<StatusCode> {
    let user = p.require(Scope::PrivacyWrite)?;
    state.store.delete_profile_field(&user.id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
