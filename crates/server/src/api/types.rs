//! JSON shapes of the API (free of the database and the web framework).

use serde::{Deserialize, Serialize};
use slingshot_store::{rfc3339, ApiToken, AuditEntry, Member, Org, Session, User};
use utoipa::ToSchema;

pub use super::ledger_types::*;

/// A cursor-paginated list.
#[derive(Debug, Serialize, ToSchema)]
pub struct List<T> {
    /// The items.
    pub items: Vec<T>,
    /// Cursor for the next page (`?before=` or `?after=`); absent at the end.
    pub next: Option<String>,
}

impl<T> List<T> {
    /// A complete list with no further pages.
    pub fn all(items: Vec<T>) -> Self {
        Self { items, next: None }
    }
}

/// A person's account.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountOut {
    /// UUIDv7.
    pub id: String,
    /// Unique handle.
    pub handle: String,
    /// Name shown to others.
    pub display_name: String,
    /// Instance administrator?
    pub is_admin: bool,
    /// RFC 3339.
    pub created_at: String,
}

impl From<&User> for AccountOut {
    fn from(u: &User) -> Self {
        Self {
            id: u.id.clone(),
            handle: u.handle.clone(),
            display_name: u.display_name.clone(),
            is_admin: u.admin(),
            created_at: rfc3339(u.created_at),
        }
    }
}

/// Registration.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterIn {
    /// 3–32 characters: a-z, 0-9, '-', '_', starting with a letter.
    pub handle: String,
    /// Optional; defaults to the handle.
    #[serde(default)]
    pub display_name: String,
    /// At least 10 characters, not a common password, not containing the handle.
    pub password: String,
}

/// Sign-in.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignInIn {
    /// Handle.
    pub handle: String,
    /// Password.
    pub password: String,
}

/// A new session.
#[derive(Debug, Serialize, ToSchema)]
pub struct SignInOut {
    /// Bearer token for this session (shown once).
    pub token: String,
    /// The session.
    pub session: SessionOut,
    /// The account.
    pub account: AccountOut,
}

/// A signed-in session.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionOut {
    /// UUIDv7.
    pub id: String,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub last_seen_at: String,
    /// RFC 3339.
    pub expires_at: String,
    /// Browser or client.
    pub user_agent: String,
    /// Address at sign-in.
    pub ip: String,
    /// Is this the session making the request?
    pub current: bool,
}

impl SessionOut {
    /// Convert, marking the current session.
    pub fn from(s: &Session, current: Option<&str>) -> Self {
        Self {
            id: s.id.clone(),
            created_at: rfc3339(s.created_at),
            last_seen_at: rfc3339(s.last_seen_at),
            expires_at: rfc3339(s.expires_at),
            user_agent: s.user_agent.clone(),
            ip: s.ip.clone(),
            current: current == Some(s.id.as_str()),
        }
    }
}

/// Password change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordIn {
    /// The current password.
    pub current_password: String,
    /// The new password.
    pub new_password: String,
}

/// A new API token.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenIn {
    /// Your label for it.
    pub name: String,
    /// Scopes: `account:read`, `orgs:read`, `orgs:write`, `audit:read`.
    pub scopes: Vec<String>,
}

/// An API token's metadata.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenOut {
    /// UUIDv7.
    pub id: String,
    /// Label.
    pub name: String,
    /// Scopes.
    pub scopes: Vec<String>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339, if used.
    pub last_used_at: Option<String>,
    /// RFC 3339, if revoked.
    pub revoked_at: Option<String>,
}

impl From<&ApiToken> for TokenOut {
    fn from(t: &ApiToken) -> Self {
        Self {
            id: t.id.clone(),
            name: t.name.clone(),
            scopes: t.scopes.split_whitespace().map(str::to_owned).collect(),
            created_at: rfc3339(t.created_at),
            last_used_at: t.last_used_at.map(rfc3339),
            revoked_at: t.revoked_at.map(rfc3339),
        }
    }
}

/// A created token: the secret is shown only here.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenCreated {
    /// The bearer secret (store it now; it is not shown again).
    pub token: String,
    /// Its metadata.
    #[serde(flatten)]
    pub meta: TokenOut,
}

/// A new organization.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrgIn {
    /// Unique handle.
    pub handle: String,
    /// Display name.
    pub name: String,
    /// `vendor`, `association` or `government`.
    pub kind: String,
}

/// An organization.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgOut {
    /// UUIDv7.
    pub id: String,
    /// Handle.
    pub handle: String,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: String,
    /// Business identity checked by an instance administrator.
    pub verified: bool,
    /// RFC 3339.
    pub created_at: String,
    /// The caller's role, when a member.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

impl OrgOut {
    /// Convert, with the caller's role if any.
    pub fn from(o: &Org, role: Option<&str>) -> Self {
        Self {
            id: o.id.clone(),
            handle: o.handle.clone(),
            name: o.name.clone(),
            kind: o.kind.clone(),
            verified: o.verified_at.is_some(),
            created_at: rfc3339(o.created_at),
            role: role.map(str::to_owned),
        }
    }
}

/// A member.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberOut {
    /// Account id.
    pub user_id: String,
    /// Handle.
    pub handle: String,
    /// Display name.
    pub display_name: String,
    /// Role.
    pub role: String,
    /// RFC 3339.
    pub joined_at: String,
}

impl From<&Member> for MemberOut {
    fn from(m: &Member) -> Self {
        Self {
            user_id: m.user_id.clone(),
            handle: m.handle.clone(),
            display_name: m.display_name.clone(),
            role: m.role.clone(),
            joined_at: rfc3339(m.created_at),
        }
    }
}

/// A role to give.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleIn {
    /// `owner`, `admin`, `agent`, `moderator` or `issuer`.
    pub role: String,
}

/// A created invitation.
#[derive(Debug, Serialize, ToSchema)]
pub struct InviteCreated {
    /// UUIDv7.
    pub id: String,
    /// The single-use link to send (shown once).
    pub url: String,
    /// The secret part of the link.
    pub token: String,
    /// Role given on acceptance.
    pub role: String,
    /// RFC 3339.
    pub expires_at: String,
}

/// A pending invitation.
#[derive(Debug, Serialize, ToSchema)]
pub struct InviteOut {
    /// UUIDv7.
    pub id: String,
    /// Role given on acceptance.
    pub role: String,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub expires_at: String,
}

/// An audit log entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditOut {
    /// UUIDv7.
    pub id: String,
    /// RFC 3339.
    pub at: String,
    /// Stable event name (`signed_in`, `role_changed`, ...).
    pub event: String,
    /// Handle of who acted.
    pub actor: Option<String>,
    /// Handle of whom it concerns.
    pub subject: Option<String>,
    /// Organization id.
    pub org_id: Option<String>,
    /// Client address.
    pub ip: String,
    /// Details.
    pub detail: String,
}

impl From<&AuditEntry> for AuditOut {
    fn from(e: &AuditEntry) -> Self {
        Self {
            id: e.id.clone(),
            at: rfc3339(e.at),
            event: e.event.clone(),
            actor: e.actor_handle.clone(),
            subject: e.subject_handle.clone(),
            org_id: e.org_id.clone(),
            ip: e.ip.clone(),
            detail: e.detail.clone(),
        }
    }
}

/// Cursor query for newest-first lists.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// Return items older than this cursor.
    pub before: Option<String>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
}

impl PageQuery {
    /// The page size, clamped.
    pub fn limit(&self) -> i64 {
        self.limit.unwrap_or(50).clamp(1, 200)
    }
}
