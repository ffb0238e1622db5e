//! `hicp report`: evaluate an assessment (from a file, or from the database) and write it as a
//! report: HTML, PDF, XLSX, CSV or OSCAL. The renderers live in `hicp-report`; this module only
//! gathers the input and writes the output.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use hicp_catalog::Catalog;
use hicp_engine::input::parse_assessment_with;
use hicp_engine::{Assessment, Budget, EvaluationOptions, Methodology, evaluate};
use hicp_report::ReportInput;
use time::Date;
use uuid::Uuid;

use super::assess::{parse_date, parse_dollars};
use super::{CatalogArg, DatabaseArg, block_on};

#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One self-contained HTML file (inline CSS and charts; prints well).
    Html,
    /// A typeset PDF with embedded fonts, tagged for accessibility.
    Pdf,
    /// A workbook with sheets Summary, Findings, Action Plan and Crosswalk.
    Xlsx,
    /// `findings.csv` and `plan.csv`, written into the directory given by --out.
    Csv,
    /// OSCAL 1.1.2 assessment results (the assessment plan is embedded).
    OscalAr,
    /// OSCAL 1.1.2 assessment plan on its own (the one the assessment results import).
    OscalAp,
    /// OSCAL 1.1.2 plan of action and milestones.
    OscalPoam,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Assessment file (TOML, as for `hicp assess`).
    #[arg(required_unless_present = "org", conflicts_with = "org")]
    pub file: Option<PathBuf>,
    /// Report on an organization kept in the database instead of a file.
    #[arg(long, value_name = "ORG")]
    pub org: Option<String>,
    /// With --org: the assessment to report on (its UUID); default: the latest.
    #[arg(long, value_name = "ID", requires = "org")]
    pub assessment: Option<Uuid>,
    #[command(flatten)]
    pub database: DatabaseArg,
    #[arg(long, value_enum)]
    pub format: Format,
    /// Where to write. For csv, a directory (created if needed) that receives findings.csv and
    /// plan.csv. Text formats (html, oscal-*) go to standard output when --out is left out.
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub catalog: CatalogArg,
    /// How the assessment is named on every page; default: the file name (or the stored label).
    #[arg(long, value_name = "TEXT")]
    pub label: Option<String>,
    /// The assessment date, from which the plan and the 12-month view are counted; default: today (UTC).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub as_of: Option<Date>,
    /// The date printed on the report; default: today (UTC).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub report_date: Option<Date>,
    /// Money available per plan period, in US dollars; default: no limit.
    #[arg(long, value_name = "DOLLARS", value_parser = parse_dollars)]
    pub budget: Option<u64>,
    /// Staff-days available per plan period; default: no limit.
    #[arg(long, value_name = "N")]
    pub staff_days: Option<u32>,
    /// Number of plan periods (quarters) before the rest is deferred; default: the methodology's.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=40))]
    pub periods: Option<u32>,
    /// A methodology override (TOML); keys left out keep hicp's defaults (docs/methodology.md).
    #[arg(long, value_name = "FILE")]
    pub methodology: Option<PathBuf>,
}

/// The assessment to report on, wherever it came from.
struct Source {
    assessment: Assessment,
    label: String,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if args.out.is_none() && matches!(args.format, Format::Pdf | Format::Xlsx | Format::Csv) {
        bail!("--format {} needs --out PATH", format_name(args.format));
    }
    let catalog = args.catalog.load()?;
    let methodology = match &args.methodology {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading the methodology file {}", path.display()))?;
            Methodology::from_toml_str(&text, &path.display().to_string())?
        }
        None => Methodology::default(),
    };
    let source = match (&args.file, &args.org) {
        (Some(file), _) => from_file(file, &catalog, &methodology)?,
        (None, Some(org)) => from_store(&args.database, org, args.assessment)?,
        (None, None) => bail!("give an assessment FILE or --org ORG"),
    };
    let today = time::OffsetDateTime::now_utc().date();
    let options = EvaluationOptions {
        as_of: args.as_of.unwrap_or(today),
        budget: Budget {
            money: args.budget,
            staff_days: args.staff_days,
        },
        periods: args.periods.unwrap_or(methodology.plan.periods),
        methodology,
    };
    let evaluation = evaluate(&catalog, &source.assessment, &options);
    let input = ReportInput {
        catalog: &catalog,
        assessment: &source.assessment,
        evaluation: &evaluation,
        assessment_label: args.label.clone().unwrap_or(source.label),
        generated_on: args.report_date.unwrap_or(today),
    };
    let out = args.out.as_deref();
    match args.format {
        Format::Html => emit(out, hicp_report::html::render(&input).as_bytes())?,
        Format::Pdf => emit(out, &render_pdf(&input)?)?,
        Format::Xlsx => emit(out, &hicp_report::xlsx::render(&input)?)?,
        Format::Csv => {
            let dir = out.context("--format csv needs --out DIRECTORY")?;
            write_csv(dir, &input)?;
        }
        Format::OscalAr => emit(out, &json(&hicp_report::oscal::assessment_results(&input))?)?,
        Format::OscalAp => emit(out, &json(&hicp_report::oscal::assessment_plan(&input))?)?,
        Format::OscalPoam => emit(out, &json(&hicp_report::oscal::poam(&input))?)?,
    }
    Ok(ExitCode::SUCCESS)
}

