//! Every format shows how sure the catalog is of each name it prints: a mark after recalled,
//! inferred and stand-in names with the legend that explains it, or a column or property of its
//! own. Checked against the catalog itself, so a format that drops the mark fails here.

mod common;

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use hicp_catalog::{Catalog, NameConfidence, SubPracticeId};
use hicp_report::titles::{LEGEND, STAND_IN_MARK, UNVERIFIED_MARK};
use hicp_report::{csv, html, oscal, summary, xlsx};
use serde_json::Value;

/// The mark a reader must see after a sub-practice's title, from the catalog's own record.
fn expected_mark(catalog: &Catalog, id: &str) -> &'static str {
    let id: SubPracticeId = id.parse().expect("a sub-practice id");
    match catalog
        .sub_practice(&id)
        .expect("in the catalog")
        .title_source
        .confidence
    {
        NameConfidence::Published => "",
        NameConfidence::Recalled | NameConfidence::Inferred => UNVERIFIED_MARK,
        NameConfidence::Provisional => STAND_IN_MARK,
    }
}

fn confidence_of(catalog: &Catalog, id: &str) -> &'static str {
    let id: SubPracticeId = id.parse().expect("a sub-practice id");
    catalog
        .sub_practice(&id)
        .expect("in the catalog")
        .title_source
        .confidence
        .as_str()
}

/// `(id, title as printed)` for every sub-practice in scope whose title carries a mark.
fn marked_findings(fixture: &common::Fixture) -> Vec<(String, String)> {
    fixture
        .evaluation
        .sub_practices
        .iter()
        .filter_map(|s| {
            let entry = fixture.catalog.sub_practice(&s.id)?;
            let mark = expected_mark(&fixture.catalog, &s.id.to_string());
            (!mark.is_empty()).then(|| (s.id.to_string(), format!("{}\u{a0}{mark}", entry.title)))
        })
        .collect()
}

#[test]
fn the_examples_hold_both_kinds_of_mark() {
    // Without this, the tests below could pass on examples that print no marked name at all.
    let printed: Vec<String> = common::EXAMPLES
        .iter()
        .flat_map(|name| marked_findings(&common::example(name)))
        .map(|(_, title)| title)
        .collect();
    assert!(
        printed.iter().any(|t| t.ends_with(UNVERIFIED_MARK)),
        "{printed:?}"
    );
    assert!(
        printed.iter().any(|t| t.ends_with(STAND_IN_MARK)),
        "{printed:?}"
    );
}

#[test]
fn html_marks_every_unverified_title_and_explains_the_marks() {
    for name in common::EXAMPLES {
        let fixture = common::example(name);
        let page = html::render(&fixture.input());
        for (id, title) in marked_findings(&fixture) {
            // Every place that prints the id with its title (findings, plan, crosswalk, top
            // actions) must print the mark, not just one of them.
            let (text, _) = title.split_once('\u{a0}').expect("a marked title");
            let bare = format!("<span class=\"id\">{id}</span> {text}");
            let printed = page.matches(&bare).count();
            let marked = page
                .matches(&format!("<span class=\"id\">{id}</span> {title}"))
                .count();
            assert!(printed > 0, "{name}: {id} is not printed");
            assert_eq!(marked, printed, "{name}: {id} is printed without its mark");
        }
        assert!(page.contains(LEGEND), "{name}: no legend");
    }
}

#[test]
fn text_and_markdown_summaries_mark_the_titles_they_print() {
    for name in common::EXAMPLES {
        let fixture = common::example(name);
        let evaluation = &fixture.evaluation;
        let text = summary::text(evaluation, &fixture.catalog, &[]);
        let markdown = summary::markdown(evaluation, &fixture.catalog, &[], &[]);
        // The summaries list every scheduled plan item by title.
        for item in &evaluation.plan.items {
            let mark = expected_mark(&fixture.catalog, &item.id.to_string());
            if mark.is_empty() {
                continue;
            }
            let printed = format!("{}\u{a0}{mark}", item.title);
            assert!(text.contains(&printed), "{name}: text lacks {printed}");
            assert!(
                markdown.contains(&printed),
                "{name}: Markdown lacks {printed}"
            );
        }
        // Wrapped to the terminal's width, the legend is the same words.
        let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            words(&text).contains(&words(LEGEND)),
            "{name}: text has no legend"
        );
        assert!(markdown.contains(LEGEND), "{name}: Markdown has no legend");
    }
}

