//! The ledger: appending entries (in groups, one transaction and one fsync per group),
//! reading timelines, erasing bodies.
//!
//! Shared entries get the next sequence number and the previous hash of their
//! relationship's chain, and are signed by their side's key; private notes are kept off
//! the chain. Entries are never updated in place; erasure removes only the body.

use crate::relationships::Relationship;
use crate::search::{index_entry, unindex_entry};
use crate::{new_id, Result, Store, StoreError};
use serde_json::Value;
use slingshot_domain::ledger::{
    next_header, ChainTip, Digest, EntryDraft, EntryKind, KeyId, LedgerTime, Side, SignedEntry,
    SigningKey,
};
use std::collections::HashMap;

/// One entry to append. Access was checked by the caller with
/// [`Store::thread_for`]; `relationship` is what that returned.
#[derive(Debug, Clone)]
pub struct NewEntry {
    /// The relationship (its id, person and organization name the signing key).
    pub relationship_id: String,
    /// The person (customer) of the relationship.
    pub person_id: String,
    /// The organization, when two-sided.
    pub org_id: Option<String>,
    /// The thread.
    pub thread_id: String,
    /// The author's side.
    pub side: Side,
    /// The author's account.
    pub author_id: String,
    /// What it is.
    pub kind: EntryKind,
    /// The body (its digest is hashed and signed).
    pub body: Value,
    /// Plain text for search.
    pub search_text: String,
    /// De-duplication reference (an imported e-mail's digest).
    pub source_ref: Option<String>,
    /// For corrections: the hash of the corrected entry.
    pub corrects: Option<Digest>,
    /// Microseconds since the epoch.
    pub at_us: i64,
}

impl NewEntry {
    /// The key owner that signs this entry: the person, or the organization.
    pub fn signer(&self) -> String {
        match (self.side, &self.org_id) {
            (Side::Vendor, Some(org)) => format!("org:{org}"),
            _ => format!("user:{}", self.person_id),
        }
    }

    /// Fill relationship fields from a relationship.
    pub fn in_relationship(rel: &Relationship) -> (String, String, Option<String>) {
        (rel.id.clone(), rel.person_id.clone(), rel.org_id.clone())
    }
}

/// A stored entry as timelines show it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EntryRow {
    /// UUIDv7.
    pub id: String,
    /// Relationship.
    pub relationship_id: String,
    /// Vendor's name.
    pub vendor_name: String,
    /// Thread.
    pub thread_id: String,
    /// Thread subject.
    pub subject: String,
    /// Chain position (None for private notes).
    pub seq: Option<i64>,
    /// `customer` or `vendor`.
    pub side: String,
    /// Author account.
    pub author_id: Option<String>,
    /// Kind's stable name.
    pub kind: String,
    /// Microseconds since the epoch.
    pub at: i64,
    /// Entry hash (hex), for chain entries.
    pub hash: Option<String>,
    /// The body JSON; None when erased.
    pub body: Option<String>,
    /// When the body was erased.
    pub erased_at: Option<i64>,
    /// For private notes: the side that sees it.
    pub private_side: Option<String>,
}

/// Filters for the person's timeline.
#[derive(Debug, Clone, Default)]
pub struct TimelineFilter {
    /// One relationship (vendor).
    pub relationship_id: Option<String>,
    /// Thread stage.
    pub stage: Option<String>,
    /// Thread status.
    pub status: Option<String>,
    /// Thread tag.
    pub tag: Option<String>,
    /// From this time (µs, inclusive).
    pub from_us: Option<i64>,
    /// Until this time (µs, exclusive).
    pub to_us: Option<i64>,
}

const ENTRY_SELECT: &str = "SELECT e.id, e.relationship_id, r.vendor_name, e.thread_id, t.subject, e.seq, e.side, e.author_id, e.kind, e.at, \
     e.hash, b.body, e.erased_at, e.private_side FROM entries e JOIN threads t ON t.id = e.thread_id \
     JOIN relationships r ON r.id = e.relationship_id LEFT JOIN entry_bodies b ON b.entry_id = e.id";

/// A timeline cursor: `<at>:<id>` of the last row seen.
fn parse_cursor(c: Option<&str>) -> (i64, String) {
    c.and_then(|c| c.split_once(':'))
        .and_then(|(at, id)| Some((at.parse().ok()?, id.to_owned())))
        .unwrap_or((i64::MAX, "~".into()))
}

/// The cursor after a row.
pub fn cursor_of(e: &EntryRow) -> String {
    format!("{}:{}", e.at, e.id)
}

fn ledger_time(us: i64) -> Result<LedgerTime> {
    let s = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(us) * 1000)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .ok_or_else(|| StoreError::Corrupt(format!("time {us}")))?;
    LedgerTime::parse(&s).map_err(|e| StoreError::Corrupt(e.to_string()))
}

