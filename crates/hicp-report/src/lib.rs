//! Reports for hicp: one content model ([`model::ReportModel`]) rendered as self-contained HTML,
//! PDF, XLSX, CSV and OSCAL, plus a short [`summary`] for a terminal or Markdown. The same
//! renderers serve the command line, the web and the API.

use hicp_catalog::Catalog;
use hicp_engine::{Assessment, Evaluation};
use serde::Serialize;
use time::Date;

pub mod charts;
pub mod csv;
pub mod escape;
mod guard;
pub mod html;
pub mod model;
pub mod oscal;
#[cfg(feature = "pdf")]
pub mod pdf;
pub mod summary;
pub mod titles;
pub mod xlsx;

/// What every renderer is given.
#[derive(Debug, Clone)]
pub struct ReportInput<'a> {
    pub catalog: &'a Catalog,
    pub assessment: &'a Assessment,
    pub evaluation: &'a Evaluation,
    /// How the assessment is named on every page, e.g. "2026 annual assessment" or a file name.
    pub assessment_label: String,
    /// The date printed on the report (passed in, so output is reproducible).
    pub generated_on: Date,
    /// Metrics measured from the organization's own tools (scanners, inventories); empty when
    /// none were kept. Reports show them in their own section, with their definitions.
    pub evidence: &'a [EvidenceMetric],
}

/// One HICP metric measured from an organization's scans or inventory.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvidenceMetric {
    /// The HICP practice (1–10) the metric belongs to.
    pub practice: u8,
    pub title: String,
    /// The measured value, in words ("2 critical, 3 high ... on 3 hosts").
    pub value: String,
    /// What exactly is counted.
    pub definition: String,
    /// Where it was measured: the file, its format and the day it was imported.
    pub source: String,
}

/// Why a report could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("could not build the spreadsheet: {0}")]
    Xlsx(String),
    #[error("could not typeset the PDF: {0}")]
    Pdf(String),
    #[error("could not serialize the report data: {0}")]
    Json(#[from] serde_json::Error),
}
