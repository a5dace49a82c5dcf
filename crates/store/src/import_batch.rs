//! One upload of a person's mail, written whole or not at all: the relationships and
//! threads it starts and every message, chained and signed, in one transaction. A
//! failure part-way leaves nothing behind, and two uploads of one person take turns
//! (the second sees what the first stored, so it neither duplicates a new vendor nor
//! stores a message twice).

use crate::append::{tip_of, write_group, ChainTips, PreparedGroup};
use crate::entries::{EntryRow, NewEntry, PERSON_SOURCE_REFS_SQL};
use crate::relationships::{insert_relationship, new_relationship, person_relationships_sql};
use crate::threads::{insert_customer_threads, new_thread};
use crate::write_turn::WriteTx;
use crate::{Backend, NewRelationship, NewThread, Relationship, Result, Store, StoreError, Thread};
use slingshot_domain::ledger::{Side, SigningKey};
use std::collections::{HashMap, HashSet};

/// An import in progress (see the module docs); dropped without [`ImportBatch::commit`],
/// it is rolled back.
pub struct ImportBatch {
    backend: Backend,
    tx: WriteTx,
    person: String,
    keys: HashMap<String, SigningKey>,
    tips: ChainTips,
    group: PreparedGroup,
    /// New threads and their tags, stored at commit, before the entries.
    threads: Vec<(Thread, Vec<String>)>,
}

impl Store {
    /// Begin an import for `person`, whose entries are signed with `keys` (by
    /// [`NewEntry::signer`]). On PostgreSQL the person's row is locked until the end,
    /// so imports of one person take turns; on SQLite every writer does.
    pub async fn begin_import(
        &self,
        person: &str,
        keys: HashMap<String, SigningKey>,
    ) -> Result<ImportBatch> {
        let mut tx = self.begin_write().await?;
        let lock = match self.backend() {
            Backend::Postgres => "SELECT id FROM users WHERE id = $1 FOR UPDATE",
            Backend::Sqlite => "SELECT id FROM users WHERE id = $1",
        };
        let found: Option<String> = sqlx::query_scalar(lock)
            .bind(person)
            .fetch_optional(&mut *tx)
            .await?;
        found.ok_or(StoreError::NotFound)?;
        Ok(ImportBatch {
            backend: self.backend(),
            tx,
            person: person.to_owned(),
            keys,
            tips: ChainTips::new(),
            group: PreparedGroup::default(),
            threads: Vec::new(),
        })
    }
}

impl ImportBatch {
    /// The person's relationships, as this import sees them.
    pub async fn relationships(&mut self) -> Result<Vec<Relationship>> {
        Ok(sqlx::query_as(&person_relationships_sql())
            .bind(&self.person)
            .fetch_all(&mut *self.tx)
            .await?)
    }

    /// The source references (imported mail digests) of the person's entries.
    pub async fn source_refs(&mut self) -> Result<HashSet<String>> {
        let refs: Vec<String> = sqlx::query_scalar(PERSON_SOURCE_REFS_SQL)
            .bind(&self.person)
            .fetch_all(&mut *self.tx)
            .await?;
        Ok(refs.into_iter().collect())
    }

    /// Start a relationship with an off-platform vendor.
    pub async fn create_relationship(&mut self, new: &NewRelationship) -> Result<Relationship> {
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
        insert_relationship(&mut self.tx, &r).await?;
        self.tips.insert(r.id.clone(), None);
        Ok(r)
    }

    /// Open a thread, on the customer's side, in one of the person's relationships.
    pub async fn create_thread(&mut self, rel: &Relationship, new: &NewThread) -> Result<Thread> {
        if rel.person_id != self.person {
            return Err(StoreError::NotFound);
        }
        let t = new_thread(&rel.id, Side::Customer, new);
        self.threads.push((t.clone(), new.tags.clone()));
        Ok(t)
    }

    /// Chain `entry` onto its relationship (one of the person's) after what came before;
    /// it is signed when the import commits.
    pub async fn push(&mut self, entry: NewEntry) -> Result<()> {
        if entry.person_id != self.person {
            return Err(StoreError::NotFound);
        }
        if !self.tips.contains_key(&entry.relationship_id) {
            let head: Option<(i64, String)> = sqlx::query_as(
                "SELECT head_seq, head_hash FROM relationships WHERE id = $1 AND person_id = $2",
            )
            .bind(&entry.relationship_id)
            .bind(&self.person)
            .fetch_optional(&mut *self.tx)
            .await?;
            let (seq, hash) = head.ok_or(StoreError::NotFound)?;
            let tip = tip_of(&entry.relationship_id, seq, &hash)?;
            self.tips.insert(entry.relationship_id.clone(), tip);
        }
        self.group.push_unsigned(entry, &self.keys, &mut self.tips)
    }

    /// How many entries are pushed.
    pub fn len(&self) -> usize {
        self.group.len()
    }

    /// Whether no entry is pushed.
    pub fn is_empty(&self) -> bool {
        self.group.is_empty()
    }

    /// Sign every entry (on all cores), store them and commit the import: all or nothing.
    /// The stored entries, in the order pushed, with the entries themselves.
    pub async fn commit(mut self) -> Result<Vec<(NewEntry, EntryRow)>> {
        self.group.sign_pending(&self.keys)?;
        insert_customer_threads(self.backend, &mut self.tx, &self.threads).await?;
        write_group(self.backend, &mut self.tx, &self.group).await?;
        self.tx.commit().await?;
        let rows = self.group.rows();
        Ok(self.group.into_entries().into_iter().zip(rows).collect())
    }
}

#[cfg(test)]
mod tests {
    use crate::ledger_sqlite::tests::{plain_user, Chain};
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
            assert_eq!(batch.relationships().await.unwrap().len(), 1);
            let rel = batch.create_relationship(&shop()).await.unwrap();
            let t = batch.create_thread(&rel, &mail_thread()).await.unwrap();
            for (i, text) in ["shipped", "delivered", "refund"].into_iter().enumerate() {
                let e = c.message(text, Some(&format!("mail-{i}")));
                batch.push(moved(e, &rel.id, &t.id)).await.unwrap();
            }
            batch
                .push(c.message("old vendor", Some("mail-9")))
                .await
                .unwrap();
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
            assert!(matches!(
                batch.push(theirs).await,
                Err(StoreError::NotFound)
            ));
            drop(batch);
            // A message already stored fails the whole import, new vendor and all.
            let mut batch = s.begin_import(&c.person, c.keys.clone()).await.unwrap();
            let rel = batch.create_relationship(&shop()).await.unwrap();
            let t = batch.create_thread(&rel, &mail_thread()).await.unwrap();
            let fresh = c.message("new", Some("mail-1"));
            batch.push(moved(fresh, &rel.id, &t.id)).await.unwrap();
            batch
                .push(c.message("again", Some("mail-0")))
                .await
                .unwrap();
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
        imports_of_one_person_take_turns,
        |db: crate::testing::TestDb| async move {
            let s = db.store.clone();
            let u = plain_user(&s, "walter").await;
            let keys = std::collections::HashMap::new();
            let mut first = s.begin_import(&u.id, keys.clone()).await.unwrap();
            first.create_relationship(&shop()).await.unwrap();
            let (s2, person, k2) = (s.clone(), u.id.clone(), keys.clone());
            let second = tokio::spawn(async move {
                let mut batch = s2.begin_import(&person, k2).await.unwrap();
                batch.relationships().await.unwrap().len()
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
    use crate::ledger_sqlite::tests::Chain;

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
                    batch.push(e).await.unwrap();
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
