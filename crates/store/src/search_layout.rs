//! Bringing SQLite's search rows up to the layout this code writes, once per database,
//! after the portable migrations run (PostgreSQL: its GIN index, created if missing).

use crate::{Backend, Result, Store};

/// The layout of SQLite's search rows this code writes (`PRAGMA user_version`): 1 = each
/// body holds its search row's rowid (`entry_bodies.search_rowid`, migration 0008);
/// 2 = search rows are keyed by the entry's time ([`crate::search::search_key`]); 3 = each names the
/// organization its history is shared with ([`crate::search::mark_shared`]).
pub(crate) const SEARCH_LAYOUT: i64 = 3;

/// SQLite's full-text table, named `{table}`.
const FTS_TABLE_SQL: &str = "CREATE VIRTUAL TABLE IF NOT EXISTS {table} USING fts5(\
    entry_id UNINDEXED, person_id UNINDEXED, org_id UNINDEXED, search_text, tokenize = 'unicode61 remove_diacritics 2')";

/// Create the search index if missing and bring SQLite's rows up to [`SEARCH_LAYOUT`].
pub(crate) async fn ensure_search(store: &Store) -> Result<()> {
    let sql = match store.backend() {
        Backend::Sqlite => FTS_TABLE_SQL.replace("{table}", "entry_fts"),
        Backend::Postgres => {
            "CREATE INDEX IF NOT EXISTS entry_bodies_fts ON entry_bodies USING gin (to_tsvector('simple', search_text))".into()
        }
    };
    sqlx::query(&sql).execute(&store.pool).await?;
    if store.backend() == Backend::Sqlite {
        link_search_rows(store).await?;
    }
    Ok(())
}

/// Each step of [`SEARCH_LAYOUT`] the database has not taken yet, once per database.
async fn link_search_rows(store: &Store) -> Result<()> {
    let layout = layout_of(store).await?;
    if layout < 1 {
        link_bodies(store).await?;
    }
    if layout < 2 {
        if let Err(e) = rekey_by_time(store).await {
            // Search still works; rows stored before keep their order of storing.
            tracing::warn!(error = %e, "search rows could not be keyed by time");
        }
    }
    // After keying by time only (that step rewrites every row and keeps their marks).
    if layout < 3 && layout_of(store).await? == 2 {
        mark_shared_histories(store).await?;
    }
    Ok(())
}

async fn layout_of(store: &Store) -> Result<i64> {
    Ok(sqlx::query_scalar("PRAGMA user_version")
        .fetch_one(&store.pool)
        .await?)
}