impl Store {
    /// Append a group of entries in one transaction: one durable commit for all. Either
    /// all are stored or none (the caller retries one by one to find the bad one).
    /// `keys` holds the signing key of every signer named by [`NewEntry::signer`].
    pub async fn append_entries(
        &self,
        items: &[NewEntry],
        keys: &HashMap<String, SigningKey>,
    ) -> Result<Vec<EntryRow>> {
        let mut tx = self.pool.begin().await?;
        let mut tips: HashMap<String, (i64, Option<ChainTip>)> = HashMap::new();
        let mut out = Vec::with_capacity(items.len());
        for it in items {
            if !tips.contains_key(&it.relationship_id) {
                let (seq, hash): (i64, String) =
                    sqlx::query_as("SELECT head_seq, head_hash FROM relationships WHERE id = $1")
                        .bind(&it.relationship_id)
                        .fetch_optional(&mut *tx)
                        .await?
                        .ok_or(StoreError::NotFound)?;
                let tip = if seq == 0 {
                    None
                } else {
                    let hash =
                        Digest::parse(&hash).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                    Some(ChainTip {
                        relationship: it.relationship_id.clone(),
                        sequence: u64::try_from(seq).unwrap_or(0),
                        hash,
                    })
                };
                tips.insert(it.relationship_id.clone(), (seq, tip));
            }
            let id = new_id();
            let body_text = it.body.to_string();
            let (seq, hash, key_id, signature, header_json, digest) = if it.kind.is_shared() {
                let key = keys
                    .get(&it.signer())
                    .ok_or(StoreError::Unsupported("no signing key for this side"))?;
                let tip = tips.get(&it.relationship_id).and_then(|t| t.1.clone());
                let draft = EntryDraft {
                    relationship: it.relationship_id.clone(),
                    author_side: it.side,
                    author_key_id: KeyId::of(&key.verifying_key()),
                    kind: it.kind,
                    thread: it.thread_id.clone(),
                    time: ledger_time(it.at_us)?,
                    body: &it.body,
                    corrects: it.corrects,
                };
                let header = next_header(tip.as_ref(), draft)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                let signed = SignedEntry::sign(header, key)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                let header_json = serde_json::to_string(&signed.header)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                let seq = i64::try_from(signed.header.sequence).unwrap_or(i64::MAX);
                let digest = signed.header.body_digest.to_hex();
                if let Some(t) = tips.get_mut(&it.relationship_id) {
                    t.1 = Some(ChainTip::of(&signed));
                }
                (
                    Some(seq),
                    Some(signed.hash.to_hex()),
                    Some(signed.header.author_key_id.to_string()),
                    Some(slingshot_domain::ledger::signature_to_base64url(
                        &signed.signature,
                    )),
                    Some(header_json),
                    digest,
                )
            } else {
                let digest = slingshot_domain::ledger::body_digest(&it.body)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                (None, None, None, None, None, digest.to_hex())
            };
            let private_side = (!it.kind.is_shared()).then(|| it.side.as_str());
            sqlx::query(
                "INSERT INTO entries (id, relationship_id, thread_id, seq, side, author_id, kind, at, header, hash, key_id, signature, body_digest, private_side, source_ref) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
            )
            .bind(&id)
            .bind(&it.relationship_id)
            .bind(&it.thread_id)
            .bind(seq)
            .bind(it.side.as_str())
            .bind(&it.author_id)
            .bind(it.kind.as_str())
            .bind(it.at_us)
            .bind(&header_json)
            .bind(&hash)
            .bind(&key_id)
            .bind(&signature)
            .bind(&digest)
            .bind(private_side)
            .bind(&it.source_ref)
            .execute(&mut *tx)
            .await
            .map_err(crate::error::conflict_on_unique("entry (already imported)"))?;
            sqlx::query(
                "INSERT INTO entry_bodies (entry_id, body, search_text) VALUES ($1, $2, $3)",
            )
            .bind(&id)
            .bind(&body_text)
            .bind(&it.search_text)
            .execute(&mut *tx)
            .await?;
            index_entry(
                self.backend(),
                &mut tx,
                &id,
                &it.person_id,
                it.org_id.as_deref(),
                &it.search_text,
            )
            .await?;
            let customer_message = it.side == Side::Customer && it.kind != EntryKind::Note;
            sqlx::query(
                "UPDATE threads SET last_activity_at = $1, last_customer_at = CASE WHEN $2 = 1 THEN $1 ELSE last_customer_at END WHERE id = $3",
            )
            .bind(it.at_us)
            .bind(i64::from(customer_message))
            .bind(&it.thread_id)
            .execute(&mut *tx)
            .await?;
            out.push(EntryRow {
                id,
                relationship_id: it.relationship_id.clone(),
                vendor_name: String::new(),
                thread_id: it.thread_id.clone(),
                subject: String::new(),
                seq,
                side: it.side.as_str().to_owned(),
                author_id: Some(it.author_id.clone()),
                kind: it.kind.as_str().to_owned(),
                at: it.at_us,
                hash,
                body: Some(body_text),
                erased_at: None,
                private_side: private_side.map(str::to_owned),
            });
        }
        for (rel, (old_seq, tip)) in &tips {
            let Some(tip) = tip else { continue };
            let new_seq = i64::try_from(tip.sequence).unwrap_or(i64::MAX);
            if new_seq == *old_seq {
                continue;
            }
            // Optimistic check: another server appending to the same chain makes this fail
            // and the whole group roll back.
            let n = sqlx::query("UPDATE relationships SET head_seq = $1, head_hash = $2 WHERE id = $3 AND head_seq = $4")
                .bind(new_seq)
                .bind(tip.hash.to_hex())
                .bind(rel)
                .bind(old_seq)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n == 0 {
                return Err(StoreError::Conflict(
                    "the relationship's chain moved; retry",
                ));
            }
        }
        tx.commit().await?;
        Ok(out)
    }

