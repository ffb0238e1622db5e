//! OSCAL 1.1.2 documents for auditors and other tools: the assessment results (AR), the plan of
//! action and milestones (POA&M), and the small assessment plan (AP) the AR imports.
//!
//! Every control reference uses the catalog's own ids ([`hicp_catalog::oscal::control_id`]) and
//! objective part ids (`<control-id>_obj`), so the documents resolve against the OSCAL catalog
//! that `hicp catalog export --format oscal` writes. The mapping is described in
//! `docs/reports.md`.
//!
//! UUIDs are deterministic (version 5): element UUIDs from a stable name (organization,
//! assessment label, date and element), and each document's own UUID from its content, so the
//! same input always gives the same bytes while any change in content gives a new document UUID,
//! as OSCAL asks.

use base64::Engine as _;
use hicp_catalog::oscal::{NAMESPACE, OSCAL_VERSION, catalog_uuid, control_id};
use hicp_engine::Status;
use serde_json::{Value, json};
use time::Date;
use uuid::Uuid;

use crate::ReportInput;
use crate::model::{Finding, ReportModel, iso_date};
use crate::titles::Title;

/// The file name the AR gives the assessment plan it embeds.
const ASSESSMENT_PLAN_FILE: &str = "assessment-plan.json";

/// Relative location of the catalog the documents link to, as written by
/// `hicp catalog export --format oscal --out hicp-catalog.json` in the same folder.
pub const CATALOG_HREF: &str = "hicp-catalog.json";

/// What the documents are about, and the names their UUIDs derive from.
struct Subject<'a> {
    model: &'a ReportModel,
    input: &'a ReportInput<'a>,
    /// Identifies this assessment among all hicp reports.
    key: String,
}

