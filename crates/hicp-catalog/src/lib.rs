//! The HICP catalog: threats, practices and sub-practices per organization size, with their
//! crosswalks to NIST CSF, the HPH Cybersecurity Performance Goals and the HIPAA Security Rule,
//! and where every fact came from.
//!
//! The default edition is embedded in the binary from the repository's `content/` folder; an
//! administrator can load a newer one from a directory or a JSON export without rebuilding
//! ([`Catalog::load_path`]). Loading validates the whole catalog and reports every problem with
//! its file, line, column and field ([`hicp_input::Problem`], all of them in
//! [`CatalogError::Invalid`]). See `docs/catalog.md`.

mod crosswalk;
mod decode;
mod diagnostics;
mod diff;
mod error;
pub mod export;
mod load;
pub mod model;
pub mod oscal;
mod parts;
mod source;
mod tree;
mod validate;

pub use diff::{CatalogDiff, Change, Retitled, diff};
pub use error::CatalogError;
pub use model::*;

use std::collections::BTreeSet;
use std::path::Path;

/// A loaded, validated catalog. Threats, practices and sub-practices are in number/id order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalog {
    pub edition: Edition,
    pub threats: Vec<Threat>,
    pub practices: Vec<Practice>,
    pub sub_practices: Vec<SubPractice>,
    /// NIST's CSF 1.1 → 2.0 mapping, through which every sub-practice's `csf2` is derived.
    pub csf11_to_csf2: Vec<CsfMapping>,
    pub csf2: Vec<Csf2Entry>,
    pub hipaa: Vec<HipaaStandard>,
    pub cpg_goals: Vec<CpgGoal>,
    /// Where the crosswalk tables come from.
    pub table_sources: TableSources,
}

impl Catalog {
    /// The catalog embedded at build time from `content/`.
    pub fn embedded() -> Result<Catalog, CatalogError> {
        load::load(source::Found {
            files: source::embedded(),
            problems: Vec::new(),
            unreadable: false,
        })
    }

    /// Loads a catalog from a directory laid out like `content/` (or that directory's
    /// `catalog.toml`), or from a `.json` file in the export schema ([`export::json`]).
    pub fn load_path(path: &Path) -> Result<Catalog, CatalogError> {
        load::load(source::read_path(path)?)
    }

    pub fn sub_practice(&self, id: &SubPracticeId) -> Option<&SubPractice> {
        self.sub_practices
            .binary_search_by(|s| s.id.cmp(id))
            .ok()
            .map(|i| &self.sub_practices[i])
    }

    pub fn practice(&self, number: PracticeId) -> Option<&Practice> {
        self.practices.iter().find(|p| p.number == number)
    }

    pub fn threat(&self, number: ThreatId) -> Option<&Threat> {
        self.threats.iter().find(|t| t.number == number)
    }

    pub fn cpg_goal(&self, id: &str) -> Option<&CpgGoal> {
        self.cpg_goals.iter().find(|g| g.id == id)
    }

    pub fn hipaa_standard(&self, citation: &str) -> Option<&HipaaStandard> {
        self.hipaa.iter().find(|h| h.citation == citation)
    }

    /// The sub-practices an organization of this size is expected to do, in id order.
    pub fn required_for(&self, tier: Tier) -> impl Iterator<Item = &SubPractice> {
        self.sub_practices
            .iter()
            .filter(move |s| tier.requires(s.tier))
    }

    /// Ids of [`Catalog::required_for`], as a set.
    pub fn required_ids(&self, tier: Tier) -> BTreeSet<SubPracticeId> {
        self.required_for(tier).map(|s| s.id.clone()).collect()
    }
}
