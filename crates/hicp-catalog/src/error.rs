use std::fmt;
use std::path::PathBuf;

/// One problem in a catalog source, located as precisely as the source allows.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ValidationError {
    /// The source file: relative to the catalog (`practices/07-vulnerability.toml`) for the
    /// embedded edition, the path as given otherwise.
    pub file: String,
    /// 1-based line, where known.
    pub line: Option<usize>,
    /// The field at fault, as a path from the top of the file, e.g. `sub_practices[3].prerequisites[0]`.
    pub field: String,
    pub message: String,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: ", self.file, line)?,
            None => write!(f, "{}: ", self.file)?,
        }
        if !self.field.is_empty() {
            write!(f, "{}: ", self.field)?;
        }
        f.write_str(&self.message)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("cannot read catalog file {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{path} is not a catalog: give a directory laid out like `content/` (with catalog.toml) or a .json catalog export"
    )]
    NotACatalog { path: PathBuf },
    #[error("the catalog has {} error(s):\n{}", .0.len(), .0.iter().map(|e| format!("  {e}")).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<ValidationError>),
}

impl CatalogError {
    /// The located problems, when the catalog was read but is not valid.
    pub fn validation_errors(&self) -> &[ValidationError] {
        match self {
            CatalogError::Invalid(errors) => errors,
            CatalogError::Io { .. } | CatalogError::NotACatalog { .. } => &[],
        }
    }
}
