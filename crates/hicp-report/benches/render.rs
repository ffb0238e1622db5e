//! Rendering time of the non-PDF formats for the large example (a multi-hospital health system),
//! evaluated once up front: `cargo bench -p hicp-report --bench render`.

use std::path::Path;
use std::sync::LazyLock;

use hicp_catalog::Catalog;
use hicp_engine::{Assessment, Evaluation, EvaluationOptions, evaluate, input::parse_assessment};
use hicp_report::ReportInput;
use time::macros::date;

struct Large {
    catalog: Catalog,
    assessment: Assessment,
    evaluation: Evaluation,
}

static LARGE: LazyLock<Large> = LazyLock::new(|| {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/health-system.toml");
    let catalog = Catalog::embedded().expect("the embedded catalog loads");
    let text = std::fs::read_to_string(&path).expect("the large example is readable");
    let assessment = parse_assessment(&text, "health-system.toml", &catalog)
        .expect("the large example parses")
        .assessment;
    let evaluation = evaluate(
        &catalog,
        &assessment,
        &EvaluationOptions::new(date!(2026 - 11 - 01)),
    );
    Large {
        catalog,
        assessment,
        evaluation,
    }
});

fn input() -> ReportInput<'static> {
    ReportInput {
        catalog: &LARGE.catalog,
        assessment: &LARGE.assessment,
        evaluation: &LARGE.evaluation,
        assessment_label: "benchmark".to_string(),
        generated_on: date!(2026 - 11 - 28),
        evidence: &[],
    }
}

fn main() {
    divan::main();
}

#[divan::bench]
fn html() -> String {
    hicp_report::html::render(divan::black_box(&input()))
}

#[divan::bench]
fn xlsx() -> Vec<u8> {
    hicp_report::xlsx::render(divan::black_box(&input())).expect("renders")
}

#[divan::bench]
fn csv_findings_and_plan() -> (String, String) {
    let input = input();
    (
        hicp_report::csv::findings(divan::black_box(&input)),
        hicp_report::csv::plan(divan::black_box(&input)),
    )
}

#[divan::bench]
fn oscal_assessment_results() -> serde_json::Value {
    hicp_report::oscal::assessment_results(divan::black_box(&input()))
}

#[divan::bench]
fn oscal_poam() -> serde_json::Value {
    hicp_report::oscal::poam(divan::black_box(&input()))
}
