//! Access requests (access, correction, deletion, portability, objection): received with
//! a due date, extended once, answered or refused; every move is an event the person sees.
//! Moves are compare-and-set on the state, so two agents cannot both answer.

use crate::write_turn::WriteTx;
use crate::{new_id, Result, Store, StoreError};
use slingshot_domain::ledger::Side;
use slingshot_domain::DomainError;

/// One request.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AccessRequest {
    /// UUIDv7.
    pub id: String,
    /// The person.
    pub person_id: String,
    /// The organization.
    pub org_id: String,
    /// The relationship.
    pub relationship_id: String,
    /// Kind's stable name.
    pub kind: String,
    /// The person's words.
    pub body: String,
    /// JSON array of profile field ids (corrections).
    pub fields: String,
    /// State's stable name.
    pub state: String,
    /// Microseconds since the epoch.
    pub received_at: i64,
    /// Receipt date in the organization's zone (YYYY-MM-DD).
    pub received_on: String,
    /// Due date before any extension.
    pub first_due_on: String,
    /// Current due date.
    pub due_on: String,
    /// End of the due day in the organization's zone (µs).
    pub due_at: i64,
    /// The response time in business days when received.
    pub business_days: i64,
    /// The organization's zone when received.
    pub time_zone: String,
    /// Why it was extended.
    pub extension_reason: Option<String>,
    /// When it was extended.
    pub extended_at: Option<i64>,
    /// The organization's answer.
    pub answer: Option<String>,
    /// Reasons for a (partial) refusal.
    pub refusal_reasons: Option<String>,
    /// The person's recourse.
    pub recourse: Option<String>,
    /// JSON report of what a deletion erased.
    pub erasure_report: Option<String>,
    /// When answered, refused or withdrawn.
    pub closed_at: Option<i64>,
    /// Who closed it.
    pub closed_by: Option<String>,
}

const REQ_COLS: &str = "id, person_id, org_id, relationship_id, kind, body, fields, state, received_at, received_on, \
     first_due_on, due_on, due_at, business_days, time_zone, extension_reason, extended_at, answer, refusal_reasons, \
     recourse, erasure_report, closed_at, closed_by";

/// A request with the names people see.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RequestListRow {
    /// The request.
    #[sqlx(flatten)]
    pub request: AccessRequest,
    /// The organization's name.
    pub org_name: String,
    /// The relationship's pseudonym (what the organization knows the person by).
    pub pseudonym: String,
}

/// One event in a request's history.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RequestEvent {
    /// UUIDv7.
    pub id: String,
    /// Microseconds since the epoch.
    pub at: i64,
    /// Who (absent for the system).
    pub actor_id: Option<String>,
    /// received, extended, answered, refused, partially_refused, withdrawn, overdue.
    pub kind: String,
    /// What was said.
    pub text: String,
}

/// How a request closes: the new state and what goes with it.
#[derive(Debug, Clone, Default)]
pub struct Closing {
    /// answered | refused | partially_refused | withdrawn.
    pub state: String,
    /// The answer's text.
    pub answer: Option<String>,
    /// Refusal reasons.
    pub reasons: Option<String>,
    /// Recourse.
    pub recourse: Option<String>,
    /// The export sent with the answer: (content type, bytes).
    pub export: Option<(String, Vec<u8>)>,
    /// For deletion: erase the relationship's bodies and revoke these grants, each
    /// with its withdrawal record.
    pub erase: Option<Vec<(crate::Grant, crate::NewConsent)>>,
    /// The event's text for the person.
    pub event_text: String,
}

/// What a deletion erased.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct ErasureReport {
    /// Entry bodies erased (chain entries keep their hashes).
    pub bodies_erased: i64,
    /// Attachments whose content was erased.
    pub attachments_erased: i64,
    /// Grants revoked.
    pub grants_revoked: i64,
}

/// Everything an organization holds about one person, for an access answer.
#[derive(Debug, Clone)]
pub struct HeldData {
    /// The relationship.
    pub relationship: crate::Relationship,
    /// Its threads.
    pub threads: Vec<crate::Thread>,
    /// Entries the organization can see (shared, and its own notes), oldest first.
    pub entries: Vec<HeldEntry>,
    /// The person's grants to the organization.
    pub grants: Vec<crate::Grant>,
    /// Reads of granted data.
    pub access_log: Vec<crate::AccessLogRow>,
    /// Proffered terms.
    pub terms: Vec<crate::TermsRow>,
}

