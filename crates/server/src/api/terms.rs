//! Terms the person proffers and the organization answers, signed by both.

use super::personal_types::{terms_out, SignatureOut, TermInfo, TermsAnswerIn, TermsIn, TermsOut};
use super::types::List;
use crate::auth::Principal;
use crate::error::Problem;
use crate::json::ApiJson;
use crate::personal::terms::{self as t, record_of};
use crate::{AppState, Result, ServerError};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use slingshot_domain::consent::{Term, TermResponse};
use slingshot_domain::Scope;
use slingshot_store::TermsRow;

/// The record both sides keep, with both signatures and what each signed.
pub(crate) async fn signed(state: &AppState, row: &TermsRow) -> Result<TermsOut> {
    let rel = state.store.relationship_by_id(&row.relationship_id).await?;
    let rec = record_of(row, &rel.pseudonym)?;
    let mut proffer = row.clone();
    proffer.response = None;
    proffer.counter_term = None;
    proffer.responded_at = None;
    let mut sigs = vec![SignatureOut {
        side: "customer".into(),
        key_id: row.person_key_id.clone(),
        signature: row.person_signature.clone(),
        signed: record_of(&proffer, &rel.pseudonym)?.canonical_json()?,
    }];
    if let (Some(k), Some(s)) = (&row.org_key_id, &row.org_signature) {
        sigs.push(SignatureOut {
            side: "vendor".into(),
            key_id: k.clone(),
            signature: s.clone(),
            signed: rec.canonical_json()?,
        });
    }
    let record = serde_json::to_value(&rec).map_err(|e| ServerError::Internal(e.to_string()))?;
    Ok(terms_out(row, record, sigs))
}

/// The published list of terms a person may proffer (IEEE 7012 style).
#[utoipa::path(get, path = "/terms-list", tag = "terms",
    responses((status = 200, body = List<TermInfo>)))]
pub async fn list_terms() -> Json<List<TermInfo>> {
    Json(List::all(
        Term::ALL
            .iter()
            .map(|t| TermInfo {
                id: t.id().into(),
                title: t.title().into(),
                text: t.text().into(),
            })
            .collect(),
    ))
}

/// Terms you proffered, newest first.
#[utoipa::path(get, path = "/me/terms", tag = "terms", security(("bearer" = [])),
    responses((status = 200, body = List<TermsOut>), (status = 401, body = Problem)))]
pub async fn mine(State(state): State<AppState>, p: Principal) -> Result<Json<List<TermsOut>>> {
    let user = p.require(Scope::PrivacyRead)?;
    let mut out = Vec::new();
    for row in state.store.terms_of_person(&user.id).await? {
        out.push(signed(&state, &row).await?);
    }
    Ok(Json(List::all(out)))
}

/// Proffer a term from the list to an organization you have a relationship with (you sign it).
#[utoipa::path(post, path = "/me/terms", tag = "terms", security(("bearer" = [])), request_body = TermsIn,
    responses((status = 201, body = TermsOut), (status = 404, description = "no relationship with this organization", body = Problem),
        (status = 422, description = "not a term of the list", body = Problem)))]
pub async fn proffer(
    State(state): State<AppState>,
    p: Principal,
    ApiJson(body): ApiJson<TermsIn>,
) -> Result<(StatusCode, Json<TermsOut>)> {
    let user = p.require(Scope::PrivacyWrite)?;
    let term = Term::parse(&body.term)?;
    let row = t::proffer(&state, &user.id, &body.org, term).await?;
    Ok((StatusCode::CREATED, Json(signed(&state, &row).await?)))
}

/// Terms proffered to the organization, pending first.
#[utoipa::path(get, path = "/orgs/{org}/terms", tag = "terms", security(("bearer" = [])),
    params(("org" = String, Path, description = "organization id or handle")),
    responses((status = 200, body = List<TermsOut>), (status = 404, body = Problem)))]
pub async fn of_org(
    State(state): State<AppState>,
    p: Principal,
    Path(org): Path<String>,
) -> Result<Json<List<TermsOut>>> {
    let user = p.require(Scope::PrivacyRead)?;
    let o = state.store.org_for_member(&user.id, &org).await?;
    let mut out = Vec::new();
    for row in state.store.terms_of_org(&user.id, &o.org.id).await? {
        out.push(signed(&state, &row).await?);
    }
    Ok(Json(List::all(out)))
}

/// One terms record with both signatures (its person, or the organization's members).
#[utoipa::path(get, path = "/terms/{id}", tag = "terms", security(("bearer" = [])),
    params(("id" = String, Path, description = "terms record id")),
    responses((status = 200, body = TermsOut), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<String>,
) -> Result<Json<TermsOut>> {
    let user = p.require(Scope::PrivacyRead)?;
    let row = state.store.terms_record(&user.id, &id).await?;
    Ok(Json(signed(&state, &row).await?))
}

/// Answer proffered terms once: accept, propose one other term from the list, or reject
/// (the organization signs the answered record).
#[utoipa::path(post, path = "/terms/{id}/respond", tag = "terms", security(("bearer" = [])), request_body = TermsAnswerIn,
    params(("id" = String, Path, description = "terms record id")),
    responses((status = 200, body = TermsOut), (status = 404, body = Problem), (status = 409, description = "already answered", body = Problem),
        (status = 422, body = Problem)))]
pub async fn respond(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<TermsAnswerIn>,
) -> Result<Json<TermsOut>> {
    let user = p.require(Scope::PrivacyWrite)?;
    let response = match (body.response.as_str(), body.counter_term.as_deref()) {
        ("accepted", None) => TermResponse::Accepted,
        ("rejected", None) => TermResponse::Rejected,
        ("counter", Some(c)) => TermResponse::CounterProposed(Term::parse(c)?),
        ("counter", None) => {
            return Err(ServerError::Invalid(
                "invalid_response",
                "a counter-proposal names counter_term".into(),
            ))
        }
        ("accepted" | "rejected", Some(_)) => {
            return Err(ServerError::Invalid(
                "invalid_response",
                "counter_term goes only with response 'counter'".into(),
            ))
        }
        (other, _) => {
            return Err(ServerError::Invalid(
                "invalid_response",
                format!("unknown response '{other}'; expected accepted, counter or rejected"),
            ))
        }
    };
    let row = t::respond(&state, &user.id, &id, response).await?;
    Ok(Json(signed(&state, &row).await?))
}
