//! Terms a person proffers to an organization (IEEE 7012 style) and its answer. The
//! person signs the proffer; the organization signs its answer over the same record.

use crate::{Result, Store, StoreError};

/// A proffered term and, once given, the organization's answer.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TermsRow {
    /// UUIDv7.
    pub id: String,
    /// The person.
    pub person_id: String,
    /// The organization.
    pub org_id: String,
    /// The relationship.
    pub relationship_id: String,
    /// The term's id in the published list.
    pub term: String,
    /// The list's version.
    pub list_version: String,
    /// Microseconds since the epoch.
    pub proffered_at: i64,
    /// The person's key.
    pub person_key_id: String,
    /// The person's signature over the proffer.
    pub person_signature: String,
    /// accepted | counter | rejected; `None` while pending.
    pub response: Option<String>,
    /// The alternative the organization proposed.
    pub counter_term: Option<String>,
    /// The member who answered.
    pub responder_id: Option<String>,
    /// Microseconds since the epoch.
    pub responded_at: Option<i64>,
    /// The organization's key.
    pub org_key_id: Option<String>,
    /// The organization's signature over the answered record.
    pub org_signature: Option<String>,
}

const TERMS_COLS: &str = "id, person_id, org_id, relationship_id, term, list_version, proffered_at, person_key_id, \
     person_signature, response, counter_term, responder_id, responded_at, org_key_id, org_signature";

/// The organization's signed answer.
#[derive(Debug, Clone)]
pub struct TermsAnswer {
    /// accepted | counter | rejected.
    pub response: String,
    /// The alternative, for `counter`.
    pub counter_term: Option<String>,
    /// The member.
    pub responder_id: String,
    /// Microseconds since the epoch.
    pub responded_at: i64,
    /// The organization's key.
    pub org_key_id: String,
    /// Its signature.
    pub org_signature: String,
}

impl Store {
    /// Store a signed proffer (the caller checked the relationship and the term).
    pub async fn proffer_terms(&self, t: &TermsRow) -> Result<()> {
        self.write_one(sqlx::query(&format!(
            "INSERT INTO terms_records ({TERMS_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, NULL, NULL, NULL, NULL, NULL)"
        ))
        .bind(&t.id)
        .bind(&t.person_id)
        .bind(&t.org_id)
        .bind(&t.relationship_id)
        .bind(&t.term)
        .bind(&t.list_version)
        .bind(t.proffered_at)
        .bind(&t.person_key_id)
        .bind(&t.person_signature)
        )
        .await?;
        Ok(())
    }

    /// The person's proffered terms, newest first.
    pub async fn terms_of_person(&self, person: &str) -> Result<Vec<TermsRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {TERMS_COLS} FROM terms_records WHERE person_id = $1 ORDER BY id DESC"
        ))
        .bind(person)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Terms proffered to an organization (its owners, admins, agents), pending first.
    pub async fn terms_of_org(&self, actor: &str, org_id: &str) -> Result<Vec<TermsRow>> {
        self.require_vendor_member(actor, org_id).await?;
        Ok(sqlx::query_as(&format!(
            "SELECT {TERMS_COLS} FROM terms_records WHERE org_id = $1 ORDER BY (CASE WHEN response IS NULL THEN 0 ELSE 1 END), id DESC"
        ))
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// One record, for its person or a member acting for its organization.
    pub async fn terms_record(&self, actor: &str, id: &str) -> Result<TermsRow> {
        let t: TermsRow = sqlx::query_as(&format!(
            "SELECT {TERMS_COLS} FROM terms_records WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        if t.person_id != actor {
            self.require_vendor_member(actor, &t.org_id).await?;
        }
        Ok(t)
    }

    /// Record the organization's answer once; `Conflict` when already answered.
    pub async fn answer_terms(&self, actor: &str, id: &str, a: &TermsAnswer) -> Result<TermsRow> {
        let t = self.terms_record(actor, id).await?;
        self.require_vendor_member(actor, &t.org_id).await?;
        let done = self.write_one(sqlx::query(
            "UPDATE terms_records SET response = $1, counter_term = $2, responder_id = $3, responded_at = $4, \
             org_key_id = $5, org_signature = $6 WHERE id = $7 AND response IS NULL",
        )
        .bind(&a.response)
        .bind(&a.counter_term)
        .bind(&a.responder_id)
        .bind(a.responded_at)
        .bind(&a.org_key_id)
        .bind(&a.org_signature)
        .bind(id)
        )
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict("these terms were already answered"));
        }
        self.terms_record(actor, id).await
    }

    /// Distinct terms the organization accepted (for its public profile), with counts.
    pub async fn accepted_terms(&self, org_id: &str) -> Result<Vec<(String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT term, COUNT(*) FROM terms_records WHERE org_id = $1 AND response = 'accepted' GROUP BY term ORDER BY term",
        )
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?)
    }
}
