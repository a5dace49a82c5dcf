//! One upload of a person's mail, written whole or not at all: the relationships and
//! threads it starts and every message, chained and signed, in one transaction. A
//! failure part-way leaves nothing behind, and two uploads of one person never store a
//! message twice or duplicate a new vendor.
//!
//! An import is planned and signed outside the writer's turn ([`Store::plan_import`]),
//! from a snapshot of the person's relationships; in its turn it checks that none of
//! them moved meanwhile and only then writes. If one did (the person appended, or
//! another upload landed first), [`ImportBatch::commit`] refuses with
//! [`IMPORT_MOVED`] and writes nothing; the caller plans again, and may then hold the
//! turn from the start ([`Store::begin_import`]), so the retry cannot be refused the
//! same way.

use crate::append::{tip_of, write_group, ChainTips, PreparedGroup};
use crate::entries::{EntryRow, NewEntry, PERSON_SOURCE_REFS_SQL};
use crate::mail_messages::{self, MailThreadRef};
use crate::relationships::{insert_relationship, new_relationship, person_relationships_sql};
use crate::threads::{insert_customer_threads, new_thread};
use crate::write_turn::WriteTx;
use crate::{Backend, NewRelationship, NewThread, Relationship, Result, Store, StoreError, Thread};
use slingshot_domain::ledger::{Side, SigningKey};
use std::collections::{HashMap, HashSet};

/// The message of the [`StoreError::Conflict`] refusing an import planned from
/// relationships that moved before it could be stored.
pub const IMPORT_MOVED: &str = "the person's relationships moved during the import; retry";

/// An import in progress (see the module docs); dropped without [`ImportBatch::commit`],
/// it writes nothing.
pub struct ImportBatch {
    store: Store,
    /// Held from the start ([`Store::begin_import`]); `None` while planning outside the
    /// writer's turn ([`Store::plan_import`]).
    tx: Option<WriteTx>,
    person: String,
    keys: HashMap<String, SigningKey>,
    /// The person's relationships when the import began.
    seen: Vec<Relationship>,
    tips: ChainTips,
    group: PreparedGroup,
    /// New relationships, stored at commit.
    relationships: Vec<Relationship>,
    /// New threads and their tags, stored at commit, before the entries.
    threads: Vec<(Thread, Vec<String>)>,
    /// (person, Message-ID, thread, entry) of the mail pushed, stored at commit.
    mail_ids: Vec<(String, String, String, String)>,
    /// The Message-IDs in `mail_ids`.
    mail_ids_seen: HashSet<String>,
}

/// What must not have moved between planning an import and storing it: every column a
/// plan depends on (vendor matching, two-sidedness, chain heads).
fn same_state(a: &[Relationship], b: &[Relationship]) -> bool {
    let key = |r: &Relationship| {
        (
            r.id.clone(),
            r.vendor_domain.clone(),
            r.org_id.clone(),
            r.shared_at,
            r.head_seq,
            r.head_hash.clone(),
        )
    };
    let mut a: Vec<_> = a.iter().map(key).collect();
    let mut b: Vec<_> = b.iter().map(key).collect();
    a.sort();
    b.sort();
    a == b
}

impl Store {
    /// Plan an import for `person`, whose entries are signed with `keys` (by
    /// [`NewEntry::signer`]), without holding the writer's turn: reads see the database as
    /// it is, and [`ImportBatch::commit`] checks in its turn that the person's
    /// relationships did not move.
    pub async fn plan_import(
        &self,
        person: &str,
        keys: HashMap<String, SigningKey>,
    ) -> Result<ImportBatch> {
        let seen: Vec<Relationship> = sqlx::query_as(&person_relationships_sql())
            .bind(person)
            .fetch_all(&self.pool)
            .await?;
        let found: Option<String> = sqlx::query_scalar("SELECT id FROM users WHERE id = $1")
            .bind(person)
            .fetch_optional(&self.pool)
            .await?;
        found.ok_or(StoreError::NotFound)?;
        Ok(self.import_batch(None, person, keys, seen))
    }

    /// Begin an import for `person` holding the writer's turn (on PostgreSQL, the
    /// person's row) from the start, so nothing can move under it.
    pub async fn begin_import(
        &self,
        person: &str,
        keys: HashMap<String, SigningKey>,
    ) -> Result<ImportBatch> {
        let mut tx = self.begin_write().await?;
        lock_person(self.backend(), &mut tx, person).await?;
        let seen: Vec<Relationship> = sqlx::query_as(&person_relationships_sql())
            .bind(person)
            .fetch_all(&mut *tx)
            .await?;
        Ok(self.import_batch(Some(tx), person, keys, seen))
    }

