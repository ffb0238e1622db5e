//! `hicp`: the command line. Each subcommand lives in `commands/` and calls the library crates;
//! this file only parses arguments and turns errors into exit codes.

mod commands;

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
    /// Produce a report: HTML, PDF, XLSX, CSV or OSCAL.
    Report(commands::report::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Catalog(args) => commands::catalog::run(args),
        Command::Assess(args) => commands::assess::run(args),
        Command::Org(args) => commands::org::run(args),
        Command::Audit(args) => commands::audit::run(args),
        Command::Backup(args) => commands::backup::run_backup(args),
        Command::Restore(args) => commands::backup::run_restore(args),
        Command::Report(args) => commands::report::run(args),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
