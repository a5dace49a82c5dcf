//! Full-text search over entries: SQLite FTS5 or a PostgreSQL GIN index on a
//! `tsvector`. The two have no common syntax; this keeps SQLite's search rows (the layout
//! is brought up to date in [`crate::search_layout`], queries are in
//! [`crate::search_query`]).

use crate::write_turn::WriteTx;
use crate::{Backend, Result};
use std::collections::HashMap;

/// Search rows are keyed by their entry's time, so that walking the full-text index
/// backwards (which stops as soon as a page is full) gives the newest entries first,
/// whenever they were stored: mail imported today from last year sorts by its date. A key
/// is the entry's millisecond × 65,536 plus a slot: its microsecond × 64 and six bits of
/// its id; a taken key is probed upwards ([`SearchKeys`]).
pub(crate) fn search_key(at_us: i64, entry_id: &str) -> i64 {
    let ms = at_us.div_euclid(1000).clamp(-(1 << 46), (1 << 46) - 1);
    let spread = entry_id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    let slot = at_us.rem_euclid(1000) * 64 + i64::try_from(spread & 63).unwrap_or(0);
    match ms * 65_536 + slot {
        0 => 1, // 0 means "no search row" in `entry_bodies.search_rowid`
        key => key,
    }
}

/// Probing for a free search key: after a few taken keys, the next one after the highest
/// key of the same millisecond (many entries of one instant, such as mail with one `Date`).
pub(crate) struct SearchKeys {
    key: i64,
    tries: u32,
}

/// The key after the highest one taken in the millisecond from `$1` on.
pub(crate) const NEXT_FREE_KEY_SQL: &str =
    "SELECT COALESCE(MAX(rowid), $1 - 1) + 1 FROM entry_fts WHERE rowid BETWEEN $1 AND $1 + 65535";

impl SearchKeys {
    /// Start at [`search_key`].
    pub(crate) fn new(at_us: i64, entry_id: &str) -> Self {
        Self {
            key: search_key(at_us, entry_id),
            tries: 0,
        }
    }

    /// The key to try.
    pub(crate) fn key(&self) -> i64 {
        self.key
    }

    /// The key was taken: `Some(ms_start)` when the next key should be read with
    /// [`NEXT_FREE_KEY_SQL`] from there (then [`SearchKeys::set`]); `None` when it is
    /// simply the next one up. Gives up (`Err`) once even that was taken.
    pub(crate) fn taken(&mut self) -> Result<Option<i64>> {
        self.tries += 1;
        match self.tries {
            0..=7 => {
                self.key += 1;
                Ok(None)
            }
            8 => Ok(Some(self.key - self.key.rem_euclid(65_536))),
            _ => Err(crate::StoreError::Corrupt(
                "no free search key for an entry".into(),
            )),
        }
    }

    /// Continue at `key` (read with [`NEXT_FREE_KEY_SQL`]).
    pub(crate) fn set(&mut self, key: i64) {
        self.key = key;
    }
}

/// Whether a failed insert of a search row hit a taken key (SQLite's plain constraint
/// error: FTS5 reports no finer code).
fn key_taken(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.code().as_deref() == Some("19")
        || db.kind() == sqlx::error::ErrorKind::UniqueViolation)
}

