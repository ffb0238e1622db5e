//! An assessment evaluated: from a file, or from the store.

use std::path::Path;

use hicp_catalog::Catalog;
use hicp_engine::{Assessment, Evaluation, Methodology, Warning, evaluate};
use hicp_report::{EvidenceMetric, ReportInput};
use hicp_store::Store;
use time::Date;
use uuid::Uuid;

use crate::error::AppResult;
use crate::inputs::{file_label, read_assessment};
use crate::planning::Planning;

/// An assessment, its evaluation, and what the user should know about both.
#[derive(Debug, Clone)]
pub struct Evaluated {
    pub assessment: Assessment,
    pub evaluation: Evaluation,
    /// What the file reader noticed (answers beyond the tier and the like); the evaluation's
    /// own warnings are in `evaluation.warnings`.
    pub reader_warnings: Vec<Warning>,
    /// How the assessment is named when nobody gives a label: the file name, or the stored title.
    pub label: String,
    /// Metrics from the organization's kept scans and inventories (none for a file).
    pub evidence: Vec<EvidenceMetric>,
}

impl Evaluated {
    /// Every warning, the reader's first.
    pub fn warnings(&self) -> impl Iterator<Item = &Warning> {
        self.reader_warnings.iter().chain(&self.evaluation.warnings)
    }

    /// What a renderer is given; `label` overrides the default name.
    pub fn report_input<'a>(
        &'a self,
        catalog: &'a Catalog,
        label: Option<&str>,
        generated_on: Date,
    ) -> ReportInput<'a> {
        ReportInput {
            catalog,
            assessment: &self.assessment,
            evaluation: &self.evaluation,
            assessment_label: label.unwrap_or(&self.label).to_string(),
            generated_on,
            evidence: &self.evidence,
        }
    }
}

/// Reads and evaluates an assessment file.
pub fn evaluate_file(
    path: &Path,
    catalog: &Catalog,
    methodology: Methodology,
    planning: Planning,
    today: Date,
) -> AppResult<Evaluated> {
    let parsed = read_assessment(path, catalog, &methodology)?;
    let options = planning.options(methodology, today);
    Ok(Evaluated {
        evaluation: evaluate(catalog, &parsed.assessment, &options),
        assessment: parsed.assessment,
        reader_warnings: parsed.warnings,
        label: file_label(path),
        evidence: Vec::new(),
    })
}

/// Evaluates a stored assessment of the organization `organization` (id or exact name): the
/// one given, or the latest.
pub async fn evaluate_stored(
    store: &Store,
    catalog: &Catalog,
    organization: &str,
    assessment_id: Option<Uuid>,
    methodology: Methodology,
    planning: Planning,
    today: Date,
) -> AppResult<Evaluated> {
    let organization = store.find_organization(organization).await?;
    let (record, assessment) = store
        .load_assessment(organization.id, assessment_id)
        .await?;
    let options = planning.options(methodology, today);
    let evidence = crate::evidence::report_metrics(store, organization.id).await?;
    Ok(Evaluated {
        evaluation: evaluate(catalog, &assessment, &options),
        assessment,
        reader_warnings: Vec::new(),
        label: record.title,
        evidence,
    })
}
