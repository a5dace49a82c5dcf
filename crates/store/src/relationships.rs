//! Relationships between a person and a vendor (an organization here, or an off-platform
//! vendor the person tracks alone), and who may act in them.

use crate::write_turn::WriteTx;
use crate::{new_id, now_us, Result, Store, StoreError};
use slingshot_domain::ledger::Side;

/// The hash before the first entry of every chain.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// A relationship.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Relationship {
    /// UUIDv7.
    pub id: String,
    /// The customer.
    pub person_id: String,
    /// The organization, when the vendor is on this instance.
    pub org_id: Option<String>,
    /// Vendor's name.
    pub vendor_name: String,
    /// Vendor's website.
    pub vendor_website: String,
    /// Vendor's e-mail domain (for matching imported mail).
    pub vendor_domain: String,
    /// The person's notes about the vendor (never shared).
    pub notes: String,
    /// The pairwise pseudonym the organization knows the person by.
    pub pseudonym: String,
    /// When the history became visible to the organization.
    pub shared_at: Option<i64>,
    /// Sequence number of the last chain entry (0 when empty).
    pub head_seq: i64,
    /// Hash of the last chain entry.
    pub head_hash: String,
    /// Microseconds since the epoch.
    pub created_at: i64,
}

impl Relationship {
    /// Is the organization a party (on the instance and shared)?
    pub fn two_sided(&self) -> bool {
        self.org_id.is_some() && self.shared_at.is_some()
    }
}

/// What a person gives to start tracking a vendor.
#[derive(Debug, Clone, Default)]
pub struct NewRelationship {
    /// An organization id or handle on this instance, or `None` for an off-platform vendor.
    pub org: Option<String>,
    /// Name (required for off-platform vendors; defaults to the organization's name).
    pub vendor_name: String,
    /// Website.
    pub vendor_website: String,
    /// E-mail domain.
    pub vendor_domain: String,
    /// Private notes.
    pub notes: String,
}

/// Changes to the person's own description of a vendor; `None` leaves a field alone.
#[derive(Debug, Clone, Default)]
pub struct RelationshipChange {
    /// Name.
    pub vendor_name: Option<String>,
    /// Website.
    pub vendor_website: Option<String>,
    /// E-mail domain (empty: none).
    pub vendor_domain: Option<String>,
    /// Private notes.
    pub notes: Option<String>,
}

pub(crate) const REL_COLS: &str =
    "r.id, r.person_id, r.org_id, r.vendor_name, r.vendor_website, r.vendor_domain, r.notes, \
     r.pseudonym, r.shared_at, r.head_seq, r.head_hash, r.created_at";

/// Roles that act for an organization in its relationships.
pub(crate) const VENDOR_ROLES: &str = "('owner', 'admin', 'agent')";

impl Store {
    /// Start a relationship; with an organization it is two-sided at once.
    pub async fn create_relationship(
        &self,
        person: &str,
        new: &NewRelationship,
    ) -> Result<Relationship> {
        slingshot_domain::vendor::check_vendor(
            &new.vendor_name,
            new.org.is_some(),
            &new.vendor_website,
            &new.vendor_domain,
            &new.notes,
        )?;
        let mut tx = self.begin_write().await?;
        let org: Option<(String, String)> = match &new.org {
            Some(o) => Some(
                sqlx::query_as("SELECT id, name FROM organizations WHERE id = $1 OR handle = $1")
                    .bind(o)
                    .fetch_optional(&mut *tx)
                    .await?
                    .ok_or(StoreError::NotFound)?,
            ),
            None => None,
        };
        let r = new_relationship(person, new, org);
        insert_relationship(&mut tx, &r).await?;
        tx.commit().await?;
        Ok(r)
    }

