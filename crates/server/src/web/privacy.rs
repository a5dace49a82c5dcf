//! Request pages for both sides, the organization's privacy desk (queue, clock and
//! statements, proffered terms), and its public privacy profile.

use super::csrf::CsrfToken;
use super::views::short_time;
use super::{after_form, render, Layout, OrgView, WebError, WebForm};
use crate::api::personal_types::{PrivacyIn, RequestEventOut, RequestOut, TermsOut};
use crate::auth::WebUser;
use crate::personal::requests::{self, Decision};
use crate::{AppState, ServerError};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use slingshot_domain::access_request::{Figures, Refusal};
use slingshot_domain::consent::{Term, TermResponse};
use slingshot_domain::ledger::Side;
use slingshot_store::now_us;

#[derive(Template)]
#[template(path = "request.html")]
struct RequestPage {
    l: Layout,
    r: RequestOut,
    events: Vec<RequestEventOut>,
    vendor: bool,
    open: bool,
    can_extend: bool,
    field_labels: Vec<String>,
}

async fn render_request(
    state: &AppState,
    u: &WebUser,
    csrf: &CsrfToken,
    id: &str,
    status: StatusCode,
    error: Option<String>,
) -> Result<Response, WebError> {
    let (r, side) = state.store.request_for(&u.0.user.id, id).await?;
    let out = crate::api::requests_full(state, &r).await?;
    // The fields a correction names, as the person holds them now (both sides see them).
    let fields = state.store.profile_fields(&r.person_id).await?;
    let field_labels = out
        .fields
        .iter()
        .map(|i| {
            fields.iter().find(|f| &f.id == i).map_or_else(
                || "(a field since deleted)".to_owned(),
                |f| format!("{}: {}", f.label, f.value),
            )
        })
        .collect();
    let page = RequestPage {
        l: Layout::new(format!("{} request", out.kind), Some(u), csrf).with_error(error),
        events: out
            .events
            .iter()
            .map(|e| RequestEventOut {
                at: short_time(&e.at),
                kind: e.kind.clone(),
                text: e.text.clone(),
            })
            .collect(),
        vendor: side == Side::Vendor,
        open: matches!(out.state.as_str(), "received" | "extended"),
        can_extend: out.state == "received",
        field_labels,
        r: out,
    };
    render(status, &page)
}

/// `GET /requests/{id}`: either side.
pub async fn page(
    State(state): State<AppState>,
    u: WebUser,
    csrf: CsrfToken,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    render_request(&state, &u, &csrf, &id, StatusCode::OK, None).await
}

async fn after(
    state: &AppState,
    u: &WebUser,
    csrf: &CsrfToken,
    id: &str,
    result: Result<(), ServerError>,
) -> Result<Response, WebError> {
    after_form(result.map(|()| format!("/requests/{id}")), |status, e| {
        render_request(state, u, csrf, id, status, Some(e))
    })
    .await
}

/// The extension form.
#[derive(Deserialize)]
pub struct ExtendForm {
    reason: String,
    #[serde(default)]
    business_days: String,
}

/// `POST /requests/{id}/extend`.
pub async fn extend(
    State(state): State<AppState>,
    u: WebUser,
    csrf: CsrfToken,
    Path(id): Path<String>,
    WebForm(f): WebForm<ExtendForm>,
) -> Result<Response, WebError> {
    let r = async {
        let days = match f.business_days.trim() {
            "" => None,
            d => Some(d.parse::<u32>().map_err(|_| {
                ServerError::Invalid(
                    "invalid_extension",
                    "business days is a whole number".into(),
                )
            })?),
        };
        requests::extend(&state, &u.0.user.id, &id, Some(&f.reason), days).await?;
        Ok(())
    }
    .await;
    after(&state, &u, &csrf, &id, r).await
}

/// The answer form; reasons and recourse make it a partial refusal.
#[derive(Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    answer: String,
    #[serde(default)]
    reasons: String,
    #[serde(default)]
    recourse: String,
}

fn some(s: &str) -> Option<&str> {
    Some(s.trim()).filter(|s| !s.is_empty())
}

