//! Conversations (threads) in a relationship: open, update, tag, link, follow up; the
//! person's due list (the organization's inbox is in `inbox.rs`).

use crate::relationships::{Relationship, VENDOR_ROLES};
use crate::write_turn::WriteTx;
use crate::{new_id, now_us, Result, Store, StoreError};
use slingshot_domain::conversation::{link_makes_cycle, LinkKind, Stage, Status};
use slingshot_domain::ledger::Side;
use slingshot_domain::DomainError;

/// A conversation.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Thread {
    /// UUIDv7.
    pub id: String,
    /// Its relationship.
    pub relationship_id: String,
    /// Subject.
    pub subject: String,
    /// Stage's stable name.
    pub stage: String,
    /// Status's stable name.
    pub status: String,
    /// `customer` or `vendor`.
    pub opened_by: String,
    /// The organization's member handling it.
    pub assignee_id: Option<String>,
    /// The viewing side's own follow-up date, YYYY-MM-DD (each side keeps its own).
    pub follow_up_on: Option<String>,
    /// When the customer last wrote.
    pub last_customer_at: Option<i64>,
    /// Last entry or change.
    pub last_activity_at: i64,
    /// Microseconds since the epoch.
    pub created_at: i64,
}

/// A new conversation.
#[derive(Debug, Clone)]
pub struct NewThread {
    /// Subject (checked by the domain).
    pub subject: String,
    /// Stage.
    pub stage: Stage,
    /// Tags (normalised by the domain).
    pub tags: Vec<String>,
    /// The opening side's follow-up date.
    pub follow_up_on: Option<String>,
}

/// Changes to a conversation; `None` leaves a field alone.
#[derive(Debug, Clone, Default)]
pub struct ThreadChange {
    /// New stage.
    pub stage: Option<Stage>,
    /// New status.
    pub status: Option<Status>,
    /// New subject.
    pub subject: Option<String>,
    /// Replace the tags.
    pub tags: Option<Vec<String>>,
    /// Set (`Some(Some(d))`) or clear (`Some(None)`) the acting side's follow-up date.
    pub follow_up_on: Option<Option<String>>,
    /// Assign (`Some(Some(user))`) or unassign; vendor side only.
    pub assignee: Option<Option<String>>,
}

/// A link between two threads.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ThreadLink {
    /// Source thread.
    pub from_thread: String,
    /// Target thread.
    pub to_thread: String,
    /// Kind's stable name.
    pub kind: String,
}

/// The columns of a [`Thread`] as `side` sees it (its own follow-up date).
pub(crate) fn thread_cols(side: Side) -> String {
    format!(
        "t.id, t.relationship_id, t.subject, t.stage, t.status, t.opened_by, t.assignee_id, \
         t.{side}_follow_up_on AS follow_up_on, t.last_customer_at, t.last_activity_at, t.created_at",
        side = side.as_str()
    )
}

impl Store {
    /// Open a conversation in a relationship the actor is party to.
    pub async fn create_thread(
        &self,
        actor: &str,
        relationship_id: &str,
        new: &NewThread,
    ) -> Result<Thread> {
        let (rel, side) = self.relationship_for(actor, relationship_id).await?;
        let t = new_thread(&rel.id, side, new);
        let mut tx = self.begin_write().await?;
        insert_thread(&mut tx, &t, &new.tags).await?;
        tx.commit().await?;
        Ok(t)
    }

