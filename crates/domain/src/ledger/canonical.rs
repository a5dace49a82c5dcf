//! RFC 8785 JSON Canonicalization Scheme (JCS), and digests over it.
//!
//! Canonical JSON is produced by the `serde_jcs` crate: object keys sorted by
//! their UTF-16 code units, no whitespace, ECMAScript number formatting (every
//! number is an IEEE 754 double, so integers above 2^53 lose precision — the
//! ledger keeps sequence numbers below [`MAX_SEQUENCE`](super::MAX_SEQUENCE)),
//! and minimal string escaping.

use std::io;

use serde::Serialize;
use serde_json::Value;
use sha2::{Digest as _, Sha256};

use super::{canonical_fast, Digest, EntryHeader, LedgerError};

/// The RFC 8785 canonical JSON of `value`.
pub fn canonical_json<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, LedgerError> {
    serde_jcs::to_vec(value).map_err(|e| LedgerError::Canonical(e.to_string()))
}

/// SHA-256 of the RFC 8785 canonical JSON of `value`, without buffering it.
pub fn canonical_digest<T: Serialize + ?Sized>(value: &T) -> Result<Digest, LedgerError> {
    let mut w = HashWriter(Sha256::new());
    serde_jcs::to_writer(&mut w, value).map_err(|e| LedgerError::Canonical(e.to_string()))?;
    Ok(Digest::from_bytes(w.0.finalize().into()))
}

/// The digest of an entry body: SHA-256 of the canonical JSON of the body.
///
/// The header keeps this digest, so a body can be erased later and the chain
/// still verifies.
pub fn body_digest(body: &Value) -> Result<Digest, LedgerError> {
    let mut buf = Vec::with_capacity(512);
    match canonical_fast::value_json(body, &mut buf) {
        Some(()) => Ok(Digest::of(&buf)),
        None => canonical_digest(body),
    }
}

/// The hash of an entry header (see [`EntryHeader::hash`]).
pub(crate) fn header_hash(header: &EntryHeader) -> Result<Digest, LedgerError> {
    let mut buf = Vec::with_capacity(512);
    match canonical_fast::header_json(header, &mut buf) {
        Some(()) => Ok(Digest::of(&buf)),
        None => canonical_digest(header),
    }
}

/// Feeds written bytes to a SHA-256 hasher.
struct HashWriter(Sha256);

impl io::Write for HashWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jcs(json: &str) -> String {
        let v: Value = serde_json::from_str(json).unwrap();
        String::from_utf8(canonical_json(&v).unwrap()).unwrap()
    }

    /// RFC 8785 §3.2.2.3 / Appendix B: numbers are written the ECMAScript way.
    #[test]
    fn numbers_follow_rfc8785() {
        assert_eq!(
            jcs("[333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001]"),
            "[333333333.3333333,1e+30,4.5,0.002,1e-27]"
        );
        assert_eq!(
            jcs("[-0, 0.0, 1e21, 1e20, 100, -1.5e-7]"),
            "[0,0,1e+21,100000000000000000000,100,-1.5e-7]"
        );
        assert_eq!(jcs("[9007199254740993]"), "[9007199254740992]");
    }

    /// RFC 8785 §3.2.2.2: minimal escaping, lower-case `\u00xx`, no `\/`.
    #[test]
    fn strings_follow_rfc8785() {
        assert_eq!(
            jcs(r#"{"string":"\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/"}"#),
            r#"{"string":"€$\u000f\nA'B\"\\\\\"/"}"#
        );
        assert_eq!(
            jcs(r#"{"literals":[null, true, false]}"#),
            r#"{"literals":[null,true,false]}"#
        );
    }

    /// RFC 8785 §3.2.3: keys sorted by UTF-16 code units, recursively.
    /// U+1F600 (surrogates D83D DE00) sorts *before* U+FB33 in UTF-16,
    /// though after it by code point or UTF-8.
    #[test]
    fn keys_sort_by_utf16_code_units() {
        let input = r#"{
            "\u20ac": "Euro Sign",
            "\r": "Carriage Return",
            "\ufb33": "Hebrew Letter Dalet With Dagesh",
            "1": "One",
            "\ud83d\ude00": "Emoji: Grinning Face",
            "\u0080": "Control",
            "\u00f6": "Latin Small Letter O With Diaeresis"
        }"#;
        let expected = "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u{80}\":\"Control\",\
            \"ö\":\"Latin Small Letter O With Diaeresis\",\"€\":\"Euro Sign\",\
            \"😀\":\"Emoji: Grinning Face\",\"\u{fb33}\":\"Hebrew Letter Dalet With Dagesh\"}";
        assert_eq!(jcs(input), expected);
        assert_eq!(
            jcs(r#"{"b":{"z":1,"a":[{"y":2,"x":1}]},"a":0}"#),
            r#"{"a":0,"b":{"a":[{"x":1,"y":2}],"z":1}}"#
        );
    }

    #[test]
    fn digest_is_sha256_of_the_canonical_bytes() {
        let v: Value = serde_json::from_str(r#"{ "b" : 1, "a" : "x" }"#).unwrap();
        assert_eq!(body_digest(&v).unwrap(), Digest::of(br#"{"a":"x","b":1}"#));
    }
}
