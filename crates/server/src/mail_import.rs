//! Importing a person's own mail: parse (.eml or mbox), group into threads, match each
//! thread to the relationship whose vendor domain matches (or start one with an
//! off-platform vendor), append the messages as entries, skip what was imported before.
//! One upload is stored whole or not at all.

use crate::{AppState, Result};
use serde::Serialize;
use slingshot_domain::conversation::Stage;
use slingshot_domain::ledger::{EntryKind, Side};
use slingshot_domain::mail::{
    content_key_of_body, infer_me, is_mine, is_reply_subject, normalize_subject, parse_eml,
    parse_mbox, prepare_import, thread_messages, truncate_text, vendor_domain, FailedMessage,
    MailMessage, MailThread, SkippedMessage, MAX_STORED_TEXT,
};
use slingshot_store::{
    ImportBatch, MailThreadRef, NewEntry, NewRelationship, NewThread, Relationship, StoreError,
    CHAIN_MOVED, IMPORT_MOVED,
};
use std::collections::HashMap;
use utoipa::ToSchema;

/// What an import did.
#[derive(Debug, Serialize, ToSchema)]
pub struct MailReport {
    /// Messages stored.
    pub imported: usize,
    /// Duplicates skipped (already imported, or twice in this upload): index, id, subject.
    #[schema(value_type = Vec<Object>)]
    pub skipped: Vec<SkippedMessage>,
    /// Messages that could not be read: index, code, reason.
    #[schema(value_type = Vec<Object>)]
    pub failed: Vec<FailedMessage>,
    /// Conversations created: (relationship id, vendor name, thread id, subject, messages).
    pub threads: Vec<ImportedThread>,
    /// One line for people.
    pub summary: String,
    /// The person's address as this import took it, when they did not say theirs.
    pub assumed_me: Option<String>,
}

/// The person's address when `me` is empty: the one on every message to import
/// ([`infer_me`]); 422 `me_required` when the mail does not tell.
fn assume_me(me: &[String], messages: &[MailMessage]) -> Result<Option<String>> {
    if !me.is_empty() || messages.is_empty() {
        return Ok(None);
    }
    infer_me(messages).map(Some).ok_or_else(|| {
        crate::ServerError::Invalid(
            "me_required",
            "say which addresses are yours (`me`, comma-separated): this mail does not tell \
             which side wrote each message"
                .into(),
        )
    })
}

/// A conversation made from mail.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportedThread {
    /// Relationship.
    pub relationship_id: String,
    /// Vendor.
    pub vendor_name: String,
    /// Thread.
    pub thread_id: String,
    /// Subject.
    pub subject: String,
    /// Messages stored in it.
    pub messages: usize,
    /// Whether it was there before: the mail answers a conversation imported earlier.
    pub continued: bool,
}

fn mail_time_us(m: &MailMessage) -> i64 {
    m.date
        .as_deref()
        .and_then(slingshot_store::parse_rfc3339_us)
        .unwrap_or_else(slingshot_store::now_us)
}

fn relationship_for_domain(
    batch: &mut ImportBatch,
    domain: &str,
    rels: &mut Vec<Relationship>,
) -> Result<Relationship> {
    let matches = |r: &Relationship| {
        !r.vendor_domain.is_empty()
            && (domain == r.vendor_domain || domain.ends_with(&format!(".{}", r.vendor_domain)))
    };
    if let Some(r) = rels.iter().find(|r| matches(r)) {
        return Ok(r.clone());
    }
    let new = NewRelationship {
        org: None,
        vendor_name: domain.to_owned(),
        vendor_website: String::new(),
        vendor_domain: domain.to_owned(),
        notes: "Started from imported mail".into(),
    };
    let r = batch.create_relationship(&new)?;
    rels.push(r.clone());
    Ok(r)
}

/// Imported conversations by (relationship, normalized subject in lower case): (thread id,
/// subject, when its first message was sent), the most recently active first.
type SubjectIndex = HashMap<(String, String), Vec<(String, String, i64)>>;

/// The index of `threads` (the most recently active first).
fn subject_index(threads: Vec<MailThreadRef>) -> SubjectIndex {
    let mut index = SubjectIndex::new();
    for r in threads {
        index
            .entry((
                r.relationship_id,
                normalize_subject(&r.subject).to_lowercase(),
            ))
            .or_default()
            .push((r.thread_id, r.subject, r.started_at.unwrap_or(i64::MIN)));
    }
    index
}