impl<'a> Subject<'a> {
    fn new(input: &'a ReportInput<'a>, model: &'a ReportModel) -> Subject<'a> {
        let key = format!(
            "{}\u{1f}{}\u{1f}{}\u{1f}{}",
            model.header.organization,
            model.header.assessment_label,
            iso_date(model.header.as_of),
            model.header.catalog_edition
        );
        Subject { model, input, key }
    }

    /// A stable UUID for one element of the documents about this assessment.
    fn uuid(&self, element: &str) -> Uuid {
        Uuid::new_v5(
            &report_namespace(),
            format!("{}\u{1f}{element}", self.key).as_bytes(),
        )
    }

    /// A UUID for the organization in one role, stable across all its assessments.
    fn organization_uuid(&self, role: &str) -> Uuid {
        Uuid::new_v5(
            &report_namespace(),
            format!("{role}\u{1f}{}", self.model.header.organization).as_bytes(),
        )
    }

    fn party_uuid(&self) -> Uuid {
        self.organization_uuid("party")
    }

    /// The POA&M's "system": the organization as a whole.
    fn system_uuid(&self) -> Uuid {
        self.organization_uuid("system")
    }

    fn observation_uuid(&self, finding: &Finding) -> Uuid {
        self.uuid(&format!("observation/{}", finding.id))
    }

    fn finding_uuid(&self, finding: &Finding) -> Uuid {
        self.uuid(&format!("finding/{}", finding.id))
    }

    fn ap_resource_uuid(&self) -> Uuid {
        self.uuid("resource/assessment-plan")
    }

    fn catalog_resource(&self) -> Value {
        json!({
            "uuid": catalog_uuid(self.input.catalog),
            "title": format!("HICP catalog, edition {}", self.model.header.catalog_edition),
            "description": "The OSCAL catalog whose control ids these documents reference, as written by `hicp catalog export --format oscal`.",
            "props": [prop("catalog-edition", &self.model.header.catalog_edition)],
            "rlinks": [{ "href": CATALOG_HREF, "media-type": "application/oscal.catalog+json" }],
        })
    }

    /// `references` are the back-matter resources the document relies on (uuid, relation).
    fn metadata(&self, title: String, references: &[(Uuid, &str)]) -> Value {
        let h = &self.model.header;
        let links: Vec<Value> = references
            .iter()
            .map(|(uuid, rel)| json!({ "href": format!("#{uuid}"), "rel": rel }))
            .collect();
        json!({
            "title": one_line(&title),
            "last-modified": datetime(h.generated_on),
            "version": iso_date(h.as_of),
            "oscal-version": OSCAL_VERSION,
            "links": links,
            "props": [
                prop("catalog-edition", &h.catalog_edition),
                prop("tier", &h.tier),
                prop("assessment", &h.assessment_label),
            ],
            "parties": [{
                "uuid": self.party_uuid(),
                "type": "organization",
                "name": one_line(&h.organization),
            }],
        })
    }

    fn origins(&self) -> Value {
        // A self-assessment: the organization is the one that observed.
        json!([{ "actors": [{ "type": "party", "actor-uuid": self.party_uuid() }] }])
    }

    fn observation(&self, finding: &Finding) -> Value {
        let mut methods = vec!["INTERVIEW"];
        if !finding.evidence.is_empty() {
            methods.push("EXAMINE");
        }
        let mut description = format!("Status: {}.", finding.status_label);
        if let Some(note) = &finding.note {
            description.push_str(&format!(" {note}"));
        }
        if let Some(justification) = &finding.justification {
            description.push_str(&format!(" Not applicable because: {justification}"));
        }
        let mut props = vec![
            prop("control-id", &control_id_of(finding)),
            prop("status", finding.status.as_str()),
            title_confidence(&finding.title),
        ];
        if let Some(owner) = &finding.owner {
            props.push(prop("owner", owner));
        }
        let mut observation = json!({
            "uuid": self.observation_uuid(finding),
            "title": one_line(&format!("{} {}", finding.id, finding.title.text)),
            "description": description,
            "props": props,
            "methods": methods,
            "types": ["control-objective"],
            "origins": self.origins(),
            "collected": datetime(finding.status_since.unwrap_or(self.model.header.as_of)),
        });
        if !finding.evidence.is_empty() {
            observation["relevant-evidence"] = finding
                .evidence
                .iter()
                .map(|e| json!({ "description": e }))
                .collect();
        }
        observation
    }

    /// A metric measured by the organization's own tools: a test, not an interview.
    fn metric_observation(&self, index: usize, metric: &crate::EvidenceMetric) -> Value {
        json!({
            "uuid": self.uuid(&format!("observation/metric-{index}")),
            "title": one_line(&format!("Practice {}: {}", metric.practice, metric.title)),
            "description": format!("{}: {}. {}", metric.title, metric.value, metric.definition),
            "props": [
                prop("practice", &metric.practice.to_string()),
                prop("measured", &metric.value),
            ],
            "methods": ["TEST"],
            "types": ["finding"],
            "origins": self.origins(),
            "relevant-evidence": [{ "description": one_line(&metric.source) }],
            "collected": datetime(self.model.header.as_of),
        })
    }

    fn finding(&self, finding: &Finding, related_risk: Option<Uuid>) -> Value {
        let satisfied = matches!(finding.status, Status::Implemented | Status::NotApplicable);
        let mut target = json!({
            "type": "objective-id",
            "target-id": format!("{}_obj", control_id_of(finding)),
            "status": { "state": if satisfied { "satisfied" } else { "not-satisfied" } },
        });
        if let Some(state) = implementation_state(finding.status) {
            target["implementation-status"] = json!({ "state": state });
        }
        let mut props = vec![
            prop("control-id", &control_id_of(finding)),
            title_confidence(&finding.title),
        ];
        if let Some(rank) = finding.gap_rank {
            props.push(prop("gap-rank", &rank.to_string()));
        }
        let mut value = json!({
            "uuid": self.finding_uuid(finding),
            "title": one_line(&format!("{} {}", finding.id, finding.title.text)),
            "description": format!(
                "{} is {} ({}).",
                finding.id,
                finding.status_label.to_lowercase(),
                if satisfied { "satisfied" } else { "not satisfied" }
            ),
            "props": props,
            "origins": self.origins(),
            "target": target,
            "related-observations": [{ "observation-uuid": self.observation_uuid(finding) }],
        });
        if let Some(risk) = related_risk {
            value["related-risks"] = json!([{ "risk-uuid": risk }]);
        }
        value
    }
}

fn report_namespace() -> Uuid {
    Uuid::new_v5(
        &Uuid::NAMESPACE_URL,
        format!("{NAMESPACE}/report").as_bytes(),
    )
}

/// OSCAL date-times need a time zone; reports are dated by day, so midnight UTC.
fn datetime(date: Date) -> String {
    format!("{}T00:00:00Z", iso_date(date))
}

fn control_id_of(finding: &Finding) -> String {
    finding
        .id
        .parse()
        .map(|id| control_id(&id))
        .unwrap_or_else(|_| finding.id.to_ascii_lowercase())
}

/// OSCAL's implementation-status values; `not_implemented` and `unknown` have none.
fn implementation_state(status: Status) -> Option<&'static str> {
    match status {
        Status::Implemented => Some("implemented"),
        Status::Largely | Status::Partial => Some("partial"),
        Status::Planned => Some("planned"),
        Status::NotApplicable => Some("not-applicable"),
        Status::NotImplemented | Status::Unknown => None,
    }
}

