//! The start page: a welcome for visitors, the organizations list for members.

use super::csrf::CsrfToken;
use super::{render, Layout, OrgView, WebError};
use crate::auth::WebUser;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    l: Layout,
    orgs: Vec<OrgView>,
}

/// `GET /`.
pub async fn home(
    State(state): State<AppState>,
    user: Option<WebUser>,
    csrf: CsrfToken,
) -> Result<Response, WebError> {
    let orgs = match &user {
        Some(u) => state
            .store
            .orgs_of(&u.0.user.id)
            .await?
            .iter()
            .map(|o| OrgView::from(&o.org, o.role.as_str()))
            .collect(),
        None => Vec::new(),
    };
    render(
        StatusCode::OK,
        &Home {
            l: Layout::new("Home", user.as_ref(), &csrf),
            orgs,
        },
    )
}
