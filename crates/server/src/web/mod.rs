//! Server-rendered pages (askama), usable without JavaScript. Every form carries a CSRF
//! token, checked for every POST by [`csrf::protect`].

mod account;
mod admin;
pub mod csrf;
mod customers;
mod data;
mod erase;
mod home;
mod invites;
mod orgs;
mod privacy;
mod proof;
mod relationships;
mod search;
mod signin;
mod thread_links;
mod threads;
mod views;
mod watchlist;

use crate::auth::{WebUser, SESSION_COOKIE};
use crate::{AppState, ServerError};
use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{FromRequest, Request};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::de::DeserializeOwned;
use slingshot_store::{rfc3339, Org};

/// What every page's layout needs.
pub struct Layout {
    /// Page title.
    pub title: String,
    /// The signed-in person, if any.
    pub user: Option<UserView>,
    /// CSRF token for forms.
    pub csrf: String,
    /// An error to show in place.
    pub error: Option<String>,
    /// A confirmation to show.
    pub notice: Option<String>,
}

impl Layout {
    /// A layout for `title`.
    pub fn new(title: impl Into<String>, user: Option<&WebUser>, csrf: &csrf::CsrfToken) -> Self {
        Self {
            title: title.into(),
            user: user.map(UserView::from),
            csrf: csrf.0.clone(),
            error: None,
            notice: None,
        }
    }

    /// With an error message.
    pub fn with_error(mut self, e: Option<String>) -> Self {
        self.error = e;
        self
    }
}

/// The signed-in person as pages show them.
pub struct UserView {
    /// Handle.
    pub handle: String,
    /// Name.
    pub display_name: String,
    /// Instance administrator?
    pub is_admin: bool,
}

impl From<&WebUser> for UserView {
    fn from(u: &WebUser) -> Self {
        Self {
            handle: u.0.user.handle.clone(),
            display_name: u.0.user.display_name.clone(),
            is_admin: u.0.user.admin(),
        }
    }
}

/// An organization as pages show it.
pub struct OrgView {
    /// Id.
    pub id: String,
    /// Handle.
    pub handle: String,
    /// Name.
    pub name: String,
    /// Kind for people.
    pub kind_label: &'static str,
    /// Verified badge.
    pub verified: bool,
    /// Viewer's role ("" when not a member).
    pub role: String,
    /// RFC 3339.
    pub created_at: String,
}

impl OrgView {
    /// Convert, with the viewer's role.
    pub fn from(o: &Org, role: &str) -> Self {
        Self {
            id: o.id.clone(),
            handle: o.handle.clone(),
            name: o.name.clone(),
            kind_label: slingshot_domain::OrgKind::parse(&o.kind)
                .map(|k| k.label())
                .unwrap_or("Organization"),
            verified: o.verified_at.is_some(),
            role: role.to_owned(),
            created_at: rfc3339(o.created_at),
        }
    }
}

/// Render a template as an HTML response.
pub fn render<T: Template>(status: StatusCode, t: &T) -> Result<Response, WebError> {
    let body = t.render().map_err(ServerError::from)?;
    Ok((status, Html(body)).into_response())
}

/// A page-level failure.
#[derive(Debug)]
pub enum WebError {
    /// Redirect to sign-in, then back to this path.
    SignInRequired(String),
    /// Anything else, shown as an error page.
    Server(ServerError),
}

impl From<ServerError> for WebError {
    fn from(e: ServerError) -> Self {
        Self::Server(e)
    }
}

impl From<slingshot_store::StoreError> for WebError {
    fn from(e: slingshot_store::StoreError) -> Self {
        Self::Server(e.into())
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    l: Layout,
    heading: String,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        match self {
            Self::SignInRequired(path) => {
                let next = if path.starts_with('/') && !path.starts_with("//") {
                    path
                } else {
                    "/".into()
                };
                Redirect::to(&format!("/login?next={}", urlencode(&next))).into_response()
            }
            Self::Server(e) => {
                let (status, _) = e.status_code();
                if status.is_server_error() {
                    tracing::error!(error = %e, "page failed");
                }
                let heading = status.canonical_reason().unwrap_or("Error").to_owned();
                let l = Layout {
                    title: heading.clone(),
                    user: None,
                    csrf: String::new(),
                    error: Some(e.public_detail()),
                    notice: None,
                };
                match (ErrorPage { l, heading }).render() {
                    Ok(body) => (status, Html(body)).into_response(),
                    Err(_) => (status, e.public_detail()).into_response(),
                }
            }
        }
    }
}

/// Percent-encode a query value.
pub fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A form body whose rejections become error pages.
pub struct WebForm<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for WebForm<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, WebError> {
        // Read the body once (within the body limit), refuse NUL characters (`%00`: never
        // meant, and PostgreSQL cannot store them), then parse it as a form.
        let (parts, body) = req.into_parts();
        let bytes =
            axum::body::Bytes::from_request(Request::from_parts(parts.clone(), body), state)
                .await
                .map_err(|e| {
                    WebError::Server(if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                        ServerError::PayloadTooLarge(0)
                    } else {
                        ServerError::Invalid("invalid_form", e.body_text())
                    })
                })?;
        if bytes.windows(3).any(|w| w == b"%00") {
            return Err(WebError::Server(ServerError::Invalid(
                "invalid_text",
                "text may not contain NUL characters".into(),
            )));
        }
        let req = Request::from_parts(parts, axum::body::Body::from(bytes));
        axum::Form::<T>::from_request(req, state)
            .await
            .map(|f| Self(f.0))
            .map_err(|e: FormRejection| {
                WebError::Server(if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ServerError::PayloadTooLarge(0)
                } else {
                    ServerError::Invalid("invalid_form", e.body_text())
                })
            })
    }
}