fn format_name(format: Format) -> &'static str {
    match format {
        Format::Html => "html",
        Format::Pdf => "pdf",
        Format::Xlsx => "xlsx",
        Format::Csv => "csv",
        Format::OscalAr => "oscal-ar",
        Format::OscalAp => "oscal-ap",
        Format::OscalPoam => "oscal-poam",
    }
}

fn from_file(file: &Path, catalog: &Catalog, methodology: &Methodology) -> anyhow::Result<Source> {
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("reading the assessment file {}", file.display()))?;
    let parsed = parse_assessment_with(&text, &file.display().to_string(), catalog, methodology)?;
    let mut stderr = std::io::stderr().lock();
    for warning in &parsed.warnings {
        writeln!(stderr, "warning: {}", warning.message)?;
    }
    let label = file.file_name().map_or_else(
        || file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    Ok(Source {
        assessment: parsed.assessment,
        label,
    })
}

fn from_store(
    database: &DatabaseArg,
    org: &str,
    assessment_id: Option<Uuid>,
) -> anyhow::Result<Source> {
    block_on(async {
        let store = database.open().await?;
        let organization = store.find_organization(org).await?;
        let (record, assessment) = store
            .load_assessment(organization.id, assessment_id)
            .await?;
        Ok(Source {
            assessment,
            label: record.title,
        })
    })?
}

#[cfg(feature = "pdf")]
fn render_pdf(input: &ReportInput<'_>) -> anyhow::Result<Vec<u8>> {
    Ok(hicp_report::pdf::render(input)?)
}

#[cfg(not(feature = "pdf"))]
fn render_pdf(_input: &ReportInput<'_>) -> anyhow::Result<Vec<u8>> {
    bail!(
        "this hicp was built without PDF support (the `pdf` feature); rebuild with default features, or use --format html and print it to PDF"
    )
}

fn json(value: &serde_json::Value) -> anyhow::Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec_pretty(value)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Writes to `out`, or to standard output when there is no path.
fn emit(out: Option<&Path>, bytes: &[u8]) -> anyhow::Result<()> {
    match out {
        Some(path) => write_whole(path, bytes),
        None => Ok(std::io::stdout().lock().write_all(bytes)?),
    }
}

/// Writes a file so that it is either complete or absent: a failed write never leaves half a
/// report where a reader (or an upload) would pick it up.
fn write_whole(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let file_name = path
        .file_name()
        .with_context(|| format!("{} is not a file path", path.display()))?;
    let mut partial = file_name.to_owned();
    partial.push(".partial");
    let temporary = path.with_file_name(partial);
    std::fs::write(&temporary, bytes)
        .with_context(|| format!("writing {}", temporary.display()))?;
    std::fs::rename(&temporary, path).with_context(|| format!("writing {}", path.display()))
}

fn write_csv(dir: &Path, input: &ReportInput<'_>) -> anyhow::Result<()> {
    if dir.exists() && !dir.is_dir() {
        bail!(
            "{} is a file; --format csv writes findings.csv and plan.csv into a directory",
            dir.display()
        );
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    write_whole(
        &dir.join("findings.csv"),
        hicp_report::csv::findings(input).as_bytes(),
    )?;
    write_whole(
        &dir.join("plan.csv"),
        hicp_report::csv::plan(input).as_bytes(),
    )
}
