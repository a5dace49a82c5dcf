//! Terms the person proffers (IEEE 7012 style): the person signs the proffer, the
//! organization signs its answer over the same record; both keep it.

use super::secs;
use crate::{AppState, Result, ServerError};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ed25519_dalek::Signer;
use slingshot_domain::consent::{
    check_response, Term, TermResponse, TermsRecord, TERMS_LIST_VERSION,
};
use slingshot_domain::ledger::KeyId;
use slingshot_store::{new_id, now_us, TermsAnswer, TermsRow};

/// The shared record of a stored row (what both sides sign).
pub fn record_of(row: &TermsRow, pseudonym: &str) -> Result<TermsRecord> {
    let response = match (row.response.as_deref(), row.counter_term.as_deref()) {
        (None, _) => None,
        (Some("accepted"), _) => Some(TermResponse::Accepted),
        (Some("rejected"), _) => Some(TermResponse::Rejected),
        (Some("counter"), Some(t)) => Some(TermResponse::CounterProposed(Term::parse(t)?)),
        (Some(x), _) => return Err(ServerError::Internal(format!("terms response {x:?}"))),
    };
    Ok(TermsRecord {
        id: row.id.clone(),
        person: pseudonym.to_owned(),
        org: row.org_id.clone(),
        term: Term::parse(&row.term)?,
        list_version: row.list_version.clone(),
        proffered_at: secs(row.proffered_at),
        response,
        responded_at: row.responded_at.map(secs),
    })
}

async fn sign(state: &AppState, owner: &str, rec: &TermsRecord) -> Result<(String, String)> {
    let key = state.keys.key_for(&state.store, owner).await?;
    let bytes = rec.canonical_json()?;
    let sig = key.sign(bytes.as_bytes());
    Ok((
        KeyId::of(&key.verifying_key()).to_string(),
        URL_SAFE_NO_PAD.encode(sig.to_bytes()),
    ))
}

/// The person proffers a term to an organization they have a relationship with.
pub async fn proffer(state: &AppState, person: &str, org: &str, term: Term) -> Result<TermsRow> {
    let rel = state.store.relationship_with_org(person, org).await?;
    let now = now_us();
    let mut row = TermsRow {
        id: new_id(),
        person_id: person.to_owned(),
        org_id: rel.org_id.clone().unwrap_or_default(),
        relationship_id: rel.id.clone(),
        term: term.id().to_owned(),
        list_version: TERMS_LIST_VERSION.to_owned(),
        proffered_at: now,
        person_key_id: String::new(),
        person_signature: String::new(),
        response: None,
        counter_term: None,
        responder_id: None,
        responded_at: None,
        org_key_id: None,
        org_signature: None,
    };
    let rec = record_of(&row, &rel.pseudonym)?;
    rec.check()?;
    let (kid, sig) = sign(state, &format!("user:{person}"), &rec).await?;
    row.person_key_id = kid;
    row.person_signature = sig;
    state.store.proffer_terms(&row).await?;
    Ok(row)
}

/// The organization answers: accept, counter-propose another term, or reject.
pub async fn respond(
    state: &AppState,
    actor: &str,
    id: &str,
    response: TermResponse,
) -> Result<TermsRow> {
    let row = state.store.terms_record(actor, id).await?;
    let rel = state.store.relationship_by_id(&row.relationship_id).await?;
    let term = Term::parse(&row.term)?;
    check_response(term, &response)?;
    let now = now_us();
    let (name, counter) = match response {
        TermResponse::Accepted => ("accepted", None),
        TermResponse::Rejected => ("rejected", None),
        TermResponse::CounterProposed(t) => ("counter", Some(t.id().to_owned())),
    };
    let mut answered = row.clone();
    answered.response = Some(name.to_owned());
    answered.counter_term = counter.clone();
    answered.responded_at = Some(now);
    let rec = record_of(&answered, &rel.pseudonym)?;
    rec.check()?;
    let (kid, sig) = sign(state, &format!("org:{}", row.org_id), &rec).await?;
    let a = TermsAnswer {
        response: name.to_owned(),
        counter_term: counter,
        responder_id: actor.to_owned(),
        responded_at: now,
        org_key_id: kid,
        org_signature: sig,
    };
    Ok(state.store.answer_terms(actor, id, &a).await?)
}
