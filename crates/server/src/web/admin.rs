//! Instance administration page.

use super::csrf::CsrfToken;
use super::{render, see_other, Layout, OrgView, WebError};
use crate::auth::{ClientInfo, WebUser};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use slingshot_store::StoreError;

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    l: Layout,
    orgs: Vec<OrgView>,
}

/// `GET /admin`: instance administrators only (others get 404).
pub async fn page(
    State(state): State<AppState>,
    u: WebUser,
    csrf: CsrfToken,
) -> Result<Response, WebError> {
    if !u.0.user.admin() {
        return Err(StoreError::NotFound.into());
    }
    let orgs = state
        .store
        .all_orgs()
        .await?
        .iter()
        .map(|o| OrgView::from(o, ""))
        .collect();
    render(
        StatusCode::OK,
        &AdminPage {
            l: Layout::new("Administration", Some(&u), &csrf),
            orgs,
        },
    )
}

/// `POST /admin/orgs/{org}/verify`.
pub async fn verify(
    State(state): State<AppState>,
    u: WebUser,
    client: ClientInfo,
    Path(org): Path<String>,
) -> Result<Response, WebError> {
    state
        .store
        .verify_org(&u.0.user.id, &org, &client.ip)
        .await?;
    Ok(see_other("/admin"))
}
