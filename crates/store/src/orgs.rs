//! Organizations and memberships. Members see their organization; others get
//! [`StoreError::NotFound`].

use crate::audit::{insert_audit, NewAudit};
use crate::error::conflict_on_unique;
use crate::write_turn::WriteTx;
use crate::{new_id, now_us, Result, Store, StoreError};
use slingshot_domain::{
    check_member_change, AuditEvent, Handle, MemberChange, OrgKind, OrgName, Role,
};

/// An organization.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Org {
    /// UUIDv7.
    pub id: String,
    /// Unique handle.
    pub handle: String,
    /// Display name.
    pub name: String,
    /// `vendor`, `association` or `government`.
    pub kind: String,
    /// When an instance administrator checked its business identity.
    pub verified_at: Option<i64>,
    /// Microseconds since the epoch.
    pub created_at: i64,
}

/// An organization with the acting member's role in it.
#[derive(Debug, Clone)]
pub struct OrgWithRole {
    /// The organization.
    pub org: Org,
    /// The actor's role.
    pub role: Role,
}

/// One member of an organization.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Member {
    /// The member's account id.
    pub user_id: String,
    /// Their handle.
    pub handle: String,
    /// Their display name.
    pub display_name: String,
    /// Their role's stable name.
    pub role: String,
    /// When they joined.
    pub created_at: i64,
}

/// An organization row joined with a membership role.
type OrgRoleRow = (String, String, String, String, Option<i64>, i64, String);

const ORG_COLS: &str = "o.id, o.handle, o.name, o.kind, o.verified_at, o.created_at";

fn parse_role(s: &str) -> Result<Role> {
    Role::parse(s).map_err(|_| StoreError::Corrupt(format!("role {s:?}")))
}

impl Store {
    /// Create an organization with `actor` as its first owner.
    pub async fn create_org(
        &self,
        actor: &str,
        handle: &Handle,
        name: &OrgName,
        kind: OrgKind,
        ip: &str,
    ) -> Result<Org> {
        let org = Org {
            id: new_id(),
            handle: handle.as_str().to_owned(),
            name: name.as_str().to_owned(),
            kind: kind.as_str().to_owned(),
            verified_at: None,
            created_at: now_us(),
        };
        let mut tx = self.begin_write().await?;
        sqlx::query("INSERT INTO organizations (id, handle, name, kind, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&org.id)
            .bind(&org.handle)
            .bind(&org.name)
            .bind(&org.kind)
            .bind(org.created_at)
            .execute(&mut *tx)
            .await
            .map_err(conflict_on_unique("handle"))?;
        insert_membership(&mut tx, &org.id, actor, Role::Owner).await?;
        let a = NewAudit {
            event: AuditEvent::OrgCreated,
            actor_id: Some(actor),
            subject_user_id: Some(actor),
            org_id: Some(&org.id),
            ip,
            detail: &org.name,
        };
        insert_audit(&mut tx, a).await?;
        tx.commit().await?;
        Ok(org)
    }

    /// The actor's role in an organization; `NotFound` when not a member.
    pub async fn role_in(&self, actor: &str, org_id: &str) -> Result<Role> {
        let role: Option<String> =
            sqlx::query_scalar("SELECT role FROM memberships WHERE org_id = $1 AND user_id = $2")
                .bind(org_id)
                .bind(actor)
                .fetch_optional(&self.pool)
                .await?;
        parse_role(&role.ok_or(StoreError::NotFound)?)
    }

    /// An organization the actor belongs to, by id or handle.
    pub async fn org_for_member(&self, actor: &str, id_or_handle: &str) -> Result<OrgWithRole> {
        let row: Option<OrgRoleRow> = sqlx::query_as(&format!(
            "SELECT {ORG_COLS}, m.role FROM organizations o JOIN memberships m ON m.org_id = o.id \
             WHERE (o.id = $1 OR o.handle = $1) AND m.user_id = $2"
        ))
        .bind(id_or_handle)
        .bind(actor)
        .fetch_optional(&self.pool)
        .await?;
        let (id, handle, name, kind, verified_at, created_at, role) =
            row.ok_or(StoreError::NotFound)?;
        Ok(OrgWithRole {
            org: Org {
                id,
                handle,
                name,
                kind,
                verified_at,
                created_at,
            },
            role: parse_role(&role)?,
        })
    }

    /// The organizations the actor belongs to, with their role, by name.
    pub async fn orgs_of(&self, actor: &str) -> Result<Vec<OrgWithRole>> {
        let rows: Vec<OrgRoleRow> = sqlx::query_as(&format!(
            "SELECT {ORG_COLS}, m.role FROM organizations o JOIN memberships m ON m.org_id = o.id \
             WHERE m.user_id = $1 ORDER BY o.name"
        ))
        .bind(actor)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(id, handle, name, kind, verified_at, created_at, role)| {
                Ok(OrgWithRole {
                    org: Org {
                        id,
                        handle,
                        name,
                        kind,
                        verified_at,
                        created_at,
                    },
                    role: parse_role(&role)?,
                })
            })
            .collect()
    }

