//! A two-sided relationship's proof that both sides hold the same history: how far each
//! side has countersigned the other's entries, and the button that countersigns.

use super::{see_other, WebError};
use crate::auth::WebUser;
use crate::{ledger, AppState};
use axum::extract::{Path, State};
use axum::response::Response;
use slingshot_domain::ledger::Side;
use slingshot_store::{rfc3339, ProofHeads};

/// What the relationship page says about countersigning, for the side viewing it.
pub struct ProofView {
    /// "the vendor" or "the customer".
    pub other: &'static str,
    /// "Sequence N, on YYYY-MM-DD": the other side's newest entry this side countersigned.
    pub mine: Option<String>,
    /// The same for this side's entries, countersigned by the other side.
    pub theirs: Option<String>,
    /// The other side's newest shared entry, while this side has not countersigned it.
    pub to_countersign: Option<i64>,
}

impl ProofView {
    /// The view of `heads` for `side`.
    pub fn of(heads: &ProofHeads, side: Side) -> Self {
        let said = |h: Option<(i64, i64)>| {
            h.map(|(seq, at)| {
                let day: String = rfc3339(at).chars().take(10).collect();
                format!("entry {seq}, on {day}")
            })
        };
        Self {
            other: match side {
                Side::Customer => "the vendor",
                Side::Vendor => "the customer",
            },
            mine: said(heads.mine),
            theirs: said(heads.theirs),
            to_countersign: heads.behind().then_some(heads.other_latest).flatten(),
        }
    }
}

/// The proof panel of relationship `rel` for `side`; none while it is one-sided.
pub async fn view(
    state: &AppState,
    rel: &slingshot_store::Relationship,
    side: Side,
) -> Result<Option<ProofView>, WebError> {
    if !rel.two_sided() {
        return Ok(None);
    }
    let heads = state.store.proof_heads(&rel.id, side).await?;
    Ok(Some(ProofView::of(&heads, side)))
}

/// `POST /relationships/{id}/countersign`: the viewing side countersigns the other side's
/// newest entry, then sees the page again.
pub async fn countersign(
    State(state): State<AppState>,
    u: WebUser,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let (c, _) = ledger::countersign(&state, &u.0.user.id, &id).await?;
    Ok(see_other(&format!(
        "/relationships/{id}?countersigned={}#proof",
        c.seq
    )))
}
