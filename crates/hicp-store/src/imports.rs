//! Evidence imported from scanners and inventories: which file was read (its SHA-256, so the
//! same file is never counted twice for an organization), the reader's summary, the hosts it
//! saw and the metrics computed from it, written together in one transaction.
//!
//! The records here are plain data: the store does not depend on the readers' crate.

use serde::Serialize;
use uuid::Uuid;

use crate::Store;
use crate::actor::Actor;
use crate::audit::{Audited, Change};
use crate::db::{Tx, fetch_all, fetch_optional, on_conn};
use crate::digest::is_sha256_hex;
use crate::error::{StoreError, StoreResult};
use crate::metrics::{NewMetric, metric_row};
use crate::organizations::organization_by_id;
use crate::records::{EvidenceImportRecord, ImportHostRecord};
use crate::rows::{EvidenceImportRow, ImportHostRow, evidence_import_columns, import_host_columns};
use crate::stored::to_json;

/// One host a file reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedHost {
    /// The reader's stable key for the host; unique within one import.
    pub host_key: String,
    pub address: Option<String>,
    pub hostname: Option<String>,
    /// Whether the scan logged in; `None` where the format does not say.
    pub credentialed: Option<bool>,
    pub medical_device: bool,
}

/// A host of an import as it is handed to the store, which reads the hosts as it writes them
/// (a large scan's are in a temporary file until then): an error stops the import.
pub type HostToRecord = Result<ImportedHost, Box<dyn std::error::Error + Send + Sync>>;

/// A file to record as imported, with what was read from it (its hosts come beside it, see
/// [`Store::record_evidence_import`]).
#[derive(Debug, Clone)]
pub struct NewEvidenceImport<'a> {
    pub organization_id: Uuid,
    /// The reader that understood the file, e.g. `nessus`.
    pub format: &'a str,
    pub file_name: &'a str,
    pub size_bytes: u64,
    /// Lowercase hex SHA-256 of the whole file.
    pub sha256: &'a str,
    /// The reader's normalized summary.
    pub summary: serde_json::Value,
    /// Metrics computed from the file; each must be the import's organization's.
    pub metrics: Vec<NewMetric<'a>>,
}

const SELECT_BY_HASH: &str = concat!(
    "SELECT ",
    evidence_import_columns!(),
    " FROM evidence_imports WHERE organization_id = $1 AND sha256 = $2"
);
const SELECT_OF_ORGANIZATION: &str = concat!(
    "SELECT ",
    evidence_import_columns!(),
    " FROM evidence_imports WHERE organization_id = $1 ORDER BY imported_at, id"
);
const SELECT_LATEST_OF_FORMAT: &str = concat!(
    "SELECT ",
    evidence_import_columns!(),
    " FROM evidence_imports WHERE organization_id = $1 AND format = $2 ORDER BY imported_at DESC, id DESC LIMIT 1"
);
const SELECT_HOSTS: &str = concat!(
    "SELECT ",
    import_host_columns!(),
    " FROM import_hosts WHERE import_id = $1 ORDER BY host_key"
);

/// What the audit trail records for an import: the record and how much came with it (the
/// hosts themselves are in `import_hosts`; thousands of them would swell the trail).
#[derive(Serialize)]
struct Recorded<'a> {
    import: &'a EvidenceImportRecord,
    hosts: usize,
    metrics: usize,
}

fn check(import: &NewEvidenceImport<'_>) -> StoreResult<()> {
    let invalid = |reason: String| Err(StoreError::Invalid(reason));
    if !is_sha256_hex(import.sha256) {
        return invalid(format!(
            "`{}` is not a SHA-256 in lowercase hex",
            import.sha256
        ));
    }
    if import.format.trim().is_empty() || import.file_name.trim().is_empty() {
        return invalid("an import needs its format and file name".to_string());
    }
    if let Some(metric) = import
        .metrics
        .iter()
        .find(|metric| metric.organization_id != import.organization_id)
    {
        return invalid(format!(
            "metric `{}` is for organization {}, not the import's {}",
            metric.metric, metric.organization_id, import.organization_id
        ));
    }
    Ok(())
}

