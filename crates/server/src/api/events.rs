//! Server-sent events: new entries in the caller's relationships, as they are stored.

use crate::auth::Principal;
use crate::error::Problem;
use crate::ledger_writer::EntryEvent;
use crate::{AppState, Result};
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::stream::Stream;
use slingshot_domain::Scope;
use std::collections::HashSet;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::StreamExt;

/// Who may see an event: the person, or members acting for the organization.
pub fn visible(e: &EntryEvent, user: &str, orgs: &HashSet<String>) -> bool {
    let customer = e.person_id == user;
    let vendor = e.org_id.as_ref().is_some_and(|o| orgs.contains(o));
    match e.private_side.as_deref() {
        Some("customer") => customer,
        Some("vendor") => vendor,
        _ => customer || vendor,
    }
}

/// The event stream for a user (used by the API and the pages).
pub async fn stream_for(
    state: &AppState,
    user: &str,
) -> Result<impl Stream<Item = std::result::Result<Event, std::convert::Infallible>>> {
    let orgs: HashSet<String> = state
        .store
        .orgs_of(user)
        .await?
        .into_iter()
        .filter(|o| matches!(o.role.as_str(), "owner" | "admin" | "agent"))
        .map(|o| o.org.id)
        .collect();
    let user = user.to_owned();
    let rx = state.events.subscribe();
    Ok(BroadcastStream::new(rx).filter_map(move |m| {
        let e = m.ok()?;
        visible(&e, &user, &orgs).then(|| {
            let data = serde_json::json!({"relationship_id": e.relationship_id, "thread_id": e.thread_id, "entry_id": e.entry_id});
            Ok(Event::default().event("entry").data(data.to_string()))
        })
    }))
}

/// New entries as they are stored (`text/event-stream`, event `entry`).
#[utoipa::path(get, path = "/events", tag = "entries", security(("bearer" = [])),
    responses((status = 200, content_type = "text/event-stream", description = "events named `entry` with {relationship_id, thread_id, entry_id}"),
        (status = 401, body = Problem)))]
pub async fn events(
    State(state): State<AppState>,
    p: Principal,
) -> Result<Sse<impl Stream<Item = std::result::Result<Event, std::convert::Infallible>>>> {
    let user = p.require(Scope::LedgerRead)?;
    Ok(Sse::new(stream_for(&state, &user.id).await?).keep_alive(KeepAlive::default()))
}
