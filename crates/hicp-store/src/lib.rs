//! Persistence for hicp: one typed, transactional API over SQLite (embedded, the default) or
//! PostgreSQL (for teams), with answer history, a hash-chained audit trail written in the same
//! transaction as every change, and portable files that move an organization or a whole
//! database between installations and backends.
//!
//! All SQL of the project lives in this crate. See `docs/storage.md` for the schema, the audit
//! chain, the portable file format and how to run the tests against PostgreSQL.

mod access;
mod assessments;
pub mod audit;
mod clock;
mod db;
mod digest;
mod error;
mod evidence;
mod open;
mod organizations;
mod plan;
pub mod portable;
pub mod records;
pub mod rows;
pub mod testing;

use std::sync::Arc;

use time::OffsetDateTime;

pub use access::{NewMetric, SECRET_PREFIX};
pub use assessments::NewAssessment;
pub use audit::{AuditReport, BrokenLink};
pub use clock::{Clock, ManualClock, SystemClock};
pub use db::Backend;
pub use error::{StoreError, StoreResult};
pub use evidence::{MAX_EVIDENCE_BYTES, NewEvidence};
pub use open::{SCHEMA_VERSION, StoreOptions, default_data_dir, default_database_url};
pub use records::{
    ActionItemRecord, ActionStatus, AnswerRecord, AssessmentRecord, AssessmentStatus,
    OrganizationRecord, OrganizationSummary, Role,
};

/// A handle on the database; cheap to clone and safe to share between tasks.
#[derive(Clone)]
pub struct Store {
    db: db::Db,
    clock: Arc<dyn Clock>,
    evidence: evidence::EvidenceFolder,
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
