use thiserror::Error;

/// Why a value or an action was refused by the domain rules.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DomainError {
    /// A handle is not 3–32 characters of `a-z`, `0-9`, `-`, `_`, starting with a letter.
    #[error("handle must be 3–32 characters: lowercase letters, digits, '-' or '_', starting with a letter")]
    InvalidHandle,
    /// A display or organization name is empty or too long.
    #[error("{0} must be 1–{1} characters")]
    InvalidName(&'static str, usize),
    /// A password fails the strength rules; the message says which.
    #[error("weak password: {0}")]
    WeakPassword(&'static str),
    /// A value is not one of a fixed list.
    #[error("unknown {kind} '{value}'; expected one of: {expected}")]
    UnknownValue {
        /// What kind of value (role, scope, ...).
        kind: &'static str,
        /// The value given.
        value: String,
        /// The accepted values, comma-separated.
        expected: &'static str,
    },
    /// The organization would be left without an owner.
    #[error("an organization must keep at least one owner")]
    LastOwner,
    /// The actor's role does not allow the change.
    #[error("your role does not allow this")]
    NotAllowed,
    /// A request was already extended once.
    #[error("this request was already extended once; a second extension is not allowed")]
    AlreadyExtended,
    /// A move the request's state does not allow.
    #[error("a request that is {from} cannot be {action}")]
    IllegalMove {
        /// The current state.
        from: &'static str,
        /// What was attempted (past participle: "extended", "answered", ...).
        action: &'static str,
    },
    /// A required piece of text is missing or too long.
    #[error("{0}")]
    MissingText(&'static str),
}
