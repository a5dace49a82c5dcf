//! Relationship actions shared by the API and the pages: open threads, append entries,
//! export and import bundles, countersign, import e-mail.

use crate::{AppState, Result, ServerError};
use serde_json::Value;
use slingshot_domain::entry_body::{build_body, BodyError, EventInput};
use slingshot_domain::ledger::{
    BundleItem, BundleReader, Checkpoint, Digest, EntryHeader, EntryKind, KeyId, LedgerTime,
    ReadStep, SignedCheckpoint,
};
use slingshot_store::{CheckpointRow, EntryRow, ImportedEntry, StoreError};

/// What a person writes: kind, text, event details, and for corrections the hash of
/// the corrected entry.
#[derive(Debug, Clone, Copy, Default)]
pub struct EntryInput<'a> {
    /// `message`, `note`, `event` or `correction`.
    pub kind: &'a str,
    /// The text.
    pub text: Option<&'a str>,
    /// Event details.
    pub event: Option<&'a EventInput>,
    /// The corrected entry's hash.
    pub corrects: Option<&'a str>,
}

/// Append a message, note, event or correction to a thread the actor is party to.
pub async fn add_entry(
    state: &AppState,
    actor: &str,
    thread_id: &str,
    input: EntryInput<'_>,
    source_ref: Option<String>,
) -> Result<EntryRow> {
    let EntryInput {
        kind,
        text,
        event,
        corrects,
    } = input;
    let (body, search_text) = build_body(kind, text, event).map_err(|e| match e {
        BodyError::TooLarge => {
            ServerError::PayloadTooLarge(slingshot_domain::entry_body::MAX_TEXT_BYTES)
        }
        BodyError::Invalid(d) => d.into(),
    })?;
    let kind =
        EntryKind::parse(kind).map_err(|e| ServerError::Invalid("invalid_value", e.to_string()))?;
    let corrects = match (kind, corrects) {
        (EntryKind::Correction, Some(c)) => Some(
            Digest::parse(c).map_err(|e| ServerError::Invalid("invalid_value", e.to_string()))?,
        ),
        (EntryKind::Correction, None) => {
            return Err(ServerError::Invalid(
                "invalid_value",
                "a correction names the hash of the entry it corrects".into(),
            ))
        }
        (_, Some(_)) => {
            return Err(ServerError::Invalid(
                "invalid_value",
                "only corrections name an entry to correct".into(),
            ))
        }
        _ => None,
    };
    let corrects = match corrects {
        Some(target) => Some(check_correction_target(state, actor, thread_id, target).await?),
        None => None,
    };
    let at_us = happened_at(&body, slingshot_store::now_us())?;
    // Access to the thread is checked by the writer, with the rest of its group.
    let post = crate::ledger_writer::ThreadPost {
        actor: actor.to_owned(),
        thread_id: thread_id.to_owned(),
        kind,
        body,
        search_text,
        source_ref,
        corrects,
        at_us,
    };
    state.ledger.post(post).await
}

/// When an entry happened: for an event logged after the fact (`event.on`, a day before
/// today, UTC), noon of that day; otherwise `now_us`. A day after today is refused.
fn happened_at(body: &Value, now_us: i64) -> Result<i64> {
    let Some(on) = body.pointer("/event/on").and_then(Value::as_str) else {
        return Ok(now_us);
    };
    let start = slingshot_store::date_start_us(on)
        .ok_or_else(|| ServerError::Invalid("invalid_value", format!("{on} is not a date")))?;
    const DAY_US: i64 = 86_400_000_000;
    let today = now_us - now_us.rem_euclid(DAY_US);
    match start.cmp(&today) {
        std::cmp::Ordering::Less => Ok(start + DAY_US / 2),
        std::cmp::Ordering::Equal => Ok(now_us),
        std::cmp::Ordering::Greater => Err(ServerError::Invalid(
            "invalid_value",
            format!("an event cannot have happened on {on}, after today"),
        )),
    }
}

