//! `hicp assess` end to end: the three example files, every output format, and bad input.

use std::path::PathBuf;

use assert_cmd::Command;
use serde_json::Value;

fn example(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(format!("{name}.toml"))
}

fn hicp() -> Command {
    Command::cargo_bin("hicp").expect("the hicp binary is built")
}

fn assess_json(name: &str, extra: &[&str]) -> Value {
    let output = hicp()
        .arg("assess")
        .arg(example(name))
        .args(["--format", "json", "--as-of", "2026-12-01"])
        .args(extra)
        .output()
        .expect("runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("stdout is one JSON object")
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .expect("array")
        .iter()
        .map(|v| v.as_str().expect("string").to_string())
        .collect()
}

/// Every key the documentation promises, with the shape of each list's entries.
fn assert_documented_shape(json: &Value) {
    for key in [
        "schema_version",
        "organization",
        "as_of",
        "catalog_edition",
        "tier",
        "tier_decision",
        "applicable",
        "going_further",
        "unknown",
        "overall",
        "practices",
        "sub_practices",
        "threats",
        "gaps",
        "plan",
        "plan_periods",
        "deferred",
        "budget",
        "in_place",
        "warnings",
    ] {
        assert!(json.get(key).is_some(), "missing key {key}");
    }
    assert_eq!(json["schema_version"], 1);
    assert_eq!(json["as_of"], "2026-12-01");
    assert!(json["tier"].is_string());
    let practices = json["practices"].as_array().expect("practices");
    assert_eq!(practices.len(), 10);
    for p in practices {
        assert!(p["id"].is_u64());
        if let Some(score) = p["score"].as_f64() {
            assert!((0.0..=100.0).contains(&score), "{p}");
        }
    }
    let threats = json["threats"].as_array().expect("threats");
    assert_eq!(threats.len(), 5);
    for t in threats {
        for key in ["likelihood", "impact"] {
            let v = t[key].as_f64().expect("number");
            assert!((1.0..=5.0).contains(&v), "{t}");
        }
        let coverage = t["coverage"].as_f64().expect("coverage");
        assert!((0.0..=100.0).contains(&coverage));
        let residual = t["residual_risk"].as_f64().expect("residual");
        assert!(residual > 0.0 && residual <= t["inherent_risk"].as_f64().expect("inherent"));
        assert!(t["name"].is_string());
    }
    for (i, gap) in json["gaps"].as_array().expect("gaps").iter().enumerate() {
        assert_eq!(gap["rank"].as_u64(), Some(i as u64 + 1));
        assert!(gap["priority"].is_f64() || gap["priority"].is_u64());
        let reasons = gap["reasons"].as_array().expect("reasons");
        assert!((2..=5).contains(&reasons.len()), "{gap}");
    }
    for item in json["plan"].as_array().expect("plan") {
        assert!(item["id"].is_string());
        let period = item["period"].as_str().expect("period label");
        assert!(period.len() == 7 && period.contains("-Q"), "{period}");
        assert!(item["prerequisites"].is_array());
        assert_eq!(item["milestones"].as_array().map(Vec::len), Some(3));
    }
    for entry in json["in_place"].as_array().expect("in_place") {
        assert!(entry["id"].is_string());
        assert!(entry["since"].is_null() || entry["since"].is_string());
        assert!(entry["covers_12_months"].is_boolean());
    }
}

#[test]
fn family_practice_json_is_small_with_exactly_the_nineteen_s_ids() {
    let json = assess_json("family-practice", &[]);
    assert_documented_shape(&json);
    assert_eq!(json["tier"], "small");
    assert_eq!(json["tier_decision"]["overridden"], false);
    let applicable = strings(&json["applicable"]);
    assert_eq!(applicable.len(), 19);
    assert!(
        applicable
            .iter()
            .all(|id| id.split('.').nth(1) == Some("S")),
        "{applicable:?}"
    );
    assert_eq!(strings(&json["going_further"]), vec!["1.M.B"]);
    assert_eq!(json["in_place"].as_array().map(Vec::len), Some(19));
    // 9.S.A is not applicable: never a gap; the rest that is not implemented is.
    let gaps = json["gaps"].as_array().expect("gaps");
    assert!(gaps.iter().all(|g| g["id"] != "9.S.A"));
    assert_eq!(gaps.len(), 14);
    // The outside-tier answer is a warning in the object.
    let warnings = json["warnings"].as_array().expect("warnings");
    assert!(warnings.iter().any(|w| {
        w["message"]
            .as_str()
            .is_some_and(|m| m.contains("going further"))
    }));
}

#[test]
fn community_hospital_json_is_medium_and_the_plan_keeps_the_budget() {
    let json = assess_json(
        "community-hospital",
        &["--budget", "150,000", "--staff-days", "90"],
    );
    assert_documented_shape(&json);
    assert_eq!(json["tier"], "medium");
    let applicable = strings(&json["applicable"]);
    assert_eq!(applicable.len(), 36);
    assert!(applicable.iter().all(|id| id.contains(".M.")));
    assert_eq!(json["budget"]["money"], 150_000);
    for period in json["plan_periods"].as_array().expect("periods") {
        assert!(period["money"].as_u64().expect("money") <= 150_000);
        assert!(period["staff_days"].as_u64().expect("days") <= 90);
    }
    let deferred = json["deferred"].as_array().expect("deferred");
    assert!(
        !deferred.is_empty(),
        "a $200,000 item cannot fit a $150,000 quarter"
    );
    assert!(
        deferred
            .iter()
            .all(|d| d["reason"].as_str().is_some_and(|r| !r.is_empty()))
    );
}

#[test]
fn health_system_json_is_large_with_medium_and_large_ids() {
    let json = assess_json("health-system", &["--periods", "4"]);
    assert_documented_shape(&json);
    assert_eq!(json["tier"], "large");
    let applicable = strings(&json["applicable"]);
    assert_eq!(applicable.len(), 71);
    assert!(
        applicable
            .iter()
            .all(|id| id.contains(".M.") || id.contains(".L."))
    );
    assert_eq!(json["plan_periods"].as_array().map(Vec::len), Some(4));
    assert_eq!(json["plan_periods"][0]["label"], "2027-Q1");
}

#[test]
fn text_output_summarizes_and_sends_warnings_to_stderr() {
    let output = hicp()
        .arg("assess")
        .arg(example("family-practice"))
        .args(["--as-of", "2026-12-01"])
        .output()
        .expect("runs");
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    for heading in [
        "Tier: small",
        "Threats",
        "Top gaps",
        "Action plan",
        "In place for the last 12 months",
    ] {
        assert!(stdout.contains(heading), "missing {heading}:\n{stdout}");
    }
    assert!(stdout.contains("Closing this gap removes about"));
    assert!(
        stderr.contains("warning: ") && stderr.contains("going further"),
        "{stderr}"
    );
    assert!(!stdout.contains("warning: "));
}

#[test]
fn markdown_output_is_a_document_written_to_out() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("hospital.md");
    hicp()
        .arg("assess")
        .arg(example("community-hospital"))
        .args(["--as-of", "2026-12-01", "--format", "markdown", "--out"])
        .arg(&out)
        .assert()
        .success();
    let text = std::fs::read_to_string(&out).expect("written");
    assert!(
        text.starts_with("# HICP assessment: Riverbend Community Hospital\n"),
        "{text}"
    );
    assert!(text.contains("| # | Threat | Likelihood | Impact | Coverage | Residual risk |"));
    assert!(text.contains("## Warnings"));
}

