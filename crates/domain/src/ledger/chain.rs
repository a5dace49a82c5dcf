//! The append rule of a relationship's hash chain.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::header::check_sequence;
use super::{
    body_digest, Digest, EntryHeader, EntryKind, KeyId, LedgerError, LedgerTime, Side, SignedEntry,
};

/// The last entry of a relationship's chain: what the next entry must follow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainTip {
    /// The relationship's id.
    pub relationship: String,
    /// The last entry's sequence number.
    pub sequence: u64,
    /// The last entry's hash.
    pub hash: Digest,
}

impl ChainTip {
    /// The tip after appending `header` whose hash is `hash`.
    pub fn after(header: &EntryHeader, hash: Digest) -> Self {
        Self {
            relationship: header.relationship.clone(),
            sequence: header.sequence,
            hash,
        }
    }

    /// The tip after appending a signed entry.
    pub fn of(entry: &SignedEntry) -> Self {
        Self::after(&entry.header, entry.hash)
    }
}

/// What the author supplies for a new entry; the chain supplies the rest.
#[derive(Debug, Clone)]
pub struct EntryDraft<'a> {
    /// The relationship's id (must match the tip's).
    pub relationship: String,
    /// Which side writes the entry.
    pub author_side: Side,
    /// The id of the key that will sign it ([`KeyId::of`] its public key).
    pub author_key_id: KeyId,
    /// What the entry is; a note is refused (notes are not on the shared chain).
    pub kind: EntryKind,
    /// The thread it belongs to.
    pub thread: String,
    /// When it was written.
    pub time: LedgerTime,
    /// The body; only its digest goes into the header.
    pub body: &'a Value,
    /// For a correction, the hash of the entry it corrects.
    pub corrects: Option<Digest>,
}

/// Build the header of the next entry after `prev` (`None` for the first
/// entry of a relationship): sequence `prev + 1` (or 1), previous hash
/// `prev.hash` (or 64 zeros), body digest of the draft's body. The result
/// passes [`check_append`] against `prev`.
pub fn next_header(
    prev: Option<&ChainTip>,
    draft: EntryDraft<'_>,
) -> Result<EntryHeader, LedgerError> {
    let (sequence, prev_hash) = match prev {
        None => (1, Digest::GENESIS),
        Some(tip) => (tip.sequence.saturating_add(1), tip.hash),
    };
    let header = EntryHeader {
        relationship: draft.relationship,
        sequence,
        prev_hash,
        author_side: draft.author_side,
        author_key_id: draft.author_key_id,
        kind: draft.kind,
        thread: draft.thread,
        time: draft.time,
        body_digest: body_digest(draft.body)?,
        corrects: draft.corrects,
    };
    check_append(prev, &header)?;
    Ok(header)
}

/// Check that `header` may follow `tip` (`None`: the chain is empty): its
/// shape is valid ([`EntryHeader::check_shape`]), it is of the same
/// relationship, its sequence is the next one and its previous hash is the
/// tip's hash. The store calls this when appending and when importing.
pub fn check_append(tip: Option<&ChainTip>, header: &EntryHeader) -> Result<(), LedgerError> {
    let (expected_seq, expected_prev) = match tip {
        None => (1, Digest::GENESIS),
        Some(tip) => {
            if tip.relationship != header.relationship {
                return Err(LedgerError::WrongRelationship {
                    expected: tip.relationship.clone(),
                    found: header.relationship.clone(),
                });
            }
            let next = tip.sequence.saturating_add(1);
            check_sequence(next)?;
            (next, tip.hash)
        }
    };
    if header.sequence != expected_seq {
        return Err(LedgerError::WrongSequence {
            expected: expected_seq,
            found: header.sequence,
        });
    }
    if header.prev_hash != expected_prev {
        return Err(LedgerError::WrongPrevHash {
            sequence: header.sequence,
            expected: expected_prev,
            found: header.prev_hash,
        });
    }
    header.check_shape()
}

/// Check that a correction may correct `target` (whose hash is
/// `target_hash`): `corrects` names it, and it is an earlier entry of the same
/// relationship written by the same side. The store looks the target up by
/// `correction.corrects` and calls this; the bundle verifier does the same.
pub fn check_correction(
    correction: &EntryHeader,
    target: &EntryHeader,
    target_hash: &Digest,
) -> Result<(), LedgerError> {
    if correction.kind != EntryKind::Correction || correction.corrects != Some(*target_hash) {
        return Err(LedgerError::CorrectionShape);
    }
    if target.relationship != correction.relationship
        || target.sequence >= correction.sequence
        || target.author_side != correction.author_side
    {
        return Err(LedgerError::CorrectionTarget);
    }
    Ok(())
}

