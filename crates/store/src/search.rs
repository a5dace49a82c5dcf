//! Full-text search over entries: SQLite FTS5 or a PostgreSQL GIN index on a
//! `tsvector`. The two have no common syntax, so this is set up here, idempotently, after
//! the portable migrations run; queries go through one API.

use crate::{Backend, Result, Store};
use sqlx::{Any, Transaction};

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
    Ok(())
}

/// Index an entry's text (SQLite; PostgreSQL indexes `entry_bodies` itself).
pub(crate) async fn index_entry(
    backend: Backend,
    tx: &mut Transaction<'_, Any>,
    entry_id: &str,
    person_id: &str,
    org_id: Option<&str>,
    text: &str,
) -> Result<()> {
    if backend == Backend::Sqlite {
        sqlx::query("INSERT INTO entry_fts (entry_id, person_id, org_id, search_text) VALUES ($1, $2, $3, $4)")
            .bind(entry_id)
            .bind(person_id)
            .bind(org_id.unwrap_or(""))
            .bind(text)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Remove an entry's text from the index (erasure).
pub(crate) async fn unindex_entry(
    backend: Backend,
    tx: &mut Transaction<'_, Any>,
    entry_id: &str,
) -> Result<()> {
    if backend == Backend::Sqlite {
        sqlx::query("DELETE FROM entry_fts WHERE entry_id = $1")
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
    use super::fts5_query;

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
