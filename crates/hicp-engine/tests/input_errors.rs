//! Bad assessment files: every class of problem is reported with file, line and key, all at once.

use hicp_catalog::Catalog;
use hicp_engine::Status;
use hicp_engine::input::{parse_assessment, to_toml};
use hicp_input::Problems;

fn catalog() -> Catalog {
    Catalog::embedded().expect("the embedded catalog loads")
}

fn problems(text: &str) -> Problems {
    parse_assessment(text, "clinic.toml", &catalog()).expect_err("the file has problems")
}

/// (line, key) of each problem, in order.
fn located(error: &Problems) -> Vec<(usize, String)> {
    error
        .problems
        .iter()
        .map(|p| (p.line.unwrap_or(0), p.key.clone()))
        .collect()
}

const HEADER: &str = "[organization]\nname = \"Clinic\"\n\n[organization.sizing]\nproviders = 3\n";

#[test]
fn an_unknown_sub_practice_id_is_named_with_its_line() {
    let error = problems(&format!(
        "{HEADER}\n[answers.\"1.S.Z\"]\nstatus = \"implemented\"\n"
    ));
    assert_eq!(located(&error), vec![(7, "answers.\"1.S.Z\"".to_string())]);
    let message = &error.problems[0].message;
    assert!(
        message.contains("`1.S.Z` is not a sub-practice id"),
        "{message}"
    );
    assert!(message.contains("hicp catalog list"), "{message}");
    assert_eq!(error.problems[0].file, "clinic.toml");
}

#[test]
fn a_lower_case_id_gets_a_suggestion() {
    let error = problems(&format!(
        "{HEADER}\n[answers.\"1.s.a\"]\nstatus = \"implemented\"\n"
    ));
    assert_eq!(
        error.problems[0].hint.as_deref(),
        Some("did you mean `1.S.A`?"),
        "{error}"
    );
}

#[test]
fn an_unknown_status_lists_the_valid_ones() {
    let error = problems(&format!(
        "{HEADER}\n[answers.\"1.S.A\"]\nstatus = \"done\"\n"
    ));
    assert_eq!(
        located(&error),
        vec![(8, "answers.\"1.S.A\".status".to_string())]
    );
    assert!(error.problems[0].message.contains("unknown status `done`"));
    assert!(
        error.problems[0]
            .message
            .contains("not_implemented, planned, partial")
    );
}

#[test]
fn not_applicable_needs_a_justification() {
    let error = problems(&format!(
        "{HEADER}\n[answers.\"9.S.A\"]\nstatus = \"not_applicable\"\n"
    ));
    assert_eq!(
        located(&error),
        vec![(7, "answers.\"9.S.A\".justification".to_string())]
    );
    assert!(error.problems[0].message.contains("needs a justification"));
    let blank = problems(&format!(
        "{HEADER}\n[answers.\"9.S.A\"]\nstatus = \"not_applicable\"\njustification = \"  \"\n"
    ));
    assert_eq!(blank.problems.len(), 1);
}

#[test]
fn all_questions_not_applicable_needs_a_justification_too() {
    let text = format!(
        "{HEADER}\n[answers.\"6.S.C\"]\nowner = \"IT\"\n\n[answers.\"6.S.C\".questions]\nips-enabled = \"not_applicable\"\nips-updates-current = \"not_applicable\"\nalerts-watched = \"not_applicable\"\n"
    );
    let error = problems(&text);
    assert_eq!(error.problems.len(), 1, "{error}");
    assert!(
        error.problems[0].message.contains("through its questions"),
        "{error}"
    );
}

#[test]
fn an_unknown_question_key_lists_the_real_ones() {
    let error = problems(&format!(
        "{HEADER}\n[answers.\"5.S.A\"]\nstatus = \"partial\"\n\n[answers.\"5.S.A\".questions]\ndevice-lists = \"implemented\"\n"
    ));
    assert_eq!(
        located(&error),
        vec![(11, "answers.\"5.S.A\".questions.device-lists".to_string())]
    );
    let message = &error.problems[0].message;
    assert_eq!(
        error.problems[0].hint.as_deref(),
        Some("did you mean `device-list`?")
    );
    assert!(message.contains("`yearly-check`"), "{message}");
}

#[test]
fn a_malformed_date_is_named_whether_quoted_or_not() {
    let error = problems(&format!(
        "{HEADER}\n[answers.\"1.S.A\"]\nstatus = \"implemented\"\nsince = \"March 2025\"\n"
    ));
    assert_eq!(
        located(&error),
        vec![(9, "answers.\"1.S.A\".since".to_string())]
    );
    assert!(error.problems[0].message.contains("2025-03-01"));
    // An impossible TOML date is a syntax error, still with its line.
    let error = problems(&format!(
        "{HEADER}\n[answers.\"1.S.A\"]\nstatus = \"implemented\"\nsince = 2025-13-01\n"
    ));
    assert_eq!(error.problems[0].line, Some(9), "{error}");
    assert_eq!(error.problems[0].key, "answers.\"1.S.A\".since");
    assert!(error.problems[0].message.contains("fix the TOML syntax"));
}

