//! Reading what a user names: the catalog, a methodology override, an assessment file. Each is
//! size-checked against its own limit before it is read and bounded while it is read
//! (`hicp-input`), then parsed by the engine; what a reader finds wrong comes back as
//! [`hicp_input::Problems`], each with its file, line, column, key and hint.

use std::path::Path;

use hicp_catalog::Catalog;
use hicp_engine::Methodology;
use hicp_engine::input::{MAX_ASSESSMENT_BYTES, ParsedAssessment, parse_assessment_with};
use hicp_engine::methodology::MAX_METHODOLOGY_BYTES;

use crate::error::{AppError, AppResult};

/// The catalog at `path` (a directory laid out like `content/`, or a JSON export), or the
/// embedded edition when no path is given.
pub fn load_catalog(path: Option<&Path>) -> AppResult<Catalog> {
    Ok(match path {
        Some(path) => Catalog::load_path(path)?,
        None => Catalog::embedded()?,
    })
}

/// A methodology override (keys left out keep the defaults), or the defaults.
pub fn load_methodology(path: Option<&Path>) -> AppResult<Methodology> {
    let Some(path) = path else {
        return Ok(Methodology::default());
    };
    let text = hicp_input::read_text(path, MAX_METHODOLOGY_BYTES, "the methodology file")?;
    Methodology::from_toml_str(&text, &path.display().to_string()).map_err(AppError::Methodology)
}

/// An assessment file, read against `catalog`; `methodology` decides which answers are
/// "going further" (beyond the tier).
pub fn read_assessment(
    path: &Path,
    catalog: &Catalog,
    methodology: &Methodology,
) -> AppResult<ParsedAssessment> {
    let text = hicp_input::read_text(path, MAX_ASSESSMENT_BYTES, "the assessment file")?;
    parse_assessment_with(&text, &path.display().to_string(), catalog, methodology)
        .map_err(AppError::Assessment)
}

/// How a file is named on a report when nobody gave a label: its file name.
pub fn file_label(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |name| name.to_string_lossy().into_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use hicp_input::ReadError;

    /// A file whose size is past `limit` without writing its bytes (a sparse file).
    fn sparse(dir: &tempfile::TempDir, name: &str, size: u64) -> std::path::PathBuf {
        let path = dir.path().join(name);
        let file = std::fs::File::create(&path).expect("create");
        file.set_len(size).expect("grow");
        path
    }

    #[test]
    fn each_file_is_refused_past_its_own_limit_before_it_is_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        let catalog = Catalog::embedded().expect("embedded catalog");
        let big = sparse(&dir, "big.toml", MAX_ASSESSMENT_BYTES + 1);
        match read_assessment(&big, &catalog, &Methodology::default()) {
            Err(AppError::Read(ReadError::TooLarge { size, limit, .. })) => {
                assert_eq!(
                    (size, limit),
                    (Some(MAX_ASSESSMENT_BYTES + 1), MAX_ASSESSMENT_BYTES)
                );
            }
            other => panic!("expected TooLarge, got {other:?}"),
        }
        // The methodology's limit is smaller: a file the assessment reader would take is refused.
        let method = sparse(&dir, "method.toml", MAX_METHODOLOGY_BYTES + 1);
        match load_methodology(Some(&method)) {
            Err(AppError::Read(ReadError::TooLarge { size, limit, .. })) => {
                assert_eq!(
                    (size, limit),
                    (Some(MAX_METHODOLOGY_BYTES + 1), MAX_METHODOLOGY_BYTES)
                );
            }
            other => panic!("expected TooLarge, got {other:?}"),
        }
    }

    #[test]
    fn problems_in_a_file_come_back_located_under_their_own_variant() {
        let dir = tempfile::tempdir().expect("tempdir");
        let method = dir.path().join("method.toml");
        std::fs::write(&method, "[risk]\ncontrol_eficacy = 0.5\n").expect("write");
        let error = load_methodology(Some(&method)).expect_err("typo");
        assert!(matches!(error, AppError::Methodology(_)), "{error:?}");
        let problem = &error.problems().expect("located").problems[0];
        assert_eq!((problem.line, problem.column), (Some(2), Some(1)));
        assert_eq!(
            problem.hint.as_deref(),
            Some("did you mean `control_efficacy`?")
        );

        let assessment = dir.path().join("a.toml");
        std::fs::write(&assessment, "[organisation]\nname = \"x\"\n").expect("write");
        let catalog = Catalog::embedded().expect("embedded catalog");
        let error =
            read_assessment(&assessment, &catalog, &Methodology::default()).expect_err("typo");
        assert!(matches!(error, AppError::Assessment(_)), "{error:?}");
        let problems = error.problems().expect("located");
        assert!(
            problems
                .iter()
                .any(|p| p.hint.as_deref() == Some("did you mean `organization`?")),
            "{problems}"
        );
        // Shown once: the error's text is the problems' text, with no source repeating it.
        assert_eq!(error.to_string(), problems.to_string());
        assert!(std::error::Error::source(&error).is_none());
    }
}
