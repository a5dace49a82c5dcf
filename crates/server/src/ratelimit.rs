//! Sign-in rate limiting, per account and per client address.
//!
//! After `free` failures inside the window, each further attempt is refused until a
//! lock-out that doubles with every failure (capped) has passed. A success clears the
//! account's count. State is per server process.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Limits for one kind of key.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// Failures allowed before lock-outs start.
    pub free: u32,
    /// Failures older than this are forgotten.
    pub window: Duration,
    /// First lock-out; doubles with each further failure.
    pub base_lock: Duration,
    /// Longest lock-out.
    pub max_lock: Duration,
}

#[derive(Debug)]
struct Entry {
    failures: u32,
    first: Instant,
    locked_until: Option<Instant>,
}

/// Failure counters for sign-in.
#[derive(Debug)]
pub struct LoginLimiter {
    per_account: Policy,
    per_ip: Policy,
    entries: Mutex<HashMap<String, Entry>>,
}

impl Default for LoginLimiter {
    fn default() -> Self {
        Self::new(
            Policy {
                free: 5,
                window: Duration::from_secs(900),
                base_lock: Duration::from_secs(30),
                max_lock: Duration::from_secs(900),
            },
            Policy {
                free: 50,
                window: Duration::from_secs(900),
                base_lock: Duration::from_secs(30),
                max_lock: Duration::from_secs(900),
            },
        )
    }
}

impl LoginLimiter {
    /// A limiter with the given policies.
    pub fn new(per_account: Policy, per_ip: Policy) -> Self {
        Self {
            per_account,
            per_ip,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// Seconds to wait before `handle` may try again from `ip`, if locked.
    pub fn check(&self, handle: &str, ip: &str) -> Option<u64> {
        let now = Instant::now();
        let map = self.entries.lock().ok()?;
        [format!("a:{handle}"), format!("i:{ip}")]
            .iter()
            .filter_map(|k| map.get(k)?.locked_until)
            .filter(|t| *t > now)
            .map(|t| (t - now).as_secs().max(1))
            .max()
    }

    /// Count a failed attempt.
    pub fn failed(&self, handle: &str, ip: &str) {
        let now = Instant::now();
        let Ok(mut map) = self.entries.lock() else {
            return;
        };
        for (key, p) in [
            (format!("a:{handle}"), self.per_account),
            (format!("i:{ip}"), self.per_ip),
        ] {
            let e = map.entry(key).or_insert(Entry {
                failures: 0,
                first: now,
                locked_until: None,
            });
            if now.duration_since(e.first) > p.window {
                *e = Entry {
                    failures: 0,
                    first: now,
                    locked_until: None,
                };
            }
            e.failures += 1;
            if e.failures >= p.free {
                let doublings = (e.failures - p.free).min(16);
                let lock = p
                    .base_lock
                    .saturating_mul(1u32 << doublings)
                    .min(p.max_lock);
                e.locked_until = Some(now + lock);
            }
        }
        if map.len() > 100_000 {
            map.retain(|_, e| e.locked_until.is_some_and(|t| t > now));
        }
    }

    /// Clear the account's failures after a successful sign-in.
    pub fn succeeded(&self, handle: &str) {
        if let Ok(mut map) = self.entries.lock() {
            map.remove(&format!("a:{handle}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_after_free_failures_and_clears_on_success() {
        let l = LoginLimiter::default();
        for _ in 0..4 {
            l.failed("alice", "1.2.3.4");
            assert_eq!(l.check("alice", "1.2.3.4"), None);
        }
        l.failed("alice", "1.2.3.4");
        let wait = l.check("alice", "9.9.9.9");
        assert!(matches!(wait, Some(s) if (1..=30).contains(&s)), "{wait:?}");
        assert_eq!(
            l.check("bob", "9.9.9.9"),
            None,
            "other accounts are not locked"
        );
        l.failed("alice", "1.2.3.4");
        assert!(
            l.check("alice", "1.2.3.4").is_some_and(|s| s > 30),
            "lock-out doubles"
        );
        l.succeeded("alice");
        assert_eq!(l.check("alice", "9.9.9.9"), None);
    }
}