/// The conversation a reply sent at `at` (µs) continues: of those under its subject, the
/// most recently active that had begun by then.
fn continued_by_subject(
    index: &SubjectIndex,
    key: &(String, String),
    at: i64,
) -> Option<(String, String)> {
    index
        .get(key)?
        .iter()
        .find(|(_, _, started)| *started <= at)
        .map(|(thread, subject, _)| (thread.clone(), subject.clone()))
}

/// Ids by which thread `t` may continue a conversation imported earlier, in the order they
/// are tried: what it refers to outside itself (earliest first), then its own Message-IDs.
fn earlier_ids(t: &MailThread, messages: &[MailMessage]) -> Vec<String> {
    let mut ids = t.outside_references(messages);
    let own = t
        .messages
        .iter()
        .filter_map(|i| messages.get(*i)?.message_id.clone());
    ids.extend(own);
    ids
}

/// Import `raw` (one message, or an mbox when `mbox`) for `person`, whose own addresses
/// are `me`.
pub async fn import_mail(
    state: &AppState,
    person: &str,
    raw: &[u8],
    mbox: bool,
    me: &[String],
) -> Result<MailReport> {
    import_mail_files(state, person, &[(raw, mbox)], me).await
}

/// Import several files at once (each one message, or an mbox when flagged), as one
/// upload: threaded together, stored whole or not at all. Messages are numbered across
/// the files, in order.
pub async fn import_mail_files(
    state: &AppState,
    person: &str,
    files: &[(&[u8], bool)],
    me: &[String],
) -> Result<MailReport> {
    let owner = slingshot_store::signer_owner(person, None, Side::Customer);
    let key = state.keys.key_for(&state.store, &owner).await?;
    let keys = HashMap::from([(owner, key)]);
    // Planned and signed outside the writer's turn; if the person's relationships or
    // chains moved meanwhile, planned again holding the turn from the start (all or
    // nothing either way).
    let planned = state.store.plan_import(person, keys.clone()).await?;
    match import_with(state, planned, person, files, me).await {
        Err(crate::ServerError::Store(StoreError::Conflict(m)))
            if m == IMPORT_MOVED || m == CHAIN_MOVED =>
        {
            tracing::info!("mail import moved under its plan; planning again in the writer's turn");
            let locked = state.store.begin_import(person, keys).await?;
            import_with(state, locked, person, files, me).await
        }
        done => done,
    }
}