#[test]
fn a_misspelt_key_gets_a_suggestion() {
    let error = problems(&format!(
        "{HEADER}\n[answers.\"1.S.A\"]\nstauts = \"implemented\"\n"
    ));
    let keys = located(&error);
    assert!(
        keys.contains(&(8, "answers.\"1.S.A\".stauts".to_string())),
        "{error}"
    );
    let typo = error
        .problems
        .iter()
        .find(|p| p.key.ends_with("stauts"))
        .expect("typo reported");
    assert_eq!(typo.hint.as_deref(), Some("did you mean `status`?"));
    assert!(typo.message.contains("`justification`"), "{}", typo.message);
    // With the status misspelt the answer has no status either; that is reported as well.
    assert!(
        keys.contains(&(7, "answers.\"1.S.A\"".to_string())),
        "{error}"
    );
    let error = problems("[organisation]\nname = \"x\"\n");
    assert!(
        error.to_string().contains("did you mean `organization`?"),
        "{error}"
    );
}

#[test]
fn every_problem_in_a_file_is_reported_in_line_order() {
    let text = format!(
        "{HEADER}beds = -1\n\n[organization.exposure]\nremote_access = \"yes\"\n\n\
         [answers.\"1.S.A\"]\nstatus = \"done\"\n\n[answers.\"2.S.Q\"]\nstatus = \"implemented\"\n\n\
         [[history]]\nid = \"1.S.A\"\nstatus = \"implemented\"\ndate = \"yesterday\"\n"
    );
    let error = problems(&text);
    assert_eq!(
        located(&error),
        vec![
            (6, "organization.sizing.beds".to_string()),
            (9, "organization.exposure.remote_access".to_string()),
            (12, "answers.\"1.S.A\".status".to_string()),
            (14, "answers.\"2.S.Q\"".to_string()),
            (20, "history[0].date".to_string()),
        ]
    );
    let shown = error.to_string();
    assert!(
        shown.starts_with("the assessment file clinic.toml has 5 problems; nothing was used."),
        "{shown}"
    );
    assert!(
        shown.contains("  clinic.toml:12:10: answers.\"1.S.A\".status: unknown status `done`"),
        "{shown}"
    );
}

#[test]
fn a_missing_organization_name_and_a_syntax_error_are_reported() {
    let error = problems("[organization]\ntier = \"small\"\n");
    assert_eq!(located(&error), vec![(1, "organization.name".to_string())]);
    let error = problems("[organization]\nname = \"Clinic\n");
    assert!(error.problems[0].message.contains("fix the TOML syntax"));
    assert_eq!(error.problems[0].line, Some(2));
}

#[test]
fn answers_outside_the_tier_are_kept_with_a_warning() {
    let text = format!("{HEADER}\n[answers.\"3.M.D\"]\nstatus = \"implemented\"\n");
    let parsed = parse_assessment(&text, "clinic.toml", &catalog()).expect("valid");
    assert_eq!(parsed.assessment.answers.len(), 1);
    assert_eq!(parsed.warnings.len(), 1);
    let message = &parsed.warnings[0].message;
    assert!(
        message.starts_with("clinic.toml:7:10: answers.\"3.M.D\":"),
        "{message}"
    );
    assert!(message.contains("going further"), "{message}");
}

#[test]
fn an_answer_may_be_given_by_its_questions_alone() {
    let text = format!(
        "{HEADER}\n[answers.\"5.S.A\".questions]\ndevice-list = \"implemented\"\nyearly-check = \"partial\"\n"
    );
    let parsed = parse_assessment(&text, "clinic.toml", &catalog()).expect("valid");
    let answer = &parsed.assessment.answers[&"5.S.A".parse().expect("id")];
    assert_eq!(answer.status, Status::Unknown);
    assert_eq!(answer.questions.len(), 2);
}

#[test]
fn the_examples_round_trip_through_to_toml() {
    let catalog = catalog();
    for name in ["family-practice", "community-hospital", "health-system"] {
        let path = format!("{}/../../examples/{name}.toml", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).expect("example exists");
        let parsed = parse_assessment(&text, &path, &catalog).expect("example is valid");
        let written = to_toml(&parsed.assessment);
        let again =
            parse_assessment(&written, "written.toml", &catalog).expect("written file is valid");
        assert_eq!(again.assessment, parsed.assessment, "{name}");
    }
}
