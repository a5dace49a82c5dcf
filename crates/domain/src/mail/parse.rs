//! One raw message (bytes) into a [`MailMessage`].

use mail_parser::decoders::html::html_to_text;
use mail_parser::{HeaderName, Message, MessageParser, MimeHeaders, PartType};
use sha2::{Digest, Sha256};

use super::ids::{extract_ids, message_id_of, MAX_REFERENCES};
use super::message::{Address, AttachmentMeta, MailMessage};
use super::subject::normalize_subject;
use super::MailError;

/// Parses one `.eml` message. A leading mbox `From ` envelope line and leading
/// blank lines are ignored.
///
/// Fails, with the reason, on empty input, input that does not start with
/// header fields, binary data in the headers, or a missing sender.
pub fn parse_eml(raw: &[u8]) -> Result<MailMessage, MailError> {
    let raw = skip_envelope_line(raw);
    let start = raw
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .ok_or(MailError::Empty)?;
    let raw = raw.get(start..).unwrap_or_default();
    check_header_section(raw)?;
    let parsed = MessageParser::default()
        .parse(raw)
        .ok_or(MailError::NoHeaders)?;
    let from = parsed
        .from()
        .and_then(|a| a.iter().find_map(to_address))
        .ok_or(MailError::MissingFrom)?;
    let subject = without_nul(parsed.subject().unwrap_or_default())
        .trim()
        .to_string();
    Ok(MailMessage {
        message_id: parsed
            .header_raw(HeaderName::MessageId)
            .and_then(message_id_of),
        in_reply_to: parsed
            .header_raw(HeaderName::InReplyTo)
            .and_then(|v| extract_ids(v).into_iter().next()),
        references: references(&parsed),
        normalized_subject: normalize_subject(&subject),
        subject,
        from,
        to: addresses(parsed.to()),
        cc: addresses(parsed.cc()),
        date: parsed.date().and_then(utc_rfc3339),
        text: body_text(&parsed),
        attachments: attachments(&parsed),
        raw_digest: raw_digest(raw),
    })
}

/// Hex SHA-256 of a raw message with CRLF folded to LF, so the same message
/// saved as `.eml` (CRLF) or in an mbox (LF) de-duplicates.
pub fn raw_digest(raw: &[u8]) -> String {
    let mut hasher = Sha256::new();
    let mut rest = raw;
    while let Some(pos) = rest.windows(2).position(|w| w == b"\r\n") {
        let (line, after) = rest.split_at(pos);
        hasher.update(line);
        hasher.update(b"\n");
        rest = after.get(2..).unwrap_or_default();
    }
    hasher.update(rest);
    hex::encode(hasher.finalize())
}

/// Drops a first line `From sender date` (the mbox envelope), if present.
fn skip_envelope_line(raw: &[u8]) -> &[u8] {
    if !raw.starts_with(b"From ") {
        return raw;
    }
    match raw.iter().position(|b| *b == b'\n') {
        Some(end) => raw.get(end + 1..).unwrap_or_default(),
        None => &[],
    }
}

/// The header section must hold a field (`Name: value`) and no NUL bytes.
fn check_header_section(raw: &[u8]) -> Result<(), MailError> {
    let header_end = find(raw, b"\n\r\n")
        .or_else(|| find(raw, b"\n\n"))
        .unwrap_or(raw.len());
    let headers = raw.get(..header_end).unwrap_or_default();
    if headers.contains(&0) {
        return Err(MailError::Binary);
    }
    let is_field = |line: &[u8]| {
        let name_len = line
            .iter()
            .take_while(|b| b.is_ascii_graphic() && **b != b':')
            .count();
        name_len > 0 && line.get(name_len) == Some(&b':')
    };
    if !headers.split(|b| *b == b'\n').any(is_field) {
        return Err(MailError::NoHeaders);
    }
    Ok(())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn to_address(addr: &mail_parser::Addr<'_>) -> Option<Address> {
    let email = addr
        .address()?
        .trim()
        .trim_matches(['<', '>'])
        .to_lowercase();
    if !email.contains('@') || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    let name = addr
        .name()
        .map(|n| {
            without_nul(n)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|n| !n.is_empty() && !n.eq_ignore_ascii_case(&email));
    Some(Address { name, email })
}

fn addresses(list: Option<&mail_parser::Address<'_>>) -> Vec<Address> {
    list.map(|a| a.iter().filter_map(to_address).collect())
        .unwrap_or_default()
}

fn references(parsed: &Message<'_>) -> Vec<String> {
    let mut ids = parsed
        .header_raw(HeaderName::References)
        .map(extract_ids)
        .unwrap_or_default();
    if ids.len() > MAX_REFERENCES {
        ids.drain(..ids.len() - MAX_REFERENCES);
    }
    ids
}

/// The date in UTC, `YYYY-MM-DDTHH:MM:SSZ`; `None` when invalid.
fn utc_rfc3339(date: &mail_parser::DateTime) -> Option<String> {
    if !date.is_valid() {
        return None;
    }
    let utc = mail_parser::DateTime::from_timestamp(date.to_timestamp());
    (1900..=9999).contains(&utc.year).then(|| utc.to_rfc3339())
}

/// text/plain body parts joined; else the first HTML part as crude text.
fn body_text(parsed: &Message<'_>) -> String {
    let plain: Vec<&str> = parsed
        .text_bodies()
        .filter_map(|part| match &part.body {
            PartType::Text(text) => Some(text.as_ref()),
            _ => None,
        })
        .collect();
    let text = if plain.is_empty() {
        parsed
            .html_bodies()
            .find_map(|part| match &part.body {
                PartType::Html(html) => Some(html_to_text(html)),
                _ => None,
            })
            .unwrap_or_default()
    } else {
        plain.join("\n")
    };
    without_nul(&text.replace("\r\n", "\n")).trim().to_string()
}

/// Decoded text without NUL characters (a `=00` in a quoted-printable body or an encoded
/// word): they carry nothing readable, and PostgreSQL cannot store them.
fn without_nul(s: &str) -> String {
    s.replace('\0', "")
}

fn attachments(parsed: &Message<'_>) -> Vec<AttachmentMeta> {
    parsed
        .attachments()
        .map(|part| AttachmentMeta {
            filename: part
                .attachment_name()
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_string),
            content_type: part
                .content_type()
                .map(|ct| match ct.subtype() {
                    Some(sub) => format!("{}/{}", ct.ctype(), sub),
                    None => ct.ctype().to_string(),
                })
                .unwrap_or_else(|| match part.body {
                    PartType::Message(_) => "message/rfc822".to_string(),
                    _ => "application/octet-stream".to_string(),
                })
                .to_lowercase(),
            size: part.len(),
        })
        .collect()
}
