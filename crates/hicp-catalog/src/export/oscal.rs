//! OSCAL 1.1.2 documents: the catalog (groups = practices, controls = sub-practices) and, per
//! tier, a profile that selects the controls that tier is expected to do. The mapping is
//! described in `docs/catalog.md`.

use serde_json::{Value, json};

use crate::Catalog;
use crate::model::*;
use crate::oscal::{
    NAMESPACE, OSCAL_VERSION, catalog_uuid, control_id, group_id, profile_uuid,
    threat_resource_uuid,
};

/// The OSCAL catalog document (`{"catalog": {...}}`).
pub fn oscal_catalog(catalog: &Catalog) -> Value {
    let edition = &catalog.edition;
    let groups: Vec<Value> = catalog
        .practices
        .iter()
        .map(|p| group(catalog, p))
        .collect();
    let resources: Vec<Value> = catalog
        .threats
        .iter()
        .map(|t| threat_resource(catalog, t))
        .collect();
    json!({
        "catalog": {
            "uuid": catalog_uuid(catalog),
            "metadata": metadata(
                catalog,
                format!("Health Industry Cybersecurity Practices (HICP): {}", edition.name),
                vec![],
            ),
            "groups": groups,
            "back-matter": { "resources": resources },
        }
    })
}

/// The OSCAL profile that selects the controls an organization of size `tier` is expected to
/// do, importing the catalog from `catalog_href` (relative to the profile, or absolute).
pub fn oscal_profile(catalog: &Catalog, tier: Tier, catalog_href: &str) -> Value {
    let ids: Vec<String> = catalog
        .required_for(tier)
        .map(|s| control_id(&s.id))
        .collect();
    json!({
        "profile": {
            "uuid": profile_uuid(catalog, tier),
            "metadata": metadata(
                catalog,
                format!("HICP baseline for {tier} organizations ({})", catalog.edition.id),
                vec![prop("tier", tier.as_str())],
            ),
            "imports": [{
                "href": catalog_href,
                "include-controls": [{ "with-ids": ids }],
            }],
            "merge": { "as-is": true },
        }
    })
}

fn metadata(catalog: &Catalog, title: String, mut props: Vec<Value>) -> Value {
    let edition = &catalog.edition;
    props.push(prop("edition", &edition.id));
    props.push(prop("hicp-edition", &edition.hicp_edition));
    json!({
        "title": title,
        // The edition's publication date, not the export time, so exports are reproducible.
        "last-modified": format!("{}T00:00:00Z", edition.published),
        "version": edition.catalog_version,
        "oscal-version": OSCAL_VERSION,
        "props": props,
        "remarks": edition.note,
    })
}

/// A property in hicp's namespace.
fn prop(name: &str, value: &str) -> Value {
    json!({ "name": name, "ns": NAMESPACE, "value": one_line(value) })
}

/// A property in hicp's namespace with a class saying how the value is known.
fn classed_prop(name: &str, value: &str, class: &str) -> Value {
    json!({ "name": name, "ns": NAMESPACE, "value": one_line(value), "class": class })
}

/// OSCAL property values and titles are single-line, with no surrounding spaces.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn provenance_props(p: &Provenance) -> Vec<Value> {
    let mut props = vec![
        prop("confidence", p.confidence.as_str()),
        prop("verified", if p.verified { "true" } else { "false" }),
        prop("source", &p.source),
        prop("source-edition", &p.edition),
    ];
    if let Some(note) = &p.note {
        props.push(prop("provenance-note", note));
    }
    props
}

/// Where a title comes from, and the other names with their editions.
fn title_props(source: &NameSource, aliases: &[Alias]) -> Vec<Value> {
    let mut props = vec![
        prop("title-confidence", source.confidence.as_str()),
        prop("title-label", &source.label()),
        prop("title-edition", &source.edition),
        prop("title-source", &source.source),
    ];
    if let Some(note) = &source.note {
        props.push(prop("title-note", note));
    }
    props.extend(aliases.iter().map(|a| {
        let mut alias = prop("alias", &a.text);
        let remarks = match &a.note {
            Some(note) => format!("edition {}; {note}", a.edition),
            None => format!("edition {}", a.edition),
        };
        alias["remarks"] = Value::String(remarks);
        alias
    }));
    props
}

fn threat_props(threats: &[ThreatId]) -> impl Iterator<Item = Value> + '_ {
    threats.iter().map(|t| prop("threat", &t.to_string()))
}

