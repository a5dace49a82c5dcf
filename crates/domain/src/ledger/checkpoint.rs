//! Checkpoints: one side countersigns the other side's entries.
//!
//! A checkpoint says "side S holds this relationship's chain up to entry
//! `sequence`, whose hash is `hash`". Because every entry carries the hash of
//! the one before, countersigning one entry vouches for the whole chain up to
//! it. A checkpoint names an entry written by the *other* side; the countersigner
//! signs the 32 bytes of [`Checkpoint::digest`].

use ed25519_dalek::{Signature, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};

use super::header::check_sequence;
use super::sign::check_key_id;
use super::{
    canonical_digest, check_id, sign_digest, verify_digest, Digest, EntryHeader, KeyId,
    LedgerError, LedgerTime, Side,
};

/// The statement a side countersigns: the other side's entry `sequence` of
/// `relationship` has hash `hash`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The relationship's id.
    pub relationship: String,
    /// The countersigned entry's sequence number.
    pub sequence: u64,
    /// The countersigned entry's hash.
    pub hash: Digest,
    /// The countersigning side (not the entry's author).
    pub side: Side,
    /// The id of the countersigning side's key.
    pub key_id: KeyId,
    /// When the checkpoint was signed, RFC 3339 UTC.
    pub time: LedgerTime,
}

/// What is hashed: the checkpoint's fields plus a `type` field, so that the
/// digest can never equal an entry hash (entry headers have no `type`).
#[derive(Serialize)]
struct Statement<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(flatten)]
    checkpoint: &'a Checkpoint,
}

/// The `type` value inside a checkpoint's hashed statement.
pub const CHECKPOINT_STATEMENT: &str = "slingshot-checkpoint/1";

impl Checkpoint {
    /// A checkpoint by `side` of another side's entry. Refused if `side`
    /// wrote the entry: a side countersigns the *other* side's entries.
    pub fn of_entry(
        header: &EntryHeader,
        hash: Digest,
        side: Side,
        key_id: KeyId,
        time: LedgerTime,
    ) -> Result<Self, LedgerError> {
        if header.author_side == side {
            return Err(LedgerError::CheckpointOwnEntry);
        }
        let checkpoint = Self {
            relationship: header.relationship.clone(),
            sequence: header.sequence,
            hash,
            side,
            key_id,
            time,
        };
        checkpoint.check_shape()?;
        Ok(checkpoint)
    }

    /// SHA-256 of the RFC 8785 canonical JSON of
    /// `{"type":"slingshot-checkpoint/1", ...the checkpoint's fields}`.
    pub fn digest(&self) -> Result<Digest, LedgerError> {
        let mut buf = Vec::with_capacity(320);
        match super::canonical_fast::checkpoint_json(self, &mut buf) {
            Some(()) => Ok(Digest::of(&buf)),
            None => self.digest_reference(),
        }
    }

    /// [`Checkpoint::digest`] through `serde_jcs` (the reference the fast path is tested against).
    pub(crate) fn digest_reference(&self) -> Result<Digest, LedgerError> {
        canonical_digest(&Statement {
            kind: CHECKPOINT_STATEMENT,
            checkpoint: self,
        })
    }

    /// Check the id and sequence number are well-formed.
    pub fn check_shape(&self) -> Result<(), LedgerError> {
        check_id(&self.relationship, "a relationship id")?;
        check_sequence(self.sequence)
    }
}

/// A checkpoint with the countersigning side's signature of its digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedCheckpoint {
    /// The countersigned statement.
    pub checkpoint: Checkpoint,
    /// Ed25519 signature of the 32 bytes of [`Checkpoint::digest`].
    pub signature: Signature,
}

impl SignedCheckpoint {
    /// Sign a checkpoint. Refused if the checkpoint names another key.
    pub fn sign(checkpoint: Checkpoint, key: &SigningKey) -> Result<Self, LedgerError> {
        check_key_id(checkpoint.key_id, &key.verifying_key())?;
        let signature = sign_digest(key, &checkpoint.digest()?);
        Ok(Self {
            checkpoint,
            signature,
        })
    }

    /// Check that the checkpoint names `key` and its signature verifies.
    pub fn verify(&self, key: &VerifyingKey) -> Result<(), LedgerError> {
        check_key_id(self.checkpoint.key_id, key)?;
        verify_digest(key, &self.checkpoint.digest()?, &self.signature)
    }

    /// Check that the checkpoint names this entry: same relationship,
    /// sequence and hash, and an entry of the other side.
    pub fn check_matches(&self, header: &EntryHeader, hash: &Digest) -> Result<(), LedgerError> {
        let c = &self.checkpoint;
        if c.relationship != header.relationship {
            return Err(LedgerError::WrongRelationship {
                expected: header.relationship.clone(),
                found: c.relationship.clone(),
            });
        }
        if c.sequence != header.sequence || c.hash != *hash {
            return Err(LedgerError::CheckpointMismatch {
                sequence: c.sequence,
            });
        }
        if header.author_side == c.side {
            return Err(LedgerError::CheckpointOwnEntry);
        }
        Ok(())
    }
}
