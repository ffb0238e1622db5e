//! `hicp assess FILE`: evaluate an assessment file and print the tier, threat risk, ranked gaps,
//! plan and 12-month view as a terminal summary, a Markdown document or one JSON object.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use hicp_engine::Warning;
use hicp_engine::view::EvaluationView;

use super::{CatalogArg, PlanningArgs, SourceArgs};
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
    #[command(flatten)]
    pub source: SourceArgs,
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

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let catalog = args.catalog.load()?;
    let evaluated = args.source.evaluate(&catalog, &args.planning).await?;
    let output = match args.format {
        Format::Json => {
            let view = EvaluationView::new(&evaluated.evaluation, &evaluated.reader_warnings);
            let mut json = serde_json::to_value(&view)?;
            // A kept organization's metrics ride along; adding a key keeps the schema version.
            if let (Some(object), false) = (json.as_object_mut(), evaluated.evidence.is_empty()) {
                object.insert(
                    "evidence".into(),
                    serde_json::to_value(&evaluated.evidence)?,
                );
            }
            serde_json::to_string_pretty(&json)? + "\n"
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
            hicp_report::summary::text(&evaluated.evaluation, &catalog, &evaluated.evidence)
        }
        Format::Markdown => {
            let warnings: Vec<Warning> = evaluated.warnings().cloned().collect();
            hicp_report::summary::markdown(
                &evaluated.evaluation,
                &catalog,
                &evaluated.evidence,
                &warnings,
            )
        }
    };
    emit(args.out.as_deref(), output.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
