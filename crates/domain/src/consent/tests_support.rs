//! Records shared by the consent tests.

use super::*;

/// An instance public key (base64url), as written into receipts.
pub const KEY: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";

/// A grant: name, email, date of birth and a preference, for the service and delivery.
pub fn grant() -> ConsentRecord {
    ConsentRecord {
        record_id: "7d9f2c1a-3b4e-4f60-8a71-92b3c4d5e6f7".into(),
        schema_version: CONSENT_RECORD_SCHEMA.into(),
        timestamp: 1_790_000_000,
        action: ConsentAction::Given,
        data_subject: "p-7f3a9c".into(),
        controller: Controller {
            name: "Northwind Outfitters".into(),
            email: "privacy@northwind.example".into(),
            phone: None,
            country: Some("NL".into()),
            policy_url: "https://northwind.example/privacy".into(),
        },
        service: "Northwind online shop".into(),
        jurisdiction: "NL".into(),
        purposes: vec![Purpose::ServiceProvision, Purpose::Delivery],
        personal_data: vec![
            PersonalDatum {
                kind: FieldKind::Name,
                label: "Full name".into(),
            },
            PersonalDatum {
                kind: FieldKind::Email,
                label: "Email".into(),
            },
            PersonalDatum {
                kind: FieldKind::Birthdate,
                label: "Date of birth".into(),
            },
            PersonalDatum {
                kind: FieldKind::Preference,
                label: "Shoe size".into(),
            },
        ],
        processing: vec![Processing::Collect, Processing::Store, Processing::Use],
        legal_basis: LegalBasis::Consent,
        expiry: Some(1_790_000_000 + 365 * 86_400),
        notice_url: "https://slingshot.example/grants/g-81".into(),
        collection_method: COLLECTION_METHOD.into(),
        related_record: Some("g-81".into()),
        language: "en".into(),
    }
}
