//! What can go wrong in a request, by the layer it came from. Faces match on these to word
//! their own hints (a CLI flag, a link on a page).

use hicp_catalog::CatalogError;
use hicp_input::{Problems, ReadError};
use hicp_report::ReportError;
use hicp_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A file could not be read (missing, too large, not UTF-8).
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error("{}", catalog_message(.0))]
    Catalog(#[from] CatalogError),
    /// The methodology override was read but cannot be used: every problem, located.
    #[error(transparent)]
    Methodology(Problems),
    /// The assessment text was read but cannot be used: every problem, located.
    #[error(transparent)]
    Assessment(Problems),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Report(#[from] ReportError),
    /// A scanner, KEV or inventory file could not be read (its problems say where and why).
    #[error(transparent)]
    Evidence(hicp_evidence::ImportError),
    /// A file of a kind that is not kept per organization.
    #[error("{0}")]
    NotKept(&'static str),
    /// This build leaves the feature out (e.g. PDF without the `pdf` feature).
    #[error("{0}")]
    NotBuilt(&'static str),
    /// Blocking work (typesetting, hashing) stopped before it finished.
    #[error("background work did not finish: {0}")]
    Background(String),
}

impl AppError {
    /// The located problems (file, line, column, key, message, hint) when the error is an
    /// input that was read but cannot be used — a methodology, an assessment or a catalog —
    /// so a face can show them one by one (a list on a page, `application/problem+json`).
    pub fn problems(&self) -> Option<&Problems> {
        match self {
            AppError::Methodology(problems) | AppError::Assessment(problems) => Some(problems),
            AppError::Catalog(CatalogError::Invalid(problems)) => Some(problems),
            _ => None,
        }
    }
}

fn catalog_message(error: &CatalogError) -> String {
    format!("loading the catalog: {error}")
}

pub type AppResult<T> = Result<T, AppError>;
