//! CSV exports of the findings, of the action plan and of the evidence metrics, for teams that work in a spreadsheet or
//! feed another tool. Text cells are guarded against formula injection; dates are ISO 8601. Each
//! name has a column of its own saying how sure the catalog is of its wording (see
//! [`crate::titles`]), so a tool reading the file gets it without parsing marks.

use ::csv::Writer;

use crate::ReportInput;
use crate::guard::formula_safe;
use crate::model::{Finding, PlanSection, ReportModel, iso_date};

const FINDINGS_HEADER: [&str; 20] = [
    "id",
    "practice",
    "practice_title",
    "practice_title_confidence",
    "tier",
    "title",
    "title_confidence",
    "scope",
    "status",
    "status_label",
    "score",
    "owner",
    "note",
    "evidence",
    "justification",
    "status_since",
    "in_place_since",
    "in_place_12_months",
    "gap_rank",
    "catalog_verified",
];

const PLAN_HEADER: [&str; 17] = [
    "state",
    "period",
    "start",
    "due",
    "id",
    "title",
    "title_confidence",
    "owner_role",
    "owner",
    "cost_band",
    "effort_band",
    "estimated_cost_usd",
    "estimated_staff_days",
    "prerequisites",
    "milestones",
    "gap_rank",
    "deferred_reason",
];

const EVIDENCE_HEADER: [&str; 5] = ["practice", "metric", "measured", "definition", "source"];

/// One row per metric measured from the organization's scans and inventories.
pub fn evidence(input: &ReportInput<'_>) -> String {
    let rows = input.evidence.iter().map(|metric| {
        vec![
            metric.practice.to_string(),
            metric.title.clone(),
            metric.value.clone(),
            metric.definition.clone(),
            metric.source.clone(),
        ]
    });
    write_csv(&EVIDENCE_HEADER, rows)
}

/// One row per sub-practice in scope.
pub fn findings(input: &ReportInput<'_>) -> String {
    findings_from(&ReportModel::build(input).findings)
}

/// One row per scheduled action, then one per deferred one.
pub fn plan(input: &ReportInput<'_>) -> String {
    plan_from(&ReportModel::build(input).plan)
}

fn findings_from(findings: &[Finding]) -> String {
    let rows = findings.iter().map(|f| {
        vec![
            f.id.clone(),
            f.practice.to_string(),
            f.practice_title.text.clone(),
            f.practice_title.confidence_word().to_string(),
            f.tier.clone(),
            f.title.text.clone(),
            f.title.confidence_word().to_string(),
            if f.required {
                "required"
            } else {
                "going further"
            }
            .to_string(),
            f.status.as_str().to_string(),
            f.status_label.clone(),
            f.score.map(|s| s.to_string()).unwrap_or_default(),
            f.owner.clone().unwrap_or_default(),
            f.note.clone().unwrap_or_default(),
            f.evidence.join("; "),
            f.justification.clone().unwrap_or_default(),
            f.status_since.map(iso_date).unwrap_or_default(),
            f.in_place_since.map(iso_date).unwrap_or_default(),
            f.in_place_12_months.to_string(),
            f.gap_rank.map(|r| r.to_string()).unwrap_or_default(),
            f.catalog_verified.to_string(),
        ]
    });
    write_csv(&FINDINGS_HEADER, rows)
}

fn plan_from(plan: &PlanSection) -> String {
    let scheduled = plan.items().map(|item| {
        vec![
            "scheduled".to_string(),
            item.period_label.clone(),
            iso_date(item.start),
            iso_date(item.due),
            item.id.clone(),
            item.title.text.clone(),
            item.title.confidence_word().to_string(),
            item.owner_role.clone(),
            item.owner.clone().unwrap_or_default(),
            item.cost.clone(),
            item.effort.clone(),
            item.estimated_cost.to_string(),
            item.estimated_staff_days.to_string(),
            item.prerequisites.join(" "),
            item.milestones
                .iter()
                .map(|m| format!("{}: {}", iso_date(m.due), m.title))
                .collect::<Vec<_>>()
                .join("; "),
            item.gap_rank.to_string(),
            String::new(),
        ]
    });
    let deferred = plan.deferred.iter().map(|d| {
        let blank = String::new;
        vec![
            "deferred".to_string(),
            blank(),
            blank(),
            blank(),
            d.id.clone(),
            d.title.text.clone(),
            d.title.confidence_word().to_string(),
            blank(),
            blank(),
            blank(),
            blank(),
            d.estimated_cost.to_string(),
            d.estimated_staff_days.to_string(),
            blank(),
            blank(),
            d.gap_rank.to_string(),
            d.reason.clone(),
        ]
    });
    write_csv(&PLAN_HEADER, scheduled.chain(deferred))
}

fn write_csv(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> String {
    let mut writer = Writer::from_writer(Vec::new());
    // Writing to memory only fails on a record of the wrong width, which is a bug in this module
    // (every row above is built with the header's width); the tests exercise every row shape.
    writer
        .write_record(header)
        .expect("CSV header is written to memory");
    for row in rows {
        writer
            .write_record(row.iter().map(|cell| formula_safe(cell).into_owned()))
            .expect("CSV rows have the header's width");
    }
    let bytes = writer
        .into_inner()
        .expect("flushing a CSV writer into memory cannot fail");
    String::from_utf8(bytes).expect("CSV built from UTF-8 strings is UTF-8")
}
