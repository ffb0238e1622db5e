//! `hicp assess FILE`: evaluate an assessment file and print the tier, threat risk, ranked gaps,
//! plan and 12-month view as a terminal summary, a Markdown document or one JSON object.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use hicp_app::evaluation::evaluate_file;
use hicp_engine::Warning;
use hicp_engine::view::EvaluationView;

use super::{CatalogArg, PlanningArgs, today};
use crate::output::emit;

#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A readable summary for a terminal (warnings go to standard error).
    Text,
    /// One JSON object (schema in docs/assessment-format.md).
    Json,
    /// The summary as a Markdown document.
    Markdown,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Assessment file (TOML; every key is described in docs/assessment-format.md).
    pub file: PathBuf,
    #[command(flatten)]
    pub catalog: CatalogArg,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[command(flatten)]
    pub planning: PlanningArgs,
    /// Write the result to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let catalog = args.catalog.load()?;
    let methodology = args.planning.methodology()?;
    let evaluated = evaluate_file(
        &args.file,
        &catalog,
        methodology,
        args.planning.planning(),
        today(),
    )?;
    let output = match args.format {
        Format::Json => {
            let view = EvaluationView::new(&evaluated.evaluation, &evaluated.reader_warnings);
            serde_json::to_string_pretty(&view)? + "\n"
        }
        Format::Text => {
            let mut stderr = std::io::stderr().lock();
            for warning in evaluated.warnings() {
                writeln!(stderr, "warning: {}", warning.message)?;
            }
            if args.planning.budget.is_none() && args.planning.staff_days.is_none() {
                writeln!(
                    stderr,
                    "note: the plan has no budget limit; --budget and --staff-days set one per period"
                )?;
            }
            hicp_report::summary::text(&evaluated.evaluation, &catalog)
        }
        Format::Markdown => {
            let warnings: Vec<Warning> = evaluated.warnings().cloned().collect();
            hicp_report::summary::markdown(&evaluated.evaluation, &catalog, &warnings)
        }
    };
    emit(args.out.as_deref(), output.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