    fn import_batch(
        &self,
        tx: Option<WriteTx>,
        person: &str,
        keys: HashMap<String, SigningKey>,
        seen: Vec<Relationship>,
    ) -> ImportBatch {
        ImportBatch {
            store: self.clone(),
            tx,
            person: person.to_owned(),
            keys,
            seen,
            tips: ChainTips::new(),
            group: PreparedGroup::default(),
            relationships: Vec::new(),
            threads: Vec::new(),
            mail_ids: Vec::new(),
            mail_ids_seen: HashSet::new(),
        }
    }
}

/// Check that `person` exists, and on PostgreSQL lock their row until the end, so that
/// imports of one person take turns (on SQLite every writer does).
async fn lock_person(backend: Backend, tx: &mut WriteTx, person: &str) -> Result<()> {
    let lock = match backend {
        Backend::Postgres => "SELECT id FROM users WHERE id = $1 FOR UPDATE",
        Backend::Sqlite => "SELECT id FROM users WHERE id = $1",
    };
    let found: Option<String> = sqlx::query_scalar(lock)
        .bind(person)
        .fetch_optional(&mut **tx)
        .await?;
    found.map(|_| ()).ok_or(StoreError::NotFound)
}

impl ImportBatch {
    /// The person's relationships, as this import sees them.
    pub fn relationships(&self) -> Vec<Relationship> {
        self.seen.clone()
    }

    /// The source references (imported mail digests) of the person's entries.
    pub async fn source_refs(&mut self) -> Result<HashSet<String>> {
        let q = sqlx::query_scalar(PERSON_SOURCE_REFS_SQL).bind(&self.person);
        let refs: Vec<String> = match &mut self.tx {
            Some(tx) => q.fetch_all(&mut **tx).await?,
            None => q.fetch_all(&self.store.pool).await?,
        };
        Ok(refs.into_iter().collect())
    }

    /// The conversations that messages with these Message-IDs went into, where the person
    /// imported any before.
    pub async fn threads_of_messages(&mut self, ids: &[String]) -> Result<Vec<MailThreadRef>> {
        self.rows_by_message_id(ids, mail_messages::lookup_sql)
            .await
    }

    /// The stored bodies of the person's imported mail with these Message-IDs.
    pub async fn mail_bodies(&mut self, ids: &[String]) -> Result<Vec<String>> {
        let rows: Vec<(String,)> = self
            .rows_by_message_id(ids, mail_messages::bodies_sql)
            .await?;
        Ok(rows.into_iter().map(|(body,)| body).collect())
    }

    /// Run `sql` (person, then a chunk of Message-IDs) over `ids` a chunk at a time.
    async fn rows_by_message_id<T>(
        &mut self,
        ids: &[String],
        sql: fn(Backend, usize) -> String,
    ) -> Result<Vec<T>>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
    {
        let backend = self.store.backend();
        let mut out = Vec::new();
        for chunk in ids.chunks(mail_messages::IDS_PER_QUERY) {
            let sql = sql(backend, chunk.len());
            let mut q = sqlx::query_as::<_, T>(&sql).bind(&self.person);
            for id in chunk {
                q = q.bind(id);
            }
            out.extend(match &mut self.tx {
                Some(tx) => q.fetch_all(&mut **tx).await?,
                None => q.fetch_all(&self.store.pool).await?,
            });
        }
        Ok(out)
    }

    /// Every conversation the person's imported mail went into (one row each, the most
    /// recently active first; `message_id` is one of its messages', `started_at` the time of
    /// its earliest).
    pub async fn mail_threads(&mut self) -> Result<Vec<MailThreadRef>> {
        let q = sqlx::query_as::<_, MailThreadRef>(
            "SELECT MIN(m.message_id) AS message_id, t.id AS thread_id, t.relationship_id, t.subject, \
             MIN(e.at) AS started_at \
             FROM mail_messages m JOIN threads t ON t.id = m.thread_id JOIN entries e ON e.id = m.entry_id \
             WHERE m.person_id = $1 \
             GROUP BY t.id, t.relationship_id, t.subject, t.last_activity_at \
             ORDER BY t.last_activity_at DESC, t.id",
        )
        .bind(&self.person);
        Ok(match &mut self.tx {
            Some(tx) => q.fetch_all(&mut **tx).await?,
            None => q.fetch_all(&self.store.pool).await?,
        })
    }

