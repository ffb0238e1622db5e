//! Identifiers hicp uses in OSCAL documents, shared by the catalog export here and by the
//! assessment-results and POA&M documents other crates write, so their references resolve.

use uuid::Uuid;

use crate::Catalog;
use crate::model::{PracticeId, SubPracticeId, ThreatId, Tier};

/// The OSCAL version hicp writes.
pub const OSCAL_VERSION: &str = "1.1.2";

/// Namespace of hicp's own OSCAL property and part names. It names, it does not locate: the
/// reserved `.example` domain guarantees no other organization's names collide with it.
pub const NAMESPACE: &str = "https://hicp.example/ns/oscal";

/// The control id of a sub-practice: `7.M.D` → `hicp-7.m.d` (an OSCAL token, lowercase).
pub fn control_id(id: &SubPracticeId) -> String {
    format!("hicp-{}", id.to_string().to_ascii_lowercase())
}

/// The group id of a practice: `7` → `practice-7`.
pub fn group_id(practice: PracticeId) -> String {
    format!("practice-{practice}")
}

/// The catalog document's UUID: version 5, from the edition id and catalog version, so the same
/// edition always exports with the same UUID and a revised one with a new UUID.
pub fn catalog_uuid(catalog: &Catalog) -> Uuid {
    named_uuid(&format!(
        "catalog/{}/{}",
        catalog.edition.id, catalog.edition.catalog_version
    ))
}

/// The UUID of the profile that selects one tier's controls from [`catalog_uuid`]'s catalog.
pub fn profile_uuid(catalog: &Catalog, tier: Tier) -> Uuid {
    named_uuid(&format!(
        "profile/{}/{}/{tier}",
        catalog.edition.id, catalog.edition.catalog_version
    ))
}

/// The UUID of the back-matter resource that describes a threat.
pub fn threat_resource_uuid(catalog: &Catalog, threat: ThreatId) -> Uuid {
    named_uuid(&format!(
        "threat/{}/{}/{threat}",
        catalog.edition.id, catalog.edition.catalog_version
    ))
}

/// A version 5 UUID for `name` within hicp's namespace.
fn named_uuid(name: &str) -> Uuid {
    let namespace = Uuid::new_v5(&Uuid::NAMESPACE_URL, NAMESPACE.as_bytes());
    Uuid::new_v5(&namespace, name.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_lowercase_tokens() {
        let id: SubPracticeId = "10.M.A".parse().expect("valid id");
        assert_eq!(control_id(&id), "hicp-10.m.a");
        assert_eq!(group_id(7), "practice-7");
    }

    #[test]
    fn uuids_are_version_5_and_depend_on_the_name() {
        let a = named_uuid("catalog/x/1");
        assert_eq!(a.get_version_num(), 5);
        assert_eq!(a, named_uuid("catalog/x/1"));
        assert_ne!(a, named_uuid("catalog/x/2"));
    }
}
