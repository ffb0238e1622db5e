//! Each class of validation error, caught with the right file, line and field. Every broken
//! catalog is the default content copied into a temporary directory with one edit (or a few),
//! so the fixtures stay in step with the real content; the expected line is where the edit is.

use std::path::{Path, PathBuf};

use hicp_catalog::{Catalog, CatalogError, export};
use hicp_input::Problem;
use tempfile::TempDir;

fn content_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../content")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create fixture directory");
    for entry in std::fs::read_dir(from).expect("read content directory") {
        let entry = entry.expect("directory entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy content file");
        }
    }
}

/// A copy of the default content to break.
struct Fixture {
    dir: TempDir,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().expect("temporary directory");
        copy_dir(&content_dir(), dir.path());
        Fixture { dir }
    }

    fn path(&self, file: &str) -> PathBuf {
        self.dir.path().join(file)
    }

    /// Replaces the first `from` after `anchor` in `file` with `to`; returns the 1-based line
    /// where `to` starts.
    fn edit(&self, file: &str, anchor: &str, from: &str, to: &str) -> usize {
        let path = self.path(file);
        let text = std::fs::read_to_string(&path).expect("read fixture file");
        let anchor_at = text
            .find(anchor)
            .unwrap_or_else(|| panic!("{file} has no `{anchor}`"));
        let at = anchor_at
            + text[anchor_at..]
                .find(from)
                .unwrap_or_else(|| panic!("{file} has no `{from}` after `{anchor}`"));
        let edited = format!("{}{}{}", &text[..at], to, &text[at + from.len()..]);
        std::fs::write(&path, edited).expect("write fixture file");
        text[..at].matches('\n').count() + 1
    }

    /// The 1-based line of the first `needle` after `anchor` in `file`.
    fn line_of(&self, file: &str, anchor: &str, needle: &str) -> usize {
        let text = std::fs::read_to_string(self.path(file)).expect("read fixture file");
        let anchor_at = text.find(anchor).expect("anchor");
        let at = anchor_at + text[anchor_at..].find(needle).expect("needle after anchor");
        text[..at].matches('\n').count() + 1
    }

    fn errors(&self) -> Vec<Problem> {
        load_errors(self.dir.path())
    }
}

fn load_errors(path: &Path) -> Vec<Problem> {
    match Catalog::load_path(path) {
        Ok(_) => panic!("the broken catalog at {} loaded", path.display()),
        Err(CatalogError::Invalid(problems)) => problems.problems,
        Err(other) => panic!("expected validation errors, got: {other}"),
    }
}

/// Asserts that one error has this file (suffix), line, field and message fragment.
#[track_caller]
fn assert_has(errors: &[Problem], file: &str, line: usize, field: &str, message: &str) {
    let found = errors.iter().any(|e| {
        e.file.ends_with(file)
            && e.line == Some(line)
            && e.key == field
            && e.to_string().contains(message)
    });
    assert!(
        found,
        "no error {file}:{line}: {field}: …{message}… among:\n{}",
        errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    );
}

const VULN: &str = "practices/07-vulnerability.toml";
const M_A: &str = "id = \"7.M.A\"";
const M_B: &str = "id = \"7.M.B\"";

#[test]
fn the_unedited_copy_loads() {
    let fixture = Fixture::new();
    let loaded = Catalog::load_path(fixture.dir.path()).expect("a copy of content/ is valid");
    assert_eq!(loaded, Catalog::embedded().expect("embedded catalog"));
}

#[test]
fn duplicate_sub_practice_id() {
    let f = Fixture::new();
    let line = f.edit(VULN, M_B, M_B, M_A);
    assert_has(
        &f.errors(),
        VULN,
        line,
        "sub_practices[2].id",
        "duplicate sub-practice id `7.M.A`",
    );
}

