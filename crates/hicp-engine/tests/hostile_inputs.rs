//! Hostile assessment and methodology texts: each limit is met with the input that tests it, and
//! each refusal names the file, line, column and key (or says why it cannot).

use hicp_catalog::Catalog;
use hicp_engine::input::{MAX_ASSESSMENT_BYTES, parse_assessment};
use hicp_engine::methodology::{BandTable, MAX_METHODOLOGY_BYTES, TierTable};
use hicp_engine::methodology::{MAX_DOLLARS, MAX_STAFF_DAYS};
use hicp_engine::{Budget, EvaluationOptions, Methodology, evaluate};
use hicp_input::{Problem, Problems};

fn catalog() -> Catalog {
    Catalog::embedded().expect("the embedded catalog loads")
}

fn assessment_problems(text: &str) -> Problems {
    parse_assessment(text, "hostile.toml", &catalog()).expect_err("the file is refused")
}

fn methodology_problems(text: &str) -> Problems {
    Methodology::from_toml_str(text, "method.toml").expect_err("the file is refused")
}

fn find<'p>(problems: &'p Problems, key: &str) -> &'p Problem {
    problems
        .iter()
        .find(|p| p.key == key)
        .unwrap_or_else(|| panic!("no problem at {key}:\n{problems}"))
}

const HEADER: &str = "[organization]\nname = \"Clinic\"\n";

// ---- the assessment file ---------------------------------------------------------------------

#[test]
fn an_oversized_assessment_is_refused_unparsed() {
    let mut text = String::from(HEADER);
    let filler = "# padding\n";
    while text.len() as u64 <= MAX_ASSESSMENT_BYTES {
        text.push_str(filler);
    }
    let problems = assessment_problems(&text);
    assert_eq!(problems.len(), 1, "{problems}");
    let problem = &problems.problems[0];
    assert_eq!((problem.line, problem.key.as_str()), (None, ""));
    assert!(
        problem
            .message
            .contains(&format!("more than the {MAX_ASSESSMENT_BYTES} allowed")),
        "{problem}"
    );
}

#[test]
fn numbers_too_large_for_their_field_are_refused_with_their_key() {
    let text = format!(
        "{HEADER}\n[organization.sizing]\nbeds = 4294967296\nproviders = -3\n\n[organization.exposure]\nphi_records = 9223372036854775807\n"
    );
    let problems = assessment_problems(&text);
    assert_eq!(problems.len(), 2, "{problems}");
    let beds = find(&problems, "organization.sizing.beds");
    assert_eq!((beds.line, beds.column), (Some(5), Some(8)));
    assert!(beds.message.contains("from 0 to 4294967295"), "{beds}");
    assert_eq!(
        find(&problems, "organization.sizing.providers").line,
        Some(6)
    );

    // Past what any integer type holds: still placed and named.
    let problems = assessment_problems(&format!(
        "{HEADER}\n[organization.sizing]\nbeds = 99999999999999999999999\n"
    ));
    let beds = find(&problems, "organization.sizing.beds");
    assert_eq!(beds.line, Some(5));
    assert!(beds.message.contains("from 0 to 4294967295"), "{beds}");
}

#[test]
fn duplicate_keys_and_tables_are_refused_where_they_repeat() {
    let problems = assessment_problems("[organization]\nname = \"A\"\nname = \"B\"\n");
    assert_eq!(problems.problems[0].line, Some(3), "{problems}");
    assert!(
        problems.problems[0].message.contains("duplicate"),
        "{problems}"
    );
    let problems = assessment_problems(&format!(
        "{HEADER}\n[answers.\"1.S.A\"]\nstatus = \"implemented\"\n\n[answers.\"1.S.A\"]\nstatus = \"planned\"\n"
    ));
    assert_eq!(problems.problems[0].line, Some(7), "{problems}");
}

