//! Evidence files from the tools an organization already runs, read in one streaming pass
//! each: summarized with no database, or kept for an organization in the store.
//!
//! Reading is blocking file I/O; a face on an async executor runs these functions with
//! `spawn_blocking`.

use std::path::{Path, PathBuf};

use hicp_evidence::{Format, ImportError, KevCatalog, Options, Summary, SummaryBuilder};
use serde::Serialize;

use crate::{AppError, AppResult};

/// One file that was read in full.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReadFile {
    pub file: String,
    pub format: Format,
    /// SHA-256 of the bytes: the same file imported twice is recognized by it.
    pub sha256: String,
    pub bytes: u64,
}

/// What `hicp import ... --format json` prints: the normalized summary over every file, and
/// each file's identity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FilesSummary {
    #[serde(flatten)]
    pub summary: Summary,
    pub files: Vec<ReadFile>,
}

/// Called as a file is read: the file, the bytes read so far and the file's size.
pub type ProgressFn<'a> = dyn FnMut(&Path, u64, Option<u64>) + 'a;

/// Loads a CISA KEV catalog from a file (hospitals are often offline, so never from the net).
pub fn load_kev(path: &Path) -> AppResult<KevCatalog> {
    KevCatalog::load(path, Options::default()).map_err(AppError::Evidence)
}

/// Reads every file in `format` and sums them into one summary; KEV matches are counted when
/// a catalog is given. The first unusable file stops the run with its problems.
pub fn summarize_files(
    format: Format,
    paths: &[PathBuf],
    kev: Option<&KevCatalog>,
    progress: &mut ProgressFn<'_>,
) -> AppResult<FilesSummary> {
    let mut builder = SummaryBuilder::new(kev);
    let mut files = Vec::with_capacity(paths.len());
    for path in paths {
        let mut report = |read: u64, total: Option<u64>| progress(path, read, total);
        let options = Options {
            progress: Some(&mut report),
            ..Options::default()
        };
        let imported = hicp_evidence::import_path(format, path, options, &mut |record| {
            builder.add(&record);
            Ok(())
        })
        .map_err(AppError::Evidence)?;
        files.push(ReadFile {
            file: path.display().to_string(),
            format: imported.format,
            sha256: imported.sha256,
            bytes: imported.bytes,
        });
    }
    Ok(FilesSummary {
        summary: builder.summary(),
        files,
    })
}

impl AppError {
    /// The problems of an evidence file the reader refused, where that is the error.
    pub fn evidence_problems(&self) -> Option<&hicp_input::Problems> {
        match self {
            AppError::Evidence(ImportError::Input(problems)) => Some(problems),
            _ => None,
        }
    }
}
