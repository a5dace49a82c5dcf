//! The server's master key, which seals every signing key at rest.

use crate::CredentialsError;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use rand::RngCore;
use zeroize::Zeroizing;

/// 32 secret bytes. `Debug` never shows them.
#[derive(Clone)]
pub struct MasterKey(pub(crate) Zeroizing<[u8; 32]>);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(<redacted>)")
    }
}

impl MasterKey {
    /// A new random key.
    pub fn generate() -> Self {
        let mut k = Zeroizing::new([0u8; 32]);
        rand::rngs::OsRng.fill_bytes(k.as_mut());
        Self(k)
    }

    /// Parse the base64url form (surrounding whitespace ignored).
    pub fn from_b64(s: &str) -> Result<Self, CredentialsError> {
        let bytes = Zeroizing::new(
            B64.decode(s.trim())
                .map_err(|_| CredentialsError::BadMasterKey)?,
        );
        let arr: [u8; 32] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| CredentialsError::BadMasterKey)?;
        Ok(Self(Zeroizing::new(arr)))
    }

    /// The base64url form, for writing the key file once.
    pub fn to_b64(&self) -> Zeroizing<String> {
        Zeroizing::new(B64.encode(self.0.as_ref()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_hides_itself() {
        let k = MasterKey::generate();
        let back = MasterKey::from_b64(&k.to_b64()).unwrap();
        assert_eq!(*back.0, *k.0);
        assert_eq!(format!("{k:?}"), "MasterKey(<redacted>)");
        assert_eq!(
            MasterKey::from_b64("short").unwrap_err(),
            CredentialsError::BadMasterKey
        );
    }
}