#[test]
fn malformed_sub_practice_ids() {
    for bad in ["7.X.B", "07.M.B", "7.M.b", "11.M.B", "7.M", "7.M.BB"] {
        let f = Fixture::new();
        let line = f.edit(VULN, M_B, M_B, &format!("id = \"{bad}\""));
        assert_has(
            &f.errors(),
            VULN,
            line,
            "sub_practices[2].id",
            &format!("`{bad}` is not a sub-practice id"),
        );
    }
}

#[test]
fn id_from_another_practice() {
    let f = Fixture::new();
    let line = f.edit(VULN, M_B, M_B, "id = \"6.M.K\"");
    assert_has(
        &f.errors(),
        VULN,
        line,
        "sub_practices[2].id",
        "belongs to practice 6, but this file is practice 7",
    );
}

#[test]
fn unknown_prerequisite() {
    let f = Fixture::new();
    let line = f.edit(VULN, M_A, "\"5.M.A\"", "\"5.M.Z\"");
    assert_has(
        &f.errors(),
        VULN,
        line,
        "sub_practices[1].prerequisites[0]",
        "unknown sub-practice id 5.M.Z",
    );
}

#[test]
fn prerequisite_outside_what_the_tier_does() {
    let f = Fixture::new();
    let line = f.edit(VULN, "id = \"7.S.A\"", "\"5.S.A\"", "\"5.M.A\"");
    assert_has(
        &f.errors(),
        VULN,
        line,
        "sub_practices[0].prerequisites[0]",
        "5.M.A is written for medium organizations, which a small organization",
    );
}

#[test]
fn prerequisite_cycle_is_named() {
    let f = Fixture::new();
    let file = "practices/05-asset-management.toml";
    let line = f.edit(
        file,
        "id = \"5.M.A\"",
        "prerequisites = []",
        "prerequisites = [\"7.M.A\"]",
    );
    assert_has(
        &f.errors(),
        file,
        line,
        "sub_practices[3].prerequisites[0]",
        "prerequisite cycle 5.M.A → 7.M.A → 5.M.A",
    );
}

#[test]
fn self_prerequisite_is_a_cycle() {
    let f = Fixture::new();
    let line = f.edit(VULN, M_A, "\"5.M.A\"", "\"7.M.A\"");
    assert_has(
        &f.errors(),
        VULN,
        line,
        "sub_practices[1].prerequisites[0]",
        "prerequisite cycle 7.M.A → 7.M.A",
    );
}

#[test]
fn threat_numbers_outside_one_to_five() {
    let f = Fixture::new();
    let line = f.edit(VULN, M_A, "threats = [2, 4, 5]", "threats = [2, 4, 6]");
    assert_has(
        &f.errors(),
        VULN,
        line,
        "sub_practices[1].threats[2]",
        "expected an integer from 1 to 5, found an integer 6",
    );
}

#[test]
fn threat_missing_from_the_threats_file() {
    let f = Fixture::new();
    let threats_line = f.edit("threats.toml", "number = 5", "number = 5", "number = 4");
    let errors = f.errors();
    assert_has(
        &errors,
        "threats.toml",
        threats_line,
        "threats[4].number",
        "duplicate threat `4`",
    );
    let line = f.line_of(VULN, "", "threats = [2, 4, 5]");
    assert_has(
        &errors,
        VULN,
        line,
        "threats[2]",
        "threat 5 is not defined in the threats list",
    );
    assert!(errors.iter().any(|e| {
        e.message
            .contains("threat 5 is not defined: HICP has five threats")
    }));
}

#[test]
fn practice_that_mitigates_no_threat() {
    let f = Fixture::new();
    let line = f.edit(VULN, "", "threats = [2, 4, 5]", "threats = []");
    assert_has(
        &f.errors(),
        VULN,
        line,
        "threats",
        "must not be empty: it must mitigate at least one of the five threats",
    );
}

#[test]
fn unknown_cpg_goal() {
    let f = Fixture::new();
    let line = f.edit(VULN, M_A, "\"EN-04\"", "\"EN-99\"");
    assert_has(
        &f.errors(),
        VULN,
        line,
        "sub_practices[1].cpg[1]",
        "unknown HPH CPG goal `EN-99`",
    );
}

