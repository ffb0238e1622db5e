//! Portable files: `hicp org export`/`import` move one organization, `hicp backup`/`restore`
//! the whole database, between installations and between SQLite and PostgreSQL. Both use one
//! versioned format (see [`file`] and `docs/storage.md`), read from one consistent snapshot and
//! written back in one transaction.

mod dataset;
mod file;

use std::path::Path;

use serde::Serialize;
use uuid::Uuid;

pub use dataset::Dataset;
pub use file::{FORMAT, FORMAT_VERSION, Kind, Manifest, Part};

use crate::Store;
use crate::audit::{self, Change};
use crate::db::{Mode, execute, fetch_optional, fetch_scalar};
use crate::error::{StoreError, StoreResult};
use crate::open::SCHEMA_VERSION;
use crate::rows::Scope;
use dataset::Placement;

/// Rows written so far out of the total, reported while an import or restore runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub done: u64,
    pub total: u64,
}

/// What an export or backup wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WriteSummary {
    pub rows: u64,
    pub evidence_files: usize,
    pub audit_events: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ImportOutcome {
    Imported {
        id: Uuid,
        name: String,
        rows: u64,
    },
    /// The organization (same id) is already in this database: nothing was written.
    AlreadyPresent {
        id: Uuid,
        name: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RestoreSummary {
    pub rows: u64,
    pub organizations: usize,
    /// What `--force` replaced, when the database was not empty.
    pub replaced: Option<String>,
}

/// Empties every table, children before parents (for `restore --force`).
const DELETE_CHILD_FIRST: [&str; 14] = [
    "DELETE FROM sessions",
    "DELETE FROM api_tokens",
    "DELETE FROM metric_observations",
    "DELETE FROM evidence",
    "DELETE FROM action_item_history",
    "DELETE FROM milestones",
    "DELETE FROM action_items",
    "DELETE FROM answer_history",
    "DELETE FROM answers",
    "DELETE FROM assessments",
    "DELETE FROM memberships",
    "DELETE FROM users",
    "DELETE FROM organizations",
    "DELETE FROM audit_events",
];

fn summary(dataset: &Dataset) -> WriteSummary {
    WriteSummary {
        rows: dataset.row_count(),
        evidence_files: dataset.evidence_hashes().len(),
        audit_events: dataset.audit_events.len(),
    }
}

/// Reads and fully verifies a portable file without touching any database: its manifest and
/// the rows it carries.
pub fn inspect(path: &Path) -> StoreResult<(Manifest, Dataset)> {
    let file = file::read(path)?;
    Ok((file.manifest, file.dataset))
}

impl Store {
    fn manifest(&self, kind: Kind, organization: Option<Uuid>) -> Manifest {
        Manifest {
            format: FORMAT.to_string(),
            format_version: FORMAT_VERSION,
            kind,
            schema_version: SCHEMA_VERSION,
            created_at: self.now(),
            producer: format!("hicp-store {}", env!("CARGO_PKG_VERSION")),
            source_backend: self.backend(),
            organization,
            parts: Vec::new(),
        }
    }

    /// Writes one organization, with everything that belongs to it, to a portable file.
    pub async fn export_organization(
        &self,
        organization_id: Uuid,
        out: &Path,
    ) -> StoreResult<WriteSummary> {
        let mut tx = self.db.begin(Mode::Snapshot).await?;
        let dataset = Dataset::collect(&mut tx, Scope::Organization(organization_id)).await?;
        tx.commit().await?;
        if dataset.organizations.is_empty() {
            return Err(StoreError::NotFound {
                what: "organization",
                key: organization_id.to_string(),
            });
        }
        file::write(
            out,
            self.manifest(Kind::Organization, Some(organization_id)),
            &dataset,
            self.evidence_folder(),
        )?;
        Ok(summary(&dataset))
    }

    /// Writes the whole database to a portable file from one consistent snapshot; other
    /// writers carry on meanwhile.
    pub async fn backup(&self, out: &Path) -> StoreResult<WriteSummary> {
        let mut tx = self.db.begin(Mode::Snapshot).await?;
        let dataset = Dataset::collect(&mut tx, Scope::Everything).await?;
        tx.commit().await?;
        file::write(
            out,
            self.manifest(Kind::Backup, None),
            &dataset,
            self.evidence_folder(),
        )?;
        Ok(summary(&dataset))
    }

    /// Reads an organization file into this database in one transaction: all of it, or
    /// (on any error) nothing. An organization already present (same id) is left alone.
    pub async fn import_organization(
        &self,
        actor: &str,
        path: &Path,
        progress: &mut (dyn FnMut(Progress) + Send),
    ) -> StoreResult<ImportOutcome> {
        let mut file = file::read(path)?;
        let refuse = |reason: String| StoreError::Portable {
            path: path.to_path_buf(),
            reason,
        };
        if file.manifest.kind != Kind::Organization {
            return Err(refuse(
                "is a full backup, not an organization export: load it with `hicp restore`"
                    .to_string(),
            ));
        }
        let organization_id = file.manifest.organization.ok_or_else(|| {
            refuse("its manifest does not name the organization it holds".to_string())
        })?;
        file.dataset
            .check_single_organization(organization_id)
            .map_err(|reason| refuse(format!("is not a valid organization export: {reason}")))?;
        let name = file.dataset.organizations[0].name.clone();

        let mut tx = self.db.begin(Mode::Write).await?;
        let existing = fetch_optional!(
            &mut tx,
            (Uuid, String),
            "SELECT id, name FROM organizations WHERE id = $1",
            organization_id
        )?;
        if let Some((id, name)) = existing {
            return Ok(ImportOutcome::AlreadyPresent { id, name });
        }
        file.copy_evidence(self.evidence_folder())?;
        let total = file.dataset.row_count();
        file.dataset
            .insert(&mut tx, Placement::Merge, &mut |done| {
                progress(Progress { done, total })
            })
            .await?;
        let now = self.now();
        let change = Change::new("organization.imported", "organization", organization_id)
            .organization(organization_id)
            .after(&serde_json::json!({
                "file": file.path().display().to_string(),
                "written_by": file.manifest.producer,
                "written_at": file.manifest.created_at.to_string(),
                "source_backend": file.manifest.source_backend,
                "rows": total,
            }))?;
        audit::record(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(ImportOutcome::Imported {
            id: organization_id,
            name,
            rows: total,
        })
    }

    /// Loads a backup into this database in one transaction. The database must be empty
    /// unless `force` is set, in which case everything in it is replaced.
    pub async fn restore(
        &self,
        actor: &str,
        path: &Path,
        force: bool,
        progress: &mut (dyn FnMut(Progress) + Send),
    ) -> StoreResult<RestoreSummary> {
        let mut file = file::read(path)?;
        if file.manifest.kind != Kind::Backup {
            return Err(StoreError::Portable {
                path: path.to_path_buf(),
                reason: "is an organization export, not a backup: load it with `hicp org import`"
                    .to_string(),
            });
        }
        let mut tx = self.db.begin(Mode::Write).await?;
        let organizations = fetch_scalar!(&mut tx, i64, "SELECT COUNT(*) FROM organizations")?;
        let users = fetch_scalar!(&mut tx, i64, "SELECT COUNT(*) FROM users")?;
        let events = fetch_scalar!(&mut tx, i64, "SELECT COUNT(*) FROM audit_events")?;
        let replaced = (organizations + users + events > 0).then(|| {
            format!("{organizations} organizations, {users} users, {events} audit events")
        });
        if let Some(contents) = &replaced {
            if !force {
                return Err(StoreError::NotEmpty(contents.clone()));
            }
            for statement in DELETE_CHILD_FIRST {
                execute!(&mut tx, statement)?;
            }
        }
        file.copy_evidence(self.evidence_folder())?;
        let total = file.dataset.row_count();
        file.dataset
            .insert(&mut tx, Placement::Verbatim, &mut |done| {
                progress(Progress { done, total })
            })
            .await?;
        let now = self.now();
        let change =
            Change::new("database.restored", "database", "all").after(&serde_json::json!({
                "file": file.path().display().to_string(),
                "written_by": file.manifest.producer,
                "written_at": file.manifest.created_at.to_string(),
                "source_backend": file.manifest.source_backend,
                "rows": total,
                "replaced": replaced,
            }))?;
        audit::record(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(RestoreSummary {
            rows: total,
            organizations: file.dataset.organizations.len(),
            replaced,
        })
    }
}
