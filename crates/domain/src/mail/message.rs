//! The parsed form of one e-mail message.

use serde::{Deserialize, Serialize};

/// A mailbox: display name and address (the address is lowercased).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Address {
    /// Display name, decoded from RFC 2047 words; `None` when absent.
    pub name: Option<String>,
    /// The address, trimmed and lowercased, e.g. `help@shop.example`.
    pub email: String,
}

impl Address {
    /// The part after the last `@`, lowercased; `None` when there is none.
    pub fn domain(&self) -> Option<&str> {
        let (_, domain) = self.email.rsplit_once('@')?;
        let domain = domain.trim_end_matches('.');
        (!domain.is_empty()).then_some(domain)
    }
}

/// What is known of one attachment (its bytes are not kept here).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentMeta {
    /// File name from Content-Disposition or Content-Type, if any.
    pub filename: Option<String>,
    /// `type/subtype`, lowercased, e.g. `application/pdf`.
    pub content_type: String,
    /// Decoded size in bytes.
    pub size: usize,
}

/// One e-mail message, parsed from an `.eml` file or an mbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailMessage {
    /// Message-ID without angle brackets or whitespace; `None` when absent.
    pub message_id: Option<String>,
    /// First id of In-Reply-To, sanitized.
    pub in_reply_to: Option<String>,
    /// References, oldest first, sanitized.
    pub references: Vec<String>,
    /// Subject as written (encoded words decoded); empty when absent.
    pub subject: String,
    /// Subject without reply/forward prefixes and list tags, whitespace collapsed.
    pub normalized_subject: String,
    /// The sender.
    pub from: Address,
    /// Primary recipients.
    pub to: Vec<Address>,
    /// Copied recipients.
    pub cc: Vec<Address>,
    /// Date in RFC 3339 UTC (`2025-11-24T09:30:00Z`); `None` when absent or invalid.
    pub date: Option<String>,
    /// Plain-text body: text/plain parts, or the HTML body converted to text.
    pub text: String,
    /// Attachments, in MIME order.
    pub attachments: Vec<AttachmentMeta>,
    /// Hex SHA-256 of the raw message (CRLF folded to LF), for de-duplication.
    pub raw_digest: String,
}

/// The most of a message's text an imported entry keeps, in bytes.
pub const MAX_STORED_TEXT: usize = crate::entry_body::MAX_TEXT_BYTES - 64;

/// `s` cut to at most `max` bytes at a character boundary, marked `…` when cut.
pub fn truncate_text(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_owned();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

/// The [`MailMessage::content_key`] of a message stored before as an entry whose body is
/// `body` (`text`, and `mail` with `message_id`, `date`, `from`), to know another copy of it.
pub fn content_key_of_body(body: &serde_json::Value) -> Option<String> {
    let mail = body.get("mail")?;
    let id = mail.get("message_id")?.as_str()?;
    Some(content_key_of(
        id,
        mail.get("date").and_then(serde_json::Value::as_str),
        mail.get("from")?.as_str()?,
        body.get("text")?.as_str()?,
    ))
}

fn content_key_of(id: &str, date: Option<&str>, from: &str, text: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for part in [id, date.unwrap_or(""), from, text.trim()] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    format!("mail:{}", hex::encode(h.finalize()))
}

impl MailMessage {
    /// Everyone on the message: sender, then To, then Cc.
    pub fn participants(&self) -> impl Iterator<Item = &Address> {
        std::iter::once(&self.from)
            .chain(self.to.iter())
            .chain(self.cc.iter())
    }

    /// What the message is, whichever copy of it this is: its Message-ID, date, sender and
    /// text as an entry keeps it, hashed (`mail:<hex SHA-256>`). Two copies of one message
    /// (a provider's export with headers of its own, and the same message saved as `.eml`)
    /// differ in their raw bytes but not here. `None` without a Message-ID: then only the
    /// bytes tell copies apart.
    pub fn content_key(&self) -> Option<String> {
        let id = self.message_id.as_deref()?;
        Some(content_key_of(
            id,
            self.date.as_deref(),
            &self.from.email,
            &self.stored_text(),
        ))
    }

    /// The text an entry keeps of the message: at most [`MAX_STORED_TEXT`] bytes (cut at
    /// a character, marked `…`), and `(no text)` for none.
    pub fn stored_text(&self) -> String {
        let text = truncate_text(&self.text, MAX_STORED_TEXT);
        if text.trim().is_empty() {
            "(no text)".to_owned()
        } else {
            text
        }
    }

    /// The reference an imported copy is stored under, to know it again: its
    /// [`content_key`](Self::content_key), else its raw digest.
    pub fn source_ref(&self) -> String {
        self.content_key()
            .unwrap_or_else(|| self.raw_digest.clone())
    }

    /// Whether the message refers to an earlier one (In-Reply-To or References).
    pub fn has_references(&self) -> bool {
        self.in_reply_to.is_some() || !self.references.is_empty()
    }
}
