//! What bundle verification found.

use std::fmt;

use thiserror::Error;

use super::{BundleTip, Digest, KeyId, LedgerError, Side};

/// The result of verifying a bundle: counts, and every failure found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VerifyReport {
    /// The relationship named by the bundle header, if it could be read.
    pub relationship: Option<String>,
    /// Entry lines read (valid or not).
    pub entries: u64,
    /// Entries whose body was erased (they still verify through their digest).
    pub erased: u64,
    /// Attachment files carried (each checked against its entry's body).
    pub files: u64,
    /// Sequence numbers of attachments whose file the exporter left out.
    pub files_left_out: Vec<u64>,
    /// The exporting side's private notes (off the chain, unsigned: not verified).
    pub notes: u64,
    /// Checkpoint lines read.
    pub checkpoints: u64,
    /// The last entry of the chain as read.
    pub tip: Option<BundleTip>,
    /// Failures in line order (at most `VerifyOptions::max_failures`).
    pub failures: Vec<VerifyFailure>,
    /// How many failures there were in all, kept or not.
    pub failure_count: u64,
}

impl VerifyReport {
    /// True when nothing failed: every entry, body, signature and checkpoint checks out.
    pub fn is_valid(&self) -> bool {
        self.failure_count == 0
    }

    /// The first failure in line order.
    pub fn first_failure(&self) -> Option<&VerifyFailure> {
        self.failures.first()
    }
}

impl fmt::Display for VerifyReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rel = self.relationship.as_deref().unwrap_or("?");
        if self.is_valid() {
            write!(
                f,
                "OK: relationship {rel}: {} entries ({} erased bodies), {} checkpoints",
                self.entries, self.erased, self.checkpoints
            )?;
            if self.files > 0 {
                write!(f, ", {} attachment files", self.files)?;
            }
            if !self.files_left_out.is_empty() {
                write!(
                    f,
                    ", {} attachment files left out by the exporter (entries ",
                    self.files_left_out.len()
                )?;
                for (i, seq) in self.files_left_out.iter().take(20).enumerate() {
                    write!(f, "{}{seq}", if i > 0 { ", " } else { "" })?;
                }
                if self.files_left_out.len() > 20 {
                    write!(f, ", …")?;
                }
                write!(f, ")")?;
            }
            if self.notes > 0 {
                write!(f, ", {} private notes (unsigned)", self.notes)?;
            }
            if let Some(tip) = &self.tip {
                write!(f, "; last entry {} with hash {}", tip.sequence, tip.hash)?;
            }
            return Ok(());
        }
        writeln!(
            f,
            "FAILED: relationship {rel}: {} problem(s) in {} entries and {} checkpoints",
            self.failure_count, self.entries, self.checkpoints
        )?;
        for failure in &self.failures {
            writeln!(f, "  {failure}")?;
        }
        let hidden = self
            .failure_count
            .saturating_sub(self.failures.len() as u64);
        if hidden > 0 {
            writeln!(f, "  … and {hidden} more")?;
        }
        Ok(())
    }
}

/// One thing that failed, where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyFailure {
    /// 1-based line number in the bundle.
    pub line: u64,
    /// What the line holds.
    pub item: FailedItem,
    /// For an entry, the sequence number expected at this position in the
    /// chain (the entry that is altered, missing or out of place); for a
    /// checkpoint, the sequence it countersigns.
    pub sequence: Option<u64>,
    /// What is wrong.
    pub problem: Problem,
}

impl fmt::Display for VerifyFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: ", self.line)?;
        match (self.item, self.sequence) {
            (FailedItem::Entry, Some(seq)) => write!(f, "entry {seq}: ")?,
            (FailedItem::Checkpoint, Some(seq)) => write!(f, "checkpoint of entry {seq}: ")?,
            (FailedItem::Checkpoint, None) => f.write_str("checkpoint: ")?,
            (FailedItem::Header, _) => f.write_str("bundle header: ")?,
            (FailedItem::Entry, None) | (FailedItem::Line, _) => {}
        }
        write!(f, "{}", self.problem)
    }
}

/// What kind of line failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailedItem {
    /// The bundle header (first line).
    Header,
    /// An entry line.
    Entry,
    /// A checkpoint line.
    Checkpoint,
    /// A line that could not be told apart.
    Line,
}

