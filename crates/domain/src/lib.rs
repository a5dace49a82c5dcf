//! Slingshot's domain: the types and rules every other part keeps.
//!
//! Nothing here does I/O or is async. Input is parsed once into types that
//! cannot hold bad values ([`Handle`], [`Password`], [`Role`], ...).

#[macro_use]
mod string_enum;

pub mod access_request;
mod account;
mod audit;
pub mod calendar;
pub mod consent;
pub mod conversation;
pub mod entry_body;
mod error;
pub mod ledger;
pub mod mail;
mod organization;
mod scope;
pub mod vendor;

pub use account::{DisplayName, Handle, Password};
pub use audit::AuditEvent;
pub use error::DomainError;
pub use organization::{check_member_change, MemberChange, OrgKind, OrgName, Role};
pub use scope::{Scope, Scopes};
