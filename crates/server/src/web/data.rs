//! The person's "My data" page: vault, grants, consent receipts, access log, terms and
//! requests, with a form for each action.

use super::csrf::CsrfToken;
use super::views::short_time;
use super::{after_form, render, Layout, WebError, WebForm};
use crate::api::personal_types::{AccessLogOut, FieldOut, GrantOut, RequestOut, TermInfo};
use crate::auth::WebUser;
use crate::personal::consent::{self, GrantInput};
use crate::personal::requests::{self, RequestInput};
use crate::personal::vault::check_field;
use crate::{AppState, ServerError};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use slingshot_domain::access_request::RequestKind;
use slingshot_domain::consent::{FieldKind, Purpose, Term};
use slingshot_store::{date_start_us, now_us, rfc3339};

/// A two-sided relationship to choose in forms.
pub struct RelChoice {
    /// Relationship id.
    pub id: String,
    /// Organization handle.
    pub org: String,
    /// Vendor name.
    pub name: String,
}

/// A consent record as listed.
pub struct ConsentView {
    /// Id.
    pub id: String,
    /// given or withdrawn.
    pub action: String,
    /// Organization name.
    pub org: String,
    /// Purpose.
    pub purpose: String,
    /// RFC 3339.
    pub at: String,
}

/// A proffered term as listed.
pub struct TermsView {
    /// Organization name.
    pub org: String,
    /// Term title.
    pub title: String,
    /// Response for people.
    pub status: String,
}

#[derive(Template)]
#[template(path = "data.html")]
struct DataPage {
    l: Layout,
    fields: Vec<FieldOut>,
    kinds: Vec<(&'static str, &'static str)>,
    rels: Vec<RelChoice>,
    purposes: Vec<(&'static str, &'static str)>,
    grants: Vec<(GrantOut, String, String)>,
    consents: Vec<ConsentView>,
    log: Vec<AccessLogOut>,
    terms_list: Vec<TermInfo>,
    terms: Vec<TermsView>,
    requests: Vec<RequestOut>,
    request_kinds: Vec<&'static str>,
    default_expiry: String,
}

