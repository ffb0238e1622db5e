//! Reports for hicp: one content model ([`model::ReportModel`]) rendered as self-contained HTML,
//! PDF, XLSX, CSV and OSCAL, plus a short [`summary`] for a terminal or Markdown. The same
//! renderers serve the command line, the web and the API.

use hicp_catalog::Catalog;
use hicp_engine::{Assessment, Evaluation};
use time::Date;

pub mod charts;
pub mod csv;
mod escape;
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
