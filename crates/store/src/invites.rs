//! Single-use invitation links to join an organization with a role.

use crate::audit::{insert_audit, NewAudit};
use crate::orgs::{insert_membership, lock_and_read};
use crate::{new_id, now_us, Org, Result, Store, StoreError};
use slingshot_domain::{check_member_change, AuditEvent, MemberChange, Role};

/// A pending invitation (the token itself is never stored).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Invite {
    /// UUIDv7.
    pub id: String,
    /// The organization.
    pub org_id: String,
    /// Role given on acceptance.
    pub role: String,
    /// Who created it.
    pub created_by: String,
    /// Microseconds since the epoch.
    pub created_at: i64,
    /// After this it no longer works.
    pub expires_at: i64,
}

/// What an invitation link shows before it is accepted.
#[derive(Debug, Clone)]
pub struct InviteView {
    /// The organization it joins.
    pub org: Org,
    /// Role given on acceptance.
    pub role: String,
    /// Is it still usable (not used, revoked or expired)?
    pub usable: bool,
}

impl Store {
    /// Create an invitation; only members who manage members may, and only owners may invite owners.
    pub async fn create_invite(
        &self,
        actor: &str,
        org_id: &str,
        role: Role,
        token_hash: &str,
        ttl_us: i64,
        ip: &str,
    ) -> Result<Invite> {
        let mut tx = self.begin_write().await?;
        let (actor_role, _, owners) = lock_and_read(&mut tx, actor, org_id, "").await?;
        check_member_change(actor_role, None, MemberChange::Invite(role), false, owners)?;
        let now = now_us();
        let inv = Invite {
            id: new_id(),
            org_id: org_id.to_owned(),
            role: role.as_str().to_owned(),
            created_by: actor.to_owned(),
            created_at: now,
            expires_at: now + ttl_us,
        };
        sqlx::query("INSERT INTO invites (id, org_id, token_hash, role, created_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(&inv.id)
            .bind(&inv.org_id)
            .bind(token_hash)
            .bind(&inv.role)
            .bind(&inv.created_by)
            .bind(inv.created_at)
            .bind(inv.expires_at)
            .execute(&mut *tx)
            .await?;
        let detail = format!("invitation as {}", inv.role);
        let a = NewAudit {
            event: AuditEvent::MemberInvited,
            actor_id: Some(actor),
            subject_user_id: None,
            org_id: Some(org_id),
            ip,
            detail: &detail,
        };
        insert_audit(&mut tx, a).await?;
        tx.commit().await?;
        Ok(inv)
    }

    /// Pending invitations of an organization (for members who manage members).
    pub async fn pending_invites(&self, actor: &str, org_id: &str) -> Result<Vec<Invite>> {
        if !self.role_in(actor, org_id).await?.manages_members() {
            return Err(StoreError::Domain(
                slingshot_domain::DomainError::NotAllowed,
            ));
        }
        Ok(sqlx::query_as(
            "SELECT id, org_id, role, created_by, created_at, expires_at FROM invites \
             WHERE org_id = $1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $2 ORDER BY id DESC",
        )
        .bind(org_id)
        .bind(now_us())
        .fetch_all(&self.pool)
        .await?)
    }

    /// Revoke a pending invitation.
    pub async fn revoke_invite(&self, actor: &str, org_id: &str, invite_id: &str) -> Result<()> {
        if !self.role_in(actor, org_id).await?.manages_members() {
            return Err(StoreError::Domain(
                slingshot_domain::DomainError::NotAllowed,
            ));
        }
        let n = self.write_one(sqlx::query("UPDATE invites SET revoked_at = $1 WHERE id = $2 AND org_id = $3 AND used_at IS NULL AND revoked_at IS NULL")
            .bind(now_us())
            .bind(invite_id)
            .bind(org_id)
            )
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// What an invitation link is for; unknown tokens are `NotFound`.
    pub async fn invite_view(&self, token_hash: &str) -> Result<InviteView> {
        #[allow(clippy::type_complexity)]
        let row: Option<(String, String, Option<i64>, Option<i64>, i64)> = sqlx::query_as(
            "SELECT org_id, role, used_at, revoked_at, expires_at FROM invites WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        let (org_id, role, used, revoked, expires) = row.ok_or(StoreError::NotFound)?;
        let org: Org = sqlx::query_as(
            "SELECT o.id, o.handle, o.name, o.kind, o.verified_at, o.created_at FROM organizations o WHERE o.id = $1",
        )
        .bind(&org_id)
        .fetch_one(&self.pool)
        .await?;
        Ok(InviteView {
            org,
            role,
            usable: used.is_none() && revoked.is_none() && expires > now_us(),
        })
    }

    /// Accept an invitation: single use, within its lifetime. A current member gets `Conflict`.
    pub async fn accept_invite(&self, user_id: &str, token_hash: &str, ip: &str) -> Result<Org> {
        let mut tx = self.begin_write().await?;
        let now = now_us();
        let n = sqlx::query(
            "UPDATE invites SET used_at = $1, used_by = $2 WHERE token_hash = $3 \
             AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $1",
        )
        .bind(now)
        .bind(user_id)
        .bind(token_hash)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            let exists: Option<String> =
                sqlx::query_scalar("SELECT id FROM invites WHERE token_hash = $1")
                    .bind(token_hash)
                    .fetch_optional(&mut *tx)
                    .await?;
            return Err(if exists.is_some() {
                StoreError::Gone
            } else {
                StoreError::NotFound
            });
        }
        let (org_id, role): (String, String) =
            sqlx::query_as("SELECT org_id, role FROM invites WHERE token_hash = $1")
                .bind(token_hash)
                .fetch_one(&mut *tx)
                .await?;
        let role = Role::parse(&role).map_err(|_| StoreError::Corrupt(role.clone()))?;
        insert_membership(&mut tx, &org_id, user_id, role).await?;
        let a = NewAudit {
            event: AuditEvent::MemberJoined,
            actor_id: Some(user_id),
            subject_user_id: Some(user_id),
            org_id: Some(&org_id),
            ip,
            detail: role.as_str(),
        };
        insert_audit(&mut tx, a).await?;
        let org: Org = sqlx::query_as(
            "SELECT o.id, o.handle, o.name, o.kind, o.verified_at, o.created_at FROM organizations o WHERE o.id = $1",
        )
        .bind(&org_id)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(org)
    }
}
