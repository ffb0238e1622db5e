//! One entry point for every format: open, stream, hash, and hand each record to a sink.

use std::io::Read;
use std::path::Path;
use std::str::FromStr;

use hicp_input::{Problem, Problems};
use serde::{Deserialize, Serialize};

use crate::inventory::InventoryMapping;
use crate::model::Record;
use crate::scanner_csv::{GREENBONE, QUALYS, TENABLE};
use crate::source::{Limits, Progress, StreamError, Tracked};
use crate::xml::XmlStream;
use std::io::BufRead;

/// The input formats, named as `hicp import` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// Tenable Nessus v2 (`.nessus`).
    Nessus,
    /// Greenbone / OpenVAS XML report (GMP, and the older OMP form).
    Openvas,
    /// Tenable CSV: Nessus Pro, Tenable.sc, Tenable.io / Vulnerability Management.
    TenableCsv,
    /// Qualys CSV: scan report and VMDR "Asset Vuln Datalist".
    QualysCsv,
    /// The CISA Known Exploited Vulnerabilities catalog (JSON).
    Kev,
    /// An asset inventory CSV, read through an [`InventoryMapping`].
    Inventory,
}

impl Format {
    pub const ALL: [Format; 6] = [
        Format::Nessus,
        Format::Openvas,
        Format::TenableCsv,
        Format::QualysCsv,
        Format::Kev,
        Format::Inventory,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Nessus => "nessus",
            Format::Openvas => "openvas",
            Format::TenableCsv => "tenable-csv",
            Format::QualysCsv => "qualys-csv",
            Format::Kev => "kev",
            Format::Inventory => "inventory",
        }
    }

    /// Whether the format's records are scanner findings and hosts (not KEV or assets).
    pub fn is_scan(self) -> bool {
        matches!(
            self,
            Format::Nessus | Format::Openvas | Format::TenableCsv | Format::QualysCsv
        )
    }

    fn describe(self) -> &'static str {
        match self {
            Format::Nessus => "the Nessus file",
            Format::Openvas => "the Greenbone/OpenVAS report",
            Format::TenableCsv => "the Tenable CSV export",
            Format::QualysCsv => "the Qualys CSV export",
            Format::Kev => "the KEV catalog",
            Format::Inventory => "the asset inventory",
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Format {
    type Err = String;
    fn from_str(text: &str) -> Result<Format, String> {
        Format::ALL
            .into_iter()
            .find(|f| f.as_str() == text)
            .ok_or_else(|| {
                let names: Vec<&str> = Format::ALL.iter().map(|f| f.as_str()).collect();
                format!("unknown format `{text}`; use one of {}", names.join(", "))
            })
    }
}

/// How to read one file.
#[derive(Default)]
pub struct Options<'a> {
    pub limits: Limits,
    /// Called as bytes are read (for a progress bar).
    pub progress: Option<Progress<'a>>,
    /// For [`Format::Inventory`]: which columns hold what. `None` tries the usual header
    /// spellings (Snipe-IT's among them).
    pub mapping: Option<&'a InventoryMapping>,
}

/// What an import read, once it has read the whole file successfully.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Imported {
    pub format: Format,
    /// SHA-256 of the file's bytes, lower-case hex: the same file imported twice has the same
    /// hash, so a store can refuse to count it twice.
    pub sha256: String,
    pub bytes: u64,
}

/// The error an import returns. `Input` means the file is unusable; the caller must discard
/// every record the sink received from it (the store does this with one transaction per file).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{0}")]
    Input(Problems),
    #[error("the records could not be kept: {0}")]
    Sink(Box<dyn std::error::Error + Send + Sync>),
}

/// Result of handing one record to the caller.
pub type SinkResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// Receives records in file order.
pub type Sink<'a> = dyn FnMut(Record) -> SinkResult + 'a;

/// Inside the readers: a problem with the input, or the sink's own failure.
pub(crate) enum Failure {
    Problem(Box<Problem>),
    Sink(Box<dyn std::error::Error + Send + Sync>),
}

