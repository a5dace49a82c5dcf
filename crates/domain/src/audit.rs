//! Security events written to the audit log.

use serde::{Deserialize, Serialize};

/// A security event. The stable name is stored and shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditEvent {
    /// An account was created.
    Registered,
    /// A successful sign-in.
    SignedIn,
    /// A failed sign-in for an existing account.
    SignInFailed,
    /// A session ended by its owner.
    SignedOut,
    /// The password was changed.
    PasswordChanged,
    /// An API token was created.
    TokenCreated,
    /// An API token was revoked.
    TokenRevoked,
    /// An organization was created.
    OrgCreated,
    /// An invitation link was created.
    MemberInvited,
    /// An invitation was accepted.
    MemberJoined,
    /// A member's role changed.
    RoleChanged,
    /// A member was removed or left.
    MemberRemoved,
    /// An instance administrator marked the organization verified.
    OrgVerified,
}

impl AuditEvent {
    /// Every event.
    pub const ALL: [AuditEvent; 13] = [
        Self::Registered,
        Self::SignedIn,
        Self::SignInFailed,
        Self::SignedOut,
        Self::PasswordChanged,
        Self::TokenCreated,
        Self::TokenRevoked,
        Self::OrgCreated,
        Self::MemberInvited,
        Self::MemberJoined,
        Self::RoleChanged,
        Self::MemberRemoved,
        Self::OrgVerified,
    ];

    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Registered => "registered",
            Self::SignedIn => "signed_in",
            Self::SignInFailed => "sign_in_failed",
            Self::SignedOut => "signed_out",
            Self::PasswordChanged => "password_changed",
            Self::TokenCreated => "token_created",
            Self::TokenRevoked => "token_revoked",
            Self::OrgCreated => "org_created",
            Self::MemberInvited => "member_invited",
            Self::MemberJoined => "member_joined",
            Self::RoleChanged => "role_changed",
            Self::MemberRemoved => "member_removed",
            Self::OrgVerified => "org_verified",
        }
    }

    /// Parse a stable name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_round_trip() {
        for e in AuditEvent::ALL {
            assert_eq!(AuditEvent::parse(e.as_str()), Some(e));
        }
        assert_eq!(AuditEvent::parse("nope"), None);
    }
}
