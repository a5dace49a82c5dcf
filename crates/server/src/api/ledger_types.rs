//! JSON shapes of relationships, conversations and entries.

use serde::{Deserialize, Serialize};
use slingshot_domain::entry_body::EventInput;
use slingshot_store::{rfc3339, EntryRow, InboxRow, Relationship, SearchHit, Thread};
use utoipa::ToSchema;

/// A new relationship.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RelationshipIn {
    /// An organization on this instance (id or handle); omit for an off-platform vendor.
    pub org: Option<String>,
    /// Vendor name (required without `org`).
    pub vendor_name: Option<String>,
    /// Vendor website.
    pub vendor_website: Option<String>,
    /// Vendor e-mail domain, to match imported mail.
    pub vendor_domain: Option<String>,
    /// Your private notes.
    pub notes: Option<String>,
}

/// Changes to your description of a vendor; omitted fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RelationshipPatch {
    /// Vendor name.
    pub vendor_name: Option<String>,
    /// Vendor website (empty: none).
    pub vendor_website: Option<String>,
    /// Vendor e-mail domain, to match imported mail (empty: none).
    pub vendor_domain: Option<String>,
    /// Your private notes.
    pub notes: Option<String>,
}

/// Share with an organization.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShareIn {
    /// Organization id or handle.
    pub org: String,
}

/// A relationship.
#[derive(Debug, Serialize, ToSchema)]
pub struct RelationshipOut {
    /// UUIDv7.
    pub id: String,
    /// Vendor name.
    pub vendor_name: String,
    /// Vendor website.
    pub vendor_website: String,
    /// Vendor e-mail domain.
    pub vendor_domain: String,
    /// Organization id when the vendor is here.
    pub org_id: Option<String>,
    /// Both sides hold the history.
    pub two_sided: bool,
    /// The customer's pairwise pseudonym (what the organization sees).
    pub pseudonym: String,
    /// Entries on the shared chain.
    pub entries: i64,
    /// Hash of the last chain entry.
    pub head_hash: String,
    /// The caller's side: `customer` or `vendor`.
    pub side: String,
    /// The person's notes (customer side only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// RFC 3339.
    pub created_at: String,
}

impl RelationshipOut {
    /// Convert for the caller's side.
    pub fn from(r: &Relationship, side: &str) -> Self {
        Self {
            id: r.id.clone(),
            vendor_name: r.vendor_name.clone(),
            vendor_website: r.vendor_website.clone(),
            vendor_domain: r.vendor_domain.clone(),
            org_id: r.org_id.clone(),
            two_sided: r.two_sided(),
            pseudonym: r.pseudonym.clone(),
            entries: r.head_seq,
            head_hash: r.head_hash.clone(),
            side: side.to_owned(),
            notes: (side == "customer").then(|| r.notes.clone()),
            created_at: rfc3339(r.created_at),
        }
    }
}

/// A new conversation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ThreadIn {
    /// Subject.
    pub subject: String,
    /// research, purchase, support, feedback, other.
    pub stage: String,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Your side's follow-up date, YYYY-MM-DD.
    pub follow_up_on: Option<String>,
}

/// Changes to a conversation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ThreadPatch {
    /// New subject.
    pub subject: Option<String>,
    /// New stage.
    pub stage: Option<String>,
    /// open, waiting_on_vendor, waiting_on_customer, resolved, closed.
    pub status: Option<String>,
    /// Replace the tags.
    pub tags: Option<Vec<String>>,
    /// Your side's follow-up date (YYYY-MM-DD), or "" to clear it; each side keeps its own.
    pub follow_up_on: Option<String>,
    /// Assignee account id (vendor side), or "" to unassign.
    pub assignee: Option<String>,
}

/// A link to another conversation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkIn {
    /// The other thread's id.
    pub to: String,
    /// follows_from, related, duplicate_of.
    pub kind: String,
}

/// A conversation.
#[derive(Debug, Serialize, ToSchema)]
pub struct ThreadOut {
    /// UUIDv7.
    pub id: String,
    /// Relationship.
    pub relationship_id: String,
    /// Subject.
    pub subject: String,
    /// Stage.
    pub stage: String,
    /// Status.
    pub status: String,
    /// Side that opened it.
    pub opened_by: String,
    /// Assignee (vendor member).
    pub assignee_id: Option<String>,
    /// Your side's follow-up date (the other side's is not shown).
    pub follow_up_on: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Links: `[from, to, kind]`.
    pub links: Vec<[String; 3]>,
    /// RFC 3339.
    pub last_activity_at: String,
    /// RFC 3339.
    pub created_at: String,
}

impl ThreadOut {
    /// Convert with tags and links.
    pub fn from(t: &Thread, tags: Vec<String>, links: Vec<[String; 3]>) -> Self {
        Self {
            id: t.id.clone(),
            relationship_id: t.relationship_id.clone(),
            subject: t.subject.clone(),
            stage: t.stage.clone(),
            status: t.status.clone(),
            opened_by: t.opened_by.clone(),
            assignee_id: t.assignee_id.clone(),
            follow_up_on: t.follow_up_on.clone(),
            tags,
            links,
            last_activity_at: rfc3339(t.last_activity_at),
            created_at: rfc3339(t.created_at),
        }
    }
}

