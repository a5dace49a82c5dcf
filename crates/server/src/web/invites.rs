//! Invitation links: see what it is for, accept it.

use super::csrf::CsrfToken;
use super::{render, see_other, Layout, WebError};
use crate::auth::{ClientInfo, WebUser};
use crate::secrets::token_hash;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;

#[derive(Template)]
#[template(path = "invite.html")]
struct InvitePage {
    l: Layout,
    org_name: String,
    role: String,
    usable: bool,
    token: String,
}

/// `GET /invites/{token}`.
pub async fn page(
    State(state): State<AppState>,
    user: Option<WebUser>,
    csrf: CsrfToken,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let v = state.store.invite_view(&token_hash(&token)).await?;
    let status = if v.usable {
        StatusCode::OK
    } else {
        StatusCode::GONE
    };
    let page = InvitePage {
        l: Layout::new("Invitation", user.as_ref(), &csrf),
        org_name: v.org.name,
        role: v.role,
        usable: v.usable,
        token,
    };
    render(status, &page)
}

/// `POST /invites/{token}/accept`.
pub async fn accept(
    State(state): State<AppState>,
    u: WebUser,
    client: ClientInfo,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let org = state
        .store
        .accept_invite(&u.0.user.id, &token_hash(&token), &client.ip)
        .await?;
    Ok(see_other(&format!("/orgs/{}", org.handle)))
}
