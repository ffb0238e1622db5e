//! Exports: JSON that loads back unchanged, CSV with one row per sub-practice, and OSCAL
//! documents with the structure docs/catalog.md describes.

use std::collections::BTreeSet;

use hicp_catalog::{Catalog, Tier, export, oscal};
use serde_json::Value;

fn catalog() -> Catalog {
    Catalog::embedded().expect("embedded catalog")
}

#[test]
fn json_export_round_trips_through_the_loader() {
    let catalog = catalog();
    let text = export::json(&catalog, None).expect("export");
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("hicp-catalog.json");
    std::fs::write(&path, &text).expect("write");
    let loaded = Catalog::load_path(&path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(loaded, catalog);
    assert_eq!(
        export::json(&loaded, None).expect("export again"),
        text,
        "exports are reproducible"
    );
}

#[test]
fn json_export_has_the_documented_top_level_and_sub_practice_fields() {
    let value: Value =
        serde_json::from_str(&export::json(&catalog(), None).expect("export")).expect("JSON");
    assert_eq!(value["schema_version"], 2);
    for key in [
        "edition",
        "threats",
        "practices",
        "sub_practices",
        "crosswalks",
    ] {
        assert!(value.get(key).is_some(), "missing {key}");
    }
    let subs = value["sub_practices"].as_array().expect("array");
    assert_eq!(subs.len(), 90);
    let first = &subs[0];
    for key in [
        "id",
        "practice",
        "tier",
        "title",
        "title_source",
        "title_aliases",
        "threats",
        "prerequisites",
        "csf2",
        "hipaa",
        "questions",
        "provenance",
    ] {
        assert!(first.get(key).is_some(), "sub-practice lacks {key}");
    }
    assert_eq!(first["id"], "1.S.A");
    assert_eq!(first["practice"], 1);
    assert_eq!(first["tier"], "small");
    let threat = &value["threats"][0];
    assert_eq!(threat["name_source"]["edition"], "2023");
    assert_eq!(threat["aliases"][0]["text"], "E-mail Phishing Attack");
    assert_eq!(threat["aliases"][0]["edition"], "2018");
    assert_eq!(value["practices"][2]["title_source"]["edition"], "2018");
}

/// Rewrites a schema 2 export as schema 1 wrote it: plain-text aliases, no name sources.
fn as_schema_1(mut value: Value) -> Value {
    value["schema_version"] = Value::from(1);
    for (list, source, aliases) in [
        ("threats", "name_source", "aliases"),
        ("practices", "title_source", "aliases"),
        ("sub_practices", "title_source", "title_aliases"),
    ] {
        for entry in value[list].as_array_mut().expect("list") {
            let entry = entry.as_object_mut().expect("object");
            entry.remove(source);
            let texts: Vec<Value> = entry[aliases]
                .as_array()
                .expect("aliases")
                .iter()
                .map(|a| a["text"].clone())
                .collect();
            entry.insert(aliases.to_string(), Value::Array(texts));
        }
    }
    value
}

#[test]
fn schema_1_exports_still_load_with_their_names() {
    let catalog = catalog();
    let v2: Value =
        serde_json::from_str(&export::json(&catalog, None).expect("export")).expect("JSON");
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("old.json");
    std::fs::write(&path, as_schema_1(v2).to_string()).expect("write");
    let loaded = Catalog::load_path(&path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(loaded.sub_practices.len(), 90);
    let old = loaded
        .sub_practice(&"7.M.D".parse().expect("id"))
        .expect("7.M.D");
    let new = catalog
        .sub_practice(&"7.M.D".parse().expect("id"))
        .expect("7.M.D");
    assert_eq!(old.title, new.title);
    let texts = |s: &hicp_catalog::SubPractice| -> Vec<String> {
        s.title_aliases.iter().map(|a| a.text.clone()).collect()
    };
    assert_eq!(texts(old), texts(new));
    assert_eq!(old.title_aliases[0].edition, "not stated (schema 1 export)");
    // Schema 1 had no name sources: the entry's provenance stands in, and says so.
    assert_eq!(old.title_source.cite, "schema 1 export");
    assert_eq!(old.title_source.source, new.provenance.source);
    assert_eq!(
        loaded
            .sub_practice(&"4.S.A".parse().expect("id"))
            .expect("4.S.A")
            .title_label(),
        "recalled, unverified"
    );
}

#[test]
fn json_from_a_newer_hicp_is_refused_by_version() {
    let mut value: Value =
        serde_json::from_str(&export::json(&catalog(), None).expect("export")).expect("JSON");
    value["schema_version"] = Value::from(3);
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("newer.json");
    std::fs::write(&path, value.to_string()).expect("write");
    let error = Catalog::load_path(&path).expect_err("schema 3 is refused");
    assert!(
        error.to_string().contains("reads schema versions 1 to 2"),
        "{error}"
    );
}

#[test]
fn tier_filtered_json_holds_exactly_the_tier_and_still_loads() {
    let catalog = catalog();
    for tier in Tier::ALL {
        let text = export::json(&catalog, Some(tier)).expect("export");
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("filtered.json");
        std::fs::write(&path, &text).expect("write");
        let loaded = Catalog::load_path(&path).unwrap_or_else(|e| panic!("{tier}: {e}"));
        let ids: BTreeSet<_> = loaded.sub_practices.iter().map(|s| s.id.clone()).collect();
        assert_eq!(ids, catalog.required_ids(tier), "{tier}");
        let value: Value = serde_json::from_str(&text).expect("JSON");
        assert_eq!(value["tier_filter"], tier.as_str());
    }
}

#[test]
fn csv_has_a_header_and_one_row_per_sub_practice() {
    let catalog = catalog();
    let text = export::csv(&catalog, None);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().expect("header").clone();
    assert_eq!(&headers[0], "id");
    let threats = headers
        .iter()
        .position(|h| h == "threats")
        .expect("threats column");
    let prerequisites = headers
        .iter()
        .position(|h| h == "prerequisites")
        .expect("prerequisites column");
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), 90);
    let row = rows.iter().find(|r| &r[0] == "7.M.D").expect("7.M.D row");
    let sub = catalog
        .sub_practice(&"7.M.D".parse().expect("id"))
        .expect("7.M.D");
    let joined = |items: Vec<String>| items.join("; ");
    assert_eq!(
        &row[threats],
        joined(sub.threats.iter().map(u8::to_string).collect())
    );
    assert_eq!(
        &row[prerequisites],
        joined(sub.prerequisites.iter().map(ToString::to_string).collect())
    );
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("{name} column"))
    };
    assert_eq!(&row[column("title_edition")], "2018");
    assert_eq!(&row[column("title_confidence")], "published, 2018 Vol 2");
    assert_eq!(
        &row[column("title_aliases")],
        "Patch Management, Configuration Management & Change Management (2018; 2018 Vol 2 summary chart)"
    );
    assert_eq!(
        &row[column("practice_title_confidence")],
        "published, 2018 Vol 2 and 2023"
    );
    assert_eq!(
        row[column("threat_name_confidence")].split("; ").count(),
        sub.threats.len()
    );
    let provisional = rows.iter().find(|r| &r[0] == "7.L.C").expect("7.L.C row");
    assert_eq!(&provisional[column("title_confidence")], "provisional");
    for row in &rows {
        for cell in row {
            assert!(
                !cell.starts_with(['=', '+', '-', '@']),
                "unguarded cell {cell:?}"
            );
        }
    }
    let small = csv::Reader::from_reader(export::csv(&catalog, Some(Tier::Small)).as_bytes())
        .records()
        .count();
    assert_eq!(small, 19);
}

