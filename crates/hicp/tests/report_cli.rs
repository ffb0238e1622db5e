//! `hicp report` end to end: each format from an example file, written where asked, with clear
//! errors for what cannot be done.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(format!("{name}.toml"))
}

/// `hicp report <example> --format <format>` at fixed dates, plus `extra` arguments.
fn report(name: &str, format: &str, extra: &[&str]) -> Command {
    let mut command = Command::cargo_bin("hicp").expect("the hicp binary");
    command
        .arg("report")
        .arg(example(name))
        .args([
            "--format",
            format,
            "--as-of",
            "2026-11-01",
            "--report-date",
            "2026-11-28",
        ])
        .args(extra);
    command
}

fn stdout_of(command: &mut Command) -> String {
    let output = command.output().expect("runs");
    assert!(
        output.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8")
}

#[test]
fn html_goes_to_the_file_given() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("report.html");
    report(
        "family-practice",
        "html",
        &["--out", out.to_str().expect("path")],
    )
    .assert()
    .success();
    let page = std::fs::read_to_string(&out).expect("written");
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("Maple Street Family Medicine"));
    assert!(
        page.contains("family-practice.toml"),
        "default label is the file name"
    );
    // Nothing left behind but the report.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names, ["report.html"]);
}

#[test]
fn html_and_oscal_go_to_standard_output_without_out() {
    let page = stdout_of(&mut report(
        "family-practice",
        "html",
        &["--label", "Q4 review"],
    ));
    assert!(page.contains("Q4 review"));
    for format in ["oscal-ar", "oscal-ap", "oscal-poam"] {
        let text = stdout_of(&mut report("family-practice", format, &[]));
        let value: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        let root = match format {
            "oscal-ar" => "assessment-results",
            "oscal-ap" => "assessment-plan",
            _ => "plan-of-action-and-milestones",
        };
        assert_eq!(
            value[root]["metadata"]["oscal-version"], "1.1.2",
            "{format}"
        );
    }
}

#[test]
fn output_is_reproducible_with_fixed_dates() {
    let first = stdout_of(&mut report("community-hospital", "oscal-poam", &[]));
    let second = stdout_of(&mut report("community-hospital", "oscal-poam", &[]));
    assert_eq!(first, second);
}

#[test]
fn xlsx_is_a_workbook() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("report.xlsx");
    report(
        "health-system",
        "xlsx",
        &["--out", out.to_str().expect("path")],
    )
    .assert()
    .success();
    let bytes = std::fs::read(&out).expect("written");
    assert!(bytes.starts_with(b"PK\x03\x04"), "a zip package");
    assert!(bytes.len() > 10_000);
}

#[test]
fn csv_writes_two_files_into_a_directory() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("exports");
    report(
        "community-hospital",
        "csv",
        &["--out", out.to_str().expect("path")],
    )
    .assert()
    .success();
    let findings = std::fs::read_to_string(out.join("findings.csv")).expect("findings.csv");
    let plan = std::fs::read_to_string(out.join("plan.csv")).expect("plan.csv");
    assert!(findings.starts_with("id,practice,"));
    assert!(plan.starts_with("state,period,"));
    assert!(findings.lines().count() > 20);
}

#[test]
fn csv_refuses_a_file_as_its_directory() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("taken");
    std::fs::write(&file, "x").expect("write");
    let output = report(
        "community-hospital",
        "csv",
        &["--out", file.to_str().expect("path")],
    )
    .output()
    .expect("runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("is a file"), "{stderr}");
}

#[test]
fn binary_formats_need_out() {
    for format in ["xlsx", "pdf", "csv"] {
        let output = report("family-practice", format, &[])
            .output()
            .expect("runs");
        assert!(!output.status.success(), "{format}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("needs --out"), "{format}: {stderr}");
    }
}

#[cfg(feature = "pdf")]
#[test]
fn pdf_is_written() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("report.pdf");
    report(
        "family-practice",
        "pdf",
        &["--out", out.to_str().expect("path")],
    )
    .assert()
    .success();
    let bytes = std::fs::read(&out).expect("written");
    assert!(bytes.starts_with(b"%PDF-"));
}

#[cfg(not(feature = "pdf"))]
#[test]
fn pdf_without_the_feature_says_so() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("report.pdf");
    let output = report(
        "family-practice",
        "pdf",
        &["--out", out.to_str().expect("path")],
    )
    .output()
    .expect("runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("without PDF support"), "{stderr}");
    assert!(!out.exists());
}

