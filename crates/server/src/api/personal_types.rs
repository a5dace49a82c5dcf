//! JSON shapes of the personal-data API: vault, grants, consent receipts, access log,
//! terms, requests, privacy settings and public figures.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use slingshot_store::{
    rfc3339, AccessLogRow, AccessRequest, ConsentRow, Grant, ProfileField, RequestEvent, TermsRow,
};
use utoipa::ToSchema;

/// A profile field.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldOut {
    /// UUIDv7.
    pub id: String,
    /// name, email, phone, postal-address, birthdate, preference, custom.
    pub kind: String,
    /// Your label.
    pub label: String,
    /// The value.
    pub value: String,
    /// RFC 3339.
    pub updated_at: String,
}

impl From<&ProfileField> for FieldOut {
    fn from(f: &ProfileField) -> Self {
        Self {
            id: f.id.clone(),
            kind: f.kind.clone(),
            label: f.label.clone(),
            value: f.value.clone(),
            updated_at: rfc3339(f.updated_at),
        }
    }
}

/// A new profile field.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldIn {
    /// name, email, phone, postal-address, birthdate (YYYY-MM-DD), preference, custom.
    pub kind: String,
    /// Your label (defaults to the kind's name).
    pub label: Option<String>,
    /// The value (1–2,000 characters).
    pub value: String,
}

/// A change to a field.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldPatch {
    /// New label.
    pub label: Option<String>,
    /// New value.
    pub value: Option<String>,
}

/// A new grant.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantIn {
    /// The relationship with the organization.
    pub relationship: String,
    /// service-provision, delivery, billing, customer-support, marketing, personalisation,
    /// research, fraud-prevention, legal-compliance.
    pub purpose: String,
    /// Your profile field ids.
    pub fields: Vec<String>,
    /// RFC 3339; at most five years away.
    pub expires_at: String,
}

/// A grant.
#[derive(Debug, Serialize, ToSchema)]
pub struct GrantOut {
    /// UUIDv7.
    pub id: String,
    /// The organization.
    pub org_id: String,
    /// The relationship.
    pub relationship_id: String,
    /// The purpose.
    pub purpose: String,
    /// Field ids.
    pub fields: Vec<String>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub expires_at: String,
    /// RFC 3339, when revoked.
    pub revoked_at: Option<String>,
    /// active, revoked or expired.
    pub status: String,
    /// The consent record written by this call (grant or revocation).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consent_record: Option<String>,
}

impl GrantOut {
    /// The grant as of `now_us`.
    pub fn of(g: &Grant, now_us: i64, consent_record: Option<String>) -> Self {
        let status = if g.revoked_at.is_some() {
            "revoked"
        } else if g.expires_at <= now_us {
            "expired"
        } else {
            "active"
        };
        Self {
            id: g.id.clone(),
            org_id: g.org_id.clone(),
            relationship_id: g.relationship_id.clone(),
            purpose: g.purpose.clone(),
            fields: g.field_ids.clone(),
            created_at: rfc3339(g.created_at),
            expires_at: rfc3339(g.expires_at),
            revoked_at: g.revoked_at.map(rfc3339),
            status: status.into(),
            consent_record,
        }
    }
}

/// A consent record with its signed Kantara receipt.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsentOut {
    /// UUID of the record (and of the receipt).
    pub id: String,
    /// given or withdrawn.
    pub action: String,
    /// The grant.
    pub grant_id: String,
    /// The organization.
    pub org_id: String,
    /// RFC 3339.
    pub created_at: String,
    /// The ISO/IEC TS 27560 record.
    #[schema(value_type = Object)]
    pub record: Value,
    /// The Kantara Consent Receipt v1.1 (the JWS payload).
    #[schema(value_type = Object)]
    pub receipt: Value,
    /// The receipt signed by this instance (compact JWS, EdDSA); `slingshot verify` checks it.
    pub jws: String,
}

impl ConsentOut {
    /// Decode the stored record and the receipt's payload.
    pub fn of(c: &ConsentRow) -> Self {
        let receipt = c
            .receipt
            .split('.')
            .nth(1)
            .and_then(|p| {
                use base64::Engine;
                base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(p)
                    .ok()
            })
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or(Value::Null);
        Self {
            id: c.id.clone(),
            action: c.action.clone(),
            grant_id: c.grant_id.clone(),
            org_id: c.org_id.clone(),
            created_at: rfc3339(c.created_at),
            record: serde_json::from_str(&c.record).unwrap_or(Value::Null),
            receipt,
            jws: c.receipt.clone(),
        }
    }
}

/// One read of granted data.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccessLogOut {
    /// UUIDv7.
    pub id: String,
    /// RFC 3339.
    pub at: String,
    /// The organization.
    pub org_id: String,
    /// Its name.
    pub org_name: String,
    /// The member who read.
    pub reader: String,
    /// "session" or "token NAME".
    pub via: String,
    /// The purpose stated.
    pub purpose: String,
    /// Labels of the fields returned.
    pub fields: Vec<String>,
}

