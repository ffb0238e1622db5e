//! Shared by the integration tests: real catalog, real assessment files parsed and evaluated by
//! the real engine, at fixed dates so output is reproducible.

#![allow(dead_code)] // Each test binary uses a different part of this module.

use std::path::PathBuf;

use hicp_catalog::Catalog;
use hicp_engine::{Assessment, Evaluation, EvaluationOptions, evaluate, input::parse_assessment};
use hicp_report::ReportInput;
use time::Date;
use time::macros::date;

/// "Today" for every evaluation in the tests.
pub const AS_OF: Date = date!(2026 - 11 - 01);
/// The date printed on every report in the tests.
pub const GENERATED_ON: Date = date!(2026 - 11 - 28);

/// The three example organizations shipped in `examples/`.
pub const EXAMPLES: [&str; 3] = ["family-practice", "community-hospital", "health-system"];

pub struct Fixture {
    pub catalog: Catalog,
    pub assessment: Assessment,
    pub evaluation: Evaluation,
    pub label: String,
}

impl Fixture {
    pub fn input(&self) -> ReportInput<'_> {
        ReportInput {
            catalog: &self.catalog,
            assessment: &self.assessment,
            evaluation: &self.evaluation,
            assessment_label: self.label.clone(),
            generated_on: GENERATED_ON,
            evidence: &[],
        }
    }
}

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn load(path: PathBuf, label: &str) -> Fixture {
    let catalog = Catalog::embedded().expect("the embedded catalog loads");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let parsed = parse_assessment(&text, &path.display().to_string(), &catalog)
        .unwrap_or_else(|e| panic!("{e}"));
    let evaluation = evaluate(&catalog, &parsed.assessment, &EvaluationOptions::new(AS_OF));
    Fixture {
        catalog,
        assessment: parsed.assessment,
        evaluation,
        label: label.to_string(),
    }
}

/// An example from `examples/` (read in place).
pub fn example(name: &str) -> Fixture {
    load(
        workspace_root()
            .join("examples")
            .join(format!("{name}.toml")),
        &format!("{name} example assessment"),
    )
}

/// A small clinic whose free text tries to break out of every output format.
pub fn hostile() -> Fixture {
    load(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hostile-clinic.toml"),
        "2026 self-assessment <b>draft</b>",
    )
}
