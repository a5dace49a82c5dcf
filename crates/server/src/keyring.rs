//! Signing keys of people and organizations: created on first use, sealed under the
//! master key in the database, opened once and cached.

use crate::{Result, ServerError};
use slingshot_credentials::{
    generate_signing_key, open_signing_key, public_key_b64, seal_signing_key, MasterKey,
};
use slingshot_domain::ledger::{KeyId, SigningKey};
use slingshot_store::{Store, StoredKey};
use std::collections::HashMap;
use std::sync::Mutex;

/// Opens and caches signing keys.
pub struct KeyRing {
    master: MasterKey,
    cache: Mutex<HashMap<String, SigningKey>>,
}

impl KeyRing {
    /// A key ring over `master`.
    pub fn new(master: MasterKey) -> Self {
        Self {
            master,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// The signing key of `owner` (`user:<id>` or `org:<id>`), created if it has none.
    pub async fn key_for(&self, store: &Store, owner: &str) -> Result<SigningKey> {
        if let Some(k) = self.cache.lock().ok().and_then(|c| c.get(owner).cloned()) {
            return Ok(k);
        }
        let stored = match store.current_key(owner).await? {
            Some(k) => k,
            None => {
                let key = generate_signing_key();
                let new = StoredKey {
                    key_id: KeyId::of(&key.verifying_key()).to_string(),
                    owner: owner.to_owned(),
                    public_key: public_key_b64(&key),
                    sealed_secret: seal_signing_key(&self.master, owner, &key),
                };
                store.insert_key_once(&new).await?
            }
        };
        let key = open_signing_key(&self.master, owner, &stored.sealed_secret)
            .map_err(|e| ServerError::Internal(format!("signing key of {owner}: {e}")))?;
        if let Ok(mut c) = self.cache.lock() {
            c.insert(owner.to_owned(), key.clone());
        }
        Ok(key)
    }
}
