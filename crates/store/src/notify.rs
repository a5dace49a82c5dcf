//! Cross-server notices on PostgreSQL (LISTEN/NOTIFY), so every server sharing one
//! database hears what another stored. SQLite has one server: nothing to do.

use crate::{Backend, Result, Store};

/// Largest payload PostgreSQL accepts in one NOTIFY is 8,000 bytes; stay below.
pub const MAX_NOTICE_BYTES: usize = 7_000;

impl Store {
    /// Publish payloads on `channel` (PostgreSQL; a no-op on SQLite). Each payload must be
    /// under [`MAX_NOTICE_BYTES`]; longer ones are skipped with a warning.
    pub async fn notify(&self, channel: &str, payloads: &[String]) -> Result<()> {
        if self.backend() != Backend::Postgres {
            return Ok(());
        }
        for p in payloads {
            if p.len() > MAX_NOTICE_BYTES {
                tracing::warn!(bytes = p.len(), "notice too long; not sent");
                continue;
            }
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(channel)
                .bind(p)
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }
}

/// A dedicated PostgreSQL connection listening on `channel` (it reconnects by itself
/// when the connection drops).
pub async fn listen(url: &str, channel: &str) -> Result<sqlx::postgres::PgListener> {
    let mut l = sqlx::postgres::PgListener::connect(url).await?;
    l.listen(channel).await?;
    Ok(l)
}