impl From<&AccessLogRow> for AccessLogOut {
    fn from(a: &AccessLogRow) -> Self {
        Self {
            id: a.id.clone(),
            at: rfc3339(a.at),
            org_id: a.org_id.clone(),
            org_name: a.org_name.clone(),
            reader: a.reader_handle.clone(),
            via: a.via.clone(),
            purpose: a.purpose.clone(),
            fields: serde_json::from_str(&a.fields).unwrap_or_default(),
        }
    }
}

/// What an organization may read of a customer.
#[derive(Debug, Serialize, ToSchema)]
pub struct GrantedProfileOut {
    /// The customer's pseudonym.
    pub pseudonym: String,
    /// The purpose stated.
    pub purpose: String,
    /// Granted, still valid fields.
    pub fields: Vec<GrantedFieldOut>,
    /// The grants used: (id, expires_at).
    pub grants: Vec<GrantRefOut>,
    /// The access-log entry this read wrote (the customer sees it).
    pub access_log_id: String,
}

/// One granted field.
#[derive(Debug, Serialize, ToSchema)]
pub struct GrantedFieldOut {
    /// Kind.
    pub kind: String,
    /// Label.
    pub label: String,
    /// Value.
    pub value: String,
}

/// A grant used by a read.
#[derive(Debug, Serialize, ToSchema)]
pub struct GrantRefOut {
    /// Grant id.
    pub id: String,
    /// RFC 3339.
    pub expires_at: String,
}

/// A proffer.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TermsIn {
    /// Organization id or handle.
    pub org: String,
    /// A term id from `GET /terms-list`.
    pub term: String,
}

/// The organization's answer.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TermsAnswerIn {
    /// accepted, counter or rejected.
    pub response: String,
    /// For `counter`: another term id from the list.
    pub counter_term: Option<String>,
}

/// A terms record as both sides keep it.
#[derive(Debug, Serialize, ToSchema)]
pub struct TermsOut {
    /// UUIDv7.
    pub id: String,
    /// The organization.
    pub org_id: String,
    /// The term.
    pub term: String,
    /// The term's title.
    pub title: String,
    /// The list version.
    pub list_version: String,
    /// RFC 3339.
    pub proffered_at: String,
    /// accepted, counter, rejected; absent while pending.
    pub response: Option<String>,
    /// The alternative proposed.
    pub counter_term: Option<String>,
    /// RFC 3339.
    pub responded_at: Option<String>,
    /// The shared record (RFC 8785 canonical JSON is what is signed).
    #[schema(value_type = Object)]
    pub record: Value,
    /// Signatures: the person's over the proffer, the organization's over the answer.
    pub signatures: Vec<SignatureOut>,
}

/// One signature.
#[derive(Debug, Serialize, ToSchema)]
pub struct SignatureOut {
    /// customer or vendor.
    pub side: String,
    /// Key id.
    pub key_id: String,
    /// Ed25519 signature, base64url.
    pub signature: String,
    /// What was signed: the canonical JSON of the record at that moment.
    pub signed: String,
}

/// One term of the published list.
#[derive(Debug, Serialize, ToSchema)]
pub struct TermInfo {
    /// Stable id.
    pub id: String,
    /// Short title.
    pub title: String,
    /// Full text.
    pub text: String,
}

/// A new request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestIn {
    /// Organization id or handle (you must have a relationship with it).
    pub org: String,
    /// access, correction, deletion, portability, objection.
    pub kind: String,
    /// Your request in your own words.
    pub body: String,
    /// Profile field ids (required for corrections).
    #[serde(default)]
    pub fields: Vec<String>,
}

/// An extension.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtendIn {
    /// Why more time is needed (the person is told).
    pub reason: String,
    /// Extra business days (default and maximum: the original response time).
    pub business_days: Option<u32>,
}

/// An answer, in full or in part.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerIn {
    /// What was done (required for corrections and objections).
    pub answer: Option<String>,
    /// For a partial refusal: why the rest is refused.
    pub reasons: Option<String>,
    /// For a partial refusal: the person's recourse.
    pub recourse: Option<String>,
}

/// A refusal.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefuseIn {
    /// Why (required).
    pub reasons: Option<String>,
    /// Where the person can turn, and how (required).
    pub recourse: Option<String>,
}

/// A request.
#[derive(Debug, Serialize, ToSchema)]
pub struct RequestOut {
    /// UUIDv7.
    pub id: String,
    /// The organization.
    pub org_id: String,
    /// Its name.
    pub org_name: String,
    /// The person's pseudonym (what the organization knows them by).
    pub pseudonym: String,
    /// Kind.
    pub kind: String,
    /// The person's words.
    pub body: String,
    /// Field ids (corrections).
    pub fields: Vec<String>,
    /// received, extended, answered, refused, partially_refused, withdrawn.
    pub state: String,
    /// RFC 3339.
    pub received_at: String,
    /// Receipt date in the organization's zone.
    pub received_on: String,
    /// Current due date (end of that day in `time_zone`).
    pub due_on: String,
    /// RFC 3339: the end of the due day.
    pub due_at: String,
    /// Due date before any extension.
    pub first_due_on: String,
    /// Business days of the response time.
    pub business_days: i64,
    /// The organization's zone.
    pub time_zone: String,
    /// Open and past due.
    pub overdue: bool,
    /// Why it was extended.
    pub extension_reason: Option<String>,
    /// The answer.
    pub answer: Option<String>,
    /// Refusal reasons.
    pub refusal_reasons: Option<String>,
    /// The person's recourse.
    pub recourse: Option<String>,
    /// What a deletion erased.
    #[schema(value_type = Option<Object>)]
    pub erasure_report: Option<Value>,
    /// An export is attached (`GET /requests/{id}/export`).
    pub has_export: bool,
    /// RFC 3339.
    pub closed_at: Option<String>,
    /// History, oldest first (only on single requests).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<RequestEventOut>,
}

