//! The security audit log: append-only, readable by the person concerned or the
//! organization's owners.

use crate::write_turn::WriteTx;
use crate::{new_id, now_us, Page, Result, Store};
use slingshot_domain::AuditEvent;

/// One recorded security event.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditEntry {
    /// UUIDv7 (time-ordered).
    pub id: String,
    /// Microseconds since the epoch.
    pub at: i64,
    /// The event's stable name.
    pub event: String,
    /// Who acted (absent for anonymous failures).
    pub actor_id: Option<String>,
    /// Handle of the actor, if any.
    pub actor_handle: Option<String>,
    /// The account the event concerns.
    pub subject_user_id: Option<String>,
    /// Handle of that account.
    pub subject_handle: Option<String>,
    /// The organization the event concerns.
    pub org_id: Option<String>,
    /// The client's address.
    pub ip: String,
    /// Free text (role names, token names, ...). Never secrets.
    pub detail: String,
}

/// An event to record.
#[derive(Debug, Clone)]
pub struct NewAudit<'a> {
    /// What happened.
    pub event: AuditEvent,
    /// Who did it.
    pub actor_id: Option<&'a str>,
    /// Whose account it concerns.
    pub subject_user_id: Option<&'a str>,
    /// Which organization it concerns.
    pub org_id: Option<&'a str>,
    /// Client address.
    pub ip: &'a str,
    /// Details for people.
    pub detail: &'a str,
}

impl<'a> NewAudit<'a> {
    /// An event about a person's own account.
    pub fn person(
        event: AuditEvent,
        actor: &'a str,
        subject: &'a str,
        ip: &'a str,
        detail: &'a str,
    ) -> Self {
        Self {
            event,
            actor_id: Some(actor),
            subject_user_id: Some(subject),
            org_id: None,
            ip,
            detail,
        }
    }
}

pub(crate) async fn insert_audit(tx: &mut WriteTx, a: NewAudit<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (id, at, event, actor_id, subject_user_id, org_id, ip, detail) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(new_id())
    .bind(now_us())
    .bind(a.event.as_str())
    .bind(a.actor_id)
    .bind(a.subject_user_id)
    .bind(a.org_id)
    .bind(a.ip)
    .bind(a.detail)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

const AUDIT_SELECT: &str = "SELECT a.id, a.at, a.event, a.actor_id, ua.handle AS actor_handle, \
     a.subject_user_id, us.handle AS subject_handle, a.org_id, a.ip, a.detail \
     FROM audit_log a LEFT JOIN users ua ON ua.id = a.actor_id LEFT JOIN users us ON us.id = a.subject_user_id";

impl Store {
    /// Record a standalone event (one not part of another write).
    pub async fn record_audit(&self, a: NewAudit<'_>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        insert_audit(&mut tx, a).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A person's own audit log, newest first. `before` is the cursor.
    pub async fn audit_for_user(
        &self,
        user_id: &str,
        before: Option<&str>,
        limit: i64,
    ) -> Result<Page<AuditEntry>> {
        let rows: Vec<AuditEntry> = sqlx::query_as(&format!(
            "{AUDIT_SELECT} WHERE a.subject_user_id = $1 AND a.id < $2 ORDER BY a.id DESC LIMIT {}",
            crate::sql::limit(limit + 1)
        ))
        .bind(user_id)
        .bind(before.unwrap_or("~"))
        .fetch_all(&self.pool)
        .await?;
        Ok(Page::from_rows(rows, limit, |e| e.id.clone()))
    }

    /// An organization's audit log, newest first; only its owners may read it.
    pub async fn audit_for_org(
        &self,
        actor_id: &str,
        org_id: &str,
        before: Option<&str>,
        limit: i64,
    ) -> Result<Page<AuditEntry>> {
        let role = self.role_in(actor_id, org_id).await?;
        if !role.reads_audit_log() {
            return Err(crate::StoreError::Domain(
                slingshot_domain::DomainError::NotAllowed,
            ));
        }
        let rows: Vec<AuditEntry> = sqlx::query_as(&format!(
            "{AUDIT_SELECT} WHERE a.org_id = $1 AND a.id < $2 ORDER BY a.id DESC LIMIT {}",
            crate::sql::limit(limit + 1)
        ))
        .bind(org_id)
        .bind(before.unwrap_or("~"))
        .fetch_all(&self.pool)
        .await?;
        Ok(Page::from_rows(rows, limit, |e| e.id.clone()))
    }
}
