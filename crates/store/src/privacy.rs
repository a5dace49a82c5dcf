//! How an organization answers data requests: its clock (response time, zone, weekend,
//! holidays) and its public statements; and the public figures of how it did.

use crate::{now_us, Result, Store, StoreError};
use slingshot_domain::DomainError;

/// An organization's privacy settings (defaults until it sets its own).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PrivacySettings {
    /// The organization.
    pub org_id: String,
    /// Business days to answer a request (30 by default).
    pub response_days: i64,
    /// IANA time-zone name.
    pub time_zone: String,
    /// Weekend days, e.g. "sat,sun".
    pub weekend: String,
    /// Holidays, one `YYYY-MM-DD` per line (comments after `#`).
    pub holidays: String,
    /// 1 when a holiday on a weekend moves to the next business day.
    pub observe_weekend_holidays: i64,
    /// Jurisdiction code (ISO 3166, e.g. "CA-ON").
    pub jurisdiction: String,
    /// Privacy policy address.
    pub policy_url: String,
    /// Privacy contact.
    pub contact_email: String,
    /// Microseconds since the epoch (0 for defaults).
    pub updated_at: i64,
}

impl PrivacySettings {
    /// The defaults: 30 business days, UTC, Saturday and Sunday off, no holidays.
    pub fn defaults(org_id: &str) -> Self {
        Self {
            org_id: org_id.to_owned(),
            response_days: 30,
            time_zone: "UTC".into(),
            weekend: "sat,sun".into(),
            holidays: String::new(),
            observe_weekend_holidays: 1,
            jurisdiction: String::new(),
            policy_url: String::new(),
            contact_email: String::new(),
            updated_at: 0,
        }
    }
}

/// One request's timing, for the public figures.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RequestTiming {
    /// The state's stable name.
    pub state: String,
    /// Microseconds since the epoch.
    pub received_at: i64,
    /// End of the due day.
    pub due_at: i64,
    /// When answered, refused or withdrawn.
    pub closed_at: Option<i64>,
}

impl Store {
    /// The organization's settings, or the defaults.
    pub async fn privacy_settings(&self, org_id: &str) -> Result<PrivacySettings> {
        let s: Option<PrivacySettings> = sqlx::query_as(
            "SELECT org_id, response_days, time_zone, weekend, holidays, observe_weekend_holidays, jurisdiction, \
             policy_url, contact_email, updated_at FROM org_privacy WHERE org_id = $1",
        )
        .bind(org_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(s.unwrap_or_else(|| PrivacySettings::defaults(org_id)))
    }

    /// Replace the settings (owners and admins only; values checked by the caller).
    pub async fn set_privacy_settings(&self, actor: &str, s: &PrivacySettings) -> Result<()> {
        let role = self.role_in(actor, &s.org_id).await?;
        if !matches!(
            role,
            slingshot_domain::Role::Owner | slingshot_domain::Role::Admin
        ) {
            return Err(DomainError::NotAllowed.into());
        }
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM org_privacy WHERE org_id = $1")
            .bind(&s.org_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO org_privacy (org_id, response_days, time_zone, weekend, holidays, observe_weekend_holidays, \
             jurisdiction, policy_url, contact_email, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&s.org_id)
        .bind(s.response_days)
        .bind(&s.time_zone)
        .bind(&s.weekend)
        .bind(&s.holidays)
        .bind(s.observe_weekend_holidays)
        .bind(&s.jurisdiction)
        .bind(&s.policy_url)
        .bind(&s.contact_email)
        .bind(now_us())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Timing of every request the organization received (for its public figures).
    pub async fn request_timings(&self, org_id: &str) -> Result<Vec<RequestTiming>> {
        Ok(sqlx::query_as(
            "SELECT state, received_at, due_at, closed_at FROM access_requests WHERE org_id = $1",
        )
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// An organization by id or handle, for its public page (no membership needed).
    pub async fn org_public(&self, id_or_handle: &str) -> Result<crate::Org> {
        sqlx::query_as(
            "SELECT id, handle, name, kind, verified_at, created_at FROM organizations WHERE id = $1 OR handle = $1",
        )
        .bind(id_or_handle)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)
    }
}
