//! The ledger: appending entries (in groups, one transaction and one fsync per group),
//! reading timelines, erasing bodies.
//!
//! Shared entries get the next sequence number and the previous hash of their
//! relationship's chain, and are signed by their side's key; private notes are kept off
//! the chain. Entries are never updated in place; erasure removes only the body.

use crate::search::{index_entries, unindex_entry};
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
    /// A file stored with the entry, in the same transaction.
    pub attachment: Option<AttachmentData>,
}

/// A file's content and checked metadata (its digest is in the entry's body).
#[derive(Debug, Clone)]
pub struct AttachmentData {
    /// UUIDv7.
    pub id: String,
    /// Name as uploaded (sanitised by the caller).
    pub filename: String,
    /// The checked content type.
    pub content_type: String,
    /// Hex SHA-256 of the content.
    pub sha256: String,
    /// The bytes.
    pub data: Vec<u8>,
}

impl NewEntry {
    /// The key owner that signs this entry: the person, or the organization.
    pub fn signer(&self) -> String {
        signer_owner(&self.person_id, self.org_id.as_deref(), self.side)
    }
}

/// The key owner that signs for `side` of a relationship: `user:<person>` for the
/// customer, `org:<organization>` for the vendor.
pub fn signer_owner(person_id: &str, org_id: Option<&str>, side: Side) -> String {
    match (side, org_id) {
        (Side::Vendor, Some(org)) => format!("org:{org}"),
        _ => format!("user:{person_id}"),
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

/// [`ENTRY_SELECT`] over a subquery `page` of entries already limited and ordered: the
/// page is found on the entries' own index first, then joined (both planners keep this order).
const PAGE_SELECT: &str = "SELECT e.id, e.relationship_id, r.vendor_name, e.thread_id, t.subject, e.seq, e.side, e.author_id, e.kind, e.at, \
     e.hash, b.body, e.erased_at, e.private_side FROM ({page}) e JOIN threads t ON t.id = e.thread_id \
     JOIN relationships r ON r.id = e.relationship_id LEFT JOIN entry_bodies b ON b.entry_id = e.id ORDER BY e.at DESC, e.id DESC";

const ENTRY_SELECT: &str = "SELECT e.id, e.relationship_id, r.vendor_name, e.thread_id, t.subject, e.seq, e.side, e.author_id, e.kind, e.at, \
     e.hash, b.body, e.erased_at, e.private_side FROM entries e JOIN threads t ON t.id = e.thread_id \
     JOIN relationships r ON r.id = e.relationship_id LEFT JOIN entry_bodies b ON b.entry_id = e.id";

/// The chain columns of one entry (all `None` for private notes).
struct ChainFields {
    seq: Option<i64>,
    hash: Option<String>,
    key_id: Option<String>,
    signature: Option<String>,
    header: Option<String>,
    digest: String,
}

/// `($a, $b, …), (…)` for `rows` rows of `cols` columns, numbering from `first`.
fn placeholders(first: usize, rows: usize, cols: usize) -> String {
    let mut s = String::with_capacity(rows * cols * 5);
    for r in 0..rows {
        if r > 0 {
            s.push_str(", ");
        }
        s.push('(');
        for c in 0..cols {
            if c > 0 {
                s.push_str(", ");
            }
            s.push('$');
            s.push_str(&(first + r * cols + c).to_string());
        }
        s.push(')');
    }
    s
}

/// A bound argument of a query built at run time.
enum Arg {
    S(String),
    I(i64),
}

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
        let corrupt = |e: slingshot_domain::ledger::LedgerError| StoreError::Corrupt(e.to_string());
        let mut tx = self.pool.begin().await?;
        // The chain tips of every relationship in the group, read inside the transaction.
        let mut tips: HashMap<String, (i64, Option<ChainTip>)> = HashMap::new();
        let mut rel_ids: Vec<&str> = items.iter().map(|i| i.relationship_id.as_str()).collect();
        rel_ids.sort_unstable();
        rel_ids.dedup();
        for chunk in rel_ids.chunks(500) {
            let sql = format!(
                "SELECT id, head_seq, head_hash FROM relationships WHERE id IN ({})",
                (1..=chunk.len())
                    .map(|i| format!("${i}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            let mut q = sqlx::query_as::<_, (String, i64, String)>(&sql);
            for id in chunk {
                q = q.bind(*id);
            }
            for (id, seq, hash) in q.fetch_all(&mut *tx).await? {
                let tip = if seq == 0 {
                    None
                } else {
                    let sequence = u64::try_from(seq).unwrap_or(0);
                    Some(ChainTip {
                        relationship: id.clone(),
                        sequence,
                        hash: Digest::parse(&hash).map_err(corrupt)?,
                    })
                };
                tips.insert(id, (seq, tip));
            }
        }
        // Hash and sign in chain order, in memory.
        let mut out = Vec::with_capacity(items.len());
        let mut rows = Vec::with_capacity(items.len());
        for it in items {
            let tip_entry = tips
                .get_mut(&it.relationship_id)
                .ok_or(StoreError::NotFound)?;
            let id = new_id();
            let body_text = it.body.to_string();
            let private_side = (!it.kind.is_shared()).then(|| it.side.as_str());
            let row = if it.kind.is_shared() {
                let key = keys
                    .get(&it.signer())
                    .ok_or(StoreError::Unsupported("no signing key for this side"))?;
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
                let header = next_header(tip_entry.1.as_ref(), draft).map_err(corrupt)?;
                let signed = SignedEntry::sign(header, key).map_err(corrupt)?;
                tip_entry.1 = Some(ChainTip::of(&signed));
                ChainFields {
                    seq: Some(i64::try_from(signed.header.sequence).unwrap_or(i64::MAX)),
                    hash: Some(signed.hash.to_hex()),
                    key_id: Some(signed.header.author_key_id.to_string()),
                    signature: Some(slingshot_domain::ledger::signature_to_base64url(
                        &signed.signature,
                    )),
                    header: Some(
                        serde_json::to_string(&signed.header)
                            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    ),
                    digest: signed.header.body_digest.to_hex(),
                }
            } else {
                let digest = slingshot_domain::ledger::body_digest(&it.body).map_err(corrupt)?;
                ChainFields {
                    seq: None,
                    hash: None,
                    key_id: None,
                    signature: None,
                    header: None,
                    digest: digest.to_hex(),
                }
            };
            out.push(EntryRow {
                id: id.clone(),
                relationship_id: it.relationship_id.clone(),
                vendor_name: String::new(),
                thread_id: it.thread_id.clone(),
                subject: String::new(),
                seq: row.seq,
                side: it.side.as_str().to_owned(),
                author_id: Some(it.author_id.clone()),
                kind: it.kind.as_str().to_owned(),
                at: it.at_us,
                hash: row.hash.clone(),
                body: Some(body_text.clone()),
                erased_at: None,
                private_side: private_side.map(str::to_owned),
            });
            rows.push((id, it, row, body_text, private_side));
        }
        // Multi-row inserts: a few statements per group, not per entry.
        for chunk in rows.chunks(300) {
            let sql = format!(
                "INSERT INTO entries (id, relationship_id, thread_id, seq, side, author_id, kind, at, header, hash, key_id, signature, body_digest, private_side, source_ref, person_id) VALUES {}",
                placeholders(1, chunk.len(), 16)
            );
            let mut q = sqlx::query(&sql);
            for (id, it, r, _, private_side) in chunk {
                q = q
                    .bind(id)
                    .bind(&it.relationship_id)
                    .bind(&it.thread_id)
                    .bind(r.seq)
                    .bind(it.side.as_str())
                    .bind(&it.author_id)
                    .bind(it.kind.as_str())
                    .bind(it.at_us)
                    .bind(&r.header)
                    .bind(&r.hash)
                    .bind(&r.key_id)
                    .bind(&r.signature)
                    .bind(&r.digest)
                    .bind(*private_side)
                    .bind(&it.source_ref)
                    .bind(&it.person_id);
            }
            q.execute(&mut *tx)
                .await
                .map_err(crate::error::conflict_on_unique("entry (already imported)"))?;
            let sql = format!(
                "INSERT INTO entry_bodies (entry_id, body, search_text) VALUES {}",
                placeholders(1, chunk.len(), 3)
            );
            let mut q = sqlx::query(&sql);
            for (id, it, _, body_text, _) in chunk {
                q = q.bind(id).bind(body_text).bind(&it.search_text);
            }
            q.execute(&mut *tx).await?;
            let docs: Vec<(&str, &str, Option<&str>, &str)> = chunk
                .iter()
                .map(|(id, it, _, _, _)| {
                    (
                        id.as_str(),
                        it.person_id.as_str(),
                        it.org_id.as_deref(),
                        it.search_text.as_str(),
                    )
                })
                .collect();
            index_entries(self.backend(), &mut tx, &docs).await?;
        }
        for (id, it, _, _, _) in &rows {
            if let Some(att) = &it.attachment {
                sqlx::query("INSERT INTO attachments (id, entry_id, filename, content_type, size, sha256, data) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                    .bind(&att.id)
                    .bind(id)
                    .bind(&att.filename)
                    .bind(&att.content_type)
                    .bind(i64::try_from(att.data.len()).unwrap_or(i64::MAX))
                    .bind(&att.sha256)
                    .bind(att.data.clone())
                    .execute(&mut *tx)
                    .await?;
            }
        }
        // Thread activity: once per thread.
        let mut threads: HashMap<&str, (i64, Option<i64>)> = HashMap::new();
        for it in items {
            let e = threads
                .entry(it.thread_id.as_str())
                .or_insert((i64::MIN, None));
            e.0 = e.0.max(it.at_us);
            if it.side == Side::Customer && it.kind != EntryKind::Note {
                e.1 = Some(e.1.map_or(it.at_us, |c: i64| c.max(it.at_us)));
            }
        }
        for (thread, (last, customer)) in threads {
            sqlx::query(
                "UPDATE threads SET last_activity_at = CASE WHEN last_activity_at > $1 THEN last_activity_at ELSE $1 END, \
                 last_customer_at = COALESCE($2, last_customer_at) WHERE id = $3",
            )
            .bind(last)
            .bind(customer)
            .bind(thread)
            .execute(&mut *tx)
            .await?;
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
        // Only the filters given go into the query, so it walks the (person, time, id) index.
        let thread_filters = f.stage.is_some() || f.status.is_some() || f.tag.is_some();
        let mut sql = if thread_filters {
            format!("{ENTRY_SELECT} WHERE e.person_id = $1 AND (e.private_side IS NULL OR e.private_side = 'customer') AND (e.at, e.id) < ($2, $3)")
        } else {
            "SELECT * FROM entries e WHERE e.person_id = $1 AND (e.private_side IS NULL OR e.private_side = 'customer') AND (e.at, e.id) < ($2, $3)".to_owned()
        };
        let mut args: Vec<Arg> = vec![Arg::S(person.to_owned()), Arg::I(at), Arg::S(id)];
        let mut add = |cond: &str, a: Arg| {
            args.push(a);
            sql.push_str(&cond.replace('?', &format!("${}", args.len())));
        };
        if let Some(r) = &f.relationship_id {
            add(" AND e.relationship_id = ?", Arg::S(r.clone()));
        }
        if let Some(x) = &f.stage {
            add(" AND t.stage = ?", Arg::S(x.clone()));
        }
        if let Some(x) = &f.status {
            add(" AND t.status = ?", Arg::S(x.clone()));
        }
        if let Some(x) = &f.tag {
            add(" AND EXISTS (SELECT 1 FROM thread_tags g WHERE g.thread_id = e.thread_id AND g.tag = ?)", Arg::S(x.clone()));
        }
        if let Some(x) = f.from_us {
            add(" AND e.at >= ?", Arg::I(x));
        }
        if let Some(x) = f.to_us {
            add(" AND e.at < ?", Arg::I(x));
        }
        args.push(Arg::I(limit));
        sql.push_str(&format!(
            " ORDER BY e.at DESC, e.id DESC LIMIT ${}",
            args.len()
        ));
        if !thread_filters {
            sql = PAGE_SELECT.replace("{page}", &sql);
        }
        let mut q = sqlx::query_as(&sql);
        for a in args {
            q = match a {
                Arg::S(s) => q.bind(s),
                Arg::I(i) => q.bind(i),
            };
        }
        Ok(q.fetch_all(&self.pool).await?)
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
        let thread_cond = if thread.is_some() {
            " AND e.thread_id = $6"
        } else {
            ""
        };
        let page = format!(
            "SELECT * FROM entries e WHERE e.relationship_id = $1 AND (e.private_side IS NULL OR e.private_side = $2) \
             AND (e.at, e.id) < ($3, $4){thread_cond} ORDER BY e.at DESC, e.id DESC LIMIT $5"
        );
        let sql = PAGE_SELECT.replace("{page}", &page);
        let mut q = sqlx::query_as(&sql)
            .bind(relationship_id)
            .bind(side.as_str())
            .bind(at)
            .bind(id)
            .bind(limit);
        if let Some(t) = thread {
            q = q.bind(t);
        }
        Ok(q.fetch_all(&self.pool).await?)
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
        sqlx::query("UPDATE attachments SET data = NULL WHERE entry_id = $1")
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

impl Store {
    /// The entry of a relationship stored with this source reference (an imported
    /// e-mail's digest, or an `Idempotency-Key`), as timelines show it.
    pub async fn entry_by_source(
        &self,
        relationship_id: &str,
        source_ref: &str,
    ) -> Result<EntryRow> {
        sqlx::query_as(&format!(
            "{ENTRY_SELECT} WHERE e.relationship_id = $1 AND e.source_ref = $2"
        ))
        .bind(relationship_id)
        .bind(source_ref)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)
    }
}

/// A stored attachment.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AttachmentRow {
    /// Name.
    pub filename: String,
    /// Content type.
    pub content_type: String,
    /// The bytes.
    pub data: Vec<u8>,
}

impl Store {
    /// An attachment, if `actor` may see its entry (the person, or a member acting for the
    /// organization, unless it is the other side's private note).
    pub async fn attachment_for(&self, actor: &str, attachment_id: &str) -> Result<AttachmentRow> {
        let found: Option<(String, String, Option<String>)> = sqlx::query_as(
            "SELECT e.relationship_id, e.thread_id, e.private_side FROM attachments a JOIN entries e ON e.id = a.entry_id WHERE a.id = $1",
        )
        .bind(attachment_id)
        .fetch_optional(&self.pool)
        .await?;
        let (_, thread, private) = found.ok_or(StoreError::NotFound)?;
        let (_, _, side) = self.thread_for(actor, &thread).await?;
        if private.is_some_and(|p| p != side.as_str()) {
            return Err(StoreError::NotFound);
        }
        // An erased attachment keeps its row (name, size, digest on the chain) but not its bytes.
        sqlx::query_as(
            "SELECT filename, content_type, data FROM attachments WHERE id = $1 AND data IS NOT NULL",
        )
            .bind(attachment_id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)
    }
}

impl Store {
    /// The header and hash of the last chain entry written by `side`, if any.
    pub async fn latest_chain_entry_of(
        &self,
        relationship_id: &str,
        side: Side,
    ) -> Result<Option<(String, String)>> {
        Ok(sqlx::query_as(
            "SELECT header, hash FROM entries WHERE relationship_id = $1 AND seq IS NOT NULL AND side = $2 ORDER BY seq DESC LIMIT 1",
        )
        .bind(relationship_id)
        .bind(side.as_str())
        .fetch_optional(&self.pool)
        .await?)
    }
}
