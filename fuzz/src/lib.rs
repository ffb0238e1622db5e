//! The one body every fuzz target runs: import the bytes in a format and check what must hold
//! for any input. A panic or a failed check is a crash that libFuzzer keeps.

use hicp_evidence::{Format, ImportError, Options, SummaryBuilder, import_reader};

pub fn import(format: Format, data: &[u8]) {
    let mut builder = SummaryBuilder::new(None);
    let outcome = import_reader(format, data, "fuzz-input", None, Options::default(), &mut |r| {
        builder.add(&r);
        Ok(())
    });
    match outcome {
        Ok(imported) => {
            assert_eq!(imported.bytes, data.len() as u64, "the hash covers every byte");
            let summary = builder.summary();
            let by_severity = summary.by_severity;
            let total = by_severity.critical
                + by_severity.high
                + by_severity.medium
                + by_severity.low
                + by_severity.info;
            assert_eq!(total, summary.findings);
        }
        Err(ImportError::Input(problems)) => {
            assert!(!problems.is_empty(), "a refusal says why");
        }
        Err(ImportError::Sink(error)) => panic!("the sink never fails here: {error}"),
    }
}
