//! Organizations, roles and the rules for changing membership.

use crate::account::parse_name;
use crate::DomainError;
use serde::{Deserialize, Serialize};

/// What an organization is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    /// A company that sells to customers.
    Vendor,
    /// A customers' or residents' association.
    Association,
    /// A government office.
    Government,
}

impl OrgKind {
    /// Every kind, in display order.
    pub const ALL: [OrgKind; 3] = [Self::Vendor, Self::Association, Self::Government];

    /// The stable name used in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Vendor => "vendor",
            Self::Association => "association",
            Self::Government => "government",
        }
    }

    /// A label for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Vendor => "Vendor",
            Self::Association => "Association",
            Self::Government => "Government office",
        }
    }

    /// Parse a stable name.
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| DomainError::UnknownValue {
                kind: "organization kind",
                value: s.to_owned(),
                expected: "vendor, association, government",
            })
    }
}

/// An organization's display name: 1–120 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct OrgName(String);

impl OrgName {
    /// Parse an organization name.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        parse_name(raw, "organization name", 120).map(Self)
    }
    /// The trimmed name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A member's role in an organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Full control, including other owners and deleting the organization.
    Owner,
    /// Manages members (but not owners) and settings.
    Admin,
    /// Answers customers' conversations.
    Agent,
    /// Moderates the organization's community.
    Moderator,
    /// Issues credentials in the organization's name.
    Issuer,
}

impl Role {
    /// Every role, most powerful first.
    pub const ALL: [Role; 5] = [
        Self::Owner,
        Self::Admin,
        Self::Agent,
        Self::Moderator,
        Self::Issuer,
    ];

    /// The stable name used in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Admin => "admin",
            Self::Agent => "agent",
            Self::Moderator => "moderator",
            Self::Issuer => "issuer",
        }
    }

    /// Parse a stable name.
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| DomainError::UnknownValue {
                kind: "role",
                value: s.to_owned(),
                expected: "owner, admin, agent, moderator, issuer",
            })
    }

    /// May invite, re-role and remove members.
    pub fn manages_members(self) -> bool {
        matches!(self, Self::Owner | Self::Admin)
    }

    /// May read the organization's audit log.
    pub fn reads_audit_log(self) -> bool {
        self == Self::Owner
    }
}

/// A change to one membership.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberChange {
    /// Give the member a new role.
    SetRole(Role),
    /// Remove the member (or, when actor and target are the same, leave).
    Remove,
    /// Invite someone with this role.
    Invite(Role),
}

/// Decide whether `actor` may apply `change` to a member whose current role is `target`.
///
/// `is_self` is true when the actor changes their own membership; `owners` is the
/// organization's current number of owners.
pub fn check_member_change(
    actor: Role,
    target: Option<Role>,
    change: MemberChange,
    is_self: bool,
    owners: usize,
) -> Result<(), DomainError> {
    let target_is_owner = target == Some(Role::Owner);
    let loses_owner = target_is_owner
        && match change {
            MemberChange::Remove => true,
            MemberChange::SetRole(r) => r != Role::Owner,
            MemberChange::Invite(_) => false,
        };
    if is_self && change == MemberChange::Remove {
        // Anyone may leave, unless they are the last owner.
        return if loses_owner && owners <= 1 {
            Err(DomainError::LastOwner)
        } else {
            Ok(())
        };
    }
    if !actor.manages_members() {
        return Err(DomainError::NotAllowed);
    }
    let touches_owner = target_is_owner
        || matches!(
            change,
            MemberChange::SetRole(Role::Owner) | MemberChange::Invite(Role::Owner)
        );
    if touches_owner && actor != Role::Owner {
        return Err(DomainError::NotAllowed);
    }
    if loses_owner && owners <= 1 {
        return Err(DomainError::LastOwner);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use MemberChange::*;
    use Role::*;

    #[test]
    fn roles_and_kinds_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Ok(r));
        }
        for k in OrgKind::ALL {
            assert_eq!(OrgKind::parse(k.as_str()), Ok(k));
        }
        assert!(Role::parse("emperor").is_err());
        assert!(OrgKind::parse("cult").is_err());
    }

    #[test]
    fn last_owner_cannot_leave_or_be_demoted() {
        assert_eq!(
            check_member_change(Owner, Some(Owner), Remove, true, 1),
            Err(DomainError::LastOwner)
        );
        assert_eq!(
            check_member_change(Owner, Some(Owner), SetRole(Admin), true, 1),
            Err(DomainError::LastOwner)
        );
        assert_eq!(
            check_member_change(Owner, Some(Owner), Remove, true, 2),
            Ok(())
        );
    }

    #[test]
    fn permission_is_checked_before_the_last_owner_rule() {
        assert_eq!(
            check_member_change(Agent, Some(Owner), SetRole(Agent), false, 1),
            Err(DomainError::NotAllowed)
        );
    }

    #[test]
    fn admins_manage_members_but_not_owners() {
        assert_eq!(
            check_member_change(Admin, Some(Agent), SetRole(Moderator), false, 1),
            Ok(())
        );
        assert_eq!(
            check_member_change(Admin, Some(Agent), SetRole(Owner), false, 1),
            Err(DomainError::NotAllowed)
        );
        assert_eq!(
            check_member_change(Admin, Some(Owner), Remove, false, 2),
            Err(DomainError::NotAllowed)
        );
        assert_eq!(
            check_member_change(Admin, None, Invite(Owner), false, 1),
            Err(DomainError::NotAllowed)
        );
        assert_eq!(
            check_member_change(Admin, None, Invite(Issuer), false, 1),
            Ok(())
        );
    }

    #[test]
    fn other_roles_may_only_leave() {
        for actor in [Agent, Moderator, Issuer] {
            assert_eq!(
                check_member_change(actor, Some(actor), Remove, true, 1),
                Ok(())
            );
            assert_eq!(
                check_member_change(actor, Some(Agent), Remove, false, 1),
                Err(DomainError::NotAllowed)
            );
            assert_eq!(
                check_member_change(actor, None, Invite(Agent), false, 1),
                Err(DomainError::NotAllowed)
            );
        }
    }

    #[test]
    fn only_owners_read_the_audit_log() {
        assert!(Owner.reads_audit_log());
        assert!(Role::ALL.iter().filter(|r| r.reads_audit_log()).count() == 1);
    }
}