/// A new entry.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EntryIn {
    /// message (to the other side), note (private to your side), event, correction.
    pub kind: String,
    /// The text.
    pub text: Option<String>,
    /// For events: what happened.
    #[schema(value_type = Option<Object>)]
    pub event: Option<EventInput>,
    /// For corrections: the hash of the entry corrected.
    pub corrects: Option<String>,
}

/// An entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct EntryOut {
    /// UUIDv7.
    pub id: String,
    /// Relationship.
    pub relationship_id: String,
    /// Vendor name.
    pub vendor_name: String,
    /// Thread.
    pub thread_id: String,
    /// Thread subject.
    pub subject: String,
    /// Chain position (absent for private notes).
    pub seq: Option<i64>,
    /// Author side.
    pub side: String,
    /// Kind.
    pub kind: String,
    /// RFC 3339.
    pub at: String,
    /// Entry hash (hex).
    pub hash: Option<String>,
    /// The body (absent when erased).
    #[schema(value_type = Option<Object>)]
    pub body: Option<serde_json::Value>,
    /// The body was erased on request.
    pub erased: bool,
    /// Private to this side.
    pub private: bool,
    /// For a correction: the hash of the entry it corrects.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub corrects: Option<String>,
    /// In lists: the id of the latest correction of this entry, if it was corrected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub corrected_by: Option<String>,
}

impl EntryOut {
    /// A page of rows, each corrected entry naming its latest correction.
    pub async fn page(
        store: &slingshot_store::Store,
        rows: &[EntryRow],
    ) -> crate::Result<Vec<Self>> {
        let links = store.correction_links(rows).await?;
        Ok(rows
            .iter()
            .map(|r| Self {
                corrected_by: links.corrected_by.get(&r.id).map(|p| p.id.clone()),
                ..Self::from(r)
            })
            .collect())
    }
}

impl From<&EntryRow> for EntryOut {
    fn from(e: &EntryRow) -> Self {
        Self {
            id: e.id.clone(),
            relationship_id: e.relationship_id.clone(),
            vendor_name: e.vendor_name.clone(),
            thread_id: e.thread_id.clone(),
            subject: e.subject.clone(),
            seq: e.seq,
            side: e.side.clone(),
            kind: e.kind.clone(),
            at: rfc3339(e.at),
            hash: e.hash.clone(),
            body: e.body.as_deref().and_then(|b| serde_json::from_str(b).ok()),
            erased: e.erased_at.is_some(),
            private: e.private_side.is_some(),
            corrects: e.corrects(),
            corrected_by: None,
        }
    }
}

/// Timeline filters.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TimelineQuery {
    /// One relationship.
    pub relationship: Option<String>,
    /// Stage.
    pub stage: Option<String>,
    /// Status.
    pub status: Option<String>,
    /// Tag.
    pub tag: Option<String>,
    /// From this date (YYYY-MM-DD, inclusive).
    pub from: Option<String>,
    /// Until this date (YYYY-MM-DD, exclusive).
    pub to: Option<String>,
    /// Cursor from `next`.
    pub before: Option<String>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
}

/// A page of one relationship's timeline.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// Cursor from `next`.
    pub before: Option<String>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
}

/// A search query.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SearchQuery {
    /// Words to find.
    pub q: String,
    /// At most this many hits (1–100, default 20).
    pub limit: Option<i64>,
    /// Only this relationship (a vendor; for an organization, a customer).
    pub relationship: Option<String>,
    /// Only conversations at this stage.
    pub stage: Option<String>,
    /// Only conversations with this status.
    pub status: Option<String>,
    /// Only conversations with this tag.
    pub tag: Option<String>,
    /// From this date (YYYY-MM-DD, inclusive).
    pub from: Option<String>,
    /// Until this date (YYYY-MM-DD, exclusive).
    pub to: Option<String>,
    /// The `next` of the previous page.
    pub before: Option<String>,
}

/// A search hit.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchHitOut {
    /// Entry id.
    pub entry_id: String,
    /// Relationship.
    pub relationship_id: String,
    /// Thread.
    pub thread_id: String,
    /// RFC 3339.
    pub at: String,
    /// The thread's subject.
    pub subject: String,
    /// The vendor's name.
    pub vendor_name: String,
    /// Excerpt; matches between `<mark>` and `</mark>`. Everything else is the entry's
    /// text as written, not HTML: escape it before showing the snippet as markup.
    pub snippet: String,
}

impl From<&SearchHit> for SearchHitOut {
    fn from(h: &SearchHit) -> Self {
        Self {
            entry_id: h.entry_id.clone(),
            relationship_id: h.relationship_id.clone(),
            thread_id: h.thread_id.clone(),
            at: rfc3339(h.at),
            subject: h.subject.clone(),
            vendor_name: h.vendor_name.clone(),
            snippet: h.snippet.clone(),
        }
    }
}