    /// Members of an organization the actor belongs to, owners first.
    pub async fn members(&self, actor: &str, org_id: &str) -> Result<Vec<Member>> {
        self.role_in(actor, org_id).await?;
        Ok(sqlx::query_as(
            "SELECT m.user_id, u.handle, u.display_name, m.role, m.created_at FROM memberships m \
             JOIN users u ON u.id = m.user_id WHERE m.org_id = $1 ORDER BY \
             CASE m.role WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 ELSE 2 END, u.handle",
        )
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Give a member a new role, keeping the organization's rules (see
    /// [`slingshot_domain::check_member_change`]).
    pub async fn set_role(
        &self,
        actor: &str,
        org_id: &str,
        target: &str,
        role: Role,
        ip: &str,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let (actor_role, target_role, owners) =
            lock_and_read(&mut tx, actor, org_id, target).await?;
        let target_role = target_role.ok_or(StoreError::NotFound)?;
        check_member_change(
            actor_role,
            Some(target_role),
            MemberChange::SetRole(role),
            actor == target,
            owners,
        )?;
        sqlx::query("UPDATE memberships SET role = $1 WHERE org_id = $2 AND user_id = $3")
            .bind(role.as_str())
            .bind(org_id)
            .bind(target)
            .execute(&mut *tx)
            .await?;
        let detail = format!("{} → {}", target_role.as_str(), role.as_str());
        let a = NewAudit {
            event: AuditEvent::RoleChanged,
            actor_id: Some(actor),
            subject_user_id: Some(target),
            org_id: Some(org_id),
            ip,
            detail: &detail,
        };
        insert_audit(&mut tx, a).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Remove a member (or leave, when `actor == target`); the last owner cannot leave.
    pub async fn remove_member(
        &self,
        actor: &str,
        org_id: &str,
        target: &str,
        ip: &str,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let (actor_role, target_role, owners) =
            lock_and_read(&mut tx, actor, org_id, target).await?;
        let target_role = target_role.ok_or(StoreError::NotFound)?;
        check_member_change(
            actor_role,
            Some(target_role),
            MemberChange::Remove,
            actor == target,
            owners,
        )?;
        sqlx::query("DELETE FROM memberships WHERE org_id = $1 AND user_id = $2")
            .bind(org_id)
            .bind(target)
            .execute(&mut *tx)
            .await?;
        let detail = if actor == target { "left" } else { "removed" };
        let a = NewAudit {
            event: AuditEvent::MemberRemoved,
            actor_id: Some(actor),
            subject_user_id: Some(target),
            org_id: Some(org_id),
            ip,
            detail,
        };
        insert_audit(&mut tx, a).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every organization on the instance (for instance administrators).
    pub async fn all_orgs(&self) -> Result<Vec<Org>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {ORG_COLS} FROM organizations o ORDER BY o.name"
        ))
        .fetch_all(&self.pool)
        .await?)
    }

    /// Mark an organization verified; `admin` must be an instance administrator.
    pub async fn verify_org(&self, admin: &str, org_id: &str, ip: &str) -> Result<Org> {
        let user = self.user_by_id(admin).await?;
        if !user.admin() {
            return Err(StoreError::NotFound);
        }
        let mut tx = self.begin_write().await?;
        let n = sqlx::query("UPDATE organizations SET verified_at = $1, verified_by = $2 WHERE (id = $3 OR handle = $3) AND verified_at IS NULL")
            .bind(now_us())
            .bind(admin)
            .bind(org_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        let org: Org = sqlx::query_as(&format!(
            "SELECT {ORG_COLS} FROM organizations o WHERE o.id = $1 OR o.handle = $1"
        ))
        .bind(org_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        if n > 0 {
            let a = NewAudit {
                event: AuditEvent::OrgVerified,
                actor_id: Some(admin),
                subject_user_id: None,
                org_id: Some(&org.id),
                ip,
                detail: "business identity checked",
            };
            insert_audit(&mut tx, a).await?;
        }
        tx.commit().await?;
        Ok(org)
    }
}

pub(crate) async fn insert_membership(
    tx: &mut WriteTx,
    org_id: &str,
    user_id: &str,
    role: Role,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO memberships (org_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(org_id)
    .bind(user_id)
    .bind(role.as_str())
    .bind(now_us())
    .execute(&mut **tx)
    .await
    .map_err(conflict_on_unique("membership"))?;
    Ok(())
}

/// Take the organization's write lock (a no-op update serialises concurrent member
/// changes on both backends), then read the actor's role, the target's role and the
/// number of owners.
pub(crate) async fn lock_and_read(
    tx: &mut WriteTx,
    actor: &str,
    org_id: &str,
    target: &str,
) -> Result<(Role, Option<Role>, usize)> {
    sqlx::query("UPDATE organizations SET handle = handle WHERE id = $1")
        .bind(org_id)
        .execute(&mut **tx)
        .await?;
    let actor_role = read_role(tx, org_id, actor)
        .await?
        .ok_or(StoreError::NotFound)?;
    let target_role = if target.is_empty() {
        None
    } else {
        read_role(tx, org_id, target).await?
    };
    let owners: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM memberships WHERE org_id = $1 AND role = 'owner'")
            .bind(org_id)
            .fetch_one(&mut **tx)
            .await?;
    Ok((
        actor_role,
        target_role,
        usize::try_from(owners).unwrap_or(0),
    ))
}

async fn read_role(tx: &mut WriteTx, org_id: &str, user: &str) -> Result<Option<Role>> {
    let r: Option<String> =
        sqlx::query_scalar("SELECT role FROM memberships WHERE org_id = $1 AND user_id = $2")
            .bind(org_id)
            .bind(user)
            .fetch_optional(&mut **tx)
            .await?;
    r.map(|s| parse_role(&s)).transpose()
}
