//! Compact JWS (RFC 7515) signed with Ed25519 (`"alg":"EdDSA"`, RFC 8037), and Ed25519
//! public keys as JWK and JWK Sets (RFC 7517), as published at `/.well-known/jwks.json`.
//!
//! Verification says which part fails: the header (not base64url, not a JSON object, `alg`
//! not EdDSA, a `crit` extension), the payload (not base64url), the signature (not
//! base64url, not 64 bytes, or not matching), or the key (an unknown `kid`).

use crate::CredentialsError;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use ed25519_dalek::{Signature, Signer};
use serde_json::{json, Map, Value};

pub use ed25519_dalek::{SigningKey, VerifyingKey};

/// The JWS algorithm for Ed25519 (RFC 8037).
pub const JWS_ALG: &str = "EdDSA";

/// A public key trusted to verify signatures, with its key id when it has one.
///
/// A key without `kid` (e.g. given as `--trust-key`) is tried for any token; a key with one
/// only for tokens whose header names that `kid` or none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedKey {
    /// The key id (`kid`), if known.
    pub kid: Option<String>,
    /// The Ed25519 public key.
    pub key: VerifyingKey,
}

/// A compact JWS whose signature checked out.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedJws {
    /// The protected header (a JSON object with `alg` EdDSA).
    pub header: Map<String, Value>,
    /// The payload bytes.
    pub payload: Vec<u8>,
    /// The trusted key that verified the signature.
    pub key: TrustedKey,
}

impl VerifiedJws {
    /// The header's `kid`, if any.
    pub fn kid(&self) -> Option<&str> {
        self.header.get("kid").and_then(Value::as_str)
    }

    /// The header's `typ`, if any.
    pub fn typ(&self) -> Option<&str> {
        self.header.get("typ").and_then(Value::as_str)
    }
}

/// Sign `payload` as a compact JWS with header `{"alg":"EdDSA","kid":kid,"typ":typ}`.
pub fn sign_compact(key: &SigningKey, kid: &str, typ: &str, payload: &[u8]) -> String {
    let header = json!({ "alg": JWS_ALG, "kid": kid, "typ": typ });
    sign_compact_with_header(key, &header.to_string(), payload)
}

/// Sign `payload` as a compact JWS with `header_json` as the protected header, byte for
/// byte (for test vectors and other headers). It should carry `"alg":"EdDSA"`:
/// [`verify_compact`] refuses any other.
pub fn sign_compact_with_header(key: &SigningKey, header_json: &str, payload: &[u8]) -> String {
    let input = format!("{}.{}", B64.encode(header_json), B64.encode(payload));
    let signature = key.sign(input.as_bytes());
    format!("{input}.{}", B64.encode(signature.to_bytes()))
}

/// Verify a compact JWS against `trusted` keys (see [`TrustedKey`] for how `kid` selects
/// them); the error names the part that fails. Signatures are checked with
/// `verify_strict` (no small-order keys, no malleable signatures).
pub fn verify_compact(
    token: &str,
    trusted: &[TrustedKey],
) -> Result<VerifiedJws, CredentialsError> {
    let parts: Vec<&str> = token.split('.').collect();
    let [h, p, s] = parts.as_slice() else {
        return Err(CredentialsError::JwsShape(parts.len()));
    };
    let header_err = |m: &str| CredentialsError::JwsHeader(m.to_owned());
    let header_bytes = B64
        .decode(h)
        .map_err(|_| header_err("not base64url (unpadded, RFC 7515 §2)"))?;
    let header: Map<String, Value> = serde_json::from_slice::<Value>(&header_bytes)
        .ok()
        .and_then(|v| match v {
            Value::Object(m) => Some(m),
            _ => None,
        })
        .ok_or_else(|| header_err("not a JSON object"))?;
    match header.get("alg") {
        Some(Value::String(a)) if a == JWS_ALG => {}
        Some(Value::String(a)) => {
            return Err(CredentialsError::JwsHeader(format!(
                "alg is {a}, not {JWS_ALG}"
            )))
        }
        _ => return Err(header_err("no alg (must be EdDSA)")),
    }
    if header.contains_key("crit") {
        return Err(header_err("crit extensions are not understood"));
    }
    let kid = match header.get("kid") {
        None => None,
        Some(Value::String(k)) => Some(k.as_str()),
        Some(_) => return Err(header_err("kid is not a string")),
    };
    let payload = B64
        .decode(p)
        .map_err(|_| CredentialsError::JwsPayload("not base64url (unpadded)".into()))?;
    let sig_bytes = B64
        .decode(s)
        .map_err(|_| CredentialsError::JwsSignature("not base64url (unpadded)".into()))?;
    let sig_bytes: [u8; 64] = sig_bytes.as_slice().try_into().map_err(|_| {
        CredentialsError::JwsSignature(format!(
            "{} bytes; an Ed25519 signature has 64",
            sig_bytes.len()
        ))
    })?;
    let signature = Signature::from_bytes(&sig_bytes);
    if trusted.is_empty() {
        return Err(CredentialsError::JwsNoTrustedKey);
    }
    let candidates: Vec<&TrustedKey> = trusted
        .iter()
        .filter(|t| match (kid, t.kid.as_deref()) {
            (Some(want), Some(have)) => want == have,
            _ => true,
        })
        .collect();
    if candidates.is_empty() {
        return Err(CredentialsError::JwsUnknownKey(
            kid.unwrap_or_default().to_owned(),
        ));
    }
    let input_len = h.len() + 1 + p.len();
    let input = token.get(..input_len).unwrap_or_default().as_bytes();
    let key = candidates
        .into_iter()
        .find(|t| t.key.verify_strict(input, &signature).is_ok())
        .ok_or(CredentialsError::JwsSignatureMismatch)?;
    Ok(VerifiedJws {
        header,
        payload,
        key: key.clone(),
    })
}

