//! The embedded default catalog: it loads, it holds every sub-practice of the reference fact
//! sheet with the right practice, tier and title, and the tier rule selects the right sets.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use hicp_catalog::{Alias, Catalog, NameConfidence, NameSource, SubPracticeId, Tier};

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
    chart_variant: Option<String>,
    csf11: Vec<String>,
    confidence: String,
}

fn field<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    let start = line.find(&format!("{name}: "))? + name.len() + 2;
    let rest = &line[start..];
    if let Some(quoted) = rest.strip_prefix('"') {
        return quoted.split('"').next();
    }
    rest.split([',', '}']).next().map(str::trim)
}

/// A `name: [A, B]` list field; empty when absent.
fn list_field(line: &str, name: &str) -> Vec<String> {
    let Some(start) = line.find(&format!("{name}: [")) else {
        return Vec::new();
    };
    let rest = &line[start + name.len() + 3..];
    rest.split(']')
        .next()
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .map(String::from)
        .collect()
}

fn fact_sheet() -> String {
    let path = facts_path();
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read the HICP reference fact sheet at {}: {e}. These tests need the shared \
             reference folder beside the repository (../shared/reference/hicp-facts.yaml)",
            path.display()
        )
    })
}

fn facts() -> Vec<Fact> {
    let text = fact_sheet();
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
            chart_variant: field(line, "title_chart_variant").map(String::from),
            csf11: list_field(line, "nist_csf_v1_1"),
            confidence: field(line, "confidence").unwrap_or_default().to_string(),
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
    assert_eq!(sub.title_source.confidence, NameConfidence::Provisional);
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

#[test]
fn titles_csf_references_and_confidence_follow_the_fact_sheet() {
    let catalog = catalog();
    for fact in facts() {
        let id: SubPracticeId = fact.id.parse().expect("fact sheet id");
        let sub = catalog.sub_practice(&id).expect("present");
        assert_eq!(sub.csf11, fact.csf11, "{}: csf11", fact.id);
        if let Some(variant) = &fact.chart_variant {
            let alias = sub
                .title_aliases
                .iter()
                .find(|a| &a.text == variant)
                .unwrap_or_else(|| panic!("{}: chart variant {variant} is not an alias", fact.id));
            assert_eq!(alias.edition, "2018", "{}", fact.id);
        }
        let expected = match fact.confidence.as_str() {
            "single-source" => NameConfidence::Published,
            "recalled" => NameConfidence::Recalled,
            "inferred" => NameConfidence::Inferred,
            // 7.L.C: the id is known, its title is not.
            _ if fact.title.is_none() => NameConfidence::Provisional,
            other => panic!("{}: unexpected confidence {other}", fact.id),
        };
        assert_eq!(sub.title_source.confidence, expected, "{}", fact.id);
        assert_eq!(
            sub.provenance.verified,
            expected == NameConfidence::Published,
            "{}: verified",
            fact.id
        );
    }
}

/// The `key: "value"` lines of one `- n: N` entry in a top-level section of the fact sheet.
fn named_entries(text: &str, section: &str) -> Vec<Vec<(String, String)>> {
    let mut entries: Vec<Vec<(String, String)>> = Vec::new();
    let lines = text
        .lines()
        .skip_while(|line| *line != format!("{section}:"))
        .skip(1)
        .take_while(|line| line.is_empty() || line.starts_with([' ', '#']));
    for line in lines {
        let line = line.split(" #").next().unwrap_or_default().trim();
        let line = match line.strip_prefix("- ") {
            Some(rest) => {
                entries.push(Vec::new());
                rest
            }
            None => line,
        };
        let (Some((key, value)), Some(entry)) = (line.split_once(": "), entries.last_mut()) else {
            continue;
        };
        entry.push((key.to_string(), value.trim().trim_matches('"').to_string()));
    }
    entries
}

fn value<'a>(entry: &'a [(String, String)], key: &str) -> Option<&'a str> {
    entry
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// The fact sheet writes an optional word in parentheses, "Ransomware (Attack)": both readings.
fn wordings(name: &str) -> Vec<String> {
    match (name.find(" ("), name.find(')')) {
        (Some(open), Some(close)) if open < close => vec![
            format!("{}{}", &name[..open], &name[close + 1..]),
            format!(
                "{} {}{}",
                &name[..open],
                &name[open + 2..close],
                &name[close + 1..]
            ),
        ],
        _ => vec![name.to_string()],
    }
}

