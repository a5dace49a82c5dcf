//! E-mail import: parse `.eml` and mbox bytes, group messages into threads,
//! find the vendor's domain, and report what was imported.
//!
//! Pure functions over bytes and values; the server does the I/O.
//!
//! ```
//! use slingshot_domain::mail::{parse_mbox, prepare_import, thread_messages, vendor_domain};
//!
//! let mbox = b"From a@shop.example Mon Nov  3 09:15:00 2025\n\
//!     From: Shop <a@shop.example>\nTo: me@mail.example\nSubject: Order 1\n\
//!     Message-ID: <1@shop.example>\n\nThanks!\n";
//! let batch = prepare_import(parse_mbox(mbox), |_digest| false); // true: already stored
//! assert!(batch.report.failed.is_empty());
//! let threads = thread_messages(&batch.messages);
//! assert_eq!(threads[0].subject, "Order 1");
//! let me = ["me@mail.example".to_string()];
//! assert_eq!(vendor_domain(&batch.messages[0], &me).as_deref(), Some("shop.example"));
//! ```

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
pub use message::{
    content_key_of_body, truncate_text, Address, AttachmentMeta, MailMessage, MAX_STORED_TEXT,
};
pub use parse::{parse_eml, raw_digest};
pub use report::{prepare_import, FailedMessage, ImportBatch, ImportReport, SkippedMessage};
pub use subject::{is_reply_subject, normalize_subject};
pub use thread::{effective_message_ids, thread_messages, MailThread};
pub use vendor::{infer_me, is_mine, vendor_domain};
