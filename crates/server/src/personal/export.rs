//! The machine-readable export an access or portability answer carries: everything the
//! organization holds about the person (relationship, threads, entries, grants, access
//! log, terms), as one JSON document written in a single pass.

use crate::{AppState, Result, ServerError};
use serde_json::{json, Value};
use slingshot_store::{rfc3339, AccessRequest};
use std::io::Write;

/// Format name and version of the export.
pub const EXPORT_FORMAT: &str = "slingshot-held-data/1";

/// The export for the request's relationship, as JSON bytes.
pub async fn held_data_json(state: &AppState, r: &AccessRequest, now_us: i64) -> Result<Vec<u8>> {
    let started = std::time::Instant::now();
    let held = state.store.held_data(&r.relationship_id).await?;
    let read_ms = started.elapsed().as_millis();
    let org = state.store.org_public(&r.org_id).await?;
    let rel = &held.relationship;
    let mut out: Vec<u8> = Vec::with_capacity(256 + held.entries.len() * 320);
    let head = json!({
        "format": EXPORT_FORMAT,
        "generated_at": rfc3339(now_us),
        "request": {"id": r.id, "kind": r.kind, "received_at": rfc3339(r.received_at)},
        "organization": {"id": org.id, "handle": org.handle, "name": org.name},
        "person": {"pseudonym": rel.pseudonym},
        "relationship": {"id": rel.id, "vendor_name": rel.vendor_name, "created_at": rfc3339(rel.created_at),
            "shared_at": rel.shared_at.map(rfc3339), "chain_length": rel.head_seq, "chain_head": rel.head_hash},
        "threads": held.threads.iter().map(|t| json!({"id": t.id, "subject": t.subject, "stage": t.stage,
            "status": t.status, "opened_by": t.opened_by, "created_at": rfc3339(t.created_at)})).collect::<Vec<_>>(),
        "grants": held.grants.iter().map(|g| json!({"id": g.id, "purpose": g.purpose, "fields": g.field_ids,
            "created_at": rfc3339(g.created_at), "expires_at": rfc3339(g.expires_at),
            "revoked_at": g.revoked_at.map(rfc3339)})).collect::<Vec<_>>(),
        "access_log": held.access_log.iter().map(|a| json!({"at": rfc3339(a.at), "reader": a.reader_handle,
            "via": a.via, "purpose": a.purpose, "fields": serde_json::from_str::<Value>(&a.fields).unwrap_or(Value::Null)}))
            .collect::<Vec<_>>(),
        "terms": held.terms.iter().map(|t| json!({"id": t.id, "term": t.term, "list_version": t.list_version,
            "proffered_at": rfc3339(t.proffered_at), "response": t.response, "counter_term": t.counter_term}))
            .collect::<Vec<_>>(),
    });
    let io = |e: std::io::Error| ServerError::Internal(format!("export: {e}"));
    let head =
        serde_json::to_vec(&head).map_err(|e| ServerError::Internal(format!("export: {e}")))?;
    // `head` is an object: write it without its closing brace, then the entries.
    out.extend_from_slice(&head[..head.len().saturating_sub(1)]);
    out.extend_from_slice(br#","entries":["#);
    for (i, e) in held.entries.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write!(
            out,
            r#"{{"id":"{}","thread":"{}","seq":{},"side":"{}","kind":"{}","at":"{}","hash":{},"private":{},"body":"#,
            e.id,
            e.thread_id,
            e.seq.map_or("null".to_owned(), |s| s.to_string()),
            e.side,
            e.kind,
            rfc3339(e.at),
            e.hash.as_ref().map_or("null".to_owned(), |h| format!("\"{h}\"")),
            e.private_side.is_some(),
        )
        .map_err(io)?;
        match &e.body {
            // Bodies are JSON we wrote ourselves; checked once more so the export stays valid.
            Some(b) if serde_json::from_str::<serde::de::IgnoredAny>(b).is_ok() => {
                out.extend_from_slice(b.as_bytes())
            }
            _ => out.extend_from_slice(b"null"),
        }
        write!(
            out,
            r#","erased_at":{}}}"#,
            e.erased_at
                .map_or("null".to_owned(), |t| format!("\"{}\"", rfc3339(t)))
        )
        .map_err(io)?;
    }
    out.extend_from_slice(b"]}");
    tracing::info!(request = %r.id, entries = held.entries.len(), bytes = out.len(), read_ms,
        total_ms = started.elapsed().as_millis(), "access export built");
    Ok(out)
}
