//! The JSON export: the whole catalog in one file that [`crate::Catalog::load_path`] reads back.
//! The schema is documented field by field in `docs/catalog.md`; any incompatible change to it
//! raises [`SCHEMA_VERSION`].

use serde::Serialize;

use super::selected;
use crate::Catalog;
use crate::model::*;

/// Version of the JSON export schema.
/// Version 2 gave every name its source and every alias its edition; version 1 files still load.
pub const SCHEMA_VERSION: u16 = 2;

#[derive(Serialize)]
struct Document<'a> {
    schema_version: u16,
    /// Present when the export holds only the sub-practices one tier is expected to do.
    #[serde(skip_serializing_if = "Option::is_none")]
    tier_filter: Option<Tier>,
    edition: &'a Edition,
    threats: &'a [Threat],
    practices: &'a [Practice],
    sub_practices: Vec<&'a SubPractice>,
    crosswalks: Crosswalks<'a>,
}

/// The four crosswalk tables, each as its file in `content/crosswalks/` holds it.
#[derive(Serialize)]
struct Crosswalks<'a> {
    csf11_to_csf2: CsfMap<'a>,
    csf2: Csf2List<'a>,
    hipaa: HipaaTable<'a>,
    hph_cpg: CpgTable<'a>,
}

#[derive(Serialize)]
struct CsfMap<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<&'a TableSource>,
    map: &'a [CsfMapping],
}

#[derive(Serialize)]
struct Csf2List<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<&'a TableSource>,
    ids: &'a [Csf2Entry],
}

#[derive(Serialize)]
struct HipaaTable<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<&'a TableSource>,
    standards: &'a [HipaaStandard],
}

#[derive(Serialize)]
struct CpgTable<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<&'a TableSource>,
    goals: &'a [CpgGoal],
}

/// The catalog as pretty-printed JSON, optionally limited to the sub-practices `tier` requires.
pub fn json(catalog: &Catalog, tier: Option<Tier>) -> Result<String, serde_json::Error> {
    let sources = &catalog.table_sources;
    let document = Document {
        schema_version: SCHEMA_VERSION,
        tier_filter: tier,
        edition: &catalog.edition,
        threats: &catalog.threats,
        practices: &catalog.practices,
        sub_practices: selected(catalog, tier),
        crosswalks: Crosswalks {
            csf11_to_csf2: CsfMap {
                source: sources.csf11_to_csf2.as_ref(),
                map: &catalog.csf11_to_csf2,
            },
            csf2: Csf2List {
                source: sources.csf2.as_ref(),
                ids: &catalog.csf2,
            },
            hipaa: HipaaTable {
                source: sources.hipaa.as_ref(),
                standards: &catalog.hipaa,
            },
            hph_cpg: CpgTable {
                source: sources.cpg.as_ref(),
                goals: &catalog.cpg_goals,
            },
        },
    };
    let mut text = serde_json::to_string_pretty(&document)?;
    text.push('\n');
    Ok(text)
}