#[test]
fn csf11_reference_without_a_map_row() {
    let f = Fixture::new();
    let line = f.edit(VULN, M_A, "\"DE.CM-8\"", "\"DE.CM-88\"");
    assert_has(
        &f.errors(),
        VULN,
        line,
        "sub_practices[1].csf11[0]",
        "CSF 1.1 id `DE.CM-88` has no row",
    );
}

#[test]
fn crosswalk_id_missing_from_the_csf2_list() {
    let f = Fixture::new();
    let file = "crosswalks/csf11-to-csf2.toml";
    let line = f.edit(file, "csf11 = \"DE.CM-1\"", "\"DE.CM-01\"", "\"DE.CM-99\"");
    let errors = f.errors();
    let error = errors
        .iter()
        .find(|e| {
            e.file.ends_with(file) && e.message.contains("`DE.CM-99` is not in the CSF 2.0 list")
        })
        .expect("the bad map row is reported");
    assert_eq!(error.line, Some(line));
    assert!(
        error.key.starts_with("map[") && error.key.ends_with("].csf2[0]"),
        "{}",
        error.key
    );
}

#[test]
fn hipaa_crosswalk_id_missing_from_the_csf2_list() {
    let f = Fixture::new();
    let file = "crosswalks/hipaa-to-csf2.toml";
    let line = f.edit(file, "164.308(a)(2)", "\"GV.OC-02\"", "\"GV.OC-20\"");
    assert_has(
        &f.errors(),
        file,
        line,
        "standards[1].csf2[0]",
        "`GV.OC-20` is not in the CSF 2.0 list",
    );
}

#[test]
fn empty_text_fields() {
    for (anchor, from, to, field) in [
        (
            M_B,
            "title = \"Web Application Scanning\"",
            "title = \"  \"",
            "sub_practices[2].title",
        ),
        (
            M_A,
            "owner_role = \"Vulnerability management lead\"",
            "owner_role = \"\"",
            "sub_practices[1].owner_role",
        ),
        (
            M_A,
            "summary = \"\"\"\\",
            "summary = \"\"\"\n\"\"\"\nxsummary = \"\"\"\\",
            "sub_practices[1].summary",
        ),
    ] {
        let f = Fixture::new();
        let line = f.edit(VULN, anchor, from, to);
        let errors = f.errors();
        assert_has(&errors, VULN, line, field, "must not be empty");
    }
}

#[test]
fn empty_question_text() {
    let f = Fixture::new();
    let line = f.edit(
        VULN,
        "key = \"credentialed-scans\"",
        "text = \"\"\"Are scans",
        "text = \"\", x = \"\"\"Are scans",
    );
    let errors = f.errors();
    assert_has(
        &errors,
        VULN,
        line,
        "sub_practices[1].questions[1].text",
        "must not be empty",
    );
    assert_has(
        &errors,
        VULN,
        line,
        "sub_practices[1].questions[1].x",
        "unknown field `x`",
    );
}

#[test]
fn misspelt_field_is_rejected_by_name() {
    let f = Fixture::new();
    let line = f.edit(VULN, M_A, "cost = \"medium\"", "cots = \"medium\"");
    let errors = f.errors();
    assert_has(
        &errors,
        VULN,
        line,
        "sub_practices[1].cots",
        "unknown field `cots`",
    );
    assert!(
        errors.iter().any(|e| e.key == "sub_practices[1].cots"
            && e.hint.as_deref() == Some("did you mean `cost`?")),
        "no hint for `cots`"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.key == "sub_practices[1].cost" && e.message == "missing field `cost`")
    );
}

