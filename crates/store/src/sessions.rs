//! Browser and API sign-in sessions. Only a hash of each session token is stored.

use crate::audit::{insert_audit, NewAudit};
use crate::credential_cache::Resolved;
use crate::{new_id, now_us, Result, Store, StoreError, User};
use slingshot_domain::AuditEvent;

/// A signed-in session.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Session {
    /// UUIDv7.
    pub id: String,
    /// Owner.
    pub user_id: String,
    /// Microseconds since the epoch.
    pub created_at: i64,
    /// Last request seen (updated at most once a minute).
    pub last_seen_at: i64,
    /// When it stops working.
    pub expires_at: i64,
    /// Browser or client, as it said.
    pub user_agent: String,
    /// Client address at sign-in.
    pub ip: String,
}

#[derive(sqlx::FromRow)]
struct SessionUserRow {
    id: String,
    user_id: String,
    created_at: i64,
    last_seen_at: i64,
    expires_at: i64,
    user_agent: String,
    ip: String,
    handle: String,
    display_name: String,
    password_hash: String,
    is_admin: i64,
    user_created_at: i64,
}

const SESSION_COLS: &str = "id, user_id, created_at, last_seen_at, expires_at, user_agent, ip";
const TOUCH_EVERY_US: i64 = 60_000_000;

impl Store {
    /// Start a session for `user_id` and record the sign-in.
    pub async fn create_session(
        &self,
        user_id: &str,
        token_hash: &str,
        ttl_us: i64,
        user_agent: &str,
        ip: &str,
    ) -> Result<Session> {
        let now = now_us();
        let s = Session {
            id: new_id(),
            user_id: user_id.to_owned(),
            created_at: now,
            last_seen_at: now,
            expires_at: now + ttl_us,
            user_agent: user_agent.chars().take(200).collect(),
            ip: ip.to_owned(),
        };
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO sessions (id, user_id, token_hash, created_at, last_seen_at, expires_at, user_agent, ip) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&s.id)
        .bind(&s.user_id)
        .bind(token_hash)
        .bind(s.created_at)
        .bind(s.last_seen_at)
        .bind(s.expires_at)
        .bind(&s.user_agent)
        .bind(&s.ip)
        .execute(&mut *tx)
        .await?;
        insert_audit(
            &mut tx,
            NewAudit::person(AuditEvent::SignedIn, user_id, user_id, ip, &s.user_agent),
        )
        .await?;
        tx.commit().await?;
        Ok(s)
    }

    /// The live session and account for a token hash; expired sessions are not found.
    pub async fn session_by_token(&self, token_hash: &str) -> Result<(Session, User)> {
        let now = now_us();
        if let Some(Resolved::Session(s, u)) = self.creds.get(token_hash) {
            if s.expires_at > now {
                return Ok((s, u));
            }
        }
        // One round trip for the session and its account.
        let row: Option<SessionUserRow> = sqlx::query_as(
            "SELECT s.id, s.user_id, s.created_at, s.last_seen_at, s.expires_at, s.user_agent, s.ip, \
             u.handle, u.display_name, u.password_hash, u.is_admin, u.created_at AS user_created_at \
             FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        let r = row.ok_or(StoreError::NotFound)?;
        if now - r.last_seen_at > TOUCH_EVERY_US {
            self.write_one(
                sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
                    .bind(now)
                    .bind(&r.id),
            )
            .await?;
        }
        let user = User {
            id: r.user_id.clone(),
            handle: r.handle,
            display_name: r.display_name,
            password_hash: r.password_hash,
            is_admin: r.is_admin,
            created_at: r.user_created_at,
        };
        let session = Session {
            id: r.id,
            user_id: r.user_id,
            created_at: r.created_at,
            last_seen_at: r.last_seen_at,
            expires_at: r.expires_at,
            user_agent: r.user_agent,
            ip: r.ip,
        };
        self.creds
            .put(token_hash, Resolved::Session(session.clone(), user.clone()));
        Ok((session, user))
    }

    /// A person's live sessions, newest first.
    pub async fn list_sessions(&self, user_id: &str) -> Result<Vec<Session>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {SESSION_COLS} FROM sessions WHERE user_id = $1 AND expires_at > $2 ORDER BY id DESC"
        ))
        .bind(user_id)
        .bind(now_us())
        .fetch_all(&self.pool)
        .await?)
    }

    /// End one of the person's own sessions.
    pub async fn end_session(&self, user_id: &str, session_id: &str, ip: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let n = sqlx::query("DELETE FROM sessions WHERE id = $1 AND user_id = $2")
            .bind(session_id)
            .bind(user_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        insert_audit(
            &mut tx,
            NewAudit::person(AuditEvent::SignedOut, user_id, user_id, ip, session_id),
        )
        .await?;
        tx.commit().await?;
        self.creds.forget_user(user_id);
        Ok(())
    }
}
