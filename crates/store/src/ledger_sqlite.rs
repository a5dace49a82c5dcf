//! SQLite: ledger groups commit on a connection of their own, each group in one call
//! on the committing thread. Through the pool, each statement would be a round trip to
//! the connection's worker thread (six per group, each a wake-up on a busy machine),
//! and a pooled connection drops its page cache whenever another one has written, so
//! it would read the indexes' pages back in for every group. For the same reason the
//! writer's reads while it prepares a group (thread access, chain tips) run on a
//! read-only connection of their own, on the preparing thread.

use crate::append::{PreparedGroup, ALREADY_IMPORTED, ENTRY_COLUMNS};
use crate::search::{SearchKeys, NEXT_FREE_KEY_SQL};
use crate::{Result, StoreError, CHAIN_MOVED};
use rusqlite::{params, Connection, OpenFlags, OptionalExtension, TransactionBehavior};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

/// The connection ledger groups commit on, and the one the group writer reads on.
#[derive(Debug)]
pub(crate) struct LedgerConn {
    /// `None` once [`LedgerConn::close`]d.
    conn: Mutex<Option<Writer>>,
    /// Read-only; `None` once closed.
    reader: Mutex<Option<Connection>>,
}

/// The connection and when it last checkpointed.
#[derive(Debug)]
struct Writer {
    conn: Connection,
    wal: PathBuf,
    /// [`WAL_RESTART_BYTES`], smaller in tests.
    wal_limit: u64,
}

/// Past this size the committing connection checkpoints the WAL itself, right after a
/// commit. Checkpoints run apart from commits (`Store::checkpoint_wal`, which the server
/// calls every 50 ms) copy most pages, but rarely catch up with a busy writer, and only
/// a caught-up WAL starts over from its beginning (and is then cut back to 32 MiB,
/// `journal_size_limit`); without this the file would grow without bound.
const WAL_RESTART_BYTES: u64 = 64 << 20;

