//! `hicp report`: evaluate an assessment (from a file, or from the database) and write it as a
//! report: HTML, PDF, XLSX, CSV or OSCAL.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use hicp_app::reports::{Rendered, ReportFormat, render};
use time::Date;

use super::{CatalogArg, PlanningArgs, SourceArgs, parse_date, today};
use crate::output::{emit, write_whole};

#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One self-contained HTML file (inline CSS and charts; prints well).
    Html,
    /// A typeset PDF with embedded fonts, tagged for accessibility.
    Pdf,
    /// A workbook with sheets Summary, Findings, Action Plan and Crosswalk.
    Xlsx,
    /// `findings.csv`, `plan.csv` and `evidence.csv`, written into the directory given by --out.
    Csv,
    /// OSCAL 1.1.2 assessment results (the assessment plan is embedded).
    OscalAr,
    /// OSCAL 1.1.2 assessment plan on its own (the one the assessment results import).
    OscalAp,
    /// OSCAL 1.1.2 plan of action and milestones.
    OscalPoam,
}

impl From<Format> for ReportFormat {
    fn from(format: Format) -> ReportFormat {
        match format {
            Format::Html => ReportFormat::Html,
            Format::Pdf => ReportFormat::Pdf,
            Format::Xlsx => ReportFormat::Xlsx,
            Format::Csv => ReportFormat::Csv,
            Format::OscalAr => ReportFormat::OscalAr,
            Format::OscalAp => ReportFormat::OscalAp,
            Format::OscalPoam => ReportFormat::OscalPoam,
        }
    }
}

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub source: SourceArgs,
    #[arg(long, value_enum)]
    pub format: Format,
    /// Where to write. For csv, a directory (created if needed) that receives findings.csv,
    /// plan.csv and evidence.csv. Text formats (html, oscal-*) go to standard output when --out is left out.
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub catalog: CatalogArg,
    /// How the assessment is named on every page; default: the file name (or the stored label).
    #[arg(long, value_name = "TEXT")]
    pub label: Option<String>,
    /// The date printed on the report; default: today (UTC).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub report_date: Option<Date>,
    #[command(flatten)]
    pub planning: PlanningArgs,
}

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let format = ReportFormat::from(args.format);
    if args.out.is_none() && format.needs_a_file() {
        bail!("--format {} needs --out PATH", format.name());
    }
    let catalog = args.catalog.load()?;
    let evaluated = args.source.evaluate(&catalog, &args.planning).await?;
    let mut stderr = std::io::stderr().lock();
    for warning in &evaluated.reader_warnings {
        writeln!(stderr, "warning: {}", warning.message)?;
    }
    let input = evaluated.report_input(
        &catalog,
        args.label.as_deref(),
        args.report_date.unwrap_or_else(today),
    );
    match render(format, &input)? {
        Rendered::Document(bytes) => emit(args.out.as_deref(), &bytes)?,
        Rendered::Tables {
            findings,
            plan,
            evidence,
        } => {
            let dir = args
                .out
                .as_deref()
                .context("--format csv needs --out DIRECTORY")?;
            write_tables(dir, &findings, &plan, &evidence)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn write_tables(dir: &Path, findings: &str, plan: &str, evidence: &str) -> anyhow::Result<()> {
    if dir.exists() && !dir.is_dir() {
        bail!(
            "{} is a file; --format csv writes findings.csv, plan.csv and evidence.csv into a directory",
            dir.display()
        );
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    write_whole(&dir.join("findings.csv"), findings.as_bytes())?;
    write_whole(&dir.join("plan.csv"), plan.as_bytes())?;
    write_whole(&dir.join("evidence.csv"), evidence.as_bytes())
}