    /// The person's timeline across vendors, newest first; the vendor side's private
    /// notes are never included.
    pub async fn timeline_person(
        &self,
        person: &str,
        f: &TimelineFilter,
        before: Option<&str>,
        limit: i64,
    ) -> Result<Vec<EntryRow>> {
        let (at, id) = parse_cursor(before);
        Ok(sqlx::query_as(&format!(
            "{ENTRY_SELECT} WHERE r.person_id = $1 AND (e.private_side IS NULL OR e.private_side = 'customer') \
             AND ($2 = '' OR e.relationship_id = $2) AND ($3 = '' OR t.stage = $3) AND ($4 = '' OR t.status = $4) \
             AND ($5 = '' OR EXISTS (SELECT 1 FROM thread_tags g WHERE g.thread_id = e.thread_id AND g.tag = $5)) \
             AND e.at >= $6 AND e.at < $7 AND (e.at < $8 OR (e.at = $8 AND e.id < $9)) \
             ORDER BY e.at DESC, e.id DESC LIMIT $10"
        ))
        .bind(person)
        .bind(f.relationship_id.as_deref().unwrap_or(""))
        .bind(f.stage.as_deref().unwrap_or(""))
        .bind(f.status.as_deref().unwrap_or(""))
        .bind(f.tag.as_deref().unwrap_or(""))
        .bind(f.from_us.unwrap_or(i64::MIN))
        .bind(f.to_us.unwrap_or(i64::MAX))
        .bind(at)
        .bind(id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// One relationship's timeline as `side` sees it (no private notes of the other side).
    pub async fn timeline_relationship(
        &self,
        relationship_id: &str,
        side: Side,
        thread: Option<&str>,
        before: Option<&str>,
        limit: i64,
    ) -> Result<Vec<EntryRow>> {
        let (at, id) = parse_cursor(before);
        Ok(sqlx::query_as(&format!(
            "{ENTRY_SELECT} WHERE e.relationship_id = $1 AND (e.private_side IS NULL OR e.private_side = $2) \
             AND ($3 = '' OR e.thread_id = $3) AND (e.at < $4 OR (e.at = $4 AND e.id < $5)) ORDER BY e.at DESC, e.id DESC LIMIT $6"
        ))
        .bind(relationship_id)
        .bind(side.as_str())
        .bind(thread.unwrap_or(""))
        .bind(at)
        .bind(id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Erase an entry's body at the person's request: the chain keeps its digest and
    /// still verifies. Only the relationship's person may erase.
    pub async fn erase_entry(&self, person: &str, entry_id: &str) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let owner: Option<String> = sqlx::query_scalar(
            "SELECT r.person_id FROM entries e JOIN relationships r ON r.id = e.relationship_id WHERE e.id = $1",
        )
        .bind(entry_id)
        .fetch_optional(&mut *tx)
        .await?;
        if owner.as_deref() != Some(person) {
            return Err(StoreError::NotFound);
        }
        sqlx::query("DELETE FROM entry_bodies WHERE entry_id = $1")
            .bind(entry_id)
            .execute(&mut *tx)
            .await?;
        unindex_entry(self.backend(), &mut tx, entry_id).await?;
        sqlx::query("UPDATE entries SET erased_at = $1 WHERE id = $2 AND erased_at IS NULL")
            .bind(crate::now_us())
            .bind(entry_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

impl Store {
    /// Source references (imported e-mail digests) already stored in a person's relationships.
    pub async fn source_refs_of(&self, person: &str) -> Result<std::collections::HashSet<String>> {
        let refs: Vec<String> = sqlx::query_scalar(
            "SELECT e.source_ref FROM entries e JOIN relationships r ON r.id = e.relationship_id \
             WHERE r.person_id = $1 AND e.source_ref IS NOT NULL",
        )
        .bind(person)
        .fetch_all(&self.pool)
        .await?;
        Ok(refs.into_iter().collect())
    }
}
