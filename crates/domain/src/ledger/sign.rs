//! Ed25519 signatures over entry hashes.
//!
//! The signed message is the 32 raw bytes of the entry hash (not its hex
//! spelling). Key storage is another crate's job: signing borrows a
//! [`SigningKey`].

use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};

use super::{Digest, EntryHeader, KeyId, LedgerError};

/// An entry header with its hash and its author's signature of that hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedEntry {
    /// The hashed, signed header.
    pub header: EntryHeader,
    /// [`EntryHeader::hash`] of `header`.
    pub hash: Digest,
    /// The author side's Ed25519 signature of the 32 bytes of `hash`.
    pub signature: Signature,
}

impl SignedEntry {
    /// Hash and sign a header. Refused if the header names another key than
    /// `key` (its `author_key_id` must be [`KeyId::of`] the public key).
    pub fn sign(header: EntryHeader, key: &SigningKey) -> Result<Self, LedgerError> {
        check_key_id(header.author_key_id, &key.verifying_key())?;
        let hash = header.hash()?;
        let signature = sign_digest(key, &hash);
        Ok(Self {
            header,
            hash,
            signature,
        })
    }

    /// Check that `hash` is the header's hash, that the header names `key`,
    /// and that the signature verifies under `key`.
    pub fn verify(&self, key: &VerifyingKey) -> Result<(), LedgerError> {
        check_key_id(self.header.author_key_id, key)?;
        let computed = self.header.hash()?;
        if computed != self.hash {
            return Err(LedgerError::HashMismatch {
                recorded: self.hash,
                computed,
            });
        }
        verify_digest(key, &self.hash, &self.signature)
    }
}

/// Sign the 32 bytes of a digest (an entry hash or a checkpoint digest).
pub fn sign_digest(key: &SigningKey, digest: &Digest) -> Signature {
    key.sign(digest.as_bytes())
}

/// Verify a signature of the 32 bytes of a digest.
///
/// The check is ZIP 215's (cofactored, as `ed25519-zebra` implements it), the
/// same rule the bundle verifier's batches use, so a signature passes alone
/// exactly when it passes in any batch. Every signature RFC 8032 accepts
/// passes. Weak (small-order) public keys are refused here and when a
/// bundle's keys are read.
pub fn verify_digest(
    key: &VerifyingKey,
    digest: &Digest,
    signature: &Signature,
) -> Result<(), LedgerError> {
    if key.is_weak() {
        return Err(LedgerError::BadSignature);
    }
    ed25519_zebra::VerificationKey::try_from(key.to_bytes())
        .and_then(|key| key.verify(signature, digest.as_bytes()))
        .map_err(|_| LedgerError::BadSignature)
}

/// Refuse a key whose id is not `named`.
pub(crate) fn check_key_id(named: KeyId, key: &VerifyingKey) -> Result<(), LedgerError> {
    let actual = KeyId::of(key);
    if actual == named {
        Ok(())
    } else {
        Err(LedgerError::KeyMismatch {
            header: named.to_string(),
            key: actual.to_string(),
        })
    }
}
