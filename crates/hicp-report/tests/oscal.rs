//! OSCAL assessment results and POA&M: required structure, deterministic UUIDs, and every
//! control and objective reference resolves in the catalog's own OSCAL export.

mod common;

use std::collections::BTreeSet;

use hicp_catalog::export::oscal_catalog;
use hicp_report::oscal;
use serde_json::Value;

/// Control ids and part ids declared anywhere in the catalog document.
fn catalog_ids(catalog: &Value) -> (BTreeSet<String>, BTreeSet<String>) {
    fn walk(value: &Value, controls: &mut BTreeSet<String>, parts: &mut BTreeSet<String>) {
        if let Some(items) = value.get("controls").and_then(Value::as_array) {
            for control in items {
                if let Some(id) = control["id"].as_str() {
                    controls.insert(id.to_string());
                }
                walk(control, controls, parts);
            }
        }
        if let Some(items) = value.get("parts").and_then(Value::as_array) {
            for part in items {
                if let Some(id) = part["id"].as_str() {
                    parts.insert(id.to_string());
                }
                walk(part, controls, parts);
            }
        }
        if let Some(groups) = value.get("groups").and_then(Value::as_array) {
            for group in groups {
                walk(group, controls, parts);
            }
        }
    }
    let mut controls = BTreeSet::new();
    let mut parts = BTreeSet::new();
    walk(&catalog["catalog"], &mut controls, &mut parts);
    (controls, parts)
}

/// Every string value under a key named `key`, anywhere in the document.
fn values_of(value: &Value, key: &str, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                if k == key
                    && let Some(s) = v.as_str()
                {
                    out.push(s.to_string());
                }
                values_of(v, key, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| values_of(v, key, out)),
        _ => {}
    }
}

fn uuids_are_unique(document: &Value) {
    let mut uuids = Vec::new();
    values_of(document, "uuid", &mut uuids);
    let unique: BTreeSet<&String> = uuids.iter().collect();
    assert_eq!(unique.len(), uuids.len(), "duplicate uuid");
    for uuid in &uuids {
        let parsed = uuid::Uuid::parse_str(uuid).expect("a UUID");
        assert_eq!(parsed.get_version_num(), 5, "{uuid}");
    }
}

#[test]
fn assessment_results_reference_only_catalog_controls() {
    for name in common::EXAMPLES {
        let fixture = common::example(name);
        let (controls, parts) = catalog_ids(&oscal_catalog(&fixture.catalog));
        let ar = oscal::assessment_results(&fixture.input());
        let body = &ar["assessment-results"];
        assert_eq!(body["metadata"]["oscal-version"], "1.1.2");
        assert!(
            body["import-ap"]["href"]
                .as_str()
                .is_some_and(|h| h.starts_with('#'))
        );
        let result = &body["results"][0];
        for key in ["uuid", "title", "description", "start", "reviewed-controls"] {
            assert!(!result[key].is_null(), "{name}: result.{key}");
        }

        let reviewed = result["reviewed-controls"]["control-selections"][0]["include-controls"]
            .as_array()
            .expect("include-controls");
        assert_eq!(
            reviewed.len(),
            fixture.evaluation.sub_practices.len(),
            "{name}"
        );
        let mut referenced = Vec::new();
        values_of(&ar, "control-id", &mut referenced);
        assert!(!referenced.is_empty());
        for id in &referenced {
            assert!(controls.contains(id), "{name}: unknown control {id}");
        }
        // OSCAL property and facet values are one line with no surrounding space.
        let mut values = Vec::new();
        values_of(&ar, "value", &mut values);
        for value in &values {
            assert!(
                !value.is_empty() && value.trim() == value && !value.contains('\n'),
                "{name}: bad value {value:?}"
            );
        }

        let findings = result["findings"].as_array().expect("findings");
        assert_eq!(
            findings.len(),
            fixture.evaluation.sub_practices.len(),
            "{name}"
        );
        for finding in findings {
            let target = finding["target"]["target-id"].as_str().expect("target-id");
            assert!(parts.contains(target), "{name}: unknown objective {target}");
        }
        assert_eq!(
            result["observations"].as_array().map(Vec::len),
            Some(findings.len())
        );
        assert_eq!(
            result["risks"].as_array().map(Vec::len),
            Some(5),
            "one risk per threat"
        );
        uuids_are_unique(&ar);
    }
}

