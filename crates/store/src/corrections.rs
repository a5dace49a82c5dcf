//! Corrections and the entries they correct, found from either end: a page marks an
//! entry corrected, and a correction links to its entry, wherever the other one is.

use crate::{EntryRow, Result, Store};
use slingshot_domain::ledger::Digest;
use std::collections::HashMap;

/// The entry a correction corrects: its hash (signed in the correction's header) and its
/// sequence number in the same relationship (stored beside the correction, to find it by).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CorrectionTarget {
    /// The corrected entry's hash.
    pub hash: Digest,
    /// The corrected entry's sequence number.
    pub seq: i64,
}

/// Where an entry is: enough to link to it on its conversation's page.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct EntryPlace {
    /// Its relationship.
    pub relationship_id: String,
    /// The entry.
    pub id: String,
    /// Its conversation.
    pub thread_id: String,
    /// Its time (µs), with its id the cursor of the page that holds it.
    pub at: i64,
    /// The sequence number this row was found by (the corrected entry's, for a correction).
    pub seq: i64,
}

/// The corrections of a page's entries and the targets of its corrections.
#[derive(Debug, Clone, Default)]
pub struct CorrectionLinks {
    /// Entry id → the latest correction of it.
    pub corrected_by: HashMap<String, EntryPlace>,
    /// Correction id → the entry it corrects.
    pub target_of: HashMap<String, EntryPlace>,
}

/// The hash (hex) a correction's canonical header names as the entry it corrects.
pub(crate) fn corrected_hash(header: &str) -> Option<String> {
    let header: serde_json::Value = serde_json::from_str(header).ok()?;
    header.get("corrects")?.as_str().map(str::to_owned)
}

/// (relationship, sequence number) → the ids of the page's rows it is looked up for.
type Wanted<'a> = HashMap<(&'a str, i64), Vec<&'a str>>;

/// How many rows one lookup serves (two short lists of parameters each).
const ROWS_PER_QUERY: usize = 250;

impl Store {
    /// Corrections of these entries, and the entries these corrections correct, in the
    /// same relationships: two indexed lookups for a page, whatever its relationships. The
    /// rows are ones the caller has already shown its viewer: a correction is a shared
    /// entry, which both sides of the relationship see.
    pub async fn correction_links(&self, rows: &[EntryRow]) -> Result<CorrectionLinks> {
        let mut out = CorrectionLinks::default();
        for chunk in rows.chunks(ROWS_PER_QUERY) {
            let mut shown = Wanted::new();
            let mut targets = Wanted::new();
            for r in chunk {
                let rel = r.relationship_id.as_str();
                if let Some(seq) = r.seq {
                    shown.entry((rel, seq)).or_default().push(&r.id);
                }
                if let Some(target) = r.corrects_seq {
                    targets.entry((rel, target)).or_default().push(&r.id);
                }
            }
            let by = self
                .places(
                    &shown,
                    "SELECT relationship_id, id, thread_id, at, corrects_seq AS seq FROM entries \
                     WHERE kind = 'correction' AND relationship_id IN ({rels}) AND corrects_seq IN ({seqs}) \
                     ORDER BY at, id",
                )
                .await?;
            out.corrected_by.extend(by);
            let of = self
                .places(
                    &targets,
                    "SELECT relationship_id, id, thread_id, at, seq FROM entries \
                     WHERE relationship_id IN ({rels}) AND seq IN ({seqs})",
                )
                .await?;
            out.target_of.extend(of);
        }
        Ok(out)
    }

