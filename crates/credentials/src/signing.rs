//! Ed25519 signing keys, sealed under the master key with XChaCha20-Poly1305.
//! The sealed form is base64url(nonce ‖ ciphertext); the owner's id is bound as
//! associated data, so a sealed key cannot be moved to another owner.

use crate::{CredentialsError, MasterKey};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use ed25519_dalek::SigningKey;
use zeroize::Zeroizing;

/// A new random Ed25519 key.
pub fn generate_signing_key() -> SigningKey {
    SigningKey::generate(&mut rand::rngs::OsRng)
}

/// The public key, base64url.
pub fn public_key_b64(key: &SigningKey) -> String {
    B64.encode(key.verifying_key().as_bytes())
}

/// Seal `key` for `owner` (e.g. `user:<id>` or `org:<id>`).
pub fn seal_signing_key(master: &MasterKey, owner: &str, key: &SigningKey) -> String {
    let cipher = XChaCha20Poly1305::new(master.0.as_ref().into());
    let nonce = XChaCha20Poly1305::generate_nonce(&mut rand::rngs::OsRng);
    let secret = Zeroizing::new(key.to_bytes());
    // Encryption with a fresh nonce and in-memory buffers cannot fail.
    let ct = cipher
        .encrypt(
            &nonce,
            Payload {
                msg: secret.as_ref(),
                aad: owner.as_bytes(),
            },
        )
        .unwrap_or_default();
    let mut out = nonce.to_vec();
    out.extend_from_slice(&ct);
    B64.encode(out)
}

/// Open a sealed key for `owner`.
pub fn open_signing_key(
    master: &MasterKey,
    owner: &str,
    sealed: &str,
) -> Result<SigningKey, CredentialsError> {
    let raw = B64.decode(sealed).map_err(|_| CredentialsError::Unseal)?;
    if raw.len() < 24 {
        return Err(CredentialsError::Unseal);
    }
    let (nonce, ct) = raw.split_at(24);
    let cipher = XChaCha20Poly1305::new(master.0.as_ref().into());
    let plain = Zeroizing::new(
        cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ct,
                    aad: owner.as_bytes(),
                },
            )
            .map_err(|_| CredentialsError::Unseal)?,
    );
    let bytes: [u8; 32] = plain
        .as_slice()
        .try_into()
        .map_err(|_| CredentialsError::Unseal)?;
    Ok(SigningKey::from_bytes(&bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_keys_open_only_with_the_same_master_and_owner() {
        let m = MasterKey::generate();
        let k = generate_signing_key();
        let sealed = seal_signing_key(&m, "user:1", &k);
        assert!(!sealed.contains(&B64.encode(k.to_bytes())));
        assert_eq!(
            open_signing_key(&m, "user:1", &sealed).unwrap().to_bytes(),
            k.to_bytes()
        );
        assert_eq!(
            open_signing_key(&m, "user:2", &sealed).unwrap_err(),
            CredentialsError::Unseal
        );
        assert_eq!(
            open_signing_key(&MasterKey::generate(), "user:1", &sealed).unwrap_err(),
            CredentialsError::Unseal
        );
        assert_eq!(
            open_signing_key(&m, "user:1", "AAAA").unwrap_err(),
            CredentialsError::Unseal
        );
        assert_eq!(public_key_b64(&k).len(), 43);
    }
}
