//! The evidence section: metrics measured from an organization's own tools appear in every
//! report format, with their definitions and sources, and not at all when there are none.

mod common;

use std::io::Cursor;

use calamine::{Reader, Xlsx, open_workbook_from_rs};
use hicp_report::{EvidenceMetric, csv, html, oscal, xlsx};

fn metrics() -> Vec<EvidenceMetric> {
    vec![
        EvidenceMetric {
            practice: 7,
            title: "Open vulnerabilities by severity".to_string(),
            value: "2 critical, 3 high, 20 medium, 10 low (71 informational) on 3 hosts"
                .to_string(),
            definition: "Findings of the current scans not reported fixed, by severity."
                .to_string(),
            source: "weekly.nessus (nessus, imported 2026-11-20)".to_string(),
        },
        EvidenceMetric {
            practice: 5,
            title: "Hosts seen by the scanner but missing from the inventory".to_string(),
            value: "3 of 3 scanned hosts".to_string(),
            definition: "Scanned hosts that match no inventory asset.".to_string(),
            source: "assets.csv (inventory, imported 2026-11-19)".to_string(),
        },
    ]
}

#[test]
fn html_has_an_evidence_section_only_when_there_is_evidence() {
    let fixture = common::example("community-hospital");
    let without = html::render(&fixture.input());
    assert!(!without.contains("id=\"evidence\""));
    let metrics = metrics();
    let input = hicp_report::ReportInput {
        evidence: &metrics,
        ..fixture.input()
    };
    let with = html::render(&input);
    assert!(with.contains("<h2>Evidence from your own tools</h2>"));
    for metric in &metrics {
        assert!(with.contains(&metric.value), "{}", metric.value);
        assert!(with.contains(&metric.definition));
        assert!(with.contains(&metric.source));
    }
}

#[test]
fn csv_and_xlsx_list_every_metric() {
    let fixture = common::example("community-hospital");
    let metrics = metrics();
    let input = hicp_report::ReportInput {
        evidence: &metrics,
        ..fixture.input()
    };
    let table = csv::evidence(&input);
    let mut reader = ::csv::Reader::from_reader(table.as_bytes());
    let rows: Vec<::csv::StringRecord> = reader.records().map(|r| r.expect("a row")).collect();
    assert_eq!(rows.len(), metrics.len());
    assert_eq!(&rows[1][0], "5");
    assert_eq!(&rows[1][2], "3 of 3 scanned hosts");
    assert_eq!(
        csv::evidence(&fixture.input()).lines().count(),
        1,
        "the header only"
    );

    let bytes = xlsx::render(&input).expect("the workbook renders");
    let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).expect("an xlsx");
    let sheet = workbook
        .worksheet_range("Evidence")
        .expect("an Evidence sheet");
    let cells: Vec<String> = sheet.rows().skip(1).map(|row| row[2].to_string()).collect();
    assert_eq!(
        cells,
        metrics.iter().map(|m| m.value.clone()).collect::<Vec<_>>()
    );
}

#[test]
fn oscal_results_record_each_metric_as_a_test() {
    let fixture = common::example("community-hospital");
    let metrics = metrics();
    let input = hicp_report::ReportInput {
        evidence: &metrics,
        ..fixture.input()
    };
    let document = oscal::assessment_results(&input);
    let observations = document["assessment-results"]["results"][0]["observations"]
        .as_array()
        .expect("observations");
    let tests: Vec<&serde_json::Value> = observations
        .iter()
        .filter(|o| o["methods"] == serde_json::json!(["TEST"]))
        .collect();
    assert_eq!(tests.len(), metrics.len());
    assert!(
        tests[0]["description"]
            .as_str()
            .is_some_and(|d| d.contains("2 critical"))
    );
    assert_eq!(
        tests[1]["relevant-evidence"][0]["description"],
        metrics[1].source
    );
    let plain = oscal::assessment_results(&fixture.input());
    let count = |d: &serde_json::Value| {
        d["assessment-results"]["results"][0]["observations"]
            .as_array()
            .map(Vec::len)
    };
    assert_eq!(count(&plain).map(|n| n + metrics.len()), count(&document));
}
