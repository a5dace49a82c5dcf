//! Why one message could not be imported.

use thiserror::Error;

/// A message that could not be parsed. The rest of an upload still imports;
/// the server shows the reason beside the message's index.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MailError {
    /// Nothing but whitespace.
    #[error("the message is empty")]
    Empty,
    /// The bytes do not start with RFC 5322 header fields.
    #[error("no mail headers found")]
    NoHeaders,
    /// NUL bytes or other binary data inside the header section.
    #[error("binary data in the header section")]
    Binary,
    /// No `From:` header with an address in it.
    #[error("no sender: the From header is missing or has no address")]
    MissingFrom,
}

impl MailError {
    /// A stable, machine-readable code for the reason.
    pub fn code(&self) -> &'static str {
        match self {
            MailError::Empty => "mail_empty",
            MailError::NoHeaders => "mail_no_headers",
            MailError::Binary => "mail_binary",
            MailError::MissingFrom => "mail_missing_from",
        }
    }
}
