//! Relationships: a person's, an organization's; describing the vendor; sharing with an organization that joined.

use super::types::{List, RelationshipIn, RelationshipOut, RelationshipPatch, ShareIn};
use crate::auth::Principal;
use crate::error::Problem;
use crate::json::{ApiJson, ApiQuery};
use crate::{AppState, Result, ServerError};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use slingshot_domain::{DomainError, Scope};
use slingshot_store::{NewRelationship, RelationshipChange};

/// Start a relationship with an organization here (`org`) or an off-platform vendor.
#[utoipa::path(post, path = "/relationships", tag = "relationships", security(("bearer" = [])), request_body = RelationshipIn,
    responses((status = 201, body = RelationshipOut), (status = 404, description = "no such organization", body = Problem),
        (status = 409, description = "already in a relationship with it", body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    p: Principal,
    ApiJson(body): ApiJson<RelationshipIn>,
) -> Result<(StatusCode, Json<RelationshipOut>)> {
    let user = p.require(Scope::LedgerWrite)?;
    let name = body.vendor_name.unwrap_or_default();
    if body.org.is_none() && name.trim().is_empty() {
        return Err(DomainError::InvalidName("vendor name", 120).into());
    }
    if name.chars().count() > 120 {
        return Err(DomainError::InvalidName("vendor name", 120).into());
    }
    let new = NewRelationship {
        org: body.org,
        vendor_name: name,
        vendor_website: body.vendor_website.unwrap_or_default(),
        vendor_domain: body.vendor_domain.unwrap_or_default(),
        notes: body.notes.unwrap_or_default(),
    };
    let r = state.store.create_relationship(&user.id, &new).await?;
    Ok((
        StatusCode::CREATED,
        Json(RelationshipOut::from(&r, "customer")),
    ))
}

/// The caller's relationships (as a customer).
#[utoipa::path(get, path = "/relationships", tag = "relationships", security(("bearer" = [])),
    responses((status = 200, body = List<RelationshipOut>), (status = 401, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    p: Principal,
) -> Result<Json<List<RelationshipOut>>> {
    let user = p.require(Scope::LedgerRead)?;
    let rels = state.store.relationships_of(&user.id).await?;
    Ok(Json(List::all(
        rels.iter()
            .map(|r| RelationshipOut::from(r, "customer"))
            .collect(),
    )))
}

/// One relationship the caller is party to (as the person or for the organization).
#[utoipa::path(get, path = "/relationships/{id}", tag = "relationships", security(("bearer" = [])),
    params(("id" = String, Path, description = "relationship id")),
    responses((status = 200, body = RelationshipOut), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<String>,
) -> Result<Json<RelationshipOut>> {
    let user = p.require(Scope::LedgerRead)?;
    let (r, side) = state.store.relationship_for(&user.id, &id).await?;
    Ok(Json(RelationshipOut::from(&r, side.as_str())))
}

/// Change how you describe the vendor: name, website, mail domain (which imported mail it
/// gets), notes. The person's side only.
#[utoipa::path(patch, path = "/relationships/{id}", tag = "relationships", security(("bearer" = [])), request_body = RelationshipPatch,
    params(("id" = String, Path, description = "relationship id")),
    responses((status = 200, body = RelationshipOut), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RelationshipPatch>,
) -> Result<Json<RelationshipOut>> {
    let user = p.require(Scope::LedgerWrite)?;
    let change = RelationshipChange {
        vendor_name: body.vendor_name,
        vendor_website: body.vendor_website,
        vendor_domain: body.vendor_domain,
        notes: body.notes,
    };
    let r = state
        .store
        .update_relationship(&user.id, &id, &change)
        .await?;
    Ok(Json(RelationshipOut::from(&r, "customer")))
}

/// Share an off-platform relationship's history with an organization that joined.
#[utoipa::path(post, path = "/relationships/{id}/share", tag = "relationships", security(("bearer" = [])), request_body = ShareIn,
    params(("id" = String, Path, description = "relationship id")),
    responses((status = 200, body = RelationshipOut), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn share(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ShareIn>,
) -> Result<Json<RelationshipOut>> {
    let user = p.require(Scope::LedgerWrite)?;
    let r = state.store.share_with_org(&user.id, &id, &body.org).await?;
    Ok(Json(RelationshipOut::from(&r, "customer")))
}

/// Paging of an organization's customers.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CustomersQuery {
    /// Cursor from `next`.
    pub before: Option<String>,
    /// 1–200 (default 50).
    pub limit: Option<i64>,
}

impl CustomersQuery {
    /// The cursor and the page size, checked: 400 `invalid_cursor` / `invalid_query`.
    pub fn checked(&self) -> Result<(Option<(i64, &str)>, i64)> {
        let limit = self.limit.unwrap_or(50);
        if !(1..=200).contains(&limit) {
            return Err(ServerError::BadRequest(
                "invalid_query",
                "limit is 1 to 200".into(),
            ));
        }
        let before = match self.before.as_deref() {
            None => None,
            Some(c) => Some(
                c.split_once('.')
                    .and_then(|(at, id)| {
                        let at = at.parse::<i64>().ok()?;
                        slingshot_domain::ledger::check_id(id, "cursor").ok()?;
                        Some((at, id))
                    })
                    .ok_or_else(|| {
                        ServerError::BadRequest(
                            "invalid_cursor",
                            "before is a cursor a page gave as next".into(),
                        )
                    })?,
            ),
        };
        Ok((before, limit))
    }
}

/// An organization's customer relationships (owners, admins, agents), the most recently
/// shared first.
#[utoipa::path(get, path = "/orgs/{org}/relationships", tag = "relationships", security(("bearer" = [])),
    params(("org" = String, Path, description = "organization id or handle"), CustomersQuery),
    responses((status = 200, body = List<RelationshipOut>), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn of_org(
    State(state): State<AppState>,
    p: Principal,
    Path(org): Path<String>,
    ApiQuery(q): ApiQuery<CustomersQuery>,
) -> Result<Json<List<RelationshipOut>>> {
    let user = p.require(Scope::LedgerRead)?;
    let (before, limit) = q.checked()?;
    let o = state.store.org_for_member(&user.id, &org).await?;
    let page = state
        .store
        .customers_of_org(&user.id, &o.org.id, before, limit)
        .await?;
    Ok(Json(List {
        items: page
            .items
            .iter()
            .map(|r| RelationshipOut::from(r, "vendor"))
            .collect(),
        next: page.next,
    }))
}

#[cfg(test)]
mod tests {
    use super::CustomersQuery;

    fn q(before: &str) -> CustomersQuery {
        CustomersQuery {
            before: Some(before.into()),
            limit: None,
        }
    }

    #[test]
    fn a_customers_cursor_is_a_time_and_any_relationship_id() {
        // Ids brought in by a bundle need not be UUIDs.
        let cursor = q("1765100000000000.rel_42:from.bundle");
        assert_eq!(
            cursor.checked().unwrap(),
            (Some((1_765_100_000_000_000, "rel_42:from.bundle")), 50)
        );
        for bad in ["", "x.rel", "12", "12.", "12.a b", "12.' OR 1=1"] {
            assert!(q(bad).checked().is_err(), "{bad:?}");
        }
        let big = CustomersQuery {
            before: None,
            limit: Some(201),
        };
        assert!(big.checked().is_err());
    }
}
