//! Every report format, rendered to bytes. Rendering is CPU work (the PDF takes a few hundred
//! milliseconds): a caller on an async executor runs it with `spawn_blocking`.

use hicp_report::ReportInput;

use crate::error::AppResult;

/// The report formats, as the CLI's `--format` and the API's downloads name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReportFormat {
    /// One self-contained HTML file (inline CSS and charts; prints well).
    Html,
    /// A typeset PDF with embedded fonts, tagged for accessibility.
    Pdf,
    /// A workbook with sheets Summary, Findings, Action Plan and Crosswalk.
    Xlsx,
    /// Two tables, findings and plan.
    Csv,
    /// OSCAL 1.1.2 assessment results (the assessment plan embedded).
    OscalAr,
    /// OSCAL 1.1.2 assessment plan on its own.
    OscalAp,
    /// OSCAL 1.1.2 plan of action and milestones.
    OscalPoam,
}

impl ReportFormat {
    pub const ALL: [ReportFormat; 7] = [
        ReportFormat::Html,
        ReportFormat::Pdf,
        ReportFormat::Xlsx,
        ReportFormat::Csv,
        ReportFormat::OscalAr,
        ReportFormat::OscalAp,
        ReportFormat::OscalPoam,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ReportFormat::Html => "html",
            ReportFormat::Pdf => "pdf",
            ReportFormat::Xlsx => "xlsx",
            ReportFormat::Csv => "csv",
            ReportFormat::OscalAr => "oscal-ar",
            ReportFormat::OscalAp => "oscal-ap",
            ReportFormat::OscalPoam => "oscal-poam",
        }
    }

    /// Binary formats, and CSV's two tables, are written to files, never to a terminal.
    pub fn needs_a_file(self) -> bool {
        matches!(
            self,
            ReportFormat::Pdf | ReportFormat::Xlsx | ReportFormat::Csv
        )
    }
}

/// A rendered report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rendered {
    /// One document (HTML, PDF, XLSX or OSCAL JSON).
    Document(Vec<u8>),
    /// CSV: the findings table, the plan table and the evidence metrics table.
    Tables {
        findings: String,
        plan: String,
        evidence: String,
    },
}

/// Renders `input` as `format`.
pub fn render(format: ReportFormat, input: &ReportInput<'_>) -> AppResult<Rendered> {
    let document = match format {
        ReportFormat::Html => hicp_report::html::render(input).into_bytes(),
        ReportFormat::Pdf => render_pdf(input)?,
        ReportFormat::Xlsx => hicp_report::xlsx::render(input)?,
        ReportFormat::Csv => {
            return Ok(Rendered::Tables {
                findings: hicp_report::csv::findings(input),
                plan: hicp_report::csv::plan(input),
                evidence: hicp_report::csv::evidence(input),
            });
        }
        ReportFormat::OscalAr => json(&hicp_report::oscal::assessment_results(input))?,
        ReportFormat::OscalAp => json(&hicp_report::oscal::assessment_plan(input))?,
        ReportFormat::OscalPoam => json(&hicp_report::oscal::poam(input))?,
    };
    Ok(Rendered::Document(document))
}

#[cfg(feature = "pdf")]
fn render_pdf(input: &ReportInput<'_>) -> AppResult<Vec<u8>> {
    Ok(hicp_report::pdf::render(input)?)
}

#[cfg(not(feature = "pdf"))]
fn render_pdf(_input: &ReportInput<'_>) -> AppResult<Vec<u8>> {
    Err(crate::AppError::NotBuilt(
        "this hicp was built without PDF support (the `pdf` feature); rebuild with default features, or use the HTML report and print it to PDF",
    ))
}

fn json(value: &serde_json::Value) -> AppResult<Vec<u8>> {
    let mut bytes = serde_json::to_vec_pretty(value).map_err(hicp_report::ReportError::from)?;
    bytes.push(b'\n');
    Ok(bytes)
}
