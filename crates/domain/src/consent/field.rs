//! Kinds of personal data a grant can cover, mapped to Kantara v1.1 PII categories.

use super::{parse_one, ConsentError};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The kind of a personal-data field a person can share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FieldKind {
    /// A person's name.
    Name,
    /// An email address.
    Email,
    /// A telephone number.
    Phone,
    /// A postal address.
    PostalAddress,
    /// A date of birth.
    Birthdate,
    /// A stated preference (sizes, diet, how to be contacted, ...).
    Preference,
    /// A field the person defined; its label says what it holds.
    Custom,
}

impl FieldKind {
    /// Every kind, in display order.
    pub const ALL: [FieldKind; 7] = [
        Self::Name,
        Self::Email,
        Self::Phone,
        Self::PostalAddress,
        Self::Birthdate,
        Self::Preference,
        Self::Custom,
    ];

    /// The stable name (kebab-case), as stored and serialized.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Email => "email",
            Self::Phone => "phone",
            Self::PostalAddress => "postal-address",
            Self::Birthdate => "birthdate",
            Self::Preference => "preference",
            Self::Custom => "custom",
        }
    }

    /// A short human label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Name => "Name",
            Self::Email => "Email address",
            Self::Phone => "Phone number",
            Self::PostalAddress => "Postal address",
            Self::Birthdate => "Date of birth",
            Self::Preference => "Preference",
            Self::Custom => "Other",
        }
    }

    /// The Kantara Consent Receipt v1.1 PII category (`piiCategory`, appendix "Categories of
    /// Personal Data").
    ///
    /// A stated preference is "16 - Profile" (data volunteered by the person that changes
    /// what is presented to them); a custom field, whose content is not known, is counted as
    /// general "1 - Biographical" information.
    pub fn kantara_category(self) -> &'static str {
        match self {
            Self::Name | Self::Birthdate | Self::Custom => "1 - Biographical",
            Self::Email | Self::Phone | Self::PostalAddress => "2 - Contact",
            Self::Preference => "16 - Profile",
        }
    }

    /// Is this kind sensitive (Kantara `sensitive` / `spiCat`)?
    ///
    /// Only the date of birth is. It is not a special category under GDPR art. 9, but with a
    /// name it is the usual secret for identity checks (so a key to identity theft) and it
    /// reveals age, a ground of discrimination; receipts flag it so that people see it.
    pub fn is_sensitive(self) -> bool {
        matches!(self, Self::Birthdate)
    }

    /// Parse a stable name.
    pub fn parse(s: &str) -> Result<Self, ConsentError> {
        parse_one(s, "field kind", &Self::ALL, Self::as_str)
    }
}

impl fmt::Display for FieldKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for FieldKind {
    type Err = ConsentError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_str_and_serde() {
        for k in FieldKind::ALL {
            assert_eq!(k.as_str().parse::<FieldKind>().unwrap(), k);
            assert_eq!(
                serde_json::to_string(&k).unwrap(),
                format!("\"{}\"", k.as_str())
            );
            assert!(!k.label().is_empty());
        }
        assert!("ssn".parse::<FieldKind>().is_err());
    }

    #[test]
    fn only_the_birthdate_is_sensitive() {
        let sensitive: Vec<_> = FieldKind::ALL
            .into_iter()
            .filter(|k| k.is_sensitive())
            .collect();
        assert_eq!(sensitive, [FieldKind::Birthdate]);
        assert_eq!(FieldKind::PostalAddress.kantara_category(), "2 - Contact");
    }
}
