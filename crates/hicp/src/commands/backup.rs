//! `hicp backup` and `hicp restore` (being built).

use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct BackupArgs {}

#[derive(clap::Args, Debug)]
pub struct RestoreArgs {}

pub fn run_backup(_args: BackupArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`hicp backup` is not available yet")
}

pub fn run_restore(_args: RestoreArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`hicp restore` is not available yet")
}
