use thiserror::Error;

/// Why a key could not be made, sealed or opened, or a JWS or JWK was refused.
///
/// JWS messages start with the part that fails (`header:`, `payload:`, `signature:`, `key:`).
#[derive(Debug, Error, PartialEq, Eq)]
pub enum CredentialsError {
    /// The master key is not 32 bytes of base64url.
    #[error("the master key must be 32 bytes, base64url-encoded")]
    BadMasterKey,
    /// A sealed value is malformed or was sealed under another master key.
    #[error("cannot open a sealed key: wrong master key or corrupt value")]
    Unseal,
    /// A compact JWS is not three dot-separated parts.
    #[error("token: a compact JWS is three base64url parts separated by dots; found {0} part(s)")]
    JwsShape(usize),
    /// The protected header is not base64url, not a JSON object, or not `alg` EdDSA.
    #[error("header: {0}")]
    JwsHeader(String),
    /// The payload is not base64url.
    #[error("payload: {0}")]
    JwsPayload(String),
    /// The signature is not base64url or not 64 bytes.
    #[error("signature: {0}")]
    JwsSignature(String),
    /// No trusted key verifies the signature.
    #[error(
        "signature: does not match (the payload or header was altered, or another key signed it)"
    )]
    JwsSignatureMismatch,
    /// The header names a key id no trusted key has.
    #[error("key: unknown key id '{0}'; no trusted key has it")]
    JwsUnknownKey(String),
    /// No trusted key was given.
    #[error("key: no trusted key to check the signature with")]
    JwsNoTrustedKey,
    /// A JWK or JWK Set is not a usable Ed25519 public key.
    #[error("jwk: {0}")]
    Jwk(String),
}
