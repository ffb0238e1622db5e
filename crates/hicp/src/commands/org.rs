//! `hicp org`: organizations kept in the database — list, create from an assessment file, show,
//! and move one between installations with a portable file.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use hicp_engine::EvaluationOptions;
use hicp_store::portable::ImportOutcome;
use hicp_store::{OrganizationRecord, Store};
use time::{Date, OffsetDateTime};

use super::assess::parse_date;
use super::backup::progress_printer;
use super::{CatalogArg, DatabaseArg, block_on, cli_actor};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    database: DatabaseArg,
}

#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Text,
    Json,
}

#[derive(clap::Subcommand, Debug)]
enum Command {
    /// Every organization: id, name, tier and number of assessments.
    List {
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Store an assessment file as a new organization with a draft assessment and its action
    /// plan; prints the new organization's id.
    Create {
        /// Assessment file (TOML, as for `hicp assess`).
        #[arg(long, value_name = "FILE")]
        from_assessment: PathBuf,
        /// Title of the stored assessment; default: the file's name.
        #[arg(long)]
        title: Option<String>,
        /// The date the plan starts from; default: today (UTC).
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
        as_of: Option<Date>,
        #[command(flatten)]
        catalog: CatalogArg,
    },
    /// Profile, tier, assessments and the latest scores of one organization.
    Show {
        /// Organization id or exact name.
        org: String,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        #[command(flatten)]
        catalog: CatalogArg,
    },
    /// Write one organization, with everything that belongs to it, to a portable file.
    Export {
        /// Organization id or exact name.
        org: String,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Load an organization from a portable file: all of it or nothing; a second import of the
    /// same organization changes nothing.
    Import {
        file: PathBuf,
        /// Print progress lines to standard error.
        #[arg(long)]
        progress: bool,
    },
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    block_on(async move {
        let store = args.database.open().await?;
        let result = execute(&store, args.command).await;
        store.close().await;
        result
    })?
}

fn today() -> Date {
    OffsetDateTime::now_utc().date()
}

async fn execute(store: &Store, command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::List { format } => list(store, format).await,
        Command::Create {
            from_assessment,
            title,
            as_of,
            catalog,
        } => create(store, &from_assessment, title, as_of, &catalog).await,
        Command::Show {
            org,
            format,
            catalog,
        } => show(store, &org, format, &catalog).await,
        Command::Export { org, out } => {
            let organization = store.find_organization(&org).await?;
            let summary = store
                .export_organization(organization.id, &out)
                .await
                .context("the export was not written")?;
            println!(
                "wrote {}: organization {} ({}), {} rows, {} evidence files, {} audit events",
                out.display(),
                organization.name,
                organization.id,
                summary.rows,
                summary.evidence_files,
                summary.audit_events
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Import { file, progress } => {
            let mut report = progress_printer(progress, "imported");
            let outcome = store
                .import_organization(&cli_actor(), &file, &mut report)
                .await
                .context("nothing was imported")?;
            match outcome {
                ImportOutcome::Imported { id, name, rows } => {
                    println!("imported organization {name} ({id}): {rows} rows");
                }
                ImportOutcome::AlreadyPresent { id, name } => {
                    println!("organization {name} ({id}) is already present; nothing was imported");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn list(store: &Store, format: Format) -> anyhow::Result<ExitCode> {
    let organizations = store.list_organizations().await?;
    let mut out = std::io::stdout().lock();
    match format {
        Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(&organizations)?)?,
        Format::Text if organizations.is_empty() => writeln!(
            out,
            "No organizations yet. Add one with `hicp org create --from-assessment FILE`."
        )?,
        Format::Text => {
            let width = organizations
                .iter()
                .map(|o| o.name.chars().count())
                .max()
                .unwrap_or(4)
                .max(4);
            writeln!(
                out,
                "{:<36}  {:<width$}  {:<6}  ASSESSMENTS",
                "ID", "NAME", "TIER"
            )?;
            for organization in &organizations {
                // "auto": no tier chosen, the engine recommends one from the sizing facts.
                let tier = organization.tier.map_or("auto", |tier| tier.as_str());
                writeln!(
                    out,
                    "{:<36}  {:<width$}  {:<6}  {}",
                    organization.id, organization.name, tier, organization.assessments
                )?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn create(
    store: &Store,
    file: &std::path::Path,
    title: Option<String>,
    as_of: Option<Date>,
    catalog: &CatalogArg,
) -> anyhow::Result<ExitCode> {
    let catalog = catalog.load()?;
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let parsed =
        hicp_engine::input::parse_assessment(&text, &file.display().to_string(), &catalog)?;
    for warning in &parsed.warnings {
        // The engine's message already names the file, line and key.
        eprintln!("warning: {}", warning.message);
    }
    let evaluation = hicp_engine::evaluate(
        &catalog,
        &parsed.assessment,
        &EvaluationOptions::new(as_of.unwrap_or_else(today)),
    );
    let title = title.unwrap_or_else(|| {
        let name = file.file_name().map_or_else(
            || file.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        format!("Imported from {name}")
    });
    let (organization, assessment, items) = store
        .create_organization_with_assessment(
            &cli_actor(),
            &parsed.assessment,
            &title,
            &catalog.edition.id,
            &evaluation.plan,
        )
        .await?;
    eprintln!(
        "created organization {} (tier {}) with draft assessment {} ({} answers) and {} action items",
        organization.name,
        evaluation.tier.tier,
        assessment.id,
        parsed.assessment.answers.len(),
        items.len()
    );
    println!("{}", organization.id);
    Ok(ExitCode::SUCCESS)
}

async fn show(
    store: &Store,
    key: &str,
    format: Format,
    catalog: &CatalogArg,
) -> anyhow::Result<ExitCode> {
    let organization = store.find_organization(key).await?;
    let assessments = store.list_assessments(organization.id).await?;
    let catalog = catalog.load()?;
    let latest = match assessments.last() {
        Some(_) => {
            let (record, assessment) = store.load_assessment(organization.id, None).await?;
            let evaluation =
                hicp_engine::evaluate(&catalog, &assessment, &EvaluationOptions::new(today()));
            Some((record, evaluation))
        }
        None => None,
    };
    let items = store.action_items(organization.id).await?;
    let mut out = std::io::stdout().lock();
    if format == Format::Json {
        let latest = latest.as_ref().map(|(record, evaluation)| {
            serde_json::json!({
                "assessment": record.id,
                "as_of": evaluation.as_of.to_string(),
                "tier": evaluation.tier.tier,
                "overall_score": evaluation.overall_score,
                "overall_risk": evaluation.overall_risk,
                "practices": evaluation.practices.iter().map(|p| serde_json::json!({"id": p.id, "score": p.score})).collect::<Vec<_>>(),
                "gaps": evaluation.gaps.len(),
            })
        });
        let document = serde_json::json!({
            "organization": organization,
            "assessments": assessments,
            "action_items": items.len(),
            "latest": latest,
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&document)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    write_profile(&mut out, &organization)?;
    writeln!(out, "\nAssessments ({}):", assessments.len())?;
    for assessment in &assessments {
        writeln!(
            out,
            "  {}  {:<9}  {}  {}",
            assessment.id,
            assessment.status,
            assessment.created_at.date(),
            assessment.title
        )?;
    }
    if let Some((record, evaluation)) = &latest {
        writeln!(
            out,
            "\nLatest assessment ({}), evaluated as of {}:",
            record.title, evaluation.as_of
        )?;
        writeln!(out, "  tier used       {}", evaluation.tier.tier)?;
        writeln!(
            out,
            "  overall score   {:.0} / 100",
            evaluation.overall_score
        )?;
        writeln!(
            out,
            "  overall risk    {:.1} (sum of residual risk over the five threats)",
            evaluation.overall_risk
        )?;
        writeln!(out, "  gaps            {}", evaluation.gaps.len())?;
        for practice in &evaluation.practices {
            let score = practice
                .score
                .map_or_else(|| "n/a".to_string(), |s| format!("{s:.0}"));
            writeln!(
                out,
                "  practice {:>2}     {score:>3}  {}",
                practice.id, practice.title
            )?;
        }
    }
    let open = items
        .iter()
        .filter(|i| i.status == hicp_store::ActionStatus::Open)
        .count();
    let done = items
        .iter()
        .filter(|i| i.status == hicp_store::ActionStatus::Done)
        .count();
    writeln!(
        out,
        "\nAction items: {} ({open} open, {done} done)",
        items.len()
    )?;
    Ok(ExitCode::SUCCESS)
}

fn write_profile(
    out: &mut impl std::io::Write,
    organization: &OrganizationRecord,
) -> std::io::Result<()> {
    writeln!(out, "{} ({})", organization.name, organization.id)?;
    let tier = organization
        .tier
        .map_or_else(|| "recommended from sizing".to_string(), |t| t.to_string());
    writeln!(out, "  tier            {tier}")?;
    if let Some(reason) = &organization.tier_reason {
        writeln!(out, "  tier reason     {reason}")?;
    }
    for (section, value) in [
        ("sizing", serde_json::to_value(&organization.sizing)),
        ("exposure", serde_json::to_value(&organization.exposure)),
    ] {
        let Ok(serde_json::Value::Object(fields)) = value else {
            continue;
        };
        let given: Vec<String> = fields
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        if !given.is_empty() {
            writeln!(out, "  {section:<15} {}", given.join(", "))?;
        }
    }
    Ok(())
}