async fn import_with(
    state: &AppState,
    mut batch: ImportBatch,
    person: &str,
    files: &[(&[u8], bool)],
    me: &[String],
) -> Result<MailReport> {
    let started = std::time::Instant::now();
    let mut results = Vec::new();
    for &(raw, mbox) in files {
        if mbox {
            results.extend(parse_mbox(raw));
        } else {
            results.push(parse_eml(raw));
        }
    }
    let parsed = started.elapsed();
    let mut stored = batch.source_refs().await?;
    // Mail imported before copies were known by their content is known by it here.
    let ids: Vec<String> = results
        .iter()
        .filter_map(|r| r.as_ref().ok()?.message_id.clone())
        .collect();
    for body in batch.mail_bodies(&ids).await? {
        if let Some(key) = serde_json::from_str(&body)
            .ok()
            .and_then(|b: serde_json::Value| content_key_of_body(&b))
        {
            stored.insert(key);
        }
    }
    let prepared = prepare_import(results, |d| stored.contains(d));
    let mut report = prepared.report;
    let assumed_me = assume_me(me, &prepared.messages)?;
    let assumed: Vec<String> = assumed_me.iter().cloned().collect();
    let me = if assumed.is_empty() { me } else { &assumed };
    let mut rels = batch.relationships();
    let threads = thread_messages(&prepared.messages);
    // Conversations imported before that these threads answer (or repeat a message of).
    let candidates: Vec<Vec<String>> = threads
        .iter()
        .map(|t| earlier_ids(t, &prepared.messages))
        .collect();
    let mut wanted: Vec<String> = candidates.iter().flatten().cloned().collect();
    wanted.sort();
    wanted.dedup();
    let earlier: HashMap<String, MailThreadRef> = batch
        .threads_of_messages(&wanted)
        .await?
        .into_iter()
        .map(|r| (r.message_id.clone(), r))
        .collect();
    let mut threads_out = Vec::new();
    // Read when a reply-like conversation names no earlier message it answers.
    let mut by_subject: Option<SubjectIndex> = None;
    for (t, ids) in threads.into_iter().zip(&candidates) {
        let Some(first) = t.messages.first().and_then(|i| prepared.messages.get(*i)) else {
            continue;
        };
        let known = ids.iter().find_map(|id| earlier.get(id)).and_then(|r| {
            Some((
                rels.iter().find(|rel| rel.id == r.relationship_id)?.clone(),
                r,
            ))
        });
        let (rel, thread_id, subject, continued) = match known {
            Some((rel, r)) => (rel, r.thread_id.clone(), r.subject.clone(), true),
            None => {
                let domain = vendor_domain(first, me)
                    .filter(|d| slingshot_domain::vendor::is_domain_name(d))
                    .unwrap_or_else(|| "unknown-sender.invalid".into());
                let rel = relationship_for_domain(&mut batch, &domain, &mut rels)?;
                // A reply that names no earlier message ("Re: …" without In-Reply-To or
                // References): the vendor's conversation imported before under that subject.
                let by_subject = match (is_reply_subject(&first.subject), &by_subject) {
                    (false, _) => None,
                    (true, Some(map)) => Some(map),
                    (true, None) => {
                        Some(&*by_subject.insert(subject_index(batch.mail_threads().await?)))
                    }
                };
                let key = (rel.id.clone(), t.subject.to_lowercase());
                if let Some((thread_id, subject)) =
                    by_subject.and_then(|m| continued_by_subject(m, &key, mail_time_us(first)))
                {
                    (rel, thread_id, subject, true)
                } else {
                    let subject = slingshot_domain::conversation::parse_subject(&t.subject)
                        .unwrap_or_else(|_| "(no subject)".into());
                    let thread = batch.create_thread(
                        &rel,
                        &NewThread {
                            subject: subject.clone(),
                            stage: Stage::Other,
                            tags: vec!["email".into()],
                            follow_up_on: None,
                        },
                    )?;
                    (rel, thread.id, subject, false)
                }
            }
        };
        let mut count = 0;
        for &i in &t.messages {
            let Some(m) = prepared.messages.get(i) else {
                continue;
            };
            let from_me = is_mine(&m.from, me);
            let text = truncate_text(&m.text, MAX_STORED_TEXT);
            let body = serde_json::json!({
                "text": m.stored_text(),
                "mail": {
                    "direction": if from_me { "sent" } else { "received" },
                    "from": m.from.email, "subject": m.subject, "date": m.date, "message_id": m.message_id,
                    "attachments": m.attachments.iter().map(|a| serde_json::json!({"filename": a.filename, "content_type": a.content_type, "size": a.size})).collect::<Vec<_>>(),
                }
            });
            let entry = NewEntry {
                relationship_id: rel.id.clone(),
                person_id: rel.person_id.clone(),
                org_id: rel.org_id.clone().filter(|_| rel.two_sided()),
                thread_id: thread_id.clone(),
                side: Side::Customer,
                author_id: person.to_owned(),
                kind: EntryKind::Message,
                body,
                search_text: format!("{} {} {}", m.subject, m.from.email, text),
                source_ref: Some(m.source_ref()),
                corrects: None,
                at_us: mail_time_us(m),
                attachment: None,
            };
            batch.push_mail(entry, m.message_id.as_deref())?;
            report.record_imported();
            count += 1;
        }
        threads_out.push(ImportedThread {
            relationship_id: rel.id.clone(),
            vendor_name: rel.vendor_name.clone(),
            thread_id,
            subject,
            messages: count,
            continued,
        });
    }
    let planned = started.elapsed();
    if !batch.is_empty() {
        let stored = batch.commit().await?;
        state.ledger.stored_elsewhere(&stored);
    }
    tracing::info!(
        imported = report.imported,
        threads = threads_out.len(),
        parse_ms = parsed.as_millis(),
        plan_ms = (planned - parsed).as_millis(),
        store_ms = (started.elapsed() - planned).as_millis(),
        "mail imported"
    );
    let mut summary = report.summary();
    if let Some(a) = &assumed_me {
        summary.push_str(&format!(
            " Your address was taken to be {a} (on every message); say yours to import otherwise."
        ));
    }
    Ok(MailReport {
        imported: report.imported,
        assumed_me,
        summary,
        skipped: report.skipped_duplicates,
        failed: report.failed,
        threads: threads_out,
    })
}
