//! Grants, consent receipts, the access log, and the organization's granted read.

use super::personal_types::{
    AccessLogOut, ConsentOut, GrantIn, GrantOut, GrantRefOut, GrantedFieldOut, GrantedProfileOut,
    PurposeQuery,
};
use super::types::List;
use crate::auth::Principal;
use crate::error::Problem;
use crate::json::{ApiJson, ApiQuery};
use crate::personal::consent::{self, GrantInput};
use crate::{AppState, Result, ServerError};
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use slingshot_domain::consent::Purpose;
use slingshot_domain::Scope;
use slingshot_store::{now_us, parse_rfc3339_us, Reader};

/// Your grants, newest first.
#[utoipa::path(get, path = "/me/grants", tag = "personal data", security(("bearer" = [])),
    responses((status = 200, body = List<GrantOut>), (status = 401, body = Problem)))]
pub async fn list(State(state): State<AppState>, p: Principal) -> Result<Json<List<GrantOut>>> {
    let user = p.require(Scope::PrivacyRead)?;
    let now = now_us();
    let grants = state.store.grants_of_person(&user.id, None).await?;
    Ok(Json(List::all(
        grants.iter().map(|g| GrantOut::of(g, now, None)).collect(),
    )))
}

/// Grant fields to an organization for a purpose until a date. Writes a consent record
/// and a signed Kantara receipt.
#[utoipa::path(post, path = "/me/grants", tag = "personal data", security(("bearer" = [])), request_body = GrantIn,
    responses((status = 201, body = GrantOut), (status = 404, description = "no such relationship", body = Problem),
        (status = 422, description = "unknown purpose, a field not yours, a bad expiry, or an organization without a privacy contact", body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    p: Principal,
    ApiJson(body): ApiJson<GrantIn>,
) -> Result<(StatusCode, Json<GrantOut>)> {
    let user = p.require(Scope::PrivacyWrite)?;
    let purpose = Purpose::parse(&body.purpose)?;
    let expires_at = parse_rfc3339_us(&body.expires_at).ok_or_else(|| {
        ServerError::Invalid(
            "invalid_expiry",
            "expires_at must be an RFC 3339 time".into(),
        )
    })?;
    let (g, record) = consent::grant(
        &state,
        &user.id,
        GrantInput {
            relationship_id: body.relationship,
            purpose,
            field_ids: body.fields,
            expires_at,
        },
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(GrantOut::of(&g, now_us(), Some(record))),
    ))
}

/// Revoke a grant now. Writes a withdrawal record and its signed receipt.
#[utoipa::path(post, path = "/me/grants/{id}/revoke", tag = "personal data", security(("bearer" = [])),
    params(("id" = String, Path, description = "grant id")),
    responses((status = 200, body = GrantOut), (status = 404, body = Problem), (status = 409, description = "already revoked", body = Problem)))]
pub async fn revoke(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<String>,
) -> Result<Json<GrantOut>> {
    let user = p.require(Scope::PrivacyWrite)?;
    let (g, record) = consent::revoke(&state, &user.id, &id).await?;
    Ok(Json(GrantOut::of(&g, now_us(), Some(record))))
}

/// Your consent records, newest first, each with its signed receipt.
#[utoipa::path(get, path = "/me/consents", tag = "personal data", security(("bearer" = [])),
    responses((status = 200, body = List<ConsentOut>), (status = 401, body = Problem)))]
pub async fn consents(
    State(state): State<AppState>,
    p: Principal,
) -> Result<Json<List<ConsentOut>>> {
    let user = p.require(Scope::PrivacyRead)?;
    let rows = state.store.consent_records_of(&user.id).await?;
    Ok(Json(List::all(rows.iter().map(ConsentOut::of).collect())))
}

/// Download format of a receipt.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ReceiptQuery {
    /// `jws` (default: the signed compact JWS, for `slingshot verify`) or `json` (the Kantara document).
    pub format: Option<String>,
}

/// Download one receipt: the signed JWS (default) or the Kantara JSON.
#[utoipa::path(get, path = "/me/consents/{id}/receipt", tag = "personal data", security(("bearer" = [])),
    params(("id" = String, Path, description = "consent record id"), ReceiptQuery),
    responses((status = 200, content_type = "application/jose", description = "compact JWS, or the Kantara JSON with format=json"),
        (status = 404, body = Problem)))]
