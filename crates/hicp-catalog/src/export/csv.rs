//! The CSV export: one row per sub-practice, for people who work in spreadsheets.

use super::selected;
use crate::Catalog;
use crate::model::{Alias, Practice, SubPractice, Threat, Tier};

/// Column headings, in order; `docs/catalog.md` describes each.
const COLUMNS: [&str; 30] = [
    "id",
    "practice",
    "practice_title",
    "practice_title_confidence",
    "tier",
    "title",
    "title_edition",
    "title_confidence",
    "title_source",
    "title_aliases",
    "summary",
    "good_looks_like",
    "owner_role",
    "threats",
    "threat_names",
    "threat_name_confidence",
    "cost",
    "effort",
    "prerequisites",
    "csf11",
    "csf2",
    "cpg",
    "hipaa",
    "metrics",
    "questions",
    "confidence",
    "verified",
    "source",
    "edition",
    "note",
];

/// Separator for list fields within one cell.
const LIST_SEPARATOR: &str = "; ";

/// The catalog as CSV (RFC 4180, CRLF line ends), optionally limited to what `tier` requires.
pub fn csv(catalog: &Catalog, tier: Option<Tier>) -> String {
    let mut out = String::new();
    write_row(&mut out, COLUMNS.iter().map(|c| c.to_string()));
    for sub in selected(catalog, tier) {
        write_row(&mut out, row(catalog, sub));
    }
    out
}

fn row(catalog: &Catalog, s: &SubPractice) -> [String; 30] {
    let list = |items: &[String]| items.join(LIST_SEPARATOR);
    let numbers = |items: &[u8]| {
        items
            .iter()
            .map(u8::to_string)
            .collect::<Vec<_>>()
            .join(LIST_SEPARATOR)
    };
    let threats: Vec<&Threat> = s
        .threats
        .iter()
        .filter_map(|n| catalog.threat(*n))
        .collect();
    let threat_names: Vec<String> = threats.iter().map(|t| t.name.clone()).collect();
    let threat_labels: Vec<String> = threats.iter().map(|t| t.name_label()).collect();
    let aliases: Vec<String> = s.title_aliases.iter().map(Alias::describe).collect();
    let practice = catalog.practice(s.practice);
    let ids: Vec<String> = s.prerequisites.iter().map(|p| p.to_string()).collect();
    let questions: Vec<String> = s.questions.iter().map(|q| q.text.clone()).collect();
    let p = &s.provenance;
    [
        s.id.to_string(),
        s.practice.to_string(),
        practice.map(|p| p.title.clone()).unwrap_or_default(),
        practice.map(Practice::title_label).unwrap_or_default(),
        s.tier.to_string(),
        s.title.clone(),
        s.title_source.edition.clone(),
        s.title_label(),
        s.title_source.source.clone(),
        list(&aliases),
        s.summary.clone(),
        s.good_looks_like.clone(),
        s.owner_role.clone(),
        numbers(&s.threats),
        list(&threat_names),
        list(&threat_labels),
        s.cost.to_string(),
        s.effort.to_string(),
        list(&ids),
        list(&s.csf11),
        list(&s.csf2),
        list(&s.cpg),
        list(&s.hipaa),
        list(&s.metrics),
        list(&questions),
        p.confidence.as_str().to_string(),
        p.verified.to_string(),
        p.source.clone(),
        p.edition.clone(),
        p.note.clone().unwrap_or_default(),
    ]
}

fn write_row(out: &mut String, cells: impl IntoIterator<Item = String>) {
    for (i, cell) in cells.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&quote(&defuse_formula(cell)));
    }
    out.push_str("\r\n");
}

/// A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (and, in some, a tab or
/// carriage return) as a formula; a leading apostrophe makes it plain text.
fn defuse_formula(cell: String) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell
    }
}

fn quote(cell: &str) -> String {
    if cell.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused() {
        for risky in ["=1+1", "+SUM(A1)", "-2", "@cmd", "\tx"] {
            assert_eq!(defuse_formula(risky.to_string()), format!("'{risky}"));
        }
        assert_eq!(defuse_formula("Inventory".into()), "Inventory");
    }

    #[test]
    fn cells_are_quoted_when_needed() {
        assert_eq!(quote("plain"), "plain");
        assert_eq!(quote("a, b"), "\"a, b\"");
        assert_eq!(quote("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(quote("two\nlines"), "\"two\nlines\"");
    }
}
