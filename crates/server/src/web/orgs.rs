//! Organization pages: create, members and roles, invitations, audit log.

use super::csrf::CsrfToken;
use super::{render, see_other, Layout, OrgView, WebError, WebForm};
use crate::accounts;
use crate::api::types::AuditOut;
use crate::auth::{ClientInfo, WebUser};
use crate::{AppState, ServerError};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use slingshot_domain::{OrgKind, Role};
use slingshot_store::{rfc3339, Member};

#[derive(Template)]
#[template(path = "org_new.html")]
struct NewOrgPage {
    l: Layout,
    name: String,
    handle: String,
    kind: String,
    kinds: Vec<(&'static str, &'static str)>,
}

struct InviteView {
    role: String,
    expires_at: String,
}

#[derive(Template)]
#[template(path = "org.html")]
struct OrgPage {
    l: Layout,
    org: OrgView,
    me: String,
    members: Vec<Member>,
    roles: Vec<&'static str>,
    can_manage: bool,
    can_audit: bool,
    can_answer: bool,
    invites: Vec<InviteView>,
    new_invite: Option<String>,
}

#[derive(Template)]
#[template(path = "org_audit.html")]
struct OrgAuditPage {
    l: Layout,
    org_name: String,
    org_handle: String,
    audit: Vec<AuditOut>,
    next: Option<String>,
}

fn kinds() -> Vec<(&'static str, &'static str)> {
    OrgKind::ALL
        .iter()
        .map(|k| (k.as_str(), k.label()))
        .collect()
}

/// `GET /orgs/new`.
pub async fn new_page(u: WebUser, csrf: CsrfToken) -> Result<Response, WebError> {
    let page = NewOrgPage {
        l: Layout::new("New organization", Some(&u), &csrf),
        name: String::new(),
        handle: String::new(),
        kind: "vendor".into(),
        kinds: kinds(),
    };
    render(StatusCode::OK, &page)
}

/// The new-organization form.
#[derive(Deserialize)]
pub struct NewOrgForm {
    name: String,
    handle: String,
    kind: String,
}

/// `POST /orgs`.
pub async fn create(
    State(state): State<AppState>,
    u: WebUser,
    client: ClientInfo,
    csrf: CsrfToken,
    WebForm(f): WebForm<NewOrgForm>,
) -> Result<Response, WebError> {
    match accounts::create_org(&state, &u.0.user, &f.handle, &f.name, &f.kind, &client).await {
        Ok(org) => Ok(see_other(&format!("/orgs/{}", org.handle))),
        Err(e) if e.status_code().0.is_client_error() => {
            let l =
                Layout::new("New organization", Some(&u), &csrf).with_error(Some(e.to_string()));
            render(
                e.status_code().0,
                &NewOrgPage {
                    l,
                    name: f.name,
                    handle: f.handle,
                    kind: f.kind,
                    kinds: kinds(),
                },
            )
        }
        Err(e) => Err(e.into()),
    }
}

async fn render_org(
    state: &AppState,
    u: &WebUser,
    csrf: &CsrfToken,
    handle: &str,
    status: StatusCode,
    error: Option<String>,
    new_invite: Option<String>,
) -> Result<Response, WebError> {
    let me = &u.0.user.id;
    let o = state.store.org_for_member(me, handle).await?;
    let members = state.store.members(me, &o.org.id).await?;
    let can_manage = o.role.manages_members();
    let invites = if can_manage {
        state
            .store
            .pending_invites(me, &o.org.id)
            .await?
            .into_iter()
            .map(|i| InviteView {
                role: i.role,
                expires_at: rfc3339(i.expires_at),
            })
            .collect()
    } else {
        Vec::new()
    };
    let page = OrgPage {
        l: Layout::new(o.org.name.clone(), Some(u), csrf).with_error(error),
        org: OrgView::from(&o.org, o.role.as_str()),
        me: me.clone(),
        members,
        roles: Role::ALL.iter().map(|r| r.as_str()).collect(),
        can_manage,
        can_audit: o.role.reads_audit_log(),
        can_answer: matches!(o.role.as_str(), "owner" | "admin" | "agent"),
        invites,
        new_invite,
    };
    render(status, &page)
}