pub async fn receipt(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<ReceiptQuery>,
) -> Result<Response> {
    let user = p.require(Scope::PrivacyRead)?;
    let c = state.store.consent_record(&user.id, &id).await?;
    let disposition =
        |ext: &str| format!("attachment; filename=\"consent-receipt-{}.{ext}\"", c.id);
    match q.format.as_deref().unwrap_or("jws") {
        "jws" => Ok((
            [
                (header::CONTENT_TYPE, "application/jose".to_owned()),
                (header::CONTENT_DISPOSITION, disposition("jws")),
            ],
            c.receipt.clone(),
        )
            .into_response()),
        "json" => {
            let out = ConsentOut::of(&c);
            Ok((
                [
                    (header::CONTENT_TYPE, "application/json".to_owned()),
                    (header::CONTENT_DISPOSITION, disposition("json")),
                ],
                serde_json::to_string_pretty(&out.receipt).unwrap_or_default(),
            )
                .into_response())
        }
        other => Err(ServerError::BadRequest(
            "invalid_query",
            format!("unknown format '{other}': use jws or json"),
        )),
    }
}

/// Paging of the access log.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct LogQuery {
    /// Cursor from `next`.
    pub before: Option<String>,
    /// 1–200 (default 50).
    pub limit: Option<i64>,
}

/// Every read of your granted data: who, when, which fields, which purpose. Organizations
/// cannot change it.
#[utoipa::path(get, path = "/me/access-log", tag = "personal data", security(("bearer" = [])),
    params(LogQuery),
    responses((status = 200, body = List<AccessLogOut>), (status = 400, body = Problem)))]
pub async fn access_log(
    State(state): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<LogQuery>,
) -> Result<Json<List<AccessLogOut>>> {
    let user = p.require(Scope::PrivacyRead)?;
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ServerError::BadRequest(
            "invalid_query",
            "limit is 1 to 200".into(),
        ));
    }
    let before = match q.before.as_deref() {
        None => None,
        Some(c) => {
            let (at, id) = c
                .split_once('.')
                .and_then(|(a, i)| a.parse::<i64>().ok().map(|a| (a, i.to_owned())))
                .ok_or_else(|| ServerError::BadRequest("invalid_cursor", "bad cursor".into()))?;
            Some((at, id))
        }
    };
    let page = state
        .store
        .access_log_of_person(&user.id, before, limit)
        .await?;
    Ok(Json(List {
        items: page.items.iter().map(AccessLogOut::from).collect(),
        next: page.next,
    }))
}

/// Read what a customer granted your organization for a purpose. Only valid grants
/// count; every read is written to the customer's access log.
#[utoipa::path(get, path = "/orgs/{org}/customers/{pseudonym}/profile", tag = "personal data", security(("bearer" = [])),
    params(("org" = String, Path, description = "organization id or handle"), ("pseudonym" = String, Path, description = "the customer's pseudonym"), PurposeQuery),
    responses((status = 200, body = GrantedProfileOut),
        (status = 403, description = "no grant for this purpose, or it was revoked or expired (code no_grant, grant_revoked, grant_expired)", body = Problem),
        (status = 404, body = Problem), (status = 422, description = "unknown purpose", body = Problem)))]
pub async fn customer_profile(
    State(state): State<AppState>,
    p: Principal,
    Path((org, pseudonym)): Path<(String, String)>,
    ApiQuery(q): ApiQuery<PurposeQuery>,
) -> Result<Json<GrantedProfileOut>> {
    let user = p.require(Scope::ProfileRead)?;
    let purpose = Purpose::parse(&q.purpose)?;
    let reader = Reader {
        user_id: &user.id,
        handle: &user.handle,
        via: &p.via,
    };
    let (g, log) = state
        .store
        .granted_profile(reader, &org, &pseudonym, purpose.as_str(), now_us())
        .await?;
    // The answer leaves only once its access-log row is durable.
    state.access_log.write(log).await?;
    Ok(Json(GrantedProfileOut {
        pseudonym: g.pseudonym,
        purpose: g.purpose,
        fields: g
            .fields
            .into_iter()
            .map(|(kind, label, value)| GrantedFieldOut { kind, label, value })
            .collect(),
        grants: g
            .grants
            .into_iter()
            .map(|(id, exp)| GrantRefOut {
                id,
                expires_at: slingshot_store::rfc3339(exp),
            })
            .collect(),
        access_log_id: g.log_id,
    }))
}

/// The instance's public keys (JWKS): what consent receipts are signed with.
#[utoipa::path(get, path = "/keys/instance", tag = "personal data",
    responses((status = 200, content_type = "application/jwk-set+json", description = "JWKS")))]
pub async fn instance_jwks(State(state): State<AppState>) -> Result<Response> {
    let (key, kid) = crate::personal::instance_key(&state).await?;
    let vk = key.verifying_key();
    let jwks = slingshot_credentials::jwks([(kid.as_str(), &vk)]);
    Ok((
        [(header::CONTENT_TYPE, "application/jwk-set+json")],
        serde_json::to_string(&jwks).unwrap_or_default(),
    )
        .into_response())
}
