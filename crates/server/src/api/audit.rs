//! Audit logs: the caller's own, and their organizations' (owners only).

use super::types::{AuditOut, List, PageQuery};
use crate::auth::Principal;
use crate::error::Problem;
use crate::json::ApiQuery;
use crate::{AppState, Result};
use axum::extract::{Path, State};
use axum::Json;
use slingshot_domain::Scope;

/// Security events about the caller's account, newest first.
#[utoipa::path(get, path = "/me/audit", tag = "audit", security(("bearer" = [])), params(PageQuery),
    responses((status = 200, body = List<AuditOut>), (status = 401, body = Problem)))]
pub async fn mine(
    State(state): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<List<AuditOut>>> {
    let user = p.require(Scope::AuditRead)?;
    let page = state
        .store
        .audit_for_user(&user.id, q.before.as_deref(), q.limit())
        .await?;
    Ok(Json(List {
        items: page.items.iter().map(AuditOut::from).collect(),
        next: page.next,
    }))
}

/// An organization's security events, newest first (owners only).
#[utoipa::path(get, path = "/orgs/{org}/audit", tag = "audit", security(("bearer" = [])),
    params(("org" = String, Path, description = "organization id or handle"), PageQuery),
    responses((status = 200, body = List<AuditOut>), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn org(
    State(state): State<AppState>,
    p: Principal,
    Path(org): Path<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<List<AuditOut>>> {
    let user = p.require(Scope::AuditRead)?;
    let o = state.store.org_for_member(&user.id, &org).await?;
    let page = state
        .store
        .audit_for_org(&user.id, &o.org.id, q.before.as_deref(), q.limit())
        .await?;
    Ok(Json(List {
        items: page.items.iter().map(AuditOut::from).collect(),
        next: page.next,
    }))
}
