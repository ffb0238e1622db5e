//! `hicp evidence metrics --org ORG`: the HICP metrics an organization's kept scans and
//! inventories show, with their definitions and the answers they suggest.
//! `hicp evidence suggestions --org ORG`: those suggestions for an assessment, with the
//! assessor's decisions, and `--accept SP` / `--override SP` to take one.

use std::process::ExitCode;

use hicp_app::evidence::{Choice, ShownSuggestion, decide_suggestion, stored_metrics, suggestions};
use hicp_catalog::SubPracticeId;
use hicp_engine::{Methodology, Status};
use hicp_evidence::{MetricValue, Suggestion};
use hicp_store::{AnswerRules, StoreError, SuggestionChoice};
use uuid::Uuid;

use super::{CatalogArg, DatabaseArg, local_actor};
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
    /// The answers the kept evidence suggests for an assessment, with the decisions taken on
    /// them; `--accept SP` or `--override SP` records a decision and changes the answer.
    Suggestions(SuggestionsArgs),
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

#[derive(clap::Args, Debug)]
pub struct SuggestionsArgs {
    /// The organization (id or exact name).
    #[arg(long, value_name = "ORG")]
    pub org: String,
    /// The assessment (id); default: the organization's latest.
    #[arg(long, value_name = "ID")]
    pub assessment: Option<Uuid>,
    /// Accept the suggestion for this sub-practice: its answer takes the suggested status.
    #[arg(long, value_name = "SP", conflicts_with = "override_")]
    pub accept: Option<SubPracticeId>,
    /// Override the suggestion for this sub-practice: its answer keeps its status, or takes
    /// the one given with --status.
    #[arg(long = "override", value_name = "SP")]
    pub override_: Option<SubPracticeId>,
    /// With --override: the status to give (not_implemented, planned, partial, largely,
    /// implemented, not_applicable, unknown).
    #[arg(long, value_name = "STATUS", requires = "override_", value_parser = parse_status)]
    pub status: Option<Status>,
    /// With --override: why the suggestion does not fit.
    #[arg(long, value_name = "TEXT", requires = "override_")]
    pub reason: Option<String>,
    #[arg(long, value_enum, default_value_t = Output::Text)]
    pub format: Output,
    #[command(flatten)]
    pub catalog: CatalogArg,
    #[command(flatten)]
    pub database: DatabaseArg,
}

fn parse_status(text: &str) -> Result<Status, String> {
    serde_json::from_value(serde_json::Value::String(text.to_string())).map_err(|_| {
        format!("`{text}` is not a status: use not_implemented, planned, partial, largely, implemented, not_applicable or unknown")
    })
}

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        EvidenceCommand::Metrics(args) => metrics(args).await,
        EvidenceCommand::Suggestions(args) => suggestions_command(args).await,
    }
}

async fn suggestions_command(args: SuggestionsArgs) -> anyhow::Result<ExitCode> {
    let catalog = args.catalog.load()?;
    let methodology = Methodology::default();
    let rules = AnswerRules {
        catalog: &catalog,
        status_values: &methodology.status_values,
    };
    let decision = match (&args.accept, &args.override_) {
        (Some(sub_practice), _) => Some((sub_practice.clone(), Choice::Accept)),
        (None, Some(sub_practice)) => Some((
            sub_practice.clone(),
            Choice::Override {
                status: args.status,
                reason: args.reason.clone(),
            },
        )),
        (None, None) => None,
    };
    let (name, shown) = args
        .database
        .with_store(async |store| {
            let organization = store.find_organization(&args.org).await?;
            let assessments = store.list_assessments(organization.id).await?;
            let assessment = match args.assessment {
                Some(id) => assessments.iter().find(|a| a.id == id),
                None => assessments.last(),
            }
            .ok_or_else(|| StoreError::NotFound {
                entity: hicp_store::Entity::Assessment,
                key: args
                    .assessment
                    .map_or_else(|| organization.name.clone(), |id| id.to_string()),
            })?;
            if let Some((sub_practice, choice)) = decision {
                let current = store
                    .answers(assessment.id)
                    .await?
                    .into_iter()
                    .find(|answer| answer.sub_practice == sub_practice);
                // One person at a terminal: the version just read is the one changed.
                let version = current.as_ref().map(|answer| answer.version);
                decide_suggestion(
                    store,
                    rules,
                    &local_actor(),
                    organization.id,
                    assessment.id,
                    &sub_practice,
                    current.as_ref(),
                    choice,
                    version,
                )
                .await?;
            }
            Ok((
                organization.name,
                suggestions(store, organization.id, assessment.id).await?,
            ))
        })
        .await?;
    let output = match args.format {
        Output::Json => serde_json::to_string_pretty(&shown)? + "\n",
        Output::Text if shown.is_empty() => format!(
            "The evidence kept for {name} suggests no answer yet; `hicp import FORMAT FILE --org ORG` keeps a scan or an inventory\n"
        ),
        Output::Text => shown.iter().map(suggestion_text).collect(),
    };
    emit(None, output.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

fn suggestion_text(shown: &ShownSuggestion) -> String {
    let suggestion = &shown.suggestion;
    let answered = shown
        .answer_status
        .map_or("not answered yet", |status| status.as_str());
    let mut out = format!(
        "{} suggested {} (answer: {}), from {}\n  evidence: {}\n",
        suggestion.sub_practice,
        suggestion.status.as_str(),
        answered,
        shown.source,
        suggestion.evidence.join("; ")
    );
    match &shown.decision {
        None => out += "  no decision yet: --accept or --override it\n",
        Some(decision) => {
            let what = match decision.decision {
                SuggestionChoice::Accept => "accepted".to_string(),
                SuggestionChoice::Override => {
                    format!("overridden with {}", decision.chosen_status.as_str())
                }
            };
            out += &format!(
                "  {what} by {} on {}{}{}\n",
                decision.decided_by,
                decision.decided_at.date(),
                decision
                    .reason
                    .as_deref()
                    .map(|reason| format!(": {reason}"))
                    .unwrap_or_default(),
                if shown.decided_on_this_evidence {
                    ""
                } else {
                    " (on earlier evidence)"
                }
            );
        }
    }
    out
}

async fn metrics(args: MetricsArgs) -> anyhow::Result<ExitCode> {
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
