//! The HICP catalog: threats, practices and sub-practices per organization size, with their
//! crosswalks to NIST CSF, the HPH Cybersecurity Performance Goals and the HIPAA Security Rule,
//! and where every fact came from.
//!
//! The default edition is embedded in the binary from the repository's `content/` folder; an
//! administrator can load a newer one from a directory without rebuilding ([`Catalog::load_path`]).

mod error;
mod load;
pub mod model;

pub use error::{CatalogError, ValidationError};
pub use model::*;

use std::collections::BTreeSet;

/// A loaded, validated catalog. Sub-practices are in id order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalog {
    pub edition: Edition,
    pub threats: Vec<Threat>,
    pub practices: Vec<Practice>,
    pub sub_practices: Vec<SubPractice>,
    pub csf2: Vec<Csf2Entry>,
    pub hipaa: Vec<HipaaStandard>,
    pub cpg_goals: Vec<CpgGoal>,
}

/// One catalog source file: a name to report errors against, and its text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub name: String,
    pub text: String,
}

impl Catalog {
    /// The catalog embedded at build time from `content/`.
    pub fn embedded() -> Result<Catalog, CatalogError> {
        load::from_sources(load::embedded_sources())
    }

    /// Loads a catalog directory laid out like `content/`.
    pub fn load_path(path: &std::path::Path) -> Result<Catalog, CatalogError> {
        load::from_sources(load::read_dir_sources(path)?)
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
