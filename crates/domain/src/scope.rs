//! Scopes granted to API tokens.

use crate::DomainError;
use serde::{Deserialize, Serialize};

/// One permission an API token may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Scope {
    /// Read the account's own profile and sessions.
    #[serde(rename = "account:read")]
    AccountRead,
    /// Read organizations the account belongs to, and their members.
    #[serde(rename = "orgs:read")]
    OrgsRead,
    /// Create organizations, invite and manage members.
    #[serde(rename = "orgs:write")]
    OrgsWrite,
    /// Read audit logs (the account's own, and those of organizations it owns).
    #[serde(rename = "audit:read")]
    AuditRead,
    /// Read relationships, conversations and entries.
    #[serde(rename = "ledger:read")]
    LedgerRead,
    /// Start relationships, open conversations, add entries, import and export.
    #[serde(rename = "ledger:write")]
    LedgerWrite,
    /// Read your vault, grants, consent receipts, access log, terms and requests.
    #[serde(rename = "privacy:read")]
    PrivacyRead,
    /// Change your vault, grant and revoke, proffer terms, send requests; for an
    /// organization: answer terms and requests, set its privacy settings.
    #[serde(rename = "privacy:write")]
    PrivacyWrite,
    /// For an organization: read what customers granted it (every read is logged).
    #[serde(rename = "profile:read")]
    ProfileRead,
}

impl Scope {
    /// Every scope.
    pub const ALL: [Scope; 9] = [
        Self::AccountRead,
        Self::OrgsRead,
        Self::OrgsWrite,
        Self::AuditRead,
        Self::LedgerRead,
        Self::LedgerWrite,
        Self::PrivacyRead,
        Self::PrivacyWrite,
        Self::ProfileRead,
    ];

    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AccountRead => "account:read",
            Self::OrgsRead => "orgs:read",
            Self::OrgsWrite => "orgs:write",
            Self::AuditRead => "audit:read",
            Self::LedgerRead => "ledger:read",
            Self::LedgerWrite => "ledger:write",
            Self::PrivacyRead => "privacy:read",
            Self::PrivacyWrite => "privacy:write",
            Self::ProfileRead => "profile:read",
        }
    }

    /// What the scope allows, for people.
    pub fn describe(self) -> &'static str {
        match self {
            Self::AccountRead => "read your profile and sessions",
            Self::OrgsRead => "read your organizations and their members",
            Self::OrgsWrite => "create organizations and manage members",
            Self::AuditRead => "read audit logs",
            Self::LedgerRead => "read your relationships and conversations",
            Self::LedgerWrite => "write to your relationships and conversations",
            Self::PrivacyRead => {
                "read your personal data, grants, receipts, access log and requests"
            }
            Self::PrivacyWrite => "change your personal data, grants, terms and requests",
            Self::ProfileRead => "read data customers granted your organization (logged)",
        }
    }

    /// Parse a stable name.
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| DomainError::UnknownValue {
                kind: "scope",
                value: s.to_owned(),
                expected:
                    "account:read, orgs:read, orgs:write, audit:read, ledger:read, ledger:write, privacy:read, privacy:write, profile:read",
            })
    }
}

/// A non-empty, sorted, duplicate-free set of scopes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scopes(Vec<Scope>);

impl Scopes {
    /// Every scope (what a signed-in browser session may do).
    pub fn all() -> Self {
        Self(Scope::ALL.to_vec())
    }

    /// Build from a list; empty lists are refused.
    pub fn new(mut list: Vec<Scope>) -> Result<Self, DomainError> {
        list.sort_unstable();
        list.dedup();
        if list.is_empty() {
            return Err(DomainError::UnknownValue {
                kind: "scope list",
                value: String::new(),
                expected: "at least one of account:read, orgs:read, orgs:write, audit:read, ledger:read, ledger:write, privacy:read, privacy:write, profile:read",
            });
        }
        Ok(Self(list))
    }

    /// Parse a space-separated list (`"orgs:read audit:read"`), as stored.
    pub fn parse_list(s: &str) -> Result<Self, DomainError> {
        Self::new(
            s.split_whitespace()
                .map(Scope::parse)
                .collect::<Result<_, _>>()?,
        )
    }

    /// The space-separated form.
    pub fn to_list(&self) -> String {
        self.0
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Does the set include `s`?
    pub fn has(&self, s: Scope) -> bool {
        self.0.contains(&s)
    }

    /// The scopes, sorted.
    pub fn iter(&self) -> impl Iterator<Item = Scope> + '_ {
        self.0.iter().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_lists_round_trip_sorted_and_deduplicated() {
        let s = Scopes::parse_list("orgs:write account:read orgs:write").map(|s| s.to_list());
        assert_eq!(s, Ok("account:read orgs:write".to_string()));
        assert!(Scopes::parse_list("").is_err());
        assert!(Scopes::parse_list("root").is_err());
        assert!(Scopes::all().has(Scope::AuditRead));
    }
}