/// Hosts written by one statement: a scan of 15,000 hosts takes 150 statements, not 15,000.
/// Measured on both backends (debug build, 15,000 hosts): one host a statement took 0.7 s on
/// SQLite and 2.4 s on PostgreSQL; 100 a statement about 0.35 s and 0.45 s; 500 was slower
/// again on SQLite (2.1 s), whose statements grow costly to bind.
const HOSTS_PER_STATEMENT: usize = 100;

/// Writes `hosts` as they come, [`HOSTS_PER_STATEMENT`] at a time, so that a scan's hosts are
/// never all in memory; says how many there were.
async fn insert_hosts(
    tx: &mut Tx,
    import_id: Uuid,
    file_name: &str,
    hosts: impl Iterator<Item = HostToRecord>,
) -> StoreResult<usize> {
    let mut batch: Vec<ImportedHost> = Vec::with_capacity(HOSTS_PER_STATEMENT);
    let mut count = 0;
    let mut hosts = hosts.peekable();
    while hosts.peek().is_some() {
        batch.clear();
        for host in hosts.by_ref().take(HOSTS_PER_STATEMENT) {
            let host = host.map_err(StoreError::ImportHosts)?;
            if host.host_key.trim().is_empty() {
                return Err(StoreError::Invalid(format!(
                    "{file_name}: a host has an empty key"
                )));
            }
            batch.push(host);
        }
        insert_batch(tx, import_id, &batch).await.map_err(|error| {
            error.if_unique_violation(|| {
                StoreError::Invalid(format!(
                    "{file_name}: a host is listed twice (its key is not unique in the import)"
                ))
            })
        })?;
        count += batch.len();
    }
    Ok(count)
}

async fn insert_batch(tx: &mut Tx, import_id: Uuid, hosts: &[ImportedHost]) -> StoreResult<()> {
    const COLUMNS: usize = 7;
    let rows: Vec<String> = (0..hosts.len())
        .map(|row| {
            let first = row * COLUMNS + 1;
            let params: Vec<String> = (first..first + COLUMNS).map(|n| format!("${n}")).collect();
            format!("({})", params.join(", "))
        })
        .collect();
    // Only generated placeholders go into the text; every value is bound.
    let sql = format!(
        concat!(
            "INSERT INTO import_hosts (",
            import_host_columns!(),
            ") VALUES {}"
        ),
        rows.join(", ")
    );
    on_conn!(tx, conn => {
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for host in hosts {
            query = query
                .bind(Uuid::now_v7())
                .bind(import_id)
                .bind(&host.host_key)
                .bind(&host.address)
                .bind(&host.hostname)
                .bind(host.credentialed)
                .bind(host.medical_device);
        }
        query.execute(conn).await.map(|done| done.rows_affected())
    })?;
    Ok(())
}

async fn already_imported(
    tx: &mut Tx,
    organization_id: Uuid,
    sha256: &str,
) -> StoreResult<Option<EvidenceImportRecord>> {
    fetch_optional!(
        tx,
        EvidenceImportRow,
        SELECT_BY_HASH,
        organization_id,
        sha256
    )?
    .map(EvidenceImportRow::into_record)
    .transpose()
}

