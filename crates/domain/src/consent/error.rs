use thiserror::Error;

/// Why a consent value, record, receipt or term response was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ConsentError {
    /// A value is not one of a fixed list (a purpose, a field kind, a term, ...).
    #[error("unknown {kind} '{value}'; expected one of: {expected}")]
    UnknownValue {
        /// What kind of value.
        kind: &'static str,
        /// The value given.
        value: String,
        /// The accepted values, comma-separated.
        expected: String,
    },
    /// A consent or terms record breaks a rule; the message says which.
    #[error("{0}")]
    InvalidRecord(&'static str),
    /// A counter-proposal names the term that was proffered.
    #[error("a counter-proposal must name a different term from the one proffered ('{0}')")]
    CounterSameTerm(&'static str),
    /// A document is not a Kantara Consent Receipt v1.1; the message names the field.
    #[error("{0}")]
    InvalidReceipt(String),
    /// A record could not be written as canonical JSON.
    #[error("cannot write canonical JSON: {0}")]
    Canonical(String),
}
