//! The entry header: what is hashed and signed for each shared entry.

use serde::{Deserialize, Serialize};

use super::{Digest, EntryKind, KeyId, LedgerError, LedgerTime, Side};

/// The largest sequence number: 2^53 − 1. RFC 8785 writes every number as an
/// IEEE 754 double, so larger integers would not have one canonical spelling.
pub const MAX_SEQUENCE: u64 = (1 << 53) - 1;

/// The header of a shared entry: the fields that are hashed and signed.
///
/// `hash` = SHA-256 of the RFC 8785 canonical JSON of this header (see
/// [`EntryHeader::hash`]). The JSON field names are the Rust names; `corrects`
/// is left out (not `null`) when absent. The body is *not* in the header, only
/// its digest, so a body can be erased and the chain still verifies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryHeader {
    /// The relationship's id (a UUID string).
    pub relationship: String,
    /// Position in the relationship's chain, from 1.
    pub sequence: u64,
    /// Hash of the previous entry; [`Digest::GENESIS`] (64 zeros) for sequence 1.
    pub prev_hash: Digest,
    /// Which side wrote the entry.
    pub author_side: Side,
    /// The id of the author side's key that signs the entry.
    pub author_key_id: KeyId,
    /// What the entry is; never [`EntryKind::Note`] on the shared chain.
    pub kind: EntryKind,
    /// The thread (conversation) the entry belongs to.
    pub thread: String,
    /// When the entry was written, RFC 3339 UTC.
    pub time: LedgerTime,
    /// SHA-256 of the RFC 8785 canonical JSON of the body ([`body_digest`](super::body_digest)).
    pub body_digest: Digest,
    /// For a correction: the hash of the earlier entry it corrects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub corrects: Option<Digest>,
}

impl EntryHeader {
    /// SHA-256 of the RFC 8785 canonical JSON of the header.
    pub fn hash(&self) -> Result<Digest, LedgerError> {
        super::canonical::header_hash(self)
    }

    /// Check the rules a header keeps on its own, whatever chain it is in:
    /// ids are well-formed, the sequence is 1..=[`MAX_SEQUENCE`], the kind is
    /// shared (not a note), the first entry's previous hash is the genesis
    /// hash, and `corrects` is present exactly on corrections.
    pub fn check_shape(&self) -> Result<(), LedgerError> {
        check_id(&self.relationship, "a relationship id")?;
        check_id(&self.thread, "a thread id")?;
        check_sequence(self.sequence)?;
        if self.sequence == 1 && self.prev_hash != Digest::GENESIS {
            return Err(LedgerError::WrongPrevHash {
                sequence: 1,
                expected: Digest::GENESIS,
                found: self.prev_hash,
            });
        }
        if !self.kind.is_shared() {
            return Err(LedgerError::PrivateEntry);
        }
        if (self.kind == EntryKind::Correction) != self.corrects.is_some() {
            return Err(LedgerError::CorrectionShape);
        }
        Ok(())
    }
}

/// A sequence number is 1..=[`MAX_SEQUENCE`].
pub(crate) fn check_sequence(sequence: u64) -> Result<(), LedgerError> {
    if sequence == 0 || sequence > MAX_SEQUENCE {
        return Err(LedgerError::Malformed {
            what: "a sequence number",
            expected: "between 1 and 2^53 - 1",
        });
    }
    Ok(())
}