#[test]
fn assessment_results_embed_the_plan_they_import() {
    use base64::Engine as _;
    let fixture = common::example("family-practice");
    let ar = oscal::assessment_results(&fixture.input());
    let body = &ar["assessment-results"];
    let href = body["import-ap"]["href"].as_str().expect("href");
    let resources = body["back-matter"]["resources"]
        .as_array()
        .expect("resources");
    let resource = resources
        .iter()
        .find(|r| format!("#{}", r["uuid"].as_str().unwrap_or_default()) == href)
        .expect("import-ap resolves to a back-matter resource");
    let encoded = resource["base64"]["value"].as_str().expect("embedded plan");
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .expect("base64");
    let plan: Value = serde_json::from_slice(&decoded).expect("JSON");
    assert_eq!(plan, oscal::assessment_plan(&fixture.input()));
    let ap = &plan["assessment-plan"];
    let ssp_href = ap["import-ssp"]["href"].as_str().expect("import-ssp");
    assert!(
        ap["back-matter"]["resources"]
            .as_array()
            .expect("resources")
            .iter()
            .any(|r| format!("#{}", r["uuid"].as_str().unwrap_or_default()) == ssp_href),
        "import-ssp resolves"
    );
}

#[test]
fn findings_state_follows_the_status() {
    let fixture = common::hostile();
    let ar = oscal::assessment_results(&fixture.input());
    let findings = ar["assessment-results"]["results"][0]["findings"]
        .as_array()
        .expect("findings")
        .clone();
    let state_of = |id: &str| {
        findings
            .iter()
            .find(|f| f["target"]["target-id"] == format!("hicp-{id}_obj"))
            .map(|f| f["target"]["status"]["state"].clone())
            .unwrap_or_else(|| panic!("no finding for {id}"))
    };
    assert_eq!(state_of("1.s.a"), "satisfied"); // implemented
    assert_eq!(state_of("4.s.a"), "satisfied"); // not applicable
    assert_eq!(state_of("2.s.a"), "not-satisfied"); // largely
    assert_eq!(state_of("7.s.a"), "not-satisfied"); // not implemented
}

#[test]
fn poam_has_one_item_per_gap_with_its_schedule() {
    for name in common::EXAMPLES {
        let fixture = common::example(name);
        let (controls, _) = catalog_ids(&oscal_catalog(&fixture.catalog));
        let poam = oscal::poam(&fixture.input());
        let body = &poam["plan-of-action-and-milestones"];
        assert_eq!(body["metadata"]["oscal-version"], "1.1.2");
        assert!(
            body["system-id"]["id"].as_str().is_some(),
            "{name}: system-id"
        );
        let items = body["poam-items"].as_array().expect("poam-items");
        assert_eq!(items.len(), fixture.evaluation.gaps.len(), "{name}");
        let risks = body["risks"].as_array().expect("risks");
        let risk_uuids: BTreeSet<&str> = risks.iter().filter_map(|r| r["uuid"].as_str()).collect();
        for item in items {
            let risk = item["related-risks"][0]["risk-uuid"]
                .as_str()
                .expect("risk");
            assert!(risk_uuids.contains(risk), "{name}: dangling risk {risk}");
        }
        let mut referenced = Vec::new();
        values_of(&poam, "control-id", &mut referenced);
        for id in &referenced {
            assert!(controls.contains(id), "{name}: unknown control {id}");
        }
        // Scheduled gaps carry their due date as the risk deadline and milestones as tasks.
        let first = &fixture.evaluation.plan.items[0];
        let risk = risks
            .iter()
            .find(|r| {
                r["title"]
                    .as_str()
                    .is_some_and(|t| t.starts_with(&format!("{} ", first.id)))
            })
            .expect("risk of the first plan item");
        assert_eq!(risk["deadline"], format!("{}T00:00:00Z", first.due));
        let tasks = risk["remediations"][0]["tasks"].as_array().expect("tasks");
        assert_eq!(tasks.len(), 1 + first.milestones.len(), "{name}");
        uuids_are_unique(&poam);
    }
}

#[test]
fn documents_are_deterministic_and_content_addressed() {
    let fixture = common::example("community-hospital");
    let input = fixture.input();
    assert_eq!(oscal::poam(&input), oscal::poam(&input));
    assert_eq!(
        oscal::assessment_results(&input),
        oscal::assessment_results(&input)
    );
    // A different report date changes the content, so the document UUID changes too.
    let mut later = fixture.input();
    later.generated_on = common::GENERATED_ON.next_day().expect("a date");
    assert_ne!(
        oscal::poam(&input)["plan-of-action-and-milestones"]["uuid"],
        oscal::poam(&later)["plan-of-action-and-milestones"]["uuid"]
    );
}
