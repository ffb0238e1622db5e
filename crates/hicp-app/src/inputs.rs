//! Reading what a user names: the catalog, a methodology override, an assessment file. Each is
//! size-checked before it is read and bounded while it is read (`hicp-input`); what a reader
//! finds wrong comes back with its file, line and key.

use std::path::Path;

use hicp_catalog::Catalog;
use hicp_engine::Methodology;
use hicp_engine::input::{MAX_INPUT_BYTES, ParsedAssessment, parse_assessment_with};

use crate::error::AppResult;

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
    let text = hicp_input::read_text(path, MAX_INPUT_BYTES as u64, "the methodology file")?;
    Ok(Methodology::from_toml_str(
        &text,
        &path.display().to_string(),
    )?)
}

/// An assessment file, read against `catalog`; `methodology` decides which answers are
/// "going further" (beyond the tier).
pub fn read_assessment(
    path: &Path,
    catalog: &Catalog,
    methodology: &Methodology,
) -> AppResult<ParsedAssessment> {
    let text = hicp_input::read_text(path, MAX_INPUT_BYTES as u64, "the assessment file")?;
    Ok(parse_assessment_with(
        &text,
        &path.display().to_string(),
        catalog,
        methodology,
    )?)
}

/// How a file is named on a report when nobody gave a label: its file name.
pub fn file_label(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |name| name.to_string_lossy().into_owned(),
    )
}
