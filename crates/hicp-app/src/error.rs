//! What can go wrong in a request, by the layer it came from. Faces match on these to word
//! their own hints (a CLI flag, a link on a page).

use hicp_catalog::CatalogError;
use hicp_engine::MethodologyError;
use hicp_engine::input::InputError;
use hicp_input::ReadError;
use hicp_report::ReportError;
use hicp_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A file could not be read (missing, too large, not UTF-8).
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error("{}", catalog_message(.0))]
    Catalog(#[from] CatalogError),
    #[error(transparent)]
    Methodology(#[from] MethodologyError),
    #[error(transparent)]
    Assessment(#[from] InputError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Report(#[from] ReportError),
    /// A scanner, KEV or inventory file could not be read (its problems say where and why).
    #[error(transparent)]
    Evidence(hicp_evidence::ImportError),
    /// This build leaves the feature out (e.g. PDF without the `pdf` feature).
    #[error("{0}")]
    NotBuilt(&'static str),
    /// Blocking work (typesetting, hashing) stopped before it finished.
    #[error("background work did not finish: {0}")]
    Background(String),
}

fn catalog_message(error: &CatalogError) -> String {
    format!("loading the catalog: {error}")
}

pub type AppResult<T> = Result<T, AppError>;
