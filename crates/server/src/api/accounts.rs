//! Registration, the caller's account, and password changes.

use super::types::{AccountOut, PasswordIn, RegisterIn};
use crate::auth::{ClientInfo, Principal};
use crate::error::Problem;
use crate::json::ApiJson;
use crate::{accounts, AppState, Result};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use slingshot_domain::Scope;

/// Create an account.
#[utoipa::path(post, path = "/accounts", tag = "accounts", request_body = RegisterIn,
    responses((status = 201, body = AccountOut), (status = 409, description = "handle taken", body = Problem),
        (status = 422, description = "invalid handle or weak password", body = Problem)))]
pub async fn register(
    State(state): State<AppState>,
    client: ClientInfo,
    ApiJson(body): ApiJson<RegisterIn>,
) -> Result<(StatusCode, Json<AccountOut>)> {
    let user = accounts::register(
        &state,
        &body.handle,
        &body.display_name,
        &body.password,
        &client,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(AccountOut::from(&user))))
}

/// The caller's account.
#[utoipa::path(get, path = "/me", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = AccountOut), (status = 401, body = Problem)))]
pub async fn me(p: Principal) -> Result<Json<AccountOut>> {
    Ok(Json(AccountOut::from(p.require(Scope::AccountRead)?)))
}

/// Change the password (needs a session); every other session is signed out.
#[utoipa::path(put, path = "/me/password", tag = "accounts", security(("bearer" = [])), request_body = PasswordIn,
    responses((status = 204), (status = 403, description = "wrong current password", body = Problem),
        (status = 422, description = "weak new password", body = Problem)))]
pub async fn change_password(
    State(state): State<AppState>,
    p: Principal,
    client: ClientInfo,
    ApiJson(body): ApiJson<PasswordIn>,
) -> Result<StatusCode> {
    let sid = p.require_session()?;
    accounts::change_password(
        &state,
        &p.user,
        sid,
        &body.current_password,
        &body.new_password,
        &client,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
