use thiserror::Error;

/// Why a key could not be made, sealed or opened.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum CredentialsError {
    /// The master key is not 32 bytes of base64url.
    #[error("the master key must be 32 bytes, base64url-encoded")]
    BadMasterKey,
    /// A sealed value is malformed or was sealed under another master key.
    #[error("cannot open a sealed key: wrong master key or corrupt value")]
    Unseal,
}
