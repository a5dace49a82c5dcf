//! API tokens: create (shown once), list, revoke. Managing tokens needs a session.

use super::types::{List, TokenCreated, TokenIn, TokenOut};
use crate::auth::{ClientInfo, Principal};
use crate::error::Problem;
use crate::json::ApiJson;
use crate::{accounts, AppState, Result};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;

/// The caller's tokens (live and revoked), newest first.
#[utoipa::path(get, path = "/tokens", tag = "tokens", security(("bearer" = [])),
    responses((status = 200, body = List<TokenOut>), (status = 403, body = Problem)))]
pub async fn list(State(state): State<AppState>, p: Principal) -> Result<Json<List<TokenOut>>> {
    p.require_session()?;
    let tokens = state.store.list_tokens(&p.user.id).await?;
    Ok(Json(List::all(tokens.iter().map(TokenOut::from).collect())))
}

/// Create a token with scopes. The secret is in this response only.
#[utoipa::path(post, path = "/tokens", tag = "tokens", security(("bearer" = [])), request_body = TokenIn,
    responses((status = 201, body = TokenCreated), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    p: Principal,
    client: ClientInfo,
    ApiJson(body): ApiJson<TokenIn>,
) -> Result<(StatusCode, Json<TokenCreated>)> {
    p.require_session()?;
    let (token, meta) =
        accounts::create_token(&state, &p.user, &body.name, &body.scopes, &client).await?;
    Ok((
        StatusCode::CREATED,
        Json(TokenCreated {
            token,
            meta: TokenOut::from(&meta),
        }),
    ))
}

/// Revoke a token; it stops working at once.
#[utoipa::path(delete, path = "/tokens/{id}", tag = "tokens", security(("bearer" = [])),
    params(("id" = String, Path, description = "token id")),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn revoke(
    State(state): State<AppState>,
    p: Principal,
    client: ClientInfo,
    Path(id): Path<String>,
) -> Result<StatusCode> {
    p.require_session()?;
    state
        .store
        .revoke_token(&p.user.id, &id, &client.ip)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
