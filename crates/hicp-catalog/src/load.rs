//! From source files to a validated [`Catalog`]: decode every file, check the whole, derive the
//! crosswalk ids, and either return the catalog or every error found.

use std::cell::RefCell;

use hicp_input::Problems;

use crate::Catalog;
use crate::crosswalk;
use crate::decode::{self, Decoder, Names, Need, PracticeOf, Shape, Table};
use crate::diagnostics::{Diagnostics, Located};
use crate::error::{CatalogError, WHAT};
use crate::export::SCHEMA_VERSION;
use crate::model::*;
use crate::parts::Parts;
use crate::source::{Found, SourceFile, SourceKind};
use crate::tree::{self, Node};
use crate::validate;

pub(crate) fn load(found: Found) -> Result<Catalog, CatalogError> {
    let diagnostics = RefCell::new(Diagnostics::default());
    for problem in found.problems {
        diagnostics.borrow_mut().push(problem);
    }
    let mut parts = Parts::empty(&found.files);
    let mut all_parsed = !found.unreadable;
    for source in &found.files {
        all_parsed &= decode_source(source, &diagnostics, &mut parts);
    }
    let mut diagnostics = diagnostics.into_inner();
    if !all_parsed {
        // Checks across files would report everything the unreadable file holds as missing.
        return Err(invalid(diagnostics));
    }
    validate::check(&parts, &mut diagnostics);
    let catalog = build(parts, &mut diagnostics);
    match catalog {
        Some(catalog) if !diagnostics.has_problems() => Ok(catalog),
        _ => Err(invalid(diagnostics)),
    }
}

fn invalid(diagnostics: Diagnostics) -> CatalogError {
    CatalogError::Invalid(Problems::new(WHAT, diagnostics.into_problems()))
}

/// Decodes one file into `parts`; false if it is not valid TOML or JSON.
fn decode_source(
    source: &SourceFile,
    diagnostics: &RefCell<Diagnostics>,
    parts: &mut Parts,
) -> bool {
    let decoder = Decoder::new(&source.name, &source.text, diagnostics);
    let parsed = match source.kind {
        SourceKind::Json => tree::json::parse(&source.text),
        _ => tree::parse_toml(&source.text),
    };
    let root: Node = match parsed {
        Ok(root) => root,
        Err(error) => {
            let language = if source.kind == SourceKind::Json {
                "JSON"
            } else {
                "TOML"
            };
            decoder.syntax_error(&error, language);
            return false;
        }
    };
    let shape = root_shape(source.kind);
    let Some(t) = decoder.table(&root, "", &shape) else {
        return true;
    };
    match source.kind {
        SourceKind::Edition => {
            parts.edition = t
                .table("edition", &decode::EDITION)
                .map(|e| decode::edition(&e))
        }
        SourceKind::Threats => threats(&t, Names::Sourced, parts),
        SourceKind::Practice => practice_file(&t, parts),
        SourceKind::CsfMap => decode::csf_map_table(&t, &mut parts.crosswalks),
        SourceKind::Csf2 => decode::csf2_table(&t, &mut parts.crosswalks),
        SourceKind::Hipaa => decode::hipaa_table(&t, &mut parts.crosswalks),
        SourceKind::Cpg => decode::cpg_table(&t, &mut parts.crosswalks),
        SourceKind::Json => json_catalog(&t, parts),
    }
    true
}

fn root_shape(kind: SourceKind) -> Shape {
    match kind {
        SourceKind::Edition => Shape::of(&["edition"]),
        SourceKind::Threats => Shape::of(&["threats"]),
        SourceKind::Practice => PRACTICE_FILE,
        SourceKind::CsfMap => decode::CSF_MAP_TABLE,
        SourceKind::Csf2 => decode::CSF2_TABLE,
        SourceKind::Hipaa => decode::HIPAA_TABLE,
        SourceKind::Cpg => decode::CPG_TABLE,
        SourceKind::Json => JSON_ROOT,
    }
}

fn threats(t: &Table, names: Names, parts: &mut Parts) {
    let tables = t.tables(
        "threats",
        Need::AtLeastOne("HICP names five threats"),
        &decode::THREAT,
    );
    parts
        .threats
        .extend(tables.iter().filter_map(|t| decode::threat(t, names)));
}

const PRACTICE_FILE: Shape = Shape::of(&[
    "number",
    "title",
    "title_source",
    "aliases",
    "summary",
    "threats",
    "metrics",
    "provenance",
    "sub_practices",
]);

/// Fields a practice file's sub-practice must not have, because the loader works them out.
const IMPLIED_IN_PRACTICE_FILES: [(&str, &str); 4] = [
    ("practice", "the practice is the first part of the id"),
    ("tier", "the tier is the middle letter of the id"),
    (
        "csf2",
        "CSF 2.0 ids are derived from `csf11` through crosswalks/csf11-to-csf2.toml",
    ),
    (
        "hipaa",
        "HIPAA citations are derived from the CSF 2.0 ids through crosswalks/hipaa-to-csf2.toml",
    ),
];

const SUB_PRACTICE_IN_FILE: Shape = Shape {
    fields: &decode::SUB_PRACTICE_FIELDS,
    misplaced: &IMPLIED_IN_PRACTICE_FILES,
};