#[test]
fn csv_gives_each_title_its_confidence() {
    for name in common::EXAMPLES {
        let fixture = common::example(name);
        let input = fixture.input();
        for (file, text) in [
            ("findings", csv::findings(&input)),
            ("plan", csv::plan(&input)),
        ] {
            let mut reader = ::csv::Reader::from_reader(text.as_bytes());
            let header = reader.headers().expect("a header").clone();
            let at = |column: &str| {
                header
                    .iter()
                    .position(|h| h == column)
                    .unwrap_or_else(|| panic!("{file}.csv has no {column} column"))
            };
            let (id, confidence) = (at("id"), at("title_confidence"));
            let mut rows = 0;
            for row in reader.records() {
                let row = row.expect("a well-formed row");
                assert_eq!(
                    &row[confidence],
                    confidence_of(&fixture.catalog, &row[id]),
                    "{name} {file}.csv, {}",
                    &row[id]
                );
                rows += 1;
            }
            assert!(rows > 0, "{name} {file}.csv is empty");
        }
    }
}

#[test]
fn xlsx_marks_titles_gives_their_confidence_and_explains_the_marks() {
    for name in common::EXAMPLES {
        let fixture = common::example(name);
        let bytes = xlsx::render(&fixture.input()).expect("renders");
        let mut workbook: Xlsx<_> =
            open_workbook_from_rs(Cursor::new(bytes)).expect("the workbook opens");
        for sheet in ["Findings", "Action Plan", "Crosswalk"] {
            let range = workbook.worksheet_range(sheet).expect("the sheet");
            let mut rows = range.rows();
            let header = rows.next().expect("a header row");
            let at = |column: &str| {
                header
                    .iter()
                    .position(|h| h == &Data::String(column.to_string()))
                    .unwrap_or_else(|| panic!("{sheet} has no {column} column"))
            };
            let id = at("ID");
            let confidence = at("Name confidence");
            let title = confidence - 1;
            for row in rows {
                let id = row[id].to_string();
                assert_eq!(
                    row[confidence].to_string(),
                    confidence_of(&fixture.catalog, &id),
                    "{name} {sheet} {id}"
                );
                let mark = expected_mark(&fixture.catalog, &id);
                let printed = row[title].to_string();
                assert_eq!(
                    printed.ends_with(&format!("\u{a0}{mark}")),
                    !mark.is_empty(),
                    "{name} {sheet} {id}: {printed}"
                );
            }
        }
        let summary = workbook.worksheet_range("Summary").expect("Summary");
        assert!(
            summary
                .rows()
                .flatten()
                .any(|cell| cell == &Data::String(LEGEND.to_string())),
            "{name}: the Summary sheet does not explain the marks"
        );
    }
}

/// `(control id, title-confidence)` of every element in `list` that carries a control id.
fn confidences(list: &Value) -> Vec<(String, String)> {
    let prop = |element: &Value, name: &str| {
        element["props"]
            .as_array()?
            .iter()
            .find(|p| p["name"] == name)
            .and_then(|p| p["value"].as_str())
            .map(str::to_string)
    };
    list.as_array()
        .expect("a list")
        .iter()
        .filter_map(|element| {
            let control = prop(element, "control-id")?;
            let confidence = prop(element, "title-confidence")
                .unwrap_or_else(|| panic!("{} has no title-confidence property", element["title"]));
            Some((control, confidence))
        })
        .collect()
}

#[test]
fn oscal_gives_each_title_its_confidence() {
    for name in common::EXAMPLES {
        let fixture = common::example(name);
        let input = fixture.input();
        let by_control: Vec<(String, &'static str)> = fixture
            .evaluation
            .sub_practices
            .iter()
            .map(|s| {
                let id = s.id.to_string();
                (
                    hicp_catalog::oscal::control_id(&s.id),
                    confidence_of(&fixture.catalog, &id),
                )
            })
            .collect();
        let expected = |control: &str| {
            by_control
                .iter()
                .find(|(c, _)| c == control)
                .map(|(_, confidence)| *confidence)
                .unwrap_or_else(|| panic!("{control} is not in scope"))
        };
        let ar = oscal::assessment_results(&input);
        let result = &ar["assessment-results"]["results"][0];
        let poam = oscal::poam(&input);
        let poam = &poam["plan-of-action-and-milestones"];
        let lists = [
            ("observations", &result["observations"]),
            ("findings", &result["findings"]),
            ("POA&M items", &poam["poam-items"]),
        ];
        for (what, list) in lists {
            let found = confidences(list);
            assert!(!found.is_empty(), "{name}: no {what}");
            for (control, confidence) in found {
                assert_eq!(confidence, expected(&control), "{name} {what} {control}");
            }
        }
    }
}