#[test]
fn derived_fields_cannot_be_written_in_practice_files() {
    let f = Fixture::new();
    let line = f.edit(
        VULN,
        M_A,
        "cost = \"medium\"",
        "csf2 = [\"DE.CM-08\"]\ncost = \"medium\"",
    );
    assert_has(
        &f.errors(),
        VULN,
        line,
        "sub_practices[1].csf2",
        "`csf2` cannot be set here: CSF 2.0 ids are derived",
    );
}

#[test]
fn duplicate_question_key() {
    let f = Fixture::new();
    let line = f.edit(
        VULN,
        M_A,
        "key = \"credentialed-scans\"",
        "key = \"coverage-reconciled\"",
    );
    assert_has(
        &f.errors(),
        VULN,
        line,
        "sub_practices[1].questions[1].key",
        "question key `coverage-reconciled` is used twice",
    );
}

#[test]
fn bad_band_and_confidence_words() {
    let f = Fixture::new();
    let cost_line = f.edit(VULN, M_A, "cost = \"medium\"", "cost = \"cheap\"");
    let title_confidence_line = f.edit(
        VULN,
        M_B,
        "confidence = \"published\"\n[sub_practices.provenance]",
        "confidence = \"sure\"\n[sub_practices.provenance]",
    );
    let confidence_line = f.edit(
        VULN,
        M_B,
        "confidence = \"published\"\nedition",
        "confidence = \"certain\"\nedition",
    );
    let errors = f.errors();
    assert_has(
        &errors,
        VULN,
        cost_line,
        "sub_practices[1].cost",
        "`cheap` is not allowed: use one of `low`, `medium`, `high`",
    );
    // toml spans give the column of the value: `cost = "cheap"` starts its value at column 8.
    assert!(
        errors
            .iter()
            .any(|e| e.key == "sub_practices[1].cost" && e.column == Some(8)),
        "no column for the cost"
    );
    assert_has(
        &errors,
        VULN,
        confidence_line,
        "sub_practices[2].provenance.confidence",
        "`certain` is not allowed: use one of `published`, `recalled`, `inferred`, `derived`",
    );
    assert_has(
        &errors,
        VULN,
        title_confidence_line,
        "sub_practices[2].title_source.confidence",
        "`sure` is not allowed: use one of `published`, `recalled`, `inferred`, `provisional`",
    );
}

#[test]
fn wrong_value_type() {
    let f = Fixture::new();
    let line = f.edit(VULN, M_B, "verified = true", "verified = \"yes\"");
    assert_has(
        &f.errors(),
        VULN,
        line,
        "sub_practices[2].provenance.verified",
        "expected true or false, found a string \"yes\"",
    );
}

#[test]
fn toml_syntax_error_has_its_line() {
    let f = Fixture::new();
    let line = f.edit(VULN, M_B, "cost = \"medium\"", "cost = medium");
    assert_has(&f.errors(), VULN, line, "", "TOML syntax");
}

#[test]
fn edition_date_must_be_a_date() {
    let f = Fixture::new();
    let line = f.edit(
        "catalog.toml",
        "",
        "published = \"2023-04-17\"",
        "published = \"2023-02-30\"",
    );
    assert_has(
        &f.errors(),
        "catalog.toml",
        line,
        "edition.published",
        "is not a date: write it as YYYY-MM-DD",
    );
}

#[test]
fn missing_files_are_reported() {
    let f = Fixture::new();
    std::fs::remove_file(f.path("crosswalks/hph-cpg.toml")).expect("remove a crosswalk");
    std::fs::remove_file(f.path("practices/10-governance.toml")).expect("remove a practice");
    let errors = f.errors();
    assert!(
        errors.iter().any(
            |e| e.file.ends_with("crosswalks/hph-cpg.toml") && e.message.starts_with("missing")
        )
    );
    assert!(
        errors
            .iter()
            .any(|e| e.message.contains("practice 10 is not defined"))
    );
    // The goals the practices link to are now unknown, and each such link is reported too.
    assert!(
        errors
            .iter()
            .any(|e| e.message.contains("unknown HPH CPG goal `ES-01`"))
    );
}