/// A relationship or thread id: 1–128 characters of `A-Z a-z 0-9 - _ . :`
/// (UUID strings fit).
pub fn check_id(id: &str, what: &'static str) -> Result<(), LedgerError> {
    let ok = (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b':'));
    if ok {
        Ok(())
    } else {
        Err(LedgerError::Malformed {
            what,
            expected: "1-128 characters of letters, digits, '-', '_', '.' or ':'",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::canonical_json;

    pub(crate) fn sample() -> EntryHeader {
        EntryHeader {
            relationship: "0192f0c4-7d1e-7c3a-9f00-000000000001".into(),
            sequence: 1,
            prev_hash: Digest::GENESIS,
            author_side: Side::Customer,
            author_key_id: KeyId::parse("AAAAAAAAAAAAAAAAAAAAAA").unwrap(),
            kind: EntryKind::Message,
            thread: "0192f0c4-7d1e-7c3a-9f00-000000000002".into(),
            time: LedgerTime::parse("2026-11-25T12:00:00Z").unwrap(),
            body_digest: Digest::of(b"{}"),
            corrects: None,
        }
    }

    #[test]
    fn canonical_header_is_sorted_and_omits_absent_corrects() {
        let h = sample();
        let text = String::from_utf8(canonical_json(&h).unwrap()).unwrap();
        let expected = format!(
            "{{\"author_key_id\":\"AAAAAAAAAAAAAAAAAAAAAA\",\"author_side\":\"customer\",\
             \"body_digest\":\"{}\",\"kind\":\"message\",\"prev_hash\":\"{}\",\
             \"relationship\":\"0192f0c4-7d1e-7c3a-9f00-000000000001\",\"sequence\":1,\
             \"thread\":\"0192f0c4-7d1e-7c3a-9f00-000000000002\",\"time\":\"2026-11-25T12:00:00Z\"}}",
            Digest::of(b"{}"),
            Digest::GENESIS
        );
        assert_eq!(text, expected);
        assert_eq!(h.hash().unwrap(), Digest::of(expected.as_bytes()));
    }

    #[test]
    fn every_field_changes_the_hash() {
        let base = sample().hash().unwrap();
        let mut variants = Vec::new();
        let mut h = sample();
        h.relationship.push('x');
        variants.push(h);
        let mut h = sample();
        h.sequence = 2;
        variants.push(h);
        let mut h = sample();
        h.prev_hash = Digest::of(b"x");
        variants.push(h);
        let mut h = sample();
        h.author_side = Side::Vendor;
        variants.push(h);
        let mut h = sample();
        h.author_key_id = KeyId::parse("AAAAAAAAAAAAAAAAAAAAAQ").unwrap();
        variants.push(h);
        let mut h = sample();
        h.kind = EntryKind::Event;
        variants.push(h);
        let mut h = sample();
        h.thread.push('x');
        variants.push(h);
        let mut h = sample();
        h.time = LedgerTime::parse("2026-11-25T12:00:01Z").unwrap();
        variants.push(h);
        let mut h = sample();
        h.body_digest = Digest::of(b"[]");
        variants.push(h);
        let mut h = sample();
        h.corrects = Some(Digest::of(b"x"));
        variants.push(h);
        for v in variants {
            assert_ne!(v.hash().unwrap(), base, "{v:?}");
        }
    }

    #[test]
    fn shape_rules() {
        assert_eq!(sample().check_shape(), Ok(()));
        let mut h = sample();
        h.kind = EntryKind::Note;
        assert_eq!(h.check_shape(), Err(LedgerError::PrivateEntry));
        let mut h = sample();
        h.kind = EntryKind::Correction;
        assert_eq!(h.check_shape(), Err(LedgerError::CorrectionShape));
        h.corrects = Some(Digest::of(b"x"));
        assert_eq!(h.check_shape(), Ok(()));
        let mut h = sample();
        h.sequence = 0;
        assert!(h.check_shape().is_err());
        h.sequence = MAX_SEQUENCE + 1;
        assert!(h.check_shape().is_err());
        let mut h = sample();
        h.prev_hash = Digest::of(b"x");
        assert!(matches!(
            h.check_shape(),
            Err(LedgerError::WrongPrevHash { .. })
        ));
        let mut h = sample();
        h.thread = "has space".into();
        assert!(h.check_shape().is_err());
        h.thread = String::new();
        assert!(h.check_shape().is_err());
    }
}
