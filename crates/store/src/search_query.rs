//! Searching entries: the person's search over what they wrote or received, and an
//! organization's over its customers' shared conversations, newest first, a page at a time.
//! The index itself is kept in [`crate::search`].

use crate::entries::{any_args, filter_conds, Arg};
use crate::search::fts5_query;
use crate::{Backend, Result, Store, TimelineFilter};

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
    /// The thread's subject.
    pub subject: String,
    /// The vendor's name, as the person sees it.
    pub vendor_name: String,
    /// The customer's pairwise pseudonym, as the vendor sees them.
    pub pseudonym: String,
    /// An excerpt with matches between `<mark>` and `</mark>`; the rest is plain text
    /// (escape it before marking up).
    pub snippet: String,
    /// On SQLite, the hit's place in the index (the next page starts below it).
    pub search_key: Option<i64>,
}

impl SearchHit {
    /// The cursor for the page after this hit (`?before=`): a timeline's form
    /// (`<at>:<entry id>`), with the hit's place in the index after it on SQLite.
    pub fn cursor(&self) -> String {
        match self.search_key {
            Some(key) => format!("{}:{}:{key}", self.at, self.entry_id),
            None => self.entry_cursor(),
        }
    }

    /// Where the hit's entry is on its thread's timeline (`<at>:<entry id>`).
    pub fn entry_cursor(&self) -> String {
        format!("{}:{}", self.at, self.entry_id)
    }
}

/// Whose search it is, and so what it covers.
#[derive(Debug, Clone, Copy)]
pub enum Searcher<'a> {
    /// A person: everything they wrote or received, never the vendor side's private notes.
    Person(&'a str),
    /// A member (owner, admin, agent) of an organization: its shared relationships as the
    /// vendor side sees them, never the customer's private notes.
    Org {
        /// The member searching.
        actor: &'a str,
        /// The organization's id.
        org_id: &'a str,
    },
}

/// A page of search: at most `limit` hits after `before` (a cursor of the previous page).
#[derive(Debug, Clone, Copy, Default)]
pub struct SearchPage<'a> {
    /// The cursor ([`SearchHit::cursor`]) of the last hit of the previous page.
    pub before: Option<&'a str>,
    /// At most this many hits.
    pub limit: i64,
}

/// On PostgreSQL, an organization with at most this many shared relationships is searched
/// one relationship at a time, each walked newest first on its time index until a page of
/// matches is found; a larger one through the full-text index (every match, then sorted).
const FEW_RELATIONSHIPS: i64 = 100;

/// An organization's page, relationship by relationship (see [`FEW_RELATIONSHIPS`]): each
/// relationship's newest matches, then the newest of those.
fn org_page_by_relationship(conds: &str, limit: i64) -> String {
    format!(
        "SELECT p.* FROM relationships rr CROSS JOIN LATERAL (\
           SELECT e.id, e.relationship_id, e.thread_id, e.at, b.search_text FROM entries e \
           JOIN entry_bodies b ON b.entry_id = e.id JOIN threads t ON t.id = e.thread_id \
           WHERE e.relationship_id = rr.id AND (e.private_side IS NULL OR e.private_side = 'vendor') \
           AND to_tsvector('simple', b.search_text) @@ plainto_tsquery('simple', $1){conds} \
           ORDER BY e.at DESC, e.id DESC LIMIT {limit}) p \
         WHERE rr.org_id = $2 AND rr.shared_at IS NOT NULL \
         ORDER BY p.at DESC, p.id DESC LIMIT {limit}"
    )
}

/// The hit's columns, from `e` (entries), `t` (threads), `r` (relationships).
const HIT_COLS: &str = "e.id AS entry_id, e.relationship_id, e.thread_id, e.at, t.subject, \
    r.vendor_name, r.pseudonym";

impl Store {
    /// Full-text search over what the person wrote or received (never the vendor side's
    /// private notes), newest first.
    pub async fn search_person(
        &self,
        person: &str,
        query: &str,
        limit: i64,
    ) -> Result<Vec<SearchHit>> {
        let page = SearchPage {
            before: None,
            limit,
        };
        self.search(
            Searcher::Person(person),
            query,
            &TimelineFilter::default(),
            page,
        )
        .await
    }

