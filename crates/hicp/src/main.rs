//! `hicp`: the command line. Each subcommand lives in `commands/` and calls `hicp-app` (or the
//! store); this file parses arguments, runs the command, and turns errors into messages and
//! exit codes.

mod commands;
mod hints;
mod output;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "hicp",
    version,
    about = "Assess a healthcare organization against the HHS 405(d) Health Industry Cybersecurity Practices (HICP)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Browse, validate, export and compare HICP catalogs.
    Catalog(commands::catalog::Args),
    /// Evaluate an assessment file: tier, scores, threat risk, ranked gaps and an action plan.
    Assess(commands::assess::Args),
    /// Organizations kept in the database.
    Org(commands::org::Args),
    /// Check the audit trail's hash chain.
    Audit(commands::audit::Args),
    /// Write a consistent copy of the whole database to a file.
    Backup(commands::backup::BackupArgs),
    /// Replace the database's contents with a backup file.
    Restore(commands::backup::RestoreArgs),
    /// Read scanner, KEV and inventory exports: nessus, openvas, tenable-csv, qualys-csv, kev, inventory.
    Import(commands::import::Args),
    /// Metrics from the scans and inventories kept for an organization.
    Evidence(commands::evidence::Args),
    /// Produce a report: HTML, PDF, XLSX, CSV or OSCAL.
    Report(commands::report::Args),
    /// Start the server a team shares: accounts, roles and the JSON API.
    Serve(commands::serve::Args),
    /// Exit 0 when a running server answers.
    Healthcheck(commands::serve::HealthArgs),
    /// Accounts for the server.
    User(commands::user::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        // The reader of standard output stopped early (`hicp org list | head -1`): it has
        // what it wanted.
        Err(error) if output::is_closed_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            if let Some(hint) = hints::hint(&error) {
                eprintln!("hint: {hint}");
            }
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    // One runtime for the whole run; commands that need no database never touch it. Only the
    // server answers many requests at once, so only it gets a thread per core.
    let mut builder = if matches!(cli.command, Command::Serve(_)) {
        tokio::runtime::Builder::new_multi_thread()
    } else {
        tokio::runtime::Builder::new_current_thread()
    };
    let runtime = builder
        .enable_all()
        .build()
        .map_err(|error| anyhow::anyhow!("starting the async runtime: {error}"))?;
    runtime.block_on(async {
        match cli.command {
            Command::Catalog(args) => commands::catalog::run(args),
            Command::Assess(args) => commands::assess::run(args).await,
            Command::Org(args) => commands::org::run(args).await,
            Command::Audit(args) => commands::audit::run(args).await,
            Command::Backup(args) => commands::backup::run_backup(args).await,
            Command::Restore(args) => commands::backup::run_restore(args).await,
            Command::Report(args) => commands::report::run(args).await,
            Command::Import(args) => commands::import::run(args).await,
            Command::Evidence(args) => commands::evidence::run(args).await,
            Command::Serve(args) => commands::serve::run(args).await,
            Command::Healthcheck(args) => commands::serve::healthcheck(args),
            Command::User(args) => commands::user::run(args).await,
        }
    })
}