    /// A thread, its relationship, and the actor's side; `NotFound` for outsiders.
    pub async fn thread_for(
        &self,
        actor: &str,
        thread_id: &str,
    ) -> Result<(Thread, Relationship, Side)> {
        // One round trip: the thread, its relationship, and whether the actor acts for
        // the organization.
        let row: Option<ThreadAccessRow> = sqlx::query_as(&format!(
            "SELECT {ACCESS_THREAD_COLS}, {ACCESS_REL_COLS}, \
             (SELECT COUNT(*) FROM memberships m WHERE m.org_id = r.org_id AND m.user_id = $2 AND m.role IN {VENDOR_ROLES}) AS vendor_member \
             FROM threads t JOIN relationships r ON r.id = t.relationship_id WHERE t.id = $1"
        ))
        .bind(thread_id)
        .bind(actor)
        .fetch_optional(&self.pool)
        .await?;
        let a = row.ok_or(StoreError::NotFound)?;
        let shared = a.org_id.is_some() && a.shared_at.is_some();
        let side = crate::thread_access::side_of(actor, &a.person_id, shared, a.vendor_member > 0)
            .ok_or(StoreError::NotFound)?;
        let t = Thread {
            id: a.t_id,
            relationship_id: a.relationship_id,
            subject: a.subject,
            stage: a.stage,
            status: a.status,
            opened_by: a.opened_by,
            assignee_id: a.assignee_id,
            follow_up_on: match side {
                Side::Customer => a.customer_follow_up_on,
                Side::Vendor => a.vendor_follow_up_on,
            },
            last_customer_at: a.last_customer_at,
            last_activity_at: a.last_activity_at,
            created_at: a.t_created_at,
        };
        let rel = Relationship {
            id: a.r_id,
            person_id: a.person_id,
            org_id: a.org_id,
            vendor_name: a.vendor_name,
            vendor_website: a.vendor_website,
            vendor_domain: a.vendor_domain,
            notes: a.notes,
            pseudonym: a.pseudonym,
            shared_at: a.shared_at,
            head_seq: a.head_seq,
            head_hash: a.head_hash,
            created_at: a.r_created_at,
        };
        Ok((t, rel, side))
    }

