//! The report's content, built once from a [`ReportInput`] and shared by every renderer: the HTML
//! and PDF show it, the spreadsheets and CSV tabulate it. Serializable so the PDF template can
//! receive it as JSON; dates serialize as ISO 8601 text (`2026-11-28`).

use hicp_catalog::{Catalog, SubPractice, SubPracticeId};
use hicp_engine::{Answer, Evaluation, Gap, PlanItem, Status, SubPracticeScore, ThreatRisk};
use serde::{Serialize, Serializer};
use time::Date;

use crate::ReportInput;
use crate::escape::num;
use crate::titles::Title;

/// How many actions the executive summary singles out.
pub const TOP_ACTIONS: usize = 5;

/// Residual risk bands on the engine's 0–25 scale (likelihood × impact, reduced by coverage).
/// The cut points are those of a conventional 5 × 5 risk matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskLevel {
    Low,
    Moderate,
    High,
    VeryHigh,
}

impl RiskLevel {
    pub fn from_residual(risk: f64) -> RiskLevel {
        if risk >= 16.0 {
            RiskLevel::VeryHigh
        } else if risk >= 10.0 {
            RiskLevel::High
        } else if risk >= 5.0 {
            RiskLevel::Moderate
        } else {
            RiskLevel::Low
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RiskLevel::Low => "low",
            RiskLevel::Moderate => "moderate",
            RiskLevel::High => "high",
            RiskLevel::VeryHigh => "very high",
        }
    }

    /// Marker fill: a green–yellow–orange–red ramp that stays distinguishable in greyscale print.
    pub fn colour(self) -> &'static str {
        match self {
            RiskLevel::Low => "#3f8f4f",
            RiskLevel::Moderate => "#e3b505",
            RiskLevel::High => "#e07020",
            RiskLevel::VeryHigh => "#b3261e",
        }
    }

    /// A light version of [`RiskLevel::colour`] for backgrounds.
    pub fn tint(self) -> &'static str {
        match self {
            RiskLevel::Low => "#e2f0e4",
            RiskLevel::Moderate => "#fbf0c4",
            RiskLevel::High => "#fbdcc4",
            RiskLevel::VeryHigh => "#f4cfcc",
        }
    }

    /// Text colour with enough contrast on [`RiskLevel::colour`].
    pub fn ink(self) -> &'static str {
        match self {
            RiskLevel::Moderate | RiskLevel::High => "#1f2933",
            RiskLevel::Low | RiskLevel::VeryHigh => "#ffffff",
        }
    }
}

/// Practice score bands (0–100), for colour and for the summary's wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScoreLevel {
    Weak,
    Developing,
    Strong,
}

impl ScoreLevel {
    pub fn from_score(score: f64) -> ScoreLevel {
        if score >= 75.0 {
            ScoreLevel::Strong
        } else if score >= 50.0 {
            ScoreLevel::Developing
        } else {
            ScoreLevel::Weak
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ScoreLevel::Weak => "weak",
            ScoreLevel::Developing => "developing",
            ScoreLevel::Strong => "strong",
        }
    }

    pub fn colour(self) -> &'static str {
        match self {
            ScoreLevel::Weak => "#b3261e",
            ScoreLevel::Developing => "#d08a00",
            ScoreLevel::Strong => "#3f8f4f",
        }
    }
}

fn iso<S: Serializer>(date: &Date, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(&iso_date(*date))
}

fn iso_opt<S: Serializer>(date: &Option<Date>, serializer: S) -> Result<S::Ok, S::Error> {
    match date {
        Some(date) => serializer.collect_str(&iso_date(*date)),
        None => serializer.serialize_none(),
    }
}

