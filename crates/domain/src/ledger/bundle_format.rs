//! The bundle format: a relationship's ledger as JSON Lines.
//!
//! ```text
//! {"type":"bundle","format":"slingshot-ledger-bundle/1","relationship":{"id":"…",…},
//!  "keys":[{"key_id":"…","side":"customer","public_key":"…"}],"tip":{"sequence":N,"hash":"…"}}
//! {"type":"entry","header":{…},"hash":"…","signature":"…","body":{…},"erased":false}
//! {"type":"entry","header":{…},"hash":"…","signature":"…","body":null,"erased":true}
//! {"type":"entry","header":{…},"hash":"…","signature":"…","body":{"attachment":{…}},"erased":false,"file":"…"}
//! {"type":"entry","header":{…},"hash":"…","signature":"…","body":{"attachment":{…}},"erased":false,"file_left_out":true}
//! {"type":"note","thread":"…","side":"customer","time":"…","body":{…}}
//! {"type":"checkpoint","checkpoint":{…},"signature":"…"}
//! ```
//!
//! One JSON object per line: first the bundle header, then the entries in
//! sequence order, then the exporting side's private notes (off the chain and
//! unsigned: the exporter's own record, counted but not verified), then the
//! checkpoints. Public keys and signatures are
//! unpadded base64url, digests lowercase hex. The header's `relationship`
//! object must have an `id`; other fields (names, export time) are
//! informational and not signed. `tip` is optional and not signed either: it
//! catches accidental truncation; a deliberately truncated tail is caught only
//! by the other side's checkpoints. An attachment entry may carry its file
//! (`file`, unpadded base64url): not signed itself, but bound to the signed body
//! by the body's `attachment.sha256` and `attachment.size`. An attachment whose
//! file the exporter left out (it would have made the bundle larger than the
//! exporter takes in an import) says so with `"file_left_out":true`.

use ed25519_dalek::{Signature, VerifyingKey};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::keys::{public_key_b64, signature_b64};
use super::{
    Checkpoint, Digest, EntryHeader, KeyId, LedgerTime, Side, SignedCheckpoint, SignedEntry,
};

/// The `format` of the bundles this module writes and reads.
pub const BUNDLE_FORMAT: &str = "slingshot-ledger-bundle/1";

/// The first line of a bundle, without its `type` and `format` fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BundleHeader {
    /// Which relationship the bundle holds.
    pub relationship: BundleRelationship,
    /// Every public key that signs an entry or checkpoint in the bundle.
    pub keys: Vec<BundleKey>,
    /// The last entry the exporter holds (unsigned: catches accidental truncation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tip: Option<BundleTip>,
}

/// The relationship a bundle holds: its id, and informational fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BundleRelationship {
    /// The relationship's id; every entry and checkpoint must name it.
    pub id: String,
    /// Anything else the exporter adds (names, export time); not signed.
    #[serde(flatten)]
    pub details: Map<String, Value>,
}

/// A public key in a bundle, with the side it signs for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleKey {
    /// [`KeyId::of`] the public key.
    pub key_id: KeyId,
    /// The side the key signs for.
    pub side: Side,
    /// The Ed25519 public key, unpadded base64url.
    #[serde(with = "public_key_b64")]
    pub public_key: VerifyingKey,
}

impl BundleKey {
    /// A side's public key, with its derived id.
    pub fn new(side: Side, public_key: VerifyingKey) -> Self {
        Self {
            key_id: KeyId::of(&public_key),
            side,
            public_key,
        }
    }
}

/// A position in the chain: an entry's sequence number and hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleTip {
    /// The entry's sequence number.
    pub sequence: u64,
    /// The entry's hash.
    pub hash: Digest,
}

/// An entry line: the signed entry, and its body unless erased.
#[derive(Debug, Clone, PartialEq)]
pub struct BundleEntry {
    /// Header, hash and signature.
    pub entry: SignedEntry,
    /// The body; `None` when erased (the header keeps its digest).
    pub body: Option<Value>,
    /// Whether the body was erased on request.
    pub erased: bool,
    /// An attachment entry's file, when the bundle carries it.
    pub file: Option<Vec<u8>>,
    /// The exporter held the attachment's file but left it out of the bundle.
    pub file_left_out: bool,
}

/// A private note of the exporting side: not on the chain, not signed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BundleNote {
    /// The conversation it belongs to.
    pub thread: String,
    /// The side that wrote it (and alone sees it).
    pub side: Side,
    /// When it was written.
    pub time: LedgerTime,
    /// Its body.
    pub body: Value,
}

/// One line of a bundle, as read.
#[derive(Debug, Clone, PartialEq)]
pub enum BundleItem {
    /// The first line.
    Header(BundleHeader),
    /// An entry line.
    Entry(BundleEntry),
    /// A private note line.
    Note(BundleNote),
    /// A checkpoint line.
    Checkpoint(SignedCheckpoint),
}

// ---- line shapes on the wire ----

#[derive(Serialize)]
pub(crate) struct HeaderLineOut<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub format: &'static str,
    #[serde(flatten)]
    pub header: &'a BundleHeader,
}

#[derive(Serialize)]
pub(crate) struct EntryLineOut<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub header: &'a EntryHeader,
    pub hash: Digest,
    #[serde(with = "signature_b64")]
    pub signature: Signature,
    pub body: Option<&'a Value>,
    pub erased: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub file_left_out: bool,
}

#[derive(Serialize)]
pub(crate) struct NoteLineOut<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[serde(flatten)]
    pub note: &'a BundleNote,
}

#[derive(Serialize)]
pub(crate) struct CheckpointLineOut<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub checkpoint: &'a Checkpoint,
    #[serde(with = "signature_b64")]
    pub signature: Signature,
}

/// Every line type in one flat shape, so a line is parsed in one pass
/// whatever the order of its fields.
#[derive(Deserialize)]
pub(crate) struct AnyLine {
    #[serde(rename = "type")]
    pub kind: LineKind,
    pub format: Option<String>,
    pub relationship: Option<BundleRelationship>,
    pub keys: Option<Vec<BundleKey>>,
    pub tip: Option<BundleTip>,
    pub header: Option<EntryHeader>,
    pub hash: Option<Digest>,
    #[serde(default, deserialize_with = "opt_signature")]
    pub signature: Option<Signature>,
    pub body: Option<Value>,
    pub erased: Option<bool>,
    pub file: Option<String>,
    pub file_left_out: Option<bool>,
    pub thread: Option<String>,
    pub side: Option<Side>,
    pub time: Option<LedgerTime>,
    pub checkpoint: Option<Checkpoint>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum LineKind {
    Bundle,
    Entry,
    Note,
    Checkpoint,
}

/// Only the `type` of a line, to say what a malformed line was meant to be.
#[derive(Deserialize)]
pub(crate) struct LineKindOnly {
    #[serde(rename = "type")]
    pub kind: Option<Value>,
}

fn opt_signature<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Signature>, D::Error> {
    signature_b64::deserialize(d).map(Some)
}
