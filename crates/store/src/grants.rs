//! Grants of profile fields to an organization for a purpose, their consent records,
//! and the access log every read of granted data writes.

use crate::relationships::VENDOR_ROLES;
use crate::write_turn::WriteTx;
use crate::{new_id, Result, Store, StoreError};
use std::collections::BTreeMap;

/// A grant with the ids of the fields it covers.
#[derive(Debug, Clone)]
pub struct Grant {
    /// UUIDv7.
    pub id: String,
    /// The person who granted.
    pub person_id: String,
    /// The organization it was granted to.
    pub org_id: String,
    /// The relationship it belongs to.
    pub relationship_id: String,
    /// The purpose's stable name.
    pub purpose: String,
    /// Microseconds since the epoch.
    pub expires_at: i64,
    /// Microseconds since the epoch.
    pub created_at: i64,
    /// When the person revoked it.
    pub revoked_at: Option<i64>,
    /// Why, when revoked by a deletion request or the person's note.
    pub revoke_reason: Option<String>,
    /// Profile field ids.
    pub field_ids: Vec<String>,
}

impl Grant {
    /// Valid at `now_us`: not revoked and not expired.
    pub fn valid_at(&self, now_us: i64) -> bool {
        self.revoked_at.is_none() && self.expires_at > now_us
    }
}

/// A consent record (ISO/IEC TS 27560 JSON) and its signed receipt, made by the caller.
#[derive(Debug, Clone)]
pub struct NewConsent {
    /// UUIDv7 (also the receipt's id).
    pub id: String,
    /// The record as JSON.
    pub record: String,
    /// The signed Kantara receipt (compact JWS).
    pub receipt: String,
    /// Microseconds since the epoch.
    pub at: i64,
}

/// A stored consent record.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ConsentRow {
    /// UUIDv7.
    pub id: String,
    /// The person.
    pub person_id: String,
    /// The organization.
    pub org_id: String,
    /// The grant it records.
    pub grant_id: String,
    /// given | withdrawn.
    pub action: String,
    /// The record as JSON.
    pub record: String,
    /// The signed receipt (compact JWS).
    pub receipt: String,
    /// Microseconds since the epoch.
    pub created_at: i64,
}

/// Who reads granted data.
#[derive(Debug, Clone, Copy)]
pub struct Reader<'a> {
    /// The member's account id.
    pub user_id: &'a str,
    /// The member's handle.
    pub handle: &'a str,
    /// "session" or the API token's name.
    pub via: &'a str,
}

/// What a granted read returns.
#[derive(Debug, Clone)]
pub struct GrantedProfile {
    /// The relationship's pseudonym.
    pub pseudonym: String,
    /// The purpose read for.
    pub purpose: String,
    /// (kind, label, value) of each granted field, in field order.
    pub fields: Vec<(String, String, String)>,
    /// (grant id, expires_at) of the grants used.
    pub grants: Vec<(String, i64)>,
    /// The access-log row written.
    pub log_id: String,
}

/// An access-log row to write.
#[derive(Debug, Clone)]
pub struct NewAccessLog {
    /// UUIDv7.
    pub id: String,
    /// The person whose data was read.
    pub person_id: String,
    /// The organization that read.
    pub org_id: String,
    /// The member who read.
    pub reader_id: String,
    /// Their handle.
    pub reader_handle: String,
    /// "session" or "token NAME".
    pub via: String,
    /// The purpose.
    pub purpose: String,
    /// JSON array of field labels.
    pub fields: String,
    /// JSON array of grant ids.
    pub grant_ids: String,
    /// Microseconds since the epoch.
    pub at: i64,
}

/// One row of the access log.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AccessLogRow {
    /// UUIDv7.
    pub id: String,
    /// The person whose data was read.
    pub person_id: String,
    /// The organization that read.
    pub org_id: String,
    /// Its name (joined).
    pub org_name: String,
    /// The member who read.
    pub reader_id: String,
    /// Their handle.
    pub reader_handle: String,
    /// "session" or the token's name.
    pub via: String,
    /// The purpose.
    pub purpose: String,
    /// JSON array of field labels.
    pub fields: String,
    /// JSON array of grant ids.
    pub grant_ids: String,
    /// Microseconds since the epoch.
    pub at: i64,
}

type GrantRow = (
    String,
    String,
    String,
    String,
    String,
    i64,
    i64,
    Option<i64>,
    Option<String>,
);
const GRANT_COLS: &str = "g.id, g.person_id, g.org_id, g.relationship_id, g.purpose, g.expires_at, g.created_at, g.revoked_at, g.revoke_reason";

fn grant_of(r: GrantRow) -> Grant {
    Grant {
        id: r.0,
        person_id: r.1,
        org_id: r.2,
        relationship_id: r.3,
        purpose: r.4,
        expires_at: r.5,
        created_at: r.6,
        revoked_at: r.7,
        revoke_reason: r.8,
        field_ids: Vec::new(),
    }
}

