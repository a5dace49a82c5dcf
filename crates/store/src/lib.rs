//! Slingshot's database: one data model and one migration history serving SQLite
//! (embedded, the default) and PostgreSQL, chosen from the URL scheme.
//!
//! Every read and write of tenant data names the acting principal and checks it here:
//! a row the actor may not see is [`StoreError::NotFound`], exactly like a missing one.

mod append;
mod audit;
mod connect;
mod corrections;
mod credential_cache;
mod entries;
mod error;
mod export;
mod grants;
mod import_batch;
mod inbox;
mod invites;
mod keys;
mod ledger_sqlite;
mod mail_messages;
mod notify;
mod orgs;
mod privacy;
mod profile;
mod proof;
mod relationships;
mod requests;
mod search;
mod search_layout;
mod search_query;
mod sessions;
mod sql;
mod terms;
#[cfg(test)]
mod test_chain;
#[cfg(feature = "testing")]
pub mod testing;
mod thread_access;
mod threads;
mod tokens;
mod users;
mod watchlist;
mod write_turn;

pub use append::{prepare_entries, ChainTips, PreparedGroup, CHAIN_MOVED};
pub use audit::{AuditEntry, NewAudit};
pub use connect::{Backend, Store};
pub use corrections::{CorrectionLinks, CorrectionTarget, EntryPlace};
pub use credential_cache::CREDENTIAL_TTL;
pub use entries::{
    cursor_of, is_cursor, signer_owner, AttachmentData, AttachmentRow, EntryRow, NewEntry,
    TimelineFilter,
};
pub use error::{Result, StoreError};
pub use export::{
    BundleLink, BundleThread, ChainRow, CheckpointRow, ImportedEntry, ImportedNote, NoteRow,
};
pub use grants::{
    AccessLogRow, ConsentRow, Grant, GrantedProfile, NewAccessLog, NewConsent, Reader,
};
pub use import_batch::{ImportBatch, IMPORT_MOVED};
pub use inbox::{Assigned, InboxRow, Window};
pub use invites::{Invite, InviteView};
pub use keys::StoredKey;
pub use mail_messages::MailThreadRef;
pub use notify::{listen, MAX_NOTICE_BYTES};
pub use orgs::{Member, Org, OrgWithRole};
pub use privacy::{PrivacySettings, RequestTiming};
pub use profile::{ProfileField, MAX_PROFILE_FIELDS};
pub use proof::ProofHeads;
pub use relationships::{NewRelationship, Relationship, RelationshipChange, GENESIS_HASH};
pub use requests::{
    AccessRequest, Closing, ErasureReport, HeldData, HeldEntry, RequestEvent, RequestListRow,
};
pub use search::fts5_query;
pub use search_query::{SearchHit, SearchPage, Searcher};
pub use sessions::Session;
pub use terms::{TermsAnswer, TermsRow};
pub use thread_access::ThreadAccess;
pub use threads::{NewThread, Thread, ThreadChange, ThreadLink};
pub use tokens::ApiToken;
pub use users::User;
pub use watchlist::WatchRun;

/// The current time in microseconds since the Unix epoch.
pub fn now_us() -> i64 {
    let t = time::OffsetDateTime::now_utc();
    (t.unix_timestamp_nanos() / 1000) as i64
}

/// A new UUIDv7 id (time-ordered, so ids sort by creation).
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Microseconds since the epoch as an RFC 3339 UTC string.
pub fn rfc3339(us: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(us) * 1000)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// An RFC 3339 time as microseconds since the epoch.
pub fn parse_rfc3339_us(s: &str) -> Option<i64> {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(|t| (t.unix_timestamp_nanos() / 1000) as i64)
}

/// Midnight UTC of a `YYYY-MM-DD` date as microseconds since the epoch.
pub fn date_start_us(date: &str) -> Option<i64> {
    let d = time::Date::parse(
        date,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()?;
    Some((d.midnight().assume_utc().unix_timestamp_nanos() / 1000) as i64)
}

/// A page of a cursor-paginated list: `next` is the cursor for the following page.
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// The items, in list order.
    pub items: Vec<T>,
    /// Pass as `after` to get the next page; `None` at the end.
    pub next: Option<String>,
}

impl<T> Page<T> {
    /// Split off one extra row fetched to know whether a next page exists.
    pub(crate) fn from_rows(mut rows: Vec<T>, limit: i64, cursor: impl Fn(&T) -> String) -> Self {
        let limit = usize::try_from(limit).unwrap_or(0);
        let next = if rows.len() > limit {
            rows.truncate(limit);
            rows.last().map(&cursor)
        } else {
            None
        };
        Self { items: rows, next }
    }
}

#[cfg(test)]
mod time_tests {
    use slingshot_domain::ledger::LedgerTime;

    /// Every time a bundle may carry is an instant here (an import never dates it 1970).
    #[test]
    fn every_ledger_time_is_an_instant() {
        for t in [
            "2016-12-31T23:59:60Z",
            "2024-02-29T00:00:00Z",
            "2026-11-25T12:45:12.123456789Z",
        ] {
            assert!(LedgerTime::parse(t).is_ok(), "{t}");
            assert!(super::parse_rfc3339_us(t).is_some(), "{t}");
        }
    }
}
