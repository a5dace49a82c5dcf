//! Mbox files (mboxo and mboxrd): split into messages and unescape `>From `.

use super::parse::parse_eml;
use super::{MailError, MailMessage};

/// Parses every message of an mbox, in file order. Element `i` is message `i`
/// (0-based), so failures can be reported by index while the rest import.
pub fn parse_mbox(mbox: &[u8]) -> Vec<Result<MailMessage, MailError>> {
    split_mbox(mbox).iter().map(|raw| parse_eml(raw)).collect()
}

/// Splits an mbox into raw messages, without the `From ` envelope lines,
/// with one level of `>From ` quoting removed (mboxrd: `>>From ` → `>From `;
/// mboxo: `>From ` → `From `), and without the blank line that ends each one.
///
/// A separator is a line starting `From ` at the start of the file, or one
/// that looks like an envelope (`From sender … hh:mm…`); an unescaped
/// `From ` in a body that has no time in it stays body text. Input without
/// any envelope line is one message.
pub fn split_mbox(mbox: &[u8]) -> Vec<Vec<u8>> {
    let mut messages = Vec::new();
    let mut current: Option<Vec<u8>> = None;
    let mut first = true;
    for line in lines(mbox) {
        let is_separator = line.starts_with(b"From ") && (first || looks_like_envelope(line));
        first = false;
        if is_separator {
            if let Some(done) = current.take() {
                push_message(&mut messages, done);
            }
            current = Some(Vec::new());
            continue;
        }
        let buf = current.get_or_insert_with(Vec::new);
        buf.extend_from_slice(unescape(line));
    }
    if let Some(done) = current {
        push_message(&mut messages, done);
    }
    messages
}

/// Lines including their `\n` (the last may lack one).
fn lines(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    data.split_inclusive(|b| *b == b'\n')
}

/// `>From `, `>>From `, … lose one `>`.
fn unescape(line: &[u8]) -> &[u8] {
    let quotes = line.iter().take_while(|b| **b == b'>').count();
    if quotes > 0
        && line
            .get(quotes..)
            .is_some_and(|rest| rest.starts_with(b"From "))
    {
        line.get(1..).unwrap_or(line)
    } else {
        line
    }
}

/// `From someone@example.com Mon Nov 24 09:30:00 2025`: a sender word, then
/// something with a `h:mm` or `hh:mm` time in it.
fn looks_like_envelope(line: &[u8]) -> bool {
    let rest = line.get(5..).unwrap_or_default();
    let mut words = rest
        .split(|b| b.is_ascii_whitespace())
        .filter(|w| !w.is_empty());
    let has_sender = words.next().is_some();
    has_sender
        && words.any(|w| {
            w.len() >= 4
                && w.iter().all(|b| b.is_ascii_digit() || *b == b':')
                && w.get(w.len() - 3) == Some(&b':')
        })
}

/// Drops the single blank line that ends an mbox message, and empty chunks.
fn push_message(messages: &mut Vec<Vec<u8>>, mut raw: Vec<u8>) {
    if raw.ends_with(b"\r\n\r\n") {
        raw.truncate(raw.len() - 2);
    } else if raw.ends_with(b"\n\n") {
        raw.truncate(raw.len() - 1);
    }
    if !raw.iter().all(u8::is_ascii_whitespace) {
        messages.push(raw);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_envelope_lines_and_unescapes() {
        let mbox = b"From a@x.example Mon Nov 24 09:30:00 2025\nFrom: a@x.example\n\nhello\n>From the start\n>>From quoted\n\nFrom b@y.example Tue Nov 25 10:00:00 +0000 2025\nFrom: b@y.example\n\nbye\n";
        let parts = split_mbox(mbox);
        assert_eq!(parts.len(), 2);
        assert_eq!(
            parts[0],
            b"From: a@x.example\n\nhello\nFrom the start\n>From quoted\n".to_vec()
        );
        assert_eq!(parts[1], b"From: b@y.example\n\nbye\n".to_vec());
    }

    #[test]
    fn unescaped_from_in_a_body_without_time_is_body_text() {
        let mbox = b"From a@x.example Mon Nov 24 09:30:00 2025\nFrom: a@x.example\n\nFirst line\n\nFrom here on, it is body.\n";
        let parts = split_mbox(mbox);
        assert_eq!(parts.len(), 1);
        assert!(parts[0].ends_with(b"From here on, it is body.\n"));
    }

    #[test]
    fn no_envelope_is_one_message_and_blank_input_none() {
        assert_eq!(split_mbox(b"From: a@x.example\n\nhi\n").len(), 1);
        assert!(split_mbox(b"").is_empty());
        assert!(split_mbox(b"\n\n").is_empty());
    }
}
