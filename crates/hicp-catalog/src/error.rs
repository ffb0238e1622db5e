use std::path::PathBuf;

use hicp_input::{Problem, Problems, ReadError};

/// What [`Problems::what`] says of a catalog, in "the catalog has 3 problems".
pub(crate) const WHAT: &str = "the catalog";

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// A catalog file or directory could not be opened or listed.
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error(
        "{path} is not a catalog: give a directory laid out like `content/` (with catalog.toml) or a .json catalog export"
    )]
    NotACatalog { path: PathBuf },
    /// The catalog was read but cannot be used: every problem, in file and line order.
    #[error(transparent)]
    Invalid(Problems),
}

impl CatalogError {
    /// The located problems, when the catalog was read but is not valid.
    pub fn problems(&self) -> &[Problem] {
        match self {
            CatalogError::Invalid(problems) => &problems.problems,
            CatalogError::Read(_) | CatalogError::NotACatalog { .. } => &[],
        }
    }
}
