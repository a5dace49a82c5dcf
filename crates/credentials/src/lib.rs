//! Keys for Slingshot: Ed25519 signing keys for people and organizations, sealed at rest
//! (XChaCha20-Poly1305) under the server's 256-bit master key. JWS/JWKS, SD-JWT and ID
//! tokens join this crate with their issues.

mod error;
mod master;
mod signing;

pub use error::CredentialsError;
pub use master::MasterKey;
pub use signing::{generate_signing_key, open_signing_key, public_key_b64, seal_signing_key};