    /// Run `sql` (`{rels}`, then `{seqs}`) for the wanted pairs; each row found is keyed
    /// by the ids its pair is for, in the order found (a later row replaces an earlier).
    async fn places(&self, wanted: &Wanted<'_>, sql: &str) -> Result<Vec<(String, EntryPlace)>> {
        if wanted.is_empty() {
            return Ok(Vec::new());
        }
        let mut rels: Vec<&str> = wanted.keys().map(|(r, _)| *r).collect();
        let mut seqs: Vec<i64> = wanted.keys().map(|(_, s)| *s).collect();
        rels.sort_unstable();
        rels.dedup();
        seqs.sort_unstable();
        seqs.dedup();
        let list = crate::sql::list(self.backend(), rels.len() + seqs.len());
        let mut params = list.split(", ");
        let rels_p: Vec<&str> = params.by_ref().take(rels.len()).collect();
        let seqs_p: Vec<&str> = params.collect();
        let sql = sql
            .replace("{rels}", &rels_p.join(", "))
            .replace("{seqs}", &seqs_p.join(", "));
        let mut q = sqlx::query_as::<_, EntryPlace>(&sql);
        for r in &rels {
            q = q.bind(*r);
        }
        for n in &seqs {
            q = q.bind(*n);
        }
        let mut out = Vec::new();
        for place in q.fetch_all(&self.pool).await? {
            let key = (place.relationship_id.as_str(), place.seq);
            for id in wanted.get(&key).into_iter().flatten() {
                out.push(((*id).to_owned(), place.clone()));
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_chain::Chain;
    use slingshot_domain::ledger::{EntryKind, Side};

    crate::dual_test!(
        a_correction_and_its_entry_find_each_other_stored_or_migrated,
        |db: crate::testing::TestDb| async move {
            let s = &db.store;
            let c = Chain::new(s).await;
            let first = s
                .append_entries(
                    &[c.message("Size M", None), c.message("Thanks", None)],
                    &c.keys,
                )
                .await
                .unwrap();
            let (wrong, other) = (&first[0], &first[1]);
            let mut fix = c.message("I meant size L", None);
            fix.kind = EntryKind::Correction;
            fix.corrects = Some(CorrectionTarget {
                hash: Digest::parse(wrong.hash.as_deref().unwrap()).unwrap(),
                seq: wrong.seq.unwrap(),
            });
            let fixed = s.append_entries(&[fix], &c.keys).await.unwrap().remove(0);
            let page = s
                .timeline_relationship(&c.rel, Side::Customer, None, None, 50)
                .await
                .unwrap();
            let stored = |id: &str| page.iter().find(|r| r.id == id).unwrap().clone();
            assert_eq!(stored(&fixed.id).corrects_seq, wrong.seq);
            assert_eq!(stored(&wrong.id).corrects_seq, None);

            // From the corrected entry alone (the correction on another page) and back;
            // another relationship's entry of the same number is not corrected by it.
            let c2 = Chain::new_named(s, "wendy").await;
            let theirs = s
                .append_entries(&[c2.message("Hello", None)], &c2.keys)
                .await
                .unwrap()
                .remove(0);
            assert_eq!(theirs.seq, wrong.seq);
            let links = s
                .correction_links(&[stored(&wrong.id), theirs.clone()])
                .await
                .unwrap();
            let by = &links.corrected_by[&wrong.id];
            assert_eq!((by.id.as_str(), by.at), (fixed.id.as_str(), fixed.at));
            assert!(!links.corrected_by.contains_key(&other.id));
            assert!(!links.corrected_by.contains_key(&theirs.id));
            let links = s.correction_links(&[stored(&fixed.id)]).await.unwrap();
            let target = &links.target_of[&fixed.id];
            assert_eq!((target.id.as_str(), target.seq), (wrong.id.as_str(), 1));
            assert_eq!(links.corrected_by.len(), 0);

            // Corrections stored before the column are given their entry's number by the
            // migration that added it.
            db.execute("UPDATE entries SET corrects_seq = NULL").await;
            let migration = include_str!("../migrations/0013_correction_targets.sql");
            let update = migration
                .split(';')
                .find(|s| s.trim_start().starts_with("UPDATE"))
                .unwrap();
            db.execute(update).await;
            let page = s
                .timeline_relationship(&c.rel, Side::Customer, None, None, 50)
                .await
                .unwrap();
            let seqs: Vec<Option<i64>> = page.iter().map(|r| r.corrects_seq).collect();
            assert_eq!(seqs, vec![wrong.seq, None, None], "newest first");
        }
    );
}
