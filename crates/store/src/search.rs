//! Full-text search over entries: SQLite FTS5 or a PostgreSQL GIN index on a
//! `tsvector`. The two have no common syntax, so this is set up here, idempotently, after
//! the portable migrations run; queries go through one API.

use crate::write_turn::WriteTx;
use crate::{Backend, Result, Store};

/// One search hit.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SearchHit {
    /// Entry id.
    pub entry_id: String,
    /// Relationship id.
    pub relationship_id: String,
    /// Thread id.
    pub thread_id: String,
    /// Microseconds since the epoch.
    pub at: i64,
    /// An excerpt with matches between `<mark>` and `</mark>`; the rest is plain text
    /// (escape it before marking up).
    pub snippet: String,
}

/// The layout of SQLite's search rows this code writes (`PRAGMA user_version`): 1 = each
/// body holds its search row's rowid (`entry_bodies.search_rowid`, migration 0008).
const SEARCH_LAYOUT: i64 = 1;

pub(crate) async fn ensure_search(store: &Store) -> Result<()> {
    let sql = match store.backend() {
        Backend::Sqlite => {
            "CREATE VIRTUAL TABLE IF NOT EXISTS entry_fts USING fts5(\
             entry_id UNINDEXED, person_id UNINDEXED, org_id UNINDEXED, search_text, tokenize = 'unicode61 remove_diacritics 2')"
        }
        Backend::Postgres => {
            "CREATE INDEX IF NOT EXISTS entry_bodies_fts ON entry_bodies USING gin (to_tsvector('simple', search_text))"
        }
    };
    sqlx::query(sql).execute(&store.pool).await?;
    if store.backend() == Backend::Sqlite {
        link_search_rows(store).await?;
    }
    Ok(())
}

/// Give bodies stored before [`SEARCH_LAYOUT`] 1 their search row's rowid, in one pass
/// over the search rows (0 where a body has none), once per database.
async fn link_search_rows(store: &Store) -> Result<()> {
    let layout: i64 = sqlx::query_scalar("PRAGMA user_version")
        .fetch_one(&store.pool)
        .await?;
    if layout >= SEARCH_LAYOUT {
        return Ok(());
    }
    let mut tx = store.begin_write().await?;
    sqlx::query(
        "UPDATE entry_bodies SET search_rowid = f.rowid FROM entry_fts f \
         WHERE f.entry_id = entry_bodies.entry_id AND entry_bodies.search_rowid IS NULL",
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE entry_bodies SET search_rowid = 0 WHERE search_rowid IS NULL")
        .execute(&mut *tx)
        .await?;
    sqlx::query(&format!("PRAGMA user_version = {SEARCH_LAYOUT}"))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Index an entry's text (SQLite; PostgreSQL indexes `entry_bodies` itself): the search
/// row's rowid, to store with the body (`entry_bodies.search_rowid`).
pub(crate) async fn index_entry(
    backend: Backend,
    tx: &mut WriteTx,
    entry_id: &str,
    person_id: &str,
    org_id: Option<&str>,
    text: &str,
) -> Result<Option<i64>> {
    if backend != Backend::Sqlite {
        return Ok(None);
    }
    sqlx::query(
        "INSERT INTO entry_fts (entry_id, person_id, org_id, search_text) VALUES ($1, $2, $3, $4)",
    )
    .bind(entry_id)
    .bind(person_id)
    .bind(org_id.unwrap_or(""))
    .bind(text)
    .execute(&mut **tx)
    .await?;
    let rowid: i64 = sqlx::query_scalar("SELECT last_insert_rowid()")
        .fetch_one(&mut **tx)
        .await?;
    Ok(Some(rowid))
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

impl Store {
    /// Search the entries a person wrote or received, newest first. Private notes of the
    /// vendor side are never included.
    pub async fn search_person(
        &self,
        person: &str,
        query: &str,
        limit: i64,
    ) -> Result<Vec<SearchHit>> {
        match self.backend() {
            Backend::Sqlite => {
                let Some(q) = fts5_query(query) else { return Ok(Vec::new()) };
                Ok(sqlx::query_as(
                    "SELECT e.id AS entry_id, e.relationship_id, e.thread_id, e.at, \
                     snippet(entry_fts, 3, '<mark>', '</mark>', '…', 16) AS snippet \
                     FROM entry_fts f JOIN entries e ON e.id = f.entry_id \
                     WHERE entry_fts MATCH $1 AND f.person_id = $2 AND (e.private_side IS NULL OR e.private_side = 'customer') \
                     ORDER BY f.rowid DESC LIMIT $3",
                )
                .bind(q)
                .bind(person)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?)
            }
            Backend::Postgres => Ok(sqlx::query_as(
                // The page first (newest matches, walking the person's time index or the
                // GIN index as the planner sees fit), then headlines for the page only.
                "SELECT p.id AS entry_id, p.relationship_id, p.thread_id, p.at, \
                 ts_headline('simple', p.search_text, plainto_tsquery('simple', $1), 'StartSel=<mark>, StopSel=</mark>, MaxWords=24, MinWords=8') AS snippet \
                 FROM (SELECT e.id, e.relationship_id, e.thread_id, e.at, b.search_text FROM entries e \
                       JOIN entry_bodies b ON b.entry_id = e.id \
                       WHERE e.person_id = $2 AND (e.private_side IS NULL OR e.private_side = 'customer') \
                       AND to_tsvector('simple', b.search_text) @@ plainto_tsquery('simple', $1) \
                       ORDER BY e.at DESC, e.id DESC LIMIT $3) p ORDER BY p.at DESC, p.id DESC",
            )
            .bind(query)
            .bind(person)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{fts5_query, UNINDEX_SQL};
    use crate::ledger_sqlite::tests::Chain;
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

    #[tokio::test]
    async fn erasure_removes_only_its_search_row_sqlite_pooled() {
        // In-memory databases append through the pool, not the ledger's own connection.
        let name = uuid::Uuid::now_v7().simple();
        let url = format!("sqlite:file:search{name}?mode=memory&cache=shared");
        let s = Store::open(&url).await.unwrap();
        assert!(s.ledger_conn.is_none());
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
        assert_eq!(count(&s, "PRAGMA user_version").await, 1);
        s.erase_entry(&c.person, &ids[2]).await.unwrap();
        assert!(hits(&s, &c, "foxtrot").await.is_empty());
        assert_eq!(hits(&s, &c, "bike").await.len(), 2);
        // New appends are linked as they are stored.
        messages(&s, &c, &["golf bike"]).await;
        assert_eq!(count(&s, linked).await, 3);
        s.close().await;
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
