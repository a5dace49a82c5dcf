//! Reading a relationship's chain for export, and storing a verified imported chain.

use crate::relationships::GENESIS_HASH;
use crate::search::{index_entry, SearchRow};
use crate::write_turn::WriteTx;
use crate::{new_id, now_us, AttachmentData, Result, Store, StoreError};

/// One chain entry as stored: header JSON, hash, signature, and body unless erased.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ChainRow {
    /// Sequence number.
    pub seq: i64,
    /// Canonical header JSON.
    pub header: String,
    /// Entry hash (hex).
    pub hash: String,
    /// Signature (base64url).
    pub signature: String,
    /// Key id.
    pub key_id: String,
    /// Body JSON (None when erased).
    pub body: Option<String>,
    /// When erased.
    pub erased_at: Option<i64>,
    /// The attachment whose file this entry records, while its bytes are held.
    pub file_id: Option<String>,
    /// That attachment's size in bytes.
    pub file_size: Option<i64>,
}

/// A conversation as a bundle carries it, beside the chain (unsigned: its subject,
/// stage, status and tags are the exporting instance's word).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize, serde::Deserialize)]
pub struct BundleThread {
    /// Thread id (as in the entries' headers).
    pub id: String,
    /// Subject.
    pub subject: String,
    /// Stage's stable name.
    pub stage: String,
    /// Status's stable name.
    pub status: String,
    /// The side that opened it.
    pub opened_by: String,
    /// Tags.
    #[sqlx(skip)]
    #[serde(default)]
    pub tags: Vec<String>,
    /// The customer's follow-up date (YYYY-MM-DD), in the customer's own bundle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_up_on: Option<String>,
}

/// A private note as a bundle carries it (off the chain, unsigned).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NoteRow {
    /// Thread id.
    pub thread_id: String,
    /// Microseconds since the epoch.
    pub at: i64,
    /// Body JSON.
    pub body: String,
}

/// A private note of a verified bundle, ready to store as the importing person's.
#[derive(Debug, Clone)]
pub struct ImportedNote {
    /// Thread id.
    pub thread_id: String,
    /// Microseconds since the epoch.
    pub at: i64,
    /// Body JSON, as built here.
    pub body: String,
    /// Body digest (hex).
    pub body_digest: String,
    /// Text for search.
    pub search_text: String,
}

/// A link between two conversations of a bundle: (from, to, kind).
pub type BundleLink = (String, String, String);

/// A stored checkpoint.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CheckpointRow {
    /// Sequence countersigned.
    pub seq: i64,
    /// Hash countersigned.
    pub hash: String,
    /// The countersigning side.
    pub side: String,
    /// Its key id.
    pub key_id: String,
    /// Signature (base64url).
    pub signature: String,
    /// Microseconds since the epoch.
    pub at: i64,
}

/// An entry of a verified bundle, ready to store.
#[derive(Debug, Clone)]
pub struct ImportedEntry {
    /// Sequence.
    pub seq: i64,
    /// Thread id.
    pub thread_id: String,
    /// Side.
    pub side: String,
    /// Kind.
    pub kind: String,
    /// Microseconds since the epoch.
    pub at: i64,
    /// Canonical header JSON.
    pub header: String,
    /// Hash (hex).
    pub hash: String,
    /// Key id.
    pub key_id: String,
    /// Signature (base64url).
    pub signature: String,
    /// Body digest (hex).
    pub body_digest: String,
    /// Body JSON, unless erased.
    pub body: Option<String>,
    /// Text for search.
    pub search_text: String,
    /// An attachment entry's file, as the bundle carried it (already checked against
    /// the body).
    pub file: Option<AttachmentData>,
}

