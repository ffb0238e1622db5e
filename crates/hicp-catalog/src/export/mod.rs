//! Writing a catalog out: JSON in a stable schema that loads back ([`json`]), CSV for
//! spreadsheets ([`csv`]), and OSCAL 1.1.2 catalog and profile documents ([`oscal_catalog`],
//! [`oscal_profile`]). Every export is deterministic: the same catalog gives the same bytes.

mod csv;
mod json;
mod oscal;

pub use self::csv::csv;
pub use json::{SCHEMA_VERSION, json};
pub use oscal::{oscal_catalog, oscal_profile};

use crate::Catalog;
use crate::model::{SubPractice, Tier};

/// The sub-practices an export covers: all of them, or those a tier is expected to do.
fn selected(catalog: &Catalog, tier: Option<Tier>) -> Vec<&SubPractice> {
    match tier {
        Some(tier) => catalog.required_for(tier).collect(),
        None => catalog.sub_practices.iter().collect(),
    }
}
