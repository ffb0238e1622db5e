//! The board-ready PDF: the report model typeset in-process with typst, tagged for accessibility
//! (PDF/UA-1) and archival (PDF/A-2a), with its fonts embedded. No browser, no external program,
//! no file read at run time: the template and fonts are compiled into the binary.

mod typeset;
mod world;

use crate::model::ReportModel;
use crate::{ReportError, ReportInput, charts};

use typeset::{TypesetJob, typeset};

/// Renders the full report as PDF bytes.
pub fn render(input: &ReportInput<'_>) -> Result<Vec<u8>, ReportError> {
    let model = ReportModel::build(input);
    let evaluation = input.evaluation;
    let job = TypesetJob {
        model_json: serde_json::to_string(&model)?,
        files: vec![
            chart("practices", charts::practice_bars_svg(evaluation)),
            chart("heatmap", charts::threat_heatmap_svg(evaluation)),
        ],
        date: input.generated_on,
        ident: format!(
            "hicp report\n{}\n{}\n{}",
            model.header.organization, model.header.assessment_label, model.header.as_of
        ),
    };
    typeset(job).map_err(ReportError::Pdf)
}

/// A chart as the virtual file the template loads (`/charts/NAME.svg`).
fn chart(name: &str, svg: String) -> (String, Vec<u8>) {
    (format!("/charts/{name}.svg"), svg.into_bytes())
}