/// A correction names an earlier shared entry of the thread's relationship, written by
/// the correcting side (as `slingshot verify` demands): else 422 `invalid_correction`,
/// and nothing is appended. A thread the actor may not write to is 404.
async fn check_correction_target(
    state: &AppState,
    actor: &str,
    thread_id: &str,
    target: Digest,
) -> Result<slingshot_store::CorrectionTarget> {
    let (_, rel, side) = state.store.thread_for(actor, thread_id).await?;
    match state
        .store
        .shared_entry_side(&rel.id, &target.to_hex())
        .await?
    {
        Some((s, seq)) if s == side.as_str() => {
            Ok(slingshot_store::CorrectionTarget { hash: target, seq })
        }
        Some(_) => Err(ServerError::Invalid(
            "invalid_correction",
            "a correction may only correct an entry its own side wrote".into(),
        )),
        None => Err(ServerError::Invalid(
            "invalid_correction",
            "no shared entry of this relationship has that hash".into(),
        )),
    }
}

/// A stored chain row that does not read back (500).
pub(crate) fn corrupt(e: impl std::fmt::Display) -> ServerError {
    ServerError::Internal(format!("stored chain: {e}"))
}

/// Verify a bundle and store it as one of the person's relationships.
pub async fn import_bundle(state: &AppState, person: &str, bytes: &[u8]) -> Result<ImportedBundle> {
    let report = slingshot_domain::ledger::verify_bundle(bytes)
        .map_err(|e| ServerError::Invalid("invalid_bundle", e.to_string()))?;
    if !report.is_valid() {
        let f = report
            .first_failure()
            .map(|f| f.to_string())
            .unwrap_or_default();
        return Err(ServerError::Invalid(
            "invalid_bundle",
            format!("the bundle does not verify: {f}"),
        ));
    }
    let mut reader = BundleReader::new(bytes);
    let mut header = None;
    let mut entries = Vec::new();
    let mut checkpoints = Vec::new();
    let mut notes = Vec::new();
    let mut entry_threads: Vec<String> = Vec::new();
    let mut seen_threads = std::collections::HashSet::new();
    let mut files_left_out = Vec::new();
    while let Some(step) = reader
        .next_item()
        .map_err(|e| ServerError::Invalid("invalid_bundle", e.to_string()))?
    {
        let ReadStep::Ok((line, item)) = step else {
            return Err(ServerError::Invalid(
                "invalid_bundle",
                "the bundle has a malformed line".into(),
            ));
        };
        match item {
            BundleItem::Header(h) => header = Some(h),
            BundleItem::Entry(e) => {
                let h = &e.entry.header;
                if seen_threads.insert(h.thread.clone()) {
                    entry_threads.push(h.thread.clone());
                }
                let search_text = e
                    .body
                    .as_ref()
                    .map(slingshot_domain::entry_body::search_text_of)
                    .unwrap_or_default();
                if e.file_left_out {
                    files_left_out.push(h.sequence);
                }
                let file = match (e.file, &e.body) {
                    (Some(data), Some(body)) => {
                        let limit = state.config.attachment_limit;
                        let file = crate::bundle_files::imported(h.sequence, body, data, limit)?;
                        if file.is_none() {
                            files_left_out.push(h.sequence);
                        }
                        file
                    }
                    _ => None,
                };
                entries.push(ImportedEntry {
                    seq: i64::try_from(h.sequence).unwrap_or(i64::MAX),
                    thread_id: h.thread.clone(),
                    side: h.author_side.as_str().to_owned(),
                    kind: h.kind.as_str().to_owned(),
                    at: parse_time_us(h.time.as_str()),
                    header: serde_json::to_string(h).map_err(corrupt)?,
                    hash: e.entry.hash.to_hex(),
                    key_id: h.author_key_id.to_string(),
                    signature: slingshot_domain::ledger::signature_to_base64url(&e.entry.signature),
                    body_digest: h.body_digest.to_hex(),
                    body: e.body.as_ref().map(Value::to_string),
                    search_text,
                    file,
                });
            }
            BundleItem::Note(n) => {
                if seen_threads.insert(n.thread.clone()) {
                    entry_threads.push(n.thread.clone());
                }
                notes.push(crate::bundle_notes::imported(line, n)?);
            }
            BundleItem::Checkpoint(c) => checkpoints.push(CheckpointRow {
                seq: i64::try_from(c.checkpoint.sequence).unwrap_or(i64::MAX),
                hash: c.checkpoint.hash.to_hex(),
                side: c.checkpoint.side.as_str().to_owned(),
                key_id: c.checkpoint.key_id.to_string(),
                signature: slingshot_domain::ledger::signature_to_base64url(&c.signature),
                at: parse_time_us(c.checkpoint.time.as_str()),
            }),
        }
    }
    let header =
        header.ok_or_else(|| ServerError::Invalid("invalid_bundle", "no header line".into()))?;
    let name = header
        .relationship
        .details
        .get("vendor_name")
        .and_then(Value::as_str)
        // The bundle's own words, kept within what a vendor name may be here.
        .map(|n| {
            n.chars()
                .filter(|c| !c.is_control())
                .take(slingshot_domain::vendor::MAX_VENDOR_NAME)
                .collect::<String>()
        })
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| "Imported vendor".to_owned());
    let (threads, links) =
        crate::bundle_threads::read(&header.relationship.details, &entry_threads)?;
    let keys: Vec<(String, String, String)> = header
        .keys
        .iter()
        .map(|k| {
            (
                k.key_id.to_string(),
                k.side.as_str().to_owned(),
                slingshot_domain::ledger::public_key_to_base64url(&k.public_key),
            )
        })
        .collect();
    state
        .store
        .import_chain(
            person,
            &header.relationship.id,
            &name,
            &keys,
            &entries,
            &notes,
            &checkpoints,
            &threads,
            &links,
        )
        .await?;
    Ok(ImportedBundle {
        relationship_id: header.relationship.id,
        files_left_out,
    })
}

