//! CSV exports: parse back, one row per finding / plan item, and no cell a spreadsheet would
//! evaluate as a formula.

mod common;

use hicp_report::csv;

fn parse(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = ::csv::Reader::from_reader(text.as_bytes());
    let header = reader
        .headers()
        .expect("a header")
        .iter()
        .map(str::to_string)
        .collect();
    let rows = reader
        .records()
        .map(|r| {
            r.expect("a well-formed record")
                .iter()
                .map(str::to_string)
                .collect()
        })
        .collect();
    (header, rows)
}

#[test]
fn findings_have_one_row_per_sub_practice_in_scope() {
    for name in common::EXAMPLES {
        let fixture = common::example(name);
        let (header, rows) = parse(&csv::findings(&fixture.input()));
        assert_eq!(header[0], "id");
        assert_eq!(rows.len(), fixture.evaluation.sub_practices.len(), "{name}");
        let ids: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
        let expected: Vec<String> = fixture
            .evaluation
            .sub_practices
            .iter()
            .map(|s| s.id.to_string())
            .collect();
        assert_eq!(ids, expected, "{name}");
    }
}

#[test]
fn plan_has_one_row_per_item_then_the_deferred_ones() {
    for name in common::EXAMPLES {
        let fixture = common::example(name);
        let plan = &fixture.evaluation.plan;
        let (header, rows) = parse(&csv::plan(&fixture.input()));
        assert_eq!(header[0], "state");
        assert_eq!(rows.len(), plan.items.len() + plan.deferred.len(), "{name}");
        let scheduled = rows.iter().filter(|r| r[0] == "scheduled").count();
        assert_eq!(scheduled, plan.items.len(), "{name}");
        let due = header.iter().position(|h| h == "due").expect("due column");
        let first = &rows[0];
        assert_eq!(
            first[due],
            plan.items[0].due.to_string(),
            "{name}: ISO date"
        );
    }
}

#[test]
fn formula_starts_get_an_apostrophe() {
    let fixture = common::hostile();
    let (header, rows) = parse(&csv::findings(&fixture.input()));
    let col = |name: &str| header.iter().position(|h| h == name).expect(name);
    let first = &rows[0];
    assert_eq!(first[col("id")], "1.S.A");
    assert_eq!(
        first[col("owner")],
        "'=HYPERLINK(\"http://evil.example\",\"click\")"
    );
    assert!(first[col("evidence")].starts_with("'+cmd"));
    assert_eq!(rows[1][col("owner")], "'@office manager");
    assert_eq!(rows[1][col("note")], "'-2+3 staff still untrained");
    // No cell of either file starts a formula.
    for text in [csv::findings(&fixture.input()), csv::plan(&fixture.input())] {
        let (_, rows) = parse(&text);
        for cell in rows.iter().flatten() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "unguarded cell {cell:?}"
            );
        }
    }
}