impl RequestOut {
    /// The request at `now_us`.
    pub fn of(r: &AccessRequest, org_name: &str, pseudonym: &str, now_us: i64) -> Self {
        let has_export = matches!(r.kind.as_str(), "access" | "portability")
            && matches!(r.state.as_str(), "answered" | "partially_refused");
        Self {
            id: r.id.clone(),
            org_id: r.org_id.clone(),
            org_name: org_name.to_owned(),
            pseudonym: pseudonym.to_owned(),
            kind: r.kind.clone(),
            body: r.body.clone(),
            fields: serde_json::from_str(&r.fields).unwrap_or_default(),
            state: r.state.clone(),
            received_at: rfc3339(r.received_at),
            received_on: r.received_on.clone(),
            due_on: r.due_on.clone(),
            due_at: rfc3339(r.due_at),
            first_due_on: r.first_due_on.clone(),
            business_days: r.business_days,
            time_zone: r.time_zone.clone(),
            overdue: crate::personal::requests::is_overdue(r, now_us),
            extension_reason: r.extension_reason.clone(),
            answer: r.answer.clone(),
            refusal_reasons: r.refusal_reasons.clone(),
            recourse: r.recourse.clone(),
            erasure_report: r
                .erasure_report
                .as_deref()
                .and_then(|s| serde_json::from_str(s).ok()),
            has_export,
            closed_at: r.closed_at.map(rfc3339),
            events: Vec::new(),
        }
    }
}

/// One event of a request.
#[derive(Debug, Serialize, ToSchema)]
pub struct RequestEventOut {
    /// RFC 3339.
    pub at: String,
    /// What happened.
    pub kind: String,
    /// In words.
    pub text: String,
}

impl From<&RequestEvent> for RequestEventOut {
    fn from(e: &RequestEvent) -> Self {
        Self {
            at: rfc3339(e.at),
            kind: e.kind.clone(),
            text: e.text.clone(),
        }
    }
}

/// An organization's privacy settings.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PrivacyIn {
    /// Business days to answer a request (1–90; default 30).
    pub response_days: u32,
    /// IANA time zone, e.g. "America/Toronto".
    pub time_zone: String,
    /// Weekend days, e.g. "sat,sun".
    pub weekend: String,
    /// Holidays: one YYYY-MM-DD per line, `#` comments.
    #[serde(default)]
    pub holidays: String,
    /// A holiday on a weekend gives the next business day off.
    #[serde(default = "yes")]
    pub observe_weekend_holidays: bool,
    /// Jurisdiction (ISO 3166, e.g. "CA-ON").
    #[serde(default)]
    pub jurisdiction: String,
    /// Privacy policy address (http or https).
    #[serde(default)]
    pub policy_url: String,
    /// Privacy contact e-mail (required before customers can grant data).
    #[serde(default)]
    pub contact_email: String,
}

fn yes() -> bool {
    true
}

/// An organization's public privacy profile.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicProfileOut {
    /// Handle.
    pub handle: String,
    /// Name.
    pub name: String,
    /// Verified by the instance's administrators.
    pub verified: bool,
    /// Its settings.
    pub privacy: PrivacyIn,
    /// Terms it accepted from customers: (term id, title, how many customers).
    pub accepted_terms: Vec<AcceptedTermOut>,
    /// How it answers requests.
    #[schema(value_type = Object)]
    pub figures: Value,
}

/// A term the organization accepted.
#[derive(Debug, Serialize, ToSchema)]
pub struct AcceptedTermOut {
    /// Term id.
    pub term: String,
    /// Title.
    pub title: String,
    /// Customers it accepted it from.
    pub customers: i64,
}

/// Query of the granted-profile read.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PurposeQuery {
    /// The purpose of this read (required; logged).
    pub purpose: String,
}

/// Terms record helpers.
pub fn terms_out(row: &TermsRow, record: Value, signatures: Vec<SignatureOut>) -> TermsOut {
    let title = slingshot_domain::consent::Term::parse(&row.term)
        .map(|t| t.title().to_owned())
        .unwrap_or_default();
    TermsOut {
        id: row.id.clone(),
        org_id: row.org_id.clone(),
        term: row.term.clone(),
        title,
        list_version: row.list_version.clone(),
        proffered_at: rfc3339(row.proffered_at),
        response: row.response.clone(),
        counter_term: row.counter_term.clone(),
        responded_at: row.responded_at.map(rfc3339),
        record,
        signatures,
    }
}
