//! E-mail import: parse `.eml` and mbox bytes, group messages into threads,
//! find the vendor's domain, and report what was imported.
//!
//! Pure functions over bytes and values; the server does the I/O.

mod error;
mod ids;
mod mbox;
mod message;
mod parse;
mod report;
mod subject;
mod thread;
mod vendor;

#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod parse_tests;
#[cfg(test)]
mod proptests;
#[cfg(test)]
mod thread_tests;

pub use error::MailError;
pub use ids::sanitize_message_id;
pub use mbox::{parse_mbox, split_mbox};
pub use message::{Address, AttachmentMeta, MailMessage};
pub use parse::{parse_eml, raw_digest};
pub use report::{prepare_import, FailedMessage, ImportBatch, ImportReport, SkippedMessage};
pub use subject::{is_reply_subject, normalize_subject};
pub use thread::{effective_message_ids, thread_messages, MailThread};
pub use vendor::vendor_domain;
