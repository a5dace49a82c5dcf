//! The person's vault: profile fields only they write.

use crate::{new_id, now_us, Result, Store, StoreError};
use slingshot_domain::DomainError;

/// Most fields one person keeps.
pub const MAX_PROFILE_FIELDS: i64 = 200;

/// One profile field.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProfileField {
    /// UUIDv7.
    pub id: String,
    /// Owner.
    pub person_id: String,
    /// Kind's stable name (name, email, phone, postal-address, birthdate, preference, custom).
    pub kind: String,
    /// The person's label ("home address", "work e-mail").
    pub label: String,
    /// The value.
    pub value: String,
    /// Microseconds since the epoch.
    pub created_at: i64,
    /// Microseconds since the epoch.
    pub updated_at: i64,
}

const FIELD_COLS: &str = "id, person_id, kind, label, value, created_at, updated_at";

impl Store {
    /// The person's fields, oldest first.
    pub async fn profile_fields(&self, person: &str) -> Result<Vec<ProfileField>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {FIELD_COLS} FROM profile_fields WHERE person_id = $1 ORDER BY id"
        ))
        .bind(person)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Add a field (kind, label and value already checked by the caller).
    pub async fn add_profile_field(
        &self,
        person: &str,
        kind: &str,
        label: &str,
        value: &str,
    ) -> Result<ProfileField> {
        let mut tx = self.begin_write().await?;
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM profile_fields WHERE person_id = $1")
            .bind(person)
            .fetch_one(&mut *tx)
            .await?;
        if n >= MAX_PROFILE_FIELDS {
            return Err(
                DomainError::MissingText("a person keeps at most 200 profile fields").into(),
            );
        }
        let now = now_us();
        let f = ProfileField {
            id: new_id(),
            person_id: person.to_owned(),
            kind: kind.to_owned(),
            label: label.to_owned(),
            value: value.to_owned(),
            created_at: now,
            updated_at: now,
        };
        sqlx::query(
            "INSERT INTO profile_fields (id, person_id, kind, label, value, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&f.id)
        .bind(&f.person_id)
        .bind(&f.kind)
        .bind(&f.label)
        .bind(&f.value)
        .bind(f.created_at)
        .bind(f.updated_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(f)
    }

    /// Change a field's label and/or value; `NotFound` unless it is the person's.
    pub async fn update_profile_field(
        &self,
        person: &str,
        id: &str,
        label: Option<&str>,
        value: Option<&str>,
    ) -> Result<ProfileField> {
        let done = self.write_one(sqlx::query(
            "UPDATE profile_fields SET label = COALESCE($1, label), value = COALESCE($2, value), updated_at = $3 \
             WHERE id = $4 AND person_id = $5",
        )
        .bind(label)
        .bind(value)
        .bind(now_us())
        .bind(id)
        .bind(person)
        )
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        self.profile_field(person, id).await
    }

    /// One of the person's fields.
    pub async fn profile_field(&self, person: &str, id: &str) -> Result<ProfileField> {
        sqlx::query_as(&format!(
            "SELECT {FIELD_COLS} FROM profile_fields WHERE id = $1 AND person_id = $2"
        ))
        .bind(id)
        .bind(person)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)
    }

    /// Delete a field; grants that named it stop returning it.
    pub async fn delete_profile_field(&self, person: &str, id: &str) -> Result<()> {
        let done = self
            .write_one(
                sqlx::query("DELETE FROM profile_fields WHERE id = $1 AND person_id = $2")
                    .bind(id)
                    .bind(person),
            )
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}
