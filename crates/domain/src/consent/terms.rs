//! Terms the customer proffers, in the manner of IEEE 7012 ("MyTerms"): the person picks a
//! term from a short published list, the organization accepts it, rejects it or proposes
//! another term from the same list. Both sides keep a signed [`TermsRecord`].

use super::{parse_one, ConsentError};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The version of the published list of terms; every [`TermsRecord`] names it.
pub const TERMS_LIST_VERSION: &str = "slingshot-terms-2026-1";

/// A term a person can proffer, from the published list [`TERMS_LIST_VERSION`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Term {
    /// `service-only`: use my data only to provide the service.
    ServiceOnly,
    /// `no-sale-no-sharing`: do not sell or share my data.
    NoSaleNoSharing,
    /// `no-tracking`: no tracking beyond the service.
    NoTracking,
    /// `delete-on-end`: delete my data within 30 days after the relationship ends.
    DeleteOnEnd,
    /// `contact-on-request`: contact me only about what I asked for.
    ContactOnRequest,
}

impl Term {
    /// The published list, in display order.
    pub const ALL: [Term; 5] = [
        Self::ServiceOnly,
        Self::NoSaleNoSharing,
        Self::NoTracking,
        Self::DeleteOnEnd,
        Self::ContactOnRequest,
    ];

    /// The stable id (never reused for another text).
    pub fn id(self) -> &'static str {
        match self {
            Self::ServiceOnly => "service-only",
            Self::NoSaleNoSharing => "no-sale-no-sharing",
            Self::NoTracking => "no-tracking",
            Self::DeleteOnEnd => "delete-on-end",
            Self::ContactOnRequest => "contact-on-request",
        }
    }

    /// A short title.
    pub fn title(self) -> &'static str {
        match self {
            Self::ServiceOnly => "Service only",
            Self::NoSaleNoSharing => "No sale, no sharing",
            Self::NoTracking => "No tracking",
            Self::DeleteOnEnd => "Delete when we part",
            Self::ContactOnRequest => "Contact on request",
        }
    }

    /// The full text the organization agrees to.
    pub fn text(self) -> &'static str {
        match self {
            Self::ServiceOnly => {
                "Use my data only to provide the service in this relationship."
            }
            Self::NoSaleNoSharing => {
                "Do not sell or share my data with third parties."
            }
            Self::NoTracking => {
                "No tracking beyond the service: no cross-site tracking, no profiling for advertising."
            }
            Self::DeleteOnEnd => {
                "Delete my data within 30 days after the relationship ends."
            }
            Self::ContactOnRequest => "Contact me only about what I asked for.",
        }
    }

    /// Parse a stable id; ids not on the list are refused.
    pub fn parse(s: &str) -> Result<Self, ConsentError> {
        parse_one(s, "term", &Self::ALL, Self::id)
    }
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl FromStr for Term {
    type Err = ConsentError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// The organization's answer to a proffered term.
///
/// Serialized as `{"response":"accepted"}`, `{"response":"rejected"}` or
/// `{"response":"counter-proposed","term":"no-tracking"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "response", content = "term", rename_all = "kebab-case")]
pub enum TermResponse {
    /// The organization agrees to the term.
    Accepted,
    /// The organization proposes another term from the list instead.
    CounterProposed(Term),
    /// The organization declines.
    Rejected,
}

/// Check a response against the proffered term: a counter-proposal must name a different
/// term (any [`Term`] is on the published list by construction).
pub fn check_response(proffered: Term, response: &TermResponse) -> Result<(), ConsentError> {
    match response {
        TermResponse::CounterProposed(t) if *t == proffered => {
            Err(ConsentError::CounterSameTerm(proffered.id()))
        }
        _ => Ok(()),
    }
}

/// A proffered term and, once given, the organization's response; signed by both sides
/// over [`TermsRecord::canonical_json`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermsRecord {
    /// This record's id.
    pub id: String,
    /// The person, by their pseudonymous id for this organization.
    pub person: String,
    /// The organization's id.
    pub org: String,
    /// The term the person proffered.
    pub term: Term,
    /// The list the term comes from ([`TERMS_LIST_VERSION`]).
    pub list_version: String,
    /// When the person proffered the term (Unix seconds).
    pub proffered_at: i64,
    /// The organization's response, once given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<TermResponse>,
    /// When the organization responded (Unix seconds), once it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub responded_at: Option<i64>,
}

