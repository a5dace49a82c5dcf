//! Conversation pages: start one, read it, write to it, change it; the vendor inbox; live
//! updates.

use super::csrf::CsrfToken;
use super::views::EntryView;
use super::{render, see_other, Layout, WebError, WebForm};
use crate::api::types::ThreadOut;
use crate::auth::WebUser;
use crate::{ledger, AppState, ServerError};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::sse::{KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use slingshot_domain::conversation::{parse_date, parse_subject, parse_tag, Stage, Status};
use slingshot_domain::entry_body::EventInput;
use slingshot_store::{NewThread, ThreadChange};

/// The new-conversation form.
#[derive(Deserialize)]
pub struct NewThreadForm {
    subject: String,
    stage: String,
    #[serde(default)]
    tags: String,
}

fn tags(s: &str) -> Result<Vec<String>, ServerError> {
    Ok(s.split_whitespace()
        .map(parse_tag)
        .collect::<Result<_, _>>()?)
}

/// `POST /relationships/{id}/threads`.
pub async fn create(
    State(state): State<AppState>,
    u: WebUser,
    Path(id): Path<String>,
    WebForm(f): WebForm<NewThreadForm>,
) -> Result<Response, WebError> {
    let new = NewThread {
        subject: parse_subject(&f.subject).map_err(ServerError::from)?,
        stage: Stage::parse(&f.stage).map_err(ServerError::from)?,
        tags: tags(&f.tags)?,
        follow_up_on: None,
    };
    let t = state.store.create_thread(&u.0.user.id, &id, &new).await?;
    Ok(see_other(&format!("/threads/{}", t.id)))
}

#[derive(Template)]
#[template(path = "thread.html")]
struct ThreadPage {
    l: Layout,
    thread: ThreadOut,
    vendor_name: String,
    side: String,
    links: Vec<super::thread_links::LinkView>,
    entries: Vec<EntryView>,
    next: Option<String>,
    show_vendor: bool,
    stages: Vec<&'static str>,
    statuses: Vec<&'static str>,
    /// Vendor side: who may be assigned (account id, handle).
    assignees: Vec<(String, String)>,
    /// Entries offer "correct" (the page's own side's chain entries).
    correctable: bool,
    /// The hash of the entry the write form corrects (`?correct=`).
    correcting: Option<String>,
    /// The page shows older entries than the newest (a link leads back to those).
    paged: bool,
    /// The relationship's other conversations (id, subject), to link to.
    link_targets: Vec<(String, String)>,
    /// The kinds of link (value, label).
    link_kinds: &'static [(&'static str, &'static str)],
}

/// The organization's owners, admins and agents (account id, handle): who a
/// conversation can be assigned to.
async fn assignees(
    state: &AppState,
    actor: &str,
    org_id: &str,
) -> crate::Result<Vec<(String, String)>> {
    Ok(state
        .store
        .members(actor, org_id)
        .await?
        .into_iter()
        .filter(|m| matches!(m.role.as_str(), "owner" | "admin" | "agent"))
        .map(|m| (m.user_id, m.handle))
        .collect())
}

async fn render_thread(
    state: &AppState,
    u: &WebUser,
    csrf: &CsrfToken,
    id: &str,
    status: StatusCode,
    error: Option<String>,
    q: ThreadQuery,
) -> Result<Response, WebError> {
    let before = q.before.as_deref().filter(|b| !b.is_empty());
    let (t, rel, side) = state.store.thread_for(&u.0.user.id, id).await?;
    let thread = crate::api::threads_view(state, &t).await?;
    let mut links = Vec::new();
    for [from, to, kind] in &thread.links {
        let other = if from == &t.id { to } else { from };
        if let Ok((o, _, _)) = state.store.thread_for(&u.0.user.id, other).await {
            // Read from this thread: it follows from the other, or the other follows from it.
            let label = match (from == &t.id, kind.as_str()) {
                (true, k) => k.replace('_', " "),
                (false, "follows_from") => "followed by".to_owned(),
                (false, "duplicate_of") => "duplicated by".to_owned(),
                (false, k) => k.replace('_', " "),
            };
            links.push(super::thread_links::LinkView {
                label,
                other: o.id,
                subject: o.subject,
                from: from.clone(),
                to: to.clone(),
                kind: kind.clone(),
            });
        }
    }
    let mut rows = state
        .store
        .timeline_relationship(&rel.id, side, Some(&t.id), before, THREAD_PAGE)
        .await?;
    // An entry asked for (a search hit) that is not on this page: the page that ends with it.
    let mut paged = before.is_some();
    if let Some(c) = q.entry.as_deref().filter(|c| slingshot_store::is_cursor(c)) {
        let wanted = c.split_once(':').map(|(_, id)| id).unwrap_or_default();
        if !rows.iter().any(|r| r.id == wanted) {
            // `~` sorts after every id character: the cursor just after the entry.
            let through = format!("{c}~");
            rows = state
                .store
                .timeline_relationship(&rel.id, side, Some(&t.id), Some(&through), THREAD_PAGE)
                .await?;
            paged = true;
        }
    }
    let next = (rows.len() == usize::try_from(THREAD_PAGE).unwrap_or(usize::MAX))
        .then(|| {
            rows.last()
                .map(|r| super::relationships::next_page(&[], &slingshot_store::cursor_of(r)))
        })
        .flatten();
    rows.reverse();
    let assignees = match (side.as_str(), rel.org_id.as_deref()) {
        ("vendor", Some(org)) => assignees(state, &u.0.user.id, org).await?,
        _ => Vec::new(),
    };
    let entries = super::views::entry_views(&state.store, &rows, side.as_str()).await?;
    let page = ThreadPage {
        l: Layout::new(t.subject.clone(), Some(u), csrf).with_error(error),
        thread,
        vendor_name: if side.as_str() == "vendor" {
            format!("customer {}", rel.pseudonym)
        } else {
            rel.vendor_name.clone()
        },
        side: side.as_str().to_owned(),
        links,
        entries,
        next,
        show_vendor: false,
        stages: Stage::ALL.iter().map(|s| s.as_str()).collect(),
        statuses: Status::ALL.iter().map(|s| s.as_str()).collect(),
        assignees,
        correctable: true,
        correcting: q.correct.filter(|c| !c.trim().is_empty()),
        paged,
        link_targets: super::thread_links::targets(
            &t.id,
            state.store.threads_in(&u.0.user.id, &rel.id).await?,
        ),
        link_kinds: &super::thread_links::KINDS,
    };
    render(status, &page)
}

/// Entries on one thread page (the newest first; older ones a link away).
const THREAD_PAGE: i64 = 200;

/// A thread page's query: `?before=` (a timeline cursor), `?correct=` (the hash of an
/// entry to write a correction of), `?entry=` (an entry's cursor, `<at>:<id>`, as a search
/// hit gives it: the page shows that entry even when it is older than the newest page).
#[derive(Deserialize, Default)]
pub struct ThreadQuery {
    before: Option<String>,
    correct: Option<String>,
    entry: Option<String>,
}

/// `GET /threads/{id}`.
pub async fn page(
    State(state): State<AppState>,
    u: WebUser,
    csrf: CsrfToken,
    Path(id): Path<String>,
    Query(q): Query<ThreadQuery>,
) -> Result<Response, WebError> {
    render_thread(&state, &u, &csrf, &id, StatusCode::OK, None, q).await
}

pub(super) async fn or_in_place(
    state: &AppState,
    u: &WebUser,
    csrf: &CsrfToken,
    id: &str,
    r: crate::Result<()>,
) -> Result<Response, WebError> {
    super::after_form(r.map(|()| format!("/threads/{id}")), |status, e| {
        render_thread(state, u, csrf, id, status, Some(e), ThreadQuery::default())
    })
    .await
}

/// The write form.
#[derive(Deserialize)]
pub struct EntryForm {
    kind: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    event_type: String,
    #[serde(default)]
    item: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    currency: String,
    #[serde(default)]
    order_ref: String,
    /// For a correction: the hash of the entry it corrects.
    #[serde(default)]
    corrects: String,
    /// For an event: the day it happened (YYYY-MM-DD), when not today.
    #[serde(default)]
    on: String,
}

/// `POST /threads/{id}/entries`.
pub async fn add(
    State(state): State<AppState>,
    u: WebUser,
    csrf: CsrfToken,
    Path(id): Path<String>,
    WebForm(f): WebForm<EntryForm>,
) -> Result<Response, WebError> {
    let opt = |s: &str| Some(s.trim().to_owned()).filter(|v| !v.is_empty());
    let event = (f.kind == "event").then(|| EventInput {
        kind: f.event_type.clone(),
        item: opt(&f.item),
        amount: opt(&f.amount),
        currency: opt(&f.currency),
        order_ref: opt(&f.order_ref),
        on: opt(&f.on),
    });
    let text = opt(&f.text);
    let r = ledger::add_entry(
        &state,
        &u.0.user.id,
        &id,
        ledger::EntryInput {
            kind: &f.kind,
            text: text.as_deref(),
            event: event.as_ref(),
            corrects: opt(&f.corrects).as_deref(),
        },
        None,
    )
    .await
    .map(|_| ());
    or_in_place(&state, &u, &csrf, &id, r).await
}

/// `POST /threads/{id}/attachments` (multipart: `file`; the CSRF token is in the URL).
pub async fn attach(
    State(state): State<AppState>,
    u: WebUser,
    csrf: CsrfToken,
    Path(id): Path<String>,
    mut form: axum::extract::Multipart,
) -> Result<Response, WebError> {
    let limit = state.config.attachment_limit;
    let r = async {
        let bad = |e: axum::extract::multipart::MultipartError| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ServerError::PayloadTooLarge(limit)
            } else {
                ServerError::Invalid("invalid_form", e.body_text())
            }
        };
        let mut file: Option<(String, String, Vec<u8>)> = None;
        while let Some(field) = form.next_field().await.map_err(bad)? {
            if field.name() == Some("file") {
                let name = field.file_name().unwrap_or("attachment").to_owned();
                let declared = field.content_type().unwrap_or("").to_owned();
                let data = field.bytes().await.map_err(bad)?;
                if data.len() > limit {
                    return Err(ServerError::PayloadTooLarge(limit));
                }
                file = Some((name, declared, data.to_vec()));
            }
        }
        let (name, declared, data) = file.filter(|f| !f.2.is_empty()).ok_or_else(|| {
            ServerError::Invalid("invalid_form", "choose a file to attach".into())
        })?;
        crate::attachments::add_attachment(&state, &u.0.user.id, &id, &name, &declared, data)
            .await?;
        Ok(())
    }
    .await;
    or_in_place(&state, &u, &csrf, &id, r).await
}