/// One entry in an export.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HeldEntry {
    /// UUIDv7.
    pub id: String,
    /// Thread.
    pub thread_id: String,
    /// Chain position.
    pub seq: Option<i64>,
    /// Author's side.
    pub side: String,
    /// Kind.
    pub kind: String,
    /// Microseconds since the epoch.
    pub at: i64,
    /// Chain hash.
    pub hash: Option<String>,
    /// The body JSON; absent when erased.
    pub body: Option<String>,
    /// When erased.
    pub erased_at: Option<i64>,
    /// For notes: the side that sees it.
    pub private_side: Option<String>,
}

impl Store {
    /// Store a new request and its `received` event. The caller found the relationship
    /// with [`Store::relationship_with_org`] and computed the deadline; correction
    /// fields must be the person's own (else 422, nothing written).
    pub async fn create_request(&self, r: &AccessRequest, field_ids: &[String]) -> Result<()> {
        let mut tx = self.begin_write().await?;
        for f in field_ids {
            let mine: Option<String> = sqlx::query_scalar(
                "SELECT id FROM profile_fields WHERE id = $1 AND person_id = $2",
            )
            .bind(f)
            .bind(&r.person_id)
            .fetch_optional(&mut *tx)
            .await?;
            if mine.is_none() {
                return Err(DomainError::MissingText(
                    "a correction may name only fields you hold in your profile",
                )
                .into());
            }
        }
        sqlx::query(&format!(
            "INSERT INTO access_requests ({REQ_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, \
             NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)"
        ))
        .bind(&r.id)
        .bind(&r.person_id)
        .bind(&r.org_id)
        .bind(&r.relationship_id)
        .bind(&r.kind)
        .bind(&r.body)
        .bind(&r.fields)
        .bind(&r.state)
        .bind(r.received_at)
        .bind(&r.received_on)
        .bind(&r.first_due_on)
        .bind(&r.due_on)
        .bind(r.due_at)
        .bind(r.business_days)
        .bind(&r.time_zone)
        .execute(&mut *tx)
        .await?;
        add_event(
            &mut tx,
            &r.id,
            r.received_at,
            Some(&r.person_id),
            "received",
            &format!(
                "Received on {}; due by {} ({} business days).",
                r.received_on, r.due_on, r.business_days
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The person's relationship with an organization (by id or handle); `NotFound`
    /// when there is none, or it is not shared with the organization.
    pub async fn relationship_with_org(
        &self,
        person: &str,
        org: &str,
    ) -> Result<crate::Relationship> {
        sqlx::query_as(&format!(
            "SELECT {} FROM relationships r JOIN organizations o ON o.id = r.org_id \
             WHERE r.person_id = $1 AND (o.id = $2 OR o.handle = $2) AND r.shared_at IS NOT NULL",
            crate::relationships::REL_COLS
        ))
        .bind(person)
        .bind(org)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)
    }

    /// A request and the side `actor` is on: its person, or a member acting for its
    /// organization (owner, admin, agent). Anyone else gets `NotFound`.
    pub async fn request_for(&self, actor: &str, id: &str) -> Result<(AccessRequest, Side)> {
        let r: AccessRequest = sqlx::query_as(&format!(
            "SELECT {REQ_COLS} FROM access_requests WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        if r.person_id == actor {
            return Ok((r, Side::Customer));
        }
        self.require_vendor_member(actor, &r.org_id).await?;
        Ok((r, Side::Vendor))
    }

    /// The person's requests, newest first.
    pub async fn requests_of_person(&self, person: &str) -> Result<Vec<RequestListRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {}, o.name AS org_name, r.pseudonym FROM access_requests q JOIN organizations o ON o.id = q.org_id \
             JOIN relationships r ON r.id = q.relationship_id WHERE q.person_id = $1 ORDER BY q.id DESC",
            prefixed("q")
        ))
        .bind(person)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The organization's queue: open requests first, by due date; then closed ones,
    /// most recently closed first.
    pub async fn requests_of_org(
        &self,
        actor: &str,
        org_id: &str,
        open_only: bool,
    ) -> Result<Vec<RequestListRow>> {
        self.require_vendor_member(actor, org_id).await?;
        Ok(sqlx::query_as(&format!(
            "SELECT {}, o.name AS org_name, r.pseudonym FROM access_requests q JOIN organizations o ON o.id = q.org_id \
             JOIN relationships r ON r.id = q.relationship_id WHERE q.org_id = $1 \
             AND ($2 = 0 OR q.state IN ('received', 'extended')) \
             ORDER BY (CASE WHEN q.state IN ('received', 'extended') THEN 0 ELSE 1 END), \
             (CASE WHEN q.state IN ('received', 'extended') THEN q.due_at ELSE -q.closed_at END), q.id",
            prefixed("q")
        ))
        .bind(org_id)
        .bind(i64::from(open_only))
        .fetch_all(&self.pool)
        .await?)
    }

    /// A request's history, oldest first.
    pub async fn request_events(&self, request_id: &str) -> Result<Vec<RequestEvent>> {
        Ok(sqlx::query_as(
            "SELECT id, at, actor_id, kind, text FROM access_request_events WHERE request_id = $1 ORDER BY at, id",
        )
        .bind(request_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Extend a request from `from_state` (compare-and-set): a new due date and the reason.
    #[allow(clippy::too_many_arguments)]
    pub async fn extend_request(
        &self,
        id: &str,
        from_state: &str,
        actor: &str,
        reason: &str,
        due_on: &str,
        due_at: i64,
        at: i64,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE access_requests SET state = 'extended', extension_reason = $1, extended_at = $2, due_on = $3, due_at = $4 \
             WHERE id = $5 AND state = $6",
        )
        .bind(reason)
        .bind(at)
        .bind(due_on)
        .bind(due_at)
        .bind(id)
        .bind(from_state)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict(
                "the request changed meanwhile; reload it",
            ));
        }
        add_event(
            &mut tx,
            id,
            at,
            Some(actor),
            "extended",
            &format!("Extended to {due_on}. Reason: {reason}"),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Close a request from `from_state` (compare-and-set) in one transaction: the answer
    /// or refusal, the export, and for deletions the erasure and the grants' revocation.
    pub async fn close_request(
        &self,
        r: &AccessRequest,
        from_state: &str,
        actor: &str,
        at: i64,
        c: &Closing,
    ) -> Result<Option<ErasureReport>> {
        let mut tx = self.begin_write().await?;
        let report = match &c.erase {
            Some(grants) => Some(self.erase_held(&mut tx, r, grants, at).await?),
            None => None,
        };
        let report_json = report.map(|x| serde_json::to_string(&x).unwrap_or_default());
        let done = sqlx::query(
            "UPDATE access_requests SET state = $1, answer = $2, refusal_reasons = $3, recourse = $4, erasure_report = $5, \
             closed_at = $6, closed_by = $7 WHERE id = $8 AND state = $9",
        )
        .bind(&c.state)
        .bind(&c.answer)
        .bind(&c.reasons)
        .bind(&c.recourse)
        .bind(&report_json)
        .bind(at)
        .bind(actor)
        .bind(&r.id)
        .bind(from_state)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict(
                "the request changed meanwhile; reload it",
            ));
        }
        if let Some((ct, data)) = &c.export {
            sqlx::query(
                "INSERT INTO access_request_exports (request_id, content_type, data, created_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(&r.id)
            .bind(ct)
            .bind(data.as_slice())
            .bind(at)
            .execute(&mut *tx)
            .await?;
        }
        add_event(&mut tx, &r.id, at, Some(actor), &c.state, &c.event_text).await?;
        tx.commit().await?;
        Ok(report)
    }

    /// The export an answer carried: (content type, bytes).
    pub async fn request_export(&self, request_id: &str) -> Result<(String, Vec<u8>)> {
        sqlx::query_as(
            "SELECT content_type, data FROM access_request_exports WHERE request_id = $1",
        )
        .bind(request_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)
    }

    async fn erase_held(
        &self,
        tx: &mut WriteTx,
        r: &AccessRequest,
        grants: &[(crate::Grant, crate::NewConsent)],
        at: i64,
    ) -> Result<ErasureReport> {
        const HELD: &str = "SELECT id FROM entries WHERE relationship_id = $1 AND (private_side IS NULL OR private_side = 'vendor')";
        // The search rows first: they are found through the bodies.
        if self.backend() == crate::Backend::Sqlite {
            sqlx::query(&crate::search::UNINDEX_SQL.replace("{entries}", HELD))
                .bind(&r.relationship_id)
                .execute(&mut **tx)
                .await?;
        }
        let bodies = sqlx::query(&format!(
            "DELETE FROM entry_bodies WHERE entry_id IN ({HELD})"
        ))
        .bind(&r.relationship_id)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        sqlx::query(&format!(
            "UPDATE entries SET erased_at = $2 WHERE id IN ({HELD}) AND erased_at IS NULL"
        ))
        .bind(&r.relationship_id)
        .bind(at)
        .execute(&mut **tx)
        .await?;
        let attachments = sqlx::query(&format!(
            "UPDATE attachments SET data = NULL WHERE entry_id IN ({HELD}) AND data IS NOT NULL"
        ))
        .bind(&r.relationship_id)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        let mut revoked = 0;
        for (g, consent) in grants {
            let done = sqlx::query(
                "UPDATE grants SET revoked_at = $1, revoke_reason = $2 WHERE id = $3 AND revoked_at IS NULL",
            )
            .bind(at)
            .bind("deletion request")
            .bind(&g.id)
            .execute(&mut **tx)
            .await?;
            if done.rows_affected() == 1 {
                revoked += 1;
                crate::grants::insert_consent(tx, g, "withdrawn", consent).await?;
            }
        }
        Ok(ErasureReport {
            bodies_erased: i64::try_from(bodies).unwrap_or(i64::MAX),
            attachments_erased: i64::try_from(attachments).unwrap_or(i64::MAX),
            grants_revoked: revoked,
        })
    }

    /// Everything the organization holds about the person of `relationship_id`.
    pub async fn held_data(&self, relationship_id: &str) -> Result<HeldData> {
        let relationship = self.relationship_by_id(relationship_id).await?;
        let threads: Vec<crate::Thread> = sqlx::query_as(&format!(
            "SELECT {} FROM threads t WHERE t.relationship_id = $1 ORDER BY t.id",
            crate::threads::thread_cols(slingshot_domain::ledger::Side::Vendor)
        ))
        .bind(relationship_id)
        .fetch_all(&self.pool)
        .await?;
        let entries: Vec<HeldEntry> = sqlx::query_as(
            "SELECT e.id, e.thread_id, e.seq, e.side, e.kind, e.at, e.hash, b.body, e.erased_at, e.private_side \
             FROM entries e LEFT JOIN entry_bodies b ON b.entry_id = e.id \
             WHERE e.relationship_id = $1 AND (e.private_side IS NULL OR e.private_side = 'vendor') ORDER BY e.at, e.id",
        )
        .bind(relationship_id)
        .fetch_all(&self.pool)
        .await?;
        let org = relationship.org_id.clone().unwrap_or_default();
        let grants = self
            .grants_of_person(&relationship.person_id, Some(relationship_id))
            .await?;
        let access_log = self
            .access_log_between(&relationship.person_id, &org)
            .await?;
        let terms: Vec<crate::TermsRow> = self
            .terms_of_person(&relationship.person_id)
            .await?
            .into_iter()
            .filter(|t| t.relationship_id == relationship_id)
            .collect();
        Ok(HeldData {
            relationship,
            threads,
            entries,
            grants,
            access_log,
            terms,
        })
    }

    /// Open requests past their due time (for flags and the demo).
    pub async fn overdue_requests_of_org(&self, org_id: &str, now_us: i64) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM access_requests WHERE org_id = $1 AND state IN ('received', 'extended') AND due_at < $2",
        )
        .bind(org_id)
        .bind(now_us)
        .fetch_one(&self.pool)
        .await?)
    }
}

fn prefixed(alias: &str) -> String {
    REQ_COLS
        .split(", ")
        .map(|c| format!("{alias}.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

async fn add_event(
    tx: &mut WriteTx,
    request_id: &str,
    at: i64,
    actor: Option<&str>,
    kind: &str,
    text: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO access_request_events (id, request_id, at, actor_id, kind, text) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(new_id())
    .bind(request_id)
    .bind(at)
    .bind(actor)
    .bind(kind)
    .bind(text)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
