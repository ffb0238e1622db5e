//! The portable file on disk: a ZIP archive holding `manifest.json`, one JSON part per table
//! under `data/`, and evidence bytes under `evidence/<sha256>`. The manifest lists every other
//! entry with its size and SHA-256; a file whose entries do not match it is refused whole.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use super::dataset::{Dataset, EncodedPart};
use crate::db::Backend;
use crate::digest::{StreamingSha256, is_sha256_hex, sha256_hex};
use crate::error::{StoreError, StoreResult};
use crate::evidence::{EvidenceFolder, MAX_EVIDENCE_BYTES};

pub const FORMAT: &str = "hicp-portable";
pub const FORMAT_VERSION: u32 = 1;
pub(crate) const MANIFEST_PATH: &str = "manifest.json";
const EVIDENCE_DIR: &str = "evidence/";
/// Upper bounds that keep a hostile file from exhausting memory.
const MAX_MANIFEST_BYTES: u64 = 16 * 1024 * 1024;
const MAX_PART_BYTES: u64 = 2 * 1024 * 1024 * 1024;

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// One organization with everything that belongs to it (`hicp org export`).
    Organization,
    /// The whole database (`hicp backup`).
    Backup,
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
    evidence: &EvidenceFolder,
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
    evidence: &EvidenceFolder,
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
        let bytes = evidence.get(&sha256)?;
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
    archive: ZipArchive<File>,
}

fn read_entry(
    archive: &mut ZipArchive<File>,
    file_path: &Path,
    name: &str,
    limit: u64,
) -> StoreResult<Vec<u8>> {
    let entry = archive.by_name(name).map_err(|e| {
        refuse(
            file_path,
            format!("its part `{name}` cannot be read ({e}); the file is damaged or truncated"),
        )
    })?;
    if entry.size() > limit {
        return Err(refuse(
            file_path,
            format!("its part `{name}` is larger than the limit of {limit} bytes"),
        ));
    }
    // The declared size is only a claim: grow as the bytes actually arrive beyond a first chunk.
    let first_chunk = entry.size().min(64 * 1024 * 1024);
    let mut bytes = Vec::with_capacity(usize::try_from(first_chunk).unwrap_or(0));
    entry.take(limit + 1).read_to_end(&mut bytes).map_err(|e| {
        refuse(
            file_path,
            format!("its part `{name}` cannot be read ({e}); the file is damaged or truncated"),
        )
    })?;
    Ok(bytes)
}

/// Opens a portable file and verifies it completely before anything is written anywhere.
pub(crate) fn read(path: &Path) -> StoreResult<VerifiedFile> {
    let file = File::open(path).map_err(|e| refuse(path, format!("cannot be opened: {e}")))?;
    let mut archive = ZipArchive::new(file).map_err(|e| {
        refuse(
            path,
            format!("is not an hicp portable file, or it is damaged or truncated: {e}"),
        )
    })?;
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
    let manifest_bytes = read_entry(&mut archive, path, MANIFEST_PATH, MAX_MANIFEST_BYTES)?;
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
    for required in Dataset::part_paths() {
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
            verify_streamed(&mut archive, path, part)?;
        } else {
            let bytes = read_entry(&mut archive, path, &part.path, MAX_PART_BYTES)?;
            check_part(path, part, &bytes)?;
            data_parts.insert(part.path.clone(), bytes);
        }
    }
    let dataset = Dataset::decode(&mut |part_path| {
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
        archive,
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
        Some(v) if v == u64::from(FORMAT_VERSION) => {}
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

fn verify_streamed(archive: &mut ZipArchive<File>, path: &Path, part: &Part) -> StoreResult<()> {
    let damaged = |e: std::io::Error| {
        refuse(
            path,
            format!(
                "its part `{}` cannot be read ({e}); the file is damaged or truncated",
                part.path
            ),
        )
    };
    let entry = archive.by_name(&part.path).map_err(|e| {
        refuse(
            path,
            format!(
                "its part `{}` cannot be read ({e}); the file is damaged or truncated",
                part.path
            ),
        )
    })?;
    let mut reader = entry.take(MAX_EVIDENCE_BYTES + 1);
    let mut hasher = StreamingSha256::default();
    let mut buffer = vec![0u8; 64 * 1024];
    let mut total = 0u64;
    loop {
        let read = reader.read(&mut buffer).map_err(damaged)?;
        if read == 0 {
            break;
        }
        total += read as u64;
        hasher.update(&buffer[..read]);
    }
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
    /// Copies the evidence bytes the rows refer to into the evidence folder (verified again on
    /// the way in).
    pub(crate) fn copy_evidence(&mut self, folder: &EvidenceFolder) -> StoreResult<()> {
        for sha256 in self.dataset.evidence_hashes() {
            let name = format!("{EVIDENCE_DIR}{sha256}");
            let entry = self.archive.by_name(&name).map_err(|e| {
                refuse(
                    &self.path,
                    format!("its part `{name}` cannot be read ({e})"),
                )
            })?;
            folder.put_from(&sha256, &mut entry.take(MAX_EVIDENCE_BYTES + 1))?;
        }
        Ok(())
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}