/// `GET /attachments/{id}`: either side of the relationship (never the other side's private files).
pub async fn download(
    State(state): State<AppState>,
    u: WebUser,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let a = state.store.attachment_for(&u.0.user.id, &id).await?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, a.content_type),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", a.filename),
            ),
        ],
        a.data,
    )
        .into_response())
}

/// The change form.
#[derive(Deserialize)]
pub struct UpdateForm {
    stage: String,
    status: String,
    #[serde(default)]
    follow_up_on: String,
    #[serde(default)]
    tags: String,
    /// Vendor side only: an account id, or empty for nobody; absent leaves it alone.
    assignee: Option<String>,
}

/// `POST /threads/{id}/update`.
pub async fn update(
    State(state): State<AppState>,
    u: WebUser,
    csrf: CsrfToken,
    Path(id): Path<String>,
    WebForm(f): WebForm<UpdateForm>,
) -> Result<Response, WebError> {
    let change = (|| -> crate::Result<ThreadChange> {
        Ok(ThreadChange {
            stage: Some(Stage::parse(&f.stage)?),
            status: Some(Status::parse(&f.status)?),
            tags: Some(tags(&f.tags)?),
            follow_up_on: Some(if f.follow_up_on.trim().is_empty() {
                None
            } else {
                Some(parse_date(&f.follow_up_on)?)
            }),
            assignee: f
                .assignee
                .as_deref()
                .map(|a| Some(a.trim().to_owned()).filter(|a| !a.is_empty())),
            ..Default::default()
        })
    })();
    let r = match change {
        Ok(c) => state
            .store
            .update_thread(&u.0.user.id, &id, &c)
            .await
            .map(|_| ())
            .map_err(Into::into),
        Err(e) => Err(e),
    };
    or_in_place(&state, &u, &csrf, &id, r).await
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    l: Layout,
    org_name: String,
    org_handle: String,
    rows: Vec<InboxView>,
    due: Vec<InboxView>,
    statuses: Vec<&'static str>,
    assignees: Vec<(String, String)>,
    filter: InboxFilter,
    /// The next page of the inbox, with the same filters.
    more: Option<String>,
    /// More follow-ups are due than the page shows.
    more_due: Option<String>,
}

