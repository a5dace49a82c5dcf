//! Linking a conversation to another of the same relationship from its page: "follows
//! from", "related", "duplicate of", so the research, the purchase and the support case read
//! as one story.

use super::csrf::CsrfToken;
use super::{WebError, WebForm};
use crate::auth::WebUser;
use crate::AppState;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;
use slingshot_domain::conversation::LinkKind;
use slingshot_store::Thread;

/// The kinds a thread page offers, with how the form names them.
pub const KINDS: [(&str, &str); 3] = [
    ("follows_from", "follows from"),
    ("related", "is related to"),
    ("duplicate_of", "is a duplicate of"),
];

/// The conversations `thread` may link to: the relationship's others (id, subject).
pub fn targets(thread: &str, all: Vec<Thread>) -> Vec<(String, String)> {
    all.into_iter()
        .filter(|t| t.id != thread)
        .map(|t| (t.id, t.subject))
        .collect()
}

/// The link form.
#[derive(Deserialize)]
pub struct LinkForm {
    kind: String,
    to: String,
}

/// `POST /threads/{id}/links`: a link that would make a thread its own ancestor, or to a
/// conversation of another relationship, is refused on the page and nothing changes.
pub async fn link(
    State(state): State<AppState>,
    u: WebUser,
    csrf: CsrfToken,
    Path(id): Path<String>,
    WebForm(f): WebForm<LinkForm>,
) -> Result<Response, WebError> {
    let r = match LinkKind::parse(&f.kind) {
        Ok(kind) => state
            .store
            .link_threads(&u.0.user.id, &id, f.to.trim(), kind)
            .await
            .map_err(Into::into),
        Err(e) => Err(e.into()),
    };
    super::threads::or_in_place(&state, &u, &csrf, &id, r).await
}
