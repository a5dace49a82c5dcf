//! How far each side of a relationship has countersigned the other's entries: what a
//! relationship page shows as its proof that both sides hold the same history.

use crate::{Result, Store};
use slingshot_domain::ledger::Side;

/// One side's view of the countersigning of a relationship.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProofHeads {
    /// The newest entry of the other side this side countersigned: sequence and time.
    pub mine: Option<(i64, i64)>,
    /// The newest entry of this side the other side countersigned: sequence and time.
    pub theirs: Option<(i64, i64)>,
    /// The sequence of the other side's newest shared entry.
    pub other_latest: Option<i64>,
}

impl ProofHeads {
    /// The other side has shared entries this side has not countersigned yet.
    pub fn behind(&self) -> bool {
        match (self.other_latest, self.mine) {
            (Some(latest), Some((seq, _))) => latest > seq,
            (Some(_), None) => true,
            (None, _) => false,
        }
    }
}

impl Store {
    /// The countersigning of relationship `relationship_id` as `side` sees it. The caller
    /// has checked that the actor holds that side of the relationship.
    pub async fn proof_heads(&self, relationship_id: &str, side: Side) -> Result<ProofHeads> {
        let newest = |by: Side| {
            sqlx::query_as::<_, (i64, i64)>(
                "SELECT seq, at FROM checkpoints WHERE relationship_id = $1 AND side = $2 \
                 ORDER BY seq DESC LIMIT 1",
            )
            .bind(relationship_id)
            .bind(by.as_str())
            .fetch_optional(&self.pool)
        };
        let mine = newest(side).await?;
        let theirs = newest(side.other()).await?;
        let other_latest = sqlx::query_scalar::<_, i64>(
            "SELECT seq FROM entries WHERE relationship_id = $1 AND seq IS NOT NULL AND side = $2 \
             ORDER BY seq DESC LIMIT 1",
        )
        .bind(relationship_id)
        .bind(side.other().as_str())
        .fetch_optional(&self.pool)
        .await?;
        Ok(ProofHeads {
            mine,
            theirs,
            other_latest,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::ProofHeads;

    #[test]
    fn a_side_is_behind_while_the_other_has_entries_it_has_not_countersigned() {
        let none = ProofHeads::default();
        assert!(!none.behind(), "nothing to countersign");
        let fresh = ProofHeads {
            other_latest: Some(3),
            ..ProofHeads::default()
        };
        assert!(fresh.behind());
        let caught_up = ProofHeads {
            mine: Some((3, 1)),
            other_latest: Some(3),
            ..ProofHeads::default()
        };
        assert!(!caught_up.behind());
        let again = ProofHeads {
            mine: Some((3, 1)),
            other_latest: Some(5),
            ..ProofHeads::default()
        };
        assert!(again.behind());
    }
}
