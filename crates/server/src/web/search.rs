//! The search pages: a person's (`/search`) and an organization's (`/orgs/{org}/search`),
//! a page of hits at a time with a link to older ones.

use super::csrf::CsrfToken;
use super::relationships::{next_page, Filter};
use super::views::{safe_snippet, short_time};
use super::{render, Layout, WebError};
use crate::auth::WebUser;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use slingshot_domain::conversation::{Stage, Status};
use slingshot_store::{is_cursor, rfc3339, SearchHit, SearchPage, Searcher};

/// Hits per page.
const PAGE: i64 = 50;

#[derive(Template)]
#[template(path = "search.html")]
struct SearchView {
    l: Layout,
    heading: String,
    /// Where the form goes.
    action: String,
    q: String,
    hits: Vec<Hit>,
    /// What the narrowing list names ("Vendor", "Customer") and its choices (relationship
    /// id, name).
    narrow_label: &'static str,
    choices: Vec<(String, String)>,
    /// Why the list is not everyone, when it is not.
    narrow_hint: Option<String>,
    /// The filters as given (the relationship chosen among `choices`).
    filter: Filter,
    stages: Vec<&'static str>,
    statuses: Vec<&'static str>,
    /// The link to the next page, if this one was full.
    more: Option<String>,
}

struct Hit {
    entry_id: String,
    /// The hit's cursor: the thread page shows the entry from it.
    cursor: String,
    thread_id: String,
    subject: String,
    /// The vendor (the person's search) or the customer (an organization's).
    who: String,
    /// RFC 3339, and as pages show it.
    at: (String, String),
    snippet: String,
}

/// `?q=`, and the timeline's filters (`relationship` is one vendor or customer) with
/// `before` (a page's last hit).
#[derive(Deserialize)]
pub struct SearchForm {
    #[serde(default)]
    q: String,
    #[serde(flatten)]
    filter: Filter,
}

/// What one search page needs besides its hits.
struct Scope {
    heading: String,
    action: String,
    narrow_label: &'static str,
    choices: Vec<(String, String)>,
    narrow_hint: Option<String>,
}

/// How many customers an organization's search page offers to narrow to.
const CUSTOMER_CHOICES: i64 = 100;

/// Run the search of `who` from the form and show it.
async fn show(
    state: &AppState,
    u: &WebUser,
    csrf: &CsrfToken,
    who: Searcher<'_>,
    f: SearchForm,
    scope: Scope,
    name_of: fn(&SearchHit) -> &str,
) -> Result<Response, WebError> {
    let q: String = f.q.chars().take(500).collect();
    let filter = f.filter.checked()?;
    // A cursor not from a page (typed or cut short) starts from the newest.
    let before = f.filter.before.as_deref().filter(|b| is_cursor(b));
    let page = SearchPage {
        before,
        limit: PAGE,
    };
    let hits = if q.trim().is_empty() {
        Vec::new()
    } else {
        state.store.search(who, &q, &filter, page).await?
    };
    let more = (hits.len() as i64 == PAGE)
        .then(|| hits.last())
        .flatten()
        .map(|h| {
            let words = form_urlencoded::Serializer::new(String::new())
                .append_pair("q", &q)
                .finish();
            let rest = next_page(&f.filter.pairs(), &h.cursor());
            format!("{}?{words}&{rest}", scope.action)
        });
    let hits = hits
        .iter()
        .map(|h| Hit {
            entry_id: h.entry_id.clone(),
            cursor: h.entry_cursor(),
            thread_id: h.thread_id.clone(),
            subject: h.subject.clone(),
            who: name_of(h).to_owned(),
            at: {
                let at = rfc3339(h.at);
                let short = short_time(&at);
                (at, short)
            },
            snippet: safe_snippet(&h.snippet),
        })
        .collect();
    render(
        StatusCode::OK,
        &SearchView {
            l: Layout::new(scope.heading.clone(), Some(u), csrf),
            heading: scope.heading,
            action: scope.action,
            q,
            hits,
            narrow_label: scope.narrow_label,
            choices: scope.choices,
            narrow_hint: scope.narrow_hint,
            filter: f.filter,
            stages: Stage::ALL.iter().map(|s| s.as_str()).collect(),
            statuses: Status::ALL.iter().map(|s| s.as_str()).collect(),
            more,
        },
    )
}

/// `GET /search`: what the person wrote or received.
pub async fn search(
    State(state): State<AppState>,
    u: WebUser,
    csrf: CsrfToken,
    Query(f): Query<SearchForm>,
) -> Result<Response, WebError> {
    let me = u.0.user.id.clone();
    let choices = state
        .store
        .relationships_of(&me)
        .await?
        .into_iter()
        .map(|r| (r.id, r.vendor_name))
        .collect();
    let scope = Scope {
        heading: "Search".into(),
        action: "/search".into(),
        narrow_label: "Vendor",
        choices,
        narrow_hint: None,
    };
    let who = Searcher::Person(&me);
    show(&state, &u, &csrf, who, f, scope, |h| &h.vendor_name).await
}

/// `GET /orgs/{org}/search`: the organization's conversations with its customers, for its
/// owners, admins and agents.
pub async fn org_search(
    State(state): State<AppState>,
    u: WebUser,
    csrf: CsrfToken,
    Path(org): Path<String>,
    Query(f): Query<SearchForm>,
) -> Result<Response, WebError> {
    let me = u.0.user.id.clone();
    let o = state.store.org_for_member(&me, &org).await?;
    // The most recent customers, and the one asked for (from its row on the customers page).
    let recent = state
        .store
        .customers_of_org(&me, &o.org.id, None, CUSTOMER_CHOICES)
        .await?;
    let mut choices: Vec<(String, String)> = recent
        .items
        .into_iter()
        .map(|r| (r.id, r.pseudonym))
        .collect();
    if let Some(id) = f.filter.relationship.as_deref().filter(|id| !id.is_empty()) {
        if !choices.iter().any(|(c, _)| c == id) {
            if let Ok((r, _)) = state.store.relationship_for(&me, id).await {
                if r.org_id.as_deref() == Some(o.org.id.as_str()) {
                    choices.push((r.id, r.pseudonym));
                }
            }
        }
    }
    let narrow_hint = recent.next.is_some().then(|| {
        format!(
            "The {CUSTOMER_CHOICES} customers who shared most recently; to search another's \
             history, use Search on their row of the customers page."
        )
    });
    let scope = Scope {
        heading: format!("Search — {}", o.org.name),
        action: format!("/orgs/{}/search", o.org.handle),
        narrow_label: "Customer",
        choices,
        narrow_hint,
    };
    let who = Searcher::Org {
        actor: &me,
        org_id: &o.org.id,
    };
    show(&state, &u, &csrf, who, f, scope, |h| &h.pseudonym).await
}
