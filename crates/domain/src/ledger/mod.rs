//! The relationship ledger: canonical entry headers, hash chain, signatures, bundles.
//!
//! Shared entries of a relationship (messages, events, attachments,
//! corrections, thread changes — not private notes, which only their author's
//! side sees and which never go on the chain) form a hash chain:
//!
//! - each [`EntryHeader`] has a sequence number from 1 and the previous
//!   entry's hash (64 zeros for the first);
//! - its hash is SHA-256 of the RFC 8785 (JCS) canonical JSON of the header
//!   ([`EntryHeader::hash`]); the body is not in the header, only its digest
//!   ([`body_digest`]), so a body can be erased and the chain still verifies;
//! - the author side signs the 32 hash bytes with its Ed25519 key
//!   ([`SignedEntry::sign`]); headers name the key by [`KeyId`];
//! - the other side countersigns [`Checkpoint`]s of those entries;
//! - entries are never edited: a [`EntryKind::Correction`] points to the
//!   entry it corrects.
//!
//! The store builds entries with [`next_header`], checks appends and imports
//! with [`check_append`] / [`check_signed_append`], exports with
//! [`BundleWriter`] and reads with [`BundleReader`]; `slingshot verify` calls
//! [`verify_bundle`]. The bundle format is described in [`bundle_format`].

pub mod bundle_format;
mod bundle_read;
mod bundle_verify;
mod bundle_write;
mod canonical;
mod canonical_fast;
mod chain;
mod checkpoint;
mod digest;
mod error;
mod header;
mod keys;
mod kind;
mod sign;
mod time;
mod verify_report;

#[cfg(test)]
mod tests_bundle;
#[cfg(test)]
mod tests_files;
#[cfg(test)]
mod tests_props;
#[cfg(test)]
mod tests_support;

pub use bundle_format::{
    BundleEntry, BundleHeader, BundleItem, BundleKey, BundleNote, BundleRelationship, BundleTip,
    BUNDLE_FORMAT,
};
pub use bundle_read::{BadLine, BundleReader, LineHint, ReadStep, MAX_LINE_BYTES};
pub use bundle_verify::{verify_bundle, verify_bundle_with, VerifyOptions};
pub use bundle_write::{BundleWriter, EntryBody};
pub use canonical::{body_digest, canonical_digest, canonical_json};
pub use chain::{
    check_append, check_correction, check_signed_append, next_header, ChainTip, EntryDraft,
};
pub use checkpoint::{Checkpoint, SignedCheckpoint, CHECKPOINT_STATEMENT};
pub use digest::Digest;
pub use ed25519_dalek::{Signature, SigningKey, VerifyingKey};
pub use error::LedgerError;
pub use header::{check_id, EntryHeader, MAX_SEQUENCE};
pub use keys::{
    public_key_from_base64url, public_key_to_base64url, signature_from_base64url,
    signature_to_base64url, KeyId,
};
pub use kind::{EntryKind, Side};
pub use sign::{sign_digest, verify_digest, SignedEntry};
pub use time::LedgerTime;
pub use verify_report::{FailedItem, Problem, VerifyFailure, VerifyReport};
