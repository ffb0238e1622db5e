//! `hicp catalog` from the outside: list, show, validate (both exit codes), export and diff.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use assert_cmd::cargo::cargo_bin_cmd;

fn hicp() -> Command {
    let mut cmd = cargo_bin_cmd!("hicp");
    // Tests must see the embedded catalog unless they ask for another.
    cmd.env_remove("HICP_CATALOG");
    cmd
}

fn content_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../content")
}

fn stdout_of(cmd: &mut Command) -> String {
    let output = cmd.output().expect("run hicp");
    assert!(
        output.status.success(),
        "hicp failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

/// Runs a command that must fail, and checks its error message.
#[track_caller]
fn assert_fails_with(cmd: &mut Command, message: &str) {
    let output = cmd.output().expect("run hicp");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !output.status.success(),
        "hicp succeeded; expected an error"
    );
    assert!(
        stderr.contains(message),
        "expected {message:?} in:\n{stderr}"
    );
}

/// The data rows of `list` output: every line that starts with a sub-practice id.
fn listed_ids(out: &str) -> Vec<String> {
    out.lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|first| first.parse::<hicp_catalog::SubPracticeId>().is_ok())
        .map(String::from)
        .collect()
}

#[test]
fn list_large_shows_every_medium_and_large_sub_practice() {
    let out = stdout_of(hicp().args(["catalog", "list", "--tier", "large"]));
    let header = out.lines().next().expect("header");
    assert!(header.starts_with("ID"), "{header}");
    for column in ["TIER", "TITLE", "COST", "EFFORT", "THREATS"] {
        assert!(header.contains(column), "{header}");
    }
    let ids = listed_ids(&out);
    assert_eq!(ids.len(), 71);
    assert!(
        ids.iter()
            .all(|id| id.contains(".M.") || id.contains(".L."))
    );
    assert!(out.contains("71 sub-practice(s) of 90"));
    // Columns line up: every row has its title where the header's TITLE column starts.
    let title_at = header.find("TITLE").expect("TITLE column");
    let row = out
        .lines()
        .find(|l| l.starts_with("7.M.A"))
        .expect("7.M.A row");
    assert_eq!(
        &row[title_at..title_at + "Host/Server".len()],
        "Host/Server"
    );
}

#[test]
fn list_filters_by_practice_and_threat() {
    let out = stdout_of(hicp().args(["catalog", "list", "--practice", "9", "--threat", "3"]));
    let ids = listed_ids(&out);
    assert_eq!(ids, ["9.M.B"], "{out}");
    let small = listed_ids(&stdout_of(
        hicp().args(["catalog", "list", "--tier", "small"]),
    ));
    assert_eq!(small.len(), 19);
}

#[test]
fn list_rejects_a_practice_out_of_range() {
    hicp()
        .args(["catalog", "list", "--practice", "11"])
        .assert()
        .failure();
}

#[test]
fn show_prints_everything_about_a_sub_practice() {
    let out = stdout_of(hicp().args(["catalog", "show", "7.M.A"]));
    for expected in [
        "7.M.A  Host/Server-Based Scanning",
        "Practice:   7 Vulnerability Management",
        "expected of medium and large organizations",
        "What good looks like",
        "[coverage-reconciled]",
        "2  Ransomware Attack",
        "5.M.A Inventory of Endpoints and Servers",
        "DE.CM-8",
        "ID.RA-01",
        "ES-01 Mitigate Known Vulnerabilities",
        "Suggested metrics",
        "Confidence: published",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in:\n{out}");
    }
    assert!(!out.contains("UNVERIFIED"));
    let unverified = stdout_of(hicp().args(["catalog", "show", "7.L.C"]));
    assert!(unverified.contains("UNVERIFIED"), "{unverified}");
}

#[test]
fn show_explains_bad_and_unknown_ids() {
    assert_fails_with(
        hicp().args(["catalog", "show", "7.Q.A"]),
        "not a sub-practice id",
    );
    assert_fails_with(
        hicp().args(["catalog", "show", "7.M.Z"]),
        "no sub-practice 7.M.Z",
    );
}

#[test]
fn validate_accepts_the_default_content() {
    let out = stdout_of(hicp().arg("catalog").arg("validate").arg(content_dir()));
    assert!(out.contains("valid"), "{out}");
    assert!(
        out.contains("90 sub-practices (19 small, 36 medium, 35 large)"),
        "{out}"
    );
}

/// A copy of `content/` with one prerequisite pointing nowhere and one misspelt field.
fn broken_catalog() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let root = dir.path().join("catalog");
    copy_dir(&content_dir(), &root);
    let file = root.join("practices/07-vulnerability.toml");
    let text = std::fs::read_to_string(&file).expect("read");
    let text = text
        .replacen(
            "prerequisites = [\"5.M.A\"]",
            "prerequisites = [\"5.M.Z\"]",
            1,
        )
        .replacen("effort = \"medium\"", "efort = \"medium\"", 1);
    std::fs::write(&file, text).expect("write");
    (dir, root)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create directory");
    for entry in std::fs::read_dir(from).expect("read directory") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

