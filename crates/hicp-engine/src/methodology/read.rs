//! Reading a methodology override from TOML, with every problem placed by line, column and key.
//!
//! Three passes over one parse: the keys (every unknown key at once, each with "did you mean"),
//! the types (serde, which stops at the first), then the rules the numbers must keep
//! ([`Methodology::findings`]), each placed where the text sets the value or, for a value left
//! at its default, where the text sets its table.

use hicp_input::Problems;
use serde::Deserialize as _;
use toml::de::{DeTable, DeValue};

use super::{Finding, Methodology};
use crate::reading::{Findings, KeyIndex, Value, span_of};

/// The largest methodology override read. The full default methodology is under 10 KB; a
/// megabyte leaves room for long explanations and is still parsed in milliseconds.
pub const MAX_METHODOLOGY_BYTES: u64 = 1024 * 1024;

/// How a methodology file is named in the headline of its problems.
const WHAT: &str = "the methodology file";

/// A methodology read from its text, or every problem that stops it being used.
pub type MethodologyResult = Result<Methodology, Problems>;

impl Methodology {
    /// Reads a methodology override: keys left out keep their defaults. `source_name` (usually
    /// the file name) names the file in each problem. A text over [`MAX_METHODOLOGY_BYTES`] is
    /// refused unparsed.
    pub fn from_toml_str(text: &str, source_name: &str) -> MethodologyResult {
        let mut findings = Findings::new(text, source_name);
        let Some(document) = findings.parse(text, MAX_METHODOLOGY_BYTES, "the file") else {
            return Err(findings.into_problems(WHAT));
        };
        check_keys(&mut findings, document.get_ref(), "", SCHEMA);
        if !findings.is_empty() {
            return Err(findings.into_problems(WHAT));
        }
        let root = document.get_ref().clone();
        let methodology = match Methodology::deserialize(toml::de::Deserializer::from(document)) {
            Ok(methodology) => methodology,
            Err(error) => {
                let span = error.span();
                let keys = KeyIndex::new(&root);
                let key = span.as_ref().map_or("", |span| keys.key_of(span));
                findings.push(
                    span.clone(),
                    key,
                    format!(
                        "{}; docs/methodology.md lists every key and its type",
                        error.message().trim_end()
                    ),
                    None,
                );
                return Err(findings.into_problems(WHAT));
            }
        };
        place(&mut findings, &root, methodology.findings());
        if findings.is_empty() {
            Ok(methodology)
        } else {
            Err(findings.into_problems(WHAT))
        }
    }

    /// The rules a methodology built in code (or kept in a database) breaks, as problems
    /// without a line: [`Methodology::findings`] under `source_name`.
    pub fn validate(&self, source_name: &str) -> Result<(), Problems> {
        let mut findings = Findings::new("", source_name);
        for Finding { key, message } in self.findings() {
            findings.push(None, &key, message, None);
        }
        if findings.is_empty() {
            Ok(())
        } else {
            Err(findings.into_problems(WHAT))
        }
    }
}

fn place(findings: &mut Findings<'_>, root: &DeTable<'_>, found: Vec<Finding>) {
    for Finding { key, message } in found {
        let span = span_of(root, &key);
        findings.push(span, &key, message, None);
    }
}

/// The keys a methodology file may use, table by table. Serde refuses unknown keys too, but
/// only the first; walking this finds them all. A test checks it against the structs.
#[derive(Debug, Clone, Copy)]
enum Shape {
    Value,
    Table(&'static [(&'static str, Shape)]),
    /// An array of tables (`[[threats]]`).
    Tables(&'static [(&'static str, Shape)]),
}

use Shape::{Table, Tables, Value as V};

const BANDS: Shape = Table(&[("low", V), ("medium", V), ("high", V)]);
const TIERS_OF_BANDS: Shape = Table(&[("small", BANDS), ("medium", BANDS), ("large", BANDS)]);
const SIZES: Shape = Table(&[
    ("providers", V),
    ("beds", V),
    ("workforce", V),
    ("dedicated_it_staff", V),
    ("endpoints", V),
    ("sites", V),
]);

const SCHEMA: &[(&str, Shape)] = &[
    (
        "status_values",
        Table(&[
            ("not_implemented", V),
            ("planned", V),
            ("partial", V),
            ("largely", V),
            ("implemented", V),
            ("unknown", V),
        ]),
    ),
    ("tier", Table(&[("medium", SIZES), ("large", SIZES)])),
    (
        "threats",
        Tables(&[("threat", V), ("likelihood", V), ("impact", V)]),
    ),
    (
        "exposure_rules",
        Tables(&[
            ("fact", V),
            ("at_least", V),
            ("at_most", V),
            ("is", V),
            ("threat", V),
            ("likelihood", V),
            ("impact", V),
            ("why", V),
        ]),
    ),
    (
        "risk",
        Table(&[("control_efficacy", V), ("min_level", V), ("max_level", V)]),
    ),
    (
        "cost",
        Table(&[
            ("cost_units", BANDS),
            ("effort_units", BANDS),
            ("dollars", TIERS_OF_BANDS),
            ("staff_days", TIERS_OF_BANDS),
            ("min_remaining_work", V),
        ]),
    ),
    (
        "plan",
        Table(&[
            ("period_months", V),
            ("periods", V),
            ("min_days_left_in_first_period", V),
            ("milestones", Tables(&[("title", V), ("at", V)])),
        ]),
    ),
    (
        "history",
        Table(&[("in_place_from", V), ("months_required", V)]),
    ),
];

/// Reports every unknown key in `table` and below. A value of the wrong type is left to serde,
/// which names the type it expected.
fn check_keys(
    findings: &mut Findings<'_>,
    table: &DeTable<'_>,
    path: &str,
    allowed: &[(&str, Shape)],
) {
    let names: Vec<&str> = allowed.iter().map(|(name, _)| *name).collect();
    findings.unknown_keys(table, path, &names);
    for (name, shape) in allowed {
        let Some(value) = table.get(*name) else {
            continue;
        };
        let inner = crate::reading::join_path(path, name);
        check_value(findings, value, &inner, *shape);
    }
}

fn check_value(findings: &mut Findings<'_>, value: &Value<'_>, path: &str, shape: Shape) {
    match (shape, value.get_ref()) {
        (Table(allowed), DeValue::Table(table)) => check_keys(findings, table, path, allowed),
        (Tables(allowed), DeValue::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                if let DeValue::Table(table) = item.get_ref() {
                    check_keys(findings, table, &format!("{path}[{i}]"), allowed);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::methodology::{ExposureRule, Fact};

    #[test]
    fn the_key_list_covers_every_field_the_structs_write() {
        // Serialization leaves out fields that are `None`, so set every optional one.
        let mut full = Methodology::default();
        full.exposure_rules.push(ExposureRule {
            fact: Fact::Beds,
            at_least: Some(1),
            at_most: Some(2),
            is: Some(true),
            threat: 1,
            likelihood: 0.0,
            impact: 0.0,
            why: "test".to_string(),
        });
        let text = toml::to_string(&full).expect("serializes");
        let document = DeTable::parse(&text).expect("parses");
        let mut findings = Findings::new(&text, "full.toml");
        check_keys(&mut findings, document.get_ref(), "", SCHEMA);
        assert!(
            findings.is_empty(),
            "{}",
            findings.into_problems("the methodology")
        );
    }
}
