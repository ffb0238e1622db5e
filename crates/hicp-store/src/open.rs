//! Opening a store: parse the URL, connect, bring the schema up to date, or stop with a reason.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use sqlx::migrate::{MigrateError, Migrator};
#[cfg(feature = "postgres")]
use sqlx::postgres::PgPoolOptions;
#[cfg(feature = "sqlite")]
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::Store;
use crate::clock::{Clock, SystemClock};
use crate::db::Db;
use crate::error::{StoreError, StoreResult};
use crate::portable::PortableLimits;

#[cfg(feature = "sqlite")]
static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("migrations/sqlite");
#[cfg(feature = "postgres")]
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("migrations/postgres");

/// The newest schema version this build knows.
pub const SCHEMA_VERSION: i64 = 3;

/// The data directory: `$HICP_DATA_DIR`, else `$XDG_DATA_HOME/hicp`, else `~/.local/share/hicp`.
pub fn default_data_dir() -> StoreResult<PathBuf> {
    let from_env = |name: &str| std::env::var_os(name).filter(|value| !value.is_empty());
    if let Some(dir) = from_env("HICP_DATA_DIR") {
        return Ok(PathBuf::from(dir));
    }
    if let Some(dir) = from_env("XDG_DATA_HOME") {
        return Ok(PathBuf::from(dir).join("hicp"));
    }
    from_env("HOME")
        .map(|home| PathBuf::from(home).join(".local/share/hicp"))
        .ok_or(StoreError::NoDataDirectory)
}

/// `sqlite://<data dir>/hicp.sqlite3`.
pub fn default_database_url() -> StoreResult<String> {
    Ok(format!(
        "sqlite://{}",
        default_data_dir()?.join("hicp.sqlite3").display()
    ))
}

/// Everything [`Store::open_with`] accepts.
pub struct StoreOptions {
    pub database_url: String,
    /// Where schema version 1 kept evidence bytes, to move them into the database on open;
    /// default: `evidence/` beside the SQLite file, or under the data directory for PostgreSQL.
    /// Newer databases keep the bytes inside and never use a folder.
    pub evidence_dir: Option<PathBuf>,
    pub clock: Arc<dyn Clock>,
    /// Bounds on the portable files this store reads (import, restore).
    pub portable_limits: PortableLimits,
}

impl StoreOptions {
    pub fn new(database_url: impl Into<String>) -> StoreOptions {
        StoreOptions {
            database_url: database_url.into(),
            evidence_dir: None,
            clock: Arc::new(SystemClock),
            portable_limits: PortableLimits::default(),
        }
    }
}

enum Target {
    Sqlite(PathBuf),
    Postgres(String),
}

fn parse_url(url: &str) -> StoreResult<Target> {
    if let Some(rest) = url.strip_prefix("sqlite:") {
        let rest = rest.strip_prefix("//").unwrap_or(rest);
        let path = rest.split('?').next().unwrap_or_default();
        if path.is_empty() || path == ":memory:" {
            return Err(StoreError::UnsupportedUrl(url.to_string()));
        }
        return Ok(Target::Sqlite(PathBuf::from(path)));
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok(Target::Postgres(url.to_string()));
    }
    Err(StoreError::UnsupportedUrl(url.to_string()))
}

/// Hides a password in a URL before it goes into a message.
pub(crate) fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    match rest.split_once('@') {
        Some((credentials, host)) if credentials.contains(':') => {
            let user = credentials.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}:***@{host}")
        }
        _ => url.to_string(),
    }
}

impl Store {
    /// Opens (and on first use creates) the database at `database_url` and migrates it.
    pub async fn open(database_url: &str) -> StoreResult<Store> {
        Store::open_with(StoreOptions::new(database_url)).await
    }

    pub async fn open_with(options: StoreOptions) -> StoreResult<Store> {
        let (db, evidence_dir) = match parse_url(&options.database_url)? {
            Target::Sqlite(path) => {
                let evidence_dir = match options.evidence_dir {
                    Some(dir) => Some(dir),
                    None => Some(
                        path.parent()
                            .map(Path::to_path_buf)
                            .unwrap_or_default()
                            .join("evidence"),
                    ),
                };
                (
                    open_sqlite(&options.database_url, &path).await?,
                    evidence_dir,
                )
            }
            Target::Postgres(url) => {
                let evidence_dir = match options.evidence_dir {
                    Some(dir) => Some(dir),
                    None => default_data_dir().ok().map(|dir| dir.join("evidence")),
                };
                (
                    open_postgres(&options.database_url, &url).await?,
                    evidence_dir,
                )
            }
        };
        let target = redact(&options.database_url);
        if let Err(error) = migrate(&db, &target).await {
            db.close().await;
            return Err(error);
        }
        let store = Store {
            db,
            clock: options.clock,
            portable_limits: options.portable_limits,
        };
        if let Some(folder) = evidence_dir.filter(|dir| dir.is_dir()) {
            store.move_folder_evidence_in(&folder).await?;
        }
        Ok(store)
    }
}

