//! The consent record: one grant or withdrawal, with the fields of ISO/IEC TS 27560.

use super::{parse_one, ConsentError, FieldKind, Purpose};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The schema version written into every [`ConsentRecord`].
pub const CONSENT_RECORD_SCHEMA: &str = "slingshot-consent-record-1";

/// How Slingshot collects consent (the record's `collection_method`).
pub const COLLECTION_METHOD: &str = "Slingshot grant";

/// What a record says happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConsentAction {
    /// The person gave consent (a grant).
    Given,
    /// The person withdrew an earlier consent.
    Withdrawn,
}

impl ConsentAction {
    /// Both actions.
    pub const ALL: [ConsentAction; 2] = [Self::Given, Self::Withdrawn];

    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Given => "given",
            Self::Withdrawn => "withdrawn",
        }
    }

    /// Parse a stable name.
    pub fn parse(s: &str) -> Result<Self, ConsentError> {
        parse_one(s, "consent action", &Self::ALL, Self::as_str)
    }
}

impl fmt::Display for ConsentAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The lawful basis of the processing (GDPR art. 6); a Slingshot grant is `consent`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LegalBasis {
    /// The person's consent.
    Consent,
    /// A contract with the person.
    Contract,
    /// A legal obligation of the controller.
    LegalObligation,
    /// The controller's legitimate interest.
    LegitimateInterest,
}

impl LegalBasis {
    /// Every basis.
    pub const ALL: [LegalBasis; 4] = [
        Self::Consent,
        Self::Contract,
        Self::LegalObligation,
        Self::LegitimateInterest,
    ];

    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Consent => "consent",
            Self::Contract => "contract",
            Self::LegalObligation => "legal-obligation",
            Self::LegitimateInterest => "legitimate-interest",
        }
    }

    /// Parse a stable name.
    pub fn parse(s: &str) -> Result<Self, ConsentError> {
        parse_one(s, "legal basis", &Self::ALL, Self::as_str)
    }
}

/// What the controller may do with the data (DPV processing operations).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Processing {
    /// Obtain the data.
    Collect,
    /// Keep the data.
    Store,
    /// Use the data for the purposes.
    Use,
    /// Pass the data to others.
    Share,
    /// Delete the data.
    Erase,
}

impl Processing {
    /// Every operation.
    pub const ALL: [Processing; 5] = [
        Self::Collect,
        Self::Store,
        Self::Use,
        Self::Share,
        Self::Erase,
    ];

    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Collect => "collect",
            Self::Store => "store",
            Self::Use => "use",
            Self::Share => "share",
            Self::Erase => "erase",
        }
    }

    /// Parse a stable name.
    pub fn parse(s: &str) -> Result<Self, ConsentError> {
        parse_one(s, "processing", &Self::ALL, Self::as_str)
    }
}

/// The organization accountable for the data (the PII controller).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Controller {
    /// The organization's name.
    pub name: String,
    /// Where to write about this data (privacy contact).
    pub email: String,
    /// A contact phone number, when the organization gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// The country of the organization's address (ISO 3166-1 alpha-2), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// The organization's privacy policy, as in force when consent was given.
    pub policy_url: String,
}

/// One field the grant covers: its kind and the label the person sees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonalDatum {
    /// The kind of field.
    pub kind: FieldKind,
    /// The field's label ("Home address", "Shoe size", ...).
    pub label: String,
}

/// A record of consent given or withdrawn, with the fields of ISO/IEC TS 27560.
///
/// Fields are public for storage and serde; [`ConsentRecord::check`] says whether the
/// record keeps the rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentRecord {
    /// This record's id (a UUID).
    pub record_id: String,
    /// [`CONSENT_RECORD_SCHEMA`].
    pub schema_version: String,
    /// When consent was given or withdrawn (Unix seconds, UTC).
    pub timestamp: i64,
    /// Given or withdrawn.
    pub action: ConsentAction,
    /// The person, by their pseudonymous id for this controller.
    pub data_subject: String,
    /// The organization.
    pub controller: Controller,
    /// The service the data serves (Kantara `service`).
    pub service: String,
    /// Where the law of the relationship applies (ISO 3166 code, or free text).
    pub jurisdiction: String,
    /// The purposes granted (the first is the primary one).
    pub purposes: Vec<Purpose>,
    /// The fields covered.
    pub personal_data: Vec<PersonalDatum>,
    /// What the controller may do with the data.
    pub processing: Vec<Processing>,
    /// The lawful basis.
    pub legal_basis: LegalBasis,
    /// When the consent ends by itself (Unix seconds), if it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiry: Option<i64>,
    /// The notice the person saw when deciding.
    pub notice_url: String,
    /// How consent was collected ([`COLLECTION_METHOD`]).
    pub collection_method: String,
    /// For a grant, the grant's id; for a withdrawal, the record it withdraws.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub related_record: Option<String>,
    /// The language of the notice (BCP 47, e.g. `en`).
    pub language: String,
}

