//! What an import did: imported, skipped as duplicates, failed and why.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::{MailError, MailMessage};

/// A message that was not imported because it is already there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedMessage {
    /// Position in the upload (0-based; for an mbox, message order).
    pub index: usize,
    /// Its Message-ID, if it had one.
    pub message_id: Option<String>,
    /// Its subject, so a person can recognize it.
    pub subject: String,
}

/// A message that could not be imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedMessage {
    /// Position in the upload (0-based).
    pub index: usize,
    /// Stable code of the reason ([`MailError::code`]).
    pub code: String,
    /// The reason, for people.
    pub reason: String,
}

/// The outcome of one upload, for the server to fill in and show.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    /// Messages stored.
    pub imported: usize,
    /// Messages already stored (same raw digest), or repeated in the upload.
    pub skipped_duplicates: Vec<SkippedMessage>,
    /// Messages that could not be parsed.
    pub failed: Vec<FailedMessage>,
}

impl ImportReport {
    /// Counts one stored message.
    pub fn record_imported(&mut self) {
        self.imported += 1;
    }

    /// Notes a duplicate at `index`.
    pub fn record_duplicate(&mut self, index: usize, message: &MailMessage) {
        self.skipped_duplicates.push(SkippedMessage {
            index,
            message_id: message.message_id.clone(),
            subject: message.subject.clone(),
        });
    }

    /// Notes a failure at `index`.
    pub fn record_failure(&mut self, index: usize, error: &MailError) {
        self.failed.push(FailedMessage {
            index,
            code: error.code().to_string(),
            reason: error.to_string(),
        });
    }

    /// Messages seen in all.
    pub fn total(&self) -> usize {
        self.imported + self.skipped_duplicates.len() + self.failed.len()
    }

    /// One line for people: `3 imported, 1 duplicate skipped, 1 failed`.
    pub fn summary(&self) -> String {
        let dups = self.skipped_duplicates.len();
        format!(
            "{} imported, {} duplicate{} skipped, {} failed",
            self.imported,
            dups,
            if dups == 1 { "" } else { "s" },
            self.failed.len()
        )
    }
}

/// Parsed messages ready to store, and the report so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportBatch {
    /// New messages, ready for [`thread_messages`](super::thread_messages).
    pub messages: Vec<MailMessage>,
    /// For each entry of `messages`, its index in the upload.
    pub upload_index: Vec<usize>,
    /// Failures and duplicates filled in; `imported` is left for the caller
    /// to count as it stores each message.
    pub report: ImportReport,
}

/// Sorts parse results into new messages, duplicates and failures.
///
/// A message is a duplicate when `already_stored` knows its raw digest or its
/// [`content_key`](MailMessage::content_key) (another copy of it was imported before), or
/// an earlier message of the same upload has the same. Index `i` is the `i`-th result.
pub fn prepare_import<I, F>(results: I, mut already_stored: F) -> ImportBatch
where
    I: IntoIterator<Item = Result<MailMessage, MailError>>,
    F: FnMut(&str) -> bool,
{
    let mut batch = ImportBatch::default();
    let mut seen = HashSet::new();
    for (index, result) in results.into_iter().enumerate() {
        match result {
            Err(error) => batch.report.record_failure(index, &error),
            Ok(message) => {
                let key = message.content_key();
                let stored = already_stored(&message.raw_digest)
                    || key.as_deref().is_some_and(&mut already_stored);
                let again =
                    !seen.insert(message.raw_digest.clone()) | key.is_some_and(|k| !seen.insert(k));
                if stored || again {
                    batch.report.record_duplicate(index, &message);
                } else {
                    batch.messages.push(message);
                    batch.upload_index.push(index);
                }
            }
        }
    }
    batch
}
