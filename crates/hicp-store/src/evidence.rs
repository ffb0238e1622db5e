//! Evidence files: metadata in the database, bytes in a content-addressed folder
//! (`<evidence dir>/<sha256>`), verified against their hash every time they are read.
//!
//! Bytes are written before the database row commits. A crash between the two leaves an
//! unreferenced file, never a row without its bytes; files are never changed once written.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use uuid::Uuid;

use crate::Store;
use crate::audit::{self, Change};
use crate::db::{Mode, fetch_optional};
use crate::digest::{StreamingSha256, is_sha256_hex, sha256_hex};
use crate::error::{StoreError, StoreResult};
use crate::rows::EvidenceRow;

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
                    "its content has changed (SHA-256 is now {actual}, expected {sha256}); restore it from a backup"
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
    let mut buffer = vec![0u8; 64 * 1024];
    let mut total = 0u64;
    loop {
        let read = source
            .read(&mut buffer)
            .map_err(io("cannot read the evidence for"))?;
        if read == 0 {
            break;
        }
        total += read as u64;
        if total > MAX_EVIDENCE_BYTES {
            return Err(StoreError::Invalid(format!(
                "evidence {sha256} is larger than the limit of {MAX_EVIDENCE_BYTES} bytes"
            )));
        }
        hasher.update(&buffer[..read]);
        file.write_all(&buffer[..read])
            .map_err(io("cannot write"))?;
    }
    file.sync_all().map_err(io("cannot flush"))?;
    let actual = hasher.finish_hex();
    if actual != sha256 {
        return Err(StoreError::Invalid(format!(
            "evidence bytes hash to {actual}, not to the recorded {sha256}: the source is damaged"
        )));
    }
    Ok(())
}

/// A new evidence file, as a caller hands it in.
#[derive(Debug, Clone)]
pub struct NewEvidence<'a> {
    pub organization_id: Uuid,
    /// The answer it supports, if any.
    pub answer_id: Option<Uuid>,
    pub file_name: &'a str,
    pub media_type: &'a str,
    pub bytes: &'a [u8],
}

impl Store {
    /// Stores the bytes (content-addressed) and records the file against the organization.
    pub async fn add_evidence(
        &self,
        actor: &str,
        evidence: NewEvidence<'_>,
    ) -> StoreResult<EvidenceRow> {
        if evidence.bytes.len() as u64 > MAX_EVIDENCE_BYTES {
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
        let sha256 = sha256_hex(evidence.bytes);
        self.evidence.put(&sha256, evidence.bytes)?;
        let now = self.now();
        let row = EvidenceRow {
            id: Uuid::now_v7(),
            organization_id: evidence.organization_id,
            answer_id: evidence.answer_id,
            file_name: evidence.file_name.to_string(),
            media_type: evidence.media_type.to_string(),
            size_bytes: evidence.bytes.len() as i64,
            sha256,
            created_at: now,
            created_by: actor.to_string(),
        };
        let mut tx = self.db.begin(Mode::Write).await?;
        row.insert(&mut tx).await?;
        let change = Change::new("evidence.added", "evidence", row.id)
            .organization(row.organization_id)
            .after(&row)?;
        audit::record(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(row)
    }

    /// The evidence record and its bytes, verified against the recorded SHA-256.
    pub async fn read_evidence(&self, id: Uuid) -> StoreResult<(EvidenceRow, Vec<u8>)> {
        let mut tx = self.db.begin(Mode::Snapshot).await?;
        let row = fetch_optional!(
            &mut tx,
            EvidenceRow,
            "SELECT id, organization_id, answer_id, file_name, media_type, size_bytes, sha256, created_at, created_by FROM evidence WHERE id = $1",
            id
        )?
        .ok_or_else(|| StoreError::NotFound {
            what: "evidence",
            key: id.to_string(),
        })?;
        tx.commit().await?;
        let bytes = self.evidence.get(&row.sha256)?;
        Ok((row, bytes))
    }

    pub(crate) fn evidence_folder(&self) -> &EvidenceFolder {
        &self.evidence
    }
}
