//! The customer's pages: vendors, the timeline across them, one relationship, mail import,
//! bundle download.

use super::csrf::CsrfToken;
use super::views::EntryView;
use super::{render, see_other, Layout, WebError, WebForm};
use crate::api::types::{RelationshipOut, ThreadOut};
use crate::auth::WebUser;
use crate::mail_import::{import_mail_files, MailReport};
use crate::{ledger, AppState, ServerError};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use slingshot_domain::conversation::{parse_date, parse_tag, Stage, Status};
use slingshot_domain::{DomainError, Handle};
use slingshot_store::{cursor_of, rfc3339, NewRelationship, Thread, TimelineFilter};

/// Timeline (and search) filters from the query string.
#[derive(Deserialize, Default)]
pub struct Filter {
    pub(crate) relationship: Option<String>,
    pub(crate) stage: Option<String>,
    pub(crate) status: Option<String>,
    pub(crate) tag: Option<String>,
    pub(crate) from: Option<String>,
    pub(crate) to: Option<String>,
    pub(crate) before: Option<String>,
}

impl Filter {
    /// The store's filter: an unknown stage or status or a malformed date is an error.
    pub(crate) fn checked(&self) -> Result<TimelineFilter, ServerError> {
        Ok(TimelineFilter {
            relationship_id: nonempty(&self.relationship),
            stage: nonempty(&self.stage)
                .map(|s| Stage::parse(&s))
                .transpose()?
                .map(|s| s.as_str().to_owned()),
            status: nonempty(&self.status)
                .map(|s| Status::parse(&s))
                .transpose()?
                .map(|s| s.as_str().to_owned()),
            tag: nonempty(&self.tag).map(|t| parse_tag(&t)).transpose()?,
            from_us: nonempty(&self.from).map(|d| day_us(&d)).transpose()?,
            to_us: nonempty(&self.to).map(|d| day_us(&d)).transpose()?,
        })
    }

    /// The filters (not the cursor), by their names in the query string.
    pub(crate) fn pairs(&self) -> [(&'static str, &Option<String>); 6] {
        [
            ("relationship", &self.relationship),
            ("stage", &self.stage),
            ("status", &self.status),
            ("tag", &self.tag),
            ("from", &self.from),
            ("to", &self.to),
        ]
    }
}

#[derive(Template)]
#[template(path = "relationships.html")]
struct ListPage {
    l: Layout,
    rels: Vec<RelationshipOut>,
    entries: Vec<EntryView>,
    next: Option<String>,
    show_vendor: bool,
    filter: Filter,
    stages: Vec<&'static str>,
    statuses: Vec<&'static str>,
    due: Vec<Thread>,
    correctable: bool,
}

/// The query string of the next (older) page: `filters` that are set, then `before`.
pub(crate) fn next_page(filters: &[(&str, &Option<String>)], before: &str) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    for (name, value) in filters {
        if let Some(v) = nonempty(value) {
            q.append_pair(name, &v);
        }
    }
    q.append_pair("before", before).finish()
}