fn group(catalog: &Catalog, p: &Practice) -> Value {
    let id = group_id(p.number);
    let mut props = vec![json!({ "name": "label", "value": p.number.to_string() })];
    props.extend(title_props(&p.title_source, &p.aliases));
    props.extend(threat_props(&p.threats));
    props.extend(provenance_props(&p.provenance));
    let mut parts =
        vec![json!({ "id": format!("{id}_ovw"), "name": "overview", "prose": p.summary })];
    parts.extend(metrics_part(&id, &p.metrics));
    let controls: Vec<Value> = catalog
        .sub_practices
        .iter()
        .filter(|s| s.practice == p.number)
        .map(|s| control(catalog, s))
        .collect();
    json!({
        "id": id,
        "class": "practice",
        "title": one_line(&p.title),
        "props": props,
        "parts": parts,
        "controls": controls,
    })
}

fn control(catalog: &Catalog, s: &SubPractice) -> Value {
    let id = control_id(&s.id);
    let tier_rank = Tier::ALL.iter().position(|t| *t == s.tier).unwrap_or(0) + 1;
    let mut props = vec![
        json!({ "name": "label", "value": s.id.to_string() }),
        json!({
            "name": "sort-id",
            "value": format!("{:02}.{tier_rank}.{}", s.practice, s.id.letter().to_ascii_lowercase()),
        }),
        prop("tier", s.tier.as_str()),
        prop("cost", s.cost.as_str()),
        prop("effort", s.effort.as_str()),
        prop("owner-role", &s.owner_role),
    ];
    props.extend(threat_props(&s.threats));
    props.extend(title_props(&s.title_source, &s.title_aliases));
    props.extend(
        s.csf11
            .iter()
            .map(|c| classed_prop("csf-1.1", c, "published")),
    );
    props.extend(s.csf2.iter().map(|c| classed_prop("csf-2.0", c, "derived")));
    props.extend(s.cpg.iter().map(|c| classed_prop("hph-cpg", c, "inferred")));
    props.extend(s.hipaa.iter().map(|c| classed_prop("hipaa", c, "derived")));
    props.extend(provenance_props(&s.provenance));

    let links: Vec<Value> = s
        .prerequisites
        .iter()
        .map(|p| {
            let title = catalog
                .sub_practice(p)
                .map_or_else(|| p.to_string(), |sp| format!("{p} {}", sp.title));
            json!({ "href": format!("#{}", control_id(p)), "rel": "required", "text": title })
        })
        .collect();

    let objectives: Vec<Value> = s
        .questions
        .iter()
        .map(|q| {
            json!({
                "id": format!("{id}_obj.{}", q.key),
                "name": "assessment-objective",
                "props": [{ "name": "label", "value": q.key }],
                "prose": q.text,
            })
        })
        .collect();
    let mut parts = vec![
        json!({ "id": format!("{id}_smt"), "name": "statement", "prose": s.summary }),
        json!({ "id": format!("{id}_gdn"), "name": "guidance", "prose": s.good_looks_like }),
        json!({ "id": format!("{id}_obj"), "name": "assessment-objective", "parts": objectives }),
    ];
    parts.extend(metrics_part(&id, &s.metrics));

    let mut control = json!({
        "id": id,
        "class": "sub-practice",
        "title": one_line(&s.title),
        "props": props,
        "parts": parts,
    });
    if !links.is_empty() {
        control["links"] = Value::Array(links);
    }
    control
}

/// Suggested metrics as a part in hicp's namespace (OSCAL has no standard part for them).
fn metrics_part(owner_id: &str, metrics: &[String]) -> Option<Value> {
    if metrics.is_empty() {
        return None;
    }
    let items: Vec<Value> = metrics
        .iter()
        .enumerate()
        .map(|(i, m)| {
            json!({
                "id": format!("{owner_id}_mtr.{}", i + 1),
                "name": "metric",
                "ns": NAMESPACE,
                "prose": m,
            })
        })
        .collect();
    Some(json!({
        "id": format!("{owner_id}_mtr"),
        "name": "metrics",
        "ns": NAMESPACE,
        "parts": items,
    }))
}

/// Threats are described once, in back-matter, and referred to by number from `threat` props.
fn threat_resource(catalog: &Catalog, t: &Threat) -> Value {
    let mut props = vec![prop("threat", &t.number.to_string())];
    props.extend(title_props(&t.name_source, &t.aliases));
    props.extend(provenance_props(&t.provenance));
    json!({
        "uuid": threat_resource_uuid(catalog, t.number),
        "title": one_line(&format!("Threat {}: {}", t.number, t.name)),
        "description": t.summary,
        "props": props,
    })
}