/// How sure the catalog is of a name the element's title uses ([`crate::titles`]): OSCAL titles
/// carry the plain name, and this property says whether it was published, recalled, inferred or
/// is a stand-in.
fn title_confidence(title: &Title) -> Value {
    prop("title-confidence", title.confidence_word())
}

/// A property in hicp's namespace. OSCAL property values are one line without edge spaces.
fn prop(name: &str, value: &str) -> Value {
    json!({ "name": name, "ns": NAMESPACE, "value": one_line(value) })
}

fn one_line(text: &str) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.is_empty() {
        "(none)".to_string()
    } else {
        line
    }
}

/// Gives `document` (`{"<model>": {...}}`) a UUID derived from its content.
fn with_content_uuid(mut document: Value, model_name: &str) -> Value {
    let name = document.to_string();
    document[model_name]["uuid"] = json!(Uuid::new_v5(&report_namespace(), name.as_bytes()));
    document
}

fn reviewed_controls(model: &ReportModel) -> Value {
    let controls: Vec<Value> = model
        .findings
        .iter()
        .map(|f| json!({ "control-id": control_id_of(f) }))
        .collect();
    json!({
        "description": format!(
            "The sub-practices the {} tier requires, and any answered beyond it.",
            model.header.tier
        ),
        "control-selections": [{ "include-controls": controls }],
    })
}

/// The assessment plan: what was to be assessed (the tier's controls) and by whom. hicp has no
/// system security plan to import, so `import-ssp` points at a back-matter resource that says
/// so and links the catalog.
pub fn assessment_plan(input: &ReportInput<'_>) -> Value {
    let model = ReportModel::build(input);
    assessment_plan_from(input, &model)
}

fn assessment_plan_from(input: &ReportInput<'_>, model: &ReportModel) -> Value {
    let subject = Subject::new(input, model);
    let ssp_resource = subject.uuid("resource/no-ssp");
    let document = json!({
        "assessment-plan": {
            "uuid": Uuid::nil(),
            "metadata": subject.metadata(
                format!(
                    "HICP self-assessment plan: {}, {}",
                    model.header.organization, model.header.assessment_label
                ),
                &[(ssp_resource, "reference"), (catalog_uuid(input.catalog), "reference")],
            ),
            "import-ssp": { "href": format!("#{ssp_resource}") },
            "reviewed-controls": reviewed_controls(model),
            "terms-and-conditions": { "parts": [{
                "name": "method",
                "ns": NAMESPACE,
                "title": "Method",
                "prose": "The organization answers, for each sub-practice its tier requires, how far it is in place, with notes, evidence and owners; hicp scores the answers, rates the five HICP threats and ranks the gaps. See docs/methodology.md.",
            }]},
            "back-matter": { "resources": [
                {
                    "uuid": ssp_resource,
                    "title": "No system security plan",
                    "description": "This is an organization-wide self-assessment against the HHS 405(d) HICP catalog, not an assessment of one information system, so there is no system security plan. The scope is the organization and the controls listed in reviewed-controls.",
                },
                subject.catalog_resource(),
            ]},
        }
    });
    with_content_uuid(document, "assessment-plan")
}