impl From<Box<Problem>> for Failure {
    fn from(problem: Box<Problem>) -> Failure {
        Failure::Problem(problem)
    }
}

/// Reads the file at `path` in `format`, giving each record to `sink`.
pub fn import_path(
    format: Format,
    path: &Path,
    options: Options<'_>,
    sink: &mut Sink<'_>,
) -> Result<Imported, ImportError> {
    let file_name = path.display().to_string();
    let refuse = |message: String| {
        ImportError::Input(Problems::one(
            format.describe(),
            Problem::whole(&file_name, message),
        ))
    };
    let file = std::fs::File::open(path).map_err(|e| refuse(format!("cannot open: {e}")))?;
    let size = file
        .metadata()
        .map_err(|e| refuse(format!("cannot read: {e}")))?
        .len();
    if size > options.limits.max_file_bytes {
        return Err(refuse(format!(
            "the file is {size} bytes, more than the limit of {}; check that this is the right file",
            options.limits.max_file_bytes
        )));
    }
    import_reader(format, file, &file_name, Some(size), options, sink)
}

/// Whether the first character that is not white space is `<` (an empty input counts as XML,
/// whose reader reports it). Only what is already buffered is looked at.
fn starts_as_xml<R: Read>(source: &mut Tracked<'_, R>) -> std::io::Result<bool> {
    let head = source.fill_buf()?;
    Ok(head
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_none_or(|&b| b == b'<'))
}

/// Reads `input` (named `file_name` in problems; `total` is its size when known for progress).
pub fn import_reader<R: Read>(
    format: Format,
    input: R,
    file_name: &str,
    total: Option<u64>,
    options: Options<'_>,
    sink: &mut Sink<'_>,
) -> Result<Imported, ImportError> {
    let Options {
        limits,
        progress,
        mapping,
    } = options;
    let default_mapping = InventoryMapping::default();
    let source = Tracked::new(input, total, limits.max_file_bytes, progress);
    let input_problem =
        |problem: Problem| ImportError::Input(Problems::one(format.describe(), problem));
    let (outcome, source) = match format {
        Format::Nessus => {
            let mut xml = XmlStream::new(source, file_name, limits);
            let outcome = crate::nessus::read(&mut xml, sink);
            (outcome, xml.into_source())
        }
        Format::Openvas => {
            let mut source = source;
            match starts_as_xml(&mut source) {
                // The stream's own error (a bad byte): a second read would not repeat it.
                Err(error) => return Err(input_problem(StreamError::problem(file_name, &error))),
                Ok(true) => {
                    let mut xml = XmlStream::new(source, file_name, limits);
                    let outcome = crate::openvas::read(&mut xml, sink);
                    (outcome, xml.into_source())
                }
                Ok(false) => crate::scanner_csv::read(&GREENBONE, source, file_name, limits, sink),
            }
        }
        Format::TenableCsv => crate::scanner_csv::read(&TENABLE, source, file_name, limits, sink),
        Format::QualysCsv => crate::scanner_csv::read(&QUALYS, source, file_name, limits, sink),
        Format::Kev => crate::kev::read(source, file_name, limits, sink),
        Format::Inventory => crate::inventory::read(
            mapping.unwrap_or(&default_mapping),
            source,
            file_name,
            limits,
            sink,
        ),
    };
    match outcome {
        Ok(()) => {}
        Err(Failure::Problem(problem)) => {
            let first = match source.earlier_bad_byte() {
                Some(error) => StreamError::problem(file_name, &error),
                None => *problem,
            };
            return Err(input_problem(first));
        }
        Err(Failure::Sink(error)) => return Err(ImportError::Sink(error)),
    }
    let (sha256, bytes) = source
        .finish()
        .map_err(|error| input_problem(StreamError::problem(file_name, &error)))?;
    Ok(Imported {
        format,
        sha256,
        bytes,
    })
}
