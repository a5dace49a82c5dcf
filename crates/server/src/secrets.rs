//! Passwords (Argon2id) and random bearer secrets (stored as SHA-256 hashes).

use crate::{Result, ServerError};
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

/// Argon2id with OWASP's recommended minimum: 19 MiB memory, 2 iterations, 1 lane.
fn argon2() -> Result<Argon2<'static>> {
    let params =
        Params::new(19 * 1024, 2, 1, None).map_err(|e| ServerError::Internal(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hash a password on the blocking pool.
pub async fn hash_password(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        argon2()?
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| ServerError::Internal(e.to_string()))
    })
    .await
    .map_err(|e| ServerError::Internal(e.to_string()))?
}

/// A hash of a random password, verified against when the account does not exist, so
/// that "no such account" takes as long as "wrong password".
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        argon2()
            .ok()
            .and_then(|a| {
                a.hash_password(random_token("").as_bytes(), &salt)
                    .ok()
                    .map(|h| h.to_string())
            })
            .unwrap_or_default()
    })
}

/// Check a password against a stored hash (or the dummy hash when `stored` is `None`).
pub async fn verify_password(password: String, stored: Option<String>) -> Result<bool> {
    tokio::task::spawn_blocking(move || {
        let real = stored.is_some();
        let hash = stored.unwrap_or_else(|| dummy_hash().to_owned());
        let parsed = PasswordHash::new(&hash).map_err(|e| ServerError::Internal(e.to_string()))?;
        let ok = argon2()?
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        Ok(ok && real)
    })
    .await
    .map_err(|e| ServerError::Internal(e.to_string()))?
}

/// Warm the dummy hash so the first failed sign-in is not faster than later ones.
pub fn warm_up() {
    let _ = dummy_hash();
}

/// A new random secret (256 bits, base64url) with a prefix naming its kind.
pub fn random_token(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!(
        "{prefix}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// The stored form of a secret: hex SHA-256.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Prefix of session tokens (cookies and API sign-in).
pub const SESSION_PREFIX: &str = "ss_";
/// Prefix of API tokens.
pub const API_TOKEN_PREFIX: &str = "sst_";
/// Prefix of invitation tokens.
pub const INVITE_PREFIX: &str = "si_";

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn passwords_verify_only_against_their_hash() {
        let h = hash_password("cobalt kettle meadow".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(
            verify_password("cobalt kettle meadow".into(), Some(h.clone()))
                .await
                .unwrap()
        );
        assert!(!verify_password("cobalt kettle meadoW".into(), Some(h))
            .await
            .unwrap());
        assert!(!verify_password("anything".into(), None).await.unwrap());
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let a = random_token(API_TOKEN_PREFIX);
        assert!(a.starts_with("sst_") && a.len() > 40);
        assert_ne!(a, random_token(API_TOKEN_PREFIX));
        assert_eq!(token_hash(&a).len(), 64);
    }
}
