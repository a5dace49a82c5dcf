//! Who is asking: bearer tokens for the API, session cookies for pages.

use crate::secrets::{token_hash, API_TOKEN_PREFIX, SESSION_PREFIX};
use crate::{AppState, Result, ServerError};
use axum::extract::{ConnectInfo, FromRequestParts, OptionalFromRequestParts};
use axum::http::header::{AUTHORIZATION, USER_AGENT};
use axum::http::request::Parts;
use axum_extra::extract::CookieJar;
use slingshot_domain::{Scope, Scopes};
use slingshot_store::{StoreError, User};
use std::net::SocketAddr;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "slingshot_session";

/// The client's address and user agent, for the audit log.
#[derive(Debug, Clone)]
pub struct ClientInfo {
    /// Peer address.
    pub ip: String,
    /// `User-Agent`, trimmed.
    pub user_agent: String,
}

impl<S: Send + Sync> FromRequestParts<S> for ClientInfo {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string())
            .unwrap_or_else(|| "unknown".into());
        let user_agent = parts
            .headers
            .get(USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .chars()
            .take(200)
            .collect();
        Ok(Self { ip, user_agent })
    }
}

/// An authenticated API caller.
#[derive(Debug, Clone)]
pub struct Principal {
    /// The account.
    pub user: User,
    /// The session, when signed in with a session token (not an API token).
    pub session_id: Option<String>,
    /// What the credential may do.
    pub scopes: Scopes,
    /// How the caller came in, for access logs: `session` or `token <name>`.
    pub via: String,
}

impl Principal {
    /// Refuse unless the credential carries `scope`.
    pub fn require(&self, scope: Scope) -> Result<&User> {
        if self.scopes.has(scope) {
            Ok(&self.user)
        } else {
            Err(ServerError::MissingScope(scope))
        }
    }

    /// Refuse API tokens: account-level actions need a signed-in session.
    pub fn require_session(&self) -> Result<&str> {
        self.session_id
            .as_deref()
            .ok_or(ServerError::SessionRequired)
    }
}

/// Resolve a bearer or cookie secret to a principal.
pub async fn principal_for(state: &AppState, secret: &str) -> Result<Principal> {
    let hash = token_hash(secret);
    let res = if secret.starts_with(API_TOKEN_PREFIX) {
        state
            .store
            .token_by_hash(&hash)
            .await
            .and_then(|(t, user)| {
                let scopes = Scopes::parse_list(&t.scopes)
                    .map_err(|_| StoreError::Corrupt(t.scopes.clone()))?;
                Ok(Principal {
                    user,
                    session_id: None,
                    scopes,
                    via: format!("token {}", t.name),
                })
            })
    } else if secret.starts_with(SESSION_PREFIX) {
        state
            .store
            .session_by_token(&hash)
            .await
            .map(|(s, user)| Principal {
                user,
                session_id: Some(s.id),
                scopes: Scopes::all(),
                via: "session".to_owned(),
            })
    } else {
        Err(StoreError::NotFound)
    };
    res.map_err(|e| match e {
        StoreError::NotFound => ServerError::Unauthenticated,
        e => e.into(),
    })
}

impl FromRequestParts<AppState> for Principal {
    type Rejection = ServerError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or(ServerError::Unauthenticated)?;
        let secret = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
            .ok_or(ServerError::Unauthenticated)?;
        principal_for(state, secret.trim()).await
    }
}

/// A signed-in browser session (from the session cookie).
#[derive(Debug, Clone)]
pub struct WebUser(pub Principal);

impl WebUser {
    /// The session id (always present for cookies).
    pub fn session_id(&self) -> &str {
        self.0.session_id.as_deref().unwrap_or("")
    }
}

impl FromRequestParts<AppState> for WebUser {
    type Rejection = crate::web::WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match <WebUser as OptionalFromRequestParts<AppState>>::from_request_parts(parts, state)
            .await?
        {
            Some(u) => Ok(u),
            None => Err(crate::web::WebError::SignInRequired(
                parts.uri.path().to_owned(),
            )),
        }
    }
}

impl OptionalFromRequestParts<AppState> for WebUser {
    type Rejection = crate::web::WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        let Some(c) = jar.get(SESSION_COOKIE) else {
            return Ok(None);
        };
        match principal_for(state, c.value()).await {
            Ok(p) if p.session_id.is_some() => Ok(Some(WebUser(p))),
            Ok(_) | Err(ServerError::Unauthenticated) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
}
