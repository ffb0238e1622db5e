//! One module per subcommand; the options several commands share live here. A command parses
//! its arguments, calls `hicp-app` (or the store, for plain store operations) and prints.

pub mod assess;
pub mod audit;
pub mod backup;
pub mod catalog;
pub mod evidence;
pub mod import;
pub mod org;
pub mod report;
pub mod serve;
pub mod user;

use std::path::PathBuf;

use hicp_app::Planning;
use hicp_catalog::Catalog;
use hicp_engine::Methodology;
use hicp_store::Actor;
use time::Date;

/// `--catalog PATH`, shared by every command that reads the catalog.
#[derive(clap::Args, Debug, Clone)]
pub struct CatalogArg {
    /// Catalog directory (laid out like `content/`) or exported JSON file; default: the embedded edition.
    #[arg(long, value_name = "PATH", env = "HICP_CATALOG")]
    pub catalog: Option<PathBuf>,
}

impl CatalogArg {
    pub fn load(&self) -> anyhow::Result<Catalog> {
        Ok(hicp_app::inputs::load_catalog(self.catalog.as_deref())?)
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
    /// Opens the database and brings its schema up to date; stops with the reason otherwise.
    pub async fn open(&self) -> anyhow::Result<hicp_store::Store> {
        let url = match &self.database_url {
            Some(url) => url.clone(),
            None => hicp_store::default_database_url()?,
        };
        Ok(hicp_store::Store::open(&url).await?)
    }

    /// Opens the store, does `work` with it, and closes it (waiting for running queries)
    /// whether the work succeeded or not.
    pub async fn with_store<T>(
        &self,
        work: impl AsyncFnOnce(&hicp_store::Store) -> anyhow::Result<T>,
    ) -> anyhow::Result<T> {
        let store = self.open().await?;
        let result = work(&store).await;
        store.close().await;
        result
    }
}

/// What to evaluate, one definition for `hicp assess` and `hicp report`: an assessment file, or
/// an organization kept in the database.
#[derive(clap::Args, Debug)]
pub struct SourceArgs {
    /// Assessment file (TOML; every key is described in docs/assessment-format.md).
    #[arg(required_unless_present = "org", conflicts_with = "org")]
    pub file: Option<PathBuf>,
    /// An organization kept in the database (id or exact name) instead of a file; its reports
    /// and summary include the metrics of its imported scans and inventories.
    #[arg(long, value_name = "ORG")]
    pub org: Option<String>,
    /// With --org: the assessment to evaluate (its UUID); default: the latest.
    #[arg(long, value_name = "ID", requires = "org")]
    pub assessment: Option<uuid::Uuid>,
    #[command(flatten)]
    pub database: DatabaseArg,
}

impl SourceArgs {
    pub async fn evaluate(
        &self,
        catalog: &Catalog,
        planning: &PlanningArgs,
    ) -> anyhow::Result<hicp_app::Evaluated> {
        let methodology = planning.methodology()?;
        let plan = planning.planning();
        match (&self.file, &self.org) {
            (Some(file), _) => Ok(hicp_app::evaluation::evaluate_file(
                file,
                catalog,
                methodology,
                plan,
                today(),
            )?),
            (None, Some(org)) => {
                self.database
                    .with_store(async |store| {
                        Ok(hicp_app::evaluation::evaluate_stored(
                            store,
                            catalog,
                            org,
                            self.assessment,
                            methodology,
                            plan,
                            today(),
                        )
                        .await?)
                    })
                    .await
            }
            (None, None) => anyhow::bail!("give an assessment FILE or --org ORG"),
        }
    }
}

/// The planning flags, one definition for `hicp assess` and `hicp report`.
#[derive(clap::Args, Debug, Clone)]
pub struct PlanningArgs {
    /// Money available per plan period, in US dollars (e.g. 150000 or 150,000); default: no limit.
    #[arg(long, value_name = "DOLLARS", value_parser = parse_dollars)]
    pub budget: Option<u64>,
    /// Staff-days available per plan period; default: no limit.
    #[arg(long, value_name = "N")]
    pub staff_days: Option<u32>,
    /// Number of plan periods (quarters by default) before the rest is deferred; default: the
    /// methodology's (8).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=40))]
    pub periods: Option<u32>,
    /// The assessment date, from which the plan and the 12-month view are counted; default: today (UTC).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub as_of: Option<Date>,
    /// A methodology override (TOML); keys left out keep hicp's defaults (docs/methodology.md).
    #[arg(long, value_name = "FILE")]
    pub methodology: Option<PathBuf>,
}

impl PlanningArgs {
    pub fn planning(&self) -> Planning {
        Planning {
            as_of: self.as_of,
            budget: self.budget,
            staff_days: self.staff_days,
            periods: self.periods,
        }
    }

    pub fn methodology(&self) -> anyhow::Result<Methodology> {
        Ok(hicp_app::inputs::load_methodology(
            self.methodology.as_deref(),
        )?)
    }
}

pub fn parse_dollars(text: &str) -> Result<u64, String> {
    let cleaned: String = text
        .trim()
        .trim_start_matches('$')
        .chars()
        .filter(|c| *c != ',' && *c != '_')
        .collect();
    cleaned
        .parse()
        .map_err(|_| format!("`{text}` is not a whole number of dollars, e.g. 150000"))
}

pub fn parse_date(text: &str) -> Result<Date, String> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text.trim(), &format)
        .map_err(|_| format!("`{text}` is not a date: use YYYY-MM-DD, e.g. 2027-01-15"))
}

/// Today in UTC: the command line's clock.
pub fn today() -> Date {
    time::OffsetDateTime::now_utc().date()
}

/// The person at this terminal, as the audit trail names changes made from the command line.
pub fn local_actor() -> Actor {
    let os_user = std::env::var("USER")
        .ok()
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "unknown".to_string());
    Actor::Local { os_user }
}