/// What [`import_bundle`] stored.
#[derive(Debug)]
pub struct ImportedBundle {
    /// The relationship, under the id it had where it was exported.
    pub relationship_id: String,
    /// The entries (by sequence) whose file was larger than this instance's
    /// `attachment_limit`: imported without it.
    pub files_left_out: Vec<u64>,
}

fn parse_time_us(s: &str) -> i64 {
    slingshot_store::parse_rfc3339_us(s).unwrap_or(0)
}

/// The acting side countersigns the other side's latest entry. Returns the checkpoint
/// and whether it is new (`false`: this side had already countersigned that entry, and
/// the checkpoint returned is the one stored then).
pub async fn countersign(
    state: &AppState,
    actor: &str,
    relationship_id: &str,
) -> Result<(CheckpointRow, bool)> {
    let (rel, side) = state.store.relationship_for(actor, relationship_id).await?;
    let owner = slingshot_store::signer_owner(&rel.person_id, rel.org_id.as_deref(), side);
    // The other side's latest chain entry.
    let (header, hash) = state
        .store
        .latest_chain_entry_of(&rel.id, side.other())
        .await?
        .ok_or(ServerError::Store(StoreError::Conflict(
            "nothing from the other side to countersign yet",
        )))?;
    let h: EntryHeader = serde_json::from_str(&header).map_err(corrupt)?;
    let key = state.keys.key_for(&state.store, &owner).await?;
    let now = slingshot_store::now_us();
    let time = LedgerTime::parse(&slingshot_store::rfc3339(now)).map_err(corrupt)?;
    let cp = Checkpoint::of_entry(
        &h,
        Digest::parse(&hash).map_err(corrupt)?,
        side,
        KeyId::of(&key.verifying_key()),
        time,
    )
    .map_err(corrupt)?;
    let signed = SignedCheckpoint::sign(cp, &key).map_err(corrupt)?;
    let row = CheckpointRow {
        seq: i64::try_from(signed.checkpoint.sequence).unwrap_or(0),
        hash: signed.checkpoint.hash.to_hex(),
        side: side.as_str().to_owned(),
        key_id: signed.checkpoint.key_id.to_string(),
        signature: slingshot_domain::ledger::signature_to_base64url(&signed.signature),
        at: now,
    };
    match state.store.add_checkpoint(&rel.id, &row).await? {
        None => Ok((row, true)),
        Some(held) => Ok((held, false)),
    }
}
