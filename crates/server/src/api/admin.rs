//! Instance administration: every organization, and marking one verified.

use super::types::{List, OrgOut};
use crate::auth::{ClientInfo, Principal};
use crate::error::Problem;
use crate::{AppState, Result};
use axum::extract::{Path, State};
use axum::Json;
use slingshot_domain::Scope;
use slingshot_store::StoreError;

/// Every organization on this instance (instance administrators; others get 404).
#[utoipa::path(get, path = "/admin/orgs", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = List<OrgOut>), (status = 404, body = Problem)))]
pub async fn orgs(State(state): State<AppState>, p: Principal) -> Result<Json<List<OrgOut>>> {
    let user = p.require(Scope::OrgsRead)?;
    if !user.admin() {
        return Err(StoreError::NotFound.into());
    }
    let orgs = state.store.all_orgs().await?;
    Ok(Json(List::all(
        orgs.iter().map(|o| OrgOut::from(o, None)).collect(),
    )))
}

/// Mark an organization verified ("business identity checked").
#[utoipa::path(post, path = "/admin/orgs/{org}/verify", tag = "admin", security(("bearer" = [])),
    params(("org" = String, Path, description = "organization id or handle")),
    responses((status = 200, body = OrgOut), (status = 404, body = Problem)))]
pub async fn verify(
    State(state): State<AppState>,
    p: Principal,
    client: ClientInfo,
    Path(org): Path<String>,
) -> Result<Json<OrgOut>> {
    let user = p.require(Scope::OrgsWrite)?;
    let o = state.store.verify_org(&user.id, &org, &client.ip).await?;
    Ok(Json(OrgOut::from(&o, None)))
}