/// `YYYY-MM-DD`, the one date format every output uses.
pub fn iso_date(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// Whole dollars with thousands separators, e.g. `$12,500`.
pub fn dollars(amount: u64) -> String {
    let digits = amount.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    out.push('$');
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The complete content of a report.
#[derive(Debug, Clone, Serialize)]
pub struct ReportModel {
    pub header: Header,
    pub summary: Summary,
    pub practices: Vec<PracticeRow>,
    pub threats: Vec<ThreatRow>,
    pub findings: Vec<Finding>,
    pub plan: PlanSection,
    pub in_place: InPlaceSection,
    pub crosswalk: Vec<CrosswalkRow>,
    pub methodology: Vec<String>,
    pub catalog_notes: CatalogNotes,
    /// Metrics from the organization's own tools, when any were kept.
    pub evidence: Vec<crate::EvidenceMetric>,
    /// Things the engine noticed in the input that do not stop the evaluation.
    pub warnings: Vec<String>,
}

/// What every page carries.
#[derive(Debug, Clone, Serialize)]
pub struct Header {
    pub organization: String,
    pub assessment_label: String,
    #[serde(serialize_with = "iso")]
    pub generated_on: Date,
    /// The "as of" date of the evaluation.
    #[serde(serialize_with = "iso")]
    pub as_of: Date,
    pub catalog_edition: String,
    pub catalog_edition_name: String,
    pub catalog_version: String,
    pub tier: String,
    pub tier_recommended: String,
    pub tier_overridden: bool,
    pub tier_reasons: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Posture in one paragraph of plain words.
    pub paragraph: String,
    pub overall_score: f64,
    pub overall_risk: f64,
    pub applicable: usize,
    pub implemented: usize,
    pub unknown: usize,
    pub gaps: usize,
    pub top_actions: Vec<TopAction>,
}

/// One of the actions that remove the most risk per dollar.
#[derive(Debug, Clone, Serialize)]
pub struct TopAction {
    pub rank: usize,
    pub id: String,
    pub title: Title,
    pub risk_reduction: f64,
    pub cost: String,
    pub effort: String,
    /// Dollars for the work left, from the methodology's band tables.
    pub estimated_cost: u64,
    /// The plan period it is scheduled in; `None` when deferred.
    pub period_label: Option<String>,
    pub threats: Vec<Title>,
    /// The engine's first, most important reason.
    pub why: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PracticeRow {
    pub id: u8,
    pub title: Title,
    pub score: Option<f64>,
    pub level: Option<ScoreLevel>,
    pub applicable: usize,
    pub implemented: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct ThreatRow {
    pub id: u8,
    pub name: Title,
    pub likelihood: f64,
    pub impact: f64,
    pub coverage: f64,
    pub inherent_risk: f64,
    pub residual_risk: f64,
    pub level: RiskLevel,
    pub level_label: String,
    pub reasons: Vec<String>,
}

/// Where one sub-practice stands, with the assessor's notes.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub id: String,
    pub practice: u8,
    pub practice_title: Title,
    pub tier: String,
    pub title: Title,
    /// False for sub-practices answered beyond what the tier requires ("going further").
    pub required: bool,
    pub status: Status,
    pub status_label: String,
    pub score: Option<f64>,
    pub owner: Option<String>,
    pub note: Option<String>,
    pub evidence: Vec<String>,
    pub justification: Option<String>,
    #[serde(serialize_with = "iso_opt")]
    pub status_since: Option<Date>,
    /// Continuously at `largely` or `implemented` since this date.
    #[serde(serialize_with = "iso_opt")]
    pub in_place_since: Option<Date>,
    pub in_place_12_months: bool,
    /// Rank among the gaps, where it is one.
    pub gap_rank: Option<usize>,
    /// False where the catalog has not confirmed this entry against the edition it claims.
    pub catalog_verified: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlanSection {
    pub periods: Vec<PlanPeriod>,
    pub deferred: Vec<DeferredRow>,
    pub budget_money: Option<u64>,
    pub budget_staff_days: Option<u32>,
    pub total_cost: u64,
    pub total_staff_days: u32,
}

impl PlanSection {
    /// Every scheduled item, period by period.
    pub fn items(&self) -> impl Iterator<Item = &PlanRow> {
        self.periods.iter().flat_map(|p| p.items.iter())
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PlanPeriod {
    pub index: u32,
    pub label: String,
    #[serde(serialize_with = "iso")]
    pub start: Date,
    #[serde(serialize_with = "iso")]
    pub end: Date,
    pub cost: u64,
    pub staff_days: u32,
    pub items: Vec<PlanRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlanRow {
    pub id: String,
    pub title: Title,
    pub period_label: String,
    #[serde(serialize_with = "iso")]
    pub start: Date,
    #[serde(serialize_with = "iso")]
    pub due: Date,
    pub owner_role: String,
    pub owner: Option<String>,
    pub cost: String,
    pub effort: String,
    pub estimated_cost: u64,
    pub estimated_staff_days: u32,
    pub prerequisites: Vec<String>,
    pub milestones: Vec<MilestoneRow>,
    pub gap_rank: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct MilestoneRow {
    pub title: String,
    #[serde(serialize_with = "iso")]
    pub due: Date,
}

#[derive(Debug, Clone, Serialize)]
pub struct DeferredRow {
    pub id: String,
    pub title: Title,
    pub gap_rank: usize,
    pub reason: String,
    pub estimated_cost: u64,
    pub estimated_staff_days: u32,
}

/// The evidence for "recognized security practices" (Public Law 116-321).
#[derive(Debug, Clone, Serialize)]
pub struct InPlaceSection {
    pub statement: String,
    pub covered: usize,
    pub applicable: usize,
    /// Ids in place for the whole of the last 12 months.
    pub covered_ids: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CrosswalkRow {
    pub id: String,
    pub title: Title,
    /// NIST CSF 1.1 references as published with HICP.
    pub csf11: Vec<String>,
    /// NIST CSF 2.0, derived from the CSF 1.1 references through NIST's mapping.
    pub csf2: Vec<String>,
    /// HPH Cybersecurity Performance Goals, linked by topic: inferred.
    pub cpg: Vec<String>,
    /// HIPAA Security Rule citations reached through CSF 2.0: derived, not an official mapping.
    pub hipaa: Vec<String>,
}

/// What the reader should know about the catalog behind the report.
#[derive(Debug, Clone, Serialize)]
pub struct CatalogNotes {
    pub edition_note: String,
    /// [`crate::titles::LEGEND`]: what the marks after names mean.
    pub title_legend: String,
    pub unverified: Vec<UnverifiedEntry>,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnverifiedEntry {
    pub id: String,
    pub title: Title,
    pub confidence: String,
    pub note: Option<String>,
}

impl ReportModel {
    pub fn build(input: &ReportInput<'_>) -> ReportModel {
        let evaluation = input.evaluation;
        let catalog = input.catalog;
        let findings = findings(input);
        let plan = plan(catalog, evaluation);
        let practices = evaluation
            .practices
            .iter()
            .map(|p| PracticeRow {
                id: p.id,
                title: Title::practice(catalog, p.id, &p.title),
                score: p.score,
                level: p.score.map(ScoreLevel::from_score),
                applicable: p.applicable,
                implemented: p.implemented,
            })
            .collect();
        let threats = evaluation
            .threats
            .iter()
            .map(|t| threat_row(catalog, t))
            .collect();
        let top_actions = top_actions(input.catalog, evaluation);
        let summary = Summary {
            paragraph: summary_paragraph(input, &plan),
            overall_score: evaluation.overall_score,
            overall_risk: evaluation.overall_risk,
            applicable: expected(evaluation).count(),
            implemented: expected(evaluation)
                .filter(|s| s.status == Status::Implemented)
                .count(),
            unknown: evaluation.unknown.len(),
            gaps: evaluation.gaps.len(),
            top_actions,
        };
        let crosswalk = findings
            .iter()
            .filter_map(|f| f.id.parse::<SubPracticeId>().ok())
            .filter_map(|id| input.catalog.sub_practice(&id))
            .map(|entry| crosswalk_row(input.catalog, entry))
            .collect();
        let catalog_notes = catalog_notes(input.catalog, &findings);
        ReportModel {
            header: header(input),
            summary,
            practices,
            threats,
            in_place: in_place(evaluation),
            findings,
            plan,
            crosswalk,
            methodology: methodology(),
            catalog_notes,
            evidence: input.evidence.to_vec(),
            warnings: evaluation
                .warnings
                .iter()
                .map(|w| match &w.id {
                    Some(id) => format!("{id}: {}", w.message),
                    None => w.message.clone(),
                })
                .collect(),
        }
    }
}

/// The sub-practices the tier expects of this organization, less those it marked not
/// applicable: the denominator of every "n of N" the report states.
fn expected(evaluation: &Evaluation) -> impl Iterator<Item = &SubPracticeScore> {
    evaluation
        .sub_practices
        .iter()
        .filter(|s| !s.going_further && s.status != Status::NotApplicable)
}

fn header(input: &ReportInput<'_>) -> Header {
    let evaluation = input.evaluation;
    let edition = &input.catalog.edition;
    Header {
        organization: evaluation.organization.clone(),
        assessment_label: input.assessment_label.clone(),
        generated_on: input.generated_on,
        as_of: evaluation.as_of,
        catalog_edition: evaluation.catalog_edition.clone(),
        catalog_edition_name: edition.name.clone(),
        catalog_version: edition.catalog_version.clone(),
        tier: evaluation.tier.tier.as_str().to_string(),
        tier_recommended: evaluation.tier.recommended.as_str().to_string(),
        tier_overridden: evaluation.tier.overridden,
        tier_reasons: evaluation.tier.reasons.clone(),
    }
}

fn threat_row(catalog: &Catalog, threat: &ThreatRisk) -> ThreatRow {
    let level = RiskLevel::from_residual(threat.residual_risk);
    ThreatRow {
        id: threat.id,
        name: Title::threat(catalog, threat.id, &threat.name),
        likelihood: threat.likelihood,
        impact: threat.impact,
        coverage: threat.coverage,
        inherent_risk: threat.inherent_risk,
        residual_risk: threat.residual_risk,
        level,
        level_label: level.label().to_string(),
        reasons: threat.reasons.clone(),
    }
}

fn findings(input: &ReportInput<'_>) -> Vec<Finding> {
    let evaluation = input.evaluation;
    evaluation
        .sub_practices
        .iter()
        .filter_map(|scored| {
            let entry = input.catalog.sub_practice(&scored.id)?;
            let answer: Option<&Answer> = input.assessment.answers.get(&scored.id);
            let in_place = evaluation.in_place.iter().find(|p| p.id == scored.id);
            let gap = evaluation.gaps.iter().find(|g| g.id == scored.id);
            Some(Finding {
                id: scored.id.to_string(),
                practice: entry.practice,
                practice_title: Title::practice(input.catalog, entry.practice, ""),
                tier: entry.tier.as_str().to_string(),
                title: Title::sub_practice(input.catalog, &entry.id, &entry.title),
                required: !scored.going_further,
                status: scored.status,
                status_label: scored.status.label().to_string(),
                score: scored.score,
                owner: answer.and_then(|a| a.owner.clone()),
                note: answer.and_then(|a| a.note.clone()),
                evidence: answer.map(|a| a.evidence.clone()).unwrap_or_default(),
                justification: answer.and_then(|a| a.justification.clone()),
                status_since: answer.and_then(|a| a.since),
                in_place_since: in_place.and_then(|p| p.since),
                in_place_12_months: in_place.is_some_and(|p| p.covers_12_months),
                gap_rank: gap.map(|g| g.rank),
                catalog_verified: entry.provenance.verified,
            })
        })
        .collect()
}

fn plan_row(catalog: &Catalog, item: &PlanItem) -> PlanRow {
    PlanRow {
        id: item.id.to_string(),
        title: Title::sub_practice(catalog, &item.id, &item.title),
        period_label: item.period_label.clone(),
        start: item.start,
        due: item.due,
        owner_role: item.owner_role.clone(),
        owner: item.owner.clone(),
        cost: item.cost.as_str().to_string(),
        effort: item.effort.as_str().to_string(),
        estimated_cost: item.estimated_cost,
        estimated_staff_days: item.estimated_staff_days,
        prerequisites: item.prerequisites.iter().map(|p| p.to_string()).collect(),
        milestones: item
            .milestones
            .iter()
            .map(|m| MilestoneRow {
                title: m.title.clone(),
                due: m.due,
            })
            .collect(),
        gap_rank: item.gap_rank,
    }
}

fn plan(catalog: &Catalog, evaluation: &Evaluation) -> PlanSection {
    let plan = &evaluation.plan;
    let periods: Vec<PlanPeriod> = plan
        .periods
        .iter()
        .map(|period| PlanPeriod {
            index: period.index,
            label: period.label.clone(),
            start: period.start,
            end: period.end,
            cost: period.money,
            staff_days: period.staff_days,
            items: plan
                .items
                .iter()
                .filter(|item| item.period == period.index)
                .map(|item| plan_row(catalog, item))
                .collect(),
        })
        .filter(|period| !period.items.is_empty())
        .collect();
    PlanSection {
        total_cost: plan.items.iter().map(|i| i.estimated_cost).sum(),
        total_staff_days: plan.items.iter().map(|i| i.estimated_staff_days).sum(),
        periods,
        deferred: plan
            .deferred
            .iter()
            .map(|d| DeferredRow {
                id: d.id.to_string(),
                title: Title::sub_practice(catalog, &d.id, &d.title),
                gap_rank: d.gap_rank,
                reason: d.reason.clone(),
                estimated_cost: d.estimated_cost,
                estimated_staff_days: d.estimated_staff_days,
            })
            .collect(),
        budget_money: plan.budget.money,
        budget_staff_days: plan.budget.staff_days,
    }
}

fn top_actions(catalog: &Catalog, evaluation: &Evaluation) -> Vec<TopAction> {
    let mut gaps: Vec<&Gap> = evaluation.gaps.iter().collect();
    gaps.sort_by_key(|g| g.rank);
    gaps.into_iter()
        .take(TOP_ACTIONS)
        .map(|gap| {
            let scheduled = evaluation.plan.items.iter().find(|i| i.id == gap.id);
            TopAction {
                rank: gap.rank,
                id: gap.id.to_string(),
                title: Title::sub_practice(catalog, &gap.id, &gap.title),
                risk_reduction: gap.risk_reduction,
                cost: gap.cost.as_str().to_string(),
                effort: gap.effort.as_str().to_string(),
                estimated_cost: gap.estimated_cost,
                period_label: scheduled.map(|i| i.period_label.clone()),
                threats: gap
                    .threats
                    .iter()
                    .map(|t| Title::threat(catalog, *t, &format!("Threat {t}")))
                    .collect(),
                why: gap.reasons.first().cloned().unwrap_or_default(),
            }
        })
        .collect()
}

fn count_words(count: usize, singular: &str, plural: &str) -> String {
    format!("{count} {}", if count == 1 { singular } else { plural })
}

fn summary_paragraph(input: &ReportInput<'_>, plan: &PlanSection) -> String {
    let evaluation = input.evaluation;
    let required: Vec<_> = expected(evaluation).collect();
    let count = |wanted: &[Status]| {
        required
            .iter()
            .filter(|s| wanted.contains(&s.status))
            .count()
    };
    let implemented = count(&[Status::Implemented]);
    let partly = count(&[Status::Largely, Status::Partial]);
    let not_started = count(&[Status::NotImplemented, Status::Planned]);
    let unknown = count(&[Status::Unknown]);

    let mut sentences = Vec::new();
    sentences.push(format!(
        "{} assessed itself against the {} tier of the HHS 405(d) Health Industry Cybersecurity Practices as of {}.",
        evaluation.organization,
        evaluation.tier.tier.as_str(),
        iso_date(evaluation.as_of)
    ));
    let mut posture = format!(
        "Of the {} it is expected to have, {} fully in place, {} partly in place and {} not yet started",
        count_words(
            required.len(),
            "applicable safeguard",
            "applicable safeguards"
        ),
        count_words(implemented, "is", "are"),
        partly,
        not_started
    );
    if unknown > 0 {
        posture.push_str(&format!(
            "; {} not answered and {} counted as missing",
            count_words(unknown, "was", "were"),
            if unknown == 1 { "is" } else { "are" }
        ));
    }
    posture.push_str(&format!(
        ", for an overall score of {} out of 100.",
        num(evaluation.overall_score)
    ));
    sentences.push(posture);

    let mut threats: Vec<&ThreatRisk> = evaluation.threats.iter().collect();
    threats.sort_by(|a, b| b.residual_risk.total_cmp(&a.residual_risk));
    if let Some(worst) = threats.first() {
        let level = RiskLevel::from_residual(worst.residual_risk);
        let mut exposure = format!(
            "The threat it is most exposed to is {} ({} residual risk, {} of 25)",
            Title::threat(input.catalog, worst.id, &worst.name).lowercase(),
            level.label(),
            num(worst.residual_risk)
        );
        if let Some(next) = threats.get(1) {
            exposure.push_str(&format!(
                ", followed by {} ({})",
                Title::threat(input.catalog, next.id, &next.name).lowercase(),
                RiskLevel::from_residual(next.residual_risk).label()
            ));
        }
        exposure.push('.');
        sentences.push(exposure);
    }

    let scored: Vec<_> = evaluation
        .practices
        .iter()
        .filter_map(|p| p.score.map(|s| (p, s)))
        .collect();
    let strongest = scored.iter().max_by(|a, b| a.1.total_cmp(&b.1));
    let weakest = scored.iter().min_by(|a, b| a.1.total_cmp(&b.1));
    if let (Some((strong, s)), Some((weak, w))) = (strongest, weakest)
        && strong.id != weak.id
    {
        if s == w {
            // No practice is weaker than another: naming one "the weakest" would mislead.
            sentences.push(format!(
                "Every practice it was scored on stands at {}.",
                num(*s)
            ));
        } else {
            sentences.push(format!(
                "Its strongest practice is {} ({}) and its weakest is {} ({}).",
                Title::practice(input.catalog, strong.id, &strong.title).lowercase(),
                num(*s),
                Title::practice(input.catalog, weak.id, &weak.title).lowercase(),
                num(*w)
            ));
        }
    }

    let scheduled = plan.items().count();
    if scheduled == 0 && plan.deferred.is_empty() {
        sentences.push("There are no gaps to plan for.".to_string());
    } else {
        let mut plan_sentence = format!(
            "The action plan schedules {} over {} at an estimated {} and {} of staff time",
            count_words(scheduled, "action", "actions"),
            count_words(plan.periods.len(), "quarter", "quarters"),
            dollars(plan.total_cost),
            count_words(plan.total_staff_days as usize, "day", "days"),
        );
        if !plan.deferred.is_empty() {
            plan_sentence.push_str(&format!(
                "; {} deferred because {} not fit the budget or the planning horizon",
                count_words(
                    plan.deferred.len(),
                    "further action is",
                    "further actions are"
                ),
                if plan.deferred.len() == 1 {
                    "it does"
                } else {
                    "they do"
                }
            ));
        }
        plan_sentence.push('.');
        sentences.push(plan_sentence);
        if let Some(first) = evaluation.gaps.iter().min_by_key(|g| g.rank) {
            sentences.push(format!(
                "The single best next step, for the risk it removes per dollar, is {} ({}).",
                Title::sub_practice(input.catalog, &first.id, &first.title).lowercase(),
                first.id
            ));
        }
    }
    sentences.join(" ")
}

fn in_place(evaluation: &Evaluation) -> InPlaceSection {
    let applicable: Vec<&SubPracticeId> = expected(evaluation).map(|s| &s.id).collect();
    let covered_ids: Vec<String> = evaluation
        .in_place
        .iter()
        .filter(|p| p.covers_12_months && applicable.contains(&&p.id))
        .map(|p| p.id.to_string())
        .collect();
    let year_before = evaluation
        .as_of
        .replace_year(evaluation.as_of.year() - 1)
        .unwrap_or(evaluation.as_of);
    let statement = if covered_ids.is_empty() {
        format!(
            "None of the {} applicable safeguards has a recorded history of being largely or fully in place for the whole of the 12 months from {} to {}. Recording the date each one reached its current status, and keeping it there, builds the evidence HHS may consider under Public Law 116-321 (recognized security practices).",
            applicable.len(),
            iso_date(year_before),
            iso_date(evaluation.as_of)
        )
    } else {
        format!(
            "{} of the {} applicable safeguards have been largely or fully in place, without interruption, for the whole of the 12 months from {} to {}, according to the dates recorded in this assessment. These are the safeguards the organization can offer as evidence of recognized security practices under Public Law 116-321; the others changed status during the year or have no recorded history.",
            covered_ids.len(),
            applicable.len(),
            iso_date(year_before),
            iso_date(evaluation.as_of)
        )
    };
    InPlaceSection {
        statement,
        covered: covered_ids.len(),
        applicable: applicable.len(),
        covered_ids,
    }
}

fn crosswalk_row(catalog: &Catalog, entry: &SubPractice) -> CrosswalkRow {
    CrosswalkRow {
        id: entry.id.to_string(),
        title: Title::sub_practice(catalog, &entry.id, &entry.title),
        csf11: entry.csf11.clone(),
        csf2: entry.csf2.clone(),
        cpg: entry.cpg.clone(),
        hipaa: entry.hipaa.clone(),
    }
}

fn catalog_notes(catalog: &Catalog, findings: &[Finding]) -> CatalogNotes {
    let unverified = findings
        .iter()
        .filter(|f| !f.catalog_verified)
        .filter_map(|f| f.id.parse::<SubPracticeId>().ok())
        .filter_map(|id| catalog.sub_practice(&id))
        .map(|entry| UnverifiedEntry {
            id: entry.id.to_string(),
            title: Title::sub_practice(catalog, &entry.id, &entry.title),
            confidence: entry.provenance.confidence.as_str().to_string(),
            note: entry.provenance.note.clone(),
        })
        .collect();
    CatalogNotes {
        edition_note: catalog.edition.note.clone(),
        title_legend: crate::titles::LEGEND.to_string(),
        unverified,
    }
}

/// The method in brief; `docs/methodology.md` has every weight and rule.
fn methodology() -> Vec<String> {
    [
        "Scope. The organization's size sets its tier: a small organization is expected to do the small-tier safeguards, a medium one the medium-tier ones, and a large one both the medium and the large. Safeguards answered beyond the tier are shown as going further but do not lower the score.",
        "Scores. Each safeguard's status maps to a score between 0 (not implemented) and 100 (implemented); planned, partial and largely fall in between, an unanswered safeguard counts as not implemented, and one marked not applicable (with a justification) is left out. A practice's score is the average over its applicable safeguards.",
        "Threat risk. Each of the five HICP threats starts from a likelihood and an impact on a 1 to 5 scale, adjusted by what the organization told us about itself (connected medical devices, remote access, acute care and so on). Their product is the inherent risk (1 to 25); the residual risk is what remains after the coverage of the practices that mitigate the threat.",
        "Priorities. Every safeguard not yet implemented is a gap. Gaps are ranked by the residual risk they would remove, summed over the threats they mitigate, divided by their cost band, so cheap safeguards that remove a lot of risk come first.",
        "Plan. Gaps are scheduled into quarters in rank order, never before their prerequisites and never beyond the budget per quarter where one is set; what does not fit is listed as deferred with the reason.",
        "In place for 12 months. From the dated history of answers, each safeguard's date of reaching largely or fully implemented, and whether it has stayed there for the last 12 months.",
    ]
    .into_iter()
    .map(str::to_string)
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn risk_bands_follow_the_5_by_5_cut_points() {
        let cases = [
            (0.0, RiskLevel::Low),
            (4.99, RiskLevel::Low),
            (5.0, RiskLevel::Moderate),
            (9.99, RiskLevel::Moderate),
            (10.0, RiskLevel::High),
            (15.99, RiskLevel::High),
            (16.0, RiskLevel::VeryHigh),
            (25.0, RiskLevel::VeryHigh),
        ];
        for (risk, level) in cases {
            assert_eq!(RiskLevel::from_residual(risk), level, "{risk}");
        }
    }

    #[test]
    fn score_bands() {
        assert_eq!(ScoreLevel::from_score(49.9), ScoreLevel::Weak);
        assert_eq!(ScoreLevel::from_score(50.0), ScoreLevel::Developing);
        assert_eq!(ScoreLevel::from_score(75.0), ScoreLevel::Strong);
    }

    #[test]
    fn iso_dates_are_zero_padded() {
        assert_eq!(iso_date(time::macros::date!(2027 - 03 - 05)), "2027-03-05");
    }

    #[test]
    fn counted_words_agree_in_number() {
        assert_eq!(count_words(1, "action", "actions"), "1 action");
        assert_eq!(count_words(3, "action", "actions"), "3 actions");
    }
}