#[cfg(not(feature = "sqlite"))]
async fn open_sqlite(url: &str, _path: &Path) -> StoreResult<Db> {
    Err(StoreError::BackendNotBuilt {
        url: redact(url),
        backend: crate::Backend::Sqlite,
    })
}

#[cfg(feature = "sqlite")]
async fn open_sqlite(_url: &str, path: &Path) -> StoreResult<Db> {
    let target = path.display().to_string();
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(StoreError::io(format!(
            "cannot create the folder {} for the database",
            parent.display()
        )))?;
    }
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(30));
    // A connection to a local file does not go stale, so it is not pinged on every acquire
    // (a trip to its worker thread that every read would pay).
    let pool = SqlitePoolOptions::new()
        .max_connections(4)
        .test_before_acquire(false)
        .connect_with(options)
        .await
        .map_err(|source| StoreError::Open { target, source })?;
    Ok(Db::Sqlite(pool))
}

#[cfg(not(feature = "postgres"))]
async fn open_postgres(url: &str, _parsed: &str) -> StoreResult<Db> {
    Err(StoreError::BackendNotBuilt {
        url: redact(url),
        backend: crate::Backend::Postgres,
    })
}

#[cfg(feature = "postgres")]
async fn open_postgres(_url: &str, url: &str) -> StoreResult<Db> {
    let target = redact(url);
    let options = <sqlx::postgres::PgConnectOptions as std::str::FromStr>::from_str(url).map_err(
        |source| StoreError::Open {
            target: target.clone(),
            source,
        },
    )?;
    let pool = PgPoolOptions::new()
        .max_connections(8)
        .acquire_timeout(Duration::from_secs(30))
        .connect_with(options)
        .await
        .map_err(|source| StoreError::Open { target, source })?;
    Ok(Db::Postgres(pool))
}

async fn migrate(db: &Db, target: &str) -> StoreResult<()> {
    let result = match db {
        #[cfg(feature = "sqlite")]
        Db::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await,
        #[cfg(feature = "postgres")]
        Db::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await,
    };
    result.map_err(|error| StoreError::Migration {
        target: target.to_string(),
        reason: explain_migration_error(&error),
    })
}

fn explain_migration_error(error: &MigrateError) -> String {
    match error {
        MigrateError::VersionMissing(version) => format!(
            "it was migrated to schema version {version}, which this hicp does not know (it knows up to {SCHEMA_VERSION}); it was written by a newer hicp"
        ),
        MigrateError::VersionMismatch(version) => format!(
            "schema version {version} recorded in the database differs from the one built into this hicp; the database was changed by hand or by a modified build"
        ),
        MigrateError::Dirty(version) => {
            format!("migration to schema version {version} did not finish")
        }
        MigrateError::ExecuteMigration(source, version) => {
            format!("migration to schema version {version} failed and was rolled back: {source}")
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(
            redact("postgres://hicp:s3cret@db.example.org:5432/hicp"),
            "postgres://hicp:***@db.example.org:5432/hicp"
        );
        assert_eq!(
            redact("postgres://postgres@127.0.0.1/test"),
            "postgres://postgres@127.0.0.1/test"
        );
    }

    #[test]
    fn sqlite_urls_name_a_file() {
        for (url, path) in [
            (
                "sqlite:///var/lib/hicp/hicp.sqlite3",
                "/var/lib/hicp/hicp.sqlite3",
            ),
            ("sqlite://data/hicp.sqlite3?mode=rwc", "data/hicp.sqlite3"),
            ("sqlite:relative.db", "relative.db"),
        ] {
            match parse_url(url) {
                Ok(Target::Sqlite(parsed)) => assert_eq!(parsed, PathBuf::from(path), "{url}"),
                _ => panic!("{url} should name a SQLite file"),
            }
        }
        assert!(matches!(
            parse_url("postgresql://u@h/d"),
            Ok(Target::Postgres(_))
        ));
    }
}