#[test]
fn deep_nesting_is_a_syntax_problem_not_a_stack_overflow() {
    let depth = 100_000;
    let arrays = format!("{HEADER}x = {}{}\n", "[".repeat(depth), "]".repeat(depth));
    let problems = assessment_problems(&arrays);
    assert!(problems.len() <= 51, "{} problems", problems.len());
    assert!(
        problems.iter().any(|p| p.line == Some(3)),
        "placed on the line of the nesting:\n{problems}"
    );
    let tables = format!(
        "{HEADER}x = {}1{}\n",
        "{a = ".repeat(depth),
        "}".repeat(depth)
    );
    assert!(!assessment_problems(&tables).is_empty());
    let header = format!("{HEADER}[{}]\n", vec!["a"; 10_000].join("."));
    assert!(!assessment_problems(&header).is_empty());
}

#[test]
fn a_file_of_garbage_reports_a_bounded_number_of_problems() {
    // The size of the largest file allowed: searched for errors only near the first one, so
    // the parser's list of errors (one or more a line) stays small.
    let line = "= = not toml\n";
    let garbage = line.repeat(usize::try_from(MAX_ASSESSMENT_BYTES).expect("fits") / line.len());
    let problems = assessment_problems(&garbage);
    assert_eq!(problems.len(), 51, "50 placed, then a count of the rest");
    // Whole-file problems sort first: the count, then the placed ones from line 1.
    assert_eq!(problems.problems[1].line, Some(1));
    let last = problems.iter().find(|p| p.line.is_none()).expect("a count");
    assert!(
        last.message
            .contains("more syntax problems are not shown, and more may follow line"),
        "{last}"
    );
    // A few errors in a short file: all shown, no count.
    let problems = assessment_problems(&format!(
        "{HEADER}= 1
name = \"x\"\n= 2\n"
    ));
    assert!(problems.iter().all(|p| p.line.is_some()), "{problems}");
    assert!(problems.len() >= 2, "{problems}");
}

#[test]
fn unknown_keys_get_did_you_mean_hints() {
    let text = format!(
        "{HEADER}\n[organization.sizing]\nprovders = 3\n\n[organization.exposure]\nremote_acess = true\n"
    );
    let problems = assessment_problems(&text);
    let sizing = find(&problems, "organization.sizing.provders");
    assert_eq!(sizing.hint.as_deref(), Some("did you mean `providers`?"));
    assert_eq!((sizing.line, sizing.column), (Some(5), Some(1)));
    let exposure = find(&problems, "organization.exposure.remote_acess");
    assert_eq!(
        exposure.hint.as_deref(),
        Some("did you mean `remote_access`?")
    );
    assert!(exposure.message.contains("`patient_portal`"), "{exposure}");
}

// ---- the methodology file --------------------------------------------------------------------

#[test]
fn an_oversized_methodology_is_refused_unparsed() {
    let text = "#".repeat(usize::try_from(MAX_METHODOLOGY_BYTES).expect("fits") + 1);
    let problems = methodology_problems(&text);
    assert_eq!(problems.len(), 1, "{problems}");
    assert!(
        problems.problems[0]
            .message
            .contains(&format!("more than the {MAX_METHODOLOGY_BYTES} allowed")),
        "{problems}"
    );
    assert!(
        problems
            .to_string()
            .starts_with("the methodology file method.toml has 1 problem;"),
        "{problems}"
    );
}

