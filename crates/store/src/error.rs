use slingshot_domain::DomainError;
use thiserror::Error;

/// Everything the store can refuse or fail at.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The row does not exist, or the acting principal may not see it (never a hint which).
    #[error("not found")]
    NotFound,
    /// A unique value is taken (`what` names it: "handle", ...).
    #[error("{0} is already taken")]
    Conflict(&'static str),
    /// The request breaks a domain rule.
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// A single-use link was already used, revoked or has expired.
    #[error("this link has expired or was already used")]
    Gone,
    /// Granted data may not be read; `code` is `no_grant`, `grant_revoked` or `grant_expired`.
    #[error("{reason}")]
    Refused {
        /// Stable code.
        code: &'static str,
        /// Why, for people.
        reason: String,
    },
    /// The database URL's scheme is not `sqlite:` or `postgres:`.
    #[error("unsupported database URL (expected sqlite:… or postgres://…)")]
    UnsupportedUrl,
    /// The operation exists only for one backend.
    #[error("{0}")]
    Unsupported(&'static str),
    /// A stored value could not be read back (a bug or a hand-edited database).
    #[error("corrupt stored value: {0}")]
    Corrupt(String),
    /// The database failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The SQLite connection ledger groups commit on failed.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// No turn to write came within the wait (another writer held the database).
    #[error("the database is busy; try again")]
    Busy,
    /// A migration failed.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl StoreError {
    /// PostgreSQL refused text holding a NUL character ("character not in repertoire",
    /// SQLSTATE 22021): the caller's input, not the database, is at fault.
    pub fn is_nul_in_text(&self) -> bool {
        matches!(self, Self::Database(sqlx::Error::Database(db)) if db.code().as_deref() == Some("22021"))
    }
}

/// Result with [`StoreError`].
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Map a unique-constraint violation to [`StoreError::Conflict`]; other errors pass.
pub(crate) fn conflict_on_unique<E: Into<StoreError>>(
    what: &'static str,
) -> impl Fn(E) -> StoreError {
    move |e| match e.into() {
        StoreError::Database(sqlx::Error::Database(db))
            if db.kind() == sqlx::error::ErrorKind::UniqueViolation =>
        {
            StoreError::Conflict(what)
        }
        e => e,
    }
}
