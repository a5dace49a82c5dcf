//! Appending to the ledger in three steps, so a writer can overlap them: read the chain
//! tips ([`Store::chain_tips`]), hash and sign a group in memory ([`prepare_entries`]),
//! then store the group in one transaction ([`Store::store_prepared`]), which moves each
//! relationship's head only if it is still where the group started from. A group
//! prepared from stale tips (another server appended, or an earlier group failed) is
//! refused whole with [`StoreError::Conflict`] and nothing is written.

use crate::entries::{EntryRow, NewEntry};
use crate::search::{index_entries, shared_orgs, SearchRow};
use crate::write_turn::WriteTx;
use crate::{new_id, Backend, Result, Store, StoreError, GENESIS_HASH};
use slingshot_domain::ledger::{
    next_header, sign_digest, ChainTip, Digest, EntryDraft, EntryKind, KeyId, LedgerError,
    LedgerTime, Side, SigningKey,
};
use std::collections::HashMap;

/// Rows per multi-row INSERT.
const ROWS_PER_INSERT: usize = 200;

/// Each relationship's chain tip (`None`: no shared entry yet).
pub type ChainTips = HashMap<String, Option<ChainTip>>;

/// The chain columns of one entry (all `None` for private notes).
pub(crate) struct ChainFields {
    pub(crate) seq: Option<i64>,
    pub(crate) hash: Option<String>,
    pub(crate) key_id: Option<String>,
    pub(crate) signature: Option<String>,
    pub(crate) header: Option<String>,
    pub(crate) digest: String,
}

/// One entry of a [`PreparedGroup`]: its new id, its chain columns and its body's text.
pub(crate) struct PreparedEntry {
    pub(crate) id: String,
    pub(crate) entry: NewEntry,
    pub(crate) chain: ChainFields,
    pub(crate) body_text: String,
    /// The hash still to sign ([`PreparedGroup::sign_pending`]); `None` once signed, and
    /// for private notes.
    to_sign: Option<Digest>,
}

/// A relationship's head moving from the tip a group was chained onto to the group's last.
pub(crate) struct HeadMove<'a> {
    pub(crate) relationship: &'a str,
    pub(crate) new_seq: i64,
    pub(crate) new_hash: String,
    pub(crate) old_seq: i64,
    pub(crate) old_hash: String,
}

/// A thread's latest activity in a group (and its latest customer message, if any).
pub(crate) struct ThreadActivity<'a> {
    pub(crate) thread: &'a str,
    pub(crate) last_at: i64,
    pub(crate) customer_at: Option<i64>,
    pub(crate) vendor_at: Option<i64>,
}

/// The columns of an `entries` row as a group inserts them, in bind order.
pub(crate) const ENTRY_COLUMNS: &str = "id, relationship_id, thread_id, seq, side, author_id, kind, at, header, hash, key_id, signature, body_digest, private_side, source_ref, person_id, corrects_seq";

/// What a second copy of an imported entry is refused as.
pub(crate) const ALREADY_IMPORTED: &str = "entry (already imported)";

/// The message of the [`StoreError::Conflict`] refusing a group prepared from stale tips.
pub const CHAIN_MOVED: &str = "the relationship's chain moved; retry";

/// A group hashed and signed in chain order, ready to store.
#[derive(Default)]
pub struct PreparedGroup {
    pub(crate) entries: Vec<PreparedEntry>,
    /// Per relationship: the tip the group starts from and the tip it leaves.
    heads: HashMap<String, (Option<ChainTip>, Option<ChainTip>)>,
}

impl PreparedGroup {
    /// Hash and sign `entry` onto its relationship's tip in `tips` (advancing it) and add
    /// it to the group. `keys` holds the key of the entry's signer
    /// ([`NewEntry::signer`]). A failing entry is left out of the group, and `tips` is
    /// left as it was.
    pub fn push(
        &mut self,
        entry: NewEntry,
        keys: &HashMap<String, SigningKey>,
        tips: &mut ChainTips,
    ) -> Result<()> {
        self.push_unsigned(entry, keys, tips)?;
        if let Some(last) = self.entries.last_mut() {
            last.sign(keys)?;
        }
        Ok(())
    }

