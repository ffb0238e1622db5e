//! `hicp import FORMAT FILE...`: read scanner, KEV and inventory exports and print their
//! normalized summary (no database needed).

use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use hicp_app::evidence::{FilesSummary, load_kev, summarize_files};
use hicp_evidence::Format;

use crate::output::emit;

#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// A few readable lines.
    Text,
    /// One JSON object: hosts, findings, by_severity, kev_matches and the files read.
    Json,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// What the files are.
    #[arg(value_parser = parse_format, value_name = "FORMAT")]
    pub kind: Format,
    /// The exported files, read in place and never changed.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// A CISA Known Exploited Vulnerabilities catalog (JSON file) to count findings against.
    #[arg(long, value_name = "FILE")]
    pub kev: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Output::Text)]
    pub format: Output,
}

fn parse_format(text: &str) -> Result<Format, String> {
    text.parse()
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let kev = args.kev.as_deref().map(load_kev).transpose()?;
    let mut bar = ProgressBar::on_terminal();
    let summary = summarize_files(
        args.kind,
        &args.files,
        kev.as_ref(),
        &mut |file, read, total| bar.show(file, read, total),
    );
    bar.finish();
    let summary = summary?;
    let output = match args.format {
        Output::Json => serde_json::to_string_pretty(&summary)? + "\n",
        Output::Text => text(&summary),
    };
    emit(None, output.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

fn text(read: &FilesSummary) -> String {
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
        if self.enabled && self.last_drawn.is_some() {
            let _ = write!(std::io::stderr().lock(), "\r\x1b[2K");
        }
    }
}
