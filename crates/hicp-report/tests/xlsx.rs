//! The workbook read back with calamine (sheets, rows, cell types) and, for what calamine cannot
//! see (frozen panes, autofilter), the sheet XML inside the package.

mod common;

use std::io::{Cursor, Read};

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use hicp_report::xlsx;
use time::Date;
use time::macros::date;

fn open(bytes: &[u8]) -> Xlsx<Cursor<Vec<u8>>> {
    open_workbook_from_rs(Cursor::new(bytes.to_vec())).expect("the workbook opens")
}

/// Excel's serial day number (1900 date system).
fn serial(day: Date) -> f64 {
    (day - date!(1899 - 12 - 30)).whole_days() as f64
}

fn column(range: &calamine::Range<Data>, header: &str) -> usize {
    range
        .rows()
        .next()
        .expect("a header row")
        .iter()
        .position(|cell| cell == &Data::String(header.to_string()))
        .unwrap_or_else(|| panic!("no column {header}"))
}

#[test]
fn examples_have_the_five_sheets_and_one_row_per_finding_and_plan_item() {
    for name in common::EXAMPLES {
        let fixture = common::example(name);
        let bytes = xlsx::render(&fixture.input()).expect("renders");
        let mut workbook = open(&bytes);
        assert_eq!(
            workbook.sheet_names(),
            [
                "Summary",
                "Findings",
                "Action Plan",
                "Crosswalk",
                "Evidence"
            ],
            "{name}"
        );
        // An assessment file brings no evidence: the sheet has its header only.
        let evidence = workbook.worksheet_range("Evidence").expect("Evidence");
        assert_eq!(evidence.height(), 1, "{name}");
        let evaluation = &fixture.evaluation;
        let findings = workbook.worksheet_range("Findings").expect("Findings");
        assert_eq!(
            findings.height(),
            1 + evaluation.sub_practices.len(),
            "{name}"
        );
        let plan = workbook
            .worksheet_range("Action Plan")
            .expect("Action Plan");
        assert_eq!(
            plan.height(),
            1 + evaluation.plan.items.len() + evaluation.plan.deferred.len(),
            "{name}"
        );
        let crosswalk = workbook.worksheet_range("Crosswalk").expect("Crosswalk");
        assert_eq!(
            crosswalk.height(),
            1 + evaluation.sub_practices.len(),
            "{name}"
        );
        let summary = workbook.worksheet_range("Summary").expect("Summary");
        assert_eq!(
            summary.get((1, 2)),
            Some(&Data::String(evaluation.organization.clone())),
            "{name}"
        );
    }
}

#[test]
fn dates_are_date_cells_and_amounts_are_numbers() {
    let fixture = common::example("community-hospital");
    let bytes = xlsx::render(&fixture.input()).expect("renders");
    let mut workbook = open(&bytes);
    let plan = workbook
        .worksheet_range("Action Plan")
        .expect("Action Plan");
    let (due, cost) = (column(&plan, "Due"), column(&plan, "Estimated cost"));
    let first = &fixture.evaluation.plan.items[0];
    match plan.get((1, due)) {
        Some(Data::DateTime(value)) => {
            assert!(value.is_datetime());
            assert_eq!(value.as_f64(), serial(first.due));
        }
        other => panic!("the due date is not a date cell: {other:?}"),
    }
    assert_eq!(
        plan.get((1, cost)),
        Some(&Data::Float(first.estimated_cost as f64))
    );

    let summary = workbook.worksheet_range("Summary").expect("Summary");
    assert!(
        matches!(summary.get((3, 2)), Some(Data::DateTime(d)) if d.as_f64() == serial(common::AS_OF)),
        "the as-of date: {:?}",
        summary.get((3, 2))
    );
}

#[test]
fn text_cells_are_guarded_against_formulas() {
    let fixture = common::hostile();
    let bytes = xlsx::render(&fixture.input()).expect("renders");
    let mut workbook = open(&bytes);
    let findings = workbook.worksheet_range("Findings").expect("Findings");
    let (owner, evidence, note) = (
        column(&findings, "Owner"),
        column(&findings, "Evidence"),
        column(&findings, "Note"),
    );
    let row = 1; // 1.S.A comes first.
    assert_eq!(
        findings.get((row, owner)),
        Some(&Data::String(
            "'=HYPERLINK(\"http://evil.example\",\"click\")".to_string()
        ))
    );
    assert!(
        matches!(findings.get((row, evidence)), Some(Data::String(s)) if s.starts_with("'+cmd"))
    );
    assert_eq!(
        findings.get((2, note)),
        Some(&Data::String("'-2+3 staff still untrained".to_string()))
    );
    assert_eq!(
        findings.get((2, owner)),
        Some(&Data::String("'@office manager".to_string()))
    );
}

/// The XML of every worksheet in the package, in sheet order.
fn sheet_xml(bytes: &[u8]) -> Vec<String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip package");
    (1..=4)
        .map(|n| {
            let mut xml = String::new();
            archive
                .by_name(&format!("xl/worksheets/sheet{n}.xml"))
                .expect("sheet part")
                .read_to_string(&mut xml)
                .expect("UTF-8 XML");
            xml
        })
        .collect()
}

#[test]
fn every_sheet_has_a_frozen_header_and_an_autofilter() {
    let fixture = common::hostile();
    let bytes = xlsx::render(&fixture.input()).expect("renders");
    for (n, xml) in sheet_xml(&bytes).iter().enumerate() {
        assert!(
            xml.contains(
                r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#
            ),
            "sheet {}: no frozen header",
            n + 1
        );
        assert!(
            xml.contains("<autoFilter ref=\"A1:"),
            "sheet {}: no autofilter",
            n + 1
        );
        assert!(xml.contains("<col "), "sheet {}: no column widths", n + 1);
    }
}

#[test]
fn output_is_reproducible() {
    let fixture = common::example("family-practice");
    let first = xlsx::render(&fixture.input()).expect("renders");
    let second = xlsx::render(&fixture.input()).expect("renders");
    assert_eq!(first, second);
}
