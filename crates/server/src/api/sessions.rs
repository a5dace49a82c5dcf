//! Signing in and out, and listing sessions.

use super::types::{AccountOut, List, SessionOut, SignInIn, SignInOut};
use crate::auth::{ClientInfo, Principal};
use crate::error::Problem;
use crate::json::ApiJson;
use crate::{accounts, AppState, Result};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use slingshot_domain::Scope;

/// Sign in; the returned token is a bearer credential for this session.
#[utoipa::path(post, path = "/sessions", tag = "sessions", request_body = SignInIn,
    responses((status = 201, body = SignInOut), (status = 401, description = "wrong handle or password", body = Problem),
        (status = 429, description = "too many failures; see retry_after", body = Problem)))]
pub async fn sign_in(
    State(state): State<AppState>,
    client: ClientInfo,
    ApiJson(body): ApiJson<SignInIn>,
) -> Result<(StatusCode, Json<SignInOut>)> {
    let (token, session, user) =
        accounts::sign_in(&state, &body.handle, &body.password, &client).await?;
    let out = SignInOut {
        token,
        session: SessionOut::from(&session, Some(&session.id)),
        account: AccountOut::from(&user),
    };
    Ok((StatusCode::CREATED, Json(out)))
}

/// The caller's live sessions, newest first.
#[utoipa::path(get, path = "/sessions", tag = "sessions", security(("bearer" = [])),
    responses((status = 200, body = List<SessionOut>), (status = 401, body = Problem)))]
pub async fn list(State(state): State<AppState>, p: Principal) -> Result<Json<List<SessionOut>>> {
    let user = p.require(Scope::AccountRead)?;
    let sessions = state.store.list_sessions(&user.id).await?;
    Ok(Json(List::all(
        sessions
            .iter()
            .map(|s| SessionOut::from(s, p.session_id.as_deref()))
            .collect(),
    )))
}

/// Sign out one of the caller's sessions (its own included). Needs a session.
#[utoipa::path(delete, path = "/sessions/{id}", tag = "sessions", security(("bearer" = [])),
    params(("id" = String, Path, description = "session id")),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn end(
    State(state): State<AppState>,
    p: Principal,
    client: ClientInfo,
    Path(id): Path<String>,
) -> Result<StatusCode> {
    p.require_session()?;
    state.store.end_session(&p.user.id, &id, &client.ip).await?;
    Ok(StatusCode::NO_CONTENT)
}
