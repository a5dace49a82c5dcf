//! Why an organization may use a person's data: a fixed list of purposes, each mapped to the
//! W3C Data Privacy Vocabulary (DPV) and to the Kantara Consent Receipt v1.1 purpose categories.

use super::{parse_one, ConsentError};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A purpose a person can grant, modelled on W3C DPV / ISO/IEC TS 27560 purposes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Purpose {
    /// Provide the service the person uses.
    ServiceProvision,
    /// Deliver goods the person ordered.
    Delivery,
    /// Bill the person and take payment.
    Billing,
    /// Answer the person's support requests.
    CustomerSupport,
    /// Tell the person about the organization's other products.
    Marketing,
    /// Tailor the service to the person.
    Personalisation,
    /// Research and improve products and services.
    Research,
    /// Detect and prevent fraud.
    FraudPrevention,
    /// Meet legal obligations (record keeping, requests by authorities).
    LegalCompliance,
}

impl Purpose {
    /// Every purpose, in display order.
    pub const ALL: [Purpose; 9] = [
        Self::ServiceProvision,
        Self::Delivery,
        Self::Billing,
        Self::CustomerSupport,
        Self::Marketing,
        Self::Personalisation,
        Self::Research,
        Self::FraudPrevention,
        Self::LegalCompliance,
    ];

    /// The stable name (kebab-case), as stored and serialized.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ServiceProvision => "service-provision",
            Self::Delivery => "delivery",
            Self::Billing => "billing",
            Self::CustomerSupport => "customer-support",
            Self::Marketing => "marketing",
            Self::Personalisation => "personalisation",
            Self::Research => "research",
            Self::FraudPrevention => "fraud-prevention",
            Self::LegalCompliance => "legal-compliance",
        }
    }

    /// A short human label.
    pub fn label(self) -> &'static str {
        match self {
            Self::ServiceProvision => "Service provision",
            Self::Delivery => "Delivery",
            Self::Billing => "Billing",
            Self::CustomerSupport => "Customer support",
            Self::Marketing => "Marketing",
            Self::Personalisation => "Personalisation",
            Self::Research => "Research and development",
            Self::FraudPrevention => "Fraud prevention",
            Self::LegalCompliance => "Legal compliance",
        }
    }

    /// A sentence for people (the Kantara `purpose` text).
    pub fn description(self) -> &'static str {
        match self {
            Self::ServiceProvision => "To provide the service you use",
            Self::Delivery => "To deliver what you ordered",
            Self::Billing => "To bill you and take payment",
            Self::CustomerSupport => "To answer your support requests",
            Self::Marketing => "To tell you about our other products and services",
            Self::Personalisation => "To tailor our service to you",
            Self::Research => "To research and improve our products and services",
            Self::FraudPrevention => "To detect and prevent fraud",
            Self::LegalCompliance => "To comply with our legal obligations",
        }
    }

    /// The closest W3C DPV purpose concept, as an IRI.
    pub fn dpv_iri(self) -> &'static str {
        match self {
            Self::ServiceProvision => "https://w3id.org/dpv#ServiceProvision",
            Self::Delivery => "https://w3id.org/dpv#DeliveryOfGoods",
            Self::Billing => "https://w3id.org/dpv#PaymentManagement",
            Self::CustomerSupport => "https://w3id.org/dpv#CustomerCare",
            Self::Marketing => "https://w3id.org/dpv#Marketing",
            Self::Personalisation => "https://w3id.org/dpv#Personalisation",
            Self::Research => "https://w3id.org/dpv#ResearchAndDevelopment",
            Self::FraudPrevention => "https://w3id.org/dpv#FraudPreventionAndDetection",
            Self::LegalCompliance => "https://w3id.org/dpv#LegalCompliance",
        }
    }

    /// The Kantara Consent Receipt v1.1 purpose category (`purposeCategory`), spelled as in
    /// the specification's example receipt.
    ///
    /// Billing has no category of its own: it is part of the contracted service.
    pub fn kantara_category(self) -> &'static str {
        match self {
            Self::ServiceProvision | Self::Billing => "2 - Contracted Service",
            Self::Delivery => "3 - Delivery",
            Self::CustomerSupport => "4 - Contact Requested",
            Self::Personalisation => "5 - Personalize Experience",
            Self::Marketing => "6 - Marketing",
            Self::LegalCompliance => "12 - Legally Required Data Retention",
            Self::FraudPrevention => "15 - Protecting Our Interests",
            Self::Research => "16 - Improve Performance",
        }
    }

    /// Parse a stable name.
    pub fn parse(s: &str) -> Result<Self, ConsentError> {
        parse_one(s, "purpose", &Self::ALL, Self::as_str)
    }
}

impl fmt::Display for Purpose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Purpose {
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
        for p in Purpose::ALL {
            assert_eq!(p.as_str().parse::<Purpose>().unwrap(), p);
            assert_eq!(p.to_string(), p.as_str());
            let json = serde_json::to_string(&p).unwrap();
            assert_eq!(json, format!("\"{}\"", p.as_str()));
            assert_eq!(serde_json::from_str::<Purpose>(&json).unwrap(), p);
            assert!(p.dpv_iri().starts_with("https://w3id.org/dpv#"));
            assert!(!p.label().is_empty() && !p.description().is_empty());
        }
    }

    #[test]
    fn unknown_purposes_are_refused_with_the_list() {
        let e = "advertising".parse::<Purpose>().unwrap_err();
        assert!(e.to_string().contains("unknown purpose 'advertising'"));
        assert!(e.to_string().contains("service-provision, delivery"));
    }

    #[test]
    fn kantara_categories_use_the_example_spelling() {
        assert_eq!(
            Purpose::ServiceProvision.kantara_category(),
            "2 - Contracted Service"
        );
        assert_eq!(
            Purpose::Personalisation.kantara_category(),
            "5 - Personalize Experience"
        );
        assert_eq!(Purpose::Marketing.kantara_category(), "6 - Marketing");
    }
}