    /// Like [`PreparedGroup::push`], but leave the signature for
    /// [`PreparedGroup::sign_pending`], which signs many entries at once on all cores:
    /// the chain itself needs only each entry's hash.
    pub fn push_unsigned(
        &mut self,
        entry: NewEntry,
        keys: &HashMap<String, SigningKey>,
        tips: &mut ChainTips,
    ) -> Result<()> {
        let Some(tip) = tips.get_mut(&entry.relationship_id) else {
            return Err(StoreError::NotFound);
        };
        let Chained {
            fields,
            to_sign,
            next,
        } = chain_fields(&entry, keys, tip.as_ref())?;
        let head = self
            .heads
            .entry(entry.relationship_id.clone())
            .or_insert_with(|| (tip.clone(), tip.clone()));
        if let Some(next) = next {
            head.1 = Some(next.clone());
            *tip = Some(next);
        }
        self.entries.push(PreparedEntry {
            id: new_id(),
            body_text: entry.body.to_string(),
            entry,
            chain: fields,
            to_sign,
        });
        Ok(())
    }

    /// Sign every entry pushed unsigned, in parallel. `keys` holds their signers' keys.
    pub fn sign_pending(&mut self, keys: &HashMap<String, SigningKey>) -> Result<()> {
        use rayon::prelude::*;
        let pending: Vec<&mut PreparedEntry> = self
            .entries
            .iter_mut()
            .filter(|p| p.to_sign.is_some())
            .collect();
        if pending.len() < 4 {
            return pending.into_iter().try_for_each(|p| p.sign(keys));
        }
        pending.into_par_iter().try_for_each(|p| p.sign(keys))
    }

    /// Is every entry signed (and so ready to store)?
    pub(crate) fn is_signed(&self) -> bool {
        self.entries.iter().all(|p| p.to_sign.is_none())
    }

    /// How many entries it holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Does it hold none?
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries, in order (for announcing them once stored).
    pub fn entries(&self) -> impl Iterator<Item = &NewEntry> {
        self.entries.iter().map(|p| &p.entry)
    }

    /// The heads the group moves: each relationship whose chain it extends, from the tip
    /// it was chained onto.
    pub(crate) fn head_moves(&self) -> Vec<HeadMove<'_>> {
        self.heads
            .iter()
            .filter_map(|(rel, (from, to))| match to {
                Some(to) if seq_of(Some(to)) != seq_of(from.as_ref()) => Some(HeadMove {
                    relationship: rel,
                    new_seq: seq_of(Some(to)),
                    new_hash: to.hash.to_hex(),
                    old_seq: seq_of(from.as_ref()),
                    old_hash: from
                        .as_ref()
                        .map_or_else(|| GENESIS_HASH.to_owned(), |t| t.hash.to_hex()),
                }),
                _ => None,
            })
            .collect()
    }

    /// Each thread's latest activity in the group, and its latest message (or event) from
    /// each side.
    pub(crate) fn thread_activity(&self) -> Vec<ThreadActivity<'_>> {
        type Latest = (i64, Option<i64>, Option<i64>);
        let mut threads: HashMap<&str, Latest> = HashMap::new();
        let later = |c: Option<i64>, at: i64| Some(c.map_or(at, |c| c.max(at)));
        for p in &self.entries {
            let it = &p.entry;
            let e = threads
                .entry(it.thread_id.as_str())
                .or_insert((i64::MIN, None, None));
            e.0 = e.0.max(it.at_us);
            match it.spoken_by() {
                Some(Side::Customer) => e.1 = later(e.1, it.at_us),
                Some(Side::Vendor) => e.2 = later(e.2, it.at_us),
                None => {}
            }
        }
        threads
            .into_iter()
            .map(
                |(thread, (last_at, customer_at, vendor_at))| ThreadActivity {
                    thread,
                    last_at,
                    customer_at,
                    vendor_at,
                },
            )
            .collect()
    }

    /// The stored entries, as the timeline shows them.
    pub(crate) fn rows(&self) -> Vec<EntryRow> {
        self.entries
            .iter()
            .map(|p| EntryRow {
                id: p.id.clone(),
                relationship_id: p.entry.relationship_id.clone(),
                vendor_name: String::new(),
                thread_id: p.entry.thread_id.clone(),
                subject: String::new(),
                seq: p.chain.seq,
                side: p.entry.side.as_str().to_owned(),
                author_id: Some(p.entry.author_id.clone()),
                kind: p.entry.kind.as_str().to_owned(),
                at: p.entry.at_us,
                hash: p.chain.hash.clone(),
                body: Some(p.body_text.clone()),
                erased_at: None,
                private_side: (!p.entry.kind.is_shared()).then(|| p.entry.side.as_str().to_owned()),
                correction_header: (p.entry.kind == EntryKind::Correction)
                    .then(|| p.chain.header.clone())
                    .flatten(),
                corrects_seq: p.entry.corrects.map(|c| c.seq),
            })
            .collect()
    }

    /// Give the entries back (to retry them one by one).
    pub fn into_entries(self) -> Vec<NewEntry> {
        self.entries.into_iter().map(|p| p.entry).collect()
    }
}

