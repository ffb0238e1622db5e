//! The report content built from real evaluations: what the summary says, which actions lead,
//! what the 12-month statement counts, and what the PDF template receives as JSON.

mod common;

use hicp_engine::Status;
use hicp_report::model::{ReportModel, TOP_ACTIONS, dollars};

#[test]
fn top_actions_are_the_best_ranked_gaps() {
    for name in common::EXAMPLES {
        let fixture = common::example(name);
        let model = ReportModel::build(&fixture.input());
        let actions = &model.summary.top_actions;
        assert_eq!(
            actions.len(),
            fixture.evaluation.gaps.len().min(TOP_ACTIONS),
            "{name}"
        );
        let ranks: Vec<usize> = actions.iter().map(|a| a.rank).collect();
        let expected: Vec<usize> = (1..=actions.len()).collect();
        assert_eq!(ranks, expected, "{name}");
        for action in actions {
            let gap = fixture
                .evaluation
                .gaps
                .iter()
                .find(|g| g.id.to_string() == action.id)
                .expect("a gap");
            assert_eq!(action.estimated_cost, gap.estimated_cost);
            let scheduled = fixture
                .evaluation
                .plan
                .items
                .iter()
                .find(|i| i.id == gap.id);
            assert_eq!(
                action.period_label,
                scheduled.map(|i| i.period_label.clone()),
                "{name} {}",
                action.id
            );
        }
    }
}

#[test]
fn the_summary_paragraph_counts_add_up() {
    for name in common::EXAMPLES {
        let fixture = common::example(name);
        let model = ReportModel::build(&fixture.input());
        let evaluation = &fixture.evaluation;
        let paragraph = &model.summary.paragraph;
        assert!(paragraph.starts_with(&evaluation.organization), "{name}");
        assert!(
            paragraph.contains(&format!("Of the {} applicable", model.summary.applicable)),
            "{name}: {paragraph}"
        );
        let expected = evaluation
            .sub_practices
            .iter()
            .filter(|s| !s.going_further && s.status != Status::NotApplicable)
            .count();
        assert_eq!(model.summary.applicable, expected, "{name}");
        assert!(
            paragraph.contains(&dollars(model.plan.total_cost)),
            "{name}"
        );
        let worst = evaluation
            .threats
            .iter()
            .max_by(|a, b| a.residual_risk.total_cmp(&b.residual_risk))
            .expect("threats");
        assert!(
            paragraph.contains(&worst.name.to_lowercase()),
            "{name}: the worst threat is named"
        );
    }
}

#[test]
fn the_summary_names_no_weakest_practice_when_all_score_alike() {
    let mut fixture = common::example(common::EXAMPLES[0]);
    for practice in &mut fixture.evaluation.practices {
        practice.score = Some(100.0);
    }
    let paragraph = ReportModel::build(&fixture.input()).summary.paragraph;
    assert!(
        paragraph.contains("Every practice it was scored on stands at 100.0."),
        "{paragraph}"
    );
    assert!(!paragraph.contains("weakest"), "{paragraph}");
}

#[test]
fn in_place_statement_counts_the_engines_12_month_view() {
    for name in common::EXAMPLES {
        let fixture = common::example(name);
        let model = ReportModel::build(&fixture.input());
        let covered =
            fixture
                .evaluation
                .in_place
                .iter()
                .filter(|p| p.covers_12_months)
                .filter(|p| {
                    fixture.evaluation.sub_practices.iter().any(|s| {
                        s.id == p.id && !s.going_further && s.status != Status::NotApplicable
                    })
                })
                .count();
        assert_eq!(model.in_place.covered, covered, "{name}");
        assert!(
            model
                .in_place
                .statement
                .contains(&format!("{covered} of the {}", model.in_place.applicable))
                || covered == 0,
            "{name}: {}",
            model.in_place.statement
        );
    }
}

#[test]
fn unverified_catalog_entries_in_scope_are_flagged() {
    // The large tier includes 7.L.C, which the catalog carries with a provisional title.
    let fixture = common::example("health-system");
    let model = ReportModel::build(&fixture.input());
    let unverified: Vec<&str> = model
        .catalog_notes
        .unverified
        .iter()
        .map(|u| u.id.as_str())
        .collect();
    assert!(unverified.contains(&"7.L.C"), "{unverified:?}");
    let finding = model
        .findings
        .iter()
        .find(|f| f.id == "7.L.C")
        .expect("7.L.C is in scope");
    assert!(!finding.catalog_verified);
    for entry in &model.catalog_notes.unverified {
        let id = entry.id.parse().expect("an id");
        let catalog_entry = fixture.catalog.sub_practice(&id).expect("in the catalog");
        assert!(!catalog_entry.provenance.verified, "{}", entry.id);
    }
}

#[test]
fn the_model_serializes_with_iso_dates() {
    let fixture = common::example("community-hospital");
    let model = ReportModel::build(&fixture.input());
    let json = serde_json::to_value(&model).expect("serializes");
    assert_eq!(json["header"]["as_of"], "2026-11-01");
    assert_eq!(json["header"]["generated_on"], "2026-11-28");
    let first_period = &json["plan"]["periods"][0];
    assert!(
        first_period["start"]
            .as_str()
            .is_some_and(|d| d.len() == 10 && d.as_bytes()[4] == b'-'),
        "{first_period}"
    );
    assert_eq!(
        json["findings"].as_array().map(Vec::len),
        Some(fixture.evaluation.sub_practices.len())
    );
    // Every scheduled item lands in exactly one period.
    let items: usize = model.plan.periods.iter().map(|p| p.items.len()).sum();
    assert_eq!(items, fixture.evaluation.plan.items.len());
}

#[test]
fn crosswalk_rows_carry_the_catalogs_mappings() {
    let fixture = common::example("community-hospital");
    let model = ReportModel::build(&fixture.input());
    assert_eq!(model.crosswalk.len(), model.findings.len());
    for row in &model.crosswalk {
        let entry = fixture
            .catalog
            .sub_practice(&row.id.parse().expect("an id"))
            .expect("in the catalog");
        assert_eq!(row.csf2, entry.csf2);
        assert_eq!(row.hipaa, entry.hipaa);
        assert_eq!(row.cpg, entry.cpg);
    }
}

#[test]
fn dollars_are_grouped_by_thousands() {
    assert_eq!(dollars(0), "$0");
    assert_eq!(dollars(999), "$999");
    assert_eq!(dollars(1_000), "$1,000");
    assert_eq!(dollars(1_234_567), "$1,234,567");
}