/// Layout 2 → 3: mark the search rows of histories shared after they began (rows stored
/// while a history was shared were marked as they were stored). One transaction.
async fn mark_shared_histories(store: &Store) -> Result<()> {
    let mut tx = store.begin_write().await?;
    let marked = sqlx::query(
        "UPDATE entry_fts SET org_id = (SELECT r.org_id FROM entries e \
           JOIN relationships r ON r.id = e.relationship_id WHERE e.id = entry_fts.entry_id) \
         WHERE rowid IN (SELECT b.search_rowid FROM relationships r \
           JOIN entries e ON e.relationship_id = r.id JOIN entry_bodies b ON b.entry_id = e.id \
           WHERE r.org_id IS NOT NULL AND r.shared_at IS NOT NULL AND r.shared_at > r.created_at \
           AND b.search_rowid > 0)",
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    sqlx::query(&format!("PRAGMA user_version = {SEARCH_LAYOUT}"))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    if marked > 0 {
        tracing::info!(rows = marked, "search rows of shared histories marked");
    }
    Ok(())
}

/// Layout 0 → 1: each body learns its search row's rowid.
async fn link_bodies(store: &Store) -> Result<()> {
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
    sqlx::query("PRAGMA user_version = 1")
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Layout 1 → 2: key the search rows stored before by their entry's time (as
/// [`crate::search::search_key`] does, entries of one millisecond in order of time, then of storing), and
/// tell their bodies. The index is written anew in the order of the new keys (renumbering
/// rows in place leaves it in many small segments, and searches three times slower). One
/// transaction; nothing changes if it fails. About 30 s for 1,000,000 rows on 2 cores.
async fn rekey_by_time(store: &Store) -> Result<()> {
    let started = std::time::Instant::now();
    let mut tx = store.begin_write().await?;
    for sql in [
        "CREATE TEMP TABLE IF NOT EXISTS search_rekey (old INTEGER PRIMARY KEY, new INTEGER NOT NULL)",
        "DELETE FROM search_rekey",
        "DROP TABLE IF EXISTS entry_fts_rekeyed",
    ] {
        sqlx::query(sql).execute(&mut *tx).await?;
    }
    let moved = sqlx::query(
        "INSERT INTO search_rekey (old, new) \
         SELECT old, ms * 65536 + row_number() OVER (PARTITION BY ms ORDER BY at, old) - 1 FROM ( \
           SELECT f.rowid AS old, e.at AS at, \
             max(-70368744177664, min(70368744177663, \
               CASE WHEN e.at >= 0 THEN e.at / 1000 ELSE -((999 - e.at) / 1000) END)) AS ms \
           FROM entry_fts f JOIN entries e ON e.id = f.entry_id)",
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let rebuild = [
        FTS_TABLE_SQL.replace("{table}", "entry_fts_rekeyed"),
        "INSERT INTO entry_fts_rekeyed (rowid, entry_id, person_id, org_id, search_text) \
         SELECT m.new, f.entry_id, f.person_id, f.org_id, f.search_text \
         FROM search_rekey m JOIN entry_fts f ON f.rowid = m.old ORDER BY m.new"
            .into(),
        "UPDATE entry_bodies SET search_rowid = (SELECT new FROM search_rekey WHERE old = entry_bodies.search_rowid) \
         WHERE search_rowid IN (SELECT old FROM search_rekey)"
            .into(),
        "DROP TABLE entry_fts".into(),
        "ALTER TABLE entry_fts_rekeyed RENAME TO entry_fts".into(),
        "DROP TABLE search_rekey".into(),
        "PRAGMA user_version = 2".into(),
    ];
    for sql in rebuild {
        sqlx::query(&sql).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    if moved > 0 {
        let ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        tracing::info!(rows = moved, ms, "search rows keyed by time");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::SEARCH_LAYOUT;
    use crate::search_query::{SearchPage, Searcher};
    use crate::test_chain::{plain_user, Chain};
    use crate::testing::TestDb;
    use crate::{Store, TimelineFilter};
    use slingshot_domain::{Handle, OrgKind, OrgName};

    /// An organization's owner and id.
    async fn vendor(s: &Store) -> (String, String) {
        let owner = plain_user(s, "kettleowner").await;
        let handle = Handle::parse("kettleco").unwrap();
        let name = OrgName::parse("Kettle Co").unwrap();
        let org = s
            .create_org(&owner.id, &handle, &name, OrgKind::Vendor, "127.0.0.1")
            .await
            .unwrap();
        (owner.id, org.id)
    }

    async fn org_hits(s: &Store, (owner, org): &(String, String), q: &str) -> Vec<String> {
        let who = Searcher::Org {
            actor: owner,
            org_id: org,
        };
        let page = SearchPage {
            before: None,
            limit: 20,
        };
        let hits = s.search(who, q, &TimelineFilter::default(), page).await;
        hits.unwrap().into_iter().map(|h| h.entry_id).collect()
    }

    /// A history written before it was shared is found by its organization from the
    /// moment it is shared, and so is an entry that was prepared with no organization.
    async fn shared_later_is_found(s: &Store) -> (Chain, (String, String), Vec<String>) {
        let c = Chain::new(s).await;
        let stranger = Chain::new_named(s, "stranger").await;
        let items = [stranger.message("kettle of a stranger", None)];
        s.append_entries(&items, &stranger.keys).await.unwrap();
        let items = [c.message("kettle whistles", None)];
        let first = s.append_entries(&items, &c.keys).await.unwrap();
        let vendor = vendor(s).await;
        assert!(org_hits(s, &vendor, "kettle").await.is_empty());
        s.share_with_org(&c.person, &c.rel, &vendor.1)
            .await
            .unwrap();
        assert_eq!(
            org_hits(s, &vendor, "kettle").await,
            vec![first[0].id.clone()]
        );
        // `Chain::message` names no organization, as an entry prepared while the
        // history was being shared would not.
        let items = [c.message("kettle again", None)];
        let later = s.append_entries(&items, &c.keys).await.unwrap();
        let ids = vec![later[0].id.clone(), first[0].id.clone()];
        assert_eq!(org_hits(s, &vendor, "kettle").await, ids);
        (c, vendor, ids)
    }

    #[tokio::test]
    async fn histories_shared_later_are_found_and_old_rows_marked_once() {
        let db = TestDb::sqlite().await;
        let (_, vendor, ids) = shared_later_is_found(&db.store).await;
        // As a database before layout 3 holds them: no row names an organization.
        for sql in [
            "UPDATE entry_fts SET org_id = ''",
            "PRAGMA user_version = 2",
        ] {
            sqlx::query(sql).execute(&db.store.pool).await.unwrap();
        }
        assert!(org_hits(&db.store, &vendor, "kettle").await.is_empty());
        db.store.close().await;

        let s = Store::open(&db.url).await.unwrap();
        let layout: i64 = sqlx::query_scalar("PRAGMA user_version")
            .fetch_one(&s.pool)
            .await
            .unwrap();
        assert_eq!(layout, SEARCH_LAYOUT);
        assert_eq!(org_hits(&s, &vendor, "kettle").await, ids);
        let marked: i64 = sqlx::query_scalar("SELECT count(*) FROM entry_fts WHERE org_id <> ''")
            .fetch_one(&s.pool)
            .await
            .unwrap();
        assert_eq!(marked, 2, "the stranger's row was marked too");
        s.close().await;
    }

    #[tokio::test]
    async fn histories_shared_later_are_found_through_the_pool() {
        let name = uuid::Uuid::now_v7().simple();
        let url = format!("sqlite:file:layout{name}?mode=memory&cache=shared");
        let s = Store::open(&url).await.unwrap();
        assert!(s.ledger_conn.is_none());
        shared_later_is_found(&s).await;
        s.close().await;
    }

    crate::dual_test!(a_history_shared_later_is_found, |db: TestDb| async move {
        shared_later_is_found(&db.store).await;
    });
}
