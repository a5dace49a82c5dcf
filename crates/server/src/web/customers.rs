//! The organization's customers: every relationship shared with it, the most recently shared
//! first, each a link to the customer's history (where either side may open a conversation).

use super::csrf::CsrfToken;
use super::{render, Layout, WebError};
use crate::api::relationships::CustomersQuery;
use crate::auth::WebUser;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use slingshot_store::rfc3339;

/// One customer row.
struct CustomerRow {
    id: String,
    pseudonym: String,
    since: String,
    entries: i64,
}

#[derive(Template)]
#[template(path = "org_customers.html")]
struct CustomersPage {
    l: Layout,
    org_name: String,
    org_handle: String,
    customers: Vec<CustomerRow>,
    next: Option<String>,
}

/// `GET /orgs/{org}/customers`: owners, admins and agents.
pub async fn page(
    State(state): State<AppState>,
    u: WebUser,
    csrf: CsrfToken,
    Path(org): Path<String>,
    Query(q): Query<CustomersQuery>,
) -> Result<Response, WebError> {
    let (before, limit) = q.checked()?;
    let o = state.store.org_for_member(&u.0.user.id, &org).await?;
    let page = state
        .store
        .customers_of_org(&u.0.user.id, &o.org.id, before, limit)
        .await?;
    let p = CustomersPage {
        l: Layout::new(format!("Customers — {}", o.org.name), Some(&u), &csrf),
        org_name: o.org.name.clone(),
        org_handle: o.org.handle.clone(),
        customers: page
            .items
            .into_iter()
            .map(|r| CustomerRow {
                since: rfc3339(r.shared_at.unwrap_or(r.created_at))
                    .chars()
                    .take(10)
                    .collect(),
                entries: r.head_seq,
                id: r.id,
                pseudonym: r.pseudonym,
            })
            .collect(),
        next: page.next,
    };
    render(StatusCode::OK, &p)
}