fn practice_file(t: &Table, parts: &mut Parts) {
    let practice = decode::practice(t, Names::Sourced);
    let number = practice.as_ref().map(|p| p.item.number);
    parts.practices.extend(practice);
    let tables = t.tables("sub_practices", Need::Optional, &SUB_PRACTICE_IN_FILE);
    parts.sub_practices.extend(
        tables
            .iter()
            .filter_map(|s| decode::sub_practice(s, PracticeOf::File(number), Names::Sourced)),
    );
}

const JSON_ROOT: Shape = Shape::of(&[
    "schema_version",
    "tier_filter",
    "edition",
    "threats",
    "practices",
    "sub_practices",
    "crosswalks",
]);

const JSON_PRACTICE: Shape = Shape::of(&decode::PRACTICE_FIELDS);

const JSON_SUB_PRACTICE: Shape = Shape::of(&[
    "id",
    "practice",
    "tier",
    "title",
    "title_source",
    "title_aliases",
    "summary",
    "good_looks_like",
    "owner_role",
    "threats",
    "cost",
    "effort",
    "prerequisites",
    "csf11",
    "csf2",
    "cpg",
    "hipaa",
    "metrics",
    "questions",
    "provenance",
]);

const JSON_CROSSWALKS: Shape = Shape::of(&["csf11_to_csf2", "csf2", "hipaa", "hph_cpg"]);

fn json_catalog(t: &Table, parts: &mut Parts) {
    parts.derived_ids_stated = true;
    let version = t.integer("schema_version", 1..=i64::from(u16::MAX));
    let names = match version {
        Some(1) => Names::Schema1,
        Some(v) if v != i64::from(SCHEMA_VERSION) => {
            t.error_at(
                "schema_version",
                format!(
                    "this hicp reads schema versions 1 to {SCHEMA_VERSION}; export the catalog again with a matching hicp"
                ),
            );
            Names::Sourced
        }
        _ => Names::Sourced,
    };
    if t.optional_text("tier_filter").is_some() {
        t.choice("tier_filter", &Tier::ALL, Tier::as_str);
    }
    parts.edition = t
        .table("edition", &decode::EDITION)
        .map(|e| decode::edition(&e));
    threats(t, names, parts);
    let practices = t.tables(
        "practices",
        Need::AtLeastOne("HICP has ten practices"),
        &JSON_PRACTICE,
    );
    parts
        .practices
        .extend(practices.iter().filter_map(|p| decode::practice(p, names)));
    let subs = t.tables("sub_practices", Need::Optional, &JSON_SUB_PRACTICE);
    parts.sub_practices.extend(
        subs.iter()
            .filter_map(|s| decode::sub_practice(s, PracticeOf::Fields, names)),
    );
    if let Some(c) = t.table("crosswalks", &JSON_CROSSWALKS) {
        let cw = &mut parts.crosswalks;
        if let Some(m) = c.table("csf11_to_csf2", &decode::CSF_MAP_TABLE) {
            decode::csf_map_table(&m, cw);
        }
        if let Some(m) = c.table("csf2", &decode::CSF2_TABLE) {
            decode::csf2_table(&m, cw);
        }
        if let Some(m) = c.table("hipaa", &decode::HIPAA_TABLE) {
            decode::hipaa_table(&m, cw);
        }
        if let Some(m) = c.table("hph_cpg", &decode::CPG_TABLE) {
            decode::cpg_table(&m, cw);
        }
    }
}

/// Derives the crosswalk ids and assembles the catalog; `None` if the edition is missing.
fn build(parts: Parts, diagnostics: &mut Diagnostics) -> Option<Catalog> {
    let cw = parts.crosswalks;
    let map: Vec<CsfMapping> = cw.csf11_to_csf2.into_iter().map(|m| m.item).collect();
    let hipaa: Vec<HipaaStandard> = cw.hipaa.into_iter().map(|h| h.item).collect();
    let mut sub_practices = Vec::with_capacity(parts.sub_practices.len());
    for Located { mut item, origin } in parts.sub_practices {
        let csf2 = crosswalk::derive_csf2(&item.csf11, &map);
        let hipaa_citations = crosswalk::derive_hipaa(&csf2, &hipaa);
        if parts.derived_ids_stated {
            for (field, stated, derived) in [
                ("csf2", &item.csf2, &csf2),
                ("hipaa", &item.hipaa, &hipaa_citations),
            ] {
                if !same_set(stated, derived) {
                    diagnostics.at(
                        &origin,
                        field,
                        format!(
                            "does not match what the crosswalk tables derive from `csf11`: expected [{}]",
                            derived.join(", ")
                        ),
                    );
                }
            }
        }
        item.csf2 = csf2;
        item.hipaa = hipaa_citations;
        sub_practices.push(item);
    }
    let mut catalog = Catalog {
        edition: parts.edition?,
        threats: parts.threats.into_iter().map(|t| t.item).collect(),
        practices: parts.practices.into_iter().map(|p| p.item).collect(),
        sub_practices,
        csf11_to_csf2: map,
        csf2: cw.csf2.into_iter().map(|c| c.item).collect(),
        hipaa,
        cpg_goals: cw.cpg_goals.into_iter().map(|g| g.item).collect(),
        table_sources: cw.sources,
    };
    catalog.threats.sort_by_key(|t| t.number);
    catalog.practices.sort_by_key(|p| p.number);
    catalog.sub_practices.sort_by(|a, b| a.id.cmp(&b.id));
    Some(catalog)
}

fn same_set(a: &[String], b: &[String]) -> bool {
    a.len() == b.len() && a.iter().all(|x| b.contains(x))
}
