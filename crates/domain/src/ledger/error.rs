//! Why a ledger value or an append was refused.

use thiserror::Error;

use super::digest::Digest;

/// Why a ledger value, an append or a signature was refused.
///
/// Verification of a whole bundle does not stop at the first problem: it
/// collects [`VerifyFailure`](super::VerifyFailure)s instead. This type is for
/// the single-step API the store calls (build, append, sign, verify one entry).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LedgerError {
    /// A value is not one of a fixed list (a side, an entry kind).
    #[error("unknown {kind} '{value}'; expected one of: {expected}")]
    UnknownValue {
        /// What kind of value.
        kind: &'static str,
        /// The value given.
        value: String,
        /// The accepted values, comma-separated.
        expected: &'static str,
    },
    /// A value does not have the required shape (hex digest, key id, time, id).
    #[error("{what} must be {expected}")]
    Malformed {
        /// What was malformed.
        what: &'static str,
        /// The shape it must have.
        expected: &'static str,
    },
    /// A private note was offered to the shared chain.
    #[error("private notes are not part of the shared chain")]
    PrivateEntry,
    /// `corrects` is set on an entry that is not a correction, or missing on one that is.
    #[error("a correction must name the hash of the entry it corrects, and only a correction may")]
    CorrectionShape,
    /// A correction names an entry that is not an earlier entry of the same side.
    #[error("a correction must correct an earlier entry of its own side")]
    CorrectionTarget,
    /// The entry belongs to another relationship than the chain.
    #[error("entry belongs to relationship '{found}', not '{expected}'")]
    WrongRelationship {
        /// The chain's relationship.
        expected: String,
        /// The entry's relationship.
        found: String,
    },
    /// The entry's sequence number is not the next one.
    #[error("wrong sequence: expected {expected}, got {found}")]
    WrongSequence {
        /// The next sequence number of the chain.
        expected: u64,
        /// The entry's sequence number.
        found: u64,
    },
    /// The entry's previous hash is not the hash of the chain's last entry.
    #[error("wrong previous hash at sequence {sequence}: expected {expected}, got {found}")]
    WrongPrevHash {
        /// The entry's sequence number.
        sequence: u64,
        /// The hash of the chain's last entry (or 64 zeros for the first entry).
        expected: Digest,
        /// The entry's `prev_hash`.
        found: Digest,
    },
    /// The recorded hash is not the hash of the header.
    #[error("hash {recorded} does not match the header (its hash is {computed})")]
    HashMismatch {
        /// The hash stored or sent with the entry.
        recorded: Digest,
        /// The hash of the header as it is.
        computed: Digest,
    },
    /// The body does not match the header's body digest.
    #[error("body digest {computed} does not match the header's {expected}")]
    BodyDigestMismatch {
        /// The header's `body_digest`.
        expected: Digest,
        /// The digest of the body as it is.
        computed: Digest,
    },
    /// The header names another key than the one signing or verifying.
    #[error("header names key {header} but the key is {key}")]
    KeyMismatch {
        /// The key id in the header or checkpoint.
        header: String,
        /// The id of the key used.
        key: String,
    },
    /// A side tried to countersign its own entry.
    #[error("a checkpoint countersigns an entry of the other side, not its own")]
    CheckpointOwnEntry,
    /// A checkpoint's sequence and hash do not match the entry.
    #[error("checkpoint for entry {sequence} does not match that entry's hash")]
    CheckpointMismatch {
        /// The checkpoint's sequence number.
        sequence: u64,
    },
    /// The Ed25519 signature does not verify.
    #[error("signature does not verify")]
    BadSignature,
    /// A value could not be written as RFC 8785 canonical JSON.
    #[error("cannot write canonical JSON: {0}")]
    Canonical(String),
    /// A bundle line could not be encoded as JSON.
    #[error("cannot encode a bundle line: {0}")]
    Encode(String),
    /// Reading or writing a bundle failed.
    #[error("bundle I/O failed: {0}")]
    Io(String),
    /// The bundle writer was used out of order (an entry after a checkpoint).
    #[error("bundle lines out of order: {0}")]
    BundleOrder(&'static str),
}

impl From<std::io::Error> for LedgerError {
    fn from(e: std::io::Error) -> Self {
        Self::Io(e.to_string())
    }
}