/// The assessment results: one observation and one finding per sub-practice in scope, and one
/// risk per HICP threat. The assessment plan is embedded in back-matter (and imported from
/// there), so the file stands alone.
pub fn assessment_results(input: &ReportInput<'_>) -> Value {
    let model = ReportModel::build(input);
    let subject = Subject::new(input, &model);
    let plan = assessment_plan_from(input, &model);
    let plan_bytes = plan.to_string();

    let observations: Vec<Value> = model
        .findings
        .iter()
        .map(|f| subject.observation(f))
        .chain(
            model
                .evidence
                .iter()
                .enumerate()
                .map(|(index, metric)| subject.metric_observation(index, metric)),
        )
        .collect();
    let findings: Vec<Value> = model
        .findings
        .iter()
        .map(|f| subject.finding(f, None))
        .collect();
    let risks: Vec<Value> = model
        .threats
        .iter()
        .map(|t| {
            json!({
                "uuid": subject.uuid(&format!("risk/threat-{}", t.id)),
                "title": one_line(&format!("Threat {}: {}", t.id, t.name.text)),
                "description": if t.reasons.is_empty() {
                    format!("Residual risk from {}.", t.name.text.to_lowercase())
                } else {
                    t.reasons.join(" ")
                },
                "statement": format!(
                    "Likelihood {:.1} and impact {:.1} (of 5) give an inherent risk of {:.1} (of 25); with {:.0}% coverage by the mitigating practices the residual risk is {:.1}, which is {}.",
                    t.likelihood, t.impact, t.inherent_risk, t.coverage, t.residual_risk, t.level_label
                ),
                "props": [prop("threat", &t.id.to_string()), title_confidence(&t.name)],
                "status": "open",
                "characterizations": [{
                    "origin": { "actors": [{ "type": "party", "actor-uuid": subject.party_uuid() }] },
                    "facets": [
                        facet("likelihood", &format!("{:.1}", t.likelihood)),
                        facet("impact", &format!("{:.1}", t.impact)),
                        facet("coverage", &format!("{:.1}", t.coverage)),
                        facet("residual-risk", &format!("{:.1}", t.residual_risk)),
                        facet("risk-level", &t.level_label),
                    ],
                }],
            })
        })
        .collect();

    let h = &model.header;
    let document = json!({
        "assessment-results": {
            "uuid": Uuid::nil(),
            "metadata": subject.metadata(
                format!("HICP assessment results: {}, {}", h.organization, h.assessment_label),
                &[
                    (subject.ap_resource_uuid(), "reference"),
                    (catalog_uuid(input.catalog), "reference"),
                ],
            ),
            "import-ap": { "href": format!("#{}", subject.ap_resource_uuid()) },
            "results": [{
                "uuid": subject.uuid("result"),
                "title": one_line(&format!("HICP self-assessment, {} tier, as of {}", h.tier, iso_date(h.as_of))),
                "description": model.summary.paragraph,
                "start": datetime(h.as_of),
                "props": [
                    prop("overall-score", &format!("{:.1}", model.summary.overall_score)),
                    prop("overall-residual-risk", &format!("{:.1}", model.summary.overall_risk)),
                ],
                "reviewed-controls": reviewed_controls(&model),
                "observations": observations,
                "risks": risks,
                "findings": findings,
            }],
            "back-matter": { "resources": [
                {
                    "uuid": subject.ap_resource_uuid(),
                    "title": "Assessment plan",
                    "description": "The assessment plan these results import, embedded so the results stand alone.",
                    "base64": {
                        "filename": ASSESSMENT_PLAN_FILE,
                        "media-type": "application/oscal.ap+json",
                        "value": base64::engine::general_purpose::STANDARD.encode(plan_bytes),
                    },
                },
                subject.catalog_resource(),
            ]},
        }
    });
    with_content_uuid(document, "assessment-results")
}

