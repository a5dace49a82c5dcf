//! An organization's Watchlist: upload cascades, choose the sources to watch (CELF) in a
//! background job, show the chosen sources and the chart of value and bound.

use super::csrf::CsrfToken;
use super::{render, see_other, Layout, WebError};
use crate::auth::WebUser;
use crate::{AppState, ServerError};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use slingshot_listen::{
    curve_svg, load_reader, select, Format, NoProgress, Objective, SelectOptions, Selection,
};
use slingshot_store::{rfc3339, WatchRun};

/// Most sources a page run may choose.
const MAX_K: i64 = 1000;

struct RunView {
    id: String,
    created_at: String,
    file_name: String,
    objective: String,
    k: i64,
    status: String,
    error: Option<String>,
}

impl From<&WatchRun> for RunView {
    fn from(r: &WatchRun) -> Self {
        Self {
            id: r.id.clone(),
            created_at: rfc3339(r.created_at),
            file_name: r.file_name.clone(),
            objective: r.objective.clone(),
            k: r.k,
            status: r.status.clone(),
            error: r.error.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "watchlist.html")]
struct WatchPage {
    l: Layout,
    org_name: String,
    org_handle: String,
    can_run: bool,
    shown: Option<RunView>,
    summary: Option<String>,
    steps: Vec<(usize, String, String, String, String)>,
    runs: Vec<RunView>,
}

/// `?run=`.
#[derive(Deserialize)]
pub struct RunQuery {
    run: Option<String>,
}

/// `GET /orgs/{org}/watchlist`: members.
pub async fn page(
    State(state): State<AppState>,
    u: WebUser,
    csrf: CsrfToken,
    Path(org): Path<String>,
    Query(q): Query<RunQuery>,
) -> Result<Response, WebError> {
    let me = &u.0.user.id;
    let o = state.store.org_for_member(me, &org).await?;
    let runs = state.store.watch_runs(me, &o.org.id, 20).await?;
    let shown = match &q.run {
        Some(id) => Some(state.store.watch_run(me, &o.org.id, id).await?),
        None => runs.first().cloned(),
    };
    let selection: Option<Selection> = shown
        .as_ref()
        .and_then(|r| r.result.as_deref())
        .and_then(|j| serde_json::from_str(j).ok());
    let summary = selection.as_ref().map(|s| {
        format!(
            "{} = {:.1} with {} sources; the best possible is at most {:.1}, so this choice is proven within {:.1}% of optimal ({} in {:.3} s).",
            s.objective, s.value, s.steps.len(), s.bound, s.proven_ratio * 100.0, s.algorithm, s.seconds
        )
    });
    let steps = selection
        .as_ref()
        .map(|s| {
            s.steps
                .iter()
                .map(|st| {
                    (
                        st.rank,
                        st.source.clone(),
                        format!("{:.1}", st.gain),
                        format!("{:.1}", st.value),
                        format!("{:.1}", st.bound),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let page = WatchPage {
        l: Layout::new(format!("Watchlist — {}", o.org.name), Some(&u), &csrf),
        org_name: o.org.name.clone(),
        org_handle: o.org.handle.clone(),
        can_run: o.role.manages_members(),
        shown: shown.as_ref().map(RunView::from),
        summary,
        steps,
        runs: runs.iter().map(RunView::from).collect(),
    };
    render(StatusCode::OK, &page)
}

/// `POST /orgs/{org}/watchlist` (multipart: `file`, `format`, `objective`, `k`): owners and
/// admins. The selection runs in the background; the page shows it when done.
pub async fn start(
    State(state): State<AppState>,
    u: WebUser,
    Path(org): Path<String>,
    mut form: Multipart,
) -> Result<Response, WebError> {
    let me = u.0.user.id.clone();
    let o = state.store.org_for_member(&me, &org).await?;
    if !o.role.manages_members() {
        return Err(ServerError::Domain(slingshot_domain::DomainError::NotAllowed).into());
    }
    let bad = |e: axum::extract::multipart::MultipartError| {
        ServerError::Invalid("invalid_form", e.body_text())
    };
    let (mut file, mut name, mut format, mut objective, mut k) = (
        Vec::new(),
        String::from("upload"),
        String::from("text"),
        String::from("dt"),
        String::from("10"),
    );
    while let Some(field) = form.next_field().await.map_err(bad)? {
        match field.name() {
            Some("file") => {
                name = field.file_name().unwrap_or("upload").to_owned();
                file = field.bytes().await.map_err(bad)?.to_vec();
            }
            Some("format") => format = field.text().await.map_err(bad)?,
            Some("objective") => objective = field.text().await.map_err(bad)?,
            Some("k") => k = field.text().await.map_err(bad)?,
            _ => {}
        }
    }
    let invalid = |m: String| WebError::from(ServerError::Invalid("invalid_value", m));
    if file.is_empty() {
        return Err(invalid("choose a cascade file to upload".into()));
    }
    let format: Format = format
        .parse()
        .map_err(|e: slingshot_listen::ListenError| invalid(e.to_string()))?;
    let objective_v: Objective = objective
        .parse()
        .map_err(|e: slingshot_listen::ListenError| invalid(e.to_string()))?;
    let k: i64 = k
        .trim()
        .parse()
        .ok()
        .filter(|k| (1..=MAX_K).contains(k))
        .ok_or_else(|| invalid(format!("the number of sources must be 1–{MAX_K}")))?;
    let run = state
        .store
        .start_watch_run(&o.org.id, &me, &name, &objective.to_ascii_lowercase(), k)
        .await?;
    let store = state.store.clone();
    let run_id = run.id.clone();
    tokio::spawn(async move {
        let outcome = tokio::task::spawn_blocking(move || -> Result<(String, String), String> {
            let cascades =
                load_reader(&file[..], format, &name, &NoProgress).map_err(|e| e.to_string())?;
            let options = SelectOptions {
                k: usize::try_from(k).unwrap_or(10),
                ..SelectOptions::default()
            };
            let selection = select(&cascades, &objective_v, &options).map_err(|e| e.to_string())?;
            let json = serde_json::to_string(&selection).map_err(|e| e.to_string())?;
            Ok((json, curve_svg(&selection)))
        })
        .await
        .unwrap_or_else(|e| Err(format!("the selection stopped: {e}")));
        if let Err(e) = store.finish_watch_run(&run_id, outcome).await {
            tracing::error!(error = %e, "could not record a watchlist run");
        }
    });
    Ok(see_other(&format!(
        "/orgs/{}/watchlist?run={}",
        o.org.handle, run.id
    )))
}

/// `GET /orgs/{org}/watchlist/{run}/chart.svg`.
pub async fn chart(
    State(state): State<AppState>,
    u: WebUser,
    Path((org, run)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let o = state.store.org_for_member(&u.0.user.id, &org).await?;
    let r = state.store.watch_run(&u.0.user.id, &o.org.id, &run).await?;
    let svg = r
        .svg
        .ok_or(ServerError::Store(slingshot_store::StoreError::NotFound))?;
    Ok(([(header::CONTENT_TYPE, "image/svg+xml")], svg).into_response())
}
