//! Evidence for a HICP assessment from the tools an organization already runs: vulnerability
//! scanners, the CISA KEV catalog and asset inventories.
//!
//! - Readers ([`import_path`], [`import_reader`]) stream a file of any size in bounded memory,
//!   refuse bad input with the file, line and column ([`hicp_input::Problems`]), never process
//!   a DTD or an entity, hash the bytes (SHA-256) so a re-import can be recognized, and report
//!   progress. They hand normalized [`Record`]s to a sink; nothing is kept here.
//! - [`SummaryBuilder`] turns the records into the normalized [`Summary`].
//! - [`MetricsBuilder`] turns the records, as they stream past, into HICP [`Metrics`] as of a
//!   date, defined in [`DEFINITIONS`] ([`compute`] does it over records held in memory), in
//!   bounded memory: a large scan's findings are sorted through an unnamed temporary file
//!   ([`SpillError`] when that fails); [`suggest`] turns the metrics into suggested answers.
//!
//! See docs/evidence.md for the formats, the model, the metrics, the rules and the limits.

mod dates;
mod import;
mod inventory;
mod kev;
mod metrics;
mod model;
mod nessus;
mod openvas;
mod scanner_csv;
mod source;
mod spill;
mod suggest;
mod summary;
mod table;
mod xml;

pub use dates::parse_timestamp;
pub use import::{
    Format, ImportError, Imported, Options, Sink, SinkResult, import_path, import_reader,
};
pub use inventory::{InventoryColumns, InventoryMapping, Marker};
pub use kev::KevCatalog;
pub use metrics::{
    Credentialed, DEFINITIONS, Evidence, InventoryReconciliation, KevPresence, MedicalDevices,
    MetricDefinition, MetricSettings, MetricValue, Metrics, MetricsBuilder, Remediation,
    ScannedHosts, Timeframes, compute,
};
pub use model::{
    Asset, Finding, Host, HostIdentity, KevEntry, Record, Severity, normalize_cve, normalize_mac,
};
pub use source::{Limits, Progress};
pub use spill::SpillError;
pub use suggest::{Suggestion, suggest};
pub use summary::{BySeverity, Summary, SummaryBuilder};