    /// Start a relationship with an off-platform vendor (stored at commit).
    pub fn create_relationship(&mut self, new: &NewRelationship) -> Result<Relationship> {
        if new.org.is_some() {
            return Err(StoreError::Unsupported(
                "an import starts only off-platform relationships",
            ));
        }
        slingshot_domain::vendor::check_vendor(
            &new.vendor_name,
            false,
            &new.vendor_website,
            &new.vendor_domain,
            &new.notes,
        )?;
        let r = new_relationship(&self.person, new, None);
        self.tips.insert(r.id.clone(), None);
        self.relationships.push(r.clone());
        Ok(r)
    }

    /// Open a thread, on the customer's side, in one of the person's relationships
    /// (stored at commit).
    pub fn create_thread(&mut self, rel: &Relationship, new: &NewThread) -> Result<Thread> {
        if rel.person_id != self.person {
            return Err(StoreError::NotFound);
        }
        let t = new_thread(&rel.id, Side::Customer, new);
        self.threads.push((t.clone(), new.tags.clone()));
        Ok(t)
    }

    /// Chain `entry` onto its relationship (one of the person's) after what came before;
    /// it is signed when the import commits.
    pub fn push(&mut self, entry: NewEntry) -> Result<()> {
        if entry.person_id != self.person {
            return Err(StoreError::NotFound);
        }
        if !self.tips.contains_key(&entry.relationship_id) {
            let r = self
                .seen
                .iter()
                .find(|r| r.id == entry.relationship_id)
                .ok_or(StoreError::NotFound)?;
            let tip = tip_of(&r.id, r.head_seq, &r.head_hash)?;
            self.tips.insert(r.id.clone(), tip);
        }
        self.group.push_unsigned(entry, &self.keys, &mut self.tips)
    }

    /// [`ImportBatch::push`] a message that has this Message-ID, and remember which
    /// conversation it went into (the first one, if the id comes again).
    pub fn push_mail(&mut self, entry: NewEntry, message_id: Option<&str>) -> Result<()> {
        let thread = entry.thread_id.clone();
        self.push(entry)?;
        if let (Some(id), Some(p)) = (message_id, self.group.entries.last()) {
            if self.mail_ids_seen.insert(id.to_owned()) {
                let row = (self.person.clone(), id.to_owned(), thread, p.id.clone());
                self.mail_ids.push(row);
            }
        }
        Ok(())
    }

    /// How many entries are pushed.
    pub fn len(&self) -> usize {
        self.group.len()
    }

    /// Whether no entry is pushed.
    pub fn is_empty(&self) -> bool {
        self.group.is_empty()
    }

    /// Sign every entry (on all cores, before taking the writer's turn), then in one
    /// transaction check that nothing moved, store everything and commit: all or nothing.
    /// The stored entries, in the order pushed, with the entries themselves.
    pub async fn commit(mut self) -> Result<Vec<(NewEntry, EntryRow)>> {
        let started = std::time::Instant::now();
        self.group.sign_pending(&self.keys)?;
        let signed = started.elapsed();
        let backend = self.store.backend();
        let mut tx = match self.tx.take() {
            Some(tx) => tx,
            None => {
                let mut tx = self.store.begin_write().await?;
                lock_person(backend, &mut tx, &self.person).await?;
                let now: Vec<Relationship> = sqlx::query_as(&person_relationships_sql())
                    .bind(&self.person)
                    .fetch_all(&mut *tx)
                    .await?;
                if !same_state(&self.seen, &now) {
                    return Err(StoreError::Conflict(IMPORT_MOVED));
                }
                tx
            }
        };
        let turn = started.elapsed();
        for r in &self.relationships {
            insert_relationship(&mut tx, r).await?;
        }
        insert_customer_threads(backend, &mut tx, &self.threads).await?;
        write_group(backend, &mut tx, &self.group).await?;
        mail_messages::insert(backend, &mut tx, &self.mail_ids).await?;
        let written = started.elapsed();
        tx.commit().await?;
        tracing::info!(
            entries = self.group.len(),
            sign_ms = signed.as_millis(),
            turn_wait_ms = (turn - signed).as_millis(),
            write_ms = (written - turn).as_millis(),
            commit_ms = (started.elapsed() - written).as_millis(),
            "import stored"
        );
        let rows = self.group.rows();
        Ok(self.group.into_entries().into_iter().zip(rows).collect())
    }
}

#[cfg(test)]
mod tests {
    use crate::test_chain::{plain_user, Chain};
    use crate::{NewEntry, NewRelationship, NewThread, Store, StoreError};
    use slingshot_domain::conversation::Stage;