fn controls(oscal: &Value) -> Vec<&Value> {
    oscal["catalog"]["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .flat_map(|g| g["controls"].as_array().expect("controls"))
        .collect()
}

fn prop_values<'a>(item: &'a Value, name: &str) -> Vec<&'a str> {
    item["props"]
        .as_array()
        .expect("props")
        .iter()
        .filter(|p| p["name"] == name)
        .map(|p| p["value"].as_str().expect("value"))
        .collect()
}

#[test]
fn oscal_catalog_has_groups_controls_props_parts_and_links() {
    let catalog = catalog();
    let doc = export::oscal_catalog(&catalog);
    let root = &doc["catalog"];
    assert_eq!(root["uuid"], oscal::catalog_uuid(&catalog).to_string());
    assert_eq!(root["metadata"]["oscal-version"], "1.1.2");
    assert_eq!(root["metadata"]["version"], catalog.edition.catalog_version);
    assert_eq!(root["metadata"]["last-modified"], "2023-04-17T00:00:00Z");
    let groups = root["groups"].as_array().expect("groups");
    assert_eq!(groups.len(), 10);
    assert_eq!(groups[6]["id"], "practice-7");
    assert_eq!(groups[6]["title"], "Vulnerability Management");

    let all = controls(&doc);
    assert_eq!(all.len(), 90);
    let ids: BTreeSet<&str> = all.iter().map(|c| c["id"].as_str().expect("id")).collect();
    assert_eq!(ids.len(), 90, "control ids are unique");

    let control = all
        .iter()
        .find(|c| c["id"] == "hicp-7.m.a")
        .expect("hicp-7.m.a");
    let sub = catalog
        .sub_practice(&"7.M.A".parse().expect("id"))
        .expect("7.M.A");
    assert_eq!(control["title"], sub.title);
    assert_eq!(prop_values(control, "label"), ["7.M.A"]);
    assert_eq!(prop_values(control, "tier"), ["medium"]);
    assert_eq!(prop_values(control, "threat"), ["2", "4", "5"]);
    assert_eq!(prop_values(control, "cost"), [sub.cost.as_str()]);
    assert_eq!(prop_values(control, "verified"), ["true"]);
    assert_eq!(control["links"][0]["href"], "#hicp-5.m.a");
    assert_eq!(control["links"][0]["rel"], "required");
    let parts = control["parts"].as_array().expect("parts");
    let names: Vec<&str> = parts
        .iter()
        .map(|p| p["name"].as_str().expect("name"))
        .collect();
    assert_eq!(
        &names[..3],
        ["statement", "guidance", "assessment-objective"]
    );
    assert_eq!(parts[0]["prose"], sub.summary);
    assert_eq!(
        parts[2]["parts"].as_array().expect("objectives").len(),
        sub.questions.len()
    );

    // Every prerequisite link points at a control of the same catalog.
    for c in &all {
        for link in c["links"].as_array().into_iter().flatten() {
            let target = link["href"].as_str().expect("href").trim_start_matches('#');
            assert!(
                ids.contains(target),
                "{} links to unknown {target}",
                c["id"]
            );
        }
    }
    // Threat props are explained by back-matter resources.
    let resources = root["back-matter"]["resources"]
        .as_array()
        .expect("resources");
    assert_eq!(resources.len(), 5);
    assert_eq!(resources[1]["title"], "Threat 2: Ransomware Attack");
}