/// Why a line fails verification.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Problem {
    /// The line is not valid JSON, or lacks or misspells a field.
    #[error("not a valid bundle line: {0}")]
    BadLine(String),
    /// The bundle does not start with a header line; nothing can be checked.
    #[error("the bundle does not start with a bundle header line")]
    MissingHeader,
    /// A second header line.
    #[error("a second bundle header line")]
    DuplicateHeader,
    /// A second checkpoint of the same side for the same entry.
    #[error("a second checkpoint of the {side} side for entry {sequence}")]
    DuplicateCheckpoint {
        /// The side that countersigned.
        side: Side,
        /// The entry's sequence number.
        sequence: u64,
    },
    /// A key in the header is unusable (id not derived from the key, weak key, repeated id).
    #[error("key {key_id}: {reason}")]
    BadKey {
        /// The key id as written.
        key_id: KeyId,
        /// Why it is refused.
        reason: &'static str,
    },
    /// A key in the header is not among the keys the caller trusts.
    #[error("key {key_id} ({side}) is not one of the trusted keys")]
    UntrustedKey {
        /// The key id.
        key_id: KeyId,
        /// The side it claims to sign for.
        side: Side,
    },
    /// An entry or checkpoint of another relationship.
    #[error("belongs to relationship '{found}', not the bundle's")]
    WrongRelationship {
        /// The relationship it names.
        found: String,
    },
    /// The header does not hash to the recorded hash: a header field was altered.
    #[error("header was altered: it hashes to {computed} but the entry records {recorded}")]
    HeaderAltered {
        /// The `hash` on the line.
        recorded: Digest,
        /// The hash of the header as it is.
        computed: Digest,
    },
    /// The entry's sequence number is not the next one.
    #[error("{}", sequence_message(*expected, *found))]
    WrongSequence {
        /// The sequence number due here.
        expected: u64,
        /// The entry's sequence number.
        found: u64,
    },
    /// The entry's previous hash is not the hash of the entry before it.
    #[error("previous hash {found} is not the hash of the entry before ({expected})")]
    WrongPrevHash {
        /// The hash of the entry before (or 64 zeros for the first).
        expected: Digest,
        /// The entry's `prev_hash`.
        found: Digest,
    },
    /// The entry breaks a rule of the chain (a private note, a misshapen correction, a bad id).
    #[error("{0}")]
    Rule(LedgerError),
    /// A correction that does not point to an earlier entry of the same side.
    #[error("corrects {target}, which is not an earlier entry of the same side in this bundle")]
    BadCorrection {
        /// The `corrects` hash.
        target: Digest,
    },
    /// The body does not match the header's digest: the body was altered.
    #[error("body was altered: it digests to {computed} but the header says {expected}")]
    BodyAltered {
        /// The header's `body_digest`.
        expected: Digest,
        /// The digest of the body as it is.
        computed: Digest,
    },
    /// An entry marked erased still carries a body.
    #[error("marked erased but still carries a body")]
    ErasedWithBody,
    /// An attachment's file does not match the SHA-256 or size its signed body records.
    #[error("attachment file was altered: {size} bytes digesting to {computed}, but the body records {recorded_size} bytes digesting to {expected}")]
    FileAltered {
        /// The body's `attachment.sha256`.
        expected: String,
        /// The SHA-256 of the file as it is.
        computed: String,
        /// The body's `attachment.size`.
        recorded_size: u64,
        /// The file's size.
        size: u64,
    },
    /// A file (or a file left out) on an entry that cannot hold one.
    #[error("names an attachment file, but {0}")]
    StrayFile(&'static str),
    /// The signing key is not in the bundle's key list.
    #[error("signed with key {key_id}, which is not among the bundle's keys")]
    UnknownKey {
        /// The key id named.
        key_id: KeyId,
    },
    /// The signing key belongs to the other side.
    #[error("signed with key {key_id} of the {key_side} side, but claims the {claimed} side")]
    KeySide {
        /// The key id named.
        key_id: KeyId,
        /// The side the key belongs to.
        key_side: Side,
        /// The side the entry or checkpoint claims.
        claimed: Side,
    },
    /// The Ed25519 signature does not verify: altered, or re-signed with another key.
    #[error("signature does not verify (altered, or signed with another key than {key_id})")]
    BadSignature {
        /// The key id the signature should be by.
        key_id: KeyId,
    },
    /// A checkpoint that matches no entry of the bundle.
    #[error("no entry {sequence} with hash {hash} in the bundle (altered, removed or replaced)")]
    CheckpointMismatch {
        /// The countersigned sequence number.
        sequence: u64,
        /// The countersigned hash.
        hash: Digest,
    },
    /// A checkpoint by the side that wrote the entry.
    #[error("countersigns an entry of its own side")]
    CheckpointOwnEntry,
    /// The chain does not end where the bundle header says.
    #[error("the chain ends at {}, but the bundle header says entry {} with hash {}", found_tip(.found), .declared.sequence, .declared.hash)]
    TipMismatch {
        /// The header's `tip`.
        declared: BundleTip,
        /// The last entry read.
        found: Option<BundleTip>,
    },
}

fn sequence_message(expected: u64, found: u64) -> String {
    if found > expected {
        let missing = if found == expected + 1 {
            format!("entry {expected} is")
        } else {
            format!("entries {expected} to {} are", found - 1)
        };
        format!(
            "expected entry {expected} but found entry {found}: {missing} missing or out of order"
        )
    } else {
        format!("expected entry {expected} but found entry {found}: repeated or out of order")
    }
}

fn found_tip(found: &Option<BundleTip>) -> String {
    match found {
        Some(t) => format!("entry {} with hash {}", t.sequence, t.hash),
        None => "no entry".to_owned(),
    }
}
