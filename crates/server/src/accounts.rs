//! Account actions shared by the JSON API and the pages: register, sign in, change
//! password, create tokens and invitations. Handlers stay thin; rules live in the domain.

use crate::auth::ClientInfo;
use crate::secrets::{self, hash_password, random_token, token_hash, verify_password};
use crate::{AppState, Result, ServerError};
use slingshot_domain::{
    AuditEvent, DisplayName, DomainError, Handle, OrgKind, OrgName, Password, Role, Scopes,
};
use slingshot_store::{ApiToken, Invite, NewAudit, Org, Session, StoreError, User};

/// Sessions last 30 days.
pub const SESSION_TTL_US: i64 = 30 * 24 * 3600 * 1_000_000;
/// Invitation links work for 7 days.
pub const INVITE_TTL_US: i64 = 7 * 24 * 3600 * 1_000_000;

/// Create an account.
pub async fn register(
    state: &AppState,
    handle: &str,
    display_name: &str,
    password: &str,
    client: &ClientInfo,
) -> Result<User> {
    let handle = Handle::parse(handle)?;
    let name = DisplayName::parse(if display_name.trim().is_empty() {
        handle.as_str()
    } else {
        display_name
    })?;
    let password = Password::new(password, handle.as_str())?;
    let hash = hash_password(password.expose().to_owned()).await?;
    let first = state.config.first_user_is_admin;
    Ok(state
        .store
        .create_user(&handle, &name, &hash, false, first, &client.ip)
        .await?)
}

/// Sign in: returns the new session's secret token and the session.
pub async fn sign_in(
    state: &AppState,
    handle: &str,
    password: &str,
    client: &ClientInfo,
) -> Result<(String, Session, User)> {
    let key = handle.trim().to_ascii_lowercase();
    if let Some(wait) = state.limiter.check(&key, &client.ip) {
        return Err(ServerError::RateLimited(wait));
    }
    let user = match state.store.user_by_handle(&key).await {
        Ok(u) => Some(u),
        Err(StoreError::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    let ok = verify_password(
        password.to_owned(),
        user.as_ref().map(|u| u.password_hash.clone()),
    )
    .await?;
    let Some(user) = user.filter(|_| ok) else {
        state.limiter.failed(&key, &client.ip);
        if let Ok(u) = state.store.user_by_handle(&key).await {
            let a = NewAudit {
                event: AuditEvent::SignInFailed,
                actor_id: None,
                subject_user_id: Some(&u.id),
                org_id: None,
                ip: &client.ip,
                detail: &client.user_agent,
            };
            state.store.record_audit(a).await?;
        }
        return Err(ServerError::InvalidCredentials);
    };
    state.limiter.succeeded(&key);
    let token = random_token(secrets::SESSION_PREFIX);
    let session = state
        .store
        .create_session(
            &user.id,
            &token_hash(&token),
            SESSION_TTL_US,
            &client.user_agent,
            &client.ip,
        )
        .await?;
    Ok((token, session, user))
}

/// Change the password after checking the current one; other sessions end.
pub async fn change_password(
    state: &AppState,
    user: &User,
    session_id: &str,
    current: &str,
    new: &str,
    client: &ClientInfo,
) -> Result<()> {
    if !verify_password(current.to_owned(), Some(user.password_hash.clone())).await? {
        return Err(ServerError::WrongPassword);
    }
    let password = Password::new(new, &user.handle)?;
    let hash = hash_password(password.expose().to_owned()).await?;
    Ok(state
        .store
        .set_password(&user.id, Some(session_id), &hash, &client.ip)
        .await?)
}

/// Create an API token; returns the secret (shown once) and its record.
pub async fn create_token(
    state: &AppState,
    user: &User,
    name: &str,
    scopes: &[String],
    client: &ClientInfo,
) -> Result<(String, ApiToken)> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(DomainError::InvalidName("token name", 80).into());
    }
    let scopes = Scopes::new(
        scopes
            .iter()
            .map(|s| slingshot_domain::Scope::parse(s))
            .collect::<Result<_, _>>()?,
    )?;
    let secret = random_token(secrets::API_TOKEN_PREFIX);
    let t = state
        .store
        .create_token(&user.id, name, &scopes, &token_hash(&secret), &client.ip)
        .await?;
    Ok((secret, t))
}

/// Create an organization with the user as owner.
pub async fn create_org(
    state: &AppState,
    user: &User,
    handle: &str,
    name: &str,
    kind: &str,
    client: &ClientInfo,
) -> Result<Org> {
    let handle = Handle::parse(handle)?;
    let name = OrgName::parse(name)?;
    let kind = OrgKind::parse(kind)?;
    Ok(state
        .store
        .create_org(&user.id, &handle, &name, kind, &client.ip)
        .await?)
}

/// Create an invitation link; returns the link (shown once) and the record.
pub async fn create_invite(
    state: &AppState,
    user: &User,
    org_id: &str,
    role: &str,
    client: &ClientInfo,
) -> Result<(String, Invite)> {
    let role = Role::parse(role)?;
    let secret = random_token(secrets::INVITE_PREFIX);
    let inv = state
        .store
        .create_invite(
            &user.id,
            org_id,
            role,
            &token_hash(&secret),
            INVITE_TTL_US,
            &client.ip,
        )
        .await?;
    let url = format!(
        "{}/invites/{}",
        state.config.public_url.trim_end_matches('/'),
        secret
    );
    Ok((url, inv))
}
