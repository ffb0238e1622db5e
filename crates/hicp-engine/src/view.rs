//! The documented, stable JSON shape of an evaluation (`hicp assess --format json`; schema in
//! `docs/assessment-format.md`). Dates are `YYYY-MM-DD` strings, tiers and statuses are
//! lower-case words, and numbers are rounded for reading (full precision stays in [`Evaluation`]).

use serde::Serialize;
use time::Date;

use crate::model::{Evaluation, Status};

/// Bumped whenever a key is renamed or removed (adding keys does not bump it).
pub const SCHEMA_VERSION: u32 = 1;

fn round(x: f64, places: i32) -> f64 {
    let factor = 10f64.powi(places);
    (x * factor).round() / factor
}

fn day(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvaluationView {
    pub schema_version: u32,
    pub organization: String,
    pub as_of: String,
    pub catalog_edition: String,
    /// The tier used: `small`, `medium` or `large`.
    pub tier: &'static str,
    pub tier_decision: TierDecisionView,
    pub applicable: Vec<String>,
    pub going_further: Vec<String>,
    pub unknown: Vec<String>,
    pub overall: OverallView,
    pub practices: Vec<PracticeView>,
    pub sub_practices: Vec<SubPracticeView>,
    pub threats: Vec<ThreatView>,
    pub gaps: Vec<GapView>,
    pub plan: Vec<PlanItemView>,
    pub plan_periods: Vec<PeriodView>,
    pub deferred: Vec<DeferredView>,
    pub budget: BudgetView,
    pub in_place: Vec<InPlaceView>,
    pub warnings: Vec<WarningView>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TierDecisionView {
    pub tier: &'static str,
    pub recommended: &'static str,
    pub overridden: bool,
    pub override_reason: Option<String>,
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OverallView {
    /// 0–100 over the in-scope sub-practices of the tier.
    pub score: f64,
    /// Sum of the threats' residual risk (0–125).
    pub risk: f64,
    pub inherent_risk: f64,
    pub gaps: usize,
    pub planned: usize,
    pub deferred: usize,
    pub in_place_12_months: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PracticeView {
    pub id: u8,
    pub title: String,
    pub score: Option<f64>,
    pub applicable: usize,
    pub implemented: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubPracticeView {
    pub id: String,
    pub status: Status,
    pub score: Option<f64>,
    pub going_further: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThreatView {
    pub id: u8,
    pub name: String,
    pub likelihood: f64,
    pub impact: f64,
    pub inherent_risk: f64,
    pub coverage: f64,
    pub residual_risk: f64,
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThreatReductionView {
    pub id: u8,
    pub risk: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GapView {
    pub id: String,
    pub title: String,
    pub rank: usize,
    pub priority: f64,
    pub risk_reduction: f64,
    pub cost_units: f64,
    pub status: Status,
    pub cost: &'static str,
    pub effort: &'static str,
    pub estimated_cost: u64,
    pub estimated_staff_days: u32,
    pub threats: Vec<ThreatReductionView>,
    pub prerequisites: Vec<String>,
    pub unblocks: Vec<String>,
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MilestoneView {
    pub title: String,
    pub due: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanItemView {
    pub id: String,
    pub title: String,
    /// Period label, e.g. `2027-Q1`.
    pub period: String,
    /// 1-based period number.
    pub period_index: u32,
    pub start: String,
    pub due: String,
    pub owner: Option<String>,
    pub owner_role: String,
    pub cost: &'static str,
    pub effort: &'static str,
    pub estimated_cost: u64,
    pub estimated_staff_days: u32,
    pub prerequisites: Vec<String>,
    pub milestones: Vec<MilestoneView>,
    pub gap_rank: usize,
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodView {
    pub index: u32,
    pub label: String,
    pub start: String,
    pub end: String,
    pub money: u64,
    pub staff_days: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeferredView {
    pub id: String,
    pub title: String,
    pub gap_rank: usize,
    pub reason: String,
    pub estimated_cost: u64,
    pub estimated_staff_days: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BudgetView {
    /// Dollars per period; `null` = no limit.
    pub money: Option<u64>,
    /// Staff-days per period; `null` = no limit.
    pub staff_days: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InPlaceView {
    pub id: String,
    pub since: Option<String>,
    pub covers_12_months: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WarningView {
    pub id: Option<String>,
    pub message: String,
}

fn ids<T: ToString>(items: &[T]) -> Vec<String> {
    items.iter().map(ToString::to_string).collect()
}

impl EvaluationView {
    /// `extra_warnings` are shown before the evaluation's own (e.g. the input file's warnings).
    pub fn new(
        evaluation: &Evaluation,
        extra_warnings: &[crate::model::Warning],
    ) -> EvaluationView {
        let e = evaluation;
        EvaluationView {
            schema_version: SCHEMA_VERSION,
            organization: e.organization.clone(),
            as_of: day(e.as_of),
            catalog_edition: e.catalog_edition.clone(),
            tier: e.tier.tier.as_str(),
            tier_decision: TierDecisionView {
                tier: e.tier.tier.as_str(),
                recommended: e.tier.recommended.as_str(),
                overridden: e.tier.overridden,
                override_reason: e.tier.override_reason.clone(),
                reasons: e.tier.reasons.clone(),
            },
            applicable: ids(&e.applicable),
            going_further: ids(&e.going_further),
            unknown: ids(&e.unknown),
            overall: OverallView {
                score: round(e.overall_score, 1),
                risk: round(e.overall_risk, 2),
                inherent_risk: round(e.threats.iter().map(|t| t.inherent_risk).sum(), 2),
                gaps: e.gaps.len(),
                planned: e.plan.items.len(),
                deferred: e.plan.deferred.len(),
                in_place_12_months: e.in_place.iter().filter(|p| p.covers_12_months).count(),
            },
            practices: e
                .practices
                .iter()
                .map(|p| PracticeView {
                    id: p.id,
                    title: p.title.clone(),
                    score: p.score.map(|s| round(s, 1)),
                    applicable: p.applicable,
                    implemented: p.implemented,
                })
                .collect(),
            sub_practices: e
                .sub_practices
                .iter()
                .map(|s| SubPracticeView {
                    id: s.id.to_string(),
                    status: s.status,
                    score: s.score.map(|v| round(v, 1)),
                    going_further: s.going_further,
                })
                .collect(),
            threats: e
                .threats
                .iter()
                .map(|t| ThreatView {
                    id: t.id,
                    name: t.name.clone(),
                    likelihood: round(t.likelihood, 2),
                    impact: round(t.impact, 2),
                    inherent_risk: round(t.inherent_risk, 2),
                    coverage: round(t.coverage, 1),
                    residual_risk: round(t.residual_risk, 2),
                    reasons: t.reasons.clone(),
                })
                .collect(),
            gaps: e
                .gaps
                .iter()
                .map(|g| GapView {
                    id: g.id.to_string(),
                    title: g.title.clone(),
                    rank: g.rank,
                    priority: round(g.priority, 3),
                    risk_reduction: round(g.risk_reduction, 2),
                    cost_units: round(g.cost_units, 2),
                    status: g.status,
                    cost: g.cost.as_str(),
                    effort: g.effort.as_str(),
                    estimated_cost: g.estimated_cost,
                    estimated_staff_days: g.estimated_staff_days,
                    threats: g
                        .threat_reductions
                        .iter()
                        .map(|r| ThreatReductionView {
                            id: r.threat,
                            risk: round(r.risk, 2),
                        })
                        .collect(),
                    prerequisites: ids(&g.prerequisites),
                    unblocks: ids(&g.unblocks),
                    reasons: g.reasons.clone(),
                })
                .collect(),
            plan: e
                .plan
                .items
                .iter()
                .map(|i| PlanItemView {
                    id: i.id.to_string(),
                    title: i.title.clone(),
                    period: i.period_label.clone(),
                    period_index: i.period,
                    start: day(i.start),
                    due: day(i.due),
                    owner: i.owner.clone(),
                    owner_role: i.owner_role.clone(),
                    cost: i.cost.as_str(),
                    effort: i.effort.as_str(),
                    estimated_cost: i.estimated_cost,
                    estimated_staff_days: i.estimated_staff_days,
                    prerequisites: ids(&i.prerequisites),
                    milestones: i
                        .milestones
                        .iter()
                        .map(|m| MilestoneView {
                            title: m.title.clone(),
                            due: day(m.due),
                        })
                        .collect(),
                    gap_rank: i.gap_rank,
                    notes: i.notes.clone(),
                })
                .collect(),
            plan_periods: e
                .plan
                .periods
                .iter()
                .map(|p| PeriodView {
                    index: p.index,
                    label: p.label.clone(),
                    start: day(p.start),
                    end: day(p.end),
                    money: p.money,
                    staff_days: p.staff_days,
                })
                .collect(),
            deferred: e
                .plan
                .deferred
                .iter()
                .map(|d| DeferredView {
                    id: d.id.to_string(),
                    title: d.title.clone(),
                    gap_rank: d.gap_rank,
                    reason: d.reason.clone(),
                    estimated_cost: d.estimated_cost,
                    estimated_staff_days: d.estimated_staff_days,
                })
                .collect(),
            budget: BudgetView {
                money: e.plan.budget.money,
                staff_days: e.plan.budget.staff_days,
            },
            in_place: e
                .in_place
                .iter()
                .map(|p| InPlaceView {
                    id: p.id.to_string(),
                    since: p.since.map(day),
                    covers_12_months: p.covers_12_months,
                })
                .collect(),
            warnings: extra_warnings
                .iter()
                .chain(&e.warnings)
                .map(|w| WarningView {
                    id: w.id.as_ref().map(ToString::to_string),
                    message: w.message.clone(),
                })
                .collect(),
        }
    }
}