impl LedgerConn {
    /// Open the database file with the pool's settings (WAL, `synchronous=FULL`).
    pub(crate) fn open(path: &Path) -> Result<Self> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(Duration::from_secs(10))?;
        conn.execute_batch(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; \
             PRAGMA cache_size=-32768; PRAGMA wal_autocheckpoint=0; \
             PRAGMA journal_size_limit=33554432;",
        )?;
        conn.set_prepared_statement_cache_capacity(16);
        let reader = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        reader.busy_timeout(Duration::from_secs(10))?;
        reader.set_prepared_statement_cache_capacity(16);
        Ok(Self {
            conn: Mutex::new(Some(Writer {
                conn,
                wal: wal_path(path),
                wal_limit: WAL_RESTART_BYTES,
            })),
            reader: Mutex::new(Some(reader)),
        })
    }

    /// Run `sql` with `binds` on the read-only connection, mapping each row with `row`.
    /// Each call reads the latest committed state.
    fn query<T>(
        &self,
        sql: &str,
        binds: &[&str],
        row: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>> {
        let reader = self
            .reader
            .lock()
            .map_err(|_| StoreError::Corrupt("the ledger's reader was poisoned".into()))?;
        let Some(conn) = reader.as_ref() else {
            return Err(StoreError::Database(sqlx::Error::PoolClosed));
        };
        let mut stmt = conn.prepare_cached(sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(binds), row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<T>>>()?)
    }

    /// Store `group` in one transaction: heads first (a stale group stops there,
    /// [`CHAIN_MOVED`]), then entries, bodies, search rows, attachments and thread
    /// activity. Nothing is written unless all is.
    pub(crate) fn store(&self, group: &PreparedGroup) -> Result<()> {
        let mut writer = self
            .conn
            .lock()
            .map_err(|_| StoreError::Corrupt("the ledger connection was poisoned".into()))?;
        let Some(Writer {
            conn,
            wal,
            wal_limit,
        }) = writer.as_mut()
        else {
            return Err(StoreError::Database(sqlx::Error::PoolClosed));
        };
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let mut head = tx.prepare_cached(
                "UPDATE relationships SET head_seq = ?2, head_hash = ?3 \
                 WHERE id = ?1 AND head_seq = ?4 AND head_hash = ?5",
            )?;
            for h in group.head_moves() {
                let moved = head.execute(params![
                    h.relationship,
                    h.new_seq,
                    h.new_hash,
                    h.old_seq,
                    h.old_hash
                ])?;
                if moved != 1 {
                    return Err(StoreError::Conflict(CHAIN_MOVED));
                }
            }
            let mut entry = tx.prepare_cached(&format!(
                "INSERT INTO entries ({ENTRY_COLUMNS}) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)"
            ))?;
            let mut body = tx.prepare_cached(
                "INSERT INTO entry_bodies (entry_id, body, search_text, search_rowid) VALUES (?1, ?2, ?3, ?4)",
            )?;
            let mut search = tx.prepare_cached(
                "INSERT INTO entry_fts (rowid, entry_id, person_id, org_id, search_text) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for p in &group.entries {
                let (it, r) = (&p.entry, &p.chain);
                entry
                    .execute(params![
                        p.id,
                        it.relationship_id,
                        it.thread_id,
                        r.seq,
                        it.side.as_str(),
                        it.author_id,
                        it.kind.as_str(),
                        it.at_us,
                        r.header,
                        r.hash,
                        r.key_id,
                        r.signature,
                        r.digest,
                        (!it.kind.is_shared()).then(|| it.side.as_str()),
                        it.source_ref,
                        it.person_id,
                        it.corrects.map(|c| c.seq),
                    ])
                    .map_err(conflict_on_unique)?;
                if let Some(att) = &it.attachment {
                    tx.prepare_cached(
                        "INSERT INTO attachments (id, entry_id, filename, content_type, size, sha256, data) \
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    )?
                    .execute(params![
                        att.id,
                        p.id,
                        att.filename,
                        att.content_type,
                        i64::try_from(att.data.len()).unwrap_or(i64::MAX),
                        att.sha256,
                        att.data,
                    ])?;
                }
            }
            // Then the search rows, keyed by time, in the order of their keys: FTS5
            // writes out its pending rows whenever a key is lower than the last one.
            let mut by_key: Vec<_> = group
                .entries
                .iter()
                .map(|p| (SearchKeys::new(p.entry.at_us, &p.id), p))
                .collect();
            by_key.sort_by_key(|(k, _)| k.key());
            // An entry prepared as its history was being shared takes its
            // relationship's organization now (`search::shared_orgs`).
            let mut shared_now = tx.prepare_cached(
                "SELECT org_id FROM relationships WHERE id = ?1 \
                 AND org_id IS NOT NULL AND shared_at IS NOT NULL",
            )?;
            let mut orgs: HashMap<&str, Option<String>> = HashMap::new();
            for p in &group.entries {
                let rel = p.entry.relationship_id.as_str();
                if p.entry.org_id.is_none() && !orgs.contains_key(rel) {
                    let org = shared_now
                        .query_row([rel], |r| r.get::<_, String>(0))
                        .optional()?;
                    orgs.insert(rel, org);
                }
            }
            for (mut keys, p) in by_key {
                let it = &p.entry;
                let org = it
                    .org_id
                    .as_deref()
                    .or_else(|| orgs.get(it.relationship_id.as_str())?.as_deref())
                    .unwrap_or("");
                // Its body keeps the key, to erase it by.
                loop {
                    let done = search.execute(params![
                        keys.key(),
                        p.id,
                        it.person_id,
                        org,
                        it.search_text
                    ]);
                    match done {
                        Ok(_) => break,
                        Err(rusqlite::Error::SqliteFailure(e, _))
                            if e.code == rusqlite::ErrorCode::ConstraintViolation =>
                        {
                            if let Some(from) = keys.taken()? {
                                let sql = NEXT_FREE_KEY_SQL.replace('$', "?");
                                keys.set(tx.query_row(&sql, [from], |r| r.get(0))?);
                            }
                        }
                        Err(e) => return Err(e.into()),
                    }
                }
                body.execute(params![p.id, p.body_text, it.search_text, keys.key()])?;
            }
            let mut thread = tx.prepare_cached(
                "UPDATE threads SET \
                 last_activity_at = CASE WHEN last_activity_at > ?2 THEN last_activity_at ELSE ?2 END, \
                 last_customer_at = CASE WHEN last_customer_at > ?3 THEN last_customer_at ELSE COALESCE(?3, last_customer_at) END, \
                 last_vendor_at = CASE WHEN last_vendor_at > ?4 THEN last_vendor_at ELSE COALESCE(?4, last_vendor_at) END WHERE id = ?1",
            )?;
            for t in group.thread_activity() {
                thread.execute(params![t.thread, t.last_at, t.customer_at, t.vendor_at])?;
            }
        }
        tx.commit()?;
        if std::fs::metadata(&*wal).is_ok_and(|m| m.len() > *wal_limit) {
            // Durable already; a checkpoint that fails is retried next time.
            if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                tracing::warn!(error = %e, "checkpointing the ledger's WAL failed");
            }
        }
        Ok(())
    }
}

