//! Organizations the caller belongs to.

use super::types::{List, OrgIn, OrgOut};
use crate::auth::{ClientInfo, Principal};
use crate::error::Problem;
use crate::json::ApiJson;
use crate::{accounts, AppState, Result};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use slingshot_domain::Scope;

/// Organizations the caller is a member of, with their role.
#[utoipa::path(get, path = "/orgs", tag = "orgs", security(("bearer" = [])),
    responses((status = 200, body = List<OrgOut>), (status = 401, body = Problem)))]
pub async fn list(State(state): State<AppState>, p: Principal) -> Result<Json<List<OrgOut>>> {
    let user = p.require(Scope::OrgsRead)?;
    let orgs = state.store.orgs_of(&user.id).await?;
    Ok(Json(List::all(
        orgs.iter()
            .map(|o| OrgOut::from(&o.org, Some(o.role.as_str())))
            .collect(),
    )))
}

/// Create an organization; the caller becomes its owner.
#[utoipa::path(post, path = "/orgs", tag = "orgs", security(("bearer" = [])), request_body = OrgIn,
    responses((status = 201, body = OrgOut), (status = 409, description = "handle taken", body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    p: Principal,
    client: ClientInfo,
    ApiJson(body): ApiJson<OrgIn>,
) -> Result<(StatusCode, Json<OrgOut>)> {
    let user = p.require(Scope::OrgsWrite)?;
    let org =
        accounts::create_org(&state, user, &body.handle, &body.name, &body.kind, &client).await?;
    Ok((StatusCode::CREATED, Json(OrgOut::from(&org, Some("owner")))))
}

/// One organization, by id or handle (members only; others get 404).
#[utoipa::path(get, path = "/orgs/{org}", tag = "orgs", security(("bearer" = [])),
    params(("org" = String, Path, description = "organization id or handle")),
    responses((status = 200, body = OrgOut), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    p: Principal,
    Path(org): Path<String>,
) -> Result<Json<OrgOut>> {
    let user = p.require(Scope::OrgsRead)?;
    let o = state.store.org_for_member(&user.id, &org).await?;
    Ok(Json(OrgOut::from(&o.org, Some(o.role.as_str()))))
}
