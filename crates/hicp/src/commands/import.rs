//! `hicp import FORMAT FILE...`: read scanner, KEV and inventory exports. Without `--org` it
//! prints their normalized summary (no database needed); with `--org` it keeps each file for
//! the organization with the metrics and suggested answers it supports.

use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use hicp_app::evidence::{
    FilesSummary, Kept, Request, keep, load_kev, load_mapping, read_for_keeping, summarize_files,
};
use hicp_evidence::Format;

use super::{DatabaseArg, local_actor, today};
use crate::output::emit;

#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// A few readable lines.
    Text,
    /// One JSON object (without --org: hosts, findings, by_severity, kev_matches and the
    /// files read; with --org: the imports kept, their metrics and suggested answers).
    Json,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// What the files are: nessus, openvas, tenable-csv, qualys-csv, kev or inventory.
    #[arg(value_parser = parse_format, value_name = "FORMAT")]
    pub kind: Format,
    /// The exported files, read in place and never changed.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Keep the files for this organization (id or exact name), each in one transaction.
    #[arg(long, value_name = "ORG")]
    pub org: Option<String>,
    /// A CISA Known Exploited Vulnerabilities catalog (JSON file) to count findings against.
    #[arg(long, value_name = "FILE")]
    pub kev: Option<PathBuf>,
    /// For inventories: a TOML file naming the columns (docs/evidence.md); default: the usual
    /// header spellings, Snipe-IT's among them.
    #[arg(long, value_name = "FILE")]
    pub mapping: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Output::Text)]
    pub format: Output,
    #[command(flatten)]
    pub database: DatabaseArg,
}

fn parse_format(text: &str) -> Result<Format, String> {
    text.parse()
}

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let kev = args.kev.as_deref().map(load_kev).transpose()?;
    let mapping = args.mapping.as_deref().map(load_mapping).transpose()?;
    let request = Request {
        format: args.kind,
        kev: kev.as_ref(),
        mapping: mapping.as_ref(),
    };
    let mut bar = ProgressBar::on_terminal();
    let output = match &args.org {
        None => {
            let summary = summarize_files(request, &args.files, &mut |file, read, total| {
                bar.show(file, read, total)
            });
            bar.finish();
            let summary = summary?;
            match args.format {
                Output::Json => serde_json::to_string_pretty(&summary)? + "\n",
                Output::Text => summary_text(&summary),
            }
        }
        Some(key) => {
            let kept = args
                .database
                .with_store(async |store| {
                    let organization = store.find_organization(key).await?;
                    let actor = local_actor();
                    let mut kept = Vec::with_capacity(args.files.len());
                    for path in &args.files {
                        let read =
                            read_for_keeping(request, path, today(), &mut |file, read, total| {
                                bar.show(file, read, total)
                            });
                        bar.finish();
                        kept.push(keep(store, &actor, organization.id, read?).await?);
                    }
                    Ok(kept)
                })
                .await?;
            match args.format {
                Output::Json => serde_json::to_string_pretty(&kept)? + "\n",
                Output::Text => kept.iter().map(kept_text).collect(),
            }
        }
    };
    emit(None, output.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

fn summary_text(read: &FilesSummary) -> String {
    let summary = &read.summary;
    let severity = &summary.by_severity;
    let mut out = format!(
        "{} hosts, {} findings (critical {}, high {}, medium {}, low {}, info {})\n",
        summary.hosts,
        summary.findings,
        severity.critical,
        severity.high,
        severity.medium,
        severity.low,
        severity.info
    );
    if let Some(matches) = summary.kev_matches {
        out += &format!("{matches} findings name a known exploited vulnerability (CISA KEV)\n");
    }
    if summary.assets > 0 {
        out += &format!("{} inventory assets\n", summary.assets);
    }
    if summary.kev_entries > 0 {
        out += &format!("{} KEV catalog entries\n", summary.kev_entries);
    }
    for file in &read.files {
        out += &format!(
            "read {} ({} bytes, sha256 {})\n",
            file.file, file.bytes, file.sha256
        );
    }
    out
}

fn kept_text(kept: &Kept) -> String {
    let import = &kept.import;
    let counts = if kept.summary.assets > 0 {
        format!("{} assets", kept.summary.assets)
    } else {
        format!(
            "{} hosts, {} findings",
            kept.summary.hosts, kept.summary.findings
        )
    };
    let mut out = format!(
        "kept {} ({}, {counts}) as import {}\n",
        import.file_name, import.format, import.id
    );
    out += &super::evidence::metrics_text(&kept.metrics.described(), &kept.suggestions);
    out
}

/// A one-line progress bar on standard error, drawn only when standard error is a terminal
/// and redrawn at most once per percent, so a gigabyte file does not flood the terminal.
struct ProgressBar {
    enabled: bool,
    last_drawn: Option<u64>,
}

impl ProgressBar {
    fn on_terminal() -> ProgressBar {
        ProgressBar {
            enabled: std::io::stderr().is_terminal(),
            last_drawn: None,
        }
    }

    fn show(&mut self, file: &Path, read: u64, total: Option<u64>) {
        if !self.enabled {
            return;
        }
        let (step, line) = match total.filter(|total| *total > 0) {
            Some(total) => {
                let percent = read.saturating_mul(100) / total;
                let filled = usize::try_from(percent / 4).unwrap_or(25).min(25);
                let bar = format!("{}{}", "#".repeat(filled), " ".repeat(25 - filled));
                (percent, format!("[{bar}] {percent:>3}% {}", file.display()))
            }
            None => (read >> 20, format!("{} MiB {}", read >> 20, file.display())),
        };
        if self.last_drawn == Some(step) {
            return;
        }
        self.last_drawn = Some(step);
        let mut stderr = std::io::stderr().lock();
        // A progress line that cannot be drawn is not worth failing the import for.
        let _ = write!(stderr, "\r\x1b[2K{line}");
        let _ = stderr.flush();
    }

    fn finish(&mut self) {
        if self.enabled && self.last_drawn.take().is_some() {
            let _ = write!(std::io::stderr().lock(), "\r\x1b[2K");
        }
    }
}
