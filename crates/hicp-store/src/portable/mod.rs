//! Portable files: `hicp org export`/`import` move one organization, `hicp backup`/`restore`
//! the whole database, between installations and between SQLite and PostgreSQL. Both use one
//! versioned format (see [`file`] and `docs/storage.md`), read from one consistent snapshot and
//! written back in one transaction.

pub(crate) mod dataset;
pub(crate) mod file;

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;
use uuid::Uuid;

pub(crate) use dataset::Dataset;
pub use file::{FORMAT, FORMAT_VERSION, Kind, Manifest, Part, PortableLimits};

use crate::actor::Actor;
use crate::audit::{Audited, Change};
use crate::db::{Tx, execute, fetch_optional, fetch_scalar};
use crate::error::{DatabaseContents, Entity, StoreError, StoreResult};
use crate::open::SCHEMA_VERSION;
use crate::rows::Scope;
use crate::{Store, off_executor};
use dataset::Placement;
use file::VerifiedFile;

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
    /// What a forced restore replaced, when the database was not empty.
    pub replaced: Option<DatabaseContents>,
}

/// What a portable file holds, as [`inspect`] reports it without touching a database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Contents {
    /// Rows per table.
    pub rows: BTreeMap<&'static str, u64>,
    /// The organizations it carries, by id and name.
    pub organizations: Vec<(Uuid, String)>,
    pub evidence_files: usize,
}

/// Empties every table, children before parents (for a forced restore).
const DELETE_CHILD_FIRST: [&str; 18] = [
    "DELETE FROM sessions",
    "DELETE FROM api_tokens",
    "DELETE FROM suggestion_decisions",
    "DELETE FROM metric_observations",
    "DELETE FROM import_hosts",
    "DELETE FROM evidence_imports",
    "DELETE FROM evidence_contents",
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

/// Stores the bytes of every evidence row a file brought, one file in memory at a time.
async fn insert_evidence_contents(tx: &mut Tx, file: &VerifiedFile) -> StoreResult<()> {
    for (sha256, ids) in file.dataset.evidence_ids_by_hash() {
        let bytes = file.evidence_bytes(&sha256).await?;
        for id in ids {
            crate::evidence::insert_contents(tx, id, &bytes).await?;
        }
    }
    Ok(())
}

fn summary(dataset: &Dataset) -> WriteSummary {
    WriteSummary {
        rows: dataset.row_count(),
        evidence_files: dataset.evidence_hashes().len(),
        audit_events: dataset.audit_events.len(),
    }
}

/// Reads and fully verifies a portable file without touching any database: its manifest and
/// what it holds. Runs on the calling thread; async callers should use a blocking task.
pub fn inspect(path: &Path, limits: &PortableLimits) -> StoreResult<(Manifest, Contents)> {
    let file = file::read(path, limits)?;
    let contents = Contents {
        rows: file.dataset.rows_per_table(),
        organizations: file
            .dataset
            .organizations
            .iter()
            .map(|row| (row.id, row.name.clone()))
            .collect(),
        evidence_files: file.dataset.evidence_hashes().len(),
    };
    Ok((file.manifest, contents))
}

/// Checks that an organization file holds exactly the organization its manifest names.
fn organization_of(file: &VerifiedFile) -> StoreResult<()> {
    let refuse = |reason: String| StoreError::Portable {
        path: file.path().to_path_buf(),
        reason,
    };
    let organization_id = file.manifest.organization.ok_or_else(|| {
        refuse("its manifest does not name the organization it holds".to_string())
    })?;
    file.dataset
        .check_single_organization(organization_id)
        .map_err(|reason| refuse(format!("is not a valid organization export: {reason}")))
}

/// The audit payload of a write that loaded a file.
#[derive(Serialize)]
struct Loaded<'a> {
    file: String,
    written_by: &'a str,
    written_at: String,
    source_backend: crate::Backend,
    rows: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    replaced: Option<Option<String>>,
}

impl<'a> Loaded<'a> {
    fn new(file: &'a VerifiedFile) -> Loaded<'a> {
        Loaded {
            file: file.path().display().to_string(),
            written_by: &file.manifest.producer,
            written_at: file.manifest.created_at.to_string(),
            source_backend: file.manifest.source_backend,
            rows: file.dataset.row_count(),
            replaced: None,
        }
    }
}

async fn database_contents(tx: &mut Tx) -> StoreResult<DatabaseContents> {
    Ok(DatabaseContents {
        organizations: fetch_scalar!(tx, i64, "SELECT COUNT(*) FROM organizations")?,
        users: fetch_scalar!(tx, i64, "SELECT COUNT(*) FROM users")?,
        audit_events: fetch_scalar!(tx, i64, "SELECT COUNT(*) FROM audit_events")?,
    })
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
        let dataset = self
            .read(async |tx| Dataset::collect(tx, Scope::Organization(organization_id)).await)
            .await?;
        if dataset.organizations.is_empty() {
            return Err(StoreError::not_found(Entity::Organization, organization_id));
        }
        let manifest = self.manifest(Kind::Organization, Some(organization_id));
        self.write_file(out, manifest, dataset).await
    }