#[test]
fn validate_lists_every_error_and_exits_1() {
    let (_dir, root) = broken_catalog();
    let output = hicp()
        .arg("catalog")
        .arg("validate")
        .arg(&root)
        .output()
        .expect("run hicp");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("practices/07-vulnerability.toml:99:18: sub_practices[1].prerequisites[0]: unknown sub-practice id 5.M.Z"),
        "{stderr}"
    );
    assert!(
        stderr.contains("unknown field `efort` (did you mean `effort`?)"),
        "{stderr}"
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn a_broken_catalog_given_through_the_environment_is_refused() {
    let (_dir, root) = broken_catalog();
    assert_fails_with(
        hicp().env("HICP_CATALOG", &root).args(["catalog", "list"]),
        "unknown sub-practice id 5.M.Z",
    );
}

#[test]
fn exported_json_is_a_catalog_the_other_commands_load() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let json = dir.path().join("hicp-catalog.json");
    hicp()
        .args(["catalog", "export", "--format", "json", "--out"])
        .arg(&json)
        .assert()
        .success();
    let value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("read")).expect("JSON");
    assert_eq!(value["sub_practices"].as_array().expect("array").len(), 90);
    stdout_of(hicp().arg("catalog").arg("validate").arg(&json));
    let out = stdout_of(
        hicp()
            .arg("catalog")
            .arg("list")
            .arg("--catalog")
            .arg(&json),
    );
    assert_eq!(listed_ids(&out).len(), 90);
}

#[test]
fn export_formats_write_to_standard_output() {
    let json =
        stdout_of(hicp().args(["catalog", "export", "--format", "json", "--tier", "medium"]));
    let value: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(value["sub_practices"].as_array().expect("array").len(), 36);

    let csv = stdout_of(hicp().args(["catalog", "export", "--format", "csv"]));
    assert!(csv.starts_with(
        "id,practice,practice_title,practice_title_confidence,tier,title,title_edition,title_confidence,"
    ));
    assert_eq!(csv.lines().count(), 91);

    let oscal = stdout_of(hicp().args(["catalog", "export", "--format", "oscal"]));
    let oscal: serde_json::Value = serde_json::from_str(&oscal).expect("JSON");
    assert_eq!(oscal["catalog"]["metadata"]["oscal-version"], "1.1.2");

    let profile = stdout_of(hicp().args([
        "catalog",
        "export",
        "--format",
        "oscal-profile",
        "--tier",
        "small",
        "--catalog-href",
        "cat.json",
    ]));
    let profile: serde_json::Value = serde_json::from_str(&profile).expect("JSON");
    let import = &profile["profile"]["imports"][0];
    assert_eq!(import["href"], "cat.json");
    assert_eq!(
        import["include-controls"][0]["with-ids"]
            .as_array()
            .expect("ids")
            .len(),
        19
    );
}

#[test]
fn a_profile_needs_a_tier_and_the_catalog_takes_none() {
    assert_fails_with(
        hicp().args(["catalog", "export", "--format", "oscal-profile"]),
        "--tier",
    );
    assert_fails_with(
        hicp().args(["catalog", "export", "--format", "oscal", "--tier", "large"]),
        "oscal-profile",
    );
}

#[test]
fn diff_reports_retitled_removed_and_added_sub_practices() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let json = dir.path().join("newer.json");
    let text = stdout_of(hicp().args(["catalog", "export", "--format", "json"]));
    let text = text
        .replace(
            "\"Web Application Scanning\"",
            "\"Web Application Security Testing\"",
        )
        .replace("\"id\": \"7.L.C\"", "\"id\": \"7.L.D\"");
    std::fs::write(&json, text).expect("write");

    let out = stdout_of(hicp().args(["catalog", "diff", "embedded"]).arg(&json));
    assert!(out.contains("Added (1):"), "{out}");
    assert!(out.contains("+ 7.L.D"), "{out}");
    assert!(out.contains("Removed (1):"), "{out}");
    assert!(out.contains("- 7.L.C"), "{out}");
    assert!(
        out.contains(
            "~ 7.M.B  \"Web Application Scanning\" -> \"Web Application Security Testing\""
        ),
        "{out}"
    );
    let same = stdout_of(hicp().args(["catalog", "diff", "embedded", "embedded"]));
    assert!(same.contains("No differences"), "{same}");
}

#[test]
fn a_closed_output_pipe_ends_quietly() {
    // The JSON export is far larger than a pipe's buffer, so writing it must meet the closed
    // end (as `hicp catalog export --format json | head -1` does).
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_hicp"))
        .args(["catalog", "export", "--format", "json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start hicp");
    drop(child.stdout.take());
    let output = child.wait_with_output().expect("wait for hicp");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        stderr.is_empty(),
        "a closed pipe is not an error to report: {stderr}"
    );
    assert!(output.status.success(), "{:?}: {stderr}", output.status);
}
