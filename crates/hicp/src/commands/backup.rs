//! `hicp backup` and `hicp restore`: the whole database to and from a portable file that either
//! backend can load.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use hicp_store::portable::Progress;

use std::io::Write as _;

use super::{DatabaseArg, local_actor};

#[derive(clap::Args, Debug)]
pub struct BackupArgs {
    /// The file to write (replaced if it exists, only once the backup is complete).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    #[command(flatten)]
    database: DatabaseArg,
}

#[derive(clap::Args, Debug)]
pub struct RestoreArgs {
    /// A file written by `hicp backup`.
    file: PathBuf,
    /// Replace everything in a database that is not empty.
    #[arg(long)]
    force: bool,
    /// Print progress lines to standard error.
    #[arg(long)]
    progress: bool,
    #[command(flatten)]
    database: DatabaseArg,
}

pub async fn run_backup(args: BackupArgs) -> anyhow::Result<ExitCode> {
    let summary = args
        .database
        .with_store(async |store| {
            store
                .backup(&args.out)
                .await
                .context("the backup was not written")
        })
        .await?;
    writeln!(
        std::io::stdout(),
        "wrote {}: {} rows, {} evidence files, {} audit events",
        args.out.display(),
        summary.rows,
        summary.evidence_files,
        summary.audit_events
    )?;
    Ok(ExitCode::SUCCESS)
}

pub async fn run_restore(args: RestoreArgs) -> anyhow::Result<ExitCode> {
    let (summary, chain) = args
        .database
        .with_store(async |store| {
            let mut report = progress_printer(args.progress, "restored");
            let summary = store
                .restore(&local_actor(), &args.file, args.force, &mut report)
                .await
                .context("nothing was restored")?;
            Ok((summary, store.verify_audit().await?))
        })
        .await?;
    let mut out = std::io::stdout().lock();
    if let Some(replaced) = &summary.replaced {
        writeln!(out, "replaced what was there: {replaced}")?;
    }
    writeln!(
        out,
        "restored {}: {} organizations, {} rows",
        args.file.display(),
        summary.organizations,
        summary.rows
    )?;
    match chain.broken {
        None => writeln!(out, "audit trail OK: {} events", chain.events)?,
        Some(broken) => writeln!(
            out,
            "warning: the restored audit trail is broken at event {}: {}",
            broken.seq, broken.reason
        )?,
    }
    Ok(ExitCode::SUCCESS)
}

/// A progress callback that prints about every 2% to standard error, or nothing.
pub fn progress_printer(enabled: bool, verb: &'static str) -> impl FnMut(Progress) + Send {
    let mut last_percent = None;
    move |progress: Progress| {
        if !enabled || progress.total == 0 {
            return;
        }
        let percent = progress.done * 100 / progress.total;
        if last_percent.is_none_or(|last| percent >= last + 2) || progress.done == progress.total {
            last_percent = Some(percent);
            eprintln!("{verb} {} of {} rows", progress.done, progress.total);
        }
    }
}