    fn shop() -> NewRelationship {
        NewRelationship {
            vendor_name: "shop.example".into(),
            vendor_domain: "shop.example".into(),
            ..Default::default()
        }
    }

    fn mail_thread() -> NewThread {
        NewThread {
            subject: "Your order".into(),
            stage: Stage::Other,
            tags: vec!["email".into()],
            follow_up_on: None,
        }
    }

    /// `c`'s message moved to another relationship and thread.
    fn moved(mut e: NewEntry, rel: &str, thread: &str) -> NewEntry {
        e.relationship_id = rel.to_owned();
        e.thread_id = thread.to_owned();
        e
    }

    async fn seq_of(s: &Store, rel: &str) -> u64 {
        s.chain_tips(&[rel]).await.unwrap()[rel]
            .as_ref()
            .map_or(0, |t| t.sequence)
    }

    crate::dual_test!(
        an_import_is_stored_whole,
        |db: crate::testing::TestDb| async move {
            let s = &db.store;
            let c = Chain::new(s).await;
            s.append_entries(&[c.message("before", None)], &c.keys)
                .await
                .unwrap();
            let mut batch = s.begin_import(&c.person, c.keys.clone()).await.unwrap();
            assert_eq!(batch.relationships().len(), 1);
            let rel = batch.create_relationship(&shop()).unwrap();
            let t = batch.create_thread(&rel, &mail_thread()).unwrap();
            for (i, text) in ["shipped", "delivered", "refund"].into_iter().enumerate() {
                let e = c.message(text, Some(&format!("mail-{i}")));
                batch.push(moved(e, &rel.id, &t.id)).unwrap();
            }
            batch.push(c.message("old vendor", Some("mail-9"))).unwrap();
            assert_eq!(batch.len(), 4);
            let stored = batch.commit().await.unwrap();
            let seqs: Vec<_> = stored.iter().map(|(_, r)| r.seq).collect();
            assert_eq!(seqs, [Some(1), Some(2), Some(3), Some(2)]);
            assert_eq!((seq_of(s, &rel.id).await, seq_of(s, &c.rel).await), (3, 2));
            assert_eq!(s.relationships_of(&c.person).await.unwrap().len(), 2);
            assert_eq!(s.source_refs_of(&c.person).await.unwrap().len(), 4);
            // The writer's next append chains on where the import left off.
            let next = s
                .append_entries(&[c.message("after", None)], &c.keys)
                .await
                .unwrap();
            assert_eq!(next[0].seq, Some(3));
        }
    );

    crate::dual_test!(
        a_failed_import_leaves_nothing,
        |db: crate::testing::TestDb| async move {
            let s = &db.store;
            let c = Chain::new(s).await;
            let other = Chain::new_named(s, "mallory").await;
            s.append_entries(&[c.message("kept", Some("mail-0"))], &c.keys)
                .await
                .unwrap();
            // Someone else's relationship is not there to push to.
            let mut batch = s.begin_import(&c.person, c.keys.clone()).await.unwrap();
            let mut theirs = other.message("x", None);
            theirs.person_id = c.person.clone();
            assert!(matches!(batch.push(theirs), Err(StoreError::NotFound)));
            drop(batch);
            // A message already stored fails the whole import, new vendor and all.
            let mut batch = s.begin_import(&c.person, c.keys.clone()).await.unwrap();
            let rel = batch.create_relationship(&shop()).unwrap();
            let t = batch.create_thread(&rel, &mail_thread()).unwrap();
            let fresh = c.message("new", Some("mail-1"));
            batch.push(moved(fresh, &rel.id, &t.id)).unwrap();
            batch.push(c.message("again", Some("mail-0"))).unwrap();
            assert!(matches!(batch.commit().await, Err(StoreError::Conflict(_))));
            let rels = s.relationships_of(&c.person).await.unwrap();
            assert_eq!(rels.len(), 1, "the new vendor is gone with the rest");
            assert_eq!(s.threads_in(&c.person, &c.rel).await.unwrap().len(), 1);
            assert_eq!(seq_of(s, &c.rel).await, 1);
            assert_eq!(s.source_refs_of(&c.person).await.unwrap().len(), 1);
            // An unknown person cannot import at all.
            assert!(matches!(
                s.begin_import("no-such-person", c.keys.clone()).await,
                Err(StoreError::NotFound)
            ));
        }
    );