/// `POST /requests/{id}/answer`.
pub async fn answer(
    State(state): State<AppState>,
    u: WebUser,
    csrf: CsrfToken,
    Path(id): Path<String>,
    WebForm(f): WebForm<AnswerForm>,
) -> Result<Response, WebError> {
    let r = async {
        let text = some(&f.answer).map(str::to_owned);
        let d = if some(&f.reasons).is_some() || some(&f.recourse).is_some() {
            Decision::Partial {
                text,
                refusal: Refusal::new(some(&f.reasons), some(&f.recourse))?,
            }
        } else {
            Decision::Answer { text }
        };
        requests::decide(&state, &u.0.user.id, &id, d).await?;
        Ok(())
    }
    .await;
    after(&state, &u, &csrf, &id, r).await
}

/// `POST /requests/{id}/refuse`.
pub async fn refuse(
    State(state): State<AppState>,
    u: WebUser,
    csrf: CsrfToken,
    Path(id): Path<String>,
    WebForm(f): WebForm<AnswerForm>,
) -> Result<Response, WebError> {
    let r = async {
        let refusal = Refusal::new(some(&f.reasons), some(&f.recourse))?;
        requests::decide(&state, &u.0.user.id, &id, Decision::Refuse(refusal)).await?;
        Ok(())
    }
    .await;
    after(&state, &u, &csrf, &id, r).await
}

/// `POST /requests/{id}/withdraw`.
pub async fn withdraw(
    State(state): State<AppState>,
    u: WebUser,
    csrf: CsrfToken,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let r = requests::withdraw(&state, &u.0.user.id, &id)
        .await
        .map(|_| ());
    after(&state, &u, &csrf, &id, r).await
}

/// `GET /requests/{id}/export`: the export the answer carried.
pub async fn export(
    State(state): State<AppState>,
    u: WebUser,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let (r, _) = state.store.request_for(&u.0.user.id, &id).await?;
    let (ct, bytes) = state.store.request_export(&r.id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, ct),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"held-data-{}.json\"", r.id),
            ),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "org_privacy.html")]
struct DeskPage {
    l: Layout,
    org: OrgView,
    queue: Vec<RequestOut>,
    settings: PrivacyIn,
    can_configure: bool,
    terms: Vec<TermsOut>,
    terms_list: Vec<(&'static str, &'static str)>,
}

async fn render_desk(
    state: &AppState,
    u: &WebUser,
    csrf: &CsrfToken,
    org: &str,
    status: StatusCode,
    error: Option<String>,
) -> Result<Response, WebError> {
    let me = &u.0.user.id;
    let o = state.store.org_for_member(me, org).await?;
    let now = now_us();
    let queue = state
        .store
        .requests_of_org(me, &o.org.id, false)
        .await?
        .iter()
        .map(|r| RequestOut::of(&r.request, &r.org_name, &r.pseudonym, now))
        .collect();
    let mut terms = Vec::new();
    for row in state.store.terms_of_org(me, &o.org.id).await? {
        let mut t = crate::api::terms_signed(state, &row).await?;
        t.proffered_at = short_time(&t.proffered_at);
        terms.push(t);
    }
    let s = state.store.privacy_settings(&o.org.id).await?;
    let page = DeskPage {
        l: Layout::new(format!("{} · privacy", o.org.name), Some(u), csrf).with_error(error),
        can_configure: matches!(
            o.role,
            slingshot_domain::Role::Owner | slingshot_domain::Role::Admin
        ),
        org: OrgView::from(&o.org, o.role.as_str()),
        queue,
        settings: crate::api::privacy_settings_out(&s),
        terms,
        terms_list: Term::ALL.iter().map(|t| (t.id(), t.title())).collect(),
    };
    render(status, &page)
}

/// `GET /orgs/{org}/privacy`: owners, admins and agents.
pub async fn desk(
    State(state): State<AppState>,
    u: WebUser,
    csrf: CsrfToken,
    Path(org): Path<String>,
) -> Result<Response, WebError> {
    render_desk(&state, &u, &csrf, &org, StatusCode::OK, None).await
}

async fn desk_after(
    state: &AppState,
    u: &WebUser,
    csrf: &CsrfToken,
    org: &str,
    result: Result<(), ServerError>,
) -> Result<Response, WebError> {
    after_form(
        result.map(|()| format!("/orgs/{org}/privacy")),
        |status, e| render_desk(state, u, csrf, org, status, Some(e)),
    )
    .await
}