impl Store {
    /// Store a grant with its consent record in one transaction. The relationship must
    /// be the person's and shared with `org_id`; every field must be the person's
    /// (otherwise `Domain(MissingText)` naming the problem, and nothing is written).
    pub async fn create_grant(&self, g: &Grant, consent: &NewConsent) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let ok: Option<String> = sqlx::query_scalar(
            "SELECT id FROM relationships WHERE id = $1 AND person_id = $2 AND org_id = $3 AND shared_at IS NOT NULL",
        )
        .bind(&g.relationship_id)
        .bind(&g.person_id)
        .bind(&g.org_id)
        .fetch_optional(&mut *tx)
        .await?;
        if ok.is_none() {
            return Err(StoreError::NotFound);
        }
        sqlx::query(
            "INSERT INTO grants (id, person_id, org_id, relationship_id, purpose, expires_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&g.id)
        .bind(&g.person_id)
        .bind(&g.org_id)
        .bind(&g.relationship_id)
        .bind(&g.purpose)
        .bind(g.expires_at)
        .bind(g.created_at)
        .execute(&mut *tx)
        .await?;
        for f in &g.field_ids {
            let mine: Option<String> = sqlx::query_scalar(
                "SELECT id FROM profile_fields WHERE id = $1 AND person_id = $2",
            )
            .bind(f)
            .bind(&g.person_id)
            .fetch_optional(&mut *tx)
            .await?;
            if mine.is_none() {
                return Err(slingshot_domain::DomainError::MissingText(
                    "a grant may name only fields of your own profile",
                )
                .into());
            }
            sqlx::query("INSERT INTO grant_fields (grant_id, field_id) VALUES ($1, $2)")
                .bind(&g.id)
                .bind(f)
                .execute(&mut *tx)
                .await
                .map_err(crate::error::conflict_on_unique("field in this grant"))?;
        }
        insert_consent(&mut tx, g, "given", consent).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Revoke a grant with its withdrawal record; `Conflict` when already revoked.
    pub async fn revoke_grant(
        &self,
        person: &str,
        grant_id: &str,
        reason: Option<&str>,
        consent: &NewConsent,
    ) -> Result<Grant> {
        let g = self.grant_of_person(person, grant_id).await?;
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE grants SET revoked_at = $1, revoke_reason = $2 WHERE id = $3 AND person_id = $4 AND revoked_at IS NULL",
        )
        .bind(consent.at)
        .bind(reason)
        .bind(grant_id)
        .bind(person)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict("this grant is already revoked"));
        }
        insert_consent(&mut tx, &g, "withdrawn", consent).await?;
        tx.commit().await?;
        self.grant_of_person(person, grant_id).await
    }

    /// One of the person's grants.
    pub async fn grant_of_person(&self, person: &str, id: &str) -> Result<Grant> {
        let row: GrantRow = sqlx::query_as(&format!(
            "SELECT {GRANT_COLS} FROM grants g WHERE g.id = $1 AND g.person_id = $2"
        ))
        .bind(id)
        .bind(person)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        let mut g = grant_of(row);
        g.field_ids = sqlx::query_scalar(
            "SELECT field_id FROM grant_fields WHERE grant_id = $1 ORDER BY field_id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        Ok(g)
    }

    /// The person's grants, newest first (optionally of one relationship).
    pub async fn grants_of_person(
        &self,
        person: &str,
        relationship: Option<&str>,
    ) -> Result<Vec<Grant>> {
        let rows: Vec<GrantRow> = sqlx::query_as(&format!(
            "SELECT {GRANT_COLS} FROM grants g WHERE g.person_id = $1 AND ($2 = '' OR g.relationship_id = $2) ORDER BY g.id DESC"
        ))
        .bind(person)
        .bind(relationship.unwrap_or(""))
        .fetch_all(&self.pool)
        .await?;
        let fields: Vec<(String, String)> = sqlx::query_as(
            "SELECT gf.grant_id, gf.field_id FROM grant_fields gf JOIN grants g ON g.id = gf.grant_id \
             WHERE g.person_id = $1 ORDER BY gf.field_id",
        )
        .bind(person)
        .fetch_all(&self.pool)
        .await?;
        let mut by_grant: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (g, f) in fields {
            by_grant.entry(g).or_default().push(f);
        }
        Ok(rows
            .into_iter()
            .map(|r| {
                let mut g = grant_of(r);
                g.field_ids = by_grant.remove(&g.id).unwrap_or_default();
                g
            })
            .collect())
    }

    /// Valid grants of a relationship (for deletion requests, which revoke them).
    pub async fn active_grants_of_relationship(
        &self,
        relationship_id: &str,
        now_us: i64,
    ) -> Result<Vec<Grant>> {
        let rows: Vec<GrantRow> = sqlx::query_as(&format!(
            "SELECT {GRANT_COLS} FROM grants g WHERE g.relationship_id = $1 AND g.revoked_at IS NULL AND g.expires_at > $2 ORDER BY g.id"
        ))
        .bind(relationship_id)
        .bind(now_us)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(grant_of).collect())
    }

    /// The person's consent records, newest first.
    pub async fn consent_records_of(&self, person: &str) -> Result<Vec<ConsentRow>> {
        Ok(sqlx::query_as(
            "SELECT id, person_id, org_id, grant_id, action, record, receipt, created_at FROM consent_records \
             WHERE person_id = $1 ORDER BY id DESC",
        )
        .bind(person)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The record that gave consent for a grant.
    pub async fn consent_given_for(&self, grant_id: &str) -> Result<ConsentRow> {
        sqlx::query_as(
            "SELECT id, person_id, org_id, grant_id, action, record, receipt, created_at FROM consent_records \
             WHERE grant_id = $1 AND action = 'given'",
        )
        .bind(grant_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)
    }

    /// One of the person's consent records.
    pub async fn consent_record(&self, person: &str, id: &str) -> Result<ConsentRow> {
        sqlx::query_as(
            "SELECT id, person_id, org_id, grant_id, action, record, receipt, created_at FROM consent_records \
             WHERE id = $1 AND person_id = $2",
        )
        .bind(id)
        .bind(person)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)
    }

    /// Read what the person granted the organization for `purpose`, and log the read.
    /// The reader must act for the organization (owner, admin, agent) and the
    /// relationship must be shared, else `NotFound`; without a valid grant,
    /// `Refused` says why (none, revoked, expired) and nothing is logged.
    pub async fn read_granted_profile(
        &self,
        reader: Reader<'_>,
        org: &str,
        pseudonym: &str,
        purpose: &str,
        now_us: i64,
    ) -> Result<GrantedProfile> {
        let (profile, log) = self
            .granted_profile(reader, org, pseudonym, purpose, now_us)
            .await?;
        self.append_access_log(std::slice::from_ref(&log)).await?;
        Ok(profile)
    }

    /// What [`Store::read_granted_profile`] returns, and the access-log row to write
    /// before answering (not yet written: the caller writes rows in groups with
    /// [`Store::append_access_log`]). One query.
    pub async fn granted_profile(
        &self,
        reader: Reader<'_>,
        org: &str,
        pseudonym: &str,
        purpose: &str,
        now_us: i64,
    ) -> Result<(GrantedProfile, NewAccessLog)> {
        type Row = (
            String,
            String,
            String,
            Option<String>,
            Option<i64>,
            Option<i64>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
        );
        let rows: Vec<Row> = sqlx::query_as(&format!(
            "SELECT r.id, r.person_id, o.id, g.id, g.expires_at, g.revoked_at, f.id, f.kind, f.label, f.value \
             FROM relationships r JOIN organizations o ON o.id = r.org_id \
             JOIN memberships m ON m.org_id = o.id AND m.user_id = $3 AND m.role IN {VENDOR_ROLES} \
             LEFT JOIN grants g ON g.relationship_id = r.id AND g.purpose = $4 \
             LEFT JOIN grant_fields gf ON gf.grant_id = g.id \
             LEFT JOIN profile_fields f ON f.id = gf.field_id AND f.person_id = r.person_id \
             WHERE (o.id = $1 OR o.handle = $1) AND r.pseudonym = $2 AND r.shared_at IS NOT NULL \
             ORDER BY g.id, f.id"
        ))
        .bind(org)
        .bind(pseudonym)
        .bind(reader.user_id)
        .bind(purpose)
        .fetch_all(&self.pool)
        .await?;
        let (person_id, org_id) = match rows.first() {
            Some(r) => (r.1.clone(), r.2.clone()),
            None => return Err(StoreError::NotFound),
        };
        let mut grants: Vec<(String, i64)> = Vec::new();
        let mut fields: BTreeMap<String, (String, String, String)> = BTreeMap::new();
        let (mut revoked, mut expired): (Option<i64>, Option<i64>) = (None, None);
        for (_, _, _, gid, exp, rev, fid, kind, label, value) in rows {
            let (Some(gid), Some(exp)) = (gid, exp) else {
                continue;
            };
            if let Some(r) = rev {
                revoked = revoked.max(Some(r));
                continue;
            }
            if exp <= now_us {
                expired = expired.max(Some(exp));
                continue;
            }
            if grants.last().map(|g| &g.0) != Some(&gid) {
                grants.push((gid, exp));
            }
            if let (Some(fid), Some(k), Some(l), Some(v)) = (fid, kind, label, value) {
                fields.insert(fid, (k, l, v));
            }
        }
        if grants.is_empty() {
            return Err(match (revoked, expired) {
                (Some(at), _) => StoreError::Refused {
                    code: "grant_revoked",
                    reason: format!(
                        "the person revoked the grant for purpose '{purpose}' at {}",
                        crate::rfc3339(at)
                    ),
                },
                (None, Some(at)) => StoreError::Refused {
                    code: "grant_expired",
                    reason: format!(
                        "the grant for purpose '{purpose}' expired at {}",
                        crate::rfc3339(at)
                    ),
                },
                (None, None) => StoreError::Refused {
                    code: "no_grant",
                    reason: format!("the person has granted nothing for purpose '{purpose}'"),
                },
            });
        }
        let fields: Vec<(String, String, String)> = fields.into_values().collect();
        let labels: Vec<&str> = fields.iter().map(|f| f.1.as_str()).collect();
        let grant_ids: Vec<&str> = grants.iter().map(|g| g.0.as_str()).collect();
        let log = NewAccessLog {
            id: new_id(),
            person_id,
            org_id,
            reader_id: reader.user_id.to_owned(),
            reader_handle: reader.handle.to_owned(),
            via: reader.via.to_owned(),
            purpose: purpose.to_owned(),
            fields: serde_json::to_string(&labels).unwrap_or_default(),
            grant_ids: serde_json::to_string(&grant_ids).unwrap_or_default(),
            at: now_us,
        };
        let profile = GrantedProfile {
            pseudonym: pseudonym.to_owned(),
            purpose: purpose.to_owned(),
            fields,
            grants,
            log_id: log.id.clone(),
        };
        Ok((profile, log))
    }

    /// Write access-log rows in one transaction (one fsync for the group).
    pub async fn append_access_log(&self, rows: &[NewAccessLog]) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let mut tx = self.begin_write().await?;
        for chunk in rows.chunks(64) {
            let sql = format!(
                "INSERT INTO access_log (id, person_id, org_id, reader_id, reader_handle, via, purpose, fields, grant_ids, at) VALUES {}",
                crate::sql::rows(self.backend(), chunk.len(), 10)
            );
            let mut q = sqlx::query(&sql);
            for r in chunk {
                q = q
                    .bind(&r.id)
                    .bind(&r.person_id)
                    .bind(&r.org_id)
                    .bind(&r.reader_id)
                    .bind(&r.reader_handle)
                    .bind(&r.via)
                    .bind(&r.purpose)
                    .bind(&r.fields)
                    .bind(&r.grant_ids)
                    .bind(r.at);
            }
            q.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The person's access log, newest first, `limit` rows before the cursor `(at, id)`.
    pub async fn access_log_of_person(
        &self,
        person: &str,
        before: Option<(i64, String)>,
        limit: i64,
    ) -> Result<crate::Page<AccessLogRow>> {
        let (at, id) = before.unwrap_or((i64::MAX, String::new()));
        let rows: Vec<AccessLogRow> = sqlx::query_as(&format!(
            "SELECT a.id, a.person_id, a.org_id, o.name AS org_name, a.reader_id, a.reader_handle, a.via, a.purpose, \
             a.fields, a.grant_ids, a.at FROM access_log a JOIN organizations o ON o.id = a.org_id \
             WHERE a.person_id = $1 AND (a.at < $2 OR (a.at = $2 AND ($3 = '' OR a.id < $3))) \
             ORDER BY a.at DESC, a.id DESC LIMIT {}",
            crate::sql::limit(limit + 1)
        ))
        .bind(person)
        .bind(at)
        .bind(&id)
        .fetch_all(&self.pool)
        .await?;
        Ok(crate::Page::from_rows(rows, limit, |r| {
            format!("{}.{}", r.at, r.id)
        }))
    }

    /// Every access-log row about the person by one organization (for exports).
    pub async fn access_log_between(
        &self,
        person: &str,
        org_id: &str,
    ) -> Result<Vec<AccessLogRow>> {
        Ok(sqlx::query_as(
            "SELECT a.id, a.person_id, a.org_id, o.name AS org_name, a.reader_id, a.reader_handle, a.via, a.purpose, \
             a.fields, a.grant_ids, a.at FROM access_log a JOIN organizations o ON o.id = a.org_id \
             WHERE a.person_id = $1 AND a.org_id = $2 ORDER BY a.at, a.id",
        )
        .bind(person)
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?)
    }
}

pub(crate) async fn insert_consent(
    tx: &mut WriteTx,
    g: &Grant,
    action: &str,
    c: &NewConsent,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO consent_records (id, person_id, org_id, grant_id, action, record, receipt, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&c.id)
    .bind(&g.person_id)
    .bind(&g.org_id)
    .bind(&g.id)
    .bind(action)
    .bind(&c.record)
    .bind(&c.receipt)
    .bind(c.at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