/// The inbox page's filters: `?status=` (empty: all not resolved or closed) and
/// `?assignee=` (empty: anyone; `me`, `none` or an account id).
#[derive(Deserialize, Default)]
pub struct InboxFilter {
    #[serde(default)]
    status: String,
    #[serde(default)]
    assignee: String,
    after: Option<String>,
    due_after: Option<String>,
}

struct InboxView {
    customer: String,
    relationship_id: String,
    assignee: String,
    thread_id: String,
    subject: String,
    stage: String,
    status: String,
    waiting: String,
    follow_up_on: String,
}

impl InboxView {
    fn from(r: &slingshot_store::InboxRow, now_us: i64) -> Self {
        Self {
            customer: r.pseudonym.clone(),
            relationship_id: r.relationship_id.clone(),
            assignee: r.assignee_handle.clone().unwrap_or_default(),
            thread_id: r.id.clone(),
            subject: r.subject.clone(),
            stage: r.stage.clone(),
            status: r.status.clone(),
            waiting: if r.awaiting_reply() {
                waiting(r.last_customer_at.map(|t| (now_us - t) / 1_000_000))
            } else {
                "answered".into()
            },
            follow_up_on: r.follow_up_on.clone().unwrap_or_default(),
        }
    }
}

fn waiting(secs: Option<i64>) -> String {
    match secs {
        None => "—".into(),
        Some(s) if s < 3600 => format!("{} min", s / 60),
        Some(s) if s < 86_400 => format!("{} h", s / 3600),
        Some(s) => format!("{} days", s / 86_400),
    }
}

