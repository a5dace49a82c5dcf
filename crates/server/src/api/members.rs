//! Members of an organization: list, change role, remove (or leave).

use super::types::{List, MemberOut, RoleIn};
use crate::auth::{ClientInfo, Principal};
use crate::error::Problem;
use crate::json::ApiJson;
use crate::{AppState, Result};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use slingshot_domain::{Role, Scope};

/// Members, owners first.
#[utoipa::path(get, path = "/orgs/{org}/members", tag = "orgs", security(("bearer" = [])),
    params(("org" = String, Path, description = "organization id or handle")),
    responses((status = 200, body = List<MemberOut>), (status = 404, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    p: Principal,
    Path(org): Path<String>,
) -> Result<Json<List<MemberOut>>> {
    let user = p.require(Scope::OrgsRead)?;
    let o = state.store.org_for_member(&user.id, &org).await?;
    let members = state.store.members(&user.id, &o.org.id).await?;
    Ok(Json(List::all(
        members.iter().map(MemberOut::from).collect(),
    )))
}

/// Give a member a role (owners and admins; only owners touch owners; the last owner stays).
#[utoipa::path(put, path = "/orgs/{org}/members/{user}", tag = "orgs", security(("bearer" = [])), request_body = RoleIn,
    params(("org" = String, Path, description = "organization id or handle"), ("user" = String, Path, description = "member's account id")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, description = "last owner", body = Problem)))]
pub async fn set_role(
    State(state): State<AppState>,
    p: Principal,
    client: ClientInfo,
    Path((org, member)): Path<(String, String)>,
    ApiJson(body): ApiJson<RoleIn>,
) -> Result<StatusCode> {
    let user = p.require(Scope::OrgsWrite)?;
    let role = Role::parse(&body.role)?;
    let o = state.store.org_for_member(&user.id, &org).await?;
    state
        .store
        .set_role(&user.id, &o.org.id, &member, role, &client.ip)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Remove a member, or leave when it is the caller.
#[utoipa::path(delete, path = "/orgs/{org}/members/{user}", tag = "orgs", security(("bearer" = [])),
    params(("org" = String, Path, description = "organization id or handle"), ("user" = String, Path, description = "member's account id")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, description = "last owner", body = Problem)))]
pub async fn remove(
    State(state): State<AppState>,
    p: Principal,
    client: ClientInfo,
    Path((org, member)): Path<(String, String)>,
) -> Result<StatusCode> {
    let user = p.require(Scope::OrgsWrite)?;
    let o = state.store.org_for_member(&user.id, &org).await?;
    state
        .store
        .remove_member(&user.id, &o.org.id, &member, &client.ip)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