/// The public JWK of an Ed25519 key (RFC 8037 §2):
/// `{"kty":"OKP","crv":"Ed25519","x":..,"kid":..,"use":"sig","alg":"EdDSA"}`.
pub fn jwk_of(key: &VerifyingKey, kid: &str) -> Value {
    json!({
        "kty": "OKP",
        "crv": "Ed25519",
        "x": B64.encode(key.as_bytes()),
        "kid": kid,
        "use": "sig",
        "alg": JWS_ALG,
    })
}

/// A JWK Set `{"keys":[..]}` of `(kid, key)` pairs.
pub fn jwks<'a>(keys: impl IntoIterator<Item = (&'a str, &'a VerifyingKey)>) -> Value {
    let keys: Vec<Value> = keys.into_iter().map(|(kid, k)| jwk_of(k, kid)).collect();
    json!({ "keys": keys })
}

fn jwk_err(m: impl Into<String>) -> CredentialsError {
    CredentialsError::Jwk(m.into())
}

fn is_ed25519(jwk: &Map<String, Value>) -> bool {
    jwk.get("kty").and_then(Value::as_str) == Some("OKP")
        && jwk.get("crv").and_then(Value::as_str) == Some("Ed25519")
}

/// Read an Ed25519 public JWK: `kty` OKP, `crv` Ed25519, `x` 32 bytes of base64url; `alg`
/// (when given) EdDSA and `use` (when given) sig. A JWK carrying the private part `d` is
/// refused: a published key set must hold public keys only.
pub fn key_from_jwk(jwk: &Value) -> Result<TrustedKey, CredentialsError> {
    let o = jwk
        .as_object()
        .ok_or_else(|| jwk_err("a JWK must be a JSON object"))?;
    if !is_ed25519(o) {
        return Err(jwk_err(format!(
            "kty {} / crv {} is not an Ed25519 key (OKP / Ed25519)",
            o.get("kty").unwrap_or(&Value::Null),
            o.get("crv").unwrap_or(&Value::Null)
        )));
    }
    if o.contains_key("d") {
        return Err(jwk_err(
            "the JWK holds a private key (d); publish and trust public keys only",
        ));
    }
    if let Some(alg) = o.get("alg") {
        if alg != JWS_ALG {
            return Err(jwk_err(format!("alg is {alg}, not {JWS_ALG}")));
        }
    }
    if let Some(u) = o.get("use") {
        if u != "sig" {
            return Err(jwk_err(format!("use is {u}, not sig")));
        }
    }
    let bytes: [u8; 32] = o
        .get("x")
        .and_then(Value::as_str)
        .and_then(|x| B64.decode(x).ok())
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| jwk_err("x must be 32 bytes of unpadded base64url"))?;
    let key = VerifyingKey::from_bytes(&bytes)
        .map_err(|_| jwk_err("x is not a valid Ed25519 public key"))?;
    let kid = match o.get("kid") {
        None => None,
        Some(Value::String(k)) => Some(k.clone()),
        Some(_) => return Err(jwk_err("kid must be a string")),
    };
    Ok(TrustedKey { kid, key })
}