#[test]
fn absurd_money_and_staff_days_are_refused_with_their_key_path() {
    // The tables are given whole (each tier, each band); one figure per table is absurd.
    let tables = |dollars: u64, days: u32| {
        format!(
            "[cost.dollars.small]\nlow = 1\nmedium = 2\nhigh = {dollars}\n\
             [cost.dollars.medium]\nlow = 1\nmedium = 2\nhigh = 3\n\
             [cost.dollars.large]\nlow = 1\nmedium = 2\nhigh = 3\n\
             [cost.staff_days.small]\nlow = 1\nmedium = 2\nhigh = 3\n\
             [cost.staff_days.medium]\nlow = 1\nmedium = 2\nhigh = 3\n\
             [cost.staff_days.large]\nlow = 1\nmedium = {days}\nhigh = 3\n"
        )
    };
    let problems = methodology_problems(&tables(MAX_DOLLARS + 1, MAX_STAFF_DAYS + 1));
    assert_eq!(problems.len(), 2, "{problems}");
    let dollars = find(&problems, "cost.dollars.small.high");
    assert_eq!((dollars.line, dollars.column), (Some(4), Some(8)));
    assert!(
        dollars
            .message
            .contains(&format!("the {MAX_DOLLARS} allowed")),
        "{dollars}"
    );
    assert_eq!(
        find(&problems, "cost.staff_days.large.medium").line,
        Some(23)
    );

    // The limits themselves are allowed.
    let text = tables(MAX_DOLLARS, MAX_STAFF_DAYS);
    Methodology::from_toml_str(&text, "method.toml").expect("at the limit is allowed");
}

#[test]
fn numbers_past_their_type_or_not_numbers_at_all_are_placed() {
    // Wider than staff-days can be: serde's type error, placed and named.
    // A type error stops serde at once, wherever the rest of the table is.
    let problems = methodology_problems("[cost.staff_days.small]\nlow = 5000000000\n");
    let days = find(&problems, "cost.staff_days.small.low");
    assert_eq!(days.line, Some(2), "{problems}");
    let problems = methodology_problems("[cost.dollars.medium]\nlow = -1\n");
    assert_eq!(find(&problems, "cost.dollars.medium.low").line, Some(2));
    // A table given in part: named by its header.
    let problems = methodology_problems("[cost.effort_units]\nlow = 1\n");
    let table = find(&problems, "cost.effort_units");
    assert_eq!(table.line, Some(1));
    assert!(table.message.contains("missing field `medium`"), "{table}");
    // TOML's nan and inf are numbers, but no share or level.
    let problems = methodology_problems(
        "[risk]\ncontrol_efficacy = nan\n\n[cost.cost_units]\nlow = inf\nmedium = 1\nhigh = 2\n",
    );
    assert_eq!(find(&problems, "risk.control_efficacy").line, Some(2));
    assert_eq!(find(&problems, "cost.cost_units.low").line, Some(5));
}

#[test]
fn every_unknown_methodology_key_is_reported_at_once_with_a_hint() {
    let problems = methodology_problems(
        "[risk]\ncontrol_eficacy = 0.5\n\n[plan]\nperiod = 3\n\n[[threats]]\nthreat = 1\nlikelyhood = 3.0\n\n[colour]\nx = 1\n",
    );
    assert_eq!(problems.len(), 4, "{problems}");
    let hints: Vec<(Option<usize>, &str, Option<&str>)> = problems
        .iter()
        .map(|p| (p.line, p.key.as_str(), p.hint.as_deref()))
        .collect();
    assert_eq!(
        hints,
        vec![
            (
                Some(2),
                "risk.control_eficacy",
                Some("did you mean `control_efficacy`?")
            ),
            (Some(5), "plan.period", Some("did you mean `periods`?")),
            (
                Some(9),
                "threats[0].likelyhood",
                Some("did you mean `likelihood`?")
            ),
            (Some(11), "colour", None),
        ]
    );
    assert!(
        problems.problems[0].message.contains("`max_level`"),
        "the allowed keys are listed: {problems}"
    );
}

