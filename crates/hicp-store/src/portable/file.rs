//! The portable file on disk: a ZIP archive holding `manifest.json`, one JSON part per table
//! under `data/`, and evidence bytes under `evidence/<sha256>`. The manifest lists every other
//! entry with its size and SHA-256; a file whose entries do not match it is refused whole.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use hicp_input::{Bounded, LimitExceeded};

use super::dataset::{Dataset, EncodedPart};
use crate::db::Backend;
use crate::digest::{StreamingSha256, copy_hashing, is_sha256_hex, sha256_hex};
use crate::error::{StoreError, StoreResult};
use crate::evidence::MAX_EVIDENCE_BYTES;

pub const FORMAT: &str = "hicp-portable";
/// The version this build writes. Version 1 files (before evidence imports, assessment
/// snapshots and session use times) and version 2 files (before suggestion decisions) still
/// read.
pub const FORMAT_VERSION: u32 = 3;
pub(crate) const MANIFEST_PATH: &str = "manifest.json";
const EVIDENCE_DIR: &str = "evidence/";

/// Bounds on what a portable file may hold, so a hostile or damaged file (a zip bomb, a
/// million tiny entries) is refused before it exhausts memory or disk. Sizes are of the
/// decompressed bytes and are enforced while reading, not taken from the archive's claims.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortableLimits {
    /// The file itself, checked before it is opened.
    pub max_file_bytes: u64,
    /// Entries in the archive.
    pub max_entries: usize,
    /// `manifest.json`.
    pub max_manifest_bytes: u64,
    /// One data part (`data/<table>.json`), which is held in memory to be parsed.
    pub max_part_bytes: u64,
    /// One evidence entry (streamed, never held whole).
    pub max_evidence_bytes: u64,
    /// Every entry together.
    pub max_total_bytes: u64,
}

impl Default for PortableLimits {
    fn default() -> PortableLimits {
        const MIB: u64 = 1024 * 1024;
        PortableLimits {
            max_file_bytes: 8 * 1024 * MIB,
            max_entries: 100_000,
            max_manifest_bytes: 16 * MIB,
            max_part_bytes: 1024 * MIB,
            max_evidence_bytes: MAX_EVIDENCE_BYTES,
            max_total_bytes: 16 * 1024 * MIB,
        }
    }
}

/// The decompressed bytes still allowed for the rest of the file.
struct Budget {
    remaining: u64,
    total: u64,
}

impl Budget {
    /// A reader over `entry` that fails on the read passing `entry_limit` or the file's total,
    /// whichever comes first.
    fn bound<R: Read>(&self, entry: R, entry_limit: u64) -> Bounded<R> {
        Bounded::new(entry, entry_limit.min(self.remaining))
    }

    fn spend(&mut self, bytes: u64) {
        self.remaining = self.remaining.saturating_sub(bytes);
    }

    /// Why a bounded read of part `name` stopped at `limit`.
    fn refusal(&self, path: &Path, name: &str, entry_limit: u64) -> StoreError {
        if entry_limit <= self.remaining {
            refuse(
                path,
                format!(
                    "its part `{name}` decompresses to more than the limit of {entry_limit} bytes for one part; the file is refused unread (it may be a zip bomb)"
                ),
            )
        } else {
            refuse(
                path,
                format!(
                    "its parts decompress to more than the limit of {} bytes in total; the file is refused unread (it may be a zip bomb)",
                    self.total
                ),
            )
        }
    }
}

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// One organization with everything that belongs to it (`hicp org export`).
    Organization,
    /// The whole database (`hicp backup`).
    Backup,
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Kind::Organization => "an organization export",
            Kind::Backup => "a full backup",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub format_version: u32,
    pub kind: Kind,
    /// The database schema version the rows were read from.
    pub schema_version: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Program and version that wrote the file.
    pub producer: String,
    pub source_backend: Backend,
    /// The organization, for [`Kind::Organization`] files.
    pub organization: Option<Uuid>,
    pub parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Part {
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
}

