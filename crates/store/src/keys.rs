//! Signing keys of people and organizations (sealed secrets; sealing is the
//! credentials crate's job, storage is ours).

use crate::{now_us, Result, Store};

/// A stored key.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredKey {
    /// [`slingshot_domain::ledger::KeyId`] of the public key.
    pub key_id: String,
    /// `user:<id>`, `org:<id>`, or `import:<relationship>:<side>` for keys that came in a bundle.
    pub owner: String,
    /// Ed25519 public key, base64url.
    pub public_key: String,
    /// Sealed secret ('' for imported public keys).
    pub sealed_secret: String,
}

impl Store {
    /// The owner's current key, if it has one.
    pub async fn current_key(&self, owner: &str) -> Result<Option<StoredKey>> {
        Ok(sqlx::query_as(
            "SELECT key_id, owner, public_key, sealed_secret FROM signing_keys WHERE owner = $1 AND retired_at IS NULL ORDER BY created_at LIMIT 1",
        )
        .bind(owner)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Store a key unless the owner already has one; returns the owner's current key
    /// (so two servers creating a key at once agree on one).
    pub async fn insert_key_once(&self, key: &StoredKey) -> Result<StoredKey> {
        let mut tx = self.begin_write().await?;
        let existing: Option<StoredKey> = sqlx::query_as(
            "SELECT key_id, owner, public_key, sealed_secret FROM signing_keys WHERE owner = $1 AND retired_at IS NULL ORDER BY created_at LIMIT 1",
        )
        .bind(&key.owner)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(k) = existing {
            return Ok(k);
        }
        sqlx::query("INSERT INTO signing_keys (key_id, owner, public_key, sealed_secret, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING")
            .bind(&key.key_id)
            .bind(&key.owner)
            .bind(&key.public_key)
            .bind(&key.sealed_secret)
            .bind(now_us())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(self
            .current_key(&key.owner)
            .await?
            .unwrap_or_else(|| key.clone()))
    }

    /// Public keys by id (for exports).
    pub async fn public_keys(&self, ids: &[String]) -> Result<Vec<StoredKey>> {
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(k) = sqlx::query_as("SELECT key_id, owner, public_key, '' AS sealed_secret FROM signing_keys WHERE key_id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?
            {
                out.push(k);
            }
        }
        Ok(out)
    }
}