impl PreparedEntry {
    /// Sign the hash left to sign, if any.
    fn sign(&mut self, keys: &HashMap<String, SigningKey>) -> Result<()> {
        if let Some(hash) = self.to_sign {
            let key = keys
                .get(&self.entry.signer())
                .ok_or(StoreError::Unsupported("no signing key for this side"))?;
            self.chain.signature = Some(slingshot_domain::ledger::signature_to_base64url(
                &sign_digest(key, &hash),
            ));
            self.to_sign = None;
        }
        Ok(())
    }
}

fn corrupt(e: LedgerError) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

/// A relationship's chain tip from its head columns (`None` before the first entry).
pub(crate) fn tip_of(relationship: &str, seq: i64, hash: &str) -> Result<Option<ChainTip>> {
    if seq == 0 {
        return Ok(None);
    }
    Ok(Some(ChainTip {
        relationship: relationship.to_owned(),
        sequence: u64::try_from(seq).unwrap_or(0),
        hash: Digest::parse(hash).map_err(corrupt)?,
    }))
}

fn seq_of(tip: Option<&ChainTip>) -> i64 {
    tip.map_or(0, |t| i64::try_from(t.sequence).unwrap_or(i64::MAX))
}

fn ledger_time(us: i64) -> Result<LedgerTime> {
    let s = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(us) * 1000)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .ok_or_else(|| StoreError::Corrupt(format!("time {us}")))?;
    LedgerTime::parse(&s).map_err(corrupt)
}

/// Hash and sign `items` in order onto `tips` (which must hold every relationship
/// named; it is advanced as entries are chained); the first failure fails the group, and
/// `tips` may then be partly advanced: read them again.
pub fn prepare_entries(
    items: Vec<NewEntry>,
    keys: &HashMap<String, SigningKey>,
    tips: &mut ChainTips,
) -> Result<PreparedGroup> {
    let mut group = PreparedGroup::default();
    for entry in items {
        group.push(entry, keys, tips)?;
    }
    Ok(group)
}

/// An entry chained onto a tip, but not signed yet.
struct Chained {
    /// Its chain columns, but for the signature.
    fields: ChainFields,
    /// The hash its signature is to be made of (`None` for private notes).
    to_sign: Option<Digest>,
    /// The tip it makes (`None` for private notes, which stay off the chain).
    next: Option<ChainTip>,
}

/// `entry` chained after `tip`.
fn chain_fields(
    entry: &NewEntry,
    keys: &HashMap<String, SigningKey>,
    tip: Option<&ChainTip>,
) -> Result<Chained> {
    if !entry.kind.is_shared() {
        let digest = slingshot_domain::ledger::body_digest(&entry.body).map_err(corrupt)?;
        return Ok(Chained {
            fields: ChainFields {
                seq: None,
                hash: None,
                key_id: None,
                signature: None,
                header: None,
                digest: digest.to_hex(),
            },
            to_sign: None,
            next: None,
        });
    }
    let key = keys
        .get(&entry.signer())
        .ok_or(StoreError::Unsupported("no signing key for this side"))?;
    let draft = EntryDraft {
        relationship: entry.relationship_id.clone(),
        author_side: entry.side,
        author_key_id: KeyId::of(&key.verifying_key()),
        kind: entry.kind,
        thread: entry.thread_id.clone(),
        time: ledger_time(entry.at_us)?,
        body: &entry.body,
        corrects: entry.corrects.map(|c| c.hash),
    };
    let header = next_header(tip, draft).map_err(corrupt)?;
    let hash = header.hash().map_err(corrupt)?;
    let fields = ChainFields {
        seq: Some(i64::try_from(header.sequence).unwrap_or(i64::MAX)),
        hash: Some(hash.to_hex()),
        key_id: Some(header.author_key_id.to_string()),
        signature: None,
        header: Some(
            serde_json::to_string(&header).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        ),
        digest: header.body_digest.to_hex(),
    };
    Ok(Chained {
        fields,
        to_sign: Some(hash),
        next: Some(ChainTip::after(&header, hash)),
    })
}

