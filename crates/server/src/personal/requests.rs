//! Access requests: the person sends one with a due date on the organization's clock; the
//! organization extends it once, answers it (with the export, or the erasure for a
//! deletion), or refuses it with reasons and recourse; the person may withdraw it.

use super::{consent, export, micros, utc};
use crate::{AppState, Result, ServerError};
use slingshot_domain::access_request::{
    required_text, Refusal, RequestKind, RequestMove, RequestState,
};
use slingshot_domain::calendar::{deadline, parse_holidays, parse_weekend, BusinessCalendar, Zone};
use slingshot_domain::ledger::Side;
use slingshot_domain::DomainError;
use slingshot_store::{
    new_id, now_us, AccessRequest, Closing, ErasureReport, PrivacySettings, StoreError,
};
use time::Date;

/// The organization's calendar and zone from its settings.
pub fn clock_of(s: &PrivacySettings) -> Result<(BusinessCalendar, Zone)> {
    let cal = BusinessCalendar::new(
        &parse_weekend(&s.weekend)?,
        parse_holidays(&s.holidays)?,
        s.observe_weekend_holidays != 0,
    )?;
    Ok((cal, Zone::parse(&s.time_zone)?))
}

/// What a person sends.
#[derive(Debug, Clone)]
pub struct RequestInput {
    /// Organization id or handle.
    pub org: String,
    /// What they ask for.
    pub kind: RequestKind,
    /// In their own words.
    pub body: Option<String>,
    /// Profile field ids (corrections).
    pub field_ids: Vec<String>,
}

/// Send a request; its due date is set now, on the organization's clock.
pub async fn send(state: &AppState, person: &str, input: RequestInput) -> Result<AccessRequest> {
    send_at(state, person, input, now_us()).await
}

/// Send a request received at `now` (microseconds; the demo backdates some).
pub async fn send_at(
    state: &AppState,
    person: &str,
    input: RequestInput,
    now: i64,
) -> Result<AccessRequest> {
    let rel = state
        .store
        .relationship_with_org(person, &input.org)
        .await?;
    let body = required_text(
        input.body.as_deref(),
        "write your request in your own words (field 'body')",
    )?;
    let mut fields = input.field_ids.clone();
    fields.sort();
    fields.dedup();
    if input.kind == RequestKind::Correction && fields.is_empty() {
        return Err(DomainError::MissingText(
            "a correction request names the profile fields to correct (field 'fields')",
        )
        .into());
    }
    if fields.len() > 100 {
        return Err(DomainError::MissingText("a request names at most 100 fields").into());
    }
    let org_id = rel.org_id.clone().unwrap_or_default();
    let settings = state.store.privacy_settings(&org_id).await?;
    let (cal, zone) = clock_of(&settings)?;
    let days = u32::try_from(settings.response_days).unwrap_or(30);
    let d = deadline(utc(now), &zone, &cal, days)?;
    let r = AccessRequest {
        id: new_id(),
        person_id: person.to_owned(),
        org_id,
        relationship_id: rel.id.clone(),
        kind: input.kind.as_str().to_owned(),
        body,
        fields: serde_json::to_string(&fields).unwrap_or_else(|_| "[]".into()),
        state: RequestState::Received.as_str().to_owned(),
        received_at: now,
        received_on: d.received_on.to_string(),
        first_due_on: d.due_on.to_string(),
        due_on: d.due_on.to_string(),
        due_at: micros(d.due_at),
        business_days: i64::from(days),
        time_zone: zone.name().to_owned(),
        extension_reason: None,
        extended_at: None,
        answer: None,
        refusal_reasons: None,
        recourse: None,
        erasure_report: None,
        closed_at: None,
        closed_by: None,
    };
    state.store.create_request(&r, &fields).await?;
    Ok(r)
}

/// The request, if `actor` acts for its organization (the person gets 403: only the
/// organization moves it, except withdrawal).
async fn for_vendor(
    state: &AppState,
    actor: &str,
    id: &str,
) -> Result<(AccessRequest, RequestState)> {
    let (r, side) = state.store.request_for(actor, id).await?;
    if side != Side::Vendor {
        return Err(DomainError::NotAllowed.into());
    }
    let s = RequestState::parse(&r.state)?;
    Ok((r, s))
}

fn parse_date(s: &str) -> Result<Date> {
    Date::parse(s, time::macros::format_description!("[year]-[month]-[day]"))
        .map_err(|e| ServerError::Internal(format!("stored date {s:?}: {e}")))
}

/// Extend once, by at most the original response time, with a written reason.
pub async fn extend(
    state: &AppState,
    actor: &str,
    id: &str,
    reason: Option<&str>,
    business_days: Option<u32>,
) -> Result<AccessRequest> {
    let (r, s) = for_vendor(state, actor, id).await?;
    s.apply(RequestMove::Extend)?;
    let reason = required_text(
        reason,
        "an extension needs a written reason (field 'reason')",
    )?;
    let max = u32::try_from(r.business_days).unwrap_or(30);
    let extra = business_days.unwrap_or(max);
    if extra == 0 || extra > max {
        return Err(ServerError::Invalid(
            "invalid_extension",
            format!("an extension is 1 to {max} business days (the original response time)"),
        ));
    }
    let settings = state.store.privacy_settings(&r.org_id).await?;
    let (cal, _) = clock_of(&settings)?;
    let zone = Zone::parse(&r.time_zone)?;
    let due_on = cal.add_business_days(parse_date(&r.due_on)?, extra)?;
    let due_at = micros(zone.end_of_day(due_on));
    state
        .store
        .extend_request(
            id,
            s.as_str(),
            actor,
            &reason,
            &due_on.to_string(),
            due_at,
            now_us(),
        )
        .await?;
    Ok(state.store.request_for(actor, id).await?.0)
}

