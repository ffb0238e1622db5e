//! Typesetting: compile the template in a [`ReportWorld`] and export a tagged PDF, turning typst
//! diagnostics into one readable message.

use std::panic::AssertUnwindSafe;

use typst::diag::{Severity, SourceDiagnostic};
use typst::ecow::EcoVec;
use typst::foundations::{Datetime, Dict, Smart, Value};
use typst::syntax::DiagSpanKind;
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

use super::world::{ReportWorld, TEMPLATE_PATH};

/// What the template needs besides itself.
pub(crate) struct TypesetJob {
    /// The report model as JSON; the template reads it with `json(bytes(sys.inputs.model))`, so
    /// user text is always data and never markup.
    pub model_json: String,
    /// Virtual files (charts) by absolute path, e.g. `/charts/practices.svg`.
    pub files: Vec<(String, Vec<u8>)>,
    pub date: time::Date,
    /// Stable identity of this document (organization, assessment, date): PDF readers use the
    /// derived document id to tell revisions of one report apart from different reports.
    pub ident: String,
}

/// The PDF standards we promise: PDF/A-2a (archival, tagged, fonts embedded) and PDF/UA-1
/// (accessible). typst checks the document against both and refuses to export one that fails.
const STANDARDS: [PdfStandard; 2] = [PdfStandard::A_2a, PdfStandard::Ua_1];

pub(crate) fn typeset(job: TypesetJob) -> Result<Vec<u8>, String> {
    let date = Datetime::from_ymd(job.date.year(), job.date.month().into(), job.date.day())
        .ok_or_else(|| format!("the report date {} is out of range", job.date))?;
    let mut inputs = Dict::new();
    inputs.insert("model".into(), Value::Str(job.model_json.as_str().into()));
    let world = ReportWorld::new(inputs, job.files, date)?;
    // A panic inside typst (a bug on its side, perhaps set off by unusual text) must not take
    // the CLI or a server worker down: it becomes an error like any other.
    let pdf = std::panic::catch_unwind(AssertUnwindSafe(|| {
        compile_and_export(&world, job.ident, date)
    }))
    .unwrap_or_else(|panic| {
        let reason = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no details".to_string());
        Err(format!("the typesetter failed unexpectedly: {reason}"))
    });
    // typst memoizes across compilations; drop what this report left behind, whether it
    // succeeded or not, so a long-running server does not grow with every report it renders.
    typst::comemo::evict(0);
    pdf
}

fn compile_and_export(
    world: &ReportWorld,
    ident: String,
    date: Datetime,
) -> Result<Vec<u8>, String> {
    let document = typst::compile::<PagedDocument>(world)
        .output
        .map_err(|errors| describe(world, "could not lay out the report", &errors))?;
    let standards = PdfStandards::new(&STANDARDS).map_err(|e| e.message().to_string())?;
    let options = PdfOptions {
        ident: Smart::Custom(ident),
        creator: Smart::Custom(Some(format!("hicp {}", env!("CARGO_PKG_VERSION")))),
        timestamp: Some(Timestamp::new_utc(date)),
        standards,
        tagged: true,
        ..PdfOptions::default()
    };
    typst_pdf::pdf(&document, &options)
        .map_err(|errors| describe(world, "could not write the PDF", &errors))
}

/// One message for all errors: what failed, then each diagnostic with its place in the template
/// and typst's hints.
fn describe(world: &ReportWorld, what: &str, diagnostics: &EcoVec<SourceDiagnostic>) -> String {
    let mut message = what.to_string();
    for diagnostic in diagnostics.iter().filter(|d| d.severity == Severity::Error) {
        message.push_str("\n- ");
        if let Some(place) = locate(world, diagnostic) {
            message.push_str(&place);
            message.push_str(": ");
        }
        message.push_str(&diagnostic.message);
        for hint in &diagnostic.hints {
            message.push_str(" (hint: ");
            message.push_str(&hint.v);
            message.push(')');
        }
    }
    message
}

/// `report.typ:LINE:COLUMN` for a diagnostic in the template, if it has a place there.
fn locate(world: &ReportWorld, diagnostic: &SourceDiagnostic) -> Option<String> {
    let source = world.main_source();
    let range = match diagnostic.span.get() {
        DiagSpanKind::Detached => return None,
        DiagSpanKind::Number { id, num, sub_range } if id == source.id() => {
            source.range(num, sub_range)?
        }
        DiagSpanKind::Range { id, range } if id == source.id() => range,
        _ => return None,
    };
    let (line, column) = source.lines().byte_to_line_column(range.start)?;
    Some(format!(
        "{}:{}:{}",
        TEMPLATE_PATH.trim_start_matches('/'),
        line + 1,
        column + 1
    ))
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    fn job(model_json: &str) -> TypesetJob {
        TypesetJob {
            model_json: model_json.to_string(),
            files: Vec::new(),
            date: date!(2026 - 11 - 28),
            ident: "test".to_string(),
        }
    }

    #[test]
    fn a_model_the_template_cannot_read_is_an_error_that_points_into_the_template() {
        let error = typeset(job("{}")).expect_err("an empty model cannot be typeset");
        assert!(error.starts_with("could not lay out the report"), "{error}");
        assert!(
            error.contains("report.typ:"),
            "no template position: {error}"
        );
        assert!(
            error.contains("header"),
            "the missing key is not named: {error}"
        );
    }

    #[test]
    fn text_that_is_not_json_is_an_error_not_a_panic() {
        let error = typeset(job("this is not JSON")).expect_err("not JSON");
        assert!(error.to_lowercase().contains("json"), "{error}");
    }
}
