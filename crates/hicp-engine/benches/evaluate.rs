//! Full evaluation and plan of the large example (71 sub-practices, history, a budget), and the
//! parse of its file. Run with `cargo bench -p hicp-engine`.

use hicp_catalog::Catalog;
use hicp_engine::input::parse_assessment;
use hicp_engine::{Budget, EvaluationOptions, evaluate};
use time::macros::date;

const HEALTH_SYSTEM: &str = include_str!("../../../examples/health-system.toml");

fn main() {
    divan::main();
}

#[divan::bench]
fn evaluate_large_with_plan(bencher: divan::Bencher) {
    let catalog = Catalog::embedded().expect("catalog");
    let assessment = parse_assessment(HEALTH_SYSTEM, "health-system.toml", &catalog)
        .expect("example is valid")
        .assessment;
    let mut options = EvaluationOptions::new(date!(2026 - 12 - 01));
    options.budget = Budget {
        money: Some(2_000_000),
        staff_days: Some(400),
    };
    bencher.bench(|| {
        evaluate(
            divan::black_box(&catalog),
            divan::black_box(&assessment),
            &options,
        )
    });
}

#[divan::bench]
fn parse_large_assessment_file(bencher: divan::Bencher) {
    let catalog = Catalog::embedded().expect("catalog");
    bencher.bench(|| {
        parse_assessment(
            divan::black_box(HEALTH_SYSTEM),
            "health-system.toml",
            &catalog,
        )
    });
}
