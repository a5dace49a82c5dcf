//! An organization's privacy settings (its request clock and statements) and its public
//! privacy profile: accepted terms and how it answers requests.

use super::personal_types::{AcceptedTermOut, PrivacyIn, PublicProfileOut};
use crate::auth::Principal;
use crate::error::Problem;
use crate::json::ApiJson;
use crate::personal::requests::clock_of;
use crate::{AppState, Result, ServerError};
use axum::extract::{Path, State};
use axum::Json;
use slingshot_domain::access_request::{figures, RequestState, Timing};
use slingshot_domain::consent::Term;
use slingshot_domain::Scope;
use slingshot_store::{now_us, PrivacySettings};

pub(crate) fn settings_out(s: &PrivacySettings) -> PrivacyIn {
    PrivacyIn {
        response_days: u32::try_from(s.response_days).unwrap_or(30),
        time_zone: s.time_zone.clone(),
        weekend: s.weekend.clone(),
        holidays: s.holidays.clone(),
        observe_weekend_holidays: s.observe_weekend_holidays != 0,
        jurisdiction: s.jurisdiction.clone(),
        policy_url: s.policy_url.clone(),
        contact_email: s.contact_email.clone(),
    }
}

/// The organization's settings (members).
#[utoipa::path(get, path = "/orgs/{org}/privacy", tag = "requests", security(("bearer" = [])),
    params(("org" = String, Path, description = "organization id or handle")),
    responses((status = 200, body = PrivacyIn), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    p: Principal,
    Path(org): Path<String>,
) -> Result<Json<PrivacyIn>> {
    let user = p.require(Scope::OrgsRead)?;
    let o = state.store.org_for_member(&user.id, &org).await?;
    Ok(Json(settings_out(
        &state.store.privacy_settings(&o.org.id).await?,
    )))
}

/// Set the response time (business days), zone, weekend, holidays and public statements
/// (owners and admins). Requests already received keep their due dates.
#[utoipa::path(put, path = "/orgs/{org}/privacy", tag = "requests", security(("bearer" = [])), request_body = PrivacyIn,
    params(("org" = String, Path, description = "organization id or handle")),
    responses((status = 200, body = PrivacyIn), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, description = "bad zone, weekend, holiday line, URL or e-mail", body = Problem)))]
pub async fn set(
    State(state): State<AppState>,
    p: Principal,
    Path(org): Path<String>,
    ApiJson(body): ApiJson<PrivacyIn>,
) -> Result<Json<PrivacyIn>> {
    let user = p.require(Scope::PrivacyWrite)?;
    let o = state.store.org_for_member(&user.id, &org).await?;
    let s = check(&o.org.id, body)?;
    state.store.set_privacy_settings(&user.id, &s).await?;
    Ok(Json(settings_out(
        &state.store.privacy_settings(&o.org.id).await?,
    )))
}

/// Check settings as given.
pub fn check(org_id: &str, b: PrivacyIn) -> Result<PrivacySettings> {
    if !(1..=90).contains(&b.response_days) {
        return Err(ServerError::Invalid(
            "invalid_settings",
            "response_days is 1 to 90 business days".into(),
        ));
    }
    let bad = |m: &str| ServerError::Invalid("invalid_settings", m.to_owned());
    let web = |u: &str| u.starts_with("https://") || u.starts_with("http://");
    if !(b.policy_url.is_empty() || web(&b.policy_url)) {
        return Err(bad("policy_url must be an http(s) address"));
    }
    if !b.contact_email.is_empty()
        && (!b.contact_email.contains('@') || b.contact_email.contains(char::is_whitespace))
    {
        return Err(bad("contact_email must be an e-mail address"));
    }
    if b.holidays.len() > 20_000
        || b.jurisdiction.len() > 20
        || b.policy_url.len() > 500
        || b.contact_email.len() > 200
    {
        return Err(bad("a setting is too long"));
    }
    let s = PrivacySettings {
        org_id: org_id.to_owned(),
        response_days: i64::from(b.response_days),
        time_zone: b.time_zone.trim().to_owned(),
        weekend: b.weekend.trim().to_owned(),
        holidays: b.holidays,
        observe_weekend_holidays: i64::from(b.observe_weekend_holidays),
        jurisdiction: b.jurisdiction.trim().to_owned(),
        policy_url: b.policy_url.trim().to_owned(),
        contact_email: b.contact_email.trim().to_owned(),
        updated_at: 0,
    };
    let (_, zone) = clock_of(&s)?;
    Ok(PrivacySettings {
        time_zone: zone.name().to_owned(),
        ..s
    })
}

/// The public figures of an organization (no sign-in needed).
pub async fn public_figures(
    state: &AppState,
    org_id: &str,
) -> Result<slingshot_domain::access_request::Figures> {
    let timings: Vec<Timing> = state
        .store
        .request_timings(org_id)
        .await?
        .into_iter()
        .filter_map(|t| {
            Some(Timing {
                state: RequestState::parse(&t.state).ok()?,
                received_at: t.received_at / 1_000_000,
                due_at: t.due_at / 1_000_000,
                closed_at: t.closed_at.map(|c| c / 1_000_000),
            })
        })
        .collect();
    Ok(figures(&timings, now_us() / 1_000_000))
}

/// An organization's public privacy profile: its statements, the terms it accepted, and
/// how it answers requests (median days, share on time, overdue now).
#[utoipa::path(get, path = "/orgs/{org}/public", tag = "requests",
    params(("org" = String, Path, description = "organization id or handle")),
    responses((status = 200, body = PublicProfileOut), (status = 404, body = Problem)))]
pub async fn public(
    State(state): State<AppState>,
    Path(org): Path<String>,
) -> Result<Json<PublicProfileOut>> {
    let o = state.store.org_public(&org).await?;
    let s = state.store.privacy_settings(&o.id).await?;
    let accepted = state.store.accepted_terms(&o.id).await?;
    let f = public_figures(&state, &o.id).await?;
    Ok(Json(PublicProfileOut {
        handle: o.handle.clone(),
        name: o.name.clone(),
        verified: o.verified_at.is_some(),
        privacy: settings_out(&s),
        accepted_terms: accepted
            .into_iter()
            .map(|(term, n)| AcceptedTermOut {
                title: Term::parse(&term)
                    .map(|t| t.title().to_owned())
                    .unwrap_or_default(),
                term,
                customers: n,
            })
            .collect(),
        figures: serde_json::to_value(f).unwrap_or_default(),
    }))
}
