//! Test support shared by this crate's tests and the CLI's: a fresh database per test on each
//! backend, and [`backend_tests!`](crate::backend_tests) to write a test body once and run it
//! on SQLite and on PostgreSQL.
//!
//! PostgreSQL runs when `HICP_TEST_POSTGRES_URL` names a server (for example
//! `postgres://postgres@127.0.0.1:5432/test`); each test creates its own database there and
//! drops it afterwards. When the variable is unset the PostgreSQL variants say so on stderr.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use std::collections::BTreeMap;

use sqlx::{Connection, PgConnection, SqliteConnection};
use uuid::Uuid;

use crate::Store;
pub use crate::audit::event_hash;
use crate::clock::Clock;
use crate::db::Backend;
use crate::error::StoreResult;
use crate::open::StoreOptions;
pub use crate::portable::dataset::Dataset;
use crate::portable::{Manifest, PortableLimits};

/// Every row a portable file holds, as stored (hashes and stored JSON included), read with
/// the default limits: for tests that compare files row for row.
pub fn read_dataset(path: &Path) -> StoreResult<(Manifest, Dataset)> {
    let file = crate::portable::file::read(path, &PortableLimits::default())?;
    Ok((file.manifest, file.dataset))
}

pub const POSTGRES_URL_VARIABLE: &str = "HICP_TEST_POSTGRES_URL";

/// A database made for one test, with a scratch folder; both are removed when it is dropped.
pub struct TestDatabase {
    backend: Backend,
    url: String,
    dir: PathBuf,
    postgres: Option<PostgresDatabase>,
}

struct PostgresDatabase {
    admin_url: String,
    name: String,
}

/// `base` with its database name replaced by `name`.
fn with_database(base: &str, name: &str) -> String {
    let (without_query, query) = match base.split_once('?') {
        Some((url, query)) => (url, format!("?{query}")),
        None => (base, String::new()),
    };
    let authority_start = without_query.find("://").map_or(0, |i| i + 3);
    let server = match without_query[authority_start..].find('/') {
        Some(slash) => &without_query[..authority_start + slash],
        None => without_query,
    };
    format!("{server}/{name}{query}")
}

/// Says once per test binary that PostgreSQL was not exercised, where cargo's output capture
/// does not hide it.
pub fn announce_postgres_skipped() {
    static SAID: AtomicBool = AtomicBool::new(false);
    if !SAID.swap(true, Ordering::SeqCst) {
        let _ = writeln!(
            std::io::stderr(),
            "\nNOTE: PostgreSQL tests did NOT run: set {POSTGRES_URL_VARIABLE} (e.g. postgres://postgres@127.0.0.1:5432/test) to run them.\n"
        );
    }
}

impl TestDatabase {
    /// A fresh database on `backend`, or `None` for PostgreSQL when no server is configured.
    pub async fn create(backend: Backend) -> Option<TestDatabase> {
        let id = Uuid::now_v7().simple().to_string();
        let dir = std::env::temp_dir().join(format!("hicp-test-{id}"));
        if let Err(error) = std::fs::create_dir_all(&dir) {
            panic!("cannot create the test folder {}: {error}", dir.display());
        }
        match backend {
            Backend::Sqlite => Some(TestDatabase {
                backend,
                url: format!("sqlite://{}", dir.join("hicp.sqlite3").display()),
                dir,
                postgres: None,
            }),
            Backend::Postgres => {
                let Some(admin_url) = std::env::var(POSTGRES_URL_VARIABLE)
                    .ok()
                    .filter(|v| !v.is_empty())
                else {
                    let _ = std::fs::remove_dir_all(&dir);
                    announce_postgres_skipped();
                    return None;
                };
                let name = format!("hicp_t_{id}");
                let mut admin = match sqlx::PgConnection::connect(&admin_url).await {
                    Ok(connection) => connection,
                    Err(error) => panic!(
                        "{POSTGRES_URL_VARIABLE} is set but {admin_url} cannot be reached: {error}"
                    ),
                };
                let create = format!("CREATE DATABASE {name}");
                if let Err(error) = sqlx::raw_sql(sqlx::AssertSqlSafe(create))
                    .execute(&mut admin)
                    .await
                {
                    panic!("cannot create the test database {name}: {error}");
                }
                let _ = admin.close().await;
                Some(TestDatabase {
                    backend,
                    url: with_database(&admin_url, &name),
                    dir,
                    postgres: Some(PostgresDatabase { admin_url, name }),
                })
            }
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// A folder for files the test makes (exports, evidence); removed with the database.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The options [`TestDatabase::open`] uses, for a test that changes one (limits, clock).
    pub fn options(&self) -> StoreOptions {
        let mut options = StoreOptions::new(self.url.clone());
        options.evidence_dir = Some(self.dir.join("evidence"));
        options
    }

    pub async fn open(&self) -> StoreResult<Store> {
        Store::open_with(self.options()).await
    }

    pub async fn open_with_clock(&self, clock: Arc<dyn Clock>) -> StoreResult<Store> {
        let mut options = self.options();
        options.clock = clock;
        Store::open_with(options).await
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
        let Some(postgres) = self.postgres.take() else {
            return;
        };
        // Drop runs outside any async context we could borrow: use a thread with its own runtime.
        let dropper = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async move {
                if let Ok(mut admin) = sqlx::PgConnection::connect(&postgres.admin_url).await {
                    let drop = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", postgres.name);
                    let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(drop))
                        .execute(&mut admin)
                        .await;
                    let _ = admin.close().await;
                }
            });
        });
        let _ = dropper.join();
    }
}

