//! docs/methodology.md prints the default methodology as TOML; it must be exactly the defaults,
//! and the `--methodology` example in the same page must be a valid override.

use hicp_engine::Methodology;

fn toml_blocks(doc: &str) -> Vec<&str> {
    doc.split("```toml\n")
        .skip(1)
        .filter_map(|rest| rest.split("```").next())
        .collect()
}

#[test]
fn the_documented_defaults_are_the_defaults() {
    let path = format!("{}/../../docs/methodology.md", env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(&path).expect("docs/methodology.md exists");
    let blocks = toml_blocks(&doc);
    assert_eq!(blocks.len(), 2, "an override example and the appendix");
    let example = Methodology::from_toml_str(blocks[0], "override example").expect("valid");
    assert_eq!(example.risk.control_efficacy, 0.6);
    assert_eq!(example.plan.period_months, 6);
    let appendix = Methodology::from_toml_str(blocks[1], "appendix").expect("valid");
    assert_eq!(appendix, Methodology::default());
}