fn facet(name: &str, value: &str) -> Value {
    json!({ "name": name, "system": NAMESPACE, "value": one_line(value) })
}

/// The plan of action and milestones: one POA&M item per gap (scheduled or deferred), each with
/// its observation, finding and risk; the risk's remediation carries the schedule and milestones.
pub fn poam(input: &ReportInput<'_>) -> Value {
    let model = ReportModel::build(input);
    let subject = Subject::new(input, &model);
    let gaps: Vec<&Finding> = model
        .findings
        .iter()
        .filter(|f| f.gap_rank.is_some())
        .collect();

    let mut observations = Vec::with_capacity(gaps.len());
    let mut findings = Vec::with_capacity(gaps.len());
    let mut risks = Vec::with_capacity(gaps.len());
    let mut items = Vec::with_capacity(gaps.len());
    for finding in &gaps {
        let risk_uuid = subject.uuid(&format!("risk/gap/{}", finding.id));
        observations.push(subject.observation(finding));
        findings.push(subject.finding(finding, Some(risk_uuid)));
        risks.push(gap_risk(&subject, finding, risk_uuid));
        let rank = finding.gap_rank.unwrap_or_default();
        let scheduled = model.plan.items().find(|i| i.id == finding.id);
        let mut props = vec![
            prop("control-id", &control_id_of(finding)),
            prop("gap-rank", &rank.to_string()),
            title_confidence(&finding.title),
        ];
        if let Some(item) = scheduled {
            props.push(prop("period", &item.period_label));
        }
        items.push(json!({
            "uuid": subject.uuid(&format!("poam-item/{}", finding.id)),
            "title": one_line(&format!("{} {}", finding.id, finding.title.text)),
            "description": match scheduled {
                Some(item) => format!(
                    "Bring {} to implemented in {} (due {}); gap rank {rank}.",
                    finding.id, item.period_label, iso_date(item.due)
                ),
                None => format!("Bring {} to implemented; deferred beyond the current plan, gap rank {rank}.", finding.id),
            },
            "props": props,
            "origins": subject.origins(),
            "related-findings": [{ "finding-uuid": subject.finding_uuid(finding) }],
            "related-observations": [{ "observation-uuid": subject.observation_uuid(finding) }],
            "related-risks": [{ "risk-uuid": risk_uuid }],
        }));
    }

    let h = &model.header;
    let mut body = json!({
        "uuid": Uuid::nil(),
        "metadata": subject.metadata(
            format!(
                "HICP plan of action and milestones: {}, {}",
                h.organization, h.assessment_label
            ),
            &[(catalog_uuid(input.catalog), "reference")],
        ),
        // POA&M allows a system id instead of importing an SSP; hicp's "system" is the
        // organization, identified by a UUID derived from its name.
        "system-id": {
            "identifier-type": "http://ietf.org/rfc/rfc4122",
            "id": subject.system_uuid(),
        },
        "back-matter": { "resources": [subject.catalog_resource()] },
    });
    if !gaps.is_empty() {
        body["observations"] = Value::Array(observations);
        body["risks"] = Value::Array(risks);
        body["findings"] = Value::Array(findings);
    }
    // OSCAL requires at least one item; with no gaps, one item says there is nothing to do.
    if items.is_empty() {
        items.push(json!({
            "uuid": subject.uuid("poam-item/none"),
            "title": "No open gaps",
            "description": "Every applicable sub-practice is implemented; there is nothing to plan.",
        }));
    }
    body["poam-items"] = Value::Array(items);
    with_content_uuid(
        json!({ "plan-of-action-and-milestones": body }),
        "plan-of-action-and-milestones",
    )
}

