//! Evidence files: metadata in `evidence`, bytes in `evidence_contents`, in the same database
//! and the same transaction, so every instance serving one PostgreSQL database sees the same
//! files without a shared folder. Bytes are checked against their recorded SHA-256 every time
//! they are read.
//!
//! Databases written by schema version 1 kept the bytes in a folder named by their hash; the
//! store moves them in when it opens such a database ([`Store::move_folder_evidence_in`]).

use std::path::{Path, PathBuf};

use uuid::Uuid;

use crate::actor::Actor;
use crate::audit::{Audited, Change};
use crate::db::{Tx, execute, fetch_all, fetch_optional};
use crate::digest::sha256_hex;
use crate::error::{Entity, StoreError, StoreResult};
use crate::records::EvidenceRecord;
use crate::rows::{EvidenceRow, evidence_columns};
use crate::{Store, off_executor};

/// Largest evidence file accepted, in bytes.
pub const MAX_EVIDENCE_BYTES: u64 = 256 * 1024 * 1024;

/// A new evidence file, as a caller hands it in. The bytes are owned so that hashing them can
/// run on a blocking thread, away from the async executor.
#[derive(Debug, Clone)]
pub struct NewEvidence<'a> {
    pub organization_id: Uuid,
    /// The answer it supports, if any.
    pub answer_id: Option<Uuid>,
    pub file_name: &'a str,
    pub media_type: &'a str,
    pub bytes: Vec<u8>,
}

const SELECT_BY_ID: &str = concat!(
    "SELECT ",
    evidence_columns!(),
    " FROM evidence WHERE id = $1"
);
const SELECT_OF_ORGANIZATION: &str = concat!(
    "SELECT ",
    evidence_columns!(),
    " FROM evidence WHERE organization_id = $1 ORDER BY id"
);
const SELECT_WITHOUT_CONTENTS: &str = concat!(
    "SELECT ",
    evidence_columns!(),
    " FROM evidence WHERE id NOT IN (SELECT evidence_id FROM evidence_contents) ORDER BY id"
);

/// Stores the bytes of one evidence row inside an enclosing write.
pub(crate) async fn insert_contents(
    tx: &mut Tx,
    evidence_id: Uuid,
    bytes: &[u8],
) -> StoreResult<()> {
    execute!(
        tx,
        "INSERT INTO evidence_contents (evidence_id, bytes) VALUES ($1, $2)",
        evidence_id,
        bytes
    )?;
    Ok(())
}

/// The stored bytes of one evidence row, unverified (callers check them against the hash).
pub(crate) async fn contents(tx: &mut Tx, evidence_id: Uuid) -> StoreResult<Option<Vec<u8>>> {
    Ok(fetch_optional!(
        tx,
        (Vec<u8>,),
        "SELECT bytes FROM evidence_contents WHERE evidence_id = $1",
        evidence_id
    )?
    .map(|(bytes,)| bytes))
}

/// Checks bytes read back against the hash recorded when they were stored.
pub(crate) fn verify(record: &EvidenceRecord, bytes: &[u8]) -> StoreResult<()> {
    let actual = sha256_hex(bytes);
    if actual != record.sha256 {
        return Err(StoreError::Evidence {
            path: PathBuf::from(&record.file_name),
            reason: format!(
                "the stored bytes of evidence {} have changed (SHA-256 is now {actual}, expected {})",
                record.id, record.sha256
            ),
        });
    }
    Ok(())
}

fn check_size(file_name: &str, size: u64) -> StoreResult<i64> {
    if size > MAX_EVIDENCE_BYTES {
        return Err(StoreError::Invalid(format!(
            "evidence file `{file_name}` is larger than the limit of {MAX_EVIDENCE_BYTES} bytes"
        )));
    }
    i64::try_from(size)
        .map_err(|_| StoreError::Invalid(format!("evidence of {size} bytes cannot be stored")))
}

impl Store {
    /// Records the file against the organization and stores its bytes, in one transaction.
    pub async fn add_evidence(
        &self,
        actor: &Actor,
        evidence: NewEvidence<'_>,
    ) -> StoreResult<EvidenceRecord> {
        let size_bytes = check_size(evidence.file_name, evidence.bytes.len() as u64)?;
        if evidence.file_name.trim().is_empty() {
            return Err(StoreError::Invalid(
                "an evidence file needs a name".to_string(),
            ));
        }
        let (sha256, bytes) = off_executor(move || {
            let bytes = evidence.bytes;
            Ok((sha256_hex(&bytes), bytes))
        })
        .await?;
        self.write(actor, async |tx, now| {
            let row = EvidenceRow {
                id: Uuid::now_v7(),
                organization_id: evidence.organization_id,
                answer_id: evidence.answer_id,
                file_name: evidence.file_name.to_string(),
                media_type: evidence.media_type.to_string(),
                size_bytes,
                sha256,
                created_at: now,
                created_by: actor.to_string(),
            };
            row.insert(tx).await?;
            insert_contents(tx, row.id, &bytes).await?;
            let record = row.into_record()?;
            let change = Change::new("evidence.added", "evidence", record.id)
                .organization(record.organization_id)
                .after(&record)?;
            Ok(Audited::new(record, change))
        })
        .await
    }