/// The settings form.
#[derive(Deserialize)]
pub struct SettingsForm {
    response_days: String,
    time_zone: String,
    weekend: String,
    #[serde(default)]
    holidays: String,
    #[serde(default)]
    observe_weekend_holidays: Option<String>,
    #[serde(default)]
    jurisdiction: String,
    #[serde(default)]
    policy_url: String,
    #[serde(default)]
    contact_email: String,
}

/// `POST /orgs/{org}/privacy`.
pub async fn settings(
    State(state): State<AppState>,
    u: WebUser,
    csrf: CsrfToken,
    Path(org): Path<String>,
    WebForm(f): WebForm<SettingsForm>,
) -> Result<Response, WebError> {
    let r = async {
        let o = state.store.org_for_member(&u.0.user.id, &org).await?;
        let days = f.response_days.trim().parse::<u32>().map_err(|_| {
            ServerError::Invalid("invalid_settings", "response days is a whole number".into())
        })?;
        let s = crate::api::check_privacy(
            &o.org.id,
            PrivacyIn {
                response_days: days,
                time_zone: f.time_zone,
                weekend: f.weekend,
                holidays: f.holidays,
                observe_weekend_holidays: f.observe_weekend_holidays.is_some(),
                jurisdiction: f.jurisdiction,
                policy_url: f.policy_url,
                contact_email: f.contact_email,
            },
        )?;
        state.store.set_privacy_settings(&u.0.user.id, &s).await?;
        Ok(())
    }
    .await;
    desk_after(&state, &u, &csrf, &org, r).await
}

/// The terms answer form.
#[derive(Deserialize)]
pub struct RespondForm {
    org: String,
    response: String,
    #[serde(default)]
    counter_term: String,
}

/// `POST /terms/{id}/respond`.
pub async fn respond(
    State(state): State<AppState>,
    u: WebUser,
    csrf: CsrfToken,
    Path(id): Path<String>,
    WebForm(f): WebForm<RespondForm>,
) -> Result<Response, WebError> {
    let r = async {
        let response = match f.response.as_str() {
            "accepted" => TermResponse::Accepted,
            "rejected" => TermResponse::Rejected,
            "counter" => TermResponse::CounterProposed(Term::parse(&f.counter_term)?),
            other => {
                return Err(ServerError::Invalid(
                    "invalid_response",
                    format!("unknown response '{other}'"),
                ))
            }
        };
        crate::personal::terms::respond(&state, &u.0.user.id, &id, response).await?;
        Ok(())
    }
    .await;
    desk_after(&state, &u, &csrf, &f.org, r).await
}

#[derive(Template)]
#[template(path = "org_public.html")]
struct PublicPage {
    l: Layout,
    org: OrgView,
    settings: PrivacyIn,
    accepted: Vec<(String, i64)>,
    f: Figures,
    median: String,
    on_time: String,
}

/// `GET /o/{handle}`: the organization's public privacy profile (no sign-in needed).
pub async fn public(
    State(state): State<AppState>,
    u: Option<WebUser>,
    csrf: CsrfToken,
    Path(handle): Path<String>,
) -> Result<Response, WebError> {
    let o = state.store.org_public(&handle).await?;
    let s = state.store.privacy_settings(&o.id).await?;
    let f = crate::api::public_figures(&state, &o.id).await?;
    let accepted = state
        .store
        .accepted_terms(&o.id)
        .await?
        .into_iter()
        .map(|(t, n)| {
            (
                Term::parse(&t).map(|x| x.title().to_owned()).unwrap_or(t),
                n,
            )
        })
        .collect();
    let page = PublicPage {
        l: Layout::new(format!("{} · privacy", o.name), u.as_ref(), &csrf),
        org: OrgView::from(&o, ""),
        settings: crate::api::privacy_settings_out(&s),
        accepted,
        median: f
            .median_days_to_answer
            .map_or("—".into(), |d| format!("{d:.1} days")),
        on_time: f
            .on_time_share
            .map_or("—".into(), |x| format!("{:.0} %", x * 100.0)),
        f,
    };
    render(StatusCode::OK, &page)
}
