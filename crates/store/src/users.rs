//! People's accounts.

use crate::audit::{insert_audit, NewAudit};
use crate::error::conflict_on_unique;
use crate::{new_id, now_us, Result, Store, StoreError};
use slingshot_domain::{AuditEvent, DisplayName, Handle};

/// A person's account.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct User {
    /// UUIDv7.
    pub id: String,
    /// Unique handle.
    pub handle: String,
    /// Name shown to others.
    pub display_name: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// 1 for instance administrators.
    pub is_admin: i64,
    /// Microseconds since the epoch.
    pub created_at: i64,
}

impl User {
    /// Is this an instance administrator?
    pub fn admin(&self) -> bool {
        self.is_admin != 0
    }
}

const USER_COLS: &str = "id, handle, display_name, password_hash, is_admin, created_at";

impl Store {
    /// Create an account. The first account on an instance becomes its administrator
    /// when `first_is_admin` is set; `admin` forces it.
    pub async fn create_user(
        &self,
        handle: &Handle,
        name: &DisplayName,
        password_hash: &str,
        admin: bool,
        first_is_admin: bool,
        ip: &str,
    ) -> Result<User> {
        let mut tx = self.begin_write().await?;
        let is_first = if first_is_admin {
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
                .fetch_one(&mut *tx)
                .await?;
            n == 0
        } else {
            false
        };
        let user = User {
            id: new_id(),
            handle: handle.as_str().to_owned(),
            display_name: name.as_str().to_owned(),
            password_hash: password_hash.to_owned(),
            is_admin: i64::from(admin || is_first),
            created_at: now_us(),
        };
        sqlx::query(
            "INSERT INTO users (id, handle, display_name, password_hash, is_admin, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&user.id)
        .bind(&user.handle)
        .bind(&user.display_name)
        .bind(&user.password_hash)
        .bind(user.is_admin)
        .bind(user.created_at)
        .execute(&mut *tx)
        .await
        .map_err(conflict_on_unique("handle"))?;
        let detail = if user.admin() {
            "instance administrator"
        } else {
            ""
        };
        insert_audit(
            &mut tx,
            NewAudit::person(AuditEvent::Registered, &user.id, &user.id, ip, detail),
        )
        .await?;
        tx.commit().await?;
        Ok(user)
    }

    /// Look up an account by handle.
    pub async fn user_by_handle(&self, handle: &str) -> Result<User> {
        sqlx::query_as(&format!("SELECT {USER_COLS} FROM users WHERE handle = $1"))
            .bind(handle)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Look up an account by id.
    pub async fn user_by_id(&self, id: &str) -> Result<User> {
        sqlx::query_as(&format!("SELECT {USER_COLS} FROM users WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Replace the password hash, end every other session, and record it.
    pub async fn set_password(
        &self,
        user_id: &str,
        keep_session: Option<&str>,
        hash: &str,
        ip: &str,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let n = sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(user_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id <> $2")
            .bind(user_id)
            .bind(keep_session.unwrap_or(""))
            .execute(&mut *tx)
            .await?;
        insert_audit(
            &mut tx,
            NewAudit::person(
                AuditEvent::PasswordChanged,
                user_id,
                user_id,
                ip,
                "other sessions signed out",
            ),
        )
        .await?;
        tx.commit().await?;
        self.creds.forget_user(user_id);
        Ok(())
    }

    /// Make an existing account an instance administrator.
    pub async fn set_admin(&self, user_id: &str) -> Result<()> {
        let n = self
            .write_one(sqlx::query("UPDATE users SET is_admin = 1 WHERE id = $1").bind(user_id))
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        self.creds.forget_user(user_id);
        Ok(())
    }

    /// How many accounts exist.
    pub async fn count_users(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&self.pool)
            .await?)
    }
}
