//! `hicp audit verify`: walk the audit trail's hash chain and report the first broken link.

use std::process::ExitCode;

use std::io::Write as _;

use super::DatabaseArg;

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

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        Command::Verify => verify(&args.database).await,
    }
}

async fn verify(database: &DatabaseArg) -> anyhow::Result<ExitCode> {
    let report = database
        .with_store(async |store| Ok(store.verify_audit().await?))
        .await?;
    let mut out = std::io::stdout().lock();
    match report.broken {
        None => {
            writeln!(
                out,
                "OK: the audit trail's {} events form an unbroken chain",
                report.events
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Some(broken) => {
            let id = broken.id.map(|id| format!(" ({id})")).unwrap_or_default();
            writeln!(
                out,
                "BROKEN at event {}{id}: {}\n{} events before it verified. Restore from a backup taken before the change, and find out who had database access.",
                broken.seq, broken.reason, report.events
            )?;
            Ok(ExitCode::FAILURE)
        }
    }
}