impl ConsentRecord {
    /// Check the record's rules: a UUID id, the current schema, a non-negative time, a
    /// subject, a controller with a name, an email and a policy, at least one purpose (no
    /// repeats), field and operation, an expiry after the time, and a withdrawal naming the
    /// record it withdraws.
    pub fn check(&self) -> Result<(), ConsentError> {
        let rule = |ok: bool, why: &'static str| {
            if ok {
                Ok(())
            } else {
                Err(ConsentError::InvalidRecord(why))
            }
        };
        rule(
            is_uuid(&self.record_id),
            "a consent record id must be a UUID",
        )?;
        rule(
            self.schema_version == CONSENT_RECORD_SCHEMA,
            "unknown consent record schema version",
        )?;
        rule(self.timestamp >= 0, "a consent time must not be negative")?;
        rule(
            !self.data_subject.trim().is_empty(),
            "a consent record must name its data subject",
        )?;
        let c = &self.controller;
        rule(
            !c.name.trim().is_empty() && c.email.contains('@'),
            "a controller needs a name and a contact email",
        )?;
        rule(
            is_web_url(&c.policy_url) && is_web_url(&self.notice_url),
            "the policy and notice must be http(s) URLs",
        )?;
        rule(
            !self.jurisdiction.trim().is_empty()
                && !self.service.trim().is_empty()
                && !self.language.trim().is_empty()
                && !self.collection_method.trim().is_empty(),
            "jurisdiction, service, language and collection method must not be empty",
        )?;
        rule(
            !self.purposes.is_empty(),
            "a consent record must name at least one purpose",
        )?;
        let mut seen = self.purposes.clone();
        seen.sort_unstable();
        seen.dedup();
        rule(
            seen.len() == self.purposes.len(),
            "a purpose is listed twice",
        )?;
        rule(
            !self.personal_data.is_empty(),
            "a consent record must name at least one field",
        )?;
        rule(
            !self.processing.is_empty(),
            "a consent record must name at least one processing operation",
        )?;
        rule(
            self.expiry.is_none_or(|e| e > self.timestamp),
            "an expiry must come after the consent time",
        )?;
        rule(
            self.action == ConsentAction::Given
                || self
                    .related_record
                    .as_deref()
                    .is_some_and(|r| !r.trim().is_empty()),
            "a withdrawal must name the record it withdraws",
        )
    }

    /// The withdrawal of this record: the same subject, controller, purposes and fields,
    /// `action` withdrawn at `timestamp`, no expiry, and `related_record` naming this record.
    pub fn withdrawal(&self, record_id: impl Into<String>, timestamp: i64) -> ConsentRecord {
        ConsentRecord {
            record_id: record_id.into(),
            timestamp,
            action: ConsentAction::Withdrawn,
            expiry: None,
            related_record: Some(self.record_id.clone()),
            ..self.clone()
        }
    }

    /// Is any covered field sensitive?
    pub fn is_sensitive(&self) -> bool {
        self.personal_data.iter().any(|d| d.kind.is_sensitive())
    }
}

/// `8-4-4-4-12` hexadecimal digits.
fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

fn is_web_url(s: &str) -> bool {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.contains(char::is_whitespace))
}

#[cfg(test)]
mod tests {
    use super::super::tests_support::grant;
    use super::*;

    #[test]
    fn a_grant_and_its_withdrawal_keep_the_rules() {
        let g = grant();
        g.check().unwrap();
        let w = g.withdrawal("2f1e0c4e-8a55-4c55-9b1f-0d5a4c3b2a10", g.timestamp + 60);
        w.check().unwrap();
        assert_eq!(w.action, ConsentAction::Withdrawn);
        assert_eq!(w.related_record.as_deref(), Some(g.record_id.as_str()));
        assert_eq!(w.purposes, g.purposes);
        assert!(g.is_sensitive());
    }

    #[test]
    fn broken_records_are_refused_with_the_rule() {
        let why = |f: fn(&mut ConsentRecord)| {
            let mut r = grant();
            f(&mut r);
            r.check().unwrap_err().to_string()
        };
        assert!(why(|r| r.record_id = "42".into()).contains("UUID"));
        assert!(why(|r| r.purposes.clear()).contains("at least one purpose"));
        assert!(why(|r| r.purposes.push(Purpose::ServiceProvision)).contains("twice"));
        assert!(why(|r| r.personal_data.clear()).contains("at least one field"));
        assert!(why(|r| r.expiry = Some(r.timestamp)).contains("expiry"));
        assert!(why(|r| r.controller.email = "nobody".into()).contains("contact email"));
        assert!(why(|r| r.controller.policy_url = "ftp://x".into()).contains("URLs"));
        assert!(why(|r| {
            r.action = ConsentAction::Withdrawn;
            r.related_record = None;
        })
        .contains("withdrawal"));
    }

    #[test]
    fn records_round_trip_through_serde() {
        let g = grant();
        let json = serde_json::to_value(&g).unwrap();
        assert_eq!(json["action"], "given");
        assert_eq!(json["purposes"][0], "service-provision");
        assert_eq!(json["personal_data"][0]["kind"], "name");
        assert_eq!(json["legal_basis"], "consent");
        let back: ConsentRecord = serde_json::from_value(json).unwrap();
        assert_eq!(back, g);
        assert_eq!(
            LegalBasis::parse("legal-obligation").unwrap(),
            LegalBasis::LegalObligation
        );
        assert_eq!(Processing::parse("store").unwrap(), Processing::Store);
        assert_eq!(
            ConsentAction::parse("withdrawn").unwrap().to_string(),
            "withdrawn"
        );
    }
}