fn refuse(path: &Path, reason: impl Into<String>) -> StoreError {
    StoreError::Portable {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// Writes the file next to its destination and renames it into place, so an interrupted
/// export never leaves a half-written file under the final name.
pub(crate) fn write(
    destination: &Path,
    mut manifest: Manifest,
    dataset: &Dataset,
    evidence: &mut dyn FnMut(&str) -> StoreResult<Vec<u8>>,
) -> StoreResult<Manifest> {
    let directory = destination
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let temporary = directory.join(format!(".hicp-partial-{}", Uuid::now_v7().simple()));
    let result = write_archive(&temporary, &mut manifest, dataset, evidence).and_then(|()| {
        std::fs::rename(&temporary, destination).map_err(StoreError::io(format!(
            "cannot move the finished file to {}",
            destination.display()
        )))
    });
    if result.is_err() {
        // Ours alone; if removal fails only a stray temporary file remains.
        let _ = std::fs::remove_file(&temporary);
    }
    result.map(|()| manifest)
}

fn write_archive(
    path: &Path,
    manifest: &mut Manifest,
    dataset: &Dataset,
    evidence: &mut dyn FnMut(&str) -> StoreResult<Vec<u8>>,
) -> StoreResult<()> {
    let zip_error = |e: zip::result::ZipError| refuse(path, format!("cannot write: {e}"));
    let file =
        File::create(path).map_err(StoreError::io(format!("cannot create {}", path.display())))?;
    let mut zip = ZipWriter::new(file);
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .large_file(true);
    let mut add = |zip: &mut ZipWriter<File>, part_path: String, bytes: &[u8]| -> StoreResult<()> {
        zip.start_file(part_path.as_str(), options)
            .map_err(zip_error)?;
        zip.write_all(bytes)
            .map_err(StoreError::io(format!("cannot write {}", path.display())))?;
        manifest.parts.push(Part {
            path: part_path,
            bytes: bytes.len() as u64,
            sha256: sha256_hex(bytes),
        });
        Ok(())
    };
    for EncodedPart {
        path: part_path,
        bytes,
    } in dataset.encode()?
    {
        add(&mut zip, part_path, &bytes)?;
    }
    for sha256 in dataset.evidence_hashes() {
        let bytes = evidence(&sha256)?;
        add(&mut zip, format!("{EVIDENCE_DIR}{sha256}"), &bytes)?;
    }
    let manifest_bytes = serde_json::to_vec_pretty(&*manifest)
        .map_err(|e| StoreError::Invalid(format!("cannot encode the manifest: {e}")))?;
    zip.start_file(MANIFEST_PATH, options).map_err(zip_error)?;
    zip.write_all(&manifest_bytes)
        .map_err(StoreError::io(format!("cannot write {}", path.display())))?;
    let file = zip.finish().map_err(zip_error)?;
    file.sync_all()
        .map_err(StoreError::io(format!("cannot flush {}", path.display())))
}

/// A file whose every part has been checked against the manifest.
pub(crate) struct VerifiedFile {
    path: PathBuf,
    pub manifest: Manifest,
    pub dataset: Dataset,
    /// Shared with the blocking tasks that read evidence entries during the load.
    archive: Arc<Mutex<ZipArchive<File>>>,
}

fn damaged(path: &Path, name: &str, error: impl std::fmt::Display) -> StoreError {
    refuse(
        path,
        format!("its part `{name}` cannot be read ({error}); the file is damaged or truncated"),
    )
}

/// Reads one entry whole, bounded by `limit` and by what is left of the file's budget.
fn read_entry(
    archive: &mut ZipArchive<File>,
    budget: &mut Budget,
    file_path: &Path,
    name: &str,
    limit: u64,
) -> StoreResult<Vec<u8>> {
    let entry = archive
        .by_name(name)
        .map_err(|e| damaged(file_path, name, e))?;
    let mut reader = budget.bound(entry, limit);
    let mut bytes = Vec::new();
    let outcome = reader.read_to_end(&mut bytes);
    budget.spend(reader.consumed());
    outcome.map_err(|e| match LimitExceeded::in_error(&e) {
        Some(_) => budget.refusal(file_path, name, limit),
        None => damaged(file_path, name, e),
    })?;
    Ok(bytes)
}

/// Opens a portable file and verifies it completely before anything is written anywhere.
pub(crate) fn read(path: &Path, limits: &PortableLimits) -> StoreResult<VerifiedFile> {
    let size = std::fs::metadata(path)
        .map_err(|e| refuse(path, format!("cannot be opened: {e}")))?
        .len();
    if size > limits.max_file_bytes {
        return Err(refuse(
            path,
            format!(
                "is {size} bytes, more than the limit of {} bytes for a portable file",
                limits.max_file_bytes
            ),
        ));
    }
    let file = File::open(path).map_err(|e| refuse(path, format!("cannot be opened: {e}")))?;
    let mut archive = ZipArchive::new(file).map_err(|e| {
        refuse(
            path,
            format!("is not an hicp portable file, or it is damaged or truncated: {e}"),
        )
    })?;
    if archive.len() > limits.max_entries {
        return Err(refuse(
            path,
            format!(
                "holds {} entries, more than the limit of {}; it is not a file hicp wrote",
                archive.len(),
                limits.max_entries
            ),
        ));
    }
    let mut budget = Budget {
        remaining: limits.max_total_bytes,
        total: limits.max_total_bytes,
    };
    let mut names = BTreeSet::new();
    for index in 0..archive.len() {
        let entry = archive.by_index(index).map_err(|e| {
            refuse(
                path,
                format!("is damaged: entry {index} cannot be read ({e})"),
            )
        })?;
        let name = entry
            .name()
            .map_err(|e| {
                refuse(
                    path,
                    format!("is damaged: entry {index} has an unreadable name ({e})"),
                )
            })?
            .into_owned();
        names.insert(name);
    }
    if !names.contains(MANIFEST_PATH) {
        return Err(refuse(
            path,
            "is not an hicp portable file: it has no manifest.json",
        ));
    }
    let manifest_bytes = read_entry(
        &mut archive,
        &mut budget,
        path,
        MANIFEST_PATH,
        limits.max_manifest_bytes,
    )?;
    let manifest = parse_manifest(path, &manifest_bytes)?;

    let listed: BTreeMap<&str, &Part> = manifest
        .parts
        .iter()
        .map(|part| (part.path.as_str(), part))
        .collect();
    if listed.len() != manifest.parts.len() {
        return Err(refuse(path, "its manifest lists a part twice"));
    }
    for name in &names {
        if name != MANIFEST_PATH && !listed.contains_key(name.as_str()) {
            return Err(refuse(
                path,
                format!(
                    "it holds `{name}`, which its manifest does not list; the file was altered"
                ),
            ));
        }
    }
    for required in Dataset::part_paths(manifest.format_version) {
        if !listed.contains_key(required.as_str()) {
            return Err(refuse(
                path,
                format!("its manifest does not list the required part `{required}`"),
            ));
        }
    }
    for part in &manifest.parts {
        if !names.contains(&part.path) {
            return Err(refuse(
                path,
                format!(
                    "its part `{}` is missing; the file is truncated or was altered",
                    part.path
                ),
            ));
        }
        if !is_sha256_hex(&part.sha256) {
            return Err(refuse(
                path,
                format!(
                    "its manifest gives `{}` for part `{}`, which is not a SHA-256",
                    part.sha256, part.path
                ),
            ));
        }
    }

    let mut data_parts = BTreeMap::new();
    for part in &manifest.parts {
        if let Some(hash) = part.path.strip_prefix(EVIDENCE_DIR) {
            if hash != part.sha256 {
                return Err(refuse(
                    path,
                    format!("evidence part `{}` is not named by its SHA-256", part.path),
                ));
            }
            verify_streamed(&mut archive, &mut budget, path, part, limits)?;
        } else {
            let bytes = read_entry(
                &mut archive,
                &mut budget,
                path,
                &part.path,
                limits.max_part_bytes,
            )?;
            check_part(path, part, &bytes)?;
            data_parts.insert(part.path.clone(), bytes);
        }
    }
    let dataset = Dataset::decode(manifest.format_version, &mut |part_path| {
        data_parts
            .remove(part_path)
            .ok_or_else(|| refuse(path, format!("its part `{part_path}` is not a data part")))
    })
    .map_err(|error| match error {
        StoreError::Invalid(reason) => refuse(path, reason),
        other => other,
    })?;
    for sha256 in dataset.evidence_hashes() {
        if !listed.contains_key(format!("{EVIDENCE_DIR}{sha256}").as_str()) {
            return Err(refuse(
                path,
                format!("it records evidence {sha256} but does not carry its bytes"),
            ));
        }
    }
    Ok(VerifiedFile {
        path: path.to_path_buf(),
        manifest,
        dataset,
        archive: Arc::new(Mutex::new(archive)),
    })
}

fn parse_manifest(path: &Path, bytes: &[u8]) -> StoreResult<Manifest> {
    // Look at the format marker first so a foreign ZIP gets a plain answer.
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        refuse(
            path,
            format!("is not an hicp portable file: manifest.json is not JSON ({e})"),
        )
    })?;
    let format = value.get("format").and_then(serde_json::Value::as_str);
    if format != Some(FORMAT) {
        return Err(refuse(
            path,
            format!(
                "is not an hicp portable file: its manifest's format is {}, expected `{FORMAT}`",
                format.map_or_else(|| "missing".to_string(), |f| format!("`{f}`"))
            ),
        ));
    }
    let version = value
        .get("format_version")
        .and_then(serde_json::Value::as_u64);
    match version {
        Some(v) if (1..=u64::from(FORMAT_VERSION)).contains(&v) => {}
        Some(v) if v > u64::from(FORMAT_VERSION) => {
            return Err(refuse(
                path,
                format!(
                    "was written in portable format version {v}; this hicp reads version {FORMAT_VERSION}: upgrade hicp"
                ),
            ));
        }
        other => {
            return Err(refuse(
                path,
                format!("has an unknown portable format version {other:?}"),
            ));
        }
    }
    serde_json::from_value(value)
        .map_err(|e| refuse(path, format!("its manifest is not valid: {e}")))
}

