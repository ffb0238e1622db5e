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

/// `--database-url`, shared by every command that uses the database.
#[derive(clap::Args, Debug, Clone)]
pub struct DatabaseArg {
    /// Database: sqlite://PATH or postgres://USER@HOST:PORT/NAME; default: hicp.sqlite3 in the
    /// data directory ($HICP_DATA_DIR, else $XDG_DATA_HOME/hicp, else ~/.local/share/hicp).
    #[arg(long, value_name = "URL", env = "HICP_DATABASE_URL", global = true)]
    pub database_url: Option<String>,
}

impl DatabaseArg {
    /// The URL given, or the default SQLite file.
    pub fn url(&self) -> anyhow::Result<String> {
        match &self.database_url {
            Some(url) => Ok(url.clone()),
            None => Ok(hicp_store::default_database_url()?),
        }
    }

    /// Opens the database and brings its schema up to date; stops with the reason otherwise.
    pub async fn open(&self) -> anyhow::Result<hicp_store::Store> {
        let url = self.url()?;
        Ok(hicp_store::Store::open(&url).await?)
    }
}

/// Runs a database command's async body on a runtime made for it.
pub fn block_on<F: std::future::Future>(future: F) -> anyhow::Result<F::Output> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    Ok(runtime.block_on(future))
}

/// Who the audit trail names for changes made from the command line.
pub fn cli_actor() -> String {
    let user = std::env::var("USER")
        .ok()
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "unknown".to_string());
    format!("cli:{user}")
}