impl TermsRecord {
    /// Check the record: ids present, the current list, a response and its time together
    /// (not before the proffer), and a valid counter-proposal.
    pub fn check(&self) -> Result<(), ConsentError> {
        if self.id.trim().is_empty() || self.person.trim().is_empty() || self.org.trim().is_empty()
        {
            return Err(ConsentError::InvalidRecord(
                "a terms record needs an id, a person and an organization",
            ));
        }
        if self.list_version != TERMS_LIST_VERSION {
            return Err(ConsentError::InvalidRecord(
                "a terms record must name the current list of terms",
            ));
        }
        match (&self.response, self.responded_at) {
            (None, None) => Ok(()),
            (Some(r), Some(at)) if at >= self.proffered_at => check_response(self.term, r),
            (Some(_), Some(_)) => Err(ConsentError::InvalidRecord(
                "a response cannot come before the term was proffered",
            )),
            _ => Err(ConsentError::InvalidRecord(
                "a response and its time go together",
            )),
        }
    }

    /// The RFC 8785 (JCS) canonical JSON of the record: the bytes both sides sign.
    pub fn canonical_json(&self) -> Result<String, ConsentError> {
        serde_jcs::to_string(self).map_err(|e| ConsentError::Canonical(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> TermsRecord {
        TermsRecord {
            id: "t-1".into(),
            person: "p-7f3a".into(),
            org: "northwind".into(),
            term: Term::NoSaleNoSharing,
            list_version: TERMS_LIST_VERSION.into(),
            proffered_at: 1_790_000_000,
            response: None,
            responded_at: None,
        }
    }

    #[test]
    fn the_published_list_has_stable_ids() {
        let ids: Vec<_> = Term::ALL.iter().map(|t| t.id()).collect();
        assert_eq!(
            ids,
            [
                "service-only",
                "no-sale-no-sharing",
                "no-tracking",
                "delete-on-end",
                "contact-on-request"
            ]
        );
        for t in Term::ALL {
            assert_eq!(t.id().parse::<Term>().unwrap(), t);
            assert_eq!(
                serde_json::to_string(&t).unwrap(),
                format!("\"{}\"", t.id())
            );
            assert!(!t.title().is_empty() && t.text().ends_with('.'));
        }
        assert!(Term::parse("sell-everything")
            .unwrap_err()
            .to_string()
            .contains("unknown term"));
    }

    #[test]
    fn a_counter_proposal_must_name_another_term() {
        let p = Term::NoTracking;
        check_response(p, &TermResponse::Accepted).unwrap();
        check_response(p, &TermResponse::Rejected).unwrap();
        check_response(p, &TermResponse::CounterProposed(Term::ServiceOnly)).unwrap();
        assert_eq!(
            check_response(p, &TermResponse::CounterProposed(p)).unwrap_err(),
            ConsentError::CounterSameTerm("no-tracking")
        );
        // A term outside the list cannot even be read.
        let bad = r#"{"response":"counter-proposed","term":"do-what-you-like"}"#;
        assert!(serde_json::from_str::<TermResponse>(bad).is_err());
    }

    #[test]
    fn responses_serialize_with_a_tag() {
        let c = TermResponse::CounterProposed(Term::DeleteOnEnd);
        assert_eq!(
            serde_json::to_string(&c).unwrap(),
            r#"{"response":"counter-proposed","term":"delete-on-end"}"#
        );
        assert_eq!(
            serde_json::to_string(&TermResponse::Accepted).unwrap(),
            r#"{"response":"accepted"}"#
        );
        assert_eq!(
            serde_json::from_str::<TermResponse>(r#"{"response":"rejected"}"#).unwrap(),
            TermResponse::Rejected
        );
    }

    #[test]
    fn records_check_their_rules_and_have_one_canonical_form() {
        let mut r = record();
        r.check().unwrap();
        assert_eq!(
            r.canonical_json().unwrap(),
            r#"{"id":"t-1","list_version":"slingshot-terms-2026-1","org":"northwind","person":"p-7f3a","proffered_at":1790000000,"term":"no-sale-no-sharing"}"#
        );
        r.response = Some(TermResponse::CounterProposed(Term::ServiceOnly));
        assert!(r.check().is_err(), "a response needs its time");
        r.responded_at = Some(r.proffered_at - 1);
        assert!(r.check().is_err(), "not before the proffer");
        r.responded_at = Some(r.proffered_at + 5);
        r.check().unwrap();
        assert!(r
            .canonical_json()
            .unwrap()
            .contains(r#""response":{"response":"counter-proposed","term":"service-only"}"#));
        r.response = Some(TermResponse::CounterProposed(Term::NoSaleNoSharing));
        assert!(r.check().is_err());
        let mut old = record();
        old.list_version = "slingshot-terms-2025-1".into();
        assert!(old.check().is_err());
    }
}