impl crate::Store {
    /// A read the group writer makes while it prepares a group: on SQLite on the
    /// ledger's read-only connection (mapping rows with `sqlite_row`), elsewhere through
    /// the pool. `sql` takes `binds` as its parameters, in order.
    pub(crate) async fn writer_read<T>(
        &self,
        sql: &str,
        binds: &[&str],
        sqlite_row: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
    {
        if let Some(conn) = &self.ledger_conn {
            return blocking(|| conn.query(sql, binds, sqlite_row));
        }
        let mut q = sqlx::query_as::<_, T>(sql);
        for b in binds {
            q = q.bind(*b);
        }
        Ok(q.fetch_all(&self.pool).await?)
    }
}

impl LedgerConn {
    /// Close the connections once the group being stored (if any) is done; later
    /// groups and reads fail as a closed pool's queries do.
    pub(crate) fn close(&self) {
        let closed = match self.conn.lock() {
            Ok(mut writer) => writer.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        };
        let reader = match self.reader.lock() {
            Ok(mut reader) => reader.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        };
        // The reader first: the last connection to close checkpoints and deletes the
        // WAL, which a read-only one cannot do.
        for conn in reader.into_iter().chain(closed.map(|w| w.conn)) {
            if let Err((_, e)) = conn.close() {
                tracing::warn!(error = %e, "closing a ledger connection failed");
            }
        }
    }
}

/// The WAL file beside the database file.
fn wal_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push("-wal");
    PathBuf::from(name)
}

/// A second copy of an imported entry is a conflict, not a failure.
fn conflict_on_unique(e: rusqlite::Error) -> StoreError {
    match &e {
        rusqlite::Error::SqliteFailure(f, _)
            if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY =>
        {
            StoreError::Conflict(ALREADY_IMPORTED)
        }
        _ => StoreError::Sqlite(e),
    }
}

/// Run blocking database work from async code: in place on a multi-threaded runtime
/// (its other tasks move to other workers meanwhile); directly on a single-threaded
/// one, such as the ledger committer's own thread.
pub(crate) fn blocking<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(f)
        }
        _ => f(),
    }
}

#[cfg(test)]
mod tests {
    use crate::test_chain::{plain_user, Chain};
    use crate::testing::TestDb;
    use crate::{NewEntry, Store};
    use slingshot_domain::ledger::Side;