    /// Full-text search for `who`, narrowed as a timeline is (one relationship, a stage, a
    /// status, a tag, a span of days), newest first, one page. An organization's search is
    /// for its owners, admins and agents only (`NotFound` for anyone else).
    pub async fn search(
        &self,
        who: Searcher<'_>,
        query: &str,
        f: &TimelineFilter,
        page: SearchPage<'_>,
    ) -> Result<Vec<SearchHit>> {
        if let Searcher::Org { actor, org_id } = who {
            self.require_vendor_member(actor, org_id).await?;
        }
        let q = match self.backend() {
            Backend::Sqlite => match fts5_query(query) {
                Some(q) => q,
                None => return Ok(Vec::new()),
            },
            Backend::Postgres => query.to_owned(),
        };
        let mut args = vec![Arg::S(q)];
        let whose = match who {
            Searcher::Person(person) => {
                args.push(Arg::S(person.to_owned()));
                "e.person_id = $2 AND (e.private_side IS NULL OR e.private_side = 'customer')"
            }
            Searcher::Org { org_id, .. } => {
                args.push(Arg::S(org_id.to_owned()));
                "r.org_id = $2 AND r.shared_at IS NOT NULL \
                 AND (e.private_side IS NULL OR e.private_side = 'vendor')"
            }
        };
        let mut conds = filter_conds(f, &mut args);
        let after = Self::after_cursor(page.before, self.backend(), &mut args);
        conds.push_str(&after);
        let limit = crate::sql::limit(page.limit);
        let sql = match self.backend() {
            // The searcher's rows are also marked in the index itself, checked before any
            // join (an organization's while the history is shared: `search::mark_shared`);
            // the joins then check against the relationship as it is now.
            Backend::Sqlite => {
                let person = match who {
                    Searcher::Person(_) => "AND f.person_id = $2 ",
                    Searcher::Org { .. } => "AND f.org_id = $2 ",
                };
                format!(
                    "SELECT {HIT_COLS}, snippet(entry_fts, 3, '<mark>', '</mark>', '…', 16) AS snippet, f.rowid AS search_key \
                     FROM entry_fts f JOIN entries e ON e.id = f.entry_id \
                     JOIN threads t ON t.id = e.thread_id JOIN relationships r ON r.id = e.relationship_id \
                     WHERE entry_fts MATCH $1 {person}AND {whose}{conds} \
                     ORDER BY f.rowid DESC LIMIT {limit}"
                )
            }
            // The page first (newest matches, walking the time index or the GIN index as
            // the planner sees fit), then headlines for the page only.
            Backend::Postgres => {
                let page = match who {
                    Searcher::Org { org_id, .. } if self.few_relationships(org_id).await? => {
                        org_page_by_relationship(&conds, limit)
                    }
                    _ => format!(
                        "SELECT e.id, e.relationship_id, e.thread_id, e.at, b.search_text FROM entries e \
                         JOIN entry_bodies b ON b.entry_id = e.id JOIN threads t ON t.id = e.thread_id \
                         JOIN relationships r ON r.id = e.relationship_id \
                         WHERE {whose} \
                         AND to_tsvector('simple', b.search_text) @@ plainto_tsquery('simple', $1){conds} \
                         ORDER BY e.at DESC, e.id DESC LIMIT {limit}"
                    ),
                };
                format!(
                    "SELECT {HIT_COLS}, \
                     ts_headline('simple', e.search_text, plainto_tsquery('simple', $1), 'StartSel=<mark>, StopSel=</mark>, MaxWords=24, MinWords=8') AS snippet, \
                     CAST(NULL AS BIGINT) AS search_key \
                     FROM ({page}) e \
                     JOIN threads t ON t.id = e.thread_id JOIN relationships r ON r.id = e.relationship_id \
                     ORDER BY e.at DESC, e.id DESC"
                )
            }
        };
        Ok(sqlx::query_as_with(&sql, any_args(args)?)
            .fetch_all(&self.pool)
            .await?)
    }