impl Store {
    /// The current chain tips of these relationships; an unknown id is left out.
    pub async fn chain_tips(&self, rel_ids: &[&str]) -> Result<ChainTips> {
        let mut tips = ChainTips::new();
        for chunk in rel_ids.chunks(500) {
            let sql = format!(
                "SELECT id, head_seq, head_hash FROM relationships WHERE id IN ({})",
                crate::sql::list(self.backend(), chunk.len())
            );
            let rows: Vec<(String, i64, String)> = self
                .writer_read(&sql, chunk, |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .await?;
            for (id, seq, hash) in rows {
                let tip = tip_of(&id, seq, &hash)?;
                tips.insert(id, tip);
            }
        }
        Ok(tips)
    }

    /// Store a prepared group in one transaction (one durable commit). Either all are
    /// stored or none: a relationship whose head moved since the group was prepared
    /// refuses the whole group ([`StoreError::Conflict`]).
    pub async fn store_prepared(&self, group: &PreparedGroup) -> Result<Vec<EntryRow>> {
        if !group.is_signed() {
            return Err(StoreError::Corrupt("a prepared entry is not signed".into()));
        }
        match &self.ledger_conn {
            Some(conn) => {
                let _turn = self.write_turn().await?;
                crate::ledger_sqlite::blocking(|| conn.store(group))?
            }
            None => self.store_prepared_pooled(group).await?,
        }
        Ok(group.rows())
    }

    /// [`Store::store_prepared`] through the pool (PostgreSQL; in-memory SQLite).
    async fn store_prepared_pooled(&self, group: &PreparedGroup) -> Result<()> {
        let mut tx = self.begin_write().await?;
        write_group(self.backend(), &mut tx, group).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Append a group of entries in one transaction: one durable commit for all. Either
    /// all are stored or none (the caller retries one by one to find the bad one).
    /// `keys` holds the signing key of every signer named by [`NewEntry::signer`].
    pub async fn append_entries(
        &self,
        items: &[NewEntry],
        keys: &HashMap<String, SigningKey>,
    ) -> Result<Vec<EntryRow>> {
        let mut rel_ids: Vec<&str> = items.iter().map(|i| i.relationship_id.as_str()).collect();
        rel_ids.sort_unstable();
        rel_ids.dedup();
        let mut tips = self.chain_tips(&rel_ids).await?;
        let group = prepare_entries(items.to_vec(), keys, &mut tips)?;
        self.store_prepared(&group).await
    }
}

/// Write a prepared group inside `tx` (through the pool). The heads move first, so a
/// group prepared from stale tips stops before writing anything else.
pub(crate) async fn write_group(
    backend: Backend,
    tx: &mut WriteTx,
    group: &PreparedGroup,
) -> Result<()> {
    // Move the heads first: a stale group stops before writing anything else.
    let heads = group.head_moves();
    for chunk in heads.chunks(ROWS_PER_INSERT) {
        let sql = format!(
            "WITH v(id, new_seq, new_hash, old_seq, old_hash) AS (VALUES {}) \
             UPDATE relationships SET head_seq = v.new_seq, head_hash = v.new_hash FROM v \
             WHERE relationships.id = v.id AND relationships.head_seq = v.old_seq AND relationships.head_hash = v.old_hash",
            crate::sql::typed_rows(backend, chunk.len(), &["TEXT", "BIGINT", "TEXT", "BIGINT", "TEXT"])
        );
        let mut q = sqlx::query(&sql);
        for h in chunk {
            q = q
                .bind(h.relationship)
                .bind(h.new_seq)
                .bind(&h.new_hash)
                .bind(h.old_seq)
                .bind(&h.old_hash);
        }
        let moved = q.execute(&mut **tx).await?.rows_affected();
        if moved != chunk.len() as u64 {
            return Err(StoreError::Conflict(CHAIN_MOVED));
        }
    }
    let mut search_keys_used = std::collections::HashSet::new();
    let unshared: Vec<&str> = group
        .entries
        .iter()
        .filter(|p| p.entry.org_id.is_none())
        .map(|p| p.entry.relationship_id.as_str())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let shared_now = shared_orgs(backend, tx, &unshared).await?;
    for chunk in group.entries.chunks(ROWS_PER_INSERT) {
        let entries_sql = format!(
            "INSERT INTO entries ({ENTRY_COLUMNS}) VALUES {}",
            crate::sql::rows(backend, chunk.len(), 17)
        );
        let bodies_sql = format!(
            "INSERT INTO entry_bodies (entry_id, body, search_text, search_rowid) VALUES {}",
            crate::sql::rows(backend, chunk.len(), 4)
        );
        let unique = crate::error::conflict_on_unique(ALREADY_IMPORTED);
        bind_entries(sqlx::query(&entries_sql), chunk)
            .execute(&mut **tx)
            .await
            .map_err(unique)?;
        // On SQLite each body keeps its search row's key (to erase it by).
        let rows: Vec<SearchRow<'_>> = chunk
            .iter()
            .map(|p| SearchRow {
                entry_id: &p.id,
                person_id: &p.entry.person_id,
                org_id: p
                    .entry
                    .org_id
                    .as_deref()
                    .or_else(|| shared_now.get(&p.entry.relationship_id).map(String::as_str)),
                text: &p.entry.search_text,
                at_us: p.entry.at_us,
            })
            .collect();
        let search_keys = index_entries(backend, tx, &rows, &mut search_keys_used).await?;
        bind_bodies(sqlx::query(&bodies_sql), chunk, &search_keys)
            .execute(&mut **tx)
            .await?;
    }
    for p in &group.entries {
        if let Some(att) = &p.entry.attachment {
            sqlx::query("INSERT INTO attachments (id, entry_id, filename, content_type, size, sha256, data) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(&att.id)
                .bind(&p.id)
                .bind(&att.filename)
                .bind(&att.content_type)
                .bind(i64::try_from(att.data.len()).unwrap_or(i64::MAX))
                .bind(&att.sha256)
                .bind(att.data.clone())
                .execute(&mut **tx)
                .await?;
        }
    }
    let threads = group.thread_activity();
    for chunk in threads.chunks(ROWS_PER_INSERT) {
        let sql = format!(
            "WITH v(id, last_at, customer_at, vendor_at) AS (VALUES {}) \
             UPDATE threads SET last_activity_at = CASE WHEN threads.last_activity_at > v.last_at THEN threads.last_activity_at ELSE v.last_at END, \
             last_customer_at = CASE WHEN threads.last_customer_at > v.customer_at THEN threads.last_customer_at ELSE COALESCE(v.customer_at, threads.last_customer_at) END, \
             last_vendor_at = CASE WHEN threads.last_vendor_at > v.vendor_at THEN threads.last_vendor_at ELSE COALESCE(v.vendor_at, threads.last_vendor_at) END \
             FROM v WHERE threads.id = v.id",
            crate::sql::typed_rows(backend, chunk.len(), &["TEXT", "BIGINT", "BIGINT", "BIGINT"])
        );
        let mut q = sqlx::query(&sql);
        for t in chunk {
            q = q
                .bind(t.thread)
                .bind(t.last_at)
                .bind(t.customer_at)
                .bind(t.vendor_at);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

fn bind_entries<'q>(q: AnyQuery<'q>, chunk: &'q [PreparedEntry]) -> AnyQuery<'q> {
    chunk.iter().fold(q, |q, p| {
        let (it, r) = (&p.entry, &p.chain);
        q.bind(&p.id)
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
            .bind((!it.kind.is_shared()).then(|| it.side.as_str()))
            .bind(&it.source_ref)
            .bind(&it.person_id)
            .bind(it.corrects.map(|c| c.seq))
    })
}

/// Bind a chunk's bodies with their search rows' keys (SQLite; `None` on PostgreSQL).
fn bind_bodies<'q>(
    q: AnyQuery<'q>,
    chunk: &'q [PreparedEntry],
    search_keys: &[Option<i64>],
) -> AnyQuery<'q> {
    chunk.iter().zip(search_keys).fold(q, |q, (p, key)| {
        q.bind(&p.id)
            .bind(&p.body_text)
            .bind(&p.entry.search_text)
            .bind(*key)
    })
}
