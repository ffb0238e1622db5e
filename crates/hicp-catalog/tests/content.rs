//! The embedded default catalog: it loads, it holds every sub-practice of the reference fact
//! sheet with the right practice, tier and title, and the tier rule selects the right sets.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use hicp_catalog::{Catalog, SubPracticeId, Tier};

fn catalog() -> Catalog {
    Catalog::embedded().unwrap_or_else(|e| panic!("the embedded catalog does not load:\n{e}"))
}

/// The shared reference folder sits beside the repository (`../shared`), in development and CI.
fn facts_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference/hicp-facts.yaml")
}

/// One `- {id: 7.M.A, practice: 7, tier: M, title: "…", …}` line of the fact sheet.
#[derive(Debug)]
struct Fact {
    id: String,
    practice: u8,
    tier: char,
    title: Option<String>,
}

fn field<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    let start = line.find(&format!("{name}: "))? + name.len() + 2;
    let rest = &line[start..];
    if let Some(quoted) = rest.strip_prefix('"') {
        return quoted.split('"').next();
    }
    rest.split([',', '}']).next().map(str::trim)
}

fn facts() -> Vec<Fact> {
    let path = facts_path();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read the HICP reference fact sheet at {}: {e}. These tests need the shared \
             reference folder beside the repository (../shared/reference/hicp-facts.yaml)",
            path.display()
        )
    });
    // Sub-practices are the `- {id: …}` lines of the top-level `sub_practices:` section.
    text.lines()
        .skip_while(|line| *line != "sub_practices:")
        .skip(1)
        .take_while(|line| line.is_empty() || line.starts_with([' ', '#']))
        .map(str::trim)
        .filter(|line| line.starts_with("- {id: "))
        .map(|line| Fact {
            id: field(line, "id").expect("id").to_string(),
            practice: field(line, "practice")
                .and_then(|p| p.parse().ok())
                .expect("practice"),
            tier: field(line, "tier")
                .and_then(|t| t.chars().next())
                .expect("tier"),
            title: field(line, "title")
                .filter(|t| *t != "null")
                .map(String::from),
        })
        .collect()
}

#[test]
fn embedded_catalog_loads_with_five_threats_ten_practices_and_ninety_sub_practices() {
    let catalog = catalog();
    assert_eq!(catalog.threats.len(), 5);
    assert_eq!(catalog.practices.len(), 10);
    assert_eq!(catalog.sub_practices.len(), 90);
    let per_tier = |tier| {
        catalog
            .sub_practices
            .iter()
            .filter(|s| s.tier == tier)
            .count()
    };
    assert_eq!(
        (
            per_tier(Tier::Small),
            per_tier(Tier::Medium),
            per_tier(Tier::Large)
        ),
        (19, 36, 35)
    );
}

#[test]
fn every_reference_sub_practice_is_present_with_its_practice_tier_and_title() {
    let catalog = catalog();
    let facts = facts();
    assert_eq!(facts.len(), 90, "the fact sheet lists 90 sub-practices");
    for fact in &facts {
        let id: SubPracticeId = fact.id.parse().expect("fact sheet id");
        let sub = catalog
            .sub_practice(&id)
            .unwrap_or_else(|| panic!("{} is missing from the catalog", fact.id));
        assert_eq!(sub.practice, fact.practice, "{}: practice", fact.id);
        assert_eq!(sub.tier.code(), fact.tier, "{}: tier", fact.id);
        if let Some(title) = &fact.title {
            assert_eq!(&sub.title, title, "{}: title", fact.id);
        }
    }
    let reference: BTreeSet<&str> = facts.iter().map(|f| f.id.as_str()).collect();
    for sub in &catalog.sub_practices {
        assert!(
            reference.contains(sub.id.to_string().as_str()),
            "{} is not in the fact sheet",
            sub.id
        );
    }
}

#[test]
fn seven_l_c_is_carried_as_unverified_and_provisional() {
    let catalog = catalog();
    let sub = catalog
        .sub_practice(&"7.L.C".parse().expect("id"))
        .expect("7.L.C present");
    assert!(!sub.provenance.verified);
    assert!(sub.title.contains("provisional"), "{}", sub.title);
}

fn ids_of_tier(catalog: &Catalog, tiers: &[Tier]) -> BTreeSet<SubPracticeId> {
    catalog
        .sub_practices
        .iter()
        .filter(|s| tiers.contains(&s.tier))
        .map(|s| s.id.clone())
        .collect()
}

#[test]
fn tier_rule_selects_exactly_the_expected_sets() {
    let catalog = catalog();
    assert_eq!(
        catalog.required_ids(Tier::Large),
        ids_of_tier(&catalog, &[Tier::Medium, Tier::Large])
    );
    assert_eq!(
        catalog.required_ids(Tier::Medium),
        ids_of_tier(&catalog, &[Tier::Medium])
    );
    assert_eq!(
        catalog.required_ids(Tier::Small),
        ids_of_tier(&catalog, &[Tier::Small])
    );
    assert_eq!(catalog.required_ids(Tier::Large).len(), 71);
}

#[test]
fn crosswalk_ids_are_derived_and_resolve() {
    let catalog = catalog();
    let csf2: BTreeSet<&str> = catalog.csf2.iter().map(|c| c.id.as_str()).collect();
    let sub = catalog
        .sub_practice(&"7.M.A".parse().expect("id"))
        .expect("7.M.A");
    assert_eq!(sub.csf11, ["DE.CM-8"]);
    // NIST moved "vulnerability scans are performed" from DE.CM-8 to ID.RA-01 in CSF 2.0.
    assert_eq!(sub.csf2, ["ID.RA-01"]);
    for s in &catalog.sub_practices {
        for id in &s.csf2 {
            assert!(csf2.contains(id.as_str()), "{}: {id}", s.id);
        }
        for citation in &s.hipaa {
            assert!(
                catalog.hipaa_standard(citation).is_some(),
                "{}: {citation}",
                s.id
            );
        }
        assert_eq!(
            s.csf11.is_empty(),
            s.csf2.is_empty(),
            "{}: csf2 follows csf11",
            s.id
        );
    }
}