fn nonempty(s: &Option<String>) -> Option<String> {
    s.as_ref()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

fn day_us(d: &str) -> Result<i64, ServerError> {
    let d = parse_date(d)?;
    slingshot_store::date_start_us(&d)
        .ok_or_else(|| ServerError::Invalid("invalid_value", format!("{d} is not a date")))
}

async fn render_list(
    state: &AppState,
    u: &WebUser,
    csrf: &CsrfToken,
    f: Filter,
    status: StatusCode,
    error: Option<String>,
) -> Result<Response, WebError> {
    let me = &u.0.user.id;
    let rels = state.store.relationships_of(me).await?;
    let tf = f.checked()?;
    let rows = state
        .store
        .timeline_person(me, &tf, f.before.as_deref(), 50)
        .await?;
    let next = (rows.len() == 50)
        .then(|| rows.last().map(|r| next_page(&f.pairs(), &cursor_of(r))))
        .flatten();
    let today: String = rfc3339(slingshot_store::now_us())
        .chars()
        .take(10)
        .collect();
    let page = ListPage {
        l: Layout::new("My vendors", Some(u), csrf).with_error(error),
        rels: rels
            .iter()
            .map(|r| RelationshipOut::from(r, "customer"))
            .collect(),
        entries: super::views::entry_views(&state.store, &rows, "customer").await?,
        next,
        show_vendor: true,
        filter: f,
        stages: Stage::ALL.iter().map(|s| s.as_str()).collect(),
        statuses: Status::ALL.iter().map(|s| s.as_str()).collect(),
        due: state.store.due_for_person(me, &today).await?,
        correctable: false,
    };
    render(status, &page)
}

/// `GET /relationships`.
pub async fn list(
    State(state): State<AppState>,
    u: WebUser,
    csrf: CsrfToken,
    Query(f): Query<Filter>,
) -> Result<Response, WebError> {
    render_list(&state, &u, &csrf, f, StatusCode::OK, None).await
}

/// The track-a-vendor form.
#[derive(Deserialize)]
pub struct NewRelForm {
    #[serde(default)]
    org: String,
    #[serde(default)]
    vendor_name: String,
    #[serde(default)]
    vendor_website: String,
    #[serde(default)]
    vendor_domain: String,
    #[serde(default)]
    notes: String,
}

/// `POST /relationships`.
pub async fn create(
    State(state): State<AppState>,
    u: WebUser,
    csrf: CsrfToken,
    WebForm(f): WebForm<NewRelForm>,
) -> Result<Response, WebError> {
    let org = Some(f.org.trim().to_owned()).filter(|o| !o.is_empty());
    let result = async {
        if let Some(o) = &org {
            Handle::parse(o)?;
        } else if f.vendor_name.trim().is_empty() || f.vendor_name.chars().count() > 120 {
            return Err(ServerError::from(DomainError::InvalidName(
                "vendor name",
                120,
            )));
        }
        let new = NewRelationship {
            org,
            vendor_name: f.vendor_name.clone(),
            vendor_website: f.vendor_website.clone(),
            vendor_domain: f.vendor_domain.clone(),
            notes: f.notes.clone(),
        };
        Ok(state.store.create_relationship(&u.0.user.id, &new).await?)
    }
    .await;
    match result {
        Ok(r) => Ok(see_other(&format!("/relationships/{}", r.id))),
        Err(e) if e.status_code().0.is_client_error() => {
            render_list(
                &state,
                &u,
                &csrf,
                Filter::default(),
                e.status_code().0,
                Some(e.to_string()),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "relationship.html")]
struct RelPage {
    l: Layout,
    rel: RelationshipOut,
    side: String,
    threads: Vec<ThreadOut>,
    stages: Vec<&'static str>,
    entries: Vec<EntryView>,
    next: Option<String>,
    show_vendor: bool,
    correctable: bool,
    proof: Option<super::proof::ProofView>,
}

/// What the page says after an import (`?files_left_out=3,7`) or a countersigning
/// (`?countersigned=12`).
#[derive(Deserialize, Default)]
pub struct AfterImport {
    files_left_out: Option<String>,
    countersigned: Option<u64>,
}

impl AfterImport {
    /// The notice: which entries came without their file. Anything but a short list of
    /// sequence numbers says nothing.
    fn notice(&self) -> Option<String> {
        if let Some(seq) = self.countersigned {
            return Some(format!(
                "Countersigned: your signed checkpoint of entry {seq} is part of the history \
                 both sides export."
            ));
        }
        let list = self.files_left_out.as_deref()?;
        let ok = !list.is_empty()
            && list.len() <= 200
            && list.split(',').all(|n| n.parse::<u64>().is_ok());
        ok.then(|| {
            format!(
                "Imported. The files of entries {} were not brought (left out by the exporter, \
                 or larger than this instance accepts); the entries and their record of each \
                 file are here.",
                list.replace(',', ", ")
            )
        })
    }
}

/// `GET /relationships/{id}`: either side.
pub async fn page(
    State(state): State<AppState>,
    u: WebUser,
    csrf: CsrfToken,
    Path(id): Path<String>,
    Query(f): Query<Filter>,
    Query(after): Query<AfterImport>,
) -> Result<Response, WebError> {
    let (rel, side) = state.store.relationship_for(&u.0.user.id, &id).await?;
    let mut threads = Vec::new();
    for t in state.store.threads_in(&u.0.user.id, &id).await? {
        threads.push(crate::api::threads_view(&state, &t).await?);
    }
    let rows = state
        .store
        .timeline_relationship(&rel.id, side, None, f.before.as_deref(), 50)
        .await?;
    let next = (rows.len() == 50)
        .then(|| rows.last().map(|r| next_page(&[], &cursor_of(r))))
        .flatten();
    let mut l = Layout::new(rel.vendor_name.clone(), Some(&u), &csrf);
    l.notice = after.notice();
    let proof = super::proof::view(&state, &rel, side).await?;
    let page = RelPage {
        l,
        rel: RelationshipOut::from(&rel, side.as_str()),
        side: side.as_str().to_owned(),
        threads,
        stages: Stage::ALL.iter().map(|s| s.as_str()).collect(),
        entries: super::views::entry_views(&state.store, &rows, side.as_str()).await?,
        next,
        show_vendor: false,
        correctable: false,
        proof,
    };
    render(StatusCode::OK, &page)
}

/// The share form.
#[derive(Deserialize)]
pub struct ShareForm {
    org: String,
}

/// `POST /relationships/{id}/share`.
pub async fn share(
    State(state): State<AppState>,
    u: WebUser,
    Path(id): Path<String>,
    WebForm(f): WebForm<ShareForm>,
) -> Result<Response, WebError> {
    state
        .store
        .share_with_org(&u.0.user.id, &id, f.org.trim())
        .await?;
    Ok(see_other(&format!("/relationships/{id}")))
}

/// The describe-the-vendor form.
#[derive(Deserialize)]
pub struct EditForm {
    vendor_name: String,
    #[serde(default)]
    vendor_website: String,
    #[serde(default)]
    vendor_domain: String,
    #[serde(default)]
    notes: String,
}

/// `POST /relationships/{id}/edit`: the person's side.
pub async fn edit(
    State(state): State<AppState>,
    u: WebUser,
    Path(id): Path<String>,
    WebForm(f): WebForm<EditForm>,
) -> Result<Response, WebError> {
    let change = slingshot_store::RelationshipChange {
        vendor_name: Some(f.vendor_name),
        vendor_website: Some(f.vendor_website),
        vendor_domain: Some(f.vendor_domain),
        notes: Some(f.notes),
    };
    state
        .store
        .update_relationship(&u.0.user.id, &id, &change)
        .await?;
    Ok(see_other(&format!("/relationships/{id}")))
}

/// `GET /relationships/{id}/export`: the signed history as a file.
pub async fn export(
    State(state): State<AppState>,
    u: WebUser,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let (rel, side) = state.store.relationship_for(&u.0.user.id, &id).await?;
    let bundle = crate::bundle_export::Export::prepare(&state, &rel, side).await?;
    let disposition = format!("attachment; filename=\"relationship-{}.jsonl\"", rel.id);
    Ok((
        [
            (header::CONTENT_TYPE, "application/jsonl".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bundle.into_body(),
    )
        .into_response())
}

/// `POST /relationships/import` (multipart: `file`, a bundle from an export here or on
/// another instance): verified, then stored as one of the person's relationships.
pub async fn import_bundle(
    State(state): State<AppState>,
    u: WebUser,
    csrf: CsrfToken,
    mut form: Multipart,
) -> Result<Response, WebError> {
    let bad = multipart_error(state.config.import_limit);
    let result = async {
        let mut file = Vec::new();
        while let Some(field) = form.next_field().await.map_err(bad)? {
            if field.name() == Some("file") {
                file = field.bytes().await.map_err(bad)?.to_vec();
            }
        }
        if file.is_empty() {
            return Err(ServerError::Invalid(
                "invalid_form",
                "choose a bundle file to import".into(),
            ));
        }
        ledger::import_bundle(&state, &u.0.user.id, &file).await
    }
    .await;
    match result {
        Ok(done) if done.files_left_out.is_empty() => Ok(see_other(&format!(
            "/relationships/{}",
            done.relationship_id
        ))),
        Ok(done) => {
            // The first few are named; the API's answer lists them all.
            let seqs: Vec<String> = done
                .files_left_out
                .iter()
                .take(20)
                .map(u64::to_string)
                .collect();
            Ok(see_other(&format!(
                "/relationships/{}?files_left_out={}",
                done.relationship_id,
                seqs.join(",")
            )))
        }
        Err(e) if e.status_code().0.is_client_error() => {
            let (status, msg) = (e.status_code().0, e.to_string());
            render_list(&state, &u, &csrf, Filter::default(), status, Some(msg)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// How a failed multipart upload is answered: 413 past `limit`, else 422 `invalid_form`.
fn multipart_error(
    limit: usize,
) -> impl Fn(axum::extract::multipart::MultipartError) -> ServerError + Copy {
    move |e| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            ServerError::PayloadTooLarge(limit)
        } else {
            ServerError::Invalid("invalid_form", e.body_text())
        }
    }
}

#[derive(Template)]
#[template(path = "mail_report.html")]
struct MailPage {
    l: Layout,
    report: MailReport,
}

/// `POST /mail/import` (multipart: `me`, one or more `file`s: .eml files or mboxes).
pub async fn mail(
    State(state): State<AppState>,
    u: WebUser,
    csrf: CsrfToken,
    mut form: Multipart,
) -> Result<Response, WebError> {
    let mut me = String::new();
    let mut files: Vec<Vec<u8>> = Vec::new();
    let bad = multipart_error(state.config.import_limit);
    while let Some(field) = form.next_field().await.map_err(bad)? {
        match field.name() {
            Some("me") => me = field.text().await.map_err(bad)?,
            Some("file") => {
                let bytes = field.bytes().await.map_err(bad)?;
                if !bytes.is_empty() {
                    files.push(bytes.to_vec());
                }
            }
            _ => {}
        }
    }
    if files.is_empty() {
        return Err(ServerError::Invalid(
            "invalid_form",
            "choose .eml files or an mbox to import".into(),
        )
        .into());
    }
    let files: Vec<(&[u8], bool)> = files
        .iter()
        .map(|f| (f.as_slice(), f.starts_with(b"From ")))
        .collect();
    let me: Vec<String> = me
        .split(',')
        .map(|s| s.trim().to_ascii_lowercase())
        .filter(|s| !s.is_empty())
        .collect();
    let report = import_mail_files(&state, &u.0.user.id, &files, &me).await?;
    render(
        StatusCode::OK,
        &MailPage {
            l: Layout::new("Mail import", Some(&u), &csrf),
            report,
        },
    )
}
