//! Attachments: size-limited, type-checked by content (not by what the client claims),
//! stored in the database with the entry that records them, in one transaction.

use crate::{AppState, Result, ServerError};
use serde_json::json;
use sha2::{Digest, Sha256};
use slingshot_domain::ledger::EntryKind;
use slingshot_store::{AttachmentData, EntryRow, NewEntry};

/// The content types accepted, each recognised by its first bytes.
pub const ACCEPTED: &str =
    "application/pdf, image/png, image/jpeg, image/gif, image/webp, text/plain, text/csv";

/// What the bytes are, whatever the client said.
pub fn sniff(data: &[u8], declared: &str) -> Option<&'static str> {
    let declared = declared
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if data.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if data.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if data.starts_with(b"GIF87a") || data.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if data.len() > 12 && &data[..4] == b"RIFF" && &data[8..12] == b"WEBP" {
        Some("image/webp")
    } else if std::str::from_utf8(data).is_ok() && !data.contains(&0) {
        Some(if declared == "text/csv" {
            "text/csv"
        } else {
            "text/plain"
        })
    } else {
        None
    }
}

/// A file name safe to store and to send back in `Content-Disposition`.
pub fn clean_filename(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let name: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | ';'))
        .take(120)
        .collect();
    let name = name.trim().trim_start_matches('.').to_owned();
    if name.is_empty() {
        "attachment".into()
    } else {
        name
    }
}

/// Store a file as an attachment entry of a thread the actor is party to.
pub async fn add_attachment(
    state: &AppState,
    actor: &str,
    thread_id: &str,
    filename: &str,
    declared: &str,
    data: Vec<u8>,
) -> Result<EntryRow> {
    let (thread, rel, side) = state.store.thread_for(actor, thread_id).await?;
    if data.is_empty() {
        return Err(ServerError::Invalid(
            "invalid_value",
            "the file is empty".into(),
        ));
    }
    let content_type = sniff(&data, declared).ok_or(ServerError::UnsupportedMediaType(ACCEPTED))?;
    let filename = clean_filename(filename);
    let sha256 = hex::encode(Sha256::digest(&data));
    let id = slingshot_store::new_id();
    let body = json!({"attachment": {"id": id, "filename": filename, "content_type": content_type, "size": data.len(), "sha256": sha256}});
    let entry = NewEntry {
        relationship_id: rel.id.clone(),
        person_id: rel.person_id.clone(),
        org_id: rel.org_id.clone().filter(|_| rel.two_sided()),
        thread_id: thread.id,
        side,
        author_id: actor.to_owned(),
        kind: EntryKind::Attachment,
        body,
        search_text: filename.clone(),
        source_ref: None,
        corrects: None,
        at_us: slingshot_store::now_us(),
        attachment: Some(AttachmentData {
            id,
            filename,
            content_type: content_type.to_owned(),
            sha256,
            data,
        }),
    };
    state.ledger.append(entry).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_come_from_the_bytes() {
        assert_eq!(sniff(b"%PDF-1.7 ...", "image/png"), Some("application/pdf"));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\nrest", ""), Some("image/png"));
        assert_eq!(sniff(b"a,b\n1,2\n", "text/csv"), Some("text/csv"));
        assert_eq!(
            sniff(b"MZ\x90\x00\x03\x00", "application/pdf"),
            None,
            "an executable is refused"
        );
        assert_eq!(sniff(&[0xFF, 0xFE, 0x00, 0x41], "text/plain"), None);
    }

    #[test]
    fn file_names_lose_paths_and_header_breakers() {
        assert_eq!(clean_filename("../../etc/passwd"), "passwd");
        assert_eq!(clean_filename("C:\\x\\receipt.pdf"), "receipt.pdf");
        assert_eq!(clean_filename("a\"b;c\r\n.pdf"), "abc.pdf");
        assert_eq!(clean_filename(".."), "attachment");
    }
}
