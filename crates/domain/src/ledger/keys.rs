//! Key ids and the base64url spelling of public keys and signatures.

use std::fmt;
use std::str::FromStr;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use ed25519_dalek::{Signature, VerifyingKey};
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

use super::{Digest, LedgerError};

/// Names a side's Ed25519 public key inside headers, checkpoints and bundles.
///
/// The id is derived from the key: the first 16 bytes of SHA-256 of the 32
/// public key bytes, written as 22 characters of unpadded base64url
/// (RFC 4648 §5). See [`KeyId::of`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId([u8; 16]);

impl KeyId {
    /// The id of a public key.
    pub fn of(key: &VerifyingKey) -> Self {
        let d = Digest::of(key.as_bytes());
        let mut id = [0u8; 16];
        id.copy_from_slice(&d.as_bytes()[..16]);
        Self(id)
    }

    /// Wrap 16 raw id bytes.
    pub const fn from_bytes(bytes: [u8; 16]) -> Self {
        Self(bytes)
    }

    /// Parse 22 characters of unpadded base64url.
    pub fn parse(s: &str) -> Result<Self, LedgerError> {
        decode_fixed::<16>(s, "a key id", "22 characters of unpadded base64url").map(Self)
    }

    /// The raw 16 bytes.
    pub const fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }
}

impl KeyId {
    /// Write the 22 base64url characters into `buf` and return them.
    pub(crate) fn encode<'b>(&self, buf: &'b mut [u8; 24]) -> &'b str {
        let n = URL_SAFE_NO_PAD.encode_slice(self.0, buf).unwrap_or(0);
        std::str::from_utf8(buf.get(..n).unwrap_or_default()).unwrap_or_default()
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = [0u8; 24];
        f.write_str(self.encode(&mut buf))
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({self})")
    }
}

impl FromStr for KeyId {
    type Err = LedgerError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for KeyId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for KeyId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(StrVisitor("a key id", KeyId::parse))
    }
}

/// Decode exactly `N` bytes of canonical unpadded base64url.
fn decode_fixed<const N: usize>(
    s: &str,
    what: &'static str,
    expected: &'static str,
) -> Result<[u8; N], LedgerError> {
    let bad = || LedgerError::Malformed { what, expected };
    // Unpadded base64 of N bytes is ceil(4N/3) characters; a longer input
    // could not fit the buffer below anyway.
    if s.len() != (4 * N).div_ceil(3) {
        return Err(bad());
    }
    let mut buf = [0u8; 66];
    // The engine refuses padding and non-zero trailing bits, so each value
    // has exactly one spelling.
    let n = URL_SAFE_NO_PAD
        .decode_slice(s, &mut buf)
        .map_err(|_| bad())?;
    let bytes = buf.get(..n).ok_or_else(bad)?;
    bytes.try_into().map_err(|_| bad())
}

/// Parse a public key from 43 characters of unpadded base64url.
pub fn public_key_from_base64url(s: &str) -> Result<VerifyingKey, LedgerError> {
    let bytes = decode_fixed::<32>(s, "a public key", "43 characters of unpadded base64url")?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| LedgerError::Malformed {
        what: "a public key",
        expected: "a valid Ed25519 point",
    })
}

/// A public key as 43 characters of unpadded base64url.
pub fn public_key_to_base64url(key: &VerifyingKey) -> String {
    URL_SAFE_NO_PAD.encode(key.as_bytes())
}

/// Parse a signature from 86 characters of unpadded base64url.
pub fn signature_from_base64url(s: &str) -> Result<Signature, LedgerError> {
    let bytes = decode_fixed::<64>(s, "a signature", "86 characters of unpadded base64url")?;
    Ok(Signature::from_bytes(&bytes))
}

/// A signature as 86 characters of unpadded base64url.
pub fn signature_to_base64url(sig: &Signature) -> String {
    URL_SAFE_NO_PAD.encode(sig.to_bytes())
}

/// A `&str` visitor that parses with a function.
pub(crate) struct StrVisitor<T>(pub &'static str, pub fn(&str) -> Result<T, LedgerError>);

impl<T> de::Visitor<'_> for StrVisitor<T> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        (self.1)(v).map_err(E::custom)
    }
}

/// Serde adapters for base64url signatures: `#[serde(with = "signature_b64")]`.
pub(crate) mod signature_b64 {
    use super::*;

    pub fn serialize<S: Serializer>(sig: &Signature, s: S) -> Result<S::Ok, S::Error> {
        let mut buf = [0u8; 88];
        let n = URL_SAFE_NO_PAD
            .encode_slice(sig.to_bytes(), &mut buf)
            .map_err(serde::ser::Error::custom)?;
        let text = std::str::from_utf8(buf.get(..n).unwrap_or_default())
            .map_err(serde::ser::Error::custom)?;
        s.serialize_str(text)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Signature, D::Error> {
        d.deserialize_str(StrVisitor("a signature", signature_from_base64url))
    }
}

/// Serde adapters for base64url public keys: `#[serde(with = "public_key_b64")]`.
pub(crate) mod public_key_b64 {
    use super::*;

    pub fn serialize<S: Serializer>(key: &VerifyingKey, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&public_key_to_base64url(key))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<VerifyingKey, D::Error> {
        d.deserialize_str(StrVisitor("a public key", public_key_from_base64url))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signer, SigningKey};

    #[test]
    fn key_id_is_derived_and_round_trips() {
        let key = SigningKey::from_bytes(&[7; 32]).verifying_key();
        let id = KeyId::of(&key);
        let text = id.to_string();
        assert_eq!(text.len(), 22);
        assert_eq!(KeyId::parse(&text), Ok(id));
        assert_eq!(
            &id.as_bytes()[..],
            &Digest::of(key.as_bytes()).as_bytes()[..16]
        );
        assert!(KeyId::parse(&format!("{text}=")).is_err());
        assert!(KeyId::parse("not a key id").is_err());
    }

    #[test]
    fn keys_and_signatures_round_trip_in_base64url() {
        let sk = SigningKey::from_bytes(&[9; 32]);
        let pk = sk.verifying_key();
        let text = public_key_to_base64url(&pk);
        assert_eq!(text.len(), 43);
        assert_eq!(public_key_from_base64url(&text), Ok(pk));
        let sig = sk.sign(b"hello");
        let text = signature_to_base64url(&sig);
        assert_eq!(text.len(), 86);
        assert_eq!(signature_from_base64url(&text), Ok(sig));
        assert!(signature_from_base64url(&text[..85]).is_err());
        // The last character carries 2 spare bits; setting them gives another spelling.
        let mut other = text.clone().into_bytes();
        let last = other.len() - 1;
        other[last] = if other[last] == b'B' { b'C' } else { b'B' };
        let other = String::from_utf8(other).unwrap();
        assert!(signature_from_base64url(&other)
            .map(|s| s != sig)
            .unwrap_or(true));
    }
}
