//! The organization's inbox: threads across its customers, awaiting an answer first, and
//! its due list of follow-ups; for its owners, admins and agents only.

use crate::relationships::VENDOR_ROLES;
use crate::{Result, Store};
use slingshot_domain::conversation::Status;

/// An inbox row: a thread with its customer's pseudonym.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InboxRow {
    /// Thread id.
    pub id: String,
    /// Relationship id.
    pub relationship_id: String,
    /// Customer pseudonym.
    pub pseudonym: String,
    /// Subject.
    pub subject: String,
    /// Stage.
    pub stage: String,
    /// Status.
    pub status: String,
    /// Assignee id.
    pub assignee_id: Option<String>,
    /// Assignee's handle.
    pub assignee_handle: Option<String>,
    /// The vendor side's follow-up date, YYYY-MM-DD.
    pub follow_up_on: Option<String>,
    /// When the customer last wrote.
    pub last_customer_at: Option<i64>,
    /// When the organization last wrote (not its private notes).
    pub last_vendor_at: Option<i64>,
    /// Last activity.
    pub last_activity_at: i64,
}

impl InboxRow {
    /// The customer wrote last and has had no answer since.
    pub fn awaiting_reply(&self) -> bool {
        match (self.last_customer_at, self.last_vendor_at) {
            (Some(c), Some(v)) => c > v,
            (Some(_), None) => true,
            (None, _) => false,
        }
    }
}

/// The columns of an [`InboxRow`].
const INBOX_COLS: &str = "t.id, t.relationship_id, r.pseudonym, t.subject, t.stage, t.status, \
    t.assignee_id, a.handle AS assignee_handle, t.vendor_follow_up_on AS follow_up_on, \
    t.last_customer_at, t.last_vendor_at, t.last_activity_at";

/// The tables of an [`InboxRow`].
const INBOX_FROM: &str = "threads t JOIN relationships r ON r.id = t.relationship_id \
    LEFT JOIN users a ON a.id = t.assignee_id";

/// Whose conversations an inbox lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assigned<'a> {
    /// Everyone's and no one's.
    Anyone,
    /// Only those assigned to no one.
    Nobody,
    /// Only those assigned to this account.
    To(&'a str),
}

impl Assigned<'_> {
    /// The value bound for `$n` in [`ASSIGNED_SQL`].
    fn bind_value(self) -> String {
        match self {
            Self::Anyone => "*".into(),
            Self::Nobody => String::new(),
            Self::To(id) => id.to_owned(),
        }
    }
}

/// Which part of a long list: `offset` rows skipped, at most `limit` shown. Work queues
/// such as the inbox reorder as they are worked, so their pages are counted, not keyed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Rows before this page.
    pub offset: i64,
    /// Rows on this page.
    pub limit: i64,
}

impl Window {
    /// The first `limit` rows.
    pub fn first(limit: i64) -> Self {
        Self { offset: 0, limit }
    }

    /// The page of `rows` (fetched with one more than `limit`) and the next page's offset.
    fn page(self, mut rows: Vec<InboxRow>) -> crate::Page<InboxRow> {
        let limit = usize::try_from(self.limit).unwrap_or(0);
        let next = (rows.len() > limit).then(|| (self.offset + self.limit).to_string());
        rows.truncate(limit);
        crate::Page { items: rows, next }
    }
}

/// The assignee condition on `$3` ([`Assigned::bind_value`]; ids are never `*` or empty).
const ASSIGNED_SQL: &str =
    "($3 = '*' OR ($3 = '' AND t.assignee_id IS NULL) OR t.assignee_id = $3)";

impl Store {
    /// The organization's inbox: threads across customers, those awaiting an answer first
    /// (longest-waiting customer first), then the answered ones;
    /// those of `status`, or (without one) every thread not resolved or closed.
    pub async fn org_inbox(
        &self,
        actor: &str,
        org_id: &str,
        status: Option<Status>,
        assigned: Assigned<'_>,
        window: Window,
    ) -> Result<crate::Page<InboxRow>> {
        let awaiting_first = "CASE WHEN t.last_customer_at IS NOT NULL AND (t.last_vendor_at IS NULL \
            OR t.last_vendor_at < t.last_customer_at) THEN 0 ELSE 1 END, COALESCE(t.last_customer_at, t.last_activity_at)";
        self.inbox_rows(
            actor,
            org_id,
            "(($2 = '' AND t.status NOT IN ('resolved', 'closed')) OR t.status = $2)",
            status.map(|s| s.as_str()).unwrap_or(""),
            assigned,
            awaiting_first,
            window,
        )
        .await
    }

