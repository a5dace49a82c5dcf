//! Keys for Slingshot: Ed25519 signing keys for people and organizations, sealed at rest
//! (XChaCha20-Poly1305) under the server's 256-bit master key; compact JWS signed with
//! EdDSA and JWK Sets ([`sign_compact`], [`verify_compact`], [`jwks`]). SD-JWT and ID tokens
//! join this crate with their issues.

mod error;
mod jws;
mod master;
mod signing;

pub use error::CredentialsError;
pub use jws::{
    jwk_of, jwks, key_from_jwk, keys_from_jwks, sign_compact, sign_compact_with_header,
    verify_compact, SigningKey, TrustedKey, VerifiedJws, VerifyingKey, JWS_ALG,
};
pub use master::MasterKey;
pub use signing::{generate_signing_key, open_signing_key, public_key_b64, seal_signing_key};