    /// The evidence record and its bytes, verified against the recorded SHA-256.
    pub async fn read_evidence(&self, id: Uuid) -> StoreResult<(EvidenceRecord, Vec<u8>)> {
        let (row, bytes) = self
            .read(async |tx| {
                let row = fetch_optional!(tx, EvidenceRow, SELECT_BY_ID, id)?
                    .ok_or_else(|| StoreError::not_found(Entity::Evidence, id))?;
                Ok((row, contents(tx, id).await?))
            })
            .await?;
        let record = row.into_record()?;
        let bytes = bytes.ok_or_else(|| StoreError::Evidence {
            path: PathBuf::from(&record.file_name),
            reason: format!(
                "the bytes of evidence {} are missing: it was stored by an older hicp in an evidence folder this store could not find",
                record.id
            ),
        })?;
        off_executor(move || {
            verify(&record, &bytes)?;
            Ok((record, bytes))
        })
        .await
    }

    /// The organization's evidence records (without their bytes), oldest first.
    pub async fn evidence_of(&self, organization_id: Uuid) -> StoreResult<Vec<EvidenceRecord>> {
        let rows = self
            .read(async |tx| {
                Ok(fetch_all!(
                    tx,
                    EvidenceRow,
                    SELECT_OF_ORGANIZATION,
                    organization_id
                )?)
            })
            .await?;
        rows.into_iter().map(EvidenceRow::into_record).collect()
    }

    /// The bytes of an evidence file by their hash (any row with them), verified: what an
    /// export writes under `evidence/<sha256>`.
    pub(crate) async fn evidence_bytes_by_hash(&self, sha256: &str) -> StoreResult<Vec<u8>> {
        let found = self
            .read(async |tx| {
                Ok(fetch_optional!(
                    tx,
                    (Vec<u8>,),
                    "SELECT c.bytes FROM evidence_contents c JOIN evidence e ON e.id = c.evidence_id WHERE e.sha256 = $1 LIMIT 1",
                    sha256
                )?)
            })
            .await?;
        let (bytes,) = found.ok_or_else(|| StoreError::Evidence {
            path: PathBuf::from(sha256),
            reason: "no stored bytes for this evidence: it was stored by an older hicp in an evidence folder this store could not find, or was deleted while the file was written".to_string(),
        })?;
        let actual = sha256_hex(&bytes);
        if actual != sha256 {
            return Err(StoreError::Evidence {
                path: PathBuf::from(sha256),
                reason: format!("the stored bytes have changed (SHA-256 is now {actual})"),
            });
        }
        Ok(bytes)
    }

    /// Moves evidence bytes that schema version 1 kept in `folder` (one file per SHA-256) into
    /// the database, each checked against its hash. A row whose file is absent stays without
    /// bytes (reading it says so); a file whose bytes do not match is refused. Yields how many
    /// rows were given their bytes. Not an audited change: the records stay as they were.
    pub(crate) async fn move_folder_evidence_in(&self, folder: &Path) -> StoreResult<usize> {
        let pending = self
            .read(async |tx| Ok(fetch_all!(tx, EvidenceRow, SELECT_WITHOUT_CONTENTS)?))
            .await?;
        let mut moved = 0;
        let actor = Actor::System {
            component: "evidence-move",
        };
        for row in pending {
            let record = row.into_record()?;
            let path = folder.join(&record.sha256);
            let loaded = off_executor(move || {
                let bytes = match std::fs::read(&path) {
                    Ok(bytes) => bytes,
                    Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                        return Ok(None);
                    }
                    Err(error) => {
                        return Err(StoreError::Evidence {
                            path,
                            reason: format!("cannot be read: {error}"),
                        });
                    }
                };
                verify(&record, &bytes).map_err(|_| StoreError::Evidence {
                    path: path.clone(),
                    reason: format!(
                        "its content has changed (it no longer hashes to {})",
                        record.sha256
                    ),
                })?;
                Ok(Some((record.id, bytes)))
            })
            .await?;
            let Some((id, bytes)) = loaded else {
                continue;
            };
            self.write(&actor, async |tx, _now| {
                // Another instance opening the same database may have moved it first.
                execute!(
                    tx,
                    "INSERT INTO evidence_contents (evidence_id, bytes) VALUES ($1, $2) ON CONFLICT (evidence_id) DO NOTHING",
                    id,
                    &bytes
                )?;
                Ok(Audited::unchanged(()))
            })
            .await?;
            moved += 1;
        }
        Ok(moved)
    }
}