#[test]
fn every_error_is_reported_not_just_the_first() {
    let f = Fixture::new();
    let a = f.edit(VULN, M_A, "\"5.M.A\"", "\"5.M.Z\"");
    let b = f.edit(VULN, M_B, "cost = \"medium\"", "cost = \"cheap\"");
    let c = f.edit("practices/01-email.toml", "", "title = ", "titel = ");
    let errors = f.errors();
    assert_has(
        &errors,
        VULN,
        a,
        "sub_practices[1].prerequisites[0]",
        "unknown sub-practice id",
    );
    assert_has(
        &errors,
        VULN,
        b,
        "sub_practices[2].cost",
        "`cheap` is not allowed",
    );
    assert_has(
        &errors,
        "practices/01-email.toml",
        c,
        "titel",
        "did you mean `title`?",
    );
}

/// The JSON layout gets the same checks, located in the JSON file.
mod json {
    use super::*;

    /// The embedded catalog exported to JSON, with `from` (after `anchor`) replaced by `to`.
    fn broken_json(anchor: &str, from: &str, to: &str) -> (TempDir, PathBuf, usize) {
        let catalog = Catalog::embedded().expect("embedded catalog");
        let text = export::json(&catalog, None).expect("export");
        let anchor_at = text.find(anchor).expect("anchor in export");
        let at = anchor_at + text[anchor_at..].find(from).expect("text after anchor");
        let edited = format!("{}{}{}", &text[..at], to, &text[at + from.len()..]);
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("catalog.json");
        std::fs::write(&path, edited).expect("write JSON");
        let line = text[..at].matches('\n').count() + 1;
        (dir, path, line)
    }

    fn index_of(id: &str) -> usize {
        let catalog = Catalog::embedded().expect("embedded catalog");
        catalog
            .sub_practices
            .iter()
            .position(|s| s.id.to_string() == id)
            .expect("id in catalog")
    }

    #[test]
    fn unknown_prerequisite_in_json() {
        let (_dir, path, _) = broken_json("\"id\": \"7.M.A\"", "\"5.M.A\"", "\"5.M.Z\"");
        let text = std::fs::read_to_string(&path).expect("read");
        let line = text[..text.find("5.M.Z").expect("edit")]
            .matches('\n')
            .count()
            + 1;
        let i = index_of("7.M.A");
        assert_has(
            &load_errors(&path),
            "catalog.json",
            line,
            &format!("sub_practices[{i}].prerequisites[0]"),
            "unknown sub-practice id 5.M.Z",
        );
    }

    #[test]
    fn misspelt_field_in_json() {
        let (_dir, path, line) = broken_json(
            "\"id\": \"7.M.B\"",
            "\"good_looks_like\"",
            "\"good_look_like\"",
        );
        let i = index_of("7.M.B");
        assert_has(
            &load_errors(&path),
            "catalog.json",
            line,
            &format!("sub_practices[{i}].good_look_like"),
            "did you mean `good_looks_like`?",
        );
    }

    #[test]
    fn practice_field_must_match_the_id() {
        let (_dir, path, line) =
            broken_json("\"id\": \"7.M.B\"", "\"practice\": 7", "\"practice\": 6");
        let i = index_of("7.M.B");
        assert_has(
            &load_errors(&path),
            "catalog.json",
            line,
            &format!("sub_practices[{i}].practice"),
            "practice 6 does not match the id `7.M.B`",
        );
    }

    #[test]
    fn stated_csf2_ids_must_match_the_derivation() {
        let (_dir, path, line) = broken_json("\"id\": \"7.M.A\"", "\"ID.RA-01\"", "\"ID.RA-02\"");
        let i = index_of("7.M.A");
        assert_has(
            &load_errors(&path),
            "catalog.json",
            line - 1,
            &format!("sub_practices[{i}].csf2"),
            "does not match what the crosswalk tables derive from `csf11`: expected [ID.RA-01]",
        );
    }

