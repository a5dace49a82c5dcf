//! Single-use invitation links.

use super::types::{InviteCreated, InviteOut, List, OrgOut, RoleIn};
use crate::auth::{ClientInfo, Principal};
use crate::error::Problem;
use crate::json::ApiJson;
use crate::secrets::token_hash;
use crate::{accounts, AppState, Result};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use slingshot_domain::Scope;
use slingshot_store::rfc3339;

/// Pending invitations (owners and admins).
#[utoipa::path(get, path = "/orgs/{org}/invites", tag = "orgs", security(("bearer" = [])),
    params(("org" = String, Path, description = "organization id or handle")),
    responses((status = 200, body = List<InviteOut>), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    p: Principal,
    Path(org): Path<String>,
) -> Result<Json<List<InviteOut>>> {
    let user = p.require(Scope::OrgsRead)?;
    let o = state.store.org_for_member(&user.id, &org).await?;
    let invites = state.store.pending_invites(&user.id, &o.org.id).await?;
    let items = invites
        .iter()
        .map(|i| InviteOut {
            id: i.id.clone(),
            role: i.role.clone(),
            created_at: rfc3339(i.created_at),
            expires_at: rfc3339(i.expires_at),
        })
        .collect();
    Ok(Json(List::all(items)))
}

/// Create a single-use link that makes its acceptor a member with `role` (valid 7 days).
#[utoipa::path(post, path = "/orgs/{org}/invites", tag = "orgs", security(("bearer" = [])), request_body = RoleIn,
    params(("org" = String, Path, description = "organization id or handle")),
    responses((status = 201, body = InviteCreated), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    p: Principal,
    client: ClientInfo,
    Path(org): Path<String>,
    ApiJson(body): ApiJson<RoleIn>,
) -> Result<(StatusCode, Json<InviteCreated>)> {
    let user = p.require(Scope::OrgsWrite)?;
    let o = state.store.org_for_member(&user.id, &org).await?;
    let (url, inv) = accounts::create_invite(&state, user, &o.org.id, &body.role, &client).await?;
    let token = url.rsplit('/').next().unwrap_or_default().to_owned();
    Ok((
        StatusCode::CREATED,
        Json(InviteCreated {
            id: inv.id,
            url,
            token,
            role: inv.role,
            expires_at: rfc3339(inv.expires_at),
        }),
    ))
}

/// Revoke a pending invitation.
#[utoipa::path(delete, path = "/orgs/{org}/invites/{id}", tag = "orgs", security(("bearer" = [])),
    params(("org" = String, Path, description = "organization id or handle"), ("id" = String, Path, description = "invitation id")),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn revoke(
    State(state): State<AppState>,
    p: Principal,
    Path((org, id)): Path<(String, String)>,
) -> Result<StatusCode> {
    let user = p.require(Scope::OrgsWrite)?;
    let o = state.store.org_for_member(&user.id, &org).await?;
    state.store.revoke_invite(&user.id, &o.org.id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Accept an invitation (single use; 410 when used, revoked or expired).
#[utoipa::path(post, path = "/invites/{token}/accept", tag = "orgs", security(("bearer" = [])),
    params(("token" = String, Path, description = "the invitation link's secret")),
    responses((status = 200, body = OrgOut), (status = 404, body = Problem), (status = 409, description = "already a member", body = Problem), (status = 410, body = Problem)))]
pub async fn accept(
    State(state): State<AppState>,
    p: Principal,
    client: ClientInfo,
    Path(token): Path<String>,
) -> Result<Json<OrgOut>> {
    let user = p.require(Scope::OrgsWrite)?;
    let org = state
        .store
        .accept_invite(&user.id, &token_hash(&token), &client.ip)
        .await?;
    let role = state.store.role_in(&user.id, &org.id).await?;
    Ok(Json(OrgOut::from(&org, Some(role.as_str()))))
}
