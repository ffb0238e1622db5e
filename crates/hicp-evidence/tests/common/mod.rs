//! Helpers shared by the integration tests: where the shared samples are, and importing into
//! a summary.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use hicp_evidence::{
    Format, ImportError, Imported, KevCatalog, Options, Record, Summary, SummaryBuilder,
    import_path, import_reader,
};

/// `../shared/testdata` beside the repository, or `None` (the caller prints that it skipped).
pub fn testdata() -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testdata");
    if path.is_dir() {
        Some(path)
    } else {
        eprintln!(
            "SKIPPED: {} is absent, so the real samples were not read",
            path.display()
        );
        None
    }
}

pub fn summarize(
    format: Format,
    path: &Path,
    kev: Option<&KevCatalog>,
) -> Result<(Summary, Imported, Vec<Record>), ImportError> {
    let mut builder = SummaryBuilder::new(kev);
    let mut records = Vec::new();
    let imported = import_path(format, path, Options::default(), &mut |record| {
        builder.add(&record);
        records.push(record);
        Ok(())
    })?;
    Ok((builder.summary(), imported, records))
}

pub fn summarize_bytes(format: Format, bytes: &[u8]) -> Result<Summary, ImportError> {
    let mut builder = SummaryBuilder::new(None);
    import_reader(
        format,
        bytes,
        "test-input",
        None,
        Options::default(),
        &mut |record| {
            builder.add(&record);
            Ok(())
        },
    )?;
    Ok(builder.summary())
}

/// The single problem of a refused input.
pub fn refusal(result: Result<Summary, ImportError>) -> hicp_input::Problem {
    match result {
        Err(ImportError::Input(problems)) => {
            assert_eq!(problems.len(), 1, "{problems}");
            problems.problems[0].clone()
        }
        Err(other) => panic!("expected an input problem, got {other}"),
        Ok(summary) => panic!("expected a refusal, got {summary:?}"),
    }
}
