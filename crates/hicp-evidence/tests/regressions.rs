//! Every kept input in tests/regressions (hand-made hostile files and any crash a fuzz target
//! found, see docs/evidence.md "Fuzzing") through every reader, on stable: each must be read
//! whole or refused with a located problem, never panic.

use std::path::Path;

use hicp_evidence::{Format, ImportError, Options, SummaryBuilder, import_reader};

#[test]
fn every_kept_input_is_read_or_refused_by_every_reader() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/regressions");
    let mut inputs: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    inputs.sort();
    assert!(
        inputs.len() >= 10,
        "the kept inputs are in {}",
        dir.display()
    );
    let mut refusals = 0;
    for path in &inputs {
        let data = std::fs::read(path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        for format in Format::ALL {
            let mut builder = SummaryBuilder::new(None);
            let outcome = import_reader(
                format,
                &data[..],
                &name,
                None,
                Options::default(),
                &mut |r| {
                    builder.add(&r);
                    Ok(())
                },
            );
            match outcome {
                Ok(imported) => assert_eq!(imported.bytes, data.len() as u64, "{name} as {format}"),
                Err(ImportError::Input(problems)) => {
                    refusals += 1;
                    let problem = &problems.problems[0];
                    assert_eq!(problem.file, name, "{format}: {problem}");
                    assert!(!problem.message.is_empty());
                }
                Err(other) => panic!("{name} as {format}: {other}"),
            }
        }
    }
    assert!(
        refusals > inputs.len(),
        "most hostile inputs are refused by most readers"
    );
}
