//! API tokens with scopes. Only a hash of each token is stored; the token is shown once.

use crate::audit::{insert_audit, NewAudit};
use crate::credential_cache::Resolved;
use crate::{new_id, now_us, Result, Store, StoreError, User};
use slingshot_domain::{AuditEvent, Scopes};

/// An API token's metadata (never the token itself).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApiToken {
    /// UUIDv7.
    pub id: String,
    /// Owner.
    pub user_id: String,
    /// The owner's label for it.
    pub name: String,
    /// Space-separated scopes.
    pub scopes: String,
    /// Microseconds since the epoch.
    pub created_at: i64,
    /// Last use (updated at most once a minute).
    pub last_used_at: Option<i64>,
    /// When it was revoked.
    pub revoked_at: Option<i64>,
}

const TOKEN_COLS: &str = "id, user_id, name, scopes, created_at, last_used_at, revoked_at";

impl Store {
    /// Store a new token's hash and record its creation.
    pub async fn create_token(
        &self,
        user_id: &str,
        name: &str,
        scopes: &Scopes,
        token_hash: &str,
        ip: &str,
    ) -> Result<ApiToken> {
        let t = ApiToken {
            id: new_id(),
            user_id: user_id.to_owned(),
            name: name.to_owned(),
            scopes: scopes.to_list(),
            created_at: now_us(),
            last_used_at: None,
            revoked_at: None,
        };
        let mut tx = self.begin_write().await?;
        sqlx::query("INSERT INTO api_tokens (id, user_id, name, token_hash, scopes, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(&t.id)
            .bind(&t.user_id)
            .bind(&t.name)
            .bind(token_hash)
            .bind(&t.scopes)
            .bind(t.created_at)
            .execute(&mut *tx)
            .await?;
        let detail = format!("{} ({})", t.name, t.scopes);
        insert_audit(
            &mut tx,
            NewAudit::person(AuditEvent::TokenCreated, user_id, user_id, ip, &detail),
        )
        .await?;
        tx.commit().await?;
        Ok(t)
    }

    /// The live token and its owner for a token hash; revoked tokens are not found.
    pub async fn token_by_hash(&self, token_hash: &str) -> Result<(ApiToken, User)> {
        if let Some(Resolved::Token(t, u)) = self.creds.get(token_hash) {
            return Ok((t, u));
        }
        let t: ApiToken = sqlx::query_as(&format!(
            "SELECT {TOKEN_COLS} FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL"
        ))
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        let now = now_us();
        if t.last_used_at.is_none_or(|u| now - u > 60_000_000) {
            self.write_one(
                sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
                    .bind(now)
                    .bind(&t.id),
            )
            .await?;
        }
        let user = self.user_by_id(&t.user_id).await?;
        self.creds
            .put(token_hash, Resolved::Token(t.clone(), user.clone()));
        Ok((t, user))
    }

    /// A person's tokens (live and revoked), newest first.
    pub async fn list_tokens(&self, user_id: &str) -> Result<Vec<ApiToken>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {TOKEN_COLS} FROM api_tokens WHERE user_id = $1 ORDER BY id DESC"
        ))
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Revoke one of the person's own live tokens.
    pub async fn revoke_token(&self, user_id: &str, token_id: &str, ip: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let name: Option<String> = sqlx::query_scalar(
            "SELECT name FROM api_tokens WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL",
        )
        .bind(token_id)
        .bind(user_id)
        .fetch_optional(&mut *tx)
        .await?;
        let name = name.ok_or(StoreError::NotFound)?;
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2")
            .bind(now_us())
            .bind(token_id)
            .execute(&mut *tx)
            .await?;
        insert_audit(
            &mut tx,
            NewAudit::person(AuditEvent::TokenRevoked, user_id, user_id, ip, &name),
        )
        .await?;
        tx.commit().await?;
        self.creds.forget_user(user_id);
        Ok(())
    }
}
