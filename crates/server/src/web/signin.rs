//! Register, sign in, sign out.

use super::csrf::CsrfToken;
use super::{render, see_other, session_cookie, with_cookie, Layout, WebError, WebForm};
use crate::accounts::{self, SESSION_TTL_US};
use crate::auth::{ClientInfo, WebUser};
use crate::{AppState, ServerError};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    l: Layout,
    handle: String,
    next: String,
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage {
    l: Layout,
    handle: String,
    display_name: String,
}

/// `?next=` after sign-in.
#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/".into(),
    }
}

/// `GET /login`.
pub async fn login_page(
    user: Option<WebUser>,
    csrf: CsrfToken,
    Query(q): Query<NextQuery>,
) -> Result<Response, WebError> {
    let page = LoginPage {
        l: Layout::new("Sign in", user.as_ref(), &csrf),
        handle: String::new(),
        next: safe_next(q.next.as_deref()),
    };
    render(StatusCode::OK, &page)
}

/// The sign-in form.
#[derive(Deserialize)]
pub struct LoginForm {
    handle: String,
    password: String,
    #[serde(default)]
    next: String,
}

/// `POST /login`: on failure the form comes back with the message in place.
pub async fn login(
    State(state): State<AppState>,
    client: ClientInfo,
    csrf: CsrfToken,
    WebForm(f): WebForm<LoginForm>,
) -> Result<Response, WebError> {
    match accounts::sign_in(&state, &f.handle, &f.password, &client).await {
        Ok((token, _, _)) => {
            let cookie = session_cookie(
                &token,
                state.config.cookies_secure(),
                SESSION_TTL_US / 1_000_000,
            );
            Ok(with_cookie(see_other(&safe_next(Some(&f.next))), &cookie))
        }
        Err(e @ (ServerError::InvalidCredentials | ServerError::RateLimited(_))) => {
            let (status, _) = e.status_code();
            let l = Layout::new("Sign in", None, &csrf).with_error(Some(e.to_string()));
            render(
                status,
                &LoginPage {
                    l,
                    handle: f.handle,
                    next: safe_next(Some(&f.next)),
                },
            )
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /register`.
pub async fn register_page(user: Option<WebUser>, csrf: CsrfToken) -> Result<Response, WebError> {
    render(
        StatusCode::OK,
        &RegisterPage {
            l: Layout::new("Create account", user.as_ref(), &csrf),
            handle: String::new(),
            display_name: String::new(),
        },
    )
}

/// The registration form.
#[derive(Deserialize)]
pub struct RegisterForm {
    handle: String,
    #[serde(default)]
    display_name: String,
    password: String,
}

/// `POST /register`: creates the account and signs in.
pub async fn register(
    State(state): State<AppState>,
    client: ClientInfo,
    csrf: CsrfToken,
    WebForm(f): WebForm<RegisterForm>,
) -> Result<Response, WebError> {
    match accounts::register(&state, &f.handle, &f.display_name, &f.password, &client).await {
        Ok(_) => {
            let (token, _, _) = accounts::sign_in(&state, &f.handle, &f.password, &client).await?;
            let cookie = session_cookie(
                &token,
                state.config.cookies_secure(),
                SESSION_TTL_US / 1_000_000,
            );
            Ok(with_cookie(see_other("/"), &cookie))
        }
        Err(e) if e.status_code().0.is_client_error() => {
            let l = Layout::new("Create account", None, &csrf).with_error(Some(e.to_string()));
            render(
                e.status_code().0,
                &RegisterPage {
                    l,
                    handle: f.handle,
                    display_name: f.display_name,
                },
            )
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /logout`: ends this session and clears the cookie.
pub async fn logout(
    State(state): State<AppState>,
    user: Option<WebUser>,
    client: ClientInfo,
) -> Result<Response, WebError> {
    if let Some(u) = user {
        state
            .store
            .end_session(&u.0.user.id, u.session_id(), &client.ip)
            .await?;
    }
    Ok(with_cookie(
        see_other("/"),
        &session_cookie("", state.config.cookies_secure(), 0),
    ))
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_never_leaves_the_site() {
        assert_eq!(safe_next(Some("/orgs/x")), "/orgs/x");
        for bad in ["//evil.example", "https://evil.example", "/\\evil", "evil"] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad}");
        }
    }
}