#[test]
fn a_methodology_override_changes_the_numbers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("method.toml");
    std::fs::write(&file, "[risk]\ncontrol_efficacy = 0.5\n").expect("write");
    let default = assess_json("family-practice", &[]);
    let custom = assess_json(
        "family-practice",
        &["--methodology", file.to_str().expect("utf-8")],
    );
    let residual = |j: &Value| j["threats"][1]["residual_risk"].as_f64().expect("number");
    assert!(residual(&custom) > residual(&default));

    std::fs::write(&file, "[risk]\ncontrol_eficacy = 0.5\n").expect("write");
    let stderr = failure_stderr(
        hicp()
            .arg("assess")
            .arg(example("family-practice"))
            .arg("--methodology")
            .arg(&file),
    );
    let name = file.display().to_string();
    assert!(
        stderr.contains(&format!(
            "  {name}:2:1: risk.control_eficacy: unknown key `control_eficacy`"
        )) && stderr.contains("(did you mean `control_efficacy`?)"),
        "{stderr}"
    );
}

/// Runs a command that must fail and returns what it wrote to standard error.
fn failure_stderr(command: &mut Command) -> String {
    let output = command.output().expect("runs");
    assert!(!output.status.success(), "expected a failure");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_bad_file_fails_with_every_problem_located() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("bad.toml");
    std::fs::write(
        &file,
        "[organization]\nname = \"Clinic\"\n\n[answers.\"1.S.Z\"]\nstatus = \"implemented\"\n\n[answers.\"1.S.A\"]\nstatus = \"done\"\nsince = \"last spring\"\n\n[answers.\"9.S.A\"]\nstatus = \"not_applicable\"\n",
    )
    .expect("write");
    let output = hicp().arg("assess").arg(&file).output().expect("runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    let name = file.display().to_string();
    assert!(
        stderr.starts_with(&format!(
            "error: the assessment file {name} has 4 problems; nothing was used."
        )),
        "{stderr}"
    );
    for expected in [
        format!("  {name}:4:10: answers.\"1.S.Z\": `1.S.Z` is not a sub-practice id"),
        format!("  {name}:8:10: answers.\"1.S.A\".status: unknown status `done`"),
        format!("  {name}:9:9: answers.\"1.S.A\".since: expected a calendar date"),
        format!("  {name}:11:"),
    ] {
        assert_eq!(
            stderr.matches(&expected).count(),
            1,
            "{expected} once:\n{stderr}"
        );
    }
    // The headline and one line per problem: nothing repeated, no blank line.
    assert_eq!(stderr.lines().count(), 5, "{stderr}");
    assert!(!stderr.contains("\n\n"), "{stderr:?}");
    assert!(output.stdout.is_empty());
}

#[test]
fn a_missing_file_and_a_bad_date_option_are_refused() {
    let stderr = failure_stderr(hicp().args(["assess", "no-such-file.toml"]));
    assert!(
        stderr.contains("cannot read the assessment file no-such-file.toml: No such file"),
        "{stderr}"
    );
    let stderr = failure_stderr(
        hicp()
            .arg("assess")
            .arg(example("family-practice"))
            .args(["--as-of", "01/12/2026"]),
    );
    assert!(stderr.contains("use YYYY-MM-DD"), "{stderr}");
}
