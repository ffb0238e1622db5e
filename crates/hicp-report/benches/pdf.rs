//! Time to produce the full PDF report for the large example (target: under 1 s of CPU on one
//! core). Run with `cargo bench -p hicp-report --bench pdf`; figures go in docs/performance.md.

use std::path::Path;

use hicp_catalog::Catalog;
use hicp_engine::input::parse_assessment;
use hicp_engine::{Assessment, Evaluation, EvaluationOptions, evaluate};
use hicp_report::{ReportInput, pdf};
use time::macros::date;

fn main() {
    divan::main();
}

struct Large {
    catalog: Catalog,
    assessment: Assessment,
    evaluation: Evaluation,
}

fn large() -> Large {
    let catalog = Catalog::embedded().expect("the embedded catalog loads");
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/health-system.toml");
    let text = std::fs::read_to_string(&path).expect("the large example is readable");
    let assessment = parse_assessment(&text, "health-system.toml", &catalog)
        .expect("the large example parses")
        .assessment;
    let evaluation = evaluate(
        &catalog,
        &assessment,
        &EvaluationOptions::new(date!(2026 - 11 - 15)),
    );
    Large {
        catalog,
        assessment,
        evaluation,
    }
}

/// One whole report: model, charts, typesetting and PDF export. Each run starts from typst's
/// empty cache (the renderer clears it), as a one-off report in the CLI or server would.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn large_example_pdf(bencher: divan::Bencher) {
    let data = large();
    let input = ReportInput {
        catalog: &data.catalog,
        assessment: &data.assessment,
        evaluation: &data.evaluation,
        assessment_label: "2026 annual assessment".to_string(),
        generated_on: date!(2026 - 11 - 28),
        evidence: &[],
    };
    bencher.bench_local(|| pdf::render(&input).expect("the large example renders"));
}