/// After a form: on success redirect to the returned path; on a client error other than
/// 404 (a missing or hidden resource gets the error page) show the form's page again with
/// the error in place; anything else is the error page.
pub async fn after_form<Fut>(
    result: Result<String, ServerError>,
    rerender: impl FnOnce(StatusCode, String) -> Fut,
) -> Result<Response, WebError>
where
    Fut: std::future::Future<Output = Result<Response, WebError>>,
{
    match result {
        Ok(to) => Ok(see_other(&to)),
        Err(e)
            if e.status_code().0.is_client_error()
                && e.status_code().0 != StatusCode::NOT_FOUND =>
        {
            rerender(e.status_code().0, e.to_string()).await
        }
        Err(e) => Err(e.into()),
    }
}

/// A 303 redirect (after a successful POST).
pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// The session cookie's `Set-Cookie` value.
pub fn session_cookie(token: &str, secure: bool, max_age_s: i64) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_s}{secure}")
}

/// Set a cookie on a response.
pub fn with_cookie(mut res: Response, cookie: &str) -> Response {
    if let Ok(v) = header::HeaderValue::from_str(cookie) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

/// The pages' routes.
pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/", get(home::home))
        .route(
            "/register",
            get(signin::register_page).post(signin::register),
        )
        .route("/login", get(signin::login_page).post(signin::login))
        .route("/logout", post(signin::logout))
        .route("/account", get(account::page))
        .route("/account/password", post(account::change_password))
        .route("/account/sessions/{id}/end", post(account::end_session))
        .route("/account/tokens", post(account::create_token))
        .route("/account/tokens/{id}/revoke", post(account::revoke_token))
        .route("/orgs/new", get(orgs::new_page))
        .route("/orgs", post(orgs::create))
        .route("/orgs/{org}", get(orgs::page))
        .route("/orgs/{org}/invites", post(orgs::invite))
        .route("/orgs/{org}/members/{user}/role", post(orgs::set_role))
        .route("/orgs/{org}/members/{user}/remove", post(orgs::remove))
        .route("/orgs/{org}/audit", get(orgs::audit))
        .route("/orgs/{org}/customers", get(customers::page))
        .route("/invites/{token}", get(invites::page))
        .route("/invites/{token}/accept", post(invites::accept))
        .route(
            "/relationships",
            get(relationships::list).post(relationships::create),
        )
        .route("/relationships/{id}", get(relationships::page))
        .route("/relationships/{id}/share", post(relationships::share))
        .route("/relationships/{id}/countersign", post(proof::countersign))
        .route("/relationships/{id}/edit", post(relationships::edit))
        .route("/relationships/{id}/export", get(relationships::export))
        .route("/relationships/{id}/threads", post(threads::create))
        .route("/data", get(data::page))
        .route("/data/fields", post(data::add_field))
        .route("/data/fields/{id}/delete", post(data::delete_field))
        .route("/data/grants", post(data::grant))
        .route("/data/grants/{id}/revoke", post(data::revoke))
        .route("/data/consents/{id}/receipt", get(data::receipt))
        .route("/data/terms", post(data::proffer))
        .route("/data/requests", post(data::send_request))
        .route("/requests/{id}", get(privacy::page))
        .route("/requests/{id}/extend", post(privacy::extend))
        .route("/requests/{id}/answer", post(privacy::answer))
        .route("/requests/{id}/refuse", post(privacy::refuse))
        .route("/requests/{id}/withdraw", post(privacy::withdraw))
        .route("/requests/{id}/export", get(privacy::export))
        .route(
            "/orgs/{org}/privacy",
            get(privacy::desk).post(privacy::settings),
        )
        .route("/terms/{id}/respond", post(privacy::respond))
        .route("/o/{handle}", get(privacy::public))
        .route("/threads/{id}", get(threads::page))
        .route("/threads/{id}/entries", post(threads::add))
        .route("/threads/{id}/update", post(threads::update))
        .route("/threads/{id}/links", post(thread_links::link))
        .route("/threads/{id}/links/remove", post(thread_links::unlink))
        .route(
            "/threads/{id}/attachments",
            post(threads::attach).layer(axum::extract::DefaultBodyLimit::max(
                state.config.attachment_limit.saturating_add(64 * 1024),
            )),
        )
        .route("/attachments/{id}", get(threads::download))
        .route("/entries/{id}/erase", post(erase::erase))
        .route("/search", get(search::search))
        .route("/orgs/{org}/search", get(search::org_search))
        .route(
            "/mail/import",
            post(relationships::mail).layer(axum::extract::DefaultBodyLimit::max(
                state.config.import_limit.saturating_add(64 * 1024),
            )),
        )
        .route(
            "/relationships/import",
            post(relationships::import_bundle).layer(axum::extract::DefaultBodyLimit::max(
                state.config.import_limit.saturating_add(64 * 1024),
            )),
        )
        .route("/orgs/{org}/inbox", get(threads::inbox))
        .route(
            "/orgs/{org}/watchlist",
            get(watchlist::page)
                .post(watchlist::start)
                .layer(axum::extract::DefaultBodyLimit::max(256 * 1024 * 1024)),
        )
        .route(
            "/orgs/{org}/watchlist/{run}/chart.svg",
            get(watchlist::chart),
        )
        .route("/events", get(threads::events))
        .route("/admin", get(admin::page))
        .route("/admin/orgs/{org}/verify", post(admin::verify))
        .layer(axum::middleware::from_fn_with_state(state, csrf::protect))
}
