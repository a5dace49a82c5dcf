//! Connecting, migrating, health and backup.

use crate::write_turn::{Turn, WriteTurns, WriteTx};
use crate::{Result, StoreError};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Executor};
use std::str::FromStr;
use std::time::Duration;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Which database engine a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite file (WAL, `synchronous=FULL`).
    Sqlite,
    /// PostgreSQL server.
    Postgres,
}

impl Backend {
    /// Choose the backend from a database URL's scheme.
    pub fn from_url(url: &str) -> Result<Self> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl)
        }
    }
}

/// The database handle: a connection pool and the backend it speaks.
#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) pool: AnyPool,
    /// SQLite: the connection ledger groups commit on ([`Store::store_prepared`]).
    pub(crate) ledger_conn: Option<std::sync::Arc<crate::ledger_sqlite::LedgerConn>>,
    backend: Backend,
    pub(crate) creds: std::sync::Arc<crate::credential_cache::CredentialCache>,
    /// SQLite: the queue writers wait in for their turn ([`crate::write_turn`]).
    turns: Option<WriteTurns>,
}

impl Store {
    /// Connect to `url` (`sqlite://path?mode=rwc` or `postgres://…`). Does not migrate.
    pub async fn connect(url: &str) -> Result<Self> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        let options = AnyConnectOptions::from_str(url)?.disable_statement_logging();
        let pool = AnyPoolOptions::new()
            .max_connections(match backend {
                Backend::Sqlite => 8,
                Backend::Postgres => 16,
            })
            .acquire_timeout(Duration::from_secs(10))
            // An embedded database needs no ping before each use (a round trip to the
            // connection's thread per query); a PostgreSQL connection may have dropped.
            // (Pinging only connections idle for over a second measured no faster on a
            // timeline page: +8 % in two pairs of runs, -3 % in four.)
            .test_before_acquire(backend == Backend::Postgres)
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // Durable acknowledgements: WAL with a full fsync per commit. A
                        // 32 MiB page cache keeps a large ledger's index pages out of
                        // read() calls (SQLite's default cache is 2 MiB). Checkpoints are
                        // run apart from commits (`checkpoint_wal`, called by the server
                        // every 50 ms); committing connections checkpoint only
                        // if the WAL passes 64 MiB anyway.
                        conn.execute(sqlx::raw_sql(
                            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; \
                             PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON; \
                             PRAGMA cache_size=-32768; PRAGMA wal_autocheckpoint=16384; \
                             PRAGMA temp_store=MEMORY;",
                        ))
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        let ledger_conn = match backend {
            Backend::Sqlite => {
                let file = sqlx::sqlite::SqliteConnectOptions::from_str(url)?
                    .get_filename()
                    .to_owned();
                // In-memory and read-only databases append through the pool.
                let in_memory = file.to_string_lossy().starts_with("file:sqlx-in-memory-")
                    || url.contains("mode=memory");
                if in_memory || url.contains("mode=ro") {
                    None
                } else {
                    Some(std::sync::Arc::new(crate::ledger_sqlite::LedgerConn::open(
                        &file,
                    )?))
                }
            }
            Backend::Postgres => None,
        };
        Ok(Self {
            pool,
            ledger_conn,
            backend,
            creds: Default::default(),
            turns: (backend == Backend::Sqlite).then(WriteTurns::default),
        })
    }

    /// Connect and bring the schema up to date.
    pub async fn open(url: &str) -> Result<Self> {
        let store = Self::connect(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Apply pending migrations; returns how many were applied.
    pub async fn migrate(&self) -> Result<usize> {
        let before = self.applied_migrations().await.unwrap_or(0);
        MIGRATOR.run(&self.pool).await?;
        crate::search_layout::ensure_search(self).await?;
        crate::mail_messages::backfill(self).await?;
        Ok(self.applied_migrations().await?.saturating_sub(before))
    }

    async fn applied_migrations(&self) -> Result<usize> {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success = TRUE")
                .fetch_one(&self.pool)
                .await?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// The backend this store speaks.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Is the database reachable and migrated?
    pub async fn ready(&self) -> Result<()> {
        let applied = self.applied_migrations().await?;
        if applied < MIGRATOR.iter().count() {
            return Err(StoreError::Unsupported(
                "database schema is not up to date; run `slingshot migrate`",
            ));
        }
        Ok(())
    }

    /// Write a consistent copy of a live SQLite database to `path` (`VACUUM INTO`).
    pub async fn backup_sqlite(&self, path: &str) -> Result<()> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::Unsupported(
                "online backup is for SQLite; for PostgreSQL use pg_dump (e.g. `pg_dump -Fc -f slingshot.dump \"$SLINGSHOT_DATABASE_URL\"`)",
            ));
        }
        sqlx::query("VACUUM INTO $1")
            .bind(path)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// SQLite's `journal_mode` and `synchronous` level (2 = FULL) on a pooled connection.
    pub async fn sqlite_settings(&self) -> Result<(String, i64)> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::Unsupported("not a SQLite database"));
        }
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&self.pool)
            .await?;
        let sync: i64 = sqlx::query_scalar("PRAGMA synchronous")
            .fetch_one(&self.pool)
            .await?;
        Ok((mode, sync))
    }

    /// Copy the SQLite WAL's committed pages into the database file without waiting for
    /// readers or writers (a passive checkpoint), so commits need not do it. No-op on
    /// PostgreSQL.
    pub async fn checkpoint_wal(&self) -> Result<()> {
        if self.backend == Backend::Sqlite {
            sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }

    /// Begin a transaction that writes. On SQLite it first waits for its turn among this
    /// process's writers, then takes the write lock at once (`BEGIN IMMEDIATE`): a
    /// transaction that read first and then tried to write after another connection had
    /// committed would fail with "database is locked" instead of waiting its turn.
    pub(crate) async fn begin_write(&self) -> Result<WriteTx> {
        let turn = self.write_turn().await?;
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(WriteTx::new(tx, turn))
    }

    /// On SQLite, wait for this writer's turn; hold it while writing (PostgreSQL: none).
    pub(crate) async fn write_turn(&self) -> Result<Option<Turn>> {
        match &self.turns {
            Some(turns) => Ok(Some(turns.take().await?)),
            None => Ok(None),
        }
    }

    /// Run one write statement outside a transaction, in its writer's turn.
    pub(crate) async fn write_one<'q>(
        &self,
        q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    ) -> Result<sqlx::any::AnyQueryResult> {
        let _turn = self.write_turn().await?;
        Ok(q.execute(&self.pool).await?)
    }

    /// Has [`Store::close`] been called?
    pub fn is_closed(&self) -> bool {
        self.pool.is_closed()
    }

    /// Close all connections (waits for checked-out ones to return, and for a
    /// ledger group being committed). Later queries fail.
    pub async fn close(&self) {
        self.pool.close().await;
        if let Some(conn) = &self.ledger_conn {
            crate::ledger_sqlite::blocking(|| conn.close());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_comes_from_the_url_scheme() {
        assert_eq!(
            Backend::from_url("sqlite://x.db").ok(),
            Some(Backend::Sqlite)
        );
        assert_eq!(
            Backend::from_url("postgres://u@h/db").ok(),
            Some(Backend::Postgres)
        );
        assert_eq!(
            Backend::from_url("postgresql://u@h/db").ok(),
            Some(Backend::Postgres)
        );
        assert!(matches!(
            Backend::from_url("mysql://h/db"),
            Err(StoreError::UnsupportedUrl)
        ));
    }

    /// A connection that died while idle (a restarted server, a dropped socket) is
    /// replaced before use instead of failing the next query.
    #[tokio::test]
    async fn a_dropped_idle_postgres_connection_is_replaced() {
        let Some(db) = crate::testing::TestDb::postgres().await else {
            return;
        };
        // Two connections in the pool, both idle again.
        let (a, b) = tokio::join!(db.store.pool.acquire(), db.store.pool.acquire());
        drop((a.unwrap(), b.unwrap()));
        let admin = Store::connect(&db.url).await.unwrap();
        let killed: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()) k",
        )
        .fetch_one(&admin.pool)
        .await
        .unwrap();
        assert!(killed >= 2, "terminated {killed} connections");
        admin.close().await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        for _ in 0..3 {
            db.store.ready().await.unwrap();
        }
    }
}
