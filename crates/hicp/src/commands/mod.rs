//! One module per subcommand. Shared plumbing (catalog and database options) lives here.

pub mod assess;
pub mod audit;
pub mod backup;
pub mod catalog;
pub mod org;
pub mod report;

use std::path::{Path, PathBuf};

use anyhow::Context;
use hicp_catalog::Catalog;

/// `--catalog PATH`, shared by every command that reads the catalog.
#[derive(clap::Args, Debug, Clone)]
pub struct CatalogArg {
    /// Catalog directory (laid out like `content/`) or exported JSON file; default: the embedded edition.
    #[arg(long, value_name = "PATH", env = "HICP_CATALOG")]
    pub catalog: Option<PathBuf>,
}

impl CatalogArg {
    pub fn load(&self) -> anyhow::Result<Catalog> {
        load_catalog(self.catalog.as_deref())
    }
}

pub fn load_catalog(path: Option<&Path>) -> anyhow::Result<Catalog> {
    match path {
        Some(path) => Catalog::load_path(path)
            .with_context(|| format!("loading the catalog from {}", path.display())),
        None => Catalog::embedded().context("loading the embedded catalog"),
    }
}
