//! Two backends behind one set of SQL texts.
//!
//! sqlx's query types are per backend, so [`Tx`] holds either a SQLite or a PostgreSQL
//! transaction and the macros below expand the *same* query text once per arm. Rules that keep
//! one text portable: `$n` placeholders, ids and timestamps made in Rust, JSON stored as text,
//! integers read as `i64`.

use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};

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
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

pub(crate) enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
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
}

impl Db {
    pub(crate) fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    pub(crate) async fn begin(&self, mode: Mode) -> StoreResult<Tx> {
        Ok(match (self, mode) {
            (Db::Sqlite(pool), Mode::Write) => {
                Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?)
            }
            (Db::Sqlite(pool), Mode::Snapshot) => Tx::Sqlite(pool.begin().await?),
            (Db::Postgres(pool), Mode::Write) => Tx::Postgres(pool.begin().await?),
            (Db::Postgres(pool), Mode::Snapshot) => Tx::Postgres(
                pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .await?,
            ),
        })
    }

    pub(crate) async fn close(&self) {
        match self {
            Db::Sqlite(pool) => pool.close().await,
            Db::Postgres(pool) => pool.close().await,
        }
    }
}

impl Tx {
    pub(crate) async fn commit(self) -> StoreResult<()> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await?,
            Tx::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }
}

/// Runs `$body` with `$conn` bound to the transaction's connection, once per backend arm.
macro_rules! on_conn {
    ($tx:expr, $conn:ident => $body:expr) => {
        match $tx {
            $crate::db::Tx::Sqlite(tx) => {
                let $conn = &mut **tx;
                $body
            }
            $crate::db::Tx::Postgres(tx) => {
                let $conn = &mut **tx;
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
