//! Account values: handles, display names and passwords.

use crate::DomainError;
use serde::Serialize;

/// A unique, URL-safe name for a person or an organization (`alice`, `northwind-outfitters`).
///
/// Lowercased on parse, so `Alice` and `alice` are the same handle.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Handle(String);

impl Handle {
    /// Parse and normalise a handle.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let s = raw.trim().to_ascii_lowercase();
        let ok_len = (3..=32).contains(&s.len());
        let mut chars = s.chars();
        let starts_with_letter = chars.next().is_some_and(|c| c.is_ascii_lowercase());
        let rest_ok = s
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if ok_len && starts_with_letter && rest_ok {
            Ok(Self(s))
        } else {
            Err(DomainError::InvalidHandle)
        }
    }

    /// The normalised handle.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A name shown to people: 1–100 characters, trimmed, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct DisplayName(String);

impl DisplayName {
    /// Parse a display name.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        parse_name(raw, "display name", 100).map(Self)
    }

    /// The trimmed name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

pub(crate) fn parse_name(raw: &str, what: &'static str, max: usize) -> Result<String, DomainError> {
    let s = raw.trim();
    let n = s.chars().count();
    if n == 0 || n > max || s.chars().any(char::is_control) {
        return Err(DomainError::InvalidName(what, max));
    }
    Ok(s.to_owned())
}

/// A new password that passes the strength rules (NIST SP 800-63B style:
/// length over composition, and no well-known passwords).
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// Passwords seen most often in breach lists; refused whatever their length.
const COMMON: &[&str] = &[
    "password",
    "password1",
    "password123",
    "passw0rd",
    "1234567890",
    "12345678910",
    "qwertyuiop",
    "iloveyou12",
    "letmein123",
    "welcome123",
    "administrator",
    "abcdefghij",
    "qwerty1234",
    "1q2w3e4r5t",
    "0123456789",
    "correcthorsebatterystaple",
    "changeme123",
    "sunshine123",
];

impl Password {
    /// Minimum length in characters.
    pub const MIN_LEN: usize = 10;
    /// Maximum length in characters (Argon2 input stays bounded).
    pub const MAX_LEN: usize = 256;

    /// Check a new password; `handle` is the account's own handle, which the password must not contain.
    pub fn new(raw: &str, handle: &str) -> Result<Self, DomainError> {
        let n = raw.chars().count();
        if n < Self::MIN_LEN {
            return Err(DomainError::WeakPassword("use at least 10 characters"));
        }
        if n > Self::MAX_LEN {
            return Err(DomainError::WeakPassword("use at most 256 characters"));
        }
        let lower = raw.to_lowercase();
        if COMMON.contains(&lower.as_str()) {
            return Err(DomainError::WeakPassword("this password is too common"));
        }
        if !handle.is_empty() && lower.contains(&handle.to_lowercase()) {
            return Err(DomainError::WeakPassword("do not include your handle"));
        }
        let mut distinct: Vec<char> = raw.chars().collect();
        distinct.sort_unstable();
        distinct.dedup();
        if distinct.len() < 4 {
            return Err(DomainError::WeakPassword("use more different characters"));
        }
        Ok(Self(raw.to_owned()))
    }

    /// The password text, for hashing.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn handles_are_normalised_and_checked() {
        assert_eq!(Handle::parse(" Alice ").map(|h| h.0), Ok("alice".into()));
        assert_eq!(
            Handle::parse("northwind-outfitters_2").map(|h| h.0),
            Ok("northwind-outfitters_2".into())
        );
        for bad in [
            "",
            "ab",
            "1abc",
            "-abc",
            "a b c",
            "ab/c",
            "émile",
            &"a".repeat(33),
        ] {
            assert_eq!(
                Handle::parse(bad),
                Err(DomainError::InvalidHandle),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn weak_passwords_are_refused_with_a_reason() {
        assert!(Password::new("short", "alice").is_err());
        assert!(Password::new("Password123", "alice").is_err());
        assert!(Password::new("alice-is-the-best", "alice").is_err());
        assert!(Password::new("aaaaaaaaaaaa", "bob").is_err());
        assert!(Password::new("cobalt kettle meadow", "alice").is_ok());
    }

    #[test]
    fn password_debug_hides_the_secret() {
        let p = Password::new("cobalt kettle meadow", "x").map(|p| format!("{p:?}"));
        assert_eq!(p, Ok("Password(<redacted>)".to_string()));
    }

    #[test]
    fn display_names_reject_control_chars_and_blank() {
        assert!(DisplayName::parse("  ").is_err());
        assert!(DisplayName::parse("a\u{7}b").is_err());
        assert_eq!(
            DisplayName::parse(" Alice Ng ").map(|d| d.0),
            Ok("Alice Ng".into())
        );
    }

    proptest! {
        #[test]
        fn parsed_handles_always_reparse_to_themselves(s in "\\PC{0,40}") {
            if let Ok(h) = Handle::parse(&s) {
                prop_assert_eq!(Handle::parse(h.as_str()), Ok(h.clone()));
                prop_assert!(h.as_str().len() >= 3 && h.as_str().len() <= 32);
            }
        }
    }
}
