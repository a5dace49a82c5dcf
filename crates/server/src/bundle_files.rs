//! Attachment files in bundles: written beside their entries on export; on import, each is
//! stored again only after the checks an upload gets here (its type from its bytes, the
//! size limit, a safe name). That a file is the one its signed body records (SHA-256 and
//! size) the verifier has already checked.

use crate::attachments::{clean_filename, sniff, ACCEPTED};
use crate::{Result, ServerError};
use serde_json::Value;
use slingshot_domain::ledger::MAX_LINE_BYTES;
use slingshot_store::AttachmentData;

/// Longest attachment id accepted from a bundle.
const MAX_ID: usize = 64;

/// Room left on an entry's line for everything but its file.
const LINE_ROOM: u64 = 1024 * 1024;

/// Whether a file of `len` bytes fits on its entry's line (base64 and the rest of the line
/// within [`MAX_LINE_BYTES`]); a larger one is left out of the bundle (its entry still
/// verifies: the file is not part of the chain).
pub fn fits(len: usize) -> bool {
    line_bytes(len) <= MAX_LINE_BYTES
}

/// Whether a file of `len` bytes may go on the next line of a bundle of `written` bytes so
/// far and the bundle stay within `limit` (the instance's `import_limit`, so that the
/// bundle can be brought back): files are carried in the chain's order while they do; a
/// later, smaller one may still be.
pub fn fits_within(len: usize, written: usize, limit: usize) -> bool {
    fits(len) && (written as u64).saturating_add(line_bytes(len)) <= limit as u64
}

/// The most a line with a file of `len` bytes takes.
fn line_bytes(len: usize) -> u64 {
    (len as u64).div_ceil(3) * 4 + LINE_ROOM
}

fn invalid(seq: u64, what: String) -> ServerError {
    ServerError::Invalid("invalid_bundle", format!("entry {seq}: {what}"))
}

/// The attachment to store for entry `seq`, whose checked `body` records it, from the
/// file the bundle carried; `None` when the file is larger than `limit` (the entry is
/// imported without it, as an export leaves out a file too large for its line). Refused
/// (422 `invalid_bundle`, naming the entry) when its id is malformed, it is empty, or its
/// bytes are not a type accepted here.
pub fn imported(
    seq: u64,
    body: &Value,
    data: Vec<u8>,
    limit: usize,
) -> Result<Option<AttachmentData>> {
    let a = body
        .get("attachment")
        .ok_or_else(|| invalid(seq, "a file on an entry that records no attachment".into()))?;
    let field = |name: &str| a.get(name).and_then(Value::as_str).unwrap_or("");
    let id = field("id");
    let id_ok = !id.is_empty()
        && id.len() <= MAX_ID
        && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if !id_ok {
        return Err(invalid(seq, "the attachment's id is malformed".into()));
    }
    if data.is_empty() {
        return Err(invalid(seq, "the attachment is empty".into()));
    }
    if data.len() > limit {
        return Ok(None);
    }
    let content_type = sniff(&data, field("content_type")).ok_or_else(|| {
        invalid(
            seq,
            format!("the attachment is not of a type accepted here ({ACCEPTED})"),
        )
    })?;
    Ok(Some(AttachmentData {
        id: id.to_owned(),
        filename: clean_filename(field("filename")),
        content_type: content_type.to_owned(),
        sha256: field("sha256").to_owned(),
        data,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(id: &str, content_type: &str) -> Value {
        json!({"attachment": {"id": id, "filename": "../receipt.pdf", "content_type": content_type,
            "size": 9, "sha256": "ab"}})
    }

    #[test]
    fn a_file_is_stored_as_its_bytes_say_under_a_safe_name() {
        let a = imported(
            4,
            &body("0192-ab", "text/html"),
            b"%PDF-1.7 x".to_vec(),
            100,
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            a.content_type, "application/pdf",
            "the body's claim is not trusted"
        );
        assert_eq!(a.filename, "receipt.pdf");
        assert_eq!(a.id, "0192-ab");
    }

    #[test]
    fn a_file_over_this_instances_limit_is_left_out() {
        let b = body("0192-ab", "text/plain");
        assert!(imported(7, &b, b"hello".to_vec(), 4).unwrap().is_none());
        assert!(imported(7, &b, b"hello".to_vec(), 5).unwrap().is_some());
    }

    #[test]
    fn files_too_long_for_a_line_are_left_out() {
        assert!(fits(10 * 1024 * 1024));
        assert!(fits(11 * 1024 * 1024));
        assert!(!fits(12 * 1024 * 1024));
    }

    #[test]
    fn files_are_carried_while_the_bundle_stays_within_the_import_limit() {
        const MIB: usize = 1024 * 1024;
        // Ten files of 6 MiB (8 MiB each in base64) into a bundle of at most 64 MiB.
        let mut written = 1000;
        let mut carried = 0;
        for _ in 0..10 {
            if fits_within(6 * MIB, written, 64 * MIB) {
                written += 8 * MIB + 200;
                carried += 1;
            }
        }
        assert_eq!(carried, 7);
        assert!(written <= 64 * MIB);
        assert!(
            fits_within(1000, written, 64 * MIB),
            "a small file still goes"
        );
        assert!(
            !fits_within(12 * MIB, 0, usize::MAX),
            "nor past a line's limit"
        );
    }

    #[test]
    fn refusals_name_the_entry() {
        let exe = b"MZ\x90\x00\x03\x00\x00".to_vec();
        for (b, data, limit, says) in [
            (
                body("0192-ab", "application/pdf"),
                exe,
                100,
                "not of a type",
            ),
            (
                body("../../x", "text/plain"),
                b"hi".to_vec(),
                100,
                "id is malformed",
            ),
            (body("0192-ab", "text/plain"), Vec::new(), 100, "is empty"),
            (
                json!({"text": "no attachment"}),
                b"hi".to_vec(),
                100,
                "records no attachment",
            ),
        ] {
            match imported(7, &b, data, limit) {
                Err(ServerError::Invalid("invalid_bundle", m)) => {
                    assert!(m.starts_with("entry 7: ") && m.contains(says), "{m}")
                }
                other => panic!("{other:?}"),
            }
        }
    }
}
