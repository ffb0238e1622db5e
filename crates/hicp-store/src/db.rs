//! Two backends behind one set of SQL texts.
//!
//! sqlx's query types are per backend, so [`Tx`] holds either a SQLite or a PostgreSQL
//! transaction and the macros below expand the *same* query text once per arm. Rules that keep
//! one text portable: `$n` placeholders, ids and timestamps made in Rust, JSON stored as text,
//! integers read as `i64`.

#[cfg(any(feature = "sqlite", feature = "postgres"))]
use sqlx::{Database, Transaction, pool::PoolConnection};
#[cfg(feature = "postgres")]
use sqlx::{PgPool, Postgres};
#[cfg(feature = "sqlite")]
use sqlx::{Sqlite, SqlitePool};

#[cfg(not(any(feature = "sqlite", feature = "postgres")))]
compile_error!(
    "hicp-store needs a database driver: enable the `sqlite` or `postgres` feature (or both)"
);

use crate::error::StoreResult;

/// Which database a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone)]
pub(crate) enum Db {
    #[cfg(feature = "sqlite")]
    Sqlite(SqlitePool),
    #[cfg(feature = "postgres")]
    Postgres(PgPool),
}

/// Where a store operation's statements run: a transaction, or (for a lookup) a pooled
/// connection on its own.
pub(crate) enum Tx {
    #[cfg(feature = "sqlite")]
    Sqlite(Session<Sqlite>),
    #[cfg(feature = "postgres")]
    Postgres(Session<Postgres>),
}

pub(crate) enum Session<DB: Database> {
    Transaction(Transaction<'static, DB>),
    /// Statements outside a transaction, each atomic on its own.
    Connection(PoolConnection<DB>),
}

impl<DB: Database> Session<DB> {
    pub(crate) fn connection(&mut self) -> &mut DB::Connection {
        match self {
            Session::Transaction(tx) => tx,
            Session::Connection(conn) => conn,
        }
    }

    async fn commit(self) -> sqlx::Result<()> {
        match self {
            Session::Transaction(tx) => tx.commit().await,
            Session::Connection(_) => Ok(()),
        }
    }
}

/// How a transaction will be used; decides how it starts on each backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Takes SQLite's write lock at the start (`BEGIN IMMEDIATE`), so a transaction that reads
    /// then writes never fails half-way with "database is locked"; PostgreSQL's default
    /// READ COMMITTED plus row locks does the same job there.
    Write,
    /// One consistent snapshot for several reads (exports, backups) while writers go on.
    Snapshot,
    /// No transaction: for a read whose statements need not agree with each other (most often
    /// a single one, which is atomic by itself). It saves BEGIN and COMMIT, which on SQLite are
    /// two of a lone query's three trips to the connection's worker thread, on every request's
    /// session and membership checks.
    Lookup,
}

impl Db {
    pub(crate) fn backend(&self) -> Backend {
        match self {
            #[cfg(feature = "sqlite")]
            Db::Sqlite(_) => Backend::Sqlite,
            #[cfg(feature = "postgres")]
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    pub(crate) async fn begin(&self, mode: Mode) -> StoreResult<Tx> {
        Ok(match (self, mode) {
            #[cfg(feature = "sqlite")]
            (Db::Sqlite(pool), Mode::Write) => Tx::Sqlite(Session::Transaction(
                pool.begin_with("BEGIN IMMEDIATE").await?,
            )),
            #[cfg(feature = "sqlite")]
            (Db::Sqlite(pool), Mode::Snapshot) => {
                Tx::Sqlite(Session::Transaction(pool.begin().await?))
            }
            #[cfg(feature = "sqlite")]
            (Db::Sqlite(pool), Mode::Lookup) => {
                Tx::Sqlite(Session::Connection(pool.acquire().await?))
            }
            #[cfg(feature = "postgres")]
            (Db::Postgres(pool), Mode::Write) => {
                Tx::Postgres(Session::Transaction(pool.begin().await?))
            }
            #[cfg(feature = "postgres")]
            (Db::Postgres(pool), Mode::Snapshot) => Tx::Postgres(Session::Transaction(
                pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .await?,
            )),
            #[cfg(feature = "postgres")]
            (Db::Postgres(pool), Mode::Lookup) => {
                Tx::Postgres(Session::Connection(pool.acquire().await?))
            }
        })
    }

    pub(crate) async fn close(&self) {
        match self {
            #[cfg(feature = "sqlite")]
            Db::Sqlite(pool) => pool.close().await,
            #[cfg(feature = "postgres")]
            Db::Postgres(pool) => pool.close().await,
        }
    }
}

impl Tx {
    pub(crate) async fn commit(self) -> StoreResult<()> {
        match self {
            #[cfg(feature = "sqlite")]
            Tx::Sqlite(tx) => tx.commit().await?,
            #[cfg(feature = "postgres")]
            Tx::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }
}

/// Runs `$body` with `$conn` bound to the transaction's connection, once per backend arm.
macro_rules! on_conn {
    ($tx:expr, $conn:ident => $body:expr) => {
        match $tx {
            #[cfg(feature = "sqlite")]
            $crate::db::Tx::Sqlite(session) => {
                let $conn = session.connection();
                $body
            }
            #[cfg(feature = "postgres")]
            $crate::db::Tx::Postgres(session) => {
                let $conn = session.connection();
                $body
            }
        }
    };
}

/// Executes a statement; yields the number of rows affected.
macro_rules! execute {
    ($tx:expr, $sql:expr $(, $arg:expr)* $(,)?) => {
        $crate::db::on_conn!($tx, conn => sqlx::query($sql)$(.bind($arg))*.execute(conn).await
            .map(|done| done.rows_affected()))
    };
}

/// Fetches every row as `$row` (a `FromRow` type that decodes on both backends).
macro_rules! fetch_all {
    ($tx:expr, $row:ty, $sql:expr $(, $arg:expr)* $(,)?) => {
        $crate::db::on_conn!($tx, conn => sqlx::query_as::<_, $row>($sql)$(.bind($arg))*.fetch_all(conn).await)
    };
}

/// Fetches at most one row as `$row`.
macro_rules! fetch_optional {
    ($tx:expr, $row:ty, $sql:expr $(, $arg:expr)* $(,)?) => {
        $crate::db::on_conn!($tx, conn => sqlx::query_as::<_, $row>($sql)$(.bind($arg))*.fetch_optional(conn).await)
    };
}

/// Fetches a single value of type `$ty` from exactly one row.
macro_rules! fetch_scalar {
    ($tx:expr, $ty:ty, $sql:expr $(, $arg:expr)* $(,)?) => {
        $crate::db::on_conn!($tx, conn => sqlx::query_scalar::<_, $ty>($sql)$(.bind($arg))*.fetch_one(conn).await)
    };
}

pub(crate) use {execute, fetch_all, fetch_optional, fetch_scalar, on_conn};