    /// Writes the whole database to a portable file from one consistent snapshot; other
    /// writers carry on meanwhile.
    pub async fn backup(&self, out: &Path) -> StoreResult<WriteSummary> {
        let dataset = self
            .read(async |tx| Dataset::collect(tx, Scope::Everything).await)
            .await?;
        self.write_file(out, self.manifest(Kind::Backup, None), dataset)
            .await
    }

    /// Compresses and writes the file on a blocking thread.
    async fn write_file(
        &self,
        out: &Path,
        manifest: Manifest,
        dataset: Dataset,
    ) -> StoreResult<WriteSummary> {
        let written = summary(&dataset);
        let out = out.to_path_buf();
        // The writer runs on a blocking thread and asks for each file's bytes as it needs them,
        // so at most one evidence file is in memory at a time.
        let runtime = tokio::runtime::Handle::current();
        let store = self.clone();
        let mut evidence = move |sha256: &str| -> StoreResult<Vec<u8>> {
            runtime.block_on(store.evidence_bytes_by_hash(sha256))
        };
        off_executor(move || file::write(&out, manifest, &dataset, &mut evidence)).await?;
        Ok(written)
    }

    /// Reads and verifies a file and checks it is of `expected` kind and passes `check`; all on
    /// a blocking thread.
    async fn load_file(
        &self,
        path: &Path,
        expected: Kind,
        check: fn(&VerifiedFile) -> StoreResult<()>,
    ) -> StoreResult<VerifiedFile> {
        let path = path.to_path_buf();
        let limits = self.portable_limits;
        off_executor(move || {
            let file = file::read(&path, &limits)?;
            if file.manifest.kind != expected {
                return Err(StoreError::WrongPortableKind {
                    path: path.clone(),
                    expected,
                    found: file.manifest.kind,
                });
            }
            check(&file)?;
            Ok(file)
        })
        .await
    }

    /// Reads an organization file into this database in one transaction: all of it, or
    /// (on any error) nothing. An organization already present (same id) is left alone.
    ///
    /// Answers are written as the file holds them, without the answer rules: the file is a
    /// verified copy of another installation's records (final assessments included), not new
    /// input, and refusing it would lose history.
    pub async fn import_organization(
        &self,
        actor: &Actor,
        path: &Path,
        progress: &mut (dyn FnMut(Progress) + Send),
    ) -> StoreResult<ImportOutcome> {
        let file = self
            .load_file(path, Kind::Organization, organization_of)
            .await?;
        let organization = file.dataset.organizations.first();
        let (organization_id, name) = organization
            .map(|row| (row.id, row.name.clone()))
            .ok_or_else(|| StoreError::Portable {
                path: path.to_path_buf(),
                reason: "holds no organization".to_string(),
            })?;
        self.write(actor, async |tx, _now| {
            let existing = fetch_optional!(
                tx,
                (Uuid, String),
                "SELECT id, name FROM organizations WHERE id = $1",
                organization_id
            )?;
            if let Some((id, name)) = existing {
                return Ok(Audited::unchanged(ImportOutcome::AlreadyPresent {
                    id,
                    name,
                }));
            }
            let total = file.dataset.row_count();
            file.dataset
                .insert(tx, Placement::Merge, &mut |done| {
                    progress(Progress { done, total })
                })
                .await?;
            insert_evidence_contents(tx, &file).await?;
            let change = Change::new("organization.imported", "organization", organization_id)
                .organization(organization_id)
                .after(&Loaded::new(&file))?;
            Ok(Audited::new(
                ImportOutcome::Imported {
                    id: organization_id,
                    name,
                    rows: total,
                },
                change,
            ))
        })
        .await
    }

    /// Loads a backup into this database in one transaction. The database must be empty
    /// unless `replace` is set, in which case everything in it is replaced.
    pub async fn restore(
        &self,
        actor: &Actor,
        path: &Path,
        replace: bool,
        progress: &mut (dyn FnMut(Progress) + Send),
    ) -> StoreResult<RestoreSummary> {
        let file = self.load_file(path, Kind::Backup, |_| Ok(())).await?;
        self.write(actor, async |tx, _now| {
            let contents = database_contents(tx).await?;
            let replaced = (!contents.is_empty()).then_some(contents);
            if let Some(contents) = replaced {
                if !replace {
                    return Err(StoreError::NotEmpty(contents));
                }
                for statement in DELETE_CHILD_FIRST {
                    execute!(tx, statement)?;
                }
            }
            let total = file.dataset.row_count();
            file.dataset
                .insert(tx, Placement::Verbatim, &mut |done| {
                    progress(Progress { done, total })
                })
                .await?;
            insert_evidence_contents(tx, &file).await?;
            let mut loaded = Loaded::new(&file);
            loaded.replaced = Some(replaced.map(|contents| contents.to_string()));
            let change = Change::new("database.restored", "database", "all").after(&loaded)?;
            Ok(Audited::new(
                RestoreSummary {
                    rows: total,
                    organizations: file.dataset.organizations.len(),
                    replaced,
                },
                change,
            ))
        })
        .await
    }
}
