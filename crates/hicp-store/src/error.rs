//! What can go wrong in the store, as data the CLI and the server can match on and word for
//! their own users. Messages here say what happened, never which command to run next.

use std::fmt;
use std::path::PathBuf;

use hicp_catalog::SubPracticeId;
use uuid::Uuid;

use crate::records::{ActionItemRecord, AnswerRecord, OrganizationRecord};

/// The kinds of stored things a lookup can miss.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Entity {
    Organization,
    Assessment,
    Answer,
    ActionItem,
    Evidence,
    User,
    ApiToken,
    Milestone,
    Membership,
    EvidenceImport,
    /// A suggested answer the organization's kept evidence makes.
    Suggestion,
}

impl fmt::Display for Entity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Entity::Organization => "organization",
            Entity::Assessment => "assessment",
            Entity::Answer => "answer",
            Entity::ActionItem => "action item",
            Entity::Evidence => "evidence",
            Entity::User => "user",
            Entity::ApiToken => "active API token",
            Entity::Milestone => "milestone",
            Entity::Membership => "membership",
            Entity::EvidenceImport => "evidence import",
            Entity::Suggestion => "suggested answer",
        })
    }
}

/// What a backup restore would have replaced in a database that is not empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct DatabaseContents {
    pub organizations: i64,
    pub users: i64,
    pub audit_events: i64,
}

impl DatabaseContents {
    pub fn is_empty(&self) -> bool {
        self.organizations + self.users + self.audit_events == 0
    }
}

impl fmt::Display for DatabaseContents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} organizations, {} users, {} audit events",
            self.organizations, self.users, self.audit_events
        )
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "unsupported database URL `{0}`: the forms are sqlite://PATH (for example sqlite:///var/lib/hicp/hicp.sqlite3) and postgres://USER@HOST:PORT/DATABASE"
    )]
    UnsupportedUrl(String),

    #[error(
        "the database URL `{url}` names a {backend} database, but this build of hicp-store was made without the `{backend}` feature"
    )]
    BackendNotBuilt {
        url: String,
        backend: crate::Backend,
    },

    #[error("no data directory: none of HICP_DATA_DIR, XDG_DATA_HOME or HOME is set")]
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

    #[error("{entity} `{key}` was not found")]
    NotFound { entity: Entity, key: String },

    #[error("an organization named `{name}` already exists")]
    DuplicateOrganizationName { name: String },

    #[error("a user with the email `{email}` already exists")]
    DuplicateUserEmail { email: String },

    /// Someone answered the sub-practice first; `current` is that answer (so a caller can
    /// answer 409 with it and the editor can switch to updating it).
    #[error("{sub_practice} is already answered in assessment {assessment_id}")]
    AlreadyAnswered {
        assessment_id: Uuid,
        sub_practice: SubPracticeId,
        current: Box<AnswerRecord>,
    },

    #[error("{rejected}")]
    InvalidAnswer {
        #[from]
        rejected: hicp_engine::AnswerRejected,
    },

    #[error("{0}")]
    Invalid(String),

    #[error("an assessment in `{from}` cannot become `{to}`: the order is draft, in_review, final")]
    InvalidStatusChange {
        from: crate::records::AssessmentStatus,
        to: crate::records::AssessmentStatus,
    },

    #[error("the answer was changed by someone else (it is now at version {current_version})")]
    Conflict {
        current_version: i64,
        current: Box<AnswerRecord>,
    },

    /// An action item changed since `expected_version` was read; `current` is how it is now.
    #[error("the action item was changed by someone else (it is now at version {current_version})")]
    StaleVersion {
        current_version: i64,
        current: Box<ActionItemRecord>,
    },

    /// An organization changed since `expected_version` was read; `current` is how it is now.
    #[error(
        "the organization was changed by someone else (it is now at version {current_version})"
    )]
    StaleOrganization {
        current_version: i64,
        current: Box<OrganizationRecord>,
    },

    /// This organization already imported a file with these bytes.
    #[error(
        "this file (SHA-256 {sha256}) was already imported for this organization at {}",
        .imported_at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
    )]
    AlreadyImported {
        sha256: String,
        imported_at: time::OffsetDateTime,
    },

    /// The hosts of an import could not all be had while it was recorded (the temporary file
    /// they were kept in failed); nothing was recorded.
    #[error("the imported hosts could not be read while they were recorded: {0}")]
    ImportHosts(#[source] Box<dyn std::error::Error + Send + Sync>),

    #[error("assessment {0} is final and cannot be changed")]
    Immutable(Uuid),

    #[error("stored data is not readable ({what}): {reason}")]
    Corrupt { what: String, reason: String },

    #[error("evidence file {path}: {reason}")]
    Evidence { path: PathBuf, reason: String },

    #[error("{path}: {reason}")]
    Portable { path: PathBuf, reason: String },

    #[error("{path} is {found}, not {expected}")]
    WrongPortableKind {
        path: PathBuf,
        expected: crate::portable::Kind,
        found: crate::portable::Kind,
    },

    /// The first administrator was already created (there are accounts).
    #[error("this installation is already set up: it has accounts")]
    AlreadySetUp,

    #[error("the database is not empty ({0})")]
    NotEmpty(DatabaseContents),

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

    pub(crate) fn corrupt(what: impl Into<String>, reason: impl fmt::Display) -> StoreError {
        StoreError::Corrupt {
            what: what.into(),
            reason: reason.to_string(),
        }
    }

    pub(crate) fn not_found(entity: Entity, key: impl ToString) -> StoreError {
        StoreError::NotFound {
            entity,
            key: key.to_string(),
        }
    }

    /// The one place a database's unique-key refusal is recognized.
    pub(crate) fn is_unique_violation(&self) -> bool {
        matches!(self, StoreError::Database(sqlx::Error::Database(db)) if db.is_unique_violation())
    }

    /// A unique-key refusal becomes `duplicate()`; every other error passes through unchanged.
    pub(crate) fn if_unique_violation(self, duplicate: impl FnOnce() -> StoreError) -> StoreError {
        if self.is_unique_violation() {
            duplicate()
        } else {
            self
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;