/// Check a signed entry for import: it may follow `tip`, its hash is its
/// header's, and its signature verifies under `key` (the author side's key,
/// named by `author_key_id`). Returns the new tip.
pub fn check_signed_append(
    tip: Option<&ChainTip>,
    entry: &SignedEntry,
    key: &ed25519_dalek::VerifyingKey,
) -> Result<ChainTip, LedgerError> {
    check_append(tip, &entry.header)?;
    entry.verify(key)?;
    Ok(ChainTip::of(entry))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::SigningKey;
    use serde_json::json;

    fn draft<'a>(body: &'a Value, key: &SigningKey) -> EntryDraft<'a> {
        EntryDraft {
            relationship: "rel-1".into(),
            author_side: Side::Customer,
            author_key_id: KeyId::of(&key.verifying_key()),
            kind: EntryKind::Message,
            thread: "thread-1".into(),
            time: LedgerTime::parse("2026-11-25T12:00:00Z").unwrap(),
            body,
            corrects: None,
        }
    }

    #[test]
    fn builds_a_chain_and_refuses_wrong_links() {
        let key = SigningKey::from_bytes(&[1; 32]);
        let body = json!({"text": "hello"});
        let first = next_header(None, draft(&body, &key)).unwrap();
        assert_eq!((first.sequence, first.prev_hash), (1, Digest::GENESIS));
        let first = SignedEntry::sign(first, &key).unwrap();
        let tip = check_signed_append(None, &first, &key.verifying_key()).unwrap();
        let second = next_header(Some(&tip), draft(&body, &key)).unwrap();
        assert_eq!((second.sequence, second.prev_hash), (2, first.hash));
        assert_eq!(check_append(Some(&tip), &second), Ok(()));

        let mut wrong = second.clone();
        wrong.sequence = 3;
        assert_eq!(
            check_append(Some(&tip), &wrong),
            Err(LedgerError::WrongSequence {
                expected: 2,
                found: 3
            })
        );
        let mut wrong = second.clone();
        wrong.prev_hash = Digest::GENESIS;
        assert!(matches!(
            check_append(Some(&tip), &wrong),
            Err(LedgerError::WrongPrevHash { sequence: 2, .. })
        ));
        let mut wrong = second.clone();
        wrong.relationship = "rel-2".into();
        assert!(matches!(
            check_append(Some(&tip), &wrong),
            Err(LedgerError::WrongRelationship { .. })
        ));
        assert!(matches!(
            check_append(None, &second),
            Err(LedgerError::WrongSequence { .. })
        ));
    }

    #[test]
    fn refuses_notes_and_misshapen_corrections() {
        let key = SigningKey::from_bytes(&[1; 32]);
        let body = json!({});
        let mut d = draft(&body, &key);
        d.kind = EntryKind::Note;
        assert_eq!(next_header(None, d), Err(LedgerError::PrivateEntry));
        let mut d = draft(&body, &key);
        d.corrects = Some(Digest::GENESIS);
        assert_eq!(next_header(None, d), Err(LedgerError::CorrectionShape));
    }

    #[test]
    fn corrections_point_back_to_the_same_side() {
        let key = SigningKey::from_bytes(&[1; 32]);
        let body = json!({});
        let first =
            SignedEntry::sign(next_header(None, draft(&body, &key)).unwrap(), &key).unwrap();
        let mut d = draft(&body, &key);
        d.kind = EntryKind::Correction;
        d.corrects = Some(first.hash);
        let fix = next_header(Some(&ChainTip::of(&first)), d).unwrap();
        assert_eq!(check_correction(&fix, &first.header, &first.hash), Ok(()));
        let mut other = first.header.clone();
        other.author_side = Side::Vendor;
        assert_eq!(
            check_correction(&fix, &other, &first.hash),
            Err(LedgerError::CorrectionTarget)
        );
        assert_eq!(
            check_correction(&fix, &first.header, &Digest::GENESIS),
            Err(LedgerError::CorrectionShape)
        );
    }

    #[test]
    fn signing_refuses_a_key_the_header_does_not_name() {
        let key = SigningKey::from_bytes(&[1; 32]);
        let other = SigningKey::from_bytes(&[2; 32]);
        let body = json!({});
        let header = next_header(None, draft(&body, &key)).unwrap();
        assert!(matches!(
            SignedEntry::sign(header.clone(), &other),
            Err(LedgerError::KeyMismatch { .. })
        ));
        let entry = SignedEntry::sign(header, &key).unwrap();
        assert!(entry.verify(&other.verifying_key()).is_err());
        let mut forged = entry.clone();
        forged.signature = SignedEntry::sign(forged.header.clone(), &key)
            .map(|e| e.signature)
            .unwrap();
        assert_eq!(forged.verify(&key.verifying_key()), Ok(()));
        forged.header.thread = "thread-2".into();
        assert!(matches!(
            forged.verify(&key.verifying_key()),
            Err(LedgerError::HashMismatch { .. })
        ));
    }
}