async fn or_in_place(
    state: &AppState,
    u: &WebUser,
    csrf: &CsrfToken,
    org: &str,
    r: crate::Result<()>,
) -> Result<Response, WebError> {
    match r {
        Ok(()) => Ok(see_other(&format!("/orgs/{org}"))),
        Err(ServerError::Store(slingshot_store::StoreError::NotFound)) => {
            Err(ServerError::Store(slingshot_store::StoreError::NotFound).into())
        }
        Err(e) if e.status_code().0.is_client_error() => {
            render_org(
                state,
                u,
                csrf,
                org,
                e.status_code().0,
                Some(e.to_string()),
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /orgs/{org}`: members only; others get 404.
pub async fn page(
    State(state): State<AppState>,
    u: WebUser,
    csrf: CsrfToken,
    Path(org): Path<String>,
) -> Result<Response, WebError> {
    render_org(&state, &u, &csrf, &org, StatusCode::OK, None, None).await
}

/// A role field.
#[derive(Deserialize)]
pub struct RoleForm {
    role: String,
}

/// `POST /orgs/{org}/invites`: the link is shown once, on the page this returns.
pub async fn invite(
    State(state): State<AppState>,
    u: WebUser,
    client: ClientInfo,
    csrf: CsrfToken,
    Path(org): Path<String>,
    WebForm(f): WebForm<RoleForm>,
) -> Result<Response, WebError> {
    let o = state.store.org_for_member(&u.0.user.id, &org).await?;
    match accounts::create_invite(&state, &u.0.user, &o.org.id, &f.role, &client).await {
        Ok((url, _)) => {
            render_org(
                &state,
                &u,
                &csrf,
                &org,
                StatusCode::CREATED,
                None,
                Some(url),
            )
            .await
        }
        Err(e) => or_in_place(&state, &u, &csrf, &org, Err(e)).await,
    }
}

/// `POST /orgs/{org}/members/{user}/role`.
pub async fn set_role(
    State(state): State<AppState>,
    u: WebUser,
    client: ClientInfo,
    csrf: CsrfToken,
    Path((org, member)): Path<(String, String)>,
    WebForm(f): WebForm<RoleForm>,
) -> Result<Response, WebError> {
    let o = state.store.org_for_member(&u.0.user.id, &org).await?;
    let r = match Role::parse(&f.role) {
        Ok(role) => state
            .store
            .set_role(&u.0.user.id, &o.org.id, &member, role, &client.ip)
            .await
            .map_err(Into::into),
        Err(e) => Err(e.into()),
    };
    or_in_place(&state, &u, &csrf, &org, r).await
}

/// `POST /orgs/{org}/members/{user}/remove`.
pub async fn remove(
    State(state): State<AppState>,
    u: WebUser,
    client: ClientInfo,
    csrf: CsrfToken,
    Path((org, member)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let o = state.store.org_for_member(&u.0.user.id, &org).await?;
    let r = state
        .store
        .remove_member(&u.0.user.id, &o.org.id, &member, &client.ip)
        .await
        .map_err(Into::into);
    if r.is_ok() && member == u.0.user.id {
        return Ok(see_other("/"));
    }
    or_in_place(&state, &u, &csrf, &org, r).await
}

/// `?before=` cursor.
#[derive(Deserialize)]
pub struct BeforeQuery {
    before: Option<String>,
}

/// `GET /orgs/{org}/audit`: owners only.
pub async fn audit(
    State(state): State<AppState>,
    u: WebUser,
    csrf: CsrfToken,
    Path(org): Path<String>,
    Query(q): Query<BeforeQuery>,
) -> Result<Response, WebError> {
    let o = state.store.org_for_member(&u.0.user.id, &org).await?;
    let page = state
        .store
        .audit_for_org(&u.0.user.id, &o.org.id, q.before.as_deref(), 100)
        .await?;
    let p = OrgAuditPage {
        l: Layout::new(format!("Audit log — {}", o.org.name), Some(&u), &csrf),
        org_name: o.org.name.clone(),
        org_handle: o.org.handle.clone(),
        audit: page.items.iter().map(AuditOut::from).collect(),
        next: page.next,
    };
    render(StatusCode::OK, &p)
}