async fn render_data(
    state: &AppState,
    u: &WebUser,
    csrf: &CsrfToken,
    status: StatusCode,
    error: Option<String>,
) -> Result<Response, WebError> {
    let me = &u.0.user.id;
    let now = now_us();
    let fields = state.store.profile_fields(me).await?;
    // Organizations by id, read once for the whole page.
    let mut orgs: std::collections::HashMap<String, slingshot_store::Org> =
        std::collections::HashMap::new();
    let mut rels: Vec<RelChoice> = Vec::new();
    for r in state.store.relationships_of(me).await? {
        if let (Some(o), true) = (&r.org_id, r.shared_at.is_some()) {
            let org = state.store.org_public(o).await?;
            rels.push(RelChoice {
                id: r.id.clone(),
                org: org.handle.clone(),
                name: r.vendor_name.clone(),
            });
            orgs.insert(o.clone(), org);
        }
    }
    let name_of_rel = |id: &str| {
        rels.iter()
            .find(|r| r.id == id)
            .map(|r| r.name.clone())
            .unwrap_or_default()
    };
    let field_names = |ids: &[String]| {
        ids.iter()
            .filter_map(|i| fields.iter().find(|f| &f.id == i).map(|f| f.label.clone()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let grants = state
        .store
        .grants_of_person(me, None)
        .await?
        .iter()
        .map(|g| {
            let mut out = GrantOut::of(g, now, None);
            out.expires_at = short_time(&out.expires_at);
            (
                out,
                name_of_rel(&g.relationship_id),
                field_names(&g.field_ids),
            )
        })
        .collect();
    let mut consents = Vec::new();
    for c in state.store.consent_records_of(me).await?.iter().take(50) {
        let rec: serde_json::Value = serde_json::from_str(&c.record).unwrap_or_default();
        consents.push(ConsentView {
            id: c.id.clone(),
            action: c.action.clone(),
            org: rec["controller"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            purpose: rec["purposes"][0].as_str().unwrap_or_default().to_owned(),
            at: short_time(&rfc3339(c.created_at)),
        });
    }
    let log = state
        .store
        .access_log_of_person(me, None, 50)
        .await?
        .items
        .iter()
        .map(|a| {
            let mut out = AccessLogOut::from(a);
            out.at = short_time(&out.at);
            out
        })
        .collect();
    let mut terms = Vec::new();
    for t in state.store.terms_of_person(me).await? {
        let org = match orgs.get(&t.org_id) {
            Some(o) => o.clone(),
            None => state.store.org_public(&t.org_id).await?,
        };
        let title = Term::parse(&t.term)
            .map(|x| x.title().to_owned())
            .unwrap_or_default();
        let status = match (t.response.as_deref(), t.counter_term.as_deref()) {
            (None, _) => "waiting for an answer".to_owned(),
            (Some("counter"), Some(c)) => format!(
                "counter-proposed: {}",
                Term::parse(c).map(|x| x.title()).unwrap_or_default()
            ),
            (Some(r), _) => r.to_owned(),
        };
        terms.push(TermsView {
            org: org.name,
            title,
            status,
        });
    }
    let requests = state
        .store
        .requests_of_person(me)
        .await?
        .iter()
        .map(|r| RequestOut::of(&r.request, &r.org_name, &r.pseudonym, now))
        .collect();
    let default_expiry: String = rfc3339(now + 365 * 86_400 * 1_000_000)
        .chars()
        .take(10)
        .collect();
    let page = DataPage {
        l: Layout::new("My data", Some(u), csrf).with_error(error),
        fields: fields.iter().map(FieldOut::from).collect(),
        kinds: FieldKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label()))
            .collect(),
        rels,
        purposes: Purpose::ALL
            .iter()
            .map(|p| (p.as_str(), p.label()))
            .collect(),
        grants,
        consents,
        log,
        terms_list: Term::ALL
            .iter()
            .map(|t| TermInfo {
                id: t.id().into(),
                title: t.title().into(),
                text: t.text().into(),
            })
            .collect(),
        terms,
        requests,
        request_kinds: RequestKind::ALL.iter().map(|k| k.as_str()).collect(),
        default_expiry,
    };
    render(status, &page)
}

/// `GET /data`.
pub async fn page(
    State(state): State<AppState>,
    u: WebUser,
    csrf: CsrfToken,
) -> Result<Response, WebError> {
    render_data(&state, &u, &csrf, StatusCode::OK, None).await
}

/// Re-render with the error for client errors; redirect on success.
async fn done(
    state: &AppState,
    u: &WebUser,
    csrf: &CsrfToken,
    result: Result<String, ServerError>,
) -> Result<Response, WebError> {
    after_form(result, |status, e| {
        render_data(state, u, csrf, status, Some(e))
    })
    .await
}

/// The add-a-field form.
#[derive(Deserialize)]
pub struct FieldForm {
    kind: String,
    #[serde(default)]
    label: String,
    value: String,
}

/// `POST /data/fields`.
pub async fn add_field(
    State(state): State<AppState>,
    u: WebUser,
    csrf: CsrfToken,
    WebForm(f): WebForm<FieldForm>,
) -> Result<Response, WebError> {
    let r = async {
        let (k, label, value) = check_field(&f.kind, Some(&f.label), &f.value)?;
        state
            .store
            .add_profile_field(&u.0.user.id, k.as_str(), &label, &value)
            .await?;
        Ok("/data#profile".to_owned())
    }
    .await;
    done(&state, &u, &csrf, r).await
}

/// `POST /data/fields/{id}/delete`.
pub async fn delete_field(
    State(state): State<AppState>,
    u: WebUser,
    csrf: CsrfToken,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let r = state
        .store
        .delete_profile_field(&u.0.user.id, &id)
        .await
        .map(|_| "/data#profile".to_owned());
    done(&state, &u, &csrf, r.map_err(Into::into)).await
}

/// The grant form (fields arrive as repeated `field` values).
#[derive(Deserialize)]
pub struct GrantForm {
    relationship: String,
    purpose: String,
    #[serde(default)]
    field: Vec<String>,
    expires_on: String,
}

/// `POST /data/grants` (a form body with repeated keys).
pub async fn grant(
    State(state): State<AppState>,
    u: WebUser,
    csrf: CsrfToken,
    body: axum::body::Bytes,
) -> Result<Response, WebError> {
    let r = async {
        let f: GrantForm = serde_html_form::from_bytes(&body)
            .map_err(|e| ServerError::Invalid("invalid_form", e.to_string()))?;
        let purpose = Purpose::parse(&f.purpose)?;
        let day = slingshot_domain::conversation::parse_date(&f.expires_on)?;
        let expires_at = date_start_us(&day)
            .ok_or_else(|| ServerError::Invalid("invalid_expiry", "expiry is a date".into()))?
            + 86_400 * 1_000_000
            - 1;
        consent::grant(
            &state,
            &u.0.user.id,
            GrantInput {
                relationship_id: f.relationship,
                purpose,
                field_ids: f.field,
                expires_at,
            },
        )
        .await?;
        Ok("/data#grants".to_owned())
    }
    .await;
    done(&state, &u, &csrf, r).await
}

/// `POST /data/grants/{id}/revoke`.
pub async fn revoke(
    State(state): State<AppState>,
    u: WebUser,
    csrf: CsrfToken,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let r = consent::revoke(&state, &u.0.user.id, &id)
        .await
        .map(|_| "/data#grants".to_owned());
    done(&state, &u, &csrf, r).await
}

/// Receipt format.
#[derive(Deserialize)]
pub struct ReceiptQuery {
    format: Option<String>,
}

/// `GET /data/consents/{id}/receipt`: the signed JWS, or `?format=json`.
pub async fn receipt(
    State(state): State<AppState>,
    u: WebUser,
    Path(id): Path<String>,
    Query(q): Query<ReceiptQuery>,
) -> Result<Response, WebError> {
    let c = state.store.consent_record(&u.0.user.id, &id).await?;
    let json = q.format.as_deref() == Some("json");
    let (ct, ext, body) = if json {
        let out = crate::api::personal_types::ConsentOut::of(&c);
        (
            "application/json",
            "json",
            serde_json::to_string_pretty(&out.receipt).unwrap_or_default(),
        )
    } else {
        ("application/jose", "jws", c.receipt.clone())
    };
    Ok((
        [
            (header::CONTENT_TYPE, ct.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"consent-receipt-{id}.{ext}\""),
            ),
        ],
        body,
    )
        .into_response())
}

/// The proffer form.
#[derive(Deserialize)]
pub struct TermsForm {
    org: String,
    term: String,
}

/// `POST /data/terms`.
pub async fn proffer(
    State(state): State<AppState>,
    u: WebUser,
    csrf: CsrfToken,
    WebForm(f): WebForm<TermsForm>,
) -> Result<Response, WebError> {
    let r = async {
        let term = Term::parse(&f.term)?;
        crate::personal::terms::proffer(&state, &u.0.user.id, &f.org, term).await?;
        Ok("/data#terms".to_owned())
    }
    .await;
    done(&state, &u, &csrf, r).await
}

/// The request form (fields to correct arrive as repeated `field` values).
#[derive(Deserialize)]
pub struct RequestForm {
    org: String,
    kind: String,
    body: String,
    #[serde(default)]
    field: Vec<String>,
}

/// `POST /data/requests`.
pub async fn send_request(
    State(state): State<AppState>,
    u: WebUser,
    csrf: CsrfToken,
    body: axum::body::Bytes,
) -> Result<Response, WebError> {
    let r = async {
        let f: RequestForm = serde_html_form::from_bytes(&body)
            .map_err(|e| ServerError::Invalid("invalid_form", e.to_string()))?;
        let kind = RequestKind::parse(&f.kind)?;
        let req = requests::send(
            &state,
            &u.0.user.id,
            RequestInput {
                org: f.org,
                kind,
                body: Some(f.body),
                field_ids: f.field,
            },
        )
        .await?;
        Ok(format!("/requests/{}", req.id))
    }
    .await;
    done(&state, &u, &csrf, r).await
}