/// A name is the 2023 one only where the fact sheet has a single, confirmed 2023 name; otherwise
/// it is the 2018 name, and the 2023 candidates are aliases marked with their edition.
fn assert_named_as_sourced(
    what: &str,
    name: &str,
    source: &NameSource,
    aliases: &[Alias],
    name_2018: &str,
    name_2023: Option<&str>,
    candidates_2023: &[String],
) {
    assert_eq!(source.confidence, NameConfidence::Published, "{what}");
    match name_2023 {
        Some(name_2023) if wordings(name_2023).contains(&name_2018.to_string()) => {
            assert_eq!(name, name_2018, "{what}");
            assert_eq!(source.edition, "2018/2023", "{what}");
        }
        Some(name_2023) => {
            assert_eq!(name, name_2023, "{what}");
            assert_eq!(source.edition, "2023", "{what}");
            let alias = aliases.iter().find(|a| a.text == name_2018);
            assert_eq!(alias.map(|a| a.edition.as_str()), Some("2018"), "{what}");
        }
        None => {
            assert_eq!(name, name_2018, "{what}");
            assert_eq!(source.edition, "2018", "{what}");
            for candidate in candidates_2023.iter().filter(|c| *c != name_2018) {
                assert!(
                    aliases
                        .iter()
                        .any(|a| &a.text == candidate && a.edition.contains("2023"))
                        || aliases
                            .iter()
                            .any(|a| &a.text == candidate && a.edition == "2018"),
                    "{what}: 2023 candidate {candidate} is not an alias"
                );
            }
        }
    }
}

#[test]
fn threat_and_practice_names_are_named_as_sourced() {
    let catalog = catalog();
    let text = fact_sheet();
    let threats = named_entries(&text, "threats");
    assert_eq!(threats.len(), 5);
    for entry in &threats {
        let number: u8 = value(entry, "n").and_then(|n| n.parse().ok()).expect("n");
        let threat = catalog.threat(number).expect("threat");
        let confirmed_2023 = value(entry, "confidence_2023")
            .is_some_and(|c| c.starts_with("confirmed") || c == "single-source");
        let name_2023 = value(entry, "name_2023").filter(|_| confirmed_2023);
        let candidates: Vec<String> = value(entry, "name_2023")
            .map(String::from)
            .into_iter()
            .collect();
        assert_named_as_sourced(
            &format!("threat {number}"),
            &threat.name,
            &threat.name_source,
            &threat.aliases,
            value(entry, "name_2018").expect("name_2018"),
            name_2023,
            &candidates,
        );
    }
    let practices = named_entries(&text, "practices");
    assert_eq!(practices.len(), 10);
    for entry in &practices {
        let number: u8 = value(entry, "n").and_then(|n| n.parse().ok()).expect("n");
        let practice = catalog.practice(number).expect("practice");
        // `["Identity and Access Management (S9)", "Access Management (S8)"]`
        let candidates: Vec<String> = value(entry, "title_2023_candidates")
            .unwrap_or_default()
            .trim_matches(['[', ']'])
            .split("\", \"")
            .map(|c| {
                c.trim_matches('"')
                    .rsplit_once(" (")
                    .map_or(c, |(t, _)| t)
                    .to_string()
            })
            .filter(|c| !c.is_empty())
            .collect();
        assert_named_as_sourced(
            &format!("practice {number}"),
            &practice.title,
            &practice.title_source,
            &practice.aliases,
            value(entry, "title_2018_vol2").expect("title_2018_vol2"),
            value(entry, "title_2023"),
            &candidates,
        );
    }
}

#[test]
fn labels_say_how_each_title_is_known() {
    let catalog = catalog();
    let label = |id: &str| {
        catalog
            .sub_practice(&id.parse().expect("id"))
            .expect("present")
            .title_label()
    };
    assert_eq!(label("7.M.D"), "published, 2018 Vol 2");
    assert_eq!(label("3.S.A"), "published, Vol 1 reproduction");
    assert_eq!(label("4.S.A"), "recalled, unverified");
    assert_eq!(label("1.S.B"), "inferred, unverified");
    assert_eq!(label("7.L.C"), "provisional");
    assert_eq!(
        catalog.practice(3).expect("practice 3").title_label(),
        "published, 2018 Vol 2"
    );
    assert_eq!(
        catalog.threat(1).expect("threat 1").name_label(),
        "published, 2023, 3 sources"
    );
}