    /// Change how the person describes the vendor (name, website, mail domain, notes).
    /// Only the relationship's person may; the organization's side gets `NotAllowed`.
    pub async fn update_relationship(
        &self,
        actor: &str,
        id: &str,
        change: &RelationshipChange,
    ) -> Result<Relationship> {
        let (mut r, side) = self.relationship_for(actor, id).await?;
        if side != Side::Customer {
            return Err(StoreError::Domain(
                slingshot_domain::DomainError::NotAllowed,
            ));
        }
        let pick = |new: &Option<String>, old: &str| {
            new.as_deref()
                .map_or_else(|| old.to_owned(), |v| v.trim().to_owned())
        };
        r.vendor_name = pick(&change.vendor_name, &r.vendor_name);
        r.vendor_website = pick(&change.vendor_website, &r.vendor_website);
        r.vendor_domain = pick(&change.vendor_domain, &r.vendor_domain).to_ascii_lowercase();
        r.notes = change.notes.clone().unwrap_or(r.notes);
        slingshot_domain::vendor::check_vendor(
            &r.vendor_name,
            false,
            &r.vendor_website,
            &r.vendor_domain,
            &r.notes,
        )?;
        self.write_one(
            sqlx::query(
                "UPDATE relationships SET vendor_name = $1, vendor_website = $2, vendor_domain = $3, notes = $4 \
                 WHERE id = $5 AND person_id = $6",
            )
            .bind(&r.vendor_name)
            .bind(&r.vendor_website)
            .bind(&r.vendor_domain)
            .bind(&r.notes)
            .bind(&r.id)
            .bind(actor),
        )
        .await?;
        Ok(r)
    }

