//! The account page: sessions, API tokens, password, security log.

use super::csrf::CsrfToken;
use super::{render, see_other, Layout, WebError, WebForm};
use crate::accounts;
use crate::api::types::{AuditOut, SessionOut, TokenOut};
use crate::auth::{ClientInfo, WebUser};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use slingshot_domain::Scope;

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    l: Layout,
    sessions: Vec<SessionOut>,
    tokens: Vec<TokenOut>,
    scopes: Vec<(&'static str, &'static str)>,
    new_token: Option<String>,
    audit: Vec<AuditOut>,
}

async fn render_account(
    state: &AppState,
    u: &WebUser,
    csrf: &CsrfToken,
    status: StatusCode,
    error: Option<String>,
    new_token: Option<String>,
) -> Result<Response, WebError> {
    let id = &u.0.user.id;
    let sessions = state
        .store
        .list_sessions(id)
        .await?
        .iter()
        .map(|s| SessionOut::from(s, Some(u.session_id())))
        .collect();
    let tokens = state
        .store
        .list_tokens(id)
        .await?
        .iter()
        .map(TokenOut::from)
        .collect();
    let audit = state
        .store
        .audit_for_user(id, None, 50)
        .await?
        .items
        .iter()
        .map(AuditOut::from)
        .collect();
    let scopes = Scope::ALL
        .iter()
        .map(|s| (s.as_str(), s.describe()))
        .collect();
    let page = AccountPage {
        l: Layout::new("Account", Some(u), csrf).with_error(error),
        sessions,
        tokens,
        scopes,
        new_token,
        audit,
    };
    render(status, &page)
}

/// Show a failed form's message in place on the account page.
async fn or_in_place(
    state: &AppState,
    u: &WebUser,
    csrf: &CsrfToken,
    r: crate::Result<()>,
) -> Result<Response, WebError> {
    match r {
        Ok(()) => Ok(see_other("/account")),
        Err(e) if e.status_code().0.is_client_error() => {
            render_account(state, u, csrf, e.status_code().0, Some(e.to_string()), None).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /account`.
pub async fn page(
    State(state): State<AppState>,
    u: WebUser,
    csrf: CsrfToken,
) -> Result<Response, WebError> {
    render_account(&state, &u, &csrf, StatusCode::OK, None, None).await
}

/// The password form.
#[derive(Deserialize)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
}

/// `POST /account/password`.
pub async fn change_password(
    State(state): State<AppState>,
    u: WebUser,
    client: ClientInfo,
    csrf: CsrfToken,
    WebForm(f): WebForm<PasswordForm>,
) -> Result<Response, WebError> {
    let r = accounts::change_password(
        &state,
        &u.0.user,
        u.session_id(),
        &f.current_password,
        &f.new_password,
        &client,
    )
    .await;
    or_in_place(&state, &u, &csrf, r).await
}

/// `POST /account/sessions/{id}/end`.
pub async fn end_session(
    State(state): State<AppState>,
    u: WebUser,
    client: ClientInfo,
    csrf: CsrfToken,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let r = state
        .store
        .end_session(&u.0.user.id, &id, &client.ip)
        .await
        .map_err(Into::into);
    or_in_place(&state, &u, &csrf, r).await
}

/// `POST /account/tokens`: the new token is shown once, on the page this returns.
pub async fn create_token(
    State(state): State<AppState>,
    u: WebUser,
    client: ClientInfo,
    csrf: CsrfToken,
    body: axum::body::Bytes,
) -> Result<Response, WebError> {
    // Checkboxes repeat the `scope` key, which serde's form decoding does not collect.
    let mut name = String::new();
    let mut scopes = Vec::new();
    for (k, v) in form_urlencoded::parse(&body) {
        match k.as_ref() {
            "name" => name = v.into_owned(),
            "scope" => scopes.push(v.into_owned()),
            _ => {}
        }
    }
    match accounts::create_token(&state, &u.0.user, &name, &scopes, &client).await {
        Ok((secret, _)) => {
            render_account(&state, &u, &csrf, StatusCode::CREATED, None, Some(secret)).await
        }
        Err(e) => or_in_place(&state, &u, &csrf, Err(e)).await,
    }
}

/// `POST /account/tokens/{id}/revoke`.
pub async fn revoke_token(
    State(state): State<AppState>,
    u: WebUser,
    client: ClientInfo,
    csrf: CsrfToken,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let r = state
        .store
        .revoke_token(&u.0.user.id, &id, &client.ip)
        .await
        .map_err(Into::into);
    or_in_place(&state, &u, &csrf, r).await
}
