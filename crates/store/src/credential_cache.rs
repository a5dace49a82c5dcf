//! A short-lived, in-process cache of resolved credentials (session and API token
//! hashes), so a busy client is not one extra database read per request.
//!
//! Every change this process makes to a credential (sign-out, revocation, password
//! change, admin grant) forgets the account's cached credentials at once. Another server
//! on the same PostgreSQL database sees such a change within [`CREDENTIAL_TTL`].

use crate::{ApiToken, Session, User};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a resolved credential is trusted without reading the database again.
pub const CREDENTIAL_TTL: Duration = Duration::from_secs(2);

/// Most credentials held; past this the cache starts over (cheap, and rare).
const MAX_HELD: usize = 50_000;

/// What a credential resolved to.
#[derive(Clone)]
pub(crate) enum Resolved {
    Session(Session, User),
    Token(ApiToken, User),
}

impl Resolved {
    fn user_id(&self) -> &str {
        match self {
            Self::Session(_, u) | Self::Token(_, u) => &u.id,
        }
    }
}

#[derive(Default)]
pub(crate) struct CredentialCache {
    held: Mutex<HashMap<String, (Instant, Resolved)>>,
}

impl std::fmt::Debug for CredentialCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CredentialCache").finish_non_exhaustive()
    }
}

impl CredentialCache {
    /// The cached resolution of `hash`, if fresh.
    pub(crate) fn get(&self, hash: &str) -> Option<Resolved> {
        let held = self.held.lock().ok()?;
        let (at, r) = held.get(hash)?;
        (at.elapsed() < CREDENTIAL_TTL).then(|| r.clone())
    }

    pub(crate) fn put(&self, hash: &str, r: Resolved) {
        if let Ok(mut held) = self.held.lock() {
            if held.len() >= MAX_HELD {
                held.clear();
            }
            held.insert(hash.to_owned(), (Instant::now(), r));
        }
    }

    /// Forget every cached credential of `user_id`.
    pub(crate) fn forget_user(&self, user_id: &str) {
        if let Ok(mut held) = self.held.lock() {
            held.retain(|_, (_, r)| r.user_id() != user_id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: &str) -> User {
        User {
            id: id.into(),
            handle: id.into(),
            display_name: id.into(),
            password_hash: String::new(),
            is_admin: 0,
            created_at: 0,
        }
    }

    fn session(id: &str, user_id: &str) -> Session {
        Session {
            id: id.into(),
            user_id: user_id.into(),
            created_at: 0,
            last_seen_at: 0,
            expires_at: i64::MAX,
            user_agent: String::new(),
            ip: String::new(),
        }
    }

    #[test]
    fn forgetting_a_user_drops_only_their_credentials() {
        let c = CredentialCache::default();
        c.put(
            "h1",
            Resolved::Session(session("s1", "alice"), user("alice")),
        );
        c.put("h2", Resolved::Session(session("s2", "bob"), user("bob")));
        assert!(c.get("h1").is_some() && c.get("h2").is_some());
        c.forget_user("alice");
        assert!(c.get("h1").is_none());
        assert!(c.get("h2").is_some());
        assert!(c.get("unknown").is_none());
    }
}
