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

/// A link as a thread page shows it: how it reads from this thread, the other thread,
/// and what removing it names.
pub struct LinkView {
    /// "follows from", "followed by", "related", "duplicate of", "duplicated by".
    pub label: String,
    /// The other thread.
    pub other: String,
    /// Its subject.
    pub subject: String,
    /// The link's own ends and kind.
    pub from: String,
    /// See `from`.
    pub to: String,
    /// See `from`.
    pub kind: String,
}

/// The removal form: the link's ends and kind.
#[derive(Deserialize)]
pub struct UnlinkForm {
    from: String,
    to: String,
    kind: String,
}

/// `POST /threads/{id}/links/remove`: remove a link from or to this conversation; back
/// to its page. A link that is not there, or not between threads of the person's, is 404.
pub async fn unlink(
    State(state): State<AppState>,
    u: WebUser,
    csrf: CsrfToken,
    Path(id): Path<String>,
    WebForm(f): WebForm<UnlinkForm>,
) -> Result<Response, WebError> {
    if f.from != id && f.to != id {
        return Err(slingshot_store::StoreError::NotFound.into());
    }
    let r = match LinkKind::parse(&f.kind) {
        Ok(kind) => state
            .store
            .unlink_threads(&u.0.user.id, &f.from, &f.to, kind)
            .await
            .map_err(Into::into),
        Err(e) => Err(e.into()),
    };
    super::threads::or_in_place(&state, &u, &csrf, &id, r).await
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