fn check_part(path: &Path, part: &Part, bytes: &[u8]) -> StoreResult<()> {
    if bytes.len() as u64 != part.bytes {
        return Err(refuse(
            path,
            format!(
                "its part `{}` has {} bytes where the manifest says {}; the file is damaged",
                part.path,
                bytes.len(),
                part.bytes
            ),
        ));
    }
    let actual = sha256_hex(bytes);
    if actual != part.sha256 {
        return Err(refuse(
            path,
            format!(
                "its part `{}` does not match its SHA-256 in the manifest; the file is damaged or was altered",
                part.path
            ),
        ));
    }
    Ok(())
}

fn verify_streamed(
    archive: &mut ZipArchive<File>,
    budget: &mut Budget,
    path: &Path,
    part: &Part,
    limits: &PortableLimits,
) -> StoreResult<()> {
    let entry = archive
        .by_name(&part.path)
        .map_err(|e| damaged(path, &part.path, e))?;
    let mut reader = budget.bound(entry, limits.max_evidence_bytes);
    let mut hasher = StreamingSha256::default();
    let outcome = copy_hashing(&mut reader, &mut hasher, &mut std::io::sink());
    budget.spend(reader.consumed());
    let total = outcome.map_err(|e| match LimitExceeded::in_error(&e) {
        Some(_) => budget.refusal(path, &part.path, limits.max_evidence_bytes),
        None => damaged(path, &part.path, e),
    })?;
    if total != part.bytes || hasher.finish_hex() != part.sha256 {
        return Err(refuse(
            path,
            format!(
                "its part `{}` does not match its size and SHA-256 in the manifest; the file is damaged or was altered",
                part.path
            ),
        ));
    }
    Ok(())
}

impl VerifiedFile {
    /// The bytes of evidence `sha256`, verified again on the way out (the file was checked
    /// once already; the bound keeps a file changed since from growing). Reads on a blocking
    /// thread.
    pub(crate) async fn evidence_bytes(&self, sha256: &str) -> StoreResult<Vec<u8>> {
        let archive = Arc::clone(&self.archive);
        let path = self.path.clone();
        let name = format!("{EVIDENCE_DIR}{sha256}");
        let expected = sha256.to_string();
        crate::off_executor(move || {
            let mut archive = archive
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            let entry = archive
                .by_name(&name)
                .map_err(|e| damaged(&path, &name, e))?;
            let mut bytes = Vec::new();
            Bounded::new(entry, MAX_EVIDENCE_BYTES)
                .read_to_end(&mut bytes)
                .map_err(|e| damaged(&path, &name, e))?;
            if sha256_hex(&bytes) != expected {
                return Err(refuse(
                    &path,
                    format!("its part `{name}` changed while it was being read"),
                ));
            }
            Ok(bytes)
        })
        .await
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}
