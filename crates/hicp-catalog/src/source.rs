//! Finding a catalog's source files: the embedded edition, a directory laid out like
//! `content/`, or one JSON file in the export schema.

use std::path::Path;

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
const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

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
/// Files missing from a directory are returned as `missing` so they are reported with the rest.
pub(crate) fn read_path(path: &Path) -> Result<Found, CatalogError> {
    let metadata = std::fs::metadata(path).map_err(|source| CatalogError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    if metadata.is_dir() {
        return read_dir(path);
    }
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if extension.eq_ignore_ascii_case("json") {
        return Ok(Found {
            files: vec![read_file(path, SourceKind::Json)?],
            missing: Vec::new(),
        });
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
#[derive(Debug)]
pub(crate) struct Found {
    pub files: Vec<SourceFile>,
    /// Expected files that do not exist, as the names errors are reported against.
    pub missing: Vec<String>,
}

fn read_dir(dir: &Path) -> Result<Found, CatalogError> {
    let mut found = Found {
        files: Vec::new(),
        missing: Vec::new(),
    };
    for (relative, kind) in FIXED_FILES {
        let path = dir.join(relative);
        if path.is_file() {
            found.files.push(read_file(&path, kind)?);
        } else {
            found.missing.push(path.display().to_string());
        }
    }
    let practices_dir = dir.join("practices");
    if !practices_dir.is_dir() {
        found.missing.push(practices_dir.display().to_string());
        return Ok(found);
    }
    let io = |source| CatalogError::Io {
        path: practices_dir.clone(),
        source,
    };
    let mut practice_files = Vec::new();
    for entry in std::fs::read_dir(&practices_dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.extension().is_some_and(|e| e == "toml") && path.is_file() {
            practice_files.push(path);
        }
    }
    practice_files.sort();
    for path in practice_files {
        found.files.push(read_file(&path, SourceKind::Practice)?);
    }
    Ok(found)
}

fn read_file(path: &Path, kind: SourceKind) -> Result<SourceFile, CatalogError> {
    let io = |source| CatalogError::Io {
        path: path.to_path_buf(),
        source,
    };
    let size = std::fs::metadata(path).map_err(io)?.len();
    if size > MAX_FILE_BYTES {
        return Err(io(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("{size} bytes is far larger than any catalog file (limit {MAX_FILE_BYTES})"),
        )));
    }
    let bytes = std::fs::read(path).map_err(io)?;
    let text = String::from_utf8(bytes).map_err(|e| {
        io(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "not UTF-8 text (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        ))
    })?;
    Ok(SourceFile {
        name: path.display().to_string(),
        kind,
        text,
    })
}