/// Read the Ed25519 keys of a JWK Set `{"keys":[..]}`. Keys of other types are skipped
/// (RFC 7517 §5); a malformed Ed25519 key is an error naming its index.
pub fn keys_from_jwks(set: &Value) -> Result<Vec<TrustedKey>, CredentialsError> {
    let keys = set
        .get("keys")
        .and_then(Value::as_array)
        .ok_or_else(|| jwk_err("a JWK Set is an object with a \"keys\" array"))?;
    keys.iter()
        .enumerate()
        .filter(|(_, k)| k.as_object().is_some_and(is_ed25519))
        .map(|(i, k)| {
            key_from_jwk(k).map_err(|e| match e {
                CredentialsError::Jwk(m) => jwk_err(format!("keys[{i}]: {m}")),
                other => other,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 8037 appendix A.1 and A.4.
    const D: &str = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
    const X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
    const A4: &str = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";

    fn rfc_key() -> SigningKey {
        let d: [u8; 32] = B64.decode(D).unwrap().try_into().unwrap();
        SigningKey::from_bytes(&d)
    }

    fn trust(key: &SigningKey, kid: Option<&str>) -> TrustedKey {
        TrustedKey {
            kid: kid.map(str::to_owned),
            key: key.verifying_key(),
        }
    }

    fn other_key() -> SigningKey {
        SigningKey::from_bytes(&[7; 32])
    }

    #[test]
    fn rfc8037_a4_vector() {
        let key = rfc_key();
        assert_eq!(B64.encode(key.verifying_key().as_bytes()), X);
        let token =
            sign_compact_with_header(&key, r#"{"alg":"EdDSA"}"#, b"Example of Ed25519 signing");
        assert_eq!(token, A4);
        let v = verify_compact(A4, &[trust(&key, None)]).unwrap();
        assert_eq!(v.payload, b"Example of Ed25519 signing");
        assert_eq!(v.header.get("alg").unwrap(), "EdDSA");
        assert_eq!(v.kid(), None);
        // A token without kid is tried against keys that have one.
        assert!(verify_compact(A4, &[trust(&key, Some("k1"))]).is_ok());
        assert_eq!(jwk_of(&key.verifying_key(), "k1")["x"], X);
    }

    #[test]
    fn signed_tokens_carry_kid_and_typ_and_pick_the_key_by_kid() {
        let (a, b) = (rfc_key(), other_key());
        let token = sign_compact(&b, "b-1", "consent-receipt+jws", br#"{"n":1}"#);
        let header = B64.decode(token.split('.').next().unwrap()).unwrap();
        assert_eq!(
            String::from_utf8(header).unwrap(),
            r#"{"alg":"EdDSA","kid":"b-1","typ":"consent-receipt+jws"}"#
        );
        let keys = [trust(&a, Some("a-1")), trust(&b, Some("b-1"))];
        let v = verify_compact(&token, &keys).unwrap();
        assert_eq!(v.kid(), Some("b-1"));
        assert_eq!(v.typ(), Some("consent-receipt+jws"));
        assert_eq!(v.key, keys[1]);
        assert_eq!(v.payload, br#"{"n":1}"#);
        // Keys without kid are tried for any token.
        assert!(verify_compact(&token, &[trust(&a, None), trust(&b, None)]).is_ok());
    }

    fn replace_part(token: &str, i: usize, part: &str) -> String {
        let mut parts: Vec<&str> = token.split('.').collect();
        parts[i] = part;
        parts.join(".")
    }

    #[test]
    fn each_failing_part_is_named() {
        let key = rfc_key();
        let keys = [trust(&key, None)];
        let err = |t: &str| verify_compact(t, &keys).unwrap_err();
        let msg = |t: &str| err(t).to_string();

        assert_eq!(err("a.b"), CredentialsError::JwsShape(2));
        assert_eq!(err("a.b.c.d.e"), CredentialsError::JwsShape(5));

        assert!(msg(&replace_part(A4, 0, "eyJ!")).starts_with("header: not base64url"));
        let not_json = B64.encode("not json");
        assert_eq!(
            msg(&replace_part(A4, 0, &not_json)),
            "header: not a JSON object"
        );
        let hs = sign_compact_with_header(&key, r#"{"alg":"HS256"}"#, b"x");
        assert_eq!(msg(&hs), "header: alg is HS256, not EdDSA");
        let none = sign_compact_with_header(&key, r#"{"alg":"none"}"#, b"x");
        assert_eq!(msg(&none), "header: alg is none, not EdDSA");
        let no_alg = sign_compact_with_header(&key, r#"{"typ":"x"}"#, b"x");
        assert!(msg(&no_alg).starts_with("header: no alg"));
        let crit =
            sign_compact_with_header(&key, r#"{"alg":"EdDSA","crit":["b64"],"b64":false}"#, b"x");
        assert!(msg(&crit).contains("crit"));
        // A header re-encoded with other content: the signature no longer matches.
        let altered = B64.encode(r#"{"alg":"EdDSA","kid":"x"}"#);
        assert_eq!(
            err(&replace_part(A4, 0, &altered)),
            CredentialsError::JwsSignatureMismatch
        );

        assert_eq!(
            msg(&replace_part(A4, 1, "a*b")),
            "payload: not base64url (unpadded)"
        );
        let payload = B64.encode("Example of Ed25519 signinG");
        assert_eq!(
            err(&replace_part(A4, 1, &payload)),
            CredentialsError::JwsSignatureMismatch
        );

        assert_eq!(
            msg(&replace_part(A4, 2, "%%%")),
            "signature: not base64url (unpadded)"
        );
        assert_eq!(
            msg(&replace_part(A4, 2, &B64.encode([0u8; 63]))),
            "signature: 63 bytes; an Ed25519 signature has 64"
        );
        let by_other = sign_compact_with_header(
            &other_key(),
            r#"{"alg":"EdDSA"}"#,
            b"Example of Ed25519 signing",
        );
        assert!(msg(&by_other).starts_with("signature: does not match"));

        let with_kid = sign_compact(&key, "k-9", "t", b"x");
        assert_eq!(
            verify_compact(&with_kid, &[trust(&key, Some("k-1"))]).unwrap_err(),
            CredentialsError::JwsUnknownKey("k-9".into())
        );
        assert_eq!(
            verify_compact(A4, &[]).unwrap_err(),
            CredentialsError::JwsNoTrustedKey
        );
    }

    #[test]
    fn jwks_round_trip_and_refuse_bad_keys() {
        let (a, b) = (rfc_key().verifying_key(), other_key().verifying_key());
        let set = jwks([("a-1", &a), ("b-1", &b)]);
        assert_eq!(set["keys"][0]["kty"], "OKP");
        assert_eq!(set["keys"][0]["crv"], "Ed25519");
        assert_eq!(set["keys"][0]["use"], "sig");
        assert_eq!(set["keys"][0]["alg"], "EdDSA");
        let keys = keys_from_jwks(&set).unwrap();
        assert_eq!(keys.len(), 2);
        assert_eq!(keys[1].kid.as_deref(), Some("b-1"));
        assert_eq!(keys[1].key, b);

        // Other key types are skipped.
        let mixed = json!({"keys": [{"kty": "RSA", "n": "x", "e": "AQAB"}, jwk_of(&a, "a-1")]});
        assert_eq!(keys_from_jwks(&mixed).unwrap().len(), 1);

        let mut private = jwk_of(&a, "a-1");
        private["d"] = json!(D);
        assert!(key_from_jwk(&private)
            .unwrap_err()
            .to_string()
            .contains("private"));
        let mut short = jwk_of(&a, "a-1");
        short["x"] = json!("AAAA");
        assert!(keys_from_jwks(&json!({ "keys": [short] }))
            .unwrap_err()
            .to_string()
            .starts_with("jwk: keys[0]: x must be"));
        let mut enc = jwk_of(&a, "a-1");
        enc["use"] = json!("enc");
        assert!(key_from_jwk(&enc).is_err());
        assert!(key_from_jwk(&json!({"kty": "OKP", "crv": "X25519", "x": X})).is_err());
        assert!(keys_from_jwks(&json!([])).is_err());
        // A JWK without kid is trusted for any token.
        let bare = key_from_jwk(&json!({"kty": "OKP", "crv": "Ed25519", "x": X})).unwrap();
        assert_eq!(bare.kid, None);
        assert!(verify_compact(A4, &[bare]).is_ok());
    }
}