#[test]
fn a_broken_assessment_file_is_reported_with_its_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("broken.toml");
    std::fs::write(
        &file,
        "[organization]\nname = \"X\"\n\n[answers.\"1.S.A\"]\nstatus = \"mostly\"\n",
    )
    .expect("write");
    let output = Command::cargo_bin("hicp")
        .expect("the hicp binary")
        .args(["report", file.to_str().expect("path"), "--format", "html"])
        .output()
        .expect("runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("broken.toml:5"), "{stderr}");
}

#[test]
fn a_file_and_an_org_are_exclusive() {
    let output = Command::cargo_bin("hicp")
        .expect("the hicp binary")
        .arg("report")
        .arg(example("family-practice"))
        .args(["--org", "Maple", "--format", "html"])
        .output()
        .expect("runs");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot be used with"));
}

#[test]
fn an_organization_in_the_database_is_reported_by_name() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("hicp.sqlite3").display());
    Command::cargo_bin("hicp")
        .expect("the hicp binary")
        .args(["org", "create", "--from-assessment"])
        .arg(example("family-practice"))
        .args(["--title", "Autumn 2026 review", "--database-url", &url])
        .assert()
        .success();
    let mut command = Command::cargo_bin("hicp").expect("the hicp binary");
    command.args([
        "report",
        "--org",
        "Maple Street Family Medicine",
        "--format",
        "html",
        "--as-of",
        "2026-11-01",
        "--report-date",
        "2026-11-28",
        "--database-url",
        &url,
    ]);
    let page = stdout_of(&mut command);
    assert!(page.contains("Maple Street Family Medicine"));
    assert!(
        page.contains("Autumn 2026 review"),
        "the stored title labels the report"
    );
    // The same answers give the same findings as the file.
    let from_file = stdout_of(&mut report(
        "family-practice",
        "html",
        &["--label", "Autumn 2026 review"],
    ));
    assert_eq!(page, from_file);
}

#[test]
fn an_unknown_organization_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("hicp.sqlite3").display());
    let output = Command::cargo_bin("hicp")
        .expect("the hicp binary")
        .args([
            "report",
            "--org",
            "Nobody",
            "--format",
            "html",
            "--database-url",
            &url,
        ])
        .output()
        .expect("runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("Nobody"), "{stderr}");
}

#[test]
fn report_plans_with_the_same_flags_as_assess() {
    // Both commands take one set of planning flags; the plan each prints must be the same.
    let planning = [
        "--budget",
        "$150,000",
        "--staff-days",
        "90",
        "--periods",
        "3",
    ];
    let dir = tempfile::tempdir().expect("temp dir");
    report("community-hospital", "csv", &planning)
        .args(["--out", dir.path().to_str().expect("path")])
        .assert()
        .success();
    let plan = std::fs::read_to_string(dir.path().join("plan.csv")).expect("plan.csv");
    // State, period and id are the first columns and never quoted: no CSV reader is needed.
    let from_report: Vec<(String, String, String)> = plan
        .lines()
        .skip(1)
        .map(|row| {
            let cells: Vec<&str> = row.splitn(6, ',').collect();
            (
                cells[0].to_string(),
                cells[1].to_string(),
                cells[4].to_string(),
            )
        })
        .collect();

    let assessed = stdout_of(
        Command::cargo_bin("hicp")
            .expect("the hicp binary")
            .arg("assess")
            .arg(example("community-hospital"))
            .args(["--format", "json", "--as-of", "2026-11-01"])
            .args(planning),
    );
    let json: serde_json::Value = serde_json::from_str(&assessed).expect("JSON");
    let text = |v: &serde_json::Value| v.as_str().expect("text").to_string();
    let scheduled = json["plan"].as_array().expect("plan").iter().map(|item| {
        (
            "scheduled".to_string(),
            text(&item["period"]),
            text(&item["id"]),
        )
    });
    let deferred = json["deferred"]
        .as_array()
        .expect("deferred")
        .iter()
        .map(|item| ("deferred".to_string(), String::new(), text(&item["id"])));
    let from_assess: Vec<_> = scheduled.chain(deferred).collect();

    assert!(
        from_assess.iter().any(|(state, ..)| state == "deferred"),
        "the budget should defer something, or the flags were not applied"
    );
    assert_eq!(from_report, from_assess);
}