/// Every table of the schema, for row counts before and after.
pub const ALL_TABLES: [&str; 19] = [
    "organizations",
    "users",
    "memberships",
    "assessments",
    "answers",
    "answer_history",
    "action_items",
    "milestones",
    "action_item_history",
    "evidence",
    "evidence_contents",
    "evidence_imports",
    "import_hosts",
    "metric_observations",
    "suggestion_decisions",
    "api_tokens",
    "sessions",
    "audit_events",
    "audit_chain_head",
];

/// A direct connection, for what tests must do behind the store's back: tamper, count rows.
pub enum RawConnection {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

impl RawConnection {
    pub async fn connect(db: &TestDatabase) -> RawConnection {
        RawConnection::connect_url(db.backend(), db.url()).await
    }

    pub async fn connect_url(backend: Backend, url: &str) -> RawConnection {
        match backend {
            Backend::Sqlite => RawConnection::Sqlite(
                SqliteConnection::connect(&format!("{url}?mode=rwc"))
                    .await
                    .unwrap_or_else(|e| panic!("{url}: {e}")),
            ),
            Backend::Postgres => RawConnection::Postgres(
                PgConnection::connect(url)
                    .await
                    .unwrap_or_else(|e| panic!("{url}: {e}")),
            ),
        }
    }

    pub async fn execute(&mut self, sql: &str) -> Result<u64, sqlx::Error> {
        let sql = sqlx::AssertSqlSafe(sql.to_string());
        match self {
            RawConnection::Sqlite(c) => sqlx::raw_sql(sql)
                .execute(c)
                .await
                .map(|r| r.rows_affected()),
            RawConnection::Postgres(c) => sqlx::raw_sql(sql)
                .execute(c)
                .await
                .map(|r| r.rows_affected()),
        }
    }

    pub async fn scalar_i64(&mut self, sql: &str) -> i64 {
        let text = sqlx::AssertSqlSafe(sql.to_string());
        match self {
            RawConnection::Sqlite(c) => sqlx::query_scalar::<_, i64>(text).fetch_one(c).await,
            RawConnection::Postgres(c) => sqlx::query_scalar::<_, i64>(text).fetch_one(c).await,
        }
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    pub async fn scalar_text(&mut self, sql: &str) -> String {
        let text = sqlx::AssertSqlSafe(sql.to_string());
        match self {
            RawConnection::Sqlite(c) => sqlx::query_scalar::<_, String>(text).fetch_one(c).await,
            RawConnection::Postgres(c) => sqlx::query_scalar::<_, String>(text).fetch_one(c).await,
        }
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// SQLite's own consistency check of the file (`PRAGMA integrity_check`); `None` on
    /// PostgreSQL, which has no such whole-database check.
    pub async fn sqlite_integrity_check(&mut self) -> Option<String> {
        match self {
            RawConnection::Sqlite(connection) => Some(
                sqlx::query_scalar::<_, String>("PRAGMA integrity_check")
                    .fetch_one(connection)
                    .await
                    .unwrap_or_else(|e| panic!("PRAGMA integrity_check: {e}")),
            ),
            RawConnection::Postgres(_) => None,
        }
    }

    pub async fn counts(&mut self) -> BTreeMap<&'static str, i64> {
        let mut counts = BTreeMap::new();
        for table in ALL_TABLES {
            counts.insert(
                table,
                self.scalar_i64(&format!("SELECT COUNT(*) FROM {table}"))
                    .await,
            );
        }
        counts
    }
}

/// Writes each test body once and runs it on both backends, as `<name>::sqlite` and
/// `<name>::postgres`. Bodies take `db: &TestDatabase` and return `TestResult`.
///
/// ```text
/// hicp_store::backend_tests! {
///     async fn opens(db) {
///         db.open().await?;
///         Ok(())
///     }
/// }
/// ```
#[macro_export]
macro_rules! backend_tests {
    ($(async fn $name:ident($db:ident) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                async fn body($db: &$crate::testing::TestDatabase) -> $crate::testing::TestResult $body

                #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() -> $crate::testing::TestResult {
                    let db = $crate::testing::TestDatabase::create($crate::Backend::Sqlite)
                        .await
                        .ok_or("SQLite test database could not be made")?;
                    body(&db).await
                }

                #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() -> $crate::testing::TestResult {
                    match $crate::testing::TestDatabase::create($crate::Backend::Postgres).await {
                        Some(db) => body(&db).await,
                        None => Ok(()),
                    }
                }
            }
        )*
    };
}

/// What test bodies return: any error fails the test with its message.
pub type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn test_databases_replace_only_the_database_name() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/test", "hicp_t_1"),
            "postgres://postgres@127.0.0.1:5432/hicp_t_1"
        );
        assert_eq!(
            with_database("postgres://u:p@db/test?sslmode=disable", "hicp_t_2"),
            "postgres://u:p@db/hicp_t_2?sslmode=disable"
        );
        assert_eq!(with_database("postgres://u@db", "x"), "postgres://u@db/x");
    }
}