/// Conversations on one page of the inbox, and follow-ups in its due list.
const INBOX_PAGE: i64 = 100;

/// `GET /orgs/{org}/inbox`: owners, admins and agents.
pub async fn inbox(
    State(state): State<AppState>,
    u: WebUser,
    csrf: CsrfToken,
    Path(org): Path<String>,
    Query(f): Query<InboxFilter>,
) -> Result<Response, WebError> {
    let me = &u.0.user.id;
    let o = state.store.org_for_member(me, &org).await?;
    let status = Some(f.status.trim())
        .filter(|s| !s.is_empty())
        .map(Status::parse)
        .transpose()
        .map_err(ServerError::from)?;
    let assigned = crate::api::assigned(Some(f.assignee.as_str()), me);
    let window = crate::api::types::queue_window(f.after.as_deref(), Some(INBOX_PAGE))?;
    let rows = state
        .store
        .org_inbox(me, &o.org.id, status, assigned, window)
        .await?;
    let now = slingshot_store::now_us();
    let today: String = slingshot_store::rfc3339(now).chars().take(10).collect();
    let due = state
        .store
        .due_for_org(
            me,
            &o.org.id,
            &today,
            assigned,
            crate::api::types::queue_window(f.due_after.as_deref(), Some(INBOX_PAGE))?,
        )
        .await?;
    let more_due = due.next.as_deref().map(|n| {
        format!(
            "/orgs/{}/inbox?status={}&assignee={}&due_after={n}#due-h",
            o.org.handle,
            super::urlencode(&f.status),
            super::urlencode(&f.assignee)
        )
    });
    let more = rows.next.as_deref().map(|n| {
        format!(
            "/orgs/{}/inbox?status={}&assignee={}&after={n}",
            o.org.handle,
            super::urlencode(&f.status),
            super::urlencode(&f.assignee)
        )
    });
    render(
        StatusCode::OK,
        &InboxPage {
            l: Layout::new(format!("Inbox — {}", o.org.name), Some(&u), &csrf),
            org_name: o.org.name,
            org_handle: o.org.handle.clone(),
            rows: rows.items.iter().map(|r| InboxView::from(r, now)).collect(),
            more_due,
            due: due.items.iter().map(|r| InboxView::from(r, now)).collect(),
            more,
            statuses: Status::ALL.iter().map(|s| s.as_str()).collect(),
            assignees: assignees(&state, me, &o.org.id).await?,
            filter: f,
        },
    )
}

/// `GET /events`: the signed-in person's live entry events (cookie session).
pub async fn events(State(state): State<AppState>, u: WebUser) -> Result<Response, WebError> {
    let stream = crate::api::events::stream_for(&state, &u.0.user.id).await?;
    Ok(Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response())
}