#[test]
fn unverified_sub_practices_say_so_in_oscal() {
    let doc = export::oscal_catalog(&catalog());
    let control = controls(&doc)
        .into_iter()
        .find(|c| c["id"] == "hicp-7.l.c")
        .expect("hicp-7.l.c");
    assert_eq!(prop_values(control, "verified"), ["false"]);
    assert_eq!(prop_values(control, "title-confidence"), ["provisional"]);
}

#[test]
fn oscal_titles_carry_their_edition_and_aliases_theirs() {
    let doc = export::oscal_catalog(&catalog());
    let control = controls(&doc)
        .into_iter()
        .find(|c| c["id"] == "hicp-7.m.d")
        .expect("hicp-7.m.d");
    assert_eq!(prop_values(control, "title-edition"), ["2018"]);
    assert_eq!(
        prop_values(control, "title-label"),
        ["published, 2018 Vol 2"]
    );
    let alias = control["props"]
        .as_array()
        .expect("props")
        .iter()
        .find(|p| p["name"] == "alias")
        .expect("alias prop");
    assert_eq!(
        alias["value"],
        "Patch Management, Configuration Management & Change Management"
    );
    assert_eq!(alias["remarks"], "edition 2018; 2018 Vol 2 summary chart");
    let group = &doc["catalog"]["groups"][9];
    assert_eq!(group["title"], "Cybersecurity Policies");
    assert_eq!(prop_values(group, "title-edition"), ["2018"]);
    assert!(prop_values(group, "alias").contains(&"Cybersecurity Oversight and Governance"));
}

#[test]
fn oscal_exports_are_deterministic() {
    let catalog = catalog();
    assert_eq!(
        export::oscal_catalog(&catalog),
        export::oscal_catalog(&catalog)
    );
    let a = export::oscal_profile(&catalog, Tier::Medium, "hicp-catalog.json");
    assert_eq!(
        a,
        export::oscal_profile(&catalog, Tier::Medium, "hicp-catalog.json")
    );
    assert_eq!(
        a["profile"]["uuid"],
        oscal::profile_uuid(&catalog, Tier::Medium).to_string()
    );
}

#[test]
fn oscal_profile_selects_exactly_the_tier() {
    let catalog = catalog();
    let mut uuids = BTreeSet::new();
    for tier in Tier::ALL {
        let doc = export::oscal_profile(&catalog, tier, "cat.json");
        let import = &doc["profile"]["imports"][0];
        assert_eq!(import["href"], "cat.json");
        let with_ids: BTreeSet<String> = import["include-controls"][0]["with-ids"]
            .as_array()
            .expect("with-ids")
            .iter()
            .map(|v| v.as_str().expect("id").to_string())
            .collect();
        let expected: BTreeSet<String> = catalog
            .required_ids(tier)
            .iter()
            .map(oscal::control_id)
            .collect();
        assert_eq!(with_ids, expected, "{tier}");
        assert_eq!(doc["profile"]["metadata"]["oscal-version"], "1.1.2");
        uuids.insert(doc["profile"]["uuid"].as_str().expect("uuid").to_string());
    }
    assert_eq!(uuids.len(), 3, "each tier's profile has its own UUID");
}