    crate::dual_test!(
        a_planned_import_is_refused_when_anything_moved,
        |db: crate::testing::TestDb| async move {
            let s = &db.store;
            let c = Chain::new(s).await;
            // Planning holds no writer's turn: another person's append goes through.
            let other = Chain::new_named(s, "olga").await;
            let mut batch = s.plan_import(&c.person, c.keys.clone()).await.unwrap();
            batch.push(c.message("from mail", Some("mail-0"))).unwrap();
            let appended = tokio::time::timeout(
                std::time::Duration::from_secs(2),
                s.append_entries(&[other.message("meanwhile", None)], &other.keys),
            )
            .await;
            assert!(matches!(appended, Ok(Ok(_))), "{appended:?}");
            // The person's own append moves the chain the plan was made on: refused.
            s.append_entries(&[c.message("typed by hand", None)], &c.keys)
                .await
                .unwrap();
            let refused = batch.commit().await;
            assert!(
                matches!(refused, Err(StoreError::Conflict(crate::IMPORT_MOVED))),
                "{refused:?}"
            );
            assert_eq!(seq_of(s, &c.rel).await, 1);
            assert!(s.source_refs_of(&c.person).await.unwrap().is_empty());

            // Two plans that start the same new vendor: the first to commit wins, the
            // other is refused rather than making a second one.
            let mut a = s.plan_import(&c.person, c.keys.clone()).await.unwrap();
            let mut b = s.plan_import(&c.person, c.keys.clone()).await.unwrap();
            for (batch, text) in [(&mut a, "a"), (&mut b, "b")] {
                let rel = batch.create_relationship(&shop()).unwrap();
                let t = batch.create_thread(&rel, &mail_thread()).unwrap();
                let e = c.message(text, Some("mail-1"));
                batch.push(moved(e, &rel.id, &t.id)).unwrap();
            }
            b.commit().await.unwrap();
            assert!(matches!(
                a.commit().await,
                Err(StoreError::Conflict(crate::IMPORT_MOVED))
            ));
            let rels = s.relationships_of(&c.person).await.unwrap();
            assert_eq!(rels.len(), 2, "one new vendor");
            assert_eq!(s.source_refs_of(&c.person).await.unwrap().len(), 1);
            // A plan nothing moved under is stored, after what came before.
            let mut batch = s.plan_import(&c.person, c.keys.clone()).await.unwrap();
            batch.push(c.message("later mail", Some("mail-2"))).unwrap();
            let stored = batch.commit().await.unwrap();
            assert_eq!(stored[0].1.seq, Some(2));
            assert!(matches!(
                s.plan_import("no-such-person", c.keys.clone()).await,
                Err(StoreError::NotFound)
            ));
        }
    );

    crate::dual_test!(
        imports_of_one_person_take_turns,
        |db: crate::testing::TestDb| async move {
            let s = db.store.clone();
            let u = plain_user(&s, "walter").await;
            let keys = std::collections::HashMap::new();
            let mut first = s.begin_import(&u.id, keys.clone()).await.unwrap();
            first.create_relationship(&shop()).unwrap();
            let (s2, person, k2) = (s.clone(), u.id.clone(), keys.clone());
            let second = tokio::spawn(async move {
                let batch = s2.begin_import(&person, k2).await.unwrap();
                batch.relationships().len()
            });
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            assert!(
                !second.is_finished(),
                "the second import waits for the first"
            );
            first.commit().await.unwrap();
            assert_eq!(second.await.unwrap(), 1, "and then sees its new vendor");
        }
    );
}

#[cfg(test)]
mod search_tests {
    use crate::test_chain::Chain;

    // Mail often shares one `Date`: 250 messages of one instant in each of two imports
    // (the second's keys collide with the first's rows, so it probes row by row) are all
    // found, each under its own search row.
    crate::dual_test!(
        messages_of_one_instant_are_all_found,
        |db: crate::testing::TestDb| async move {
            let s = &db.store;
            let c = Chain::new(s).await;
            let at = crate::parse_rfc3339_us("2025-03-03T09:15:00Z").unwrap();
            for round in 0..2 {
                let mut batch = s.begin_import(&c.person, c.keys.clone()).await.unwrap();
                for i in 0..250 {
                    let mut e = c.message(
                        &format!("parcel r{round}n{i}z"),
                        Some(&format!("m{round}-{i}")),
                    );
                    e.at_us = at;
                    batch.push(e).unwrap();
                }
                batch.commit().await.unwrap();
            }
            let hits = s.search_person(&c.person, "parcel", 1000).await.unwrap();
            assert_eq!(hits.len(), 500);
            let one = s.search_person(&c.person, "r1n7z", 10).await.unwrap();
            assert_eq!(one.len(), 1);
        }
    );
}