fn gap_risk(subject: &Subject<'_>, finding: &Finding, risk_uuid: Uuid) -> Value {
    let model = subject.model;
    let gap = subject
        .input
        .evaluation
        .gaps
        .iter()
        .find(|g| g.id.to_string() == finding.id);
    let scheduled = model.plan.items().find(|i| i.id == finding.id);
    let deferred = model.plan.deferred.iter().find(|d| d.id == finding.id);

    let mut remediation = json!({
        "uuid": subject.uuid(&format!("remediation/{}", finding.id)),
        "lifecycle": if scheduled.is_some() { "planned" } else { "recommendation" },
        "title": one_line(&format!("Implement {} {}", finding.id, finding.title.text)),
        "description": match (scheduled, deferred) {
            (Some(item), _) => format!(
                "Owner: {}{}. Estimated cost {} ({} band), {} staff-days ({} effort).",
                item.owner_role,
                item.owner.as_deref().map(|o| format!(" ({o})")).unwrap_or_default(),
                crate::model::dollars(item.estimated_cost),
                item.cost,
                item.estimated_staff_days,
                item.effort,
            ),
            (None, Some(d)) => format!("Deferred: {}", d.reason),
            (None, None) => "Not scheduled.".to_string(),
        },
    });
    if let Some(item) = scheduled {
        let mut props = vec![
            prop("owner-role", &item.owner_role),
            prop("estimated-cost-usd", &item.estimated_cost.to_string()),
            prop(
                "estimated-staff-days",
                &item.estimated_staff_days.to_string(),
            ),
        ];
        if let Some(owner) = &item.owner {
            props.push(prop("owner", owner));
        }
        remediation["props"] = Value::Array(props);
        let mut tasks = vec![json!({
            "uuid": subject.uuid(&format!("task/{}", finding.id)),
            "type": "action",
            "title": one_line(&format!("Implement {}", finding.title.text)),
            "timing": { "within-date-range": { "start": datetime(item.start), "end": datetime(item.due) } },
        })];
        tasks.extend(item.milestones.iter().enumerate().map(|(i, m)| {
            json!({
                "uuid": subject.uuid(&format!("milestone/{}/{}", finding.id, i + 1)),
                "type": "milestone",
                "title": one_line(&m.title),
                "timing": { "on-date": { "date": datetime(m.due) } },
            })
        }));
        remediation["tasks"] = Value::Array(tasks);
    }

    let reasons = gap.map(|g| g.reasons.join(" ")).unwrap_or_default();
    let mut risk = json!({
        "uuid": risk_uuid,
        "title": one_line(&format!("{} {} is not in place", finding.id, finding.title.text)),
        "description": if reasons.is_empty() { format!("{} is {}.", finding.id, finding.status_label.to_lowercase()) } else { reasons },
        "statement": match gap {
            Some(g) => format!(
                "Implementing {} would remove {:.1} points of residual risk across the threats it mitigates ({}).",
                finding.id,
                g.risk_reduction,
                g.threats.iter().map(|t| format!("threat {t}")).collect::<Vec<_>>().join(", ")
            ),
            None => format!("{} is not in place.", finding.id),
        },
        "props": [prop("control-id", &control_id_of(finding)), title_confidence(&finding.title)],
        "status": "open",
        "remediations": [remediation],
        "related-observations": [{ "observation-uuid": subject.observation_uuid(finding) }],
    });
    if let Some(g) = gap {
        risk["characterizations"] = json!([{
            "origin": { "actors": [{ "type": "party", "actor-uuid": subject.party_uuid() }] },
            "facets": [
                facet("risk-reduction", &format!("{:.2}", g.risk_reduction)),
                facet("priority", &format!("{:.3}", g.priority)),
                facet("gap-rank", &g.rank.to_string()),
            ],
        }]);
    }
    if let Some(item) = scheduled {
        risk["deadline"] = json!(datetime(item.due));
    }
    risk
}
