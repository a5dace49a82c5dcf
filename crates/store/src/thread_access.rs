//! Who may write in a thread, checked for many appends at once: the ledger's group
//! writer resolves a whole group with two queries instead of one per entry (on SQLite,
//! on the ledger's own read connection).

use crate::relationships::VENDOR_ROLES;
use crate::{Result, Store};
use slingshot_domain::ledger::Side;
use std::collections::{HashMap, HashSet};

/// The side an actor writes for in a relationship: its person writes as the customer;
/// once the relationship is shared with an organization, that organization's owners,
/// admins and agents write as the vendor. Anyone else may not write (`None`).
pub(crate) fn side_of(
    actor: &str,
    person_id: &str,
    shared_with_org: bool,
    member: bool,
) -> Option<Side> {
    if actor == person_id {
        Some(Side::Customer)
    } else if shared_with_org && member {
        Some(Side::Vendor)
    } else {
        None
    }
}

/// What an append needs to know about its thread, once access is checked.
#[derive(Debug, Clone)]
pub struct ThreadAccess {
    /// The thread.
    pub thread_id: String,
    /// Its relationship.
    pub relationship_id: String,
    /// The relationship's person.
    pub person_id: String,
    /// The organization, when the relationship is shared with one.
    pub org_id: Option<String>,
    /// The side the actor writes for.
    pub side: Side,
}

#[derive(sqlx::FromRow)]
struct Row {
    thread_id: String,
    relationship_id: String,
    person_id: String,
    org_id: Option<String>,
    shared_at: Option<i64>,
}

impl Store {
    /// For each `(actor, thread id)`, the actor's access to the thread, or `None` where
    /// the thread does not exist or the actor may not write in it.
    pub async fn thread_access_many(
        &self,
        asks: &[(&str, &str)],
    ) -> Result<Vec<Option<ThreadAccess>>> {
        let mut thread_ids: Vec<&str> = asks.iter().map(|(_, t)| *t).collect();
        thread_ids.sort_unstable();
        thread_ids.dedup();
        let mut threads: HashMap<String, Row> = HashMap::new();
        for chunk in thread_ids.chunks(500) {
            let sql = format!(
                "SELECT t.id AS thread_id, r.id AS relationship_id, r.person_id, r.org_id, r.shared_at \
                 FROM threads t JOIN relationships r ON r.id = t.relationship_id WHERE t.id IN ({})",
                crate::sql::list(self.backend(), chunk.len())
            );
            let rows = self
                .writer_read(&sql, chunk, |r| {
                    Ok(Row {
                        thread_id: r.get(0)?,
                        relationship_id: r.get(1)?,
                        person_id: r.get(2)?,
                        org_id: r.get(3)?,
                        shared_at: r.get(4)?,
                    })
                })
                .await?;
            for row in rows {
                threads.insert(row.thread_id.clone(), row);
            }
        }
        // Memberships only for actors writing in someone else's shared relationship.
        let mut members: Vec<&str> = asks
            .iter()
            .filter(|(actor, t)| {
                threads
                    .get(*t)
                    .is_some_and(|r| r.person_id != *actor && r.org_id.is_some())
            })
            .map(|(actor, _)| *actor)
            .collect();
        members.sort_unstable();
        members.dedup();
        let mut member_of: HashSet<(String, String)> = HashSet::new();
        for chunk in members.chunks(500) {
            let sql = format!(
                "SELECT user_id, org_id FROM memberships WHERE role IN {VENDOR_ROLES} AND user_id IN ({})",
                crate::sql::list(self.backend(), chunk.len())
            );
            let rows: Vec<(String, String)> = self
                .writer_read(&sql, chunk, |r| Ok((r.get(0)?, r.get(1)?)))
                .await?;
            member_of.extend(rows);
        }
        Ok(asks
            .iter()
            .map(|(actor, t)| {
                let r = threads.get(*t)?;
                let shared = r.org_id.is_some() && r.shared_at.is_some();
                let member = r
                    .org_id
                    .as_ref()
                    .is_some_and(|o| member_of.contains(&((*actor).to_owned(), o.clone())));
                let side = side_of(actor, &r.person_id, shared, member)?;
                Some(ThreadAccess {
                    thread_id: r.thread_id.clone(),
                    relationship_id: r.relationship_id.clone(),
                    person_id: r.person_id.clone(),
                    org_id: r.org_id.clone().filter(|_| shared),
                    side,
                })
            })
            .collect())
    }
}
