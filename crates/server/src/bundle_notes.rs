//! The customer's private notes in bundles: off the chain and unsigned, written after the
//! entries of the customer's own export (a vendor's notes stay with the vendor), and built
//! again on import under the rules for a note typed here.

use crate::{Result, ServerError};
use serde_json::Value;
use slingshot_domain::entry_body::{build_body, BodyError, MAX_TEXT_BYTES};
use slingshot_domain::ledger::{body_digest, BundleNote, LedgerTime, Side};
use slingshot_store::{ImportedNote, Store};

fn corrupt(e: impl std::fmt::Display) -> ServerError {
    ServerError::Internal(format!("stored note: {e}"))
}

/// `side`'s private notes on the relationship, for its bundle (only the customer's travel).
pub async fn read(store: &Store, relationship_id: &str, side: Side) -> Result<Vec<BundleNote>> {
    if side != Side::Customer {
        return Ok(Vec::new());
    }
    let mut notes = Vec::new();
    for n in store.bundle_notes(relationship_id, side.as_str()).await? {
        notes.push(BundleNote {
            thread: n.thread_id,
            side,
            time: LedgerTime::parse(&slingshot_store::rfc3339(n.at)).map_err(corrupt)?,
            body: serde_json::from_str(&n.body).map_err(corrupt)?,
        });
    }
    Ok(notes)
}

/// The note on `line` of a bundle, to store as the importing person's own. Refused (422
/// `invalid_bundle`, naming the line) when it is the vendor side's or is not a note that
/// could be written here.
pub fn imported(line: u64, note: BundleNote) -> Result<ImportedNote> {
    let invalid =
        |what: String| ServerError::Invalid("invalid_bundle", format!("line {line}: {what}"));
    if note.side != Side::Customer {
        return Err(invalid("a private note of the vendor side".into()));
    }
    let text = note.body.get("text").and_then(Value::as_str);
    let (body, search_text) = build_body("note", text, None).map_err(|e| match e {
        BodyError::TooLarge => invalid(format!("the note is over {MAX_TEXT_BYTES} bytes")),
        BodyError::Invalid(e) => invalid(format!("the note: {e}")),
    })?;
    let digest = body_digest(&body).map_err(|e| invalid(e.to_string()))?;
    Ok(ImportedNote {
        thread_id: note.thread,
        at: slingshot_store::parse_rfc3339_us(note.time.as_str()).unwrap_or(0),
        body: body.to_string(),
        body_digest: digest.to_hex(),
        search_text,
    })
}
