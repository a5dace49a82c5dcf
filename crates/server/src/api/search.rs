//! Full-text search: a person's over what they wrote or received, an organization's over
//! its customers' shared conversations. Newest first, a page at a time.

use super::entries::{check_cursor, filter_of};
use super::types::{List, OrgSearchHitOut, SearchHitOut, SearchQuery};
use crate::auth::Principal;
use crate::error::Problem;
use crate::json::ApiQuery;
use crate::{AppState, Result, ServerError};
use axum::extract::{Path, State};
use axum::Json;
use slingshot_domain::Scope;
use slingshot_store::{SearchHit, SearchPage, Searcher, TimelineFilter};

/// A search's words, filters and page, checked.
fn checked(q: &SearchQuery) -> Result<(TimelineFilter, SearchPage<'_>)> {
    if q.q.len() > 500 {
        return Err(ServerError::Invalid(
            "invalid_value",
            "a search is at most 500 characters".into(),
        ));
    }
    let f = filter_of(
        q.relationship.as_deref(),
        q.stage.as_deref(),
        q.status.as_deref(),
        q.tag.as_deref(),
        q.from.as_deref(),
        q.to.as_deref(),
    )?;
    check_cursor(q.before.as_deref())?;
    let page = SearchPage {
        before: q.before.as_deref(),
        limit: q.limit.unwrap_or(20).clamp(1, 100),
    };
    Ok((f, page))
}

/// The page's hits and the cursor for the next page (absent when this page was not full).
fn list_of<T>(hits: &[SearchHit], limit: i64, out: impl Fn(&SearchHit) -> T) -> List<T> {
    let next = (hits.len() as i64 == limit)
        .then(|| hits.last().map(SearchHit::cursor))
        .flatten();
    List {
        items: hits.iter().map(out).collect(),
        next,
    }
}

/// Full-text search over everything the caller wrote or received, newest first; narrowed, like
/// the timeline, by vendor, stage, status, tag and dates.
#[utoipa::path(get, path = "/search", tag = "entries", security(("bearer" = [])), params(SearchQuery),
    responses((status = 200, body = List<SearchHitOut>), (status = 400, body = Problem), (status = 422, body = Problem)))]
pub async fn search(
    State(state): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> Result<Json<List<SearchHitOut>>> {
    let user = p.require(Scope::LedgerRead)?;
    let (f, page) = checked(&q)?;
    let hits = state
        .store
        .search(Searcher::Person(&user.id), &q.q, &f, page)
        .await?;
    Ok(Json(list_of(&hits, page.limit, |h| SearchHitOut::from(h))))
}

/// Full-text search over the organization's conversations with its customers, as its side
/// sees them (never a customer's private notes), newest first; `relationship` narrows it to
/// one customer. Owners, admins and agents only.
#[utoipa::path(get, path = "/orgs/{org}/search", tag = "entries", security(("bearer" = [])),
    params(("org" = String, Path, description = "organization id or handle"), SearchQuery),
    responses((status = 200, body = List<OrgSearchHitOut>), (status = 400, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn org_search(
    State(state): State<AppState>,
    p: Principal,
    Path(org): Path<String>,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> Result<Json<List<OrgSearchHitOut>>> {
    let user = p.require(Scope::LedgerRead)?;
    let (f, page) = checked(&q)?;
    let o = state.store.org_for_member(&user.id, &org).await?;
    let who = Searcher::Org {
        actor: &user.id,
        org_id: &o.org.id,
    };
    let hits = state.store.search(who, &q.q, &f, page).await?;
    Ok(Json(list_of(&hits, page.limit, |h| {
        OrgSearchHitOut::from(h)
    })))
}