    /// Threads of a relationship, most recently active first.
    pub async fn threads_in(&self, actor: &str, relationship_id: &str) -> Result<Vec<Thread>> {
        let (_, side) = self.relationship_for(actor, relationship_id).await?;
        Ok(sqlx::query_as(&format!(
            "SELECT {} FROM threads t WHERE t.relationship_id = $1 ORDER BY t.last_activity_at DESC, t.id DESC",
            thread_cols(side)
        ))
        .bind(relationship_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// A thread's tags, sorted.
    pub async fn thread_tags(&self, thread_id: &str) -> Result<Vec<String>> {
        Ok(
            sqlx::query_scalar("SELECT tag FROM thread_tags WHERE thread_id = $1 ORDER BY tag")
                .bind(thread_id)
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// Links from and to a thread.
    pub async fn thread_links(&self, thread_id: &str) -> Result<Vec<ThreadLink>> {
        Ok(sqlx::query_as("SELECT from_thread, to_thread, kind FROM thread_links WHERE from_thread = $1 OR to_thread = $1 ORDER BY created_at")
            .bind(thread_id)
            .fetch_all(&self.pool)
            .await?)
    }

    /// Change a thread. Assignment is for the vendor side, to a member who acts for it.
    pub async fn update_thread(
        &self,
        actor: &str,
        thread_id: &str,
        c: &ThreadChange,
    ) -> Result<Thread> {
        let (t, rel, side) = self.thread_for(actor, thread_id).await?;
        if let Some(Some(assignee)) = &c.assignee {
            let org = rel
                .org_id
                .as_deref()
                .ok_or(StoreError::Domain(DomainError::NotAllowed))?;
            if side != Side::Vendor {
                return Err(StoreError::Domain(DomainError::NotAllowed));
            }
            self.require_vendor_member(assignee, org)
                .await
                .map_err(|_| {
                    StoreError::Domain(DomainError::UnknownValue {
                        kind: "assignee",
                        value: assignee.clone(),
                        expected: "a member who answers conversations",
                    })
                })?;
        }
        let mut tx = self.begin_write().await?;
        let now = now_us();
        sqlx::query(
            "UPDATE threads SET stage = COALESCE($1, stage), status = COALESCE($2, status), subject = COALESCE($3, subject), \
             last_activity_at = $4 WHERE id = $5",
        )
        .bind(c.stage.map(|s| s.as_str()))
        .bind(c.status.map(|s| s.as_str()))
        .bind(c.subject.as_deref())
        .bind(now)
        .bind(&t.id)
        .execute(&mut *tx)
        .await?;
        if let Some(f) = &c.follow_up_on {
            sqlx::query(&format!(
                "UPDATE threads SET {}_follow_up_on = $1 WHERE id = $2",
                side.as_str()
            ))
            .bind(f.as_deref())
            .bind(&t.id)
            .execute(&mut *tx)
            .await?;
        }
        if let Some(a) = &c.assignee {
            if side != Side::Vendor {
                return Err(StoreError::Domain(DomainError::NotAllowed));
            }
            sqlx::query("UPDATE threads SET assignee_id = $1 WHERE id = $2")
                .bind(a.as_deref())
                .bind(&t.id)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(tags) = &c.tags {
            sqlx::query("DELETE FROM thread_tags WHERE thread_id = $1")
                .bind(&t.id)
                .execute(&mut *tx)
                .await?;
            for tag in tags {
                sqlx::query("INSERT INTO thread_tags (thread_id, tag) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                    .bind(&t.id)
                    .bind(tag)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(self.thread_for(actor, thread_id).await?.0)
    }

    /// Link two threads of the same relationship; ancestry links may not form a cycle.
    pub async fn link_threads(
        &self,
        actor: &str,
        from: &str,
        to: &str,
        kind: LinkKind,
    ) -> Result<()> {
        let a = self.link_ends(actor, from, to).await?;
        let mut tx = self.begin_write().await?;
        // Serialise link changes of this relationship.
        sqlx::query("UPDATE relationships SET head_seq = head_seq WHERE id = $1")
            .bind(&a.relationship_id)
            .execute(&mut *tx)
            .await?;
        if kind.is_ancestry() || from == to {
            let edges: Vec<(String, String)> = sqlx::query_as(
                "SELECT l.from_thread, l.to_thread FROM thread_links l JOIN threads t ON t.id = l.from_thread \
                 WHERE t.relationship_id = $1 AND l.kind IN ('follows_from', 'duplicate_of')",
            )
            .bind(&a.relationship_id)
            .fetch_all(&mut *tx)
            .await?;
            let anc = |t: &str| {
                edges
                    .iter()
                    .filter(|(f, _)| f == t)
                    .map(|(_, to)| to.clone())
                    .collect()
            };
            if link_makes_cycle(from, to, anc) {
                return Err(StoreError::Domain(DomainError::UnknownValue {
                    kind: "link",
                    value: format!("{} → {}", kind.as_str(), to),
                    expected: "a thread that is not this thread or one that follows from it (a thread cannot be its own ancestor)",
                }));
            }
        }
        sqlx::query("INSERT INTO thread_links (from_thread, to_thread, kind, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
            .bind(from)
            .bind(to)
            .bind(kind.as_str())
            .bind(now_us())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The thread `from`, when the actor is party to it and to `to`, of the same
    /// relationship (anything else is not found).
    async fn link_ends(&self, actor: &str, from: &str, to: &str) -> Result<Thread> {
        let (a, _, _) = self.thread_for(actor, from).await?;
        let (b, _, _) = self.thread_for(actor, to).await?;
        if a.relationship_id != b.relationship_id {
            return Err(StoreError::NotFound);
        }
        Ok(a)
    }

    /// Remove the link `from` → `to` of `kind` (a party to both threads may); a link that
    /// is not there is not found.
    pub async fn unlink_threads(
        &self,
        actor: &str,
        from: &str,
        to: &str,
        kind: LinkKind,
    ) -> Result<()> {
        self.link_ends(actor, from, to).await?;
        let removed = sqlx::query(
            "DELETE FROM thread_links WHERE from_thread = $1 AND to_thread = $2 AND kind = $3",
        )
        .bind(from)
        .bind(to)
        .bind(kind.as_str())
        .execute(&self.pool)
        .await?
        .rows_affected();
        if removed == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// The person's follow-ups due on or before `date` (YYYY-MM-DD), soonest first.
    pub async fn due_for_person(&self, person: &str, date: &str) -> Result<Vec<Thread>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {} FROM threads t JOIN relationships r ON r.id = t.relationship_id \
             WHERE r.person_id = $1 AND t.customer_follow_up_on <= $2 \
             AND t.status NOT IN ('resolved', 'closed') ORDER BY t.customer_follow_up_on, t.id",
            thread_cols(Side::Customer)
        ))
        .bind(person)
        .bind(date)
        .fetch_all(&self.pool)
        .await?)
    }
}

/// The thread, relationship and membership columns of [`Store::thread_for`]'s one query.
const ACCESS_THREAD_COLS: &str = "t.id AS t_id, t.relationship_id, t.subject, t.stage, t.status, t.opened_by, t.assignee_id, \
     t.customer_follow_up_on, t.vendor_follow_up_on, t.last_customer_at, t.last_activity_at, t.created_at AS t_created_at";
const ACCESS_REL_COLS: &str = "r.id AS r_id, r.person_id, r.org_id, r.vendor_name, r.vendor_website, r.vendor_domain, r.notes, \
     r.pseudonym, r.shared_at, r.head_seq, r.head_hash, r.created_at AS r_created_at";

#[derive(sqlx::FromRow)]
struct ThreadAccessRow {
    t_id: String,
    relationship_id: String,
    subject: String,
    stage: String,
    status: String,
    opened_by: String,
    assignee_id: Option<String>,
    customer_follow_up_on: Option<String>,
    vendor_follow_up_on: Option<String>,
    last_customer_at: Option<i64>,
    last_activity_at: i64,
    t_created_at: i64,
    r_id: String,
    person_id: String,
    org_id: Option<String>,
    vendor_name: String,
    vendor_website: String,
    vendor_domain: String,
    notes: String,
    pseudonym: String,
    shared_at: Option<i64>,
    head_seq: i64,
    head_hash: String,
    r_created_at: i64,
    vendor_member: i64,
}

/// A new thread of a relationship, opened by `side`.
pub(crate) fn new_thread(relationship_id: &str, side: Side, new: &NewThread) -> Thread {
    let now = now_us();
    Thread {
        id: new_id(),
        relationship_id: relationship_id.to_owned(),
        subject: new.subject.clone(),
        stage: new.stage.as_str().to_owned(),
        status: Status::Open.as_str().to_owned(),
        opened_by: side.as_str().to_owned(),
        assignee_id: None,
        follow_up_on: new.follow_up_on.clone(),
        last_customer_at: None,
        last_activity_at: now,
        created_at: now,
    }
}

/// Insert `t` and its tags inside `tx`.
pub(crate) async fn insert_thread(tx: &mut WriteTx, t: &Thread, tags: &[String]) -> Result<()> {
    // The follow-up date is the opening side's own.
    let follow_up = if t.opened_by == Side::Vendor.as_str() {
        "vendor_follow_up_on"
    } else {
        "customer_follow_up_on"
    };
    sqlx::query(&format!(
        "INSERT INTO threads (id, relationship_id, subject, stage, status, opened_by, {follow_up}, last_activity_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    ))
    .bind(&t.id)
    .bind(&t.relationship_id)
    .bind(&t.subject)
    .bind(&t.stage)
    .bind(&t.status)
    .bind(&t.opened_by)
    .bind(&t.follow_up_on)
    .bind(t.last_activity_at)
    .bind(t.created_at)
    .execute(&mut **tx)
    .await?;
    for tag in tags {
        sqlx::query(
            "INSERT INTO thread_tags (thread_id, tag) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(&t.id)
        .bind(tag)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Insert many new threads (each opened by the customer, as imports open them) and
/// their tags inside `tx`, a few hundred rows to a statement.
pub(crate) async fn insert_customer_threads(
    backend: crate::Backend,
    tx: &mut WriteTx,
    threads: &[(Thread, Vec<String>)],
) -> Result<()> {
    for chunk in threads.chunks(200) {
        let sql = format!(
            "INSERT INTO threads (id, relationship_id, subject, stage, status, opened_by, customer_follow_up_on, last_activity_at, created_at) VALUES {}",
            crate::sql::rows(backend, chunk.len(), 9)
        );
        let mut q = sqlx::query(&sql);
        for (t, _) in chunk {
            q = q
                .bind(&t.id)
                .bind(&t.relationship_id)
                .bind(&t.subject)
                .bind(&t.stage)
                .bind(&t.status)
                .bind(Side::Customer.as_str())
                .bind(&t.follow_up_on)
                .bind(t.last_activity_at)
                .bind(t.created_at);
        }
        q.execute(&mut **tx).await?;
        let tags: Vec<(&str, &str)> = chunk
            .iter()
            .flat_map(|(t, tags)| tags.iter().map(|g| (t.id.as_str(), g.as_str())))
            .collect();
        for tags in tags.chunks(400) {
            let sql = format!(
                "INSERT INTO thread_tags (thread_id, tag) VALUES {} ON CONFLICT DO NOTHING",
                crate::sql::rows(backend, tags.len(), 2)
            );
            let mut q = sqlx::query(&sql);
            for (id, tag) in tags {
                q = q.bind(*id).bind(*tag);
            }
            q.execute(&mut **tx).await?;
        }
    }
    Ok(())
}
