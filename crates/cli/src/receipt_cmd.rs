//! `slingshot verify RECEIPT`: a consent receipt — a compact JWS (EdDSA) whose payload is a
//! Kantara Consent Receipt v1.1 — checked offline against keys the user trusts.

use crate::error::CliError;
use slingshot_credentials::{keys_from_jwks, verify_compact, TrustedKey};
use slingshot_domain::consent::{check_kantara_receipt, rfc3339};
use slingshot_domain::ledger::{public_key_from_base64url, public_key_to_base64url};
use std::io::Read;
use std::path::Path;

/// Receipts are small; a larger file is taken for a bundle without being read whole.
const MAX_RECEIPT_BYTES: u64 = 1 << 20;

/// Is `text`, trimmed, a compact JWS: three base64url parts separated by dots, the header
/// not empty, nothing else (no spaces, no newlines)?
pub fn looks_like_compact_jws(text: &str) -> bool {
    let parts: Vec<&str> = text.trim().split('.').collect();
    parts.len() == 3
        && parts.first().is_some_and(|h| !h.is_empty())
        && parts.iter().all(|p| {
            p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// The trimmed compact JWS in `file`, or `None` when the file is not one (a bundle).
pub fn read_receipt(file: &Path) -> Result<Option<String>, CliError> {
    let f = std::fs::File::open(file)?;
    if f.metadata()?.len() > MAX_RECEIPT_BYTES {
        return Ok(None);
    }
    let mut bytes = Vec::new();
    f.take(MAX_RECEIPT_BYTES).read_to_end(&mut bytes)?;
    Ok(String::from_utf8(bytes)
        .ok()
        .filter(|t| looks_like_compact_jws(t))
        .map(|t| t.trim().to_owned()))
}

/// The keys from `--trust-key` (base64url, no key id) and `--jwks FILE`.
fn trusted_keys(trust_keys: &[String], jwks: Option<&Path>) -> Result<Vec<TrustedKey>, CliError> {
    let mut keys = trust_keys
        .iter()
        .map(|k| {
            public_key_from_base64url(k)
                .map(|key| TrustedKey { kid: None, key })
                .map_err(|e| CliError::Usage(format!("--trust-key {k}: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(path) = jwks {
        let usage = |m: String| CliError::Usage(format!("--jwks {}: {m}", path.display()));
        let text = std::fs::read_to_string(path).map_err(|e| usage(e.to_string()))?;
        let set: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| usage(format!("not JSON: {e}")))?;
        let found = keys_from_jwks(&set).map_err(|e| usage(e.to_string()))?;
        if found.is_empty() {
            return Err(usage("the key set has no Ed25519 (OKP) key".into()));
        }
        keys.extend(found);
    }
    if keys.is_empty() {
        return Err(CliError::Usage(
            "a consent receipt is checked against keys you trust: pass --trust-key KEY \
             (base64url Ed25519 public key) or --jwks FILE (the server's \
             /.well-known/jwks.json); a key carried in the receipt itself proves nothing, \
             since a forger would carry their own"
                .into(),
        ));
    }
    Ok(keys)
}

/// Verify the receipt `token`: the JWS against the trusted keys, then the payload as a
/// Kantara v1.1 receipt; print a summary. The error names the part that fails.
pub fn verify(token: &str, trust_keys: &[String], jwks: Option<&Path>) -> Result<(), CliError> {
    let keys = trusted_keys(trust_keys, jwks)?;
    let fail = |m: String| CliError::Failed(format!("the consent receipt does not verify: {m}"));
    let jws = verify_compact(token, &keys).map_err(|e| fail(e.to_string()))?;
    let doc: serde_json::Value = serde_json::from_slice(&jws.payload)
        .map_err(|e| fail(format!("payload: not JSON ({e})")))?;
    let s = check_kantara_receipt(&doc).map_err(|e| fail(format!("payload: {e}")))?;
    let signer = jws
        .key
        .kid
        .clone()
        .unwrap_or_else(|| public_key_to_base64url(&jws.key.key));
    let ts = i64::try_from(s.timestamp).unwrap_or(i64::MAX);
    println!("consent receipt OK: signed by key {signer}");
    println!("  receipt id:   {}", s.receipt_id);
    println!("  controller:   {}", s.controllers.join(", "));
    println!("  principal:    {}", s.principal);
    println!("  timestamp:    {} ({})", rfc3339(ts), s.timestamp);
    println!("  jurisdiction: {}", s.jurisdiction);
    println!("  policy:       {}", s.policy_url);
    println!("  sensitive:    {}", if s.sensitive { "yes" } else { "no" });
    println!("  purposes:");
    for p in &s.purposes {
        println!(
            "    - {} [{}] ({}); ends: {}",
            p.purpose.as_deref().unwrap_or("(no text)"),
            p.categories.join(", "),
            p.service,
            p.termination
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_jws_are_told_from_bundles() {
        assert!(looks_like_compact_jws("eyJh.eyJ2.c2ln\n"));
        assert!(looks_like_compact_jws("eyJh..c2ln"));
        assert!(!looks_like_compact_jws(".eyJ2.c2ln"));
        assert!(!looks_like_compact_jws("eyJh.eyJ2"));
        assert!(!looks_like_compact_jws("eyJh.eyJ2.c2ln\neyJh.eyJ2.c2ln"));
        assert!(!looks_like_compact_jws("{\"type\":\"header\"}\n"));
        assert!(!looks_like_compact_jws("ey Jh.eyJ2.c2ln"));
    }
}