    /// Whether the organization shares at most [`FEW_RELATIONSHIPS`] relationships.
    async fn few_relationships(&self, org_id: &str) -> Result<bool> {
        let n: i64 = sqlx::query_scalar(&format!(
            "SELECT count(*) FROM (SELECT 1 FROM relationships WHERE org_id = $1 \
             AND shared_at IS NOT NULL LIMIT {}) x",
            FEW_RELATIONSHIPS + 1
        ))
        .bind(org_id)
        .fetch_one(&self.pool)
        .await?;
        Ok(n <= FEW_RELATIONSHIPS)
    }

    /// The condition for hits after the cursor `before` ([`SearchHit::cursor`]): on
    /// SQLite, below the place in the index it names (the index's own order; a cursor
    /// without one is placed by its time); on PostgreSQL, before its time and id. A
    /// cursor not in that form (see [`crate::is_cursor`]) reads from the newest. Nothing
    /// is looked up by the cursor's entry id, so a cursor tells nothing of others' entries.
    fn after_cursor(before: Option<&str>, backend: Backend, args: &mut Vec<Arg>) -> String {
        let Some(c) = before else {
            return String::new();
        };
        let (at, id) = crate::entries::parse_cursor(Some(c));
        match backend {
            Backend::Sqlite => {
                let key = match id.split_once(':') {
                    Some((id, key)) => key
                        .parse()
                        .unwrap_or_else(|_| crate::search::search_key(at, id)),
                    None => crate::search::search_key(at, &id),
                };
                args.push(Arg::I(key));
                format!(" AND f.rowid < ${}", args.len())
            }
            Backend::Postgres => {
                args.push(Arg::I(at));
                args.push(Arg::S(id.to_owned()));
                let n = args.len();
                format!(
                    " AND (e.at < ${} OR (e.at = ${} AND e.id < ${n}))",
                    n - 1,
                    n - 1
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{SearchPage, Searcher};
    use crate::test_chain::Chain;
    use crate::testing::TestDb;
    use crate::TimelineFilter;

    crate::dual_test!(
        pages_hold_every_hit_once_even_of_one_instant,
        |db: TestDb| async move {
            let s = &db.store;
            let c = Chain::new(s).await;
            let now = crate::now_us();
            // Mail sharing one `Date`: 45 entries of one instant, then two later ones.
            let mut items: Vec<_> = (0..45)
                .map(|i| {
                    let mut e = c.message(&format!("invoice copy {i}"), None);
                    e.at_us = now - 86_400_000_000;
                    e
                })
                .collect();
            items.push(c.message("invoice later", None));
            items.push(c.message("invoice latest", None));
            let rows = s.append_entries(&items, &c.keys).await.unwrap();
            let f = TimelineFilter::default();
            let mut seen = Vec::new();
            let mut cursor: Option<String> = None;
            loop {
                let page = SearchPage {
                    before: cursor.as_deref(),
                    limit: 10,
                };
                let hits = s
                    .search(Searcher::Person(&c.person), "invoice", &f, page)
                    .await
                    .unwrap();
                assert!(hits.len() <= 10);
                let full = hits.len() == 10;
                cursor = hits.last().map(|h| h.cursor());
                seen.extend(hits);
                if !full {
                    break;
                }
            }
            assert_eq!(seen.len(), 47);
            assert!(
                seen.windows(2).all(|w| w[0].at >= w[1].at),
                "not newest first"
            );
            let mut ids: Vec<&str> = seen.iter().map(|h| h.entry_id.as_str()).collect();
            assert_eq!(ids[0], rows[46].id);
            assert_eq!(ids[1], rows[45].id);
            ids.sort_unstable();
            ids.dedup();
            assert_eq!(ids.len(), 47, "a hit came twice");
            // A person's search never reaches an organization's: walter has none.
            let org = Searcher::Org {
                actor: &c.person,
                org_id: "no-such-org",
            };
            let page = SearchPage {
                before: None,
                limit: 10,
            };
            let e = s.search(org, "invoice", &f, page).await.unwrap_err();
            assert!(matches!(e, crate::StoreError::NotFound), "{e:?}");
        }
    );

    crate::dual_test!(
        erasing_the_last_hit_of_a_page_skips_nothing_after_it,
        |db: TestDb| async move {
            let s = &db.store;
            let c = Chain::new(s).await;
            let at = crate::now_us() - 86_400_000_000;
            // Mail sharing one `Date`: their search keys collide and are probed upwards.
            let items: Vec<_> = (0..45)
                .map(|i| {
                    let mut e = c.message(&format!("receipt copy {i}"), None);
                    e.at_us = at;
                    e
                })
                .collect();
            s.append_entries(&items, &c.keys).await.unwrap();
            let f = TimelineFilter::default();
            let who = Searcher::Person(&c.person);
            let page = |before| SearchPage { before, limit: 10 };
            let first = s.search(who, "receipt", &f, page(None)).await.unwrap();
            let last = first.last().unwrap();
            s.erase_entry(&c.person, &last.entry_id).await.unwrap();
            let cursor = last.cursor();
            let rest = s
                .search(who, "receipt", &f, page(Some(&cursor)))
                .await
                .unwrap();
            let rest_all = s
                .search(
                    who,
                    "receipt",
                    &f,
                    SearchPage {
                        before: Some(&cursor),
                        limit: 100,
                    },
                )
                .await
                .unwrap();
            assert_eq!(rest.len(), 10);
            assert_eq!(rest_all.len(), 35, "hits after the erased one were skipped");
            let shown: std::collections::HashSet<&str> =
                first.iter().map(|h| h.entry_id.as_str()).collect();
            assert!(rest_all
                .iter()
                .all(|h| !shown.contains(h.entry_id.as_str())));
        }
    );

    crate::dual_test!(
        an_organization_with_many_customers_finds_theirs_only,
        |db: TestDb| async move {
            use slingshot_domain::ledger::EntryKind;
            use slingshot_domain::{Handle, OrgKind, OrgName};
            let s = &db.store;
            let owner = crate::test_chain::plain_user(s, "owner").await;
            let org = s
                .create_org(
                    &owner.id,
                    &Handle::parse("bigco").unwrap(),
                    &OrgName::parse("Big Co").unwrap(),
                    OrgKind::Vendor,
                    "127.0.0.1",
                )
                .await
                .unwrap();
            // More customers than are searched one relationship at a time.
            let mut written = Vec::new();
            for i in 0..=crate::search_query::FEW_RELATIONSHIPS {
                let c = Chain::new_named(s, &format!("customer{i:03}")).await;
                s.share_with_org(&c.person, &c.rel, &org.id).await.unwrap();
                if i % 40 == 0 {
                    let mut note = c.message("teapot: my own note", None);
                    note.kind = EntryKind::Note;
                    let items = [c.message(&format!("teapot {i} is cracked"), None), note];
                    let rows = s.append_entries(&items, &c.keys).await.unwrap();
                    written.push(rows[0].id.clone());
                }
            }
            // Someone who is not a customer of bigco.
            let other = Chain::new_named(s, "stranger").await;
            let items = [other.message("teapot elsewhere", None)];
            s.append_entries(&items, &other.keys).await.unwrap();
            written.reverse();

            let f = TimelineFilter::default();
            let who = Searcher::Org {
                actor: &owner.id,
                org_id: &org.id,
            };
            let mut seen = Vec::new();
            let mut cursor: Option<String> = None;
            loop {
                let page = SearchPage {
                    before: cursor.as_deref(),
                    limit: 2,
                };
                let hits = s.search(who, "teapot", &f, page).await.unwrap();
                cursor = hits.last().map(|h| h.cursor());
                let full = hits.len() == 2;
                seen.extend(hits.into_iter().map(|h| h.entry_id));
                if !full {
                    break;
                }
            }
            assert_eq!(seen, written);
        }
    );
}
