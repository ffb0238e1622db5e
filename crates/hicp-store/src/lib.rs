//! Persistence for hicp: one typed, transactional API over SQLite (embedded, the default) or
//! PostgreSQL (for teams), with answer history, a hash-chained audit trail written in the same
//! transaction as every change, and portable files that move an organization or a whole
//! database between installations and backends.
//!
//! All SQL of the project lives in this crate. See `docs/storage.md` for the schema, the audit
//! chain, the portable file format and how to run the tests against PostgreSQL.

mod access;
mod action_items;
mod actor;
mod assessments;
mod audit;
mod clock;
mod db;
mod digest;
mod error;
mod evidence;
mod imports;
mod metrics;
mod open;
mod organizations;
pub mod portable;
pub mod records;
mod rows;
mod sign_in;
mod stored;
mod suggestions;
#[cfg(feature = "testing")]
pub mod testing;

use std::sync::Arc;

use time::OffsetDateTime;

pub use access::{LAST_SEEN_STEP, SECRET_PREFIX};
pub use action_items::ActionItemEdit;
pub use actor::{Actor, author_in_words};
pub use assessments::{AnswerRules, NewAssessment};
pub use audit::{AuditEntry, AuditReport, BrokenLink};
pub use clock::{Clock, ManualClock, SystemClock};
pub use db::Backend;
pub use error::{DatabaseContents, Entity, StoreError, StoreResult};
pub use evidence::{MAX_EVIDENCE_BYTES, NewEvidence};
pub use imports::{HostToRecord, ImportedHost, NewEvidenceImport};
pub use metrics::NewMetric;
pub use open::{SCHEMA_VERSION, StoreOptions, default_data_dir, default_database_url};
pub use records::{
    ActionItemHistoryRecord, ActionItemRecord, ActionOwner, ActionStatus, AnswerHistoryRecord,
    AnswerRecord, ApiTokenRecord, AssessmentRecord, AssessmentStatus, EvidenceImportRecord,
    EvidenceRecord, ImportHostRecord, LiveSession, MembershipRecord, MetricObservationRecord,
    MilestoneRecord, OrganizationRecord, OrganizationSummary, Role, SessionRecord,
    SuggestionChoice, SuggestionDecisionRecord, UnknownWord, UserRecord,
};
pub use sign_in::{Affiliation, Credentials};
pub use suggestions::{AnswerChange, NewSuggestionDecision};

/// A handle on the database; cheap to clone and safe to share between tasks.
#[derive(Clone)]
pub struct Store {
    db: db::Db,
    clock: Arc<dyn Clock>,
    portable_limits: portable::PortableLimits,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.db.backend())
            .finish_non_exhaustive()
    }
}

impl Store {
    pub fn backend(&self) -> Backend {
        self.db.backend()
    }

    /// Closes every connection; waits for running queries to finish.
    pub async fn close(&self) {
        self.db.close().await;
    }

    /// "Now" from the store's clock, at the precision both backends keep.
    fn now(&self) -> OffsetDateTime {
        clock::to_stored_precision(self.clock.now())
    }
}

/// Runs file work (zip archives, evidence bytes, hashing) on tokio's blocking threads, so it
/// never stalls the async executor that serves other requests.
pub(crate) async fn off_executor<T: Send + 'static>(
    work: impl FnOnce() -> StoreResult<T> + Send + 'static,
) -> StoreResult<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|error| StoreError::Io {
            context: "a file task of the store did not finish".to_string(),
            source: std::io::Error::other(error),
        })?
}
