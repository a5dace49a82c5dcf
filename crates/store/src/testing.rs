//! Test helpers: a fresh, migrated database per test — a SQLite file in a temporary
//! folder, or a new PostgreSQL database (when `SLINGSHOT_TEST_POSTGRES_URL` is set)
//! that is dropped afterwards.

use crate::Store;

/// A fresh database for one test; dropped (PostgreSQL) or deleted (SQLite) with it.
pub struct TestDb {
    /// The migrated store.
    pub store: Store,
    /// Its URL (to start a server on the same database).
    pub url: String,
    pg: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    /// A fresh SQLite database file.
    pub async fn sqlite() -> Self {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
        let store = Store::open(&url)
            .await
            .unwrap_or_else(|e| panic!("open {url}: {e}"));
        Self {
            store,
            url,
            pg: None,
            _dir: Some(dir),
        }
    }

    /// A fresh PostgreSQL database, or `None` when `SLINGSHOT_TEST_POSTGRES_URL` is unset.
    /// When `SLINGSHOT_REQUIRE_POSTGRES` or `CI` is set, a missing URL fails the test instead.
    pub async fn postgres() -> Option<Self> {
        let Ok(admin_url) = std::env::var("SLINGSHOT_TEST_POSTGRES_URL") else {
            if std::env::var_os("SLINGSHOT_REQUIRE_POSTGRES").is_some()
                || std::env::var_os("CI").is_some()
            {
                panic!("PostgreSQL tests are required here (CI): set SLINGSHOT_TEST_POSTGRES_URL");
            }
            eprintln!("skipped: set SLINGSHOT_TEST_POSTGRES_URL to run this test on PostgreSQL");
            return None;
        };
        let name = format!("slingshot_test_{}", uuid::Uuid::now_v7().simple());
        let admin = Store::connect(&admin_url)
            .await
            .unwrap_or_else(|e| panic!("connect {admin_url}: {e}"));
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&admin.pool)
            .await
            .unwrap_or_else(|e| panic!("create database: {e}"));
        admin.close().await;
        let mut url = url::Url::parse(&admin_url).unwrap_or_else(|e| panic!("bad URL: {e}"));
        url.set_path(&name);
        let url = url.to_string();
        let store = Store::open(&url)
            .await
            .unwrap_or_else(|e| panic!("open {name}: {e}"));
        Some(Self {
            store,
            url,
            pg: Some((admin_url, name)),
            _dir: None,
        })
    }
}

impl TestDb {
    /// Run one statement on the database: to set up what older code left behind.
    pub async fn execute(&self, sql: &str) {
        sqlx::query(sql)
            .execute(&self.store.pool)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((admin_url, name)) = self.pg.take() else {
            return;
        };
        // Drop the database from a thread of its own: Drop cannot be async.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async move {
                if let Ok(admin) = Store::connect(&admin_url).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&admin.pool)
                        .await;
                    admin.close().await;
                }
            });
        })
        .join();
    }
}

/// Generate a test that runs `body(TestDb)` on SQLite (`<name>::sqlite`) and on
/// PostgreSQL (`<name>::postgres`, see [`TestDb::postgres`]).
#[macro_export]
macro_rules! dual_test {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = $crate::testing::TestDb::sqlite().await;
                ($body)(db).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(db) = $crate::testing::TestDb::postgres().await {
                    ($body)(db).await;
                }
            }
        }
    };
}