    /// The group writer's reads (chain tips, thread access) see each commit at once and
    /// give write access to the relationship's person only.
    async fn writer_reads_follow_each_commit(s: &Store) {
        let c = Chain::new(s).await;
        let stranger = plain_user(s, "mallory").await;
        let rel = [c.rel.as_str()];
        assert!(s.chain_tips(&rel).await.unwrap()[&c.rel].is_none());
        for n in 1..=3u64 {
            let rows = s
                .append_entries(&[c.message(&format!("m{n}"), None)], &c.keys)
                .await
                .unwrap();
            let tips = s.chain_tips(&rel).await.unwrap();
            let tip = tips[&c.rel].as_ref().unwrap();
            assert_eq!(tip.sequence, n);
            assert_eq!(Some(tip.hash.to_hex()), rows[0].hash);
        }
        assert!(s
            .chain_tips(&["no-such-relationship"])
            .await
            .unwrap()
            .is_empty());

        let access = s
            .thread_access_many(&[
                (c.person.as_str(), c.thread.as_str()),
                (stranger.id.as_str(), c.thread.as_str()),
                (c.person.as_str(), "no-such-thread"),
            ])
            .await
            .unwrap();
        let own = access[0].as_ref().unwrap();
        assert_eq!(own.side, Side::Customer);
        assert_eq!(own.relationship_id, c.rel);
        assert_eq!(own.person_id, c.person);
        assert!(access[1].is_none(), "a stranger may not write there");
        assert!(access[2].is_none());
    }

    mod writer_reads {
        use super::*;

        #[tokio::test]
        async fn sqlite() {
            let db = TestDb::sqlite().await;
            writer_reads_follow_each_commit(&db.store).await;
        }

        #[tokio::test]
        async fn postgres() {
            let Some(db) = TestDb::postgres().await else {
                return;
            };
            writer_reads_follow_each_commit(&db.store).await;
        }
    }

    /// Append `groups` groups of 50 messages to one thread; the WAL's size after.
    async fn append_groups(s: &Store, groups: usize) -> u64 {
        let c = Chain::new(s).await;
        for g in 0..groups {
            let items: Vec<NewEntry> = (0..50)
                .map(|i| c.message(&format!("group {g} message {i}"), None))
                .collect();
            s.append_entries(&items, &c.keys).await.unwrap();
        }
        assert_eq!(
            s.chain_rows(&c.rel, 0, 100_000).await.unwrap().len(),
            groups * 50
        );
        let conn = s.ledger_conn.as_ref().unwrap().conn.lock().unwrap();
        std::fs::metadata(&conn.as_ref().unwrap().wal).map_or(0, |m| m.len())
    }

    fn set_limit(s: &Store, bytes: u64) {
        s.ledger_conn
            .as_ref()
            .unwrap()
            .conn
            .lock()
            .unwrap()
            .as_mut()
            .unwrap()
            .wal_limit = bytes;
    }

    #[tokio::test]
    async fn the_wal_starts_over_once_past_its_limit() {
        // Nothing else checkpoints here: without a limit the WAL keeps every commit.
        let unbounded = TestDb::sqlite().await;
        set_limit(&unbounded.store, u64::MAX);
        let grown = append_groups(&unbounded.store, 40).await;
        let bounded = TestDb::sqlite().await;
        set_limit(&bounded.store, 256 * 1024);
        let kept = append_groups(&bounded.store, 40).await;
        assert!(grown > 2 << 20, "the WAL grew to {grown} bytes");
        assert!(kept < 1 << 20, "the WAL was kept to {kept} bytes");
    }

    #[tokio::test]
    async fn a_duplicate_import_fails_its_group_and_writes_nothing() {
        let db = TestDb::sqlite().await;
        let s = &db.store;
        let c = Chain::new(s).await;
        let (keys, r) = (&c.keys, &c.rel);
        let mail = |source: Option<&str>| c.message("mail", source);
        s.append_entries(&[mail(Some("m1"))], keys).await.unwrap();
        let e = s
            .append_entries(&[mail(None), mail(Some("m1"))], keys)
            .await
            .unwrap_err();
        assert!(
            matches!(e, crate::StoreError::Conflict(m) if m == super::ALREADY_IMPORTED),
            "{e:?}"
        );
        // Neither entry of the failed group, nor its head move, was kept.
        assert_eq!(s.chain_rows(r, 0, 100).await.unwrap().len(), 1);
        let rows = s.append_entries(&[mail(None)], keys).await.unwrap();
        assert_eq!(rows[0].seq, Some(2));
    }

