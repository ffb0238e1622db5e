//! `hicp evidence metrics --org ORG`: the HICP metrics an organization's kept scans and
//! inventories show, with their definitions and the answers they suggest.

use std::process::ExitCode;

use hicp_app::evidence::stored_metrics;
use hicp_evidence::{MetricValue, Suggestion};

use super::DatabaseArg;
use crate::output::emit;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub command: EvidenceCommand,
}

#[derive(clap::Subcommand, Debug)]
pub enum EvidenceCommand {
    /// The metrics of each format's latest import, and the answers they suggest.
    Metrics(MetricsArgs),
}

#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    Text,
    /// One JSON array: per import, the record, the metrics, their descriptions and suggestions.
    Json,
}

#[derive(clap::Args, Debug)]
pub struct MetricsArgs {
    /// The organization (id or exact name).
    #[arg(long, value_name = "ORG")]
    pub org: String,
    #[arg(long, value_enum, default_value_t = Output::Text)]
    pub format: Output,
    #[command(flatten)]
    pub database: DatabaseArg,
}

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let EvidenceCommand::Metrics(args) = args.command;
    let shown = args
        .database
        .with_store(async |store| {
            let organization = store.find_organization(&args.org).await?;
            Ok((
                organization.name,
                stored_metrics(store, organization.id).await?,
            ))
        })
        .await?;
    let (name, shown) = shown;
    let output = match args.format {
        Output::Json => serde_json::to_string_pretty(&shown)? + "\n",
        Output::Text if shown.is_empty() => format!(
            "{name} has no scans or inventories kept yet; `hicp import FORMAT FILE --org ORG` keeps one\n"
        ),
        Output::Text => shown
            .iter()
            .map(|stored| {
                let import = &stored.import;
                format!(
                    "{} ({}, imported {} by {})\n{}",
                    import.file_name,
                    import.format,
                    import.imported_at.date(),
                    import.imported_by,
                    metrics_text(&stored.described, &stored.suggestions)
                )
            })
            .collect::<Vec<_>>()
            .join("\n"),
    };
    emit(None, output.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// The metrics and suggestions as indented lines, for `import --org` and `evidence metrics`.
pub fn metrics_text(described: &[MetricValue], suggestions: &[Suggestion]) -> String {
    let mut out = String::new();
    for metric in described {
        out += &format!(
            "  {} (practice {}): {}\n",
            metric.definition.title, metric.definition.practice, metric.value
        );
    }
    for suggestion in suggestions {
        out += &format!(
            "  suggests {} {}: {}\n",
            suggestion.sub_practice,
            suggestion.status.as_str(),
            suggestion.evidence.join("; ")
        );
    }
    out
}