/// Index an entry's text (SQLite; PostgreSQL indexes `entry_bodies` itself): the search
/// row's rowid, to store with the body (`entry_bodies.search_rowid`).
pub(crate) async fn index_entry(
    backend: Backend,
    tx: &mut WriteTx,
    row: SearchRow<'_>,
) -> Result<Option<i64>> {
    if backend != Backend::Sqlite {
        return Ok(None);
    }
    let mut keys = SearchKeys::new(row.at_us, row.entry_id);
    loop {
        let done = sqlx::query(
            "INSERT INTO entry_fts (rowid, entry_id, person_id, org_id, search_text) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(keys.key())
        .bind(row.entry_id)
        .bind(row.person_id)
        .bind(row.org_id.unwrap_or(""))
        .bind(row.text)
        .execute(&mut **tx)
        .await;
        match done {
            Ok(_) => return Ok(Some(keys.key())),
            Err(e) if key_taken(&e) => {
                if let Some(from) = keys.taken()? {
                    let next: i64 = sqlx::query_scalar(NEXT_FREE_KEY_SQL)
                        .bind(from)
                        .fetch_one(&mut **tx)
                        .await?;
                    keys.set(next);
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// Index the texts of many entries at once (SQLite; `None` each on PostgreSQL): their
/// search rows' rowids, in the order of `rows`. Keys are [`search_key`]'s, made distinct
/// from each other and from `used` (the keys given out before in this transaction) by
/// taking the next one up, as probing would: mail often shares one `Date`. They are
/// stored with one statement, in key order (FTS5 writes out its pending rows at a lower
/// one). If a key is taken by a row stored earlier, each millisecond's rows go after the
/// highest key of that millisecond; should that fail too, row by row.
pub(crate) async fn index_entries(
    backend: Backend,
    tx: &mut WriteTx,
    rows: &[SearchRow<'_>],
    used: &mut std::collections::HashSet<i64>,
) -> Result<Vec<Option<i64>>> {
    if backend != Backend::Sqlite || rows.is_empty() {
        return Ok(vec![None; rows.len()]);
    }
    let mut keyed: Vec<(i64, usize)> = Vec::with_capacity(rows.len());
    for (i, r) in rows.iter().enumerate() {
        let mut key = search_key(r.at_us, r.entry_id);
        while key == 0 || used.contains(&key) {
            key += 1;
        }
        used.insert(key);
        keyed.push((key, i));
    }
    keyed.sort_unstable();
    match insert_search_rows(tx, rows, &keyed).await {
        Err(e) if key_taken(&e) => {}
        done => return Ok(done.map(|()| keys_in_row_order(&keyed, rows.len()))?),
    }
    // After the highest key of each millisecond (the failed statement wrote nothing).
    let mut next_free: std::collections::HashMap<i64, i64> = std::collections::HashMap::new();
    for (key, _) in &mut keyed {
        let ms_start = *key - key.rem_euclid(65_536);
        let next = match next_free.get(&ms_start) {
            Some(n) => *n,
            None => {
                sqlx::query_scalar(NEXT_FREE_KEY_SQL)
                    .bind(ms_start)
                    .fetch_one(&mut **tx)
                    .await?
            }
        };
        *key = next.max(1);
        used.insert(*key);
        next_free.insert(ms_start, *key + 1);
    }
    keyed.sort_unstable();
    match insert_search_rows(tx, rows, &keyed).await {
        Err(e) if key_taken(&e) => {}
        done => return Ok(done.map(|()| keys_in_row_order(&keyed, rows.len()))?),
    }
    let mut out = vec![None; rows.len()];
    for (_, i) in keyed {
        if let (Some(r), Some(slot)) = (rows.get(i), out.get_mut(i)) {
            *slot = index_entry(backend, tx, *r).await?;
        }
    }
    Ok(out)
}

/// One multi-row insert of search rows: `keyed` holds (key, index into `rows`).
async fn insert_search_rows(
    tx: &mut WriteTx,
    rows: &[SearchRow<'_>],
    keyed: &[(i64, usize)],
) -> std::result::Result<(), sqlx::Error> {
    let sql = format!(
        "INSERT INTO entry_fts (rowid, entry_id, person_id, org_id, search_text) VALUES {}",
        crate::sql::rows(Backend::Sqlite, keyed.len(), 5)
    );
    let mut q = sqlx::query(&sql);
    for &(key, i) in keyed {
        let Some(r) = rows.get(i) else { continue };
        q = q
            .bind(key)
            .bind(r.entry_id)
            .bind(r.person_id)
            .bind(r.org_id.unwrap_or(""))
            .bind(r.text);
    }
    q.execute(&mut **tx).await.map(|_| ())
}

fn keys_in_row_order(keyed: &[(i64, usize)], n: usize) -> Vec<Option<i64>> {
    let mut out = vec![None; n];
    for &(key, i) in keyed {
        if let Some(slot) = out.get_mut(i) {
            *slot = Some(key);
        }
    }
    out
}

/// What a search row holds.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SearchRow<'a> {
    /// The entry.
    pub entry_id: &'a str,
    /// Its person.
    pub person_id: &'a str,
    /// Its organization, if two-sided.
    pub org_id: Option<&'a str>,
    /// The text to find it by.
    pub text: &'a str,
    /// The entry's time (microseconds since the epoch): the row's key.
    pub at_us: i64,
}

/// Each search row names the organization of its entry's relationship while the history
/// is shared with one (`''` otherwise), so that an organization's search skips everyone
/// else's rows before any join. When a history is shared, its rows are marked here, in
/// the same write (SQLite; nothing on PostgreSQL).
pub(crate) async fn mark_shared(
    backend: Backend,
    tx: &mut WriteTx,
    relationship_id: &str,
    org_id: &str,
) -> Result<()> {
    if backend == Backend::Sqlite {
        sqlx::query(MARK_SHARED_SQL)
            .bind(org_id)
            .bind(relationship_id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Set `org_id` ($1) on the search rows of relationship $2's bodies, found by rowid.
pub(crate) const MARK_SHARED_SQL: &str = "UPDATE entry_fts SET org_id = $1 WHERE rowid IN (\
    SELECT b.search_rowid FROM entries e JOIN entry_bodies b ON b.entry_id = e.id \
    WHERE e.relationship_id = $2 AND b.search_rowid > 0) AND org_id <> $1";

/// The organizations of those of `relationships` that are shared now, read inside the
/// write: an entry prepared as its history was being shared has no organization yet, and
/// its search row takes the one its relationship has when it is stored (SQLite only;
/// empty on PostgreSQL or when `relationships` is).
pub(crate) async fn shared_orgs(
    backend: Backend,
    tx: &mut WriteTx,
    relationships: &[&str],
) -> Result<HashMap<String, String>> {
    let mut out = HashMap::new();
    if backend != Backend::Sqlite {
        return Ok(out);
    }
    for chunk in relationships.chunks(500) {
        let sql = format!(
            "SELECT id, org_id FROM relationships WHERE id IN ({}) \
             AND org_id IS NOT NULL AND shared_at IS NOT NULL",
            vec!["?"; chunk.len()].join(", ")
        );
        let mut q = sqlx::query_as::<_, (String, String)>(&sql);
        for id in chunk {
            q = q.bind(*id);
        }
        out.extend(q.fetch_all(&mut **tx).await?);
    }
    Ok(out)
}

/// Remove from the index the search rows of the bodies whose entry ids `entries` (a
/// subquery over `$1`) selects, found by rowid. Run it before the bodies are deleted.
pub(crate) const UNINDEX_SQL: &str =
    "DELETE FROM entry_fts WHERE rowid IN (SELECT search_rowid FROM entry_bodies WHERE entry_id IN ({entries}))";

/// Remove an entry's text from the index (erasure), before its body is deleted.
pub(crate) async fn unindex_entry(
    backend: Backend,
    tx: &mut WriteTx,
    entry_id: &str,
) -> Result<()> {
    if backend == Backend::Sqlite {
        sqlx::query(&UNINDEX_SQL.replace("{entries}", "$1"))
            .bind(entry_id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Turn what a person typed into an FTS5 query: every word must match (prefix for the
/// last), operators and quotes are taken literally.
pub fn fts5_query(input: &str) -> Option<String> {
    let words: Vec<String> = input
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(16)
        .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
        .collect();
    if words.is_empty() {
        return None;
    }
    let mut q = words.join(" ");
    q.push('*');
    Some(q)
}

#[cfg(test)]
mod tests {
    use super::{fts5_query, UNINDEX_SQL};
    use crate::search_layout::SEARCH_LAYOUT;
    use crate::test_chain::Chain;
    use crate::testing::TestDb;
    use crate::Store;

    /// Append one message per word; the entries' ids, in order.
    async fn messages(s: &Store, c: &Chain, words: &[&str]) -> Vec<String> {
        let items: Vec<_> = words.iter().map(|w| c.message(w, None)).collect();
        let rows = s.append_entries(&items, &c.keys).await.unwrap();
        rows.into_iter().map(|r| r.id).collect()
    }

    async fn hits(s: &Store, c: &Chain, q: &str) -> Vec<String> {
        let found = s.search_person(&c.person, q, 20).await.unwrap();
        found.into_iter().map(|h| h.entry_id).collect()
    }

    async fn count(s: &Store, sql: &str) -> i64 {
        sqlx::query_scalar(sql).fetch_one(&s.pool).await.unwrap()
    }

    /// Erasing a body removes its search row (found by rowid, not by a scan) and no other.
    async fn erasure_removes_only_its_search_row(s: &Store) {
        let c = Chain::new(s).await;
        let ids = messages(s, &c, &["alpha parcel", "bravo parcel", "charlie parcel"]).await;
        assert_eq!(hits(s, &c, "parcel").await.len(), 3);
        s.erase_entry(&c.person, &ids[1]).await.unwrap();
        assert!(hits(s, &c, "bravo").await.is_empty());
        assert_eq!(hits(s, &c, "alpha").await, vec![ids[0].clone()]);
        assert_eq!(hits(s, &c, "charlie").await, vec![ids[2].clone()]);
        assert_eq!(count(s, "SELECT count(*) FROM entry_fts").await, 2);
        // Another person's erasure attempt changes nothing.
        let other = Chain::new_named(s, "wanda").await;
        let e = s.erase_entry(&other.person, &ids[0]).await.unwrap_err();
        assert!(matches!(e, crate::StoreError::NotFound), "{e:?}");
        assert_eq!(count(s, "SELECT count(*) FROM entry_fts").await, 2);

        let plan: Vec<(i64, i64, i64, String)> = sqlx::query_as(&format!(
            "EXPLAIN QUERY PLAN {}",
            UNINDEX_SQL.replace("{entries}", "'x'")
        ))
        .fetch_all(&s.pool)
        .await
        .unwrap();
        let plan: Vec<&str> = plan.iter().map(|p| p.3.as_str()).collect();
        assert!(
            plan.iter()
                .any(|p| p.contains("entry_fts VIRTUAL TABLE INDEX 0:=")),
            "the search rows are not found by rowid: {plan:?}"
        );
    }

    #[tokio::test]
    async fn erasure_removes_only_its_search_row_sqlite() {
        let db = TestDb::sqlite().await;
        erasure_removes_only_its_search_row(&db.store).await;
    }

    /// An in-memory database: it appends through the pool, not the ledger's own connection.
    async fn pooled_sqlite() -> Store {
        let name = uuid::Uuid::now_v7().simple();
        let url = format!("sqlite:file:search{name}?mode=memory&cache=shared");
        let s = Store::open(&url).await.unwrap();
        assert!(s.ledger_conn.is_none());
        s
    }

    #[tokio::test]
    async fn erasure_removes_only_its_search_row_sqlite_pooled() {
        let s = pooled_sqlite().await;
        erasure_removes_only_its_search_row(&s).await;
        s.close().await;
    }

    #[tokio::test]
    async fn bodies_stored_before_search_rowids_are_linked_once() {
        let db = TestDb::sqlite().await;
        let s = &db.store;
        let c = Chain::new(s).await;
        let ids = messages(s, &c, &["delta bike", "echo bike", "foxtrot bike"]).await;
        // As a database migrated from before 0008 holds them: no links, layout 0.
        sqlx::query("UPDATE entry_bodies SET search_rowid = NULL")
            .execute(&s.pool)
            .await
            .unwrap();
        sqlx::query("PRAGMA user_version = 0")
            .execute(&s.pool)
            .await
            .unwrap();
        s.close().await;

        let s = Store::open(&db.url).await.unwrap();
        let linked = "SELECT count(*) FROM entry_bodies b JOIN entry_fts f \
                      ON f.rowid = b.search_rowid AND f.entry_id = b.entry_id";
        assert_eq!(count(&s, linked).await, 3);
        assert_eq!(count(&s, "PRAGMA user_version").await, SEARCH_LAYOUT);
        s.erase_entry(&c.person, &ids[2]).await.unwrap();
        assert!(hits(&s, &c, "foxtrot").await.is_empty());
        assert_eq!(hits(&s, &c, "bike").await.len(), 2);
        // New appends are linked as they are stored.
        messages(&s, &c, &["golf bike"]).await;
        assert_eq!(count(&s, linked).await, 3);
        s.close().await;
    }

    const DAY_US: i64 = 86_400_000_000;

    /// Entries at `(text, days ago)`, plus `same_instant` more at one instant (like mail
    /// sharing one `Date`), appended in that order in one group; their ids.
    async fn dated(s: &Store, c: &Chain, at: &[(&str, i64)], same_instant: usize) -> Vec<String> {
        let now = crate::now_us();
        let mut items: Vec<_> = at
            .iter()
            .map(|(text, days)| {
                let mut e = c.message(text, None);
                e.at_us = now - days * DAY_US;
                e
            })
            .collect();
        for i in 0..same_instant {
            let mut e = c.message(&format!("parcel batch {i}"), None);
            e.at_us = now - 30 * DAY_US;
            items.push(e);
        }
        let rows = s.append_entries(&items, &c.keys).await.unwrap();
        rows.into_iter().map(|r| r.id).collect()
    }

    /// Search gives the newest entries first by their time, not by when they were stored,
    /// and keeps every one of many entries of one instant.
    async fn newest_first_whenever_stored(s: &Store) {
        let c = Chain::new(s).await;
        let at = [
            ("parcel today", 0),
            ("parcel last year", 365),
            ("parcel last week", 7),
        ];
        let ids = dated(s, &c, &at, 70).await;
        let found = s.search_person(&c.person, "parcel", 200).await.unwrap();
        assert_eq!(found.len(), 73);
        assert!(
            found.windows(2).all(|w| w[0].at >= w[1].at),
            "not newest first"
        );
        let first: Vec<&str> = found.iter().take(2).map(|h| h.entry_id.as_str()).collect();
        assert_eq!(first, [ids[0].as_str(), ids[2].as_str()]);
        assert_eq!(found[72].entry_id, ids[1], "last year's entry is not last");
        // A page of the newest stops early and still holds the newest.
        let page = s.search_person(&c.person, "parcel", 2).await.unwrap();
        assert_eq!(page[0].entry_id, ids[0]);
        // Each of the same instant is erasable by its own key.
        s.erase_entry(&c.person, &ids[40]).await.unwrap();
        assert_eq!(hits(s, &c, "parcel").await.len(), 20);
        let found = s.search_person(&c.person, "parcel", 200).await.unwrap();
        assert_eq!(found.len(), 72);
        assert!(found.iter().all(|h| h.entry_id != ids[40]));
    }

    #[tokio::test]
    async fn newest_first_whenever_stored_sqlite() {
        let db = TestDb::sqlite().await;
        newest_first_whenever_stored(&db.store).await;
    }

    #[tokio::test]
    async fn newest_first_whenever_stored_sqlite_pooled() {
        let s = pooled_sqlite().await;
        newest_first_whenever_stored(&s).await;
        s.close().await;
    }

    #[tokio::test]
    async fn newest_first_whenever_stored_postgres() {
        if let Some(db) = TestDb::postgres().await {
            newest_first_whenever_stored(&db.store).await;
        }
    }

    #[tokio::test]
    async fn search_rows_stored_in_order_of_storing_are_keyed_by_time_once() {
        let db = TestDb::sqlite().await;
        let s = &db.store;
        let c = Chain::new(s).await;
        let at = [
            ("parcel today", 0),
            ("parcel last year", 365),
            ("parcel last week", 7),
        ];
        let ids = dated(s, &c, &at, 3).await;
        // As layout 1 stored them: rowids 1, 2, 3, … in order of storing.
        for (table, col) in [("entry_fts", "rowid"), ("entry_bodies", "search_rowid")] {
            sqlx::query(&format!(
                "UPDATE {table} SET {col} = (SELECT n FROM (SELECT e.id, row_number() OVER (ORDER BY e.rowid) AS n FROM entries e) o \
                 WHERE o.id = {table}.{}) ",
                "entry_id"
            ))
            .execute(&s.pool)
            .await
            .unwrap();
        }
        sqlx::query("PRAGMA user_version = 1")
            .execute(&s.pool)
            .await
            .unwrap();
        let old = s.search_person(&c.person, "parcel", 10).await.unwrap();
        assert_eq!(
            old[0].entry_id, ids[5],
            "the setup did not restore the old order"
        );
        s.close().await;

        let s = Store::open(&db.url).await.unwrap();
        assert_eq!(count(&s, "PRAGMA user_version").await, SEARCH_LAYOUT);
        let found = s.search_person(&c.person, "parcel", 10).await.unwrap();
        let order: Vec<&str> = found.iter().map(|h| h.entry_id.as_str()).collect();
        assert_eq!(order[..2], [ids[0].as_str(), ids[2].as_str()]);
        assert_eq!(order[5], ids[1]);
        let linked = "SELECT count(*) FROM entry_bodies b JOIN entry_fts f \
                      ON f.rowid = b.search_rowid AND f.entry_id = b.entry_id";
        assert_eq!(count(&s, linked).await, 6);
        assert_eq!(
            count(&s, "SELECT count(*) FROM entry_fts WHERE rowid < 1000").await,
            0
        );
        s.erase_entry(&c.person, &ids[1]).await.unwrap();
        assert_eq!(hits(&s, &c, "parcel").await.len(), 5);
        s.close().await;
    }

    #[test]
    fn search_keys_follow_time() {
        use super::search_key;
        let t = 1_765_000_000_123_456;
        assert!(search_key(t, "a") < search_key(t + 1, "a"));
        assert!(search_key(t + 999, "z") < search_key(t + 1000, "a"));
        assert!(search_key(-5_000_000, "a") < search_key(0, "a"));
        assert!(search_key(0, "a") >= 1);
        assert!(search_key(i64::MAX, "a") > search_key(t, "a"));
        assert!(search_key(i64::MIN, "a") < search_key(-5_000_000, "a"));
    }

    #[test]
    fn user_input_cannot_inject_fts_syntax() {
        assert_eq!(
            fts5_query("bike warranty").as_deref(),
            Some("\"bike\" \"warranty\"*")
        );
        assert_eq!(
            fts5_query("NEAR(a b) OR \"x").as_deref(),
            Some("\"NEAR\" \"a\" \"b\" \"OR\" \"x\"*")
        );
        assert_eq!(fts5_query("  !!  "), None);
    }
}