    #[test]
    fn json_syntax_error_has_its_line() {
        let (_dir, path, line) = broken_json("\"id\": \"7.M.B\"", "\"title\":", "\"title\"");
        assert_has(
            &load_errors(&path),
            "catalog.json",
            line,
            "",
            "JSON syntax: expected `:` after the key",
        );
    }

    #[test]
    fn schema_version_is_checked() {
        let (_dir, path, line) = broken_json("", "\"schema_version\": 2", "\"schema_version\": 3");
        assert_has(
            &load_errors(&path),
            "catalog.json",
            line,
            "schema_version",
            "this hicp reads schema versions 1 to 2",
        );
    }
}

#[test]
fn a_path_that_is_no_catalog_is_refused() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let file = dir.path().join("notes.txt");
    std::fs::write(&file, "hello").expect("write");
    assert!(matches!(
        Catalog::load_path(&file),
        Err(CatalogError::NotACatalog { .. })
    ));
    assert!(matches!(
        Catalog::load_path(&dir.path().join("absent")),
        Err(CatalogError::Read(hicp_input::ReadError::Io { .. }))
    ));
}

/// Input built to hurt: files too large to be catalogs, bytes that are not text, cut-off JSON.
mod hostile {
    use super::*;

    #[test]
    fn an_oversize_file_is_refused_by_name_before_it_is_read() {
        let f = Fixture::new();
        // A sparse file: the size check refuses it from its metadata, without reading 17 MiB.
        let practice = std::fs::OpenOptions::new()
            .write(true)
            .open(f.path(VULN))
            .expect("open practice file");
        practice.set_len(17 * 1024 * 1024).expect("grow the file");
        let errors = f.errors();
        let problem = errors
            .iter()
            .find(|e| e.file.ends_with(VULN))
            .expect("a problem naming the practice file");
        assert!(
            problem
                .message
                .starts_with("17825792 bytes is more than the 16777216 bytes"),
            "{problem}"
        );
        assert_eq!(problem.line, None);
    }

    #[test]
    fn an_oversize_json_export_is_refused_by_name() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("huge.json");
        let file = std::fs::File::create(&path).expect("create");
        file.set_len(16 * 1024 * 1024 + 1).expect("grow the file");
        let errors = load_errors(&path);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].file.ends_with("huge.json"));
        assert!(
            errors[0].message.starts_with("16777217 bytes"),
            "{}",
            errors[0]
        );
    }

    #[test]
    fn a_practice_file_that_is_not_utf8_is_placed_by_line_and_column() {
        let f = Fixture::new();
        let path = f.path(VULN);
        let mut bytes = std::fs::read(&path).expect("read");
        let title = b"title = \"Web Application Scanning\"";
        let at = bytes
            .windows(title.len())
            .position(|w| w == title)
            .expect("7.M.B title");
        let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        // Latin-1 "é" in place of the "A" of "Application": column 14 of its line.
        bytes[at + 13] = 0xE9;
        std::fs::write(&path, bytes).expect("write");
        let errors = f.errors();
        let problem = errors
            .iter()
            .find(|e| e.file.ends_with(VULN))
            .expect("a problem naming the practice file");
        assert_eq!((problem.line, problem.column), (Some(line), Some(14)));
        assert!(problem.message.contains("not UTF-8"), "{problem}");
    }

    #[test]
    fn a_truncated_json_export_is_a_located_syntax_error() {
        let catalog = Catalog::embedded().expect("embedded catalog");
        let text = export::json(&catalog, None).expect("export");
        let cut = &text[..text.len() / 2];
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("cut.json");
        std::fs::write(&path, cut).expect("write");
        let errors = load_errors(&path);
        assert_eq!(errors.len(), 1, "{errors:?}");
        let problem = &errors[0];
        assert!(problem.message.starts_with("JSON syntax: "), "{problem}");
        // The document ends mid-way: the error is at its last line.
        assert_eq!(
            problem.line,
            Some(cut.matches('\n').count() + 1),
            "{problem}"
        );
    }
}
