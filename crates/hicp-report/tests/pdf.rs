//! The PDF report, checked the way a reader would: poppler's `pdftotext`, `pdffonts` and
//! `pdfinfo` (Debian's poppler-utils, installed by `.ci/run`) read what hicp wrote.
//! Set `HICP_KEEP_PDF=DIR` to keep the example PDFs in DIR for looking at them.
#![cfg(feature = "pdf")]

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::Command;

use hicp_catalog::Catalog;
use hicp_engine::input::parse_assessment;
use hicp_engine::{Answer, Assessment, Evaluation, EvaluationOptions, Status, evaluate};
use hicp_report::{ReportInput, pdf};
use time::macros::date;

const EXAMPLES: [&str; 3] = [
    "family-practice.toml",
    "community-hospital.toml",
    "health-system.toml",
];

fn catalog() -> Catalog {
    Catalog::embedded().expect("the embedded catalog loads")
}

fn example(name: &str, catalog: &Catalog) -> Assessment {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    parse_assessment(&text, name, catalog)
        .unwrap_or_else(|e| panic!("{name} does not parse: {e}"))
        .assessment
}

fn evaluated(catalog: &Catalog, assessment: &Assessment) -> Evaluation {
    evaluate(
        catalog,
        assessment,
        &EvaluationOptions::new(date!(2026 - 11 - 15)),
    )
}

fn render(catalog: &Catalog, assessment: &Assessment, evaluation: &Evaluation) -> Vec<u8> {
    let input = ReportInput {
        catalog,
        assessment,
        evaluation,
        assessment_label: "2026 annual assessment".to_string(),
        generated_on: date!(2026 - 11 - 28),
        evidence: &[],
    };
    let bytes = pdf::render(&input).unwrap_or_else(|e| panic!("the PDF does not render: {e}"));
    assert!(
        bytes.starts_with(b"%PDF-"),
        "not a PDF: {:?}",
        &bytes[..8.min(bytes.len())]
    );
    bytes
}

/// A PDF written where poppler can read it; removed when dropped.
struct PdfFile {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl PdfFile {
    fn new(bytes: &[u8]) -> PdfFile {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("report.pdf");
        std::fs::write(&path, bytes).expect("write the PDF");
        PdfFile { _dir: dir, path }
    }

