//! What can go wrong in the store, as types the CLI and the server can match on.

use std::path::PathBuf;

use uuid::Uuid;

use crate::records::AnswerRecord;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "unsupported database URL `{0}`: use sqlite://PATH (for example sqlite:///var/lib/hicp/hicp.sqlite3) or postgres://USER@HOST:PORT/DATABASE"
    )]
    UnsupportedUrl(String),

    #[error(
        "no data directory: set HICP_DATA_DIR (or XDG_DATA_HOME or HOME), or pass --database-url"
    )]
    NoDataDirectory,

    #[error("cannot open the database {target}: {source}")]
    Open {
        target: String,
        #[source]
        source: sqlx::Error,
    },

    #[error("the database {target} cannot be brought to the current schema: {reason}")]
    Migration { target: String, reason: String },

    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),

    #[error("{what} `{key}` was not found")]
    NotFound { what: &'static str, key: String },

    #[error("{0}")]
    Duplicate(String),

    #[error("{0}")]
    Invalid(String),

    #[error(
        "the answer was changed by someone else (now at version {current_version}); reload it, reapply your change and save again"
    )]
    Conflict {
        current_version: i64,
        current: Box<AnswerRecord>,
    },

    #[error(
        "the record was changed by someone else (now at version {current_version}); reload it and try again"
    )]
    StaleVersion { current_version: i64 },

    #[error("assessment {0} is final and cannot be changed; start a new assessment instead")]
    Immutable(Uuid),

    #[error("stored data is not readable ({what}): {reason}")]
    Corrupt { what: String, reason: String },

    #[error("evidence file {path}: {reason}")]
    Evidence { path: PathBuf, reason: String },

    #[error("{path}: {reason}")]
    Portable { path: PathBuf, reason: String },

    #[error(
        "the database is not empty ({0}); restore only into an empty database, or pass --force to replace everything in it"
    )]
    NotEmpty(String),

    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

impl StoreError {
    pub(crate) fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> StoreError {
        let context = context.into();
        move |source| StoreError::Io { context, source }
    }

    pub(crate) fn corrupt(what: impl Into<String>, reason: impl std::fmt::Display) -> StoreError {
        StoreError::Corrupt {
            what: what.into(),
            reason: reason.to_string(),
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;
