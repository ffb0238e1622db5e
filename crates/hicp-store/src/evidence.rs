//! Evidence files: metadata in the database, bytes in a content-addressed folder
//! (`<evidence dir>/<sha256>`), verified against their hash every time they are read.
//!
//! Bytes are written before the database row commits. A crash between the two leaves an
//! unreferenced file, never a row without its bytes; files are never changed once written.

use std::io::Read;
use std::path::{Path, PathBuf};

use hicp_input::{Bounded, LimitExceeded};
use uuid::Uuid;

use crate::actor::Actor;
use crate::audit::{Audited, Change};
use crate::db::fetch_optional;
use crate::digest::{StreamingSha256, copy_hashing, is_sha256_hex, sha256_hex};
use crate::error::{Entity, StoreError, StoreResult};
use crate::records::EvidenceRecord;
use crate::rows::{EvidenceRow, evidence_columns};
use crate::{Store, off_executor};

/// Largest evidence file accepted, in bytes.
pub const MAX_EVIDENCE_BYTES: u64 = 256 * 1024 * 1024;

#[derive(Debug, Clone)]
pub(crate) struct EvidenceFolder {
    dir: PathBuf,
}

impl EvidenceFolder {
    pub(crate) fn new(dir: PathBuf) -> EvidenceFolder {
        EvidenceFolder { dir }
    }

    fn path(&self, sha256: &str) -> PathBuf {
        self.dir.join(sha256)
    }

    /// Stores bytes whose hash the caller already knows; nothing to do if they are present.
    pub(crate) fn put(&self, sha256: &str, bytes: &[u8]) -> StoreResult<()> {
        self.put_from(sha256, &mut &bytes[..])
    }

    /// Copies a stream into the folder under `sha256`, refusing it if the bytes hash otherwise.
    pub(crate) fn put_from(&self, sha256: &str, source: &mut dyn Read) -> StoreResult<()> {
        if !is_sha256_hex(sha256) {
            return Err(StoreError::Invalid(format!(
                "`{sha256}` is not a SHA-256 in hex"
            )));
        }
        let target = self.path(sha256);
        if target.exists() {
            return Ok(());
        }
        std::fs::create_dir_all(&self.dir).map_err(StoreError::io(format!(
            "cannot create the evidence folder {}",
            self.dir.display()
        )))?;
        let temporary = self
            .dir
            .join(format!(".incoming-{}", Uuid::now_v7().simple()));
        let result = write_verified(&temporary, sha256, source);
        if result.is_err() {
            // The temporary file is ours alone; failing to remove it only leaves litter.
            let _ = std::fs::remove_file(&temporary);
            return result;
        }
        std::fs::rename(&temporary, &target).map_err(StoreError::io(format!(
            "cannot move evidence into {}",
            target.display()
        )))
    }

    /// Reads the bytes stored under `sha256` and checks they still hash to it.
    pub(crate) fn get(&self, sha256: &str) -> StoreResult<Vec<u8>> {
        let path = self.path(sha256);
        let bytes = std::fs::read(&path).map_err(|e| StoreError::Evidence {
            path: path.clone(),
            reason: format!("cannot be read: {e}"),
        })?;
        let actual = sha256_hex(&bytes);
        if actual != sha256 {
            return Err(StoreError::Evidence {
                path,
                reason: format!(
                    "its content has changed (SHA-256 is now {actual}, expected {sha256})"
                ),
            });
        }
        Ok(bytes)
    }
}

fn write_verified(path: &Path, sha256: &str, source: &mut dyn Read) -> StoreResult<()> {
    let io = |what: &str| StoreError::io(format!("{what} {}", path.display()));
    let mut file = std::fs::File::create(path).map_err(io("cannot create"))?;
    let mut hasher = StreamingSha256::default();
    let mut bounded = Bounded::new(source, MAX_EVIDENCE_BYTES);
    copy_hashing(&mut bounded, &mut hasher, &mut file).map_err(|error| {
        match LimitExceeded::in_error(&error) {
            Some(_) => StoreError::Invalid(format!(
                "evidence {sha256} is larger than the limit of {MAX_EVIDENCE_BYTES} bytes"
            )),
            None => StoreError::Io {
                context: format!("cannot copy the evidence into {}", path.display()),
                source: error,
            },
        }
    })?;
    file.sync_all().map_err(io("cannot flush"))?;
    let actual = hasher.finish_hex();
    if actual != sha256 {
        return Err(StoreError::Invalid(format!(
            "evidence bytes hash to {actual}, not to the recorded {sha256}: the source is damaged"
        )));
    }
    Ok(())
}

/// A new evidence file, as a caller hands it in. The bytes are owned so that hashing and
/// writing them can run on a blocking thread, away from the async executor.
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

impl Store {
    /// Stores the bytes (content-addressed) and records the file against the organization.
    pub async fn add_evidence(
        &self,
        actor: &Actor,
        evidence: NewEvidence<'_>,
    ) -> StoreResult<EvidenceRecord> {
        let size = evidence.bytes.len() as u64;
        if size > MAX_EVIDENCE_BYTES {
            return Err(StoreError::Invalid(format!(
                "evidence file `{}` is larger than the limit of {MAX_EVIDENCE_BYTES} bytes",
                evidence.file_name
            )));
        }
        if evidence.file_name.trim().is_empty() {
            return Err(StoreError::Invalid(
                "an evidence file needs a name".to_string(),
            ));
        }
        let folder = self.evidence.clone();
        let bytes = evidence.bytes;
        let sha256 = off_executor(move || {
            let sha256 = sha256_hex(&bytes);
            folder.put(&sha256, &bytes)?;
            Ok(sha256)
        })
        .await?;
        self.write(actor, async |tx, now| {
            let row = EvidenceRow {
                id: Uuid::now_v7(),
                organization_id: evidence.organization_id,
                answer_id: evidence.answer_id,
                file_name: evidence.file_name.to_string(),
                media_type: evidence.media_type.to_string(),
                size_bytes: i64::try_from(size).map_err(|_| {
                    StoreError::Invalid(format!("evidence of {size} bytes cannot be stored"))
                })?,
                sha256,
                created_at: now,
                created_by: actor.to_string(),
            };
            row.insert(tx).await?;
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
        let row = self
            .read(async |tx| Ok(fetch_optional!(tx, EvidenceRow, SELECT_BY_ID, id)?))
            .await?
            .ok_or_else(|| StoreError::not_found(Entity::Evidence, id))?;
        let record = row.into_record()?;
        let folder = self.evidence.clone();
        let sha256 = record.sha256.clone();
        let bytes = off_executor(move || folder.get(&sha256)).await?;
        Ok((record, bytes))
    }

    pub(crate) fn evidence_folder(&self) -> &EvidenceFolder {
        &self.evidence
    }
}