impl Store {
    /// Chain entries of a relationship with `seq > after`, in order, at most `limit`.
    pub async fn chain_rows(
        &self,
        relationship_id: &str,
        after: i64,
        limit: i64,
    ) -> Result<Vec<ChainRow>> {
        Ok(sqlx::query_as(
            "SELECT e.seq, e.header, e.hash, e.signature, e.key_id, b.body, e.erased_at, \
             (SELECT a.id FROM attachments a WHERE e.kind = 'attachment' AND a.entry_id = e.id AND a.data IS NOT NULL) AS file_id, \
             (SELECT a.size FROM attachments a WHERE e.kind = 'attachment' AND a.entry_id = e.id AND a.data IS NOT NULL) AS file_size \
             FROM entries e LEFT JOIN entry_bodies b ON b.entry_id = e.id WHERE e.relationship_id = $1 AND e.seq IS NOT NULL AND e.seq > $2 \
             ORDER BY e.seq LIMIT $3",
        )
        .bind(relationship_id)
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The bytes of an attachment of the relationship's chain ([`ChainRow::file_id`]),
    /// read one at a time: an export holds the files it carries (within `import_limit`)
    /// and this one, never a page of them.
    pub async fn chain_file(&self, relationship_id: &str, file_id: &str) -> Result<Vec<u8>> {
        let data: Option<Option<Vec<u8>>> = sqlx::query_scalar(
            "SELECT a.data FROM attachments a JOIN entries e ON e.id = a.entry_id \
             WHERE a.id = $1 AND e.relationship_id = $2",
        )
        .bind(file_id)
        .bind(relationship_id)
        .fetch_optional(&self.pool)
        .await?;
        data.flatten().ok_or(StoreError::NotFound)
    }

    /// Key ids used in a relationship's chain and checkpoints.
    pub async fn chain_key_ids(&self, relationship_id: &str) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT DISTINCT key_id FROM entries WHERE relationship_id = $1 AND key_id IS NOT NULL \
             UNION SELECT DISTINCT key_id FROM checkpoints WHERE relationship_id = $1",
        )
        .bind(relationship_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The private notes of `side` (`customer` or `vendor`) on a relationship, oldest
    /// first, for its export; erased ones are left out.
    pub async fn bundle_notes(&self, relationship_id: &str, side: &str) -> Result<Vec<NoteRow>> {
        Ok(sqlx::query_as(
            "SELECT e.thread_id, e.at, b.body FROM entries e JOIN entry_bodies b ON b.entry_id = e.id \
             WHERE e.relationship_id = $1 AND e.kind = 'note' AND e.private_side = $2 AND e.erased_at IS NULL \
             ORDER BY e.at, e.id",
        )
        .bind(relationship_id)
        .bind(side)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Checkpoints of a relationship, in sequence order.
    pub async fn checkpoints(&self, relationship_id: &str) -> Result<Vec<CheckpointRow>> {
        Ok(sqlx::query_as("SELECT seq, hash, side, key_id, signature, at FROM checkpoints WHERE relationship_id = $1 ORDER BY seq, side")
            .bind(relationship_id)
            .fetch_all(&self.pool)
            .await?)
    }

    /// Store a countersigned checkpoint. When that side already countersigned that
    /// sequence, nothing is stored and the checkpoint already held is returned.
    pub async fn add_checkpoint(
        &self,
        relationship_id: &str,
        c: &CheckpointRow,
    ) -> Result<Option<CheckpointRow>> {
        let done = sqlx::query("INSERT INTO checkpoints (relationship_id, seq, hash, side, key_id, signature, at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING")
            .bind(relationship_id)
            .bind(c.seq)
            .bind(&c.hash)
            .bind(&c.side)
            .bind(&c.key_id)
            .bind(&c.signature)
            .bind(c.at)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 1 {
            return Ok(None);
        }
        Ok(Some(
            sqlx::query_as("SELECT seq, hash, side, key_id, signature, at FROM checkpoints WHERE relationship_id = $1 AND side = $2 AND seq = $3")
                .bind(relationship_id)
                .bind(&c.side)
                .bind(c.seq)
                .fetch_one(&self.pool)
                .await?,
        ))
    }

    /// The conversations of a relationship, with their tags (and, with `follow_ups`, the
    /// customer's follow-up dates), and the links between them, for its export.
    pub async fn bundle_threads(
        &self,
        relationship_id: &str,
        follow_ups: bool,
    ) -> Result<(Vec<BundleThread>, Vec<BundleLink>)> {
        let follow_up = if follow_ups {
            "customer_follow_up_on"
        } else {
            "CAST(NULL AS TEXT)"
        };
        let mut threads: Vec<BundleThread> = sqlx::query_as(&format!(
            "SELECT id, subject, stage, status, opened_by, {follow_up} AS follow_up_on FROM threads \
             WHERE relationship_id = $1 ORDER BY created_at, id"
        ))
        .bind(relationship_id)
        .fetch_all(&self.pool)
        .await?;
        let tags: Vec<(String, String)> = sqlx::query_as(
            "SELECT g.thread_id, g.tag FROM thread_tags g JOIN threads t ON t.id = g.thread_id \
             WHERE t.relationship_id = $1 ORDER BY g.thread_id, g.tag",
        )
        .bind(relationship_id)
        .fetch_all(&self.pool)
        .await?;
        let mut by_thread: std::collections::HashMap<String, Vec<String>> = Default::default();
        for (t, g) in tags {
            by_thread.entry(t).or_default().push(g);
        }
        for t in &mut threads {
            t.tags = by_thread.remove(&t.id).unwrap_or_default();
        }
        let links: Vec<BundleLink> = sqlx::query_as(
            "SELECT l.from_thread, l.to_thread, l.kind FROM thread_links l JOIN threads t ON t.id = l.from_thread \
             WHERE t.relationship_id = $1 ORDER BY l.created_at, l.from_thread, l.to_thread",
        )
        .bind(relationship_id)
        .fetch_all(&self.pool)
        .await?;
        Ok((threads, links))
    }

    /// Store a verified bundle as one of `person`'s relationships (an off-platform
    /// vendor named `vendor_name`), keeping the original relationship id, entries,
    /// signatures and public keys, so the chain still verifies here. All or nothing.
    #[allow(clippy::too_many_arguments)]
    pub async fn import_chain(
        &self,
        person: &str,
        relationship_id: &str,
        vendor_name: &str,
        keys: &[(String, String, String)],
        entries: &[ImportedEntry],
        notes: &[ImportedNote],
        checkpoints: &[CheckpointRow],
        threads: &[BundleThread],
        links: &[BundleLink],
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let now = now_us();
        let (head_seq, head_hash) = entries
            .last()
            .map(|e| (e.seq, e.hash.clone()))
            .unwrap_or((0, GENESIS_HASH.to_owned()));
        sqlx::query(
            "INSERT INTO relationships (id, person_id, vendor_name, pseudonym, head_seq, head_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(relationship_id)
        .bind(person)
        .bind(vendor_name)
        .bind(format!("c-{}", uuid::Uuid::new_v4().simple()))
        .bind(head_seq)
        .bind(&head_hash)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(db) if db.kind() == sqlx::error::ErrorKind::UniqueViolation => {
                StoreError::Conflict("this relationship is already on this instance")
            }
            _ => StoreError::Database(e),
        })?;
        for (key_id, side, public_key) in keys {
            sqlx::query("INSERT INTO signing_keys (key_id, owner, public_key, sealed_secret, created_at) VALUES ($1, $2, $3, '', $4) ON CONFLICT DO NOTHING")
                .bind(key_id)
                .bind(format!("import:{relationship_id}:{side}"))
                .bind(public_key)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        // A conversation began with its first entry and was last active at its last; one
        // with no entries here, now.
        let mut span: std::collections::HashMap<&str, (i64, i64)> = Default::default();
        let times = entries.iter().map(|e| (e.thread_id.as_str(), e.at));
        for (thread, at) in times.chain(notes.iter().map(|n| (n.thread_id.as_str(), n.at))) {
            let s = span.entry(thread).or_insert((at, at));
            *s = (s.0.min(at), s.1.max(at));
        }
        for t in threads {
            let (first, last) = span.get(t.id.as_str()).copied().unwrap_or((now, now));
            sqlx::query(
                "INSERT INTO threads (id, relationship_id, subject, stage, status, opened_by, customer_follow_up_on, last_activity_at, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(&t.id)
            .bind(relationship_id)
            .bind(&t.subject)
            .bind(&t.stage)
            .bind(&t.status)
            .bind(&t.opened_by)
            .bind(&t.follow_up_on)
            .bind(last)
            .bind(first)
            .execute(&mut *tx)
            .await
            .map_err(crate::error::conflict_on_unique("thread"))?;
            for tag in &t.tags {
                sqlx::query("INSERT INTO thread_tags (thread_id, tag) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                    .bind(&t.id)
                    .bind(tag)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        for (from, to, kind) in links {
            sqlx::query("INSERT INTO thread_links (from_thread, to_thread, kind, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
                .bind(from)
                .bind(to)
                .bind(kind)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        // A correction keeps its corrected entry's number (an earlier entry of the chain).
        let seq_of: std::collections::HashMap<&str, i64> =
            entries.iter().map(|e| (e.hash.as_str(), e.seq)).collect();
        for e in entries {
            let id = new_id();
            let corrects_seq = (e.kind == "correction")
                .then(|| crate::corrections::corrected_hash(&e.header))
                .flatten()
                .and_then(|h| seq_of.get(h.as_str()).copied());
            sqlx::query(
                "INSERT INTO entries (id, relationship_id, thread_id, seq, side, kind, at, header, hash, key_id, signature, body_digest, erased_at, person_id, corrects_seq) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
            )
            .bind(&id)
            .bind(relationship_id)
            .bind(&e.thread_id)
            .bind(e.seq)
            .bind(&e.side)
            .bind(&e.kind)
            .bind(e.at)
            .bind(&e.header)
            .bind(&e.hash)
            .bind(&e.key_id)
            .bind(&e.signature)
            .bind(&e.body_digest)
            .bind(e.body.is_none().then_some(now))
            .bind(person)
            .bind(corrects_seq)
            .execute(&mut *tx)
            .await?;
            if let Some(body) = &e.body {
                let row = SearchRow {
                    entry_id: &id,
                    person_id: person,
                    org_id: None,
                    text: &e.search_text,
                    at_us: e.at,
                };
                self.insert_body(&mut tx, row, body).await?;
            }
            if let Some(f) = &e.file {
                sqlx::query("INSERT INTO attachments (id, entry_id, filename, content_type, size, sha256, data) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                    .bind(&f.id)
                    .bind(&id)
                    .bind(&f.filename)
                    .bind(&f.content_type)
                    .bind(i64::try_from(f.data.len()).unwrap_or(i64::MAX))
                    .bind(&f.sha256)
                    .bind(&f.data)
                    .execute(&mut *tx)
                    .await
                    .map_err(crate::error::conflict_on_unique("attachment"))?;
            }
        }
        for n in notes {
            let id = new_id();
            sqlx::query(
                "INSERT INTO entries (id, relationship_id, thread_id, side, author_id, kind, at, body_digest, private_side, person_id) \
                 VALUES ($1, $2, $3, 'customer', $4, 'note', $5, $6, 'customer', $4)",
            )
            .bind(&id)
            .bind(relationship_id)
            .bind(&n.thread_id)
            .bind(person)
            .bind(n.at)
            .bind(&n.body_digest)
            .execute(&mut *tx)
            .await?;
            let row = SearchRow {
                entry_id: &id,
                person_id: person,
                org_id: None,
                text: &n.search_text,
                at_us: n.at,
            };
            self.insert_body(&mut tx, row, &n.body).await?;
        }
        for c in checkpoints {
            sqlx::query("INSERT INTO checkpoints (relationship_id, seq, hash, side, key_id, signature, at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(relationship_id)
                .bind(c.seq)
                .bind(&c.hash)
                .bind(&c.side)
                .bind(&c.key_id)
                .bind(&c.signature)
                .bind(c.at)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Store an imported entry's body and its search row.
    async fn insert_body(&self, tx: &mut WriteTx, row: SearchRow<'_>, body: &str) -> Result<()> {
        let search_rowid = index_entry(self.backend(), tx, row).await?;
        sqlx::query(
            "INSERT INTO entry_bodies (entry_id, body, search_text, search_rowid) VALUES ($1, $2, $3, $4)",
        )
        .bind(row.entry_id)
        .bind(body)
        .bind(row.text)
        .bind(search_rowid)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }
}