/// A hit of an organization's search: its customer by their pairwise pseudonym.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgSearchHitOut {
    /// Entry id.
    pub entry_id: String,
    /// Relationship (the customer's).
    pub relationship_id: String,
    /// Thread.
    pub thread_id: String,
    /// RFC 3339.
    pub at: String,
    /// The thread's subject.
    pub subject: String,
    /// The customer's pseudonym.
    pub customer: String,
    /// Excerpt; matches between `<mark>` and `</mark>`. Everything else is the entry's
    /// text as written, not HTML: escape it before showing the snippet as markup.
    pub snippet: String,
}

impl From<&SearchHit> for OrgSearchHitOut {
    fn from(h: &SearchHit) -> Self {
        Self {
            entry_id: h.entry_id.clone(),
            relationship_id: h.relationship_id.clone(),
            thread_id: h.thread_id.clone(),
            at: rfc3339(h.at),
            subject: h.subject.clone(),
            customer: h.pseudonym.clone(),
            snippet: h.snippet.clone(),
        }
    }
}

/// Inbox filters.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct InboxQuery {
    /// Only this status (without it: every thread not resolved or closed).
    pub status: Option<String>,
    /// Only threads assigned to this account id, to `me`, or to `none` (unassigned).
    pub assignee: Option<String>,
    /// Cursor from `next`.
    pub after: Option<String>,
    /// 1–200 (default 200).
    pub limit: Option<i64>,
}

/// The page of a work queue asked for: `after` (a `next` cursor) and `limit` (1–200,
/// default 200); else 400 `invalid_cursor` / `invalid_query`.
pub fn queue_window(
    after: Option<&str>,
    limit: Option<i64>,
) -> crate::Result<slingshot_store::Window> {
    let limit = limit.unwrap_or(200);
    if !(1..=200).contains(&limit) {
        return Err(crate::ServerError::BadRequest(
            "invalid_query",
            "limit is 1 to 200".into(),
        ));
    }
    let offset = match after {
        None => 0,
        Some(c) => c
            .parse::<i64>()
            .ok()
            .filter(|o| (0..=1_000_000).contains(o))
            .ok_or_else(|| {
                crate::ServerError::BadRequest(
                    "invalid_cursor",
                    "after is a cursor a page gave as next".into(),
                )
            })?,
    };
    Ok(slingshot_store::Window { offset, limit })
}

/// The organization's due list: `?date=YYYY-MM-DD` (default today, UTC) and an assignee.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct OrgDueQuery {
    /// Due on or before this date.
    pub date: Option<String>,
    /// Only threads assigned to this account id, to `me`, or to `none` (unassigned).
    pub assignee: Option<String>,
    /// Cursor from `next`.
    pub after: Option<String>,
    /// 1–200 (default 200).
    pub limit: Option<i64>,
}

/// An inbox row.
#[derive(Debug, Serialize, ToSchema)]
pub struct InboxOut {
    /// Thread id.
    pub thread_id: String,
    /// Relationship id.
    pub relationship_id: String,
    /// Customer pseudonym.
    pub customer: String,
    /// Subject.
    pub subject: String,
    /// Stage.
    pub stage: String,
    /// Status.
    pub status: String,
    /// Assignee.
    pub assignee_id: Option<String>,
    /// Assignee's handle.
    pub assignee: Option<String>,
    /// The vendor side's follow-up date, YYYY-MM-DD.
    pub follow_up_on: Option<String>,
    /// Seconds since the customer's last message.
    pub waiting_seconds: Option<i64>,
    /// The customer wrote last and has had no answer since.
    pub awaiting_reply: bool,
}

impl InboxOut {
    /// Convert at `now_us`.
    pub fn from(r: &InboxRow, now_us: i64) -> Self {
        Self {
            thread_id: r.id.clone(),
            relationship_id: r.relationship_id.clone(),
            customer: r.pseudonym.clone(),
            subject: r.subject.clone(),
            stage: r.stage.clone(),
            status: r.status.clone(),
            assignee_id: r.assignee_id.clone(),
            assignee: r.assignee_handle.clone(),
            follow_up_on: r.follow_up_on.clone(),
            waiting_seconds: r.last_customer_at.map(|t| (now_us - t) / 1_000_000),
            awaiting_reply: r.awaiting_reply(),
        }
    }
}

/// A countersigned checkpoint.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckpointOut {
    /// Sequence countersigned.
    pub seq: i64,
    /// Hash countersigned.
    pub hash: String,
    /// Countersigning side.
    pub side: String,
    /// Key id.
    pub key_id: String,
}

/// What an import did.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportOut {
    /// The relationship created.
    pub relationship_id: String,
    /// Entries (by sequence) imported without their attachment file: the exporter left it
    /// out (`"file_left_out":true`), or it was larger than this instance accepts. The
    /// entry and its signed record of the file remain.
    pub files_left_out: Vec<u64>,
}