    /// The relationship and the side `actor` acts for: the person, or a member
    /// (owner, admin, agent) of the organization once the history is shared.
    /// Anyone else gets `NotFound`.
    pub async fn relationship_for(&self, actor: &str, id: &str) -> Result<(Relationship, Side)> {
        let r: Relationship = sqlx::query_as(&format!(
            "SELECT {REL_COLS} FROM relationships r WHERE r.id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        if r.person_id == actor {
            return Ok((r, Side::Customer));
        }
        if let (Some(org), Some(_)) = (&r.org_id, r.shared_at) {
            let member: Option<String> = sqlx::query_scalar(&format!(
                "SELECT role FROM memberships WHERE org_id = $1 AND user_id = $2 AND role IN {VENDOR_ROLES}"
            ))
            .bind(org)
            .bind(actor)
            .fetch_optional(&self.pool)
            .await?;
            if member.is_some() {
                return Ok((r, Side::Vendor));
            }
        }
        Err(StoreError::NotFound)
    }

    /// The person's relationships, by vendor name.
    pub async fn relationships_of(&self, person: &str) -> Result<Vec<Relationship>> {
        Ok(sqlx::query_as(&person_relationships_sql())
            .bind(person)
            .fetch_all(&self.pool)
            .await?)
    }

    /// A page of an organization's customer relationships, the most recently shared first
    /// (`before`: the (shared at, id) of the last row of the page before, as its `next`
    /// gives it, `<shared_at>.<id>`). For its owners, admins and agents.
    pub async fn customers_of_org(
        &self,
        actor: &str,
        org_id: &str,
        before: Option<(i64, &str)>,
        limit: i64,
    ) -> Result<crate::Page<Relationship>> {
        self.require_vendor_member(actor, org_id).await?;
        let (at, id) = before.unwrap_or((i64::MAX, ""));
        let rows: Vec<Relationship> = sqlx::query_as(&format!(
            "SELECT {REL_COLS} FROM relationships r WHERE r.org_id = $1 AND r.shared_at IS NOT NULL \
             AND (r.shared_at < $2 OR (r.shared_at = $2 AND r.id < $3)) \
             ORDER BY r.shared_at DESC, r.id DESC LIMIT {}",
            crate::sql::limit(limit + 1)
        ))
        .bind(org_id)
        .bind(at)
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        Ok(crate::Page::from_rows(rows, limit, |r| {
            format!("{}.{}", r.shared_at.unwrap_or(0), r.id)
        }))
    }

    /// Share an off-platform relationship's history with an organization that joined.
    pub async fn share_with_org(&self, person: &str, id: &str, org: &str) -> Result<Relationship> {
        let (r, side) = self.relationship_for(person, id).await?;
        if side != Side::Customer {
            return Err(StoreError::NotFound);
        }
        if r.org_id.is_some() {
            return Err(StoreError::Conflict("already shared with an organization"));
        }
        let org_id: String =
            sqlx::query_scalar("SELECT id FROM organizations WHERE id = $1 OR handle = $1")
                .bind(org)
                .fetch_optional(&self.pool)
                .await?
                .ok_or(StoreError::NotFound)?;
        let mut tx = self.begin_write().await?;
        let shared = sqlx::query(
            "UPDATE relationships SET org_id = $1, shared_at = $2 WHERE id = $3 AND org_id IS NULL",
        )
        .bind(&org_id)
        .bind(now_us())
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(crate::error::conflict_on_unique(
            "relationship with this organization",
        ))?;
        if shared.rows_affected() != 1 {
            return Err(StoreError::Conflict("already shared with an organization"));
        }
        crate::search::mark_shared(self.backend(), &mut tx, id, &org_id).await?;
        tx.commit().await?;
        Ok(self.relationship_for(person, id).await?.0)
    }

    /// `NotFound` unless `actor` acts for the organization in relationships.
    pub(crate) async fn require_vendor_member(&self, actor: &str, org_id: &str) -> Result<()> {
        let role: Option<String> = sqlx::query_scalar(&format!(
            "SELECT role FROM memberships WHERE org_id = $1 AND user_id = $2 AND role IN {VENDOR_ROLES}"
        ))
        .bind(org_id)
        .bind(actor)
        .fetch_optional(&self.pool)
        .await?;
        role.map(|_| ()).ok_or(StoreError::NotFound)
    }
}

impl Store {
    /// A relationship by id, for operators (the `slingshot export` command); no tenant check.
    pub async fn relationship_by_id(&self, id: &str) -> Result<Relationship> {
        sqlx::query_as(&format!(
            "SELECT {REL_COLS} FROM relationships r WHERE r.id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)
    }
}

/// A new relationship of `person` (two-sided at once with `org`: its id and name).
pub(crate) fn new_relationship(
    person: &str,
    new: &NewRelationship,
    org: Option<(String, String)>,
) -> Relationship {
    let now = now_us();
    let name = match (&org, new.vendor_name.trim()) {
        (Some((_, org_name)), "") => org_name.clone(),
        (_, n) => n.to_owned(),
    };
    Relationship {
        id: new_id(),
        person_id: person.to_owned(),
        org_id: org.as_ref().map(|o| o.0.clone()),
        vendor_name: name,
        vendor_website: new.vendor_website.trim().to_owned(),
        vendor_domain: new.vendor_domain.trim().to_ascii_lowercase(),
        notes: new.notes.clone(),
        pseudonym: format!("c-{}", uuid::Uuid::new_v4().simple()),
        shared_at: org.as_ref().map(|_| now),
        head_seq: 0,
        head_hash: GENESIS_HASH.to_owned(),
        created_at: now,
    }
}

/// Insert `r` inside `tx`.
pub(crate) async fn insert_relationship(tx: &mut WriteTx, r: &Relationship) -> Result<()> {
    sqlx::query(
        "INSERT INTO relationships (id, person_id, org_id, vendor_name, vendor_website, vendor_domain, notes, pseudonym, shared_at, head_seq, head_hash, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(&r.id)
    .bind(&r.person_id)
    .bind(&r.org_id)
    .bind(&r.vendor_name)
    .bind(&r.vendor_website)
    .bind(&r.vendor_domain)
    .bind(&r.notes)
    .bind(&r.pseudonym)
    .bind(r.shared_at)
    .bind(r.head_seq)
    .bind(&r.head_hash)
    .bind(r.created_at)
    .execute(&mut **tx)
    .await
    .map_err(crate::error::conflict_on_unique("relationship with this organization"))?;
    Ok(())
}

/// The person's (`$1`) relationships, by vendor name.
pub(crate) fn person_relationships_sql() -> String {
    format!("SELECT {REL_COLS} FROM relationships r WHERE r.person_id = $1 ORDER BY LOWER(r.vendor_name), r.id")
}