    /// The organization's follow-ups due on or before `date` (YYYY-MM-DD), earliest first:
    /// open threads of shared relationships whose vendor-side follow-up date has come,
    /// those `assigned`. Owners, admins and agents only.
    pub async fn due_for_org(
        &self,
        actor: &str,
        org_id: &str,
        date: &str,
        assigned: Assigned<'_>,
        window: Window,
    ) -> Result<crate::Page<InboxRow>> {
        self.inbox_rows(
            actor,
            org_id,
            "t.vendor_follow_up_on <= $2 AND t.status NOT IN ('resolved', 'closed')",
            date,
            assigned,
            "t.vendor_follow_up_on",
            window,
        )
        .await
    }

    /// Threads of the organization's shared relationships that meet `cond` (on `$2`,
    /// bound to `value`) and `assigned`, in `order` (then by id); for its owners, admins
    /// and agents only.
    #[allow(clippy::too_many_arguments)]
    async fn inbox_rows(
        &self,
        actor: &str,
        org_id: &str,
        cond: &str,
        value: &str,
        assigned: Assigned<'_>,
        order: &str,
        window: Window,
    ) -> Result<crate::Page<InboxRow>> {
        self.require_vendor_member(actor, org_id).await?;
        let rows = sqlx::query_as(&format!(
            "SELECT {INBOX_COLS} FROM {INBOX_FROM} \
             WHERE r.org_id = $1 AND r.shared_at IS NOT NULL AND {cond} AND {ASSIGNED_SQL} \
             AND EXISTS (SELECT 1 FROM memberships m WHERE m.org_id = $1 AND m.user_id = $4 AND m.role IN {VENDOR_ROLES}) \
             ORDER BY {order}, t.id LIMIT {} OFFSET {}",
            crate::sql::limit(window.limit + 1),
            window.offset.max(0)
        ))
        .bind(org_id)
        .bind(value)
        .bind(assigned.bind_value())
        .bind(actor)
        .fetch_all(&self.pool)
        .await?;
        Ok(window.page(rows))
    }
}

#[cfg(test)]
mod tests {
    use crate::test_chain::Chain;
    use slingshot_domain::ledger::EntryKind;

    /// The thread's (last_customer_at, last_vendor_at).
    async fn turns(s: &crate::Store, thread: &str) -> (Option<i64>, Option<i64>) {
        sqlx::query_as("SELECT last_customer_at, last_vendor_at FROM threads WHERE id = $1")
            .bind(thread)
            .fetch_one(&s.pool)
            .await
            .unwrap()
    }

    crate::dual_test!(
        whose_turn_is_the_latest_message_of_each_side_stored_or_migrated,
        |db: crate::testing::TestDb| async move {
            let s = &db.store;
            let c = Chain::new(s).await;
            let now = crate::now_us();
            let at = |e: crate::NewEntry, us: i64| crate::NewEntry { at_us: us, ..e };
            let asked = at(c.message("Where is my parcel?", None), now - 3_000);
            let mut bought = at(c.message("Bought a lamp", None), now - 9_000_000);
            bought.kind = EntryKind::Event;
            let mut answer = at(c.message("It ships today", Some("mail-1")), now - 2_000);
            answer.body =
                serde_json::json!({"text": "It ships today", "mail": {"direction": "received"}});
            let mut note = at(c.message("call them", None), now - 1_000);
            note.kind = EntryKind::Note;
            // Stored in an order other than their times: the latest counts, not the last.
            for e in [answer, asked, bought, note] {
                s.append_entries(&[e], &c.keys).await.unwrap();
            }
            let stored = turns(s, &c.thread).await;
            assert_eq!(stored, (Some(now - 3_000), Some(now - 2_000)));
            // The migration that recomputes them from the entries agrees.
            sqlx::query("UPDATE threads SET last_customer_at = NULL, last_vendor_at = NULL")
                .execute(&s.pool)
                .await
                .unwrap();
            sqlx::raw_sql(include_str!("../migrations/0012_whose_turn.sql"))
                .execute(&s.pool)
                .await
                .unwrap();
            assert_eq!(turns(s, &c.thread).await, stored);
        }
    );
}
