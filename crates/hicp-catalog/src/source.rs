//! Finding a catalog's source files: the embedded edition, a directory laid out like
//! `content/`, or one JSON file in the export schema.

use std::path::Path;

use hicp_input::{Problem, ReadError, read_text};

use crate::error::CatalogError;

/// What a source file holds, which decides how it is decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SourceKind {
    Edition,
    Threats,
    Practice,
    CsfMap,
    Csf2,
    Hipaa,
    Cpg,
    /// A whole catalog in the JSON export schema.
    Json,
}

#[derive(Debug, Clone)]
pub(crate) struct SourceFile {
    /// The name errors are reported against.
    pub name: String,
    pub kind: SourceKind,
    pub text: String,
}

/// The files of a catalog directory other than the practices, by relative path.
const FIXED_FILES: [(&str, SourceKind); 6] = [
    ("catalog.toml", SourceKind::Edition),
    ("threats.toml", SourceKind::Threats),
    ("crosswalks/csf11-to-csf2.toml", SourceKind::CsfMap),
    ("crosswalks/csf2.toml", SourceKind::Csf2),
    ("crosswalks/hipaa-to-csf2.toml", SourceKind::Hipaa),
    ("crosswalks/hph-cpg.toml", SourceKind::Cpg),
];

/// Catalog files are a few hundred kilobytes; anything far larger is not a catalog.
pub(crate) const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// How read errors name a catalog file.
const FILE: &str = "the catalog file";

macro_rules! embedded {
    ($($name:literal => $kind:ident),* $(,)?) => {
        vec![$(SourceFile {
            name: $name.to_string(),
            kind: SourceKind::$kind,
            text: include_str!(concat!("../../../content/", $name)).to_string(),
        }),*]
    };
}

/// The default edition, compiled in from the repository's `content/`.
pub(crate) fn embedded() -> Vec<SourceFile> {
    embedded!(
        "catalog.toml" => Edition,
        "threats.toml" => Threats,
        "practices/01-email.toml" => Practice,
        "practices/02-endpoints.toml" => Practice,
        "practices/03-identity-access.toml" => Practice,
        "practices/04-data-protection.toml" => Practice,
        "practices/05-asset-management.toml" => Practice,
        "practices/06-network.toml" => Practice,
        "practices/07-vulnerability.toml" => Practice,
        "practices/08-security-operations.toml" => Practice,
        "practices/09-medical-devices.toml" => Practice,
        "practices/10-governance.toml" => Practice,
        "crosswalks/csf11-to-csf2.toml" => CsfMap,
        "crosswalks/csf2.toml" => Csf2,
        "crosswalks/hipaa-to-csf2.toml" => Hipaa,
        "crosswalks/hph-cpg.toml" => Cpg,
    )
}

/// The sources at `path`: a catalog directory, its `catalog.toml`, or a JSON export.
/// Files that are missing, too large or not UTF-8 are returned as `problems`, so they are reported
/// with the rest; a file that cannot be opened at all is an error.
pub(crate) fn read_path(path: &Path) -> Result<Found, CatalogError> {
    let metadata = std::fs::metadata(path).map_err(|source| io_error(path, source))?;
    if metadata.is_dir() {
        return read_dir(path);
    }
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if extension.eq_ignore_ascii_case("json") {
        let mut found = Found::default();
        found.read(path, SourceKind::Json)?;
        return Ok(found);
    }
    if path.file_name().is_some_and(|name| name == "catalog.toml")
        && let Some(dir) = path.parent()
    {
        return read_dir(if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        });
    }
    Err(CatalogError::NotACatalog {
        path: path.to_path_buf(),
    })
}

/// What was found at a path.
#[derive(Debug, Default)]
pub(crate) struct Found {
    pub files: Vec<SourceFile>,
    /// Files that are missing or could not be used as text, each named.
    pub problems: Vec<Problem>,
    /// Whether a file that exists could not be read as text (too large, not UTF-8).
    pub unreadable: bool,
}

impl Found {
    /// Reads one file within [`MAX_FILE_BYTES`] (checked before reading and while reading).
    fn read(&mut self, path: &Path, kind: SourceKind) -> Result<(), CatalogError> {
        let name = path.display().to_string();
        match read_text(path, MAX_FILE_BYTES, FILE) {
            Ok(text) => self.files.push(SourceFile { name, kind, text }),
            Err(ReadError::TooLarge { size, limit, .. }) => {
                self.unreadable = true;
                let size = size.map_or_else(|| "larger".to_string(), |s| format!("{s} bytes"));
                self.problems.push(Problem::whole(
                    name,
                    format!(
                        "{size} is more than the {limit} bytes a catalog file may have; check that this is the right file"
                    ),
                ));
            }
            Err(ReadError::NotUtf8 { at, .. }) => {
                self.unreadable = true;
                self.problems.push(Problem::at(
                    name,
                    Some(at),
                    "",
                    "not UTF-8 text (an invalid byte here); save the file as UTF-8",
                ));
            }
            Err(error) => return Err(error.into()),
        }
        Ok(())
    }

    fn missing(&mut self, path: &Path) {
        self.problems.push(Problem::whole(
            path.display().to_string(),
            "missing: a catalog directory needs catalog.toml, threats.toml, practices/*.toml and the four crosswalks/*.toml files (see docs/catalog.md)",
        ));
    }
}

fn io_error(path: &Path, error: std::io::Error) -> CatalogError {
    CatalogError::Read(ReadError::Io {
        what: FILE,
        path: path.to_path_buf(),
        error,
    })
}

fn read_dir(dir: &Path) -> Result<Found, CatalogError> {
    let mut found = Found::default();
    for (relative, kind) in FIXED_FILES {
        let path = dir.join(relative);
        if path.is_file() {
            found.read(&path, kind)?;
        } else {
            found.missing(&path);
        }
    }
    let practices_dir = dir.join("practices");
    if !practices_dir.is_dir() {
        found.missing(&practices_dir);
        return Ok(found);
    }
    let io = |source| io_error(&practices_dir, source);
    let mut practice_files = Vec::new();
    for entry in std::fs::read_dir(&practices_dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.extension().is_some_and(|e| e == "toml") && path.is_file() {
            practice_files.push(path);
        }
    }
    practice_files.sort();
    for path in practice_files {
        found.read(&path, SourceKind::Practice)?;
    }
    Ok(found)
}
