//! Erasing one entry's body from a page: the customer's right to have a message, a
//! note or a file forgotten, while the chain keeps its digest and still verifies.

use super::{see_other, WebError};
use crate::auth::WebUser;
use crate::AppState;
use axum::extract::{Path, State};
use axum::response::Response;

/// `POST /entries/{id}/erase`: the relationship's person only (anyone else: 404); back to
/// the entry on its conversation's page, the page that holds it however old it is.
pub async fn erase(
    State(state): State<AppState>,
    u: WebUser,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let (thread, at) = state.store.erase_entry(&u.0.user.id, &id).await?;
    Ok(see_other(&format!(
        "/threads/{thread}?entry={at}:{id}#e-{id}"
    )))
}