    /// Runs a poppler tool on the file and returns its standard output. A missing tool fails the
    /// test: the checks below are the point of it, so it must never pass without them.
    fn poppler(&self, tool: &str, args: &[&str]) -> String {
        let output = Command::new(tool)
            .args(args)
            .arg(&self.path)
            .args(if tool == "pdftotext" { &["-"][..] } else { &[][..] })
            .output()
            .unwrap_or_else(|e| {
                if e.kind() == ErrorKind::NotFound {
                    panic!(
                        "`{tool}` is not installed: install poppler-utils (apt-get install -y poppler-utils) to run the PDF tests; .ci/run installs it"
                    )
                }
                panic!("cannot run {tool}: {e}")
            });
        assert!(
            output.status.success(),
            "{tool} failed on the PDF: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// The text a reader can copy, with every run of whitespace made one space, so a phrase
    /// wrapped over two lines still matches.
    fn text(&self) -> String {
        squash(&self.poppler("pdftotext", &["-enc", "UTF-8"]))
    }
}

fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn assert_contains(text: &str, wanted: &str, what: &str) {
    assert!(
        text.contains(&squash(wanted)),
        "the PDF text lacks {what} `{wanted}`"
    );
}

/// Every font listed by `pdffonts` is embedded, and there is at least one.
fn assert_fonts_embedded(file: &PdfFile) {
    let listing = file.poppler("pdffonts", &[]);
    // Columns: name, type, encoding, emb, sub, uni, object, generation. Long font names push
    // the columns right, so count from the end of each row.
    let fonts: Vec<Vec<&str>> = listing
        .lines()
        .skip(2)
        .map(|row| row.split_whitespace().collect::<Vec<_>>())
        .filter(|cells| !cells.is_empty())
        .collect();
    assert!(!fonts.is_empty(), "pdffonts lists no font:\n{listing}");
    for cells in fonts {
        let emb = cells.len().checked_sub(5).map(|i| cells[i]);
        assert_eq!(emb, Some("yes"), "a font is not embedded:\n{listing}");
    }
}

#[test]
fn each_example_gives_a_complete_pdf_with_embedded_fonts() {
    let catalog = catalog();
    for name in EXAMPLES {
        let assessment = example(name, &catalog);
        let evaluation = evaluated(&catalog, &assessment);
        let bytes = render(&catalog, &assessment, &evaluation);
        if let Some(dir) = std::env::var_os("HICP_KEEP_PDF") {
            let kept = Path::new(&dir).join(name).with_extension("pdf");
            std::fs::write(&kept, &bytes)
                .unwrap_or_else(|e| panic!("cannot keep {}: {e}", kept.display()));
        }
        let file = PdfFile::new(&bytes);
        assert_fonts_embedded(&file);

        let text = file.text();
        assert_contains(&text, &evaluation.organization, "the organization");
        for practice in &evaluation.practices {
            assert_contains(&text, &practice.title, "the practice");
        }
        assert!(
            !evaluation.plan.items.is_empty(),
            "{name}: the example should have a plan to check"
        );
        for item in &evaluation.plan.items {
            assert_contains(&text, &item.id.to_string(), "the plan item");
        }
        for section in ["Executive summary", "Action plan", "Crosswalk", "Page 1 of"] {
            assert_contains(&text, section, "the section");
        }
    }
}

#[test]
fn typst_markup_characters_in_user_text_print_literally() {
    let catalog = catalog();
    let mut assessment = example(EXAMPLES[0], &catalog);
    let name = r"Dr. #Smith & $ons *Clinic* _West_ <main> @home \ [A] // `x` = 1";
    assessment.organization.name = name.to_string();
    let note = r"#set page(width: 1cm) $x^2$ <label> @ref \u{1F600}";
    let (id, answer) = assessment
        .answers
        .iter_mut()
        .next()
        .expect("the example has answers");
    answer.note = Some(note.to_string());
    let id = id.to_string();

    let evaluation = evaluated(&catalog, &assessment);
    let text = PdfFile::new(&render(&catalog, &assessment, &evaluation)).text();
    assert_contains(&text, name, "the organization name, verbatim,");
    assert_contains(&text, note, &format!("the note on {id}, verbatim,"));
}

#[test]
fn an_unanswered_assessment_and_a_complete_one_both_render() {
    let catalog = catalog();
    let mut assessment = example(EXAMPLES[0], &catalog);

    assessment.answers.clear();
    assessment.history.clear();
    let unanswered = evaluated(&catalog, &assessment);
    let text = PdfFile::new(&render(&catalog, &assessment, &unanswered)).text();
    assert_contains(&text, &unanswered.organization, "the organization");

    // Everything implemented: no gaps, no plan, no top actions — the empty-list paths.
    for id in &unanswered.applicable {
        assessment
            .answers
            .insert(id.clone(), Answer::with_status(Status::Implemented));
    }
    let complete = evaluated(&catalog, &assessment);
    assert!(complete.gaps.is_empty() && complete.plan.items.is_empty());
    let text = PdfFile::new(&render(&catalog, &assessment, &complete)).text();
    assert_contains(&text, "There are no gaps", "the no-gap note");
    assert_contains(&text, "Nothing is scheduled", "the empty-plan note");
}

#[test]
fn long_notes_and_unbroken_evidence_links_are_typeset_in_full() {
    let catalog = catalog();
    let mut assessment = example(EXAMPLES[0], &catalog);
    // Single-word markers, so neither a line break nor a page break (with its header and
    // footer) can fall inside one.
    let long_note = (1..=120)
        .map(|i| format!("Backup check{i}ok was run. "))
        .collect::<String>();
    let long_link = format!("https://evidence.example.org/{}", "a1b2c3".repeat(40));
    let answer = assessment
        .answers
        .values_mut()
        .next()
        .expect("the example has answers");
    answer.note = Some(long_note.clone());
    answer.evidence = vec![long_link.clone()];

    let evaluation = evaluated(&catalog, &assessment);
    let text = PdfFile::new(&render(&catalog, &assessment, &evaluation)).text();
    for i in 1..=120 {
        assert_contains(&text, &format!("check{i}ok"), "the long note's marker");
    }
    // A link too long for a line is broken across lines; its characters all remain.
    let without_spaces: String = text.split_whitespace().collect();
    assert!(without_spaces.contains(&long_link), "the long link is cut");
}

#[test]
fn the_pdf_is_tagged_titled_and_dated() {
    let catalog = catalog();
    let assessment = example(EXAMPLES[0], &catalog);
    let evaluation = evaluated(&catalog, &assessment);
    let file = PdfFile::new(&render(&catalog, &assessment, &evaluation));
    let info = file.poppler("pdfinfo", &[]);
    let field = |key: &str| {
        info.lines()
            .find_map(|l| l.strip_prefix(key).map(|v| v.trim().to_string()))
            .unwrap_or_else(|| panic!("pdfinfo shows no {key}:\n{info}"))
    };
    assert_eq!(field("Tagged:"), "yes");
    assert!(field("Title:").contains(&evaluation.organization));
    assert_eq!(field("Author:"), evaluation.organization);
    assert!(field("CreationDate:").contains("2026"), "{info}");

    // The standards typst checked the document against are declared in its XMP metadata.
    let xmp = file.poppler("pdfinfo", &["-meta"]);
    for claim in [
        "<pdfaid:part>2</pdfaid:part>",
        "<pdfaid:conformance>A</pdfaid:conformance>",
        "<pdfuaid:part>1</pdfuaid:part>",
    ] {
        assert!(xmp.contains(claim), "the XMP metadata lacks {claim}");
    }
}

#[test]
fn the_same_input_gives_the_same_pdf() {
    let catalog = catalog();
    let assessment = example(EXAMPLES[0], &catalog);
    let evaluation = evaluated(&catalog, &assessment);
    let first = render(&catalog, &assessment, &evaluation);
    let second = render(&catalog, &assessment, &evaluation);
    assert!(first == second, "two renders of one input differ");
}

#[test]
fn every_finding_title_carries_its_confidence_mark_and_the_legend_explains_it() {
    use hicp_catalog::NameConfidence;
    use hicp_report::titles::{LEGEND, STAND_IN_MARK, UNVERIFIED_MARK};

    let catalog = catalog();
    let mut marks_seen = Vec::new();
    for name in EXAMPLES {
        let assessment = example(name, &catalog);
        let evaluation = evaluated(&catalog, &assessment);
        let text = PdfFile::new(&render(&catalog, &assessment, &evaluation)).text();
        for scored in &evaluation.sub_practices {
            let entry = catalog.sub_practice(&scored.id).expect("in the catalog");
            let mark = match entry.title_source.confidence {
                NameConfidence::Published => continue,
                NameConfidence::Recalled | NameConfidence::Inferred => UNVERIFIED_MARK,
                NameConfidence::Provisional => STAND_IN_MARK,
            };
            assert_contains(
                &text,
                &format!("{} {} {mark}", scored.id, entry.title),
                &format!("{name}: the marked title"),
            );
            marks_seen.push(mark);
        }
        assert_contains(&text, LEGEND, &format!("{name}: the legend"));
    }
    assert!(marks_seen.contains(&UNVERIFIED_MARK) && marks_seen.contains(&STAND_IN_MARK));
}

#[test]
fn metrics_from_the_organizations_tools_get_their_own_section() {
    let catalog = catalog();
    let assessment = example("community-hospital.toml", &catalog);
    let evaluation = evaluated(&catalog, &assessment);
    let evidence = [hicp_report::EvidenceMetric {
        practice: 7,
        title: "Open vulnerabilities by severity".to_string(),
        value: "2 critical, 3 high on 3 hosts".to_string(),
        definition: "Findings of the current scans not reported fixed.".to_string(),
        source: "weekly.nessus (nessus, imported 2026-11-20)".to_string(),
    }];
    let input = ReportInput {
        catalog: &catalog,
        assessment: &assessment,
        evaluation: &evaluation,
        assessment_label: "2026 annual assessment".to_string(),
        generated_on: date!(2026 - 11 - 28),
        evidence: &evidence,
    };
    let text = PdfFile::new(&pdf::render(&input).expect("renders")).text();
    assert!(text.contains("Evidence from your own tools"), "{text}");
    assert!(text.contains("2 critical, 3 high on 3 hosts"));
    assert!(text.contains("weekly.nessus"));
    let plain = PdfFile::new(&render(&catalog, &assessment, &evaluation)).text();
    assert!(!plain.contains("Evidence from your own tools"));
}