    #[tokio::test]
    async fn an_unsigned_group_is_refused_and_once_signed_it_verifies() {
        use slingshot_domain::ledger::{signature_from_base64url, verify_digest, Digest};
        let db = TestDb::sqlite().await;
        let s = &db.store;
        let c = Chain::new(s).await;
        let mut tips = s.chain_tips(&[c.rel.as_str()]).await.unwrap();
        let mut group = crate::PreparedGroup::default();
        for i in 0..6 {
            let m = c.message(&format!("message {i}"), None);
            group.push_unsigned(m, &c.keys, &mut tips).unwrap();
        }
        let e = s.store_prepared(&group).await.unwrap_err();
        assert!(matches!(e, crate::StoreError::Corrupt(_)), "{e:?}");
        assert!(s.chain_rows(&c.rel, 0, 100).await.unwrap().is_empty());

        group.sign_pending(&c.keys).unwrap();
        s.store_prepared(&group).await.unwrap();
        let rows = s.chain_rows(&c.rel, 0, 100).await.unwrap();
        assert_eq!(
            rows.iter().map(|r| r.seq).collect::<Vec<_>>(),
            (1..=6).collect::<Vec<_>>()
        );
        let key = c.keys.values().next().unwrap().verifying_key();
        for r in &rows {
            let hash = Digest::parse(&r.hash).unwrap();
            let sig = signature_from_base64url(&r.signature).unwrap();
            verify_digest(&key, &hash, &sig).unwrap();
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn closing_the_store_closes_the_ledger_connection() {
        let db = TestDb::sqlite().await;
        let s = &db.store;
        let c = Chain::new(s).await;
        s.append_entries(&[c.message("before", None)], &c.keys)
            .await
            .unwrap();
        let mut tips = s.chain_tips(&[c.rel.as_str()]).await.unwrap();
        let mut group = crate::PreparedGroup::default();
        group
            .push_unsigned(c.message("after", None), &c.keys, &mut tips)
            .unwrap();
        group.sign_pending(&c.keys).unwrap();
        let wal = {
            let writer = s.ledger_conn.as_ref().unwrap().conn.lock().unwrap();
            writer.as_ref().unwrap().wal.clone()
        };
        assert!(wal.exists(), "{} is missing", wal.display());

        s.close().await;
        assert!(s
            .ledger_conn
            .as_ref()
            .unwrap()
            .conn
            .lock()
            .unwrap()
            .is_none());
        assert!(s
            .ledger_conn
            .as_ref()
            .unwrap()
            .reader
            .lock()
            .unwrap()
            .is_none());
        let read = s.chain_tips(&[c.rel.as_str()]).await.unwrap_err();
        assert!(
            matches!(read, crate::StoreError::Database(sqlx::Error::PoolClosed)),
            "{read:?}"
        );
        // The last connection to close copies the WAL into the database and deletes
        // it (sqlx may finish closing the pool's connections a moment later).
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while wal.exists() && std::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        assert!(!wal.exists(), "{} is still there", wal.display());
        let e = s.store_prepared(&group).await.unwrap_err();
        assert!(
            matches!(e, crate::StoreError::Database(sqlx::Error::PoolClosed)),
            "{e:?}"
        );

        let again = Store::open(&db.url).await.unwrap();
        let rows = again.chain_rows(&c.rel, 0, 100).await.unwrap();
        assert_eq!(rows.iter().map(|r| r.seq).collect::<Vec<_>>(), vec![1]);
        again.close().await;
    }
}
