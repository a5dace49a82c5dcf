//! Grants and their consent records: every grant and revocation writes an ISO/IEC TS 27560
//! record and a Kantara Consent Receipt v1.1 signed by the instance (compact JWS, EdDSA).

use super::{instance_key, secs};
use crate::{AppState, Result, ServerError};

use slingshot_domain::consent::{
    kantara_receipt, ConsentAction, ConsentRecord, Controller, FieldKind, LegalBasis,
    PersonalDatum, Processing, Purpose, COLLECTION_METHOD, CONSENT_RECORD_SCHEMA, RECEIPT_JWS_TYP,
};
use slingshot_domain::ledger::Side;
use slingshot_domain::DomainError;
use slingshot_store::{new_id, now_us, Grant, NewConsent, Relationship};

/// What a person grants.
#[derive(Debug, Clone)]
pub struct GrantInput {
    /// The relationship (with an organization here).
    pub relationship_id: String,
    /// Why the organization may use the fields.
    pub purpose: Purpose,
    /// The person's profile field ids.
    pub field_ids: Vec<String>,
    /// Until when (microseconds since the epoch).
    pub expires_at: i64,
}

/// Longest grant: five years.
pub const MAX_GRANT_US: i64 = 5 * 366 * 86_400 * 1_000_000;

/// Grant fields to an organization for a purpose; returns the grant and its record id.
pub async fn grant(state: &AppState, person: &str, g: GrantInput) -> Result<(Grant, String)> {
    let (rel, side) = state
        .store
        .relationship_for(person, &g.relationship_id)
        .await?;
    if side != Side::Customer {
        return Err(slingshot_store::StoreError::NotFound.into());
    }
    let org_id = match (&rel.org_id, rel.shared_at) {
        (Some(o), Some(_)) => o.clone(),
        _ => {
            return Err(ServerError::Invalid(
                "off_platform_vendor",
                "this vendor is not on Slingshot: there is no organization to grant data to".into(),
            ))
        }
    };
    let now = now_us();
    if g.expires_at <= now || g.expires_at > now + MAX_GRANT_US {
        return Err(ServerError::Invalid(
            "invalid_expiry",
            "expires_at must be in the future and at most five years away".into(),
        ));
    }
    let mut ids = g.field_ids.clone();
    ids.sort();
    ids.dedup();
    if ids.is_empty() || ids.len() > 100 {
        return Err(
            DomainError::MissingText("a grant names 1 to 100 of your profile fields").into(),
        );
    }
    let fields = state.store.profile_fields(person).await?;
    let mut data = Vec::new();
    for id in &ids {
        let f = fields
            .iter()
            .find(|f| &f.id == id)
            .ok_or(DomainError::MissingText(
                "a grant may name only fields of your own profile",
            ))?;
        data.push(PersonalDatum {
            kind: FieldKind::parse(&f.kind)?,
            label: f.label.clone(),
        });
    }
    let grant = Grant {
        id: new_id(),
        person_id: person.to_owned(),
        org_id: org_id.clone(),
        relationship_id: rel.id.clone(),
        purpose: g.purpose.as_str().to_owned(),
        expires_at: g.expires_at,
        created_at: now,
        revoked_at: None,
        revoke_reason: None,
        field_ids: ids,
    };
    let record = base_record(state, &rel, &org_id, &grant, data, now).await?;
    let consent = seal(state, &record, now).await?;
    state.store.create_grant(&grant, &consent).await?;
    Ok((grant, consent.id))
}

/// Revoke one of the person's grants; returns it and the withdrawal record's id.
pub async fn revoke(state: &AppState, person: &str, grant_id: &str) -> Result<(Grant, String)> {
    let g = state.store.grant_of_person(person, grant_id).await?;
    if g.revoked_at.is_some() {
        return Err(slingshot_store::StoreError::Conflict("this grant is already revoked").into());
    }
    let consent = withdrawal(state, &g, now_us()).await?;
    let id = consent.id.clone();
    let g = state
        .store
        .revoke_grant(person, grant_id, None, &consent)
        .await?;
    Ok((g, id))
}

/// The signed withdrawal record of a grant (for revocations and deletion requests).
pub async fn withdrawal(state: &AppState, g: &Grant, at: i64) -> Result<NewConsent> {
    let given = state
        .store
        .consent_given_for(&g.id)
        .await
        .map_err(|e| ServerError::Internal(format!("grant {}: consent record: {e}", g.id)))?;
    let record: ConsentRecord = serde_json::from_str(&given.record)
        .map_err(|e| ServerError::Internal(format!("consent record {}: {e}", given.id)))?;
    let w = record.withdrawal(new_id(), secs(at));
    seal(state, &w, at).await
}

async fn base_record(
    state: &AppState,
    rel: &Relationship,
    org_id: &str,
    grant: &Grant,
    data: Vec<PersonalDatum>,
    now: i64,
) -> Result<ConsentRecord> {
    let org = state.store.org_public(org_id).await?;
    let settings = state.store.privacy_settings(org_id).await?;
    if !settings.contact_email.contains('@') {
        return Err(ServerError::Invalid(
            "no_privacy_contact",
            format!(
                "{} has not published a privacy contact yet; it cannot receive personal data",
                org.name
            ),
        ));
    }
    let public_page = format!(
        "{}/o/{}",
        state.config.public_url.trim_end_matches('/'),
        org.handle
    );
    let policy_url = if settings.policy_url.is_empty() {
        public_page.clone()
    } else {
        settings.policy_url.clone()
    };
    let record = ConsentRecord {
        record_id: new_id(),
        schema_version: CONSENT_RECORD_SCHEMA.to_owned(),
        timestamp: secs(now),
        action: ConsentAction::Given,
        data_subject: rel.pseudonym.clone(),
        controller: Controller {
            name: org.name.clone(),
            email: settings.contact_email.clone(),
            phone: None,
            country: country_of(&settings.jurisdiction),
            policy_url,
        },
        service: format!("Relationship with {} on Slingshot", org.name),
        jurisdiction: if settings.jurisdiction.is_empty() {
            "unspecified".into()
        } else {
            settings.jurisdiction.clone()
        },
        purposes: vec![Purpose::parse(&grant.purpose)?],
        personal_data: data,
        processing: vec![Processing::Store, Processing::Use],
        legal_basis: LegalBasis::Consent,
        expiry: Some(secs(grant.expires_at)),
        notice_url: public_page,
        collection_method: COLLECTION_METHOD.to_owned(),
        related_record: Some(grant.id.clone()),
        language: "en".into(),
    };
    record.check()?;
    Ok(record)
}

fn country_of(jurisdiction: &str) -> Option<String> {
    let c = jurisdiction.split('-').next().unwrap_or_default();
    (c.len() == 2 && c.chars().all(|x| x.is_ascii_uppercase())).then(|| c.to_owned())
}

/// Sign a record's Kantara receipt with the instance key.
async fn seal(state: &AppState, record: &ConsentRecord, at: i64) -> Result<NewConsent> {
    let (key, kid) = instance_key(state).await?;
    let public = slingshot_credentials::public_key_b64(&key);
    let receipt = kantara_receipt(record, &public);
    let payload =
        serde_json::to_vec(&receipt).map_err(|e| ServerError::Internal(format!("receipt: {e}")))?;
    let jws = slingshot_credentials::sign_compact(&key, &kid, RECEIPT_JWS_TYP, &payload);
    Ok(NewConsent {
        id: record.record_id.clone(),
        record: serde_json::to_string(record)
            .map_err(|e| ServerError::Internal(format!("record: {e}")))?,
        receipt: jws,
        at,
    })
}