#[test]
fn a_broken_rule_is_placed_where_the_text_sets_it_or_its_table() {
    let problems = methodology_problems(
        "# an override\n[status_values]\npartial = 0.9\nimplemented = 1.5\n\n[risk]\ncontrol_efficacy = 1.0\n",
    );
    let placed: Vec<(Option<usize>, &str)> =
        problems.iter().map(|p| (p.line, p.key.as_str())).collect();
    assert_eq!(
        placed,
        vec![
            // partial (0.9) above the default largely (0.75): at partial.
            (Some(3), "status_values.partial"),
            (Some(4), "status_values.implemented"),
            (Some(7), "risk.control_efficacy"),
        ]
    );
    // A value left at its default that now breaks a rule (the default partial, 0.4, is above
    // the new largely): placed at its table, the nearest thing the text has.
    let problems = methodology_problems("# lower the top\n[status_values]\nlargely = 0.3\n");
    let placed: Vec<(Option<usize>, &str)> =
        problems.iter().map(|p| (p.line, p.key.as_str())).collect();
    assert_eq!(
        placed,
        vec![(Some(2), "status_values.partial")],
        "{problems}"
    );
    assert!(
        problems.problems[0]
            .message
            .contains("0.4 is above status_values.largely (0.3)"),
        "{problems}"
    );
}

#[test]
fn duplicate_and_deeply_nested_methodology_keys_are_syntax_problems() {
    let problems = methodology_problems("[risk]\nmin_level = 1.0\nmin_level = 2.0\n");
    assert_eq!(problems.problems[0].line, Some(3), "{problems}");
    let deep = format!("x = {}{}\n", "[".repeat(50_000), "]".repeat(50_000));
    let problems = methodology_problems(&deep);
    assert!(problems.len() <= 51 && !problems.is_empty());
}

#[test]
fn too_many_rules_or_milestones_are_refused() {
    let rule = "[[exposure_rules]]\nfact = \"beds\"\nat_least = 1\nthreat = 1\nwhy = \"x\"\n";
    let problems = methodology_problems(&rule.repeat(501));
    assert_eq!(find(&problems, "exposure_rules").line, Some(1));
    let milestone = "[[plan.milestones]]\ntitle = \"m\"\nat = 0.5\n";
    let problems = methodology_problems(&milestone.repeat(21));
    assert!(
        find(&problems, "plan.milestones")
            .message
            .contains("21 milestones")
    );
}

// ---- the planner -----------------------------------------------------------------------------

#[test]
fn the_planner_does_not_overflow_on_an_unvalidated_methodology() {
    // A methodology built in code need not pass the reader's limits: every cost is the largest
    // number there is. Adding two of them must not panic (or wrap around into "it fits").
    let mut methodology = Methodology::default();
    let dollars = BandTable {
        low: u64::MAX,
        medium: u64::MAX,
        high: u64::MAX,
    };
    let days = BandTable {
        low: u32::MAX,
        medium: u32::MAX,
        high: u32::MAX,
    };
    methodology.cost.dollars = TierTable {
        small: dollars,
        medium: dollars,
        large: dollars,
    };
    methodology.cost.staff_days = TierTable {
        small: days,
        medium: days,
        large: days,
    };
    let text = std::fs::read_to_string(format!(
        "{}/../../examples/family-practice.toml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("example exists");
    let assessment = parse_assessment(&text, "family-practice.toml", &catalog())
        .expect("valid")
        .assessment;
    let mut options = EvaluationOptions::new(time::macros::date!(2027 - 01 - 04));
    options.methodology = methodology;
    options.budget = Budget {
        money: Some(u64::MAX),
        staff_days: None,
    };
    let evaluation = evaluate(&catalog(), &assessment, &options);
    let plan = &evaluation.plan;
    assert_eq!(
        plan.items.len() + plan.deferred.len(),
        evaluation.gaps.len()
    );
    for period in &plan.periods {
        // Summed wide: a total that wrapped around would differ.
        let exact: u128 = plan
            .items
            .iter()
            .filter(|i| i.period == period.index)
            .map(|i| u128::from(i.estimated_cost))
            .sum();
        assert_eq!(u128::from(period.money), exact, "{}", period.label);
    }
    assert!(
        !plan.deferred.is_empty(),
        "only a few such items fit in a period, and there are 8 periods"
    );
    assert!(
        evaluation
            .warnings
            .iter()
            .any(|w| w.message.contains("cost.dollars.small.low")),
        "the broken limits are warned about"
    );
}
