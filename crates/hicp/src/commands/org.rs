//! `hicp org`: organizations kept in the database — list, create from an assessment file, show,
//! and move one between installations with a portable file.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use hicp_app::organizations::{Overview, create_from_file, overview};
use hicp_store::portable::ImportOutcome;
use hicp_store::{OrganizationRecord, Store};
use time::Date;

use super::backup::progress_printer;
use super::{CatalogArg, DatabaseArg, local_actor, parse_date, today};

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

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let command = args.command;
    args.database
        .with_store(async |store| execute(store, command).await)
        .await
}

async fn execute(store: &Store, command: Command) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    match command {
        Command::List { format } => list(&mut out, store, format).await?,
        Command::Create {
            from_assessment,
            title,
            as_of,
            catalog,
        } => {
            let catalog = catalog.load()?;
            let created = create_from_file(
                store,
                &local_actor(),
                &from_assessment,
                title,
                &catalog,
                as_of.unwrap_or_else(today),
            )
            .await?;
            for warning in &created.warnings {
                // The reader's message already names the file, line and key.
                eprintln!("warning: {}", warning.message);
            }
            eprintln!(
                "created organization {} (tier {}) with draft assessment {} ({} answers) and {} action items",
                created.organization.name,
                created.tier,
                created.assessment.id,
                created.answers,
                created.action_items
            );
            writeln!(out, "{}", created.organization.id)?;
        }
        Command::Show {
            org,
            format,
            catalog,
        } => {
            let catalog = catalog.load()?;
            let overview = overview(store, &org, &catalog, today()).await?;
            match format {
                Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(&overview)?)?,
                Format::Text => write_overview(&mut out, &overview)?,
            }
        }
        Command::Export { org, out: path } => {
            let organization = store.find_organization(&org).await?;
            let summary = store
                .export_organization(organization.id, &path)
                .await
                .context("the export was not written")?;
            writeln!(
                out,
                "wrote {}: organization {} ({}), {} rows, {} evidence files, {} audit events",
                path.display(),
                organization.name,
                organization.id,
                summary.rows,
                summary.evidence_files,
                summary.audit_events
            )?;
        }
        Command::Import { file, progress } => {
            let mut report = progress_printer(progress, "imported");
            let outcome = store
                .import_organization(&local_actor(), &file, &mut report)
                .await
                .context("nothing was imported")?;
            match outcome {
                ImportOutcome::Imported { id, name, rows } => {
                    writeln!(out, "imported organization {name} ({id}): {rows} rows")?;
                }
                ImportOutcome::AlreadyPresent { id, name } => writeln!(
                    out,
                    "organization {name} ({id}) is already present; nothing was imported"
                )?,
            }
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

async fn list(out: &mut impl Write, store: &Store, format: Format) -> anyhow::Result<()> {
    let organizations = store.list_organizations().await?;
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
    Ok(())
}

fn write_overview(out: &mut impl Write, overview: &Overview) -> std::io::Result<()> {
    write_profile(out, &overview.organization)?;
    writeln!(out, "\nAssessments ({}):", overview.assessments.len())?;
    for assessment in &overview.assessments {
        writeln!(
            out,
            "  {}  {:<9}  {}  {}",
            assessment.id,
            assessment.status,
            assessment.created_at.date(),
            assessment.title
        )?;
    }
    if let Some(latest) = &overview.latest {
        writeln!(
            out,
            "\nLatest assessment ({}), evaluated as of {}:",
            latest.title, latest.as_of
        )?;
        writeln!(out, "  tier used       {}", latest.tier)?;
        writeln!(out, "  overall score   {:.0} / 100", latest.overall_score)?;
        writeln!(
            out,
            "  overall risk    {:.1} (sum of residual risk over the five threats)",
            latest.overall_risk
        )?;
        writeln!(out, "  gaps            {}", latest.gaps)?;
        for practice in &latest.practices {
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
    writeln!(
        out,
        "\nAction items: {} ({} open, {} done)",
        overview.action_items, overview.open_items, overview.done_items
    )
}

fn write_profile(out: &mut impl Write, organization: &OrganizationRecord) -> std::io::Result<()> {
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