/// How the organization closes a request.
#[derive(Debug, Clone)]
pub enum Decision {
    /// Answer in full (the export or the erasure follows from the kind).
    Answer {
        /// What was done, in words.
        text: Option<String>,
    },
    /// Refuse in full.
    Refuse(Refusal),
    /// Answer in part (as `Answer`) and refuse the rest.
    Partial {
        /// What was done.
        text: Option<String>,
        /// Why the rest is refused, and the recourse.
        refusal: Refusal,
    },
}

/// Answer or refuse. Access and portability answers carry the export; deletion answers
/// erase the bodies (the chain stays verifiable) and revoke the grants.
pub async fn decide(
    state: &AppState,
    actor: &str,
    id: &str,
    d: Decision,
) -> Result<(AccessRequest, Option<ErasureReport>)> {
    let (r, s) = for_vendor(state, actor, id).await?;
    let kind = RequestKind::parse(&r.kind)?;
    let now = now_us();
    let mv = match &d {
        Decision::Answer { .. } => RequestMove::Answer,
        Decision::Refuse(_) => RequestMove::Refuse,
        Decision::Partial { .. } => RequestMove::PartiallyRefuse,
    };
    let next = s.apply(mv)?;
    let mut c = Closing {
        state: next.as_str().to_owned(),
        ..Closing::default()
    };
    match &d {
        Decision::Refuse(f) => {
            c.reasons = Some(f.reasons.clone());
            c.recourse = Some(f.recourse.clone());
            c.event_text = format!("Refused. Reasons: {} Recourse: {}", f.reasons, f.recourse);
        }
        Decision::Answer { text } | Decision::Partial { text, .. } => {
            let text = match text.as_deref().map(str::trim) {
                Some(t) if !t.is_empty() => required_text(Some(t), "answer")?,
                _ if kind_needs_words(kind) => {
                    return Err(DomainError::MissingText(
                        "say what was done about this request (field 'answer')",
                    )
                    .into())
                }
                _ => default_answer(kind).to_owned(),
            };
            if let Decision::Partial { refusal, .. } = &d {
                c.reasons = Some(refusal.reasons.clone());
                c.recourse = Some(refusal.recourse.clone());
            }
            match kind {
                RequestKind::Access | RequestKind::Portability => {
                    let bytes = export::held_data_json(state, &r, now).await?;
                    c.export = Some(("application/json".into(), bytes));
                }
                RequestKind::Deletion => {
                    let mut withdrawals = Vec::new();
                    for g in state
                        .store
                        .active_grants_of_relationship(&r.relationship_id, now)
                        .await?
                    {
                        let w = consent::withdrawal(state, &g, now).await?;
                        withdrawals.push((g, w));
                    }
                    c.erase = Some(withdrawals);
                }
                RequestKind::Correction | RequestKind::Objection => {}
            }
            c.event_text = match &c.reasons {
                Some(reasons) => format!(
                    "Answered in part: {text} Refused in part. Reasons: {reasons} Recourse: {}",
                    c.recourse.clone().unwrap_or_default()
                ),
                None => format!("Answered: {text}"),
            };
            c.answer = Some(text);
        }
    }
    let report = state
        .store
        .close_request(&r, s.as_str(), actor, now, &c)
        .await?;
    if let Some(rep) = report {
        let text = format!(
            "Erased {} entry bodies and {} attachments; revoked {} grants. The ledger chain still verifies.",
            rep.bodies_erased, rep.attachments_erased, rep.grants_revoked
        );
        tracing::info!(request = %r.id, "{text}");
    }
    Ok((state.store.request_for(actor, id).await?.0, report))
}

fn kind_needs_words(kind: RequestKind) -> bool {
    matches!(kind, RequestKind::Correction | RequestKind::Objection)
}

fn default_answer(kind: RequestKind) -> &'static str {
    match kind {
        RequestKind::Access => "Everything we hold about you is in the attached export.",
        RequestKind::Portability => "Your data, machine-readable, is in the attached export.",
        RequestKind::Deletion => "We erased what we hold about you; the report lists it.",
        RequestKind::Correction | RequestKind::Objection => "",
    }
}

/// The person withdraws their open request.
pub async fn withdraw(state: &AppState, person: &str, id: &str) -> Result<AccessRequest> {
    let (r, side) = state.store.request_for(person, id).await?;
    if side != Side::Customer {
        return Err(StoreError::NotFound.into());
    }
    let s = RequestState::parse(&r.state)?;
    let next = s.apply(RequestMove::Withdraw)?;
    let c = Closing {
        state: next.as_str().to_owned(),
        event_text: "Withdrawn by the person.".into(),
        ..Closing::default()
    };
    state
        .store
        .close_request(&r, s.as_str(), person, now_us(), &c)
        .await?;
    Ok(state.store.request_for(person, id).await?.0)
}

/// Is an open request past its due time at `now_us`?
pub fn is_overdue(r: &AccessRequest, now_us: i64) -> bool {
    RequestState::parse(&r.state).is_ok_and(|s| s.is_open()) && now_us > r.due_at
}