impl Store {
    /// Records an imported file with its hosts and metrics, all or nothing: the hosts are read
    /// from `hosts` as they are written, and an error among them, a host without a key or one
    /// listed twice records nothing. A file this organization already imported (same SHA-256)
    /// is refused with [`StoreError::AlreadyImported`], saying when.
    pub async fn record_evidence_import<H>(
        &self,
        actor: &Actor,
        import: NewEvidenceImport<'_>,
        hosts: H,
    ) -> StoreResult<EvidenceImportRecord>
    where
        H: IntoIterator<Item = HostToRecord>,
        H::IntoIter: Send,
    {
        let hosts = hosts.into_iter();
        check(&import)?;
        let size_bytes = i64::try_from(import.size_bytes).map_err(|_| {
            StoreError::Invalid(format!(
                "a file of {} bytes cannot be recorded",
                import.size_bytes
            ))
        })?;
        let summary = to_json(&import.summary)?;
        self.write(actor, async |tx, now| {
            organization_by_id(tx, import.organization_id).await?;
            if let Some(earlier) =
                already_imported(tx, import.organization_id, import.sha256).await?
            {
                return Err(StoreError::AlreadyImported {
                    sha256: earlier.sha256,
                    imported_at: earlier.imported_at,
                });
            }
            let row = EvidenceImportRow {
                id: Uuid::now_v7(),
                organization_id: import.organization_id,
                format: import.format.to_string(),
                file_name: import.file_name.to_string(),
                size_bytes,
                sha256: import.sha256.to_string(),
                summary: summary.clone(),
                imported_at: now,
                imported_by: actor.to_string(),
            };
            row.insert(tx).await.map_err(|error| {
                // Only a concurrent import of the same file gets here (PostgreSQL); it
                // committed a moment ago.
                error.if_unique_violation(|| StoreError::AlreadyImported {
                    sha256: import.sha256.to_string(),
                    imported_at: now,
                })
            })?;
            let host_count = insert_hosts(tx, row.id, import.file_name, hosts).await?;
            for metric in &import.metrics {
                metric_row(metric, now, Some(row.id))?.insert(tx).await?;
            }
            let record = row.into_record()?;
            let change = Change::new("evidence.imported", "evidence_import", record.id)
                .organization(record.organization_id)
                .after(&Recorded {
                    import: &record,
                    hosts: host_count,
                    metrics: import.metrics.len(),
                })?;
            Ok(Audited::new(record, change))
        })
        .await
    }

    /// The organization's imports, oldest first.
    pub async fn evidence_imports(
        &self,
        organization_id: Uuid,
    ) -> StoreResult<Vec<EvidenceImportRecord>> {
        let rows = self
            .read(async |tx| {
                Ok(fetch_all!(
                    tx,
                    EvidenceImportRow,
                    SELECT_OF_ORGANIZATION,
                    organization_id
                )?)
            })
            .await?;
        rows.into_iter()
            .map(EvidenceImportRow::into_record)
            .collect()
    }

    /// The hosts one import saw, by key.
    pub async fn import_hosts(&self, import_id: Uuid) -> StoreResult<Vec<ImportHostRecord>> {
        let rows = self
            .read(async |tx| Ok(fetch_all!(tx, ImportHostRow, SELECT_HOSTS, import_id)?))
            .await?;
        Ok(rows.into_iter().map(ImportHostRow::into_record).collect())
    }

    /// The newest import of `format` for the organization with the hosts it saw, or `None`
    /// when there is none (e.g. the inventory to compare a scan with).
    pub async fn latest_import_hosts(
        &self,
        organization_id: Uuid,
        format: &str,
    ) -> StoreResult<Option<(EvidenceImportRecord, Vec<ImportHostRecord>)>> {
        let found = self
            .read(async |tx| {
                let Some(row) = fetch_optional!(
                    tx,
                    EvidenceImportRow,
                    SELECT_LATEST_OF_FORMAT,
                    organization_id,
                    format
                )?
                else {
                    return Ok(None);
                };
                let hosts = fetch_all!(tx, ImportHostRow, SELECT_HOSTS, row.id)?;
                Ok(Some((row, hosts)))
            })
            .await?;
        found
            .map(|(row, hosts)| {
                Ok((
                    row.into_record()?,
                    hosts.into_iter().map(ImportHostRow::into_record).collect(),
                ))
            })
            .transpose()
    }
}
