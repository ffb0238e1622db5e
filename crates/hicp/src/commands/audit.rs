//! `hicp audit verify`: walk the audit trail's hash chain and report the first broken link.

use std::process::ExitCode;

use super::{DatabaseArg, block_on};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    database: DatabaseArg,
}

#[derive(clap::Subcommand, Debug)]
enum Command {
    /// Check every event's hash and link; exit 1 at the first broken one.
    Verify,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        Command::Verify => block_on(verify(&args.database))?,
    }
}

async fn verify(database: &DatabaseArg) -> anyhow::Result<ExitCode> {
    let store = database.open().await?;
    let report = store.verify_audit().await?;
    store.close().await;
    match report.broken {
        None => {
            println!(
                "OK: the audit trail's {} events form an unbroken chain",
                report.events
            );
            Ok(ExitCode::SUCCESS)
        }
        Some(broken) => {
            let id = broken.id.map(|id| format!(" ({id})")).unwrap_or_default();
            println!(
                "BROKEN at event {}{id}: {}\n{} events before it verified. Restore from a backup taken before the change, and find out who had database access.",
                broken.seq, broken.reason, report.events
            );
            Ok(ExitCode::FAILURE)
        }
    }
}
