//! Threat risk: likelihood and impact from the organization's facts, coverage from the answers,
//! and the residual risk left.
//!
//! coverage(t)  = (A + G) / (N + G), where N is the number of in-scope sub-practices mitigating t,
//!                A the sum of their status values and G the sum of the values of "going further"
//!                sub-practices mitigating t (an optional item counts as much as it is done, so
//!                answering one never lowers coverage).
//! inherent(t)  = likelihood × impact (1–25)
//! residual(t)  = inherent × (1 − efficacy × coverage)

use hicp_catalog::{SubPracticeId, ThreatId};

use crate::context::Context;
use crate::methodology::Methodology;
use crate::model::{Organization, ThreatRisk};
use crate::text::{capitalize, dec1};

/// The sums coverage is computed from, for one threat.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CoverageSums {
    pub in_scope_value: f64,
    pub in_scope_count: usize,
    pub going_further_value: f64,
}

impl CoverageSums {
    /// 0–1.
    pub fn coverage(&self) -> f64 {
        let denominator = self.in_scope_count as f64 + self.going_further_value;
        if denominator <= 0.0 {
            0.0
        } else {
            (self.in_scope_value + self.going_further_value) / denominator
        }
    }
}

/// Everything known about one threat before gaps are ranked.
#[derive(Debug, Clone)]
pub struct ThreatState {
    pub id: ThreatId,
    pub name: String,
    pub likelihood: f64,
    pub impact: f64,
    pub sums: CoverageSums,
    pub reasons: Vec<String>,
}

impl ThreatState {
    pub fn inherent(&self) -> f64 {
        self.likelihood * self.impact
    }

    pub fn residual_at(&self, coverage: f64, methodology: &Methodology) -> f64 {
        self.inherent() * (1.0 - methodology.risk.control_efficacy * coverage)
    }

    pub fn residual(&self, methodology: &Methodology) -> f64 {
        self.residual_at(self.sums.coverage(), methodology)
    }

    /// Residual risk removed if an in-scope sub-practice now at `value` were fully implemented.
    pub fn reduction_if_implemented(&self, value: f64, methodology: &Methodology) -> f64 {
        let implemented_value = methodology.status_values.implemented;
        let after = CoverageSums {
            in_scope_value: self.sums.in_scope_value - value + implemented_value,
            ..self.sums
        };
        (self.residual(methodology) - self.residual_at(after.coverage(), methodology)).max(0.0)
    }
}

/// Likelihood and impact of a threat for this organization, with one reason per fact that moved them.
pub fn levels(
    threat: ThreatId,
    organization: &Organization,
    methodology: &Methodology,
) -> (f64, f64, Vec<String>) {
    let base = methodology.threat_base(threat);
    let (lo, hi) = (methodology.risk.min_level, methodology.risk.max_level);
    let mut reasons = vec![format!(
        "Starting point for a healthcare organization: likelihood {} and impact {}.",
        dec1(base.likelihood),
        dec1(base.impact)
    )];
    let (mut likelihood, mut impact) = (base.likelihood, base.impact);
    for rule in methodology
        .exposure_rules
        .iter()
        .filter(|r| r.threat == threat)
    {
        let Some(value) = rule.matches(organization) else {
            continue;
        };
        likelihood += rule.likelihood;
        impact += rule.impact;
        let mut changes = Vec::new();
        for (name, delta) in [("likelihood", rule.likelihood), ("impact", rule.impact)] {
            if delta != 0.0 {
                changes.push(format!("{name} {delta:+.1}"));
            }
        }
        reasons.push(format!(
            "{}: {} ({}).",
            capitalize(&rule.fact.describe(value)),
            rule.why,
            changes.join(", ")
        ));
    }
    let clamped = (likelihood.clamp(lo, hi), impact.clamp(lo, hi));
    if clamped != (likelihood, impact) {
        reasons.push(format!(
            "Likelihood and impact are capped to the {}–{} scale.",
            dec1(lo),
            dec1(hi)
        ));
    }
    (clamped.0, clamped.1, reasons)
}

/// Sums for coverage of `threat` from the resolved answers.
pub fn coverage_sums(threat: ThreatId, context: &Context<'_>) -> CoverageSums {
    let mut sums = CoverageSums::default();
    for item in context
        .items
        .iter()
        .filter(|i| i.sub.threats.contains(&threat))
    {
        let Some(value) = context.value(item) else {
            continue;
        };
        if item.in_scope() {
            sums.in_scope_value += value;
            sums.in_scope_count += 1;
        } else if item.going_further {
            sums.going_further_value += value;
        }
    }
    sums
}

/// One state per catalog threat, in threat order.
pub fn threat_states(context: &Context<'_>, organization: &Organization) -> Vec<ThreatState> {
    let mut threats: Vec<_> = context.catalog.threats.iter().collect();
    threats.sort_by_key(|t| t.number);
    threats
        .into_iter()
        .map(|threat| {
            let (likelihood, impact, reasons) =
                levels(threat.number, organization, context.methodology);
            ThreatState {
                id: threat.number,
                name: threat.name.clone(),
                likelihood,
                impact,
                sums: coverage_sums(threat.number, context),
                reasons,
            }
        })
        .collect()
}

/// The public result for one threat, with a closing sentence that lets a reader redo the sum.
pub fn threat_risk(
    state: &ThreatState,
    methodology: &Methodology,
    mitigated_by: &[SubPracticeId],
) -> ThreatRisk {
    let coverage = state.sums.coverage();
    let inherent = state.inherent();
    let residual = state.residual(methodology);
    let mut reasons = state.reasons.clone();
    reasons.push(if state.sums.in_scope_count == 0 && state.sums.going_further_value == 0.0 {
        format!(
            "Likelihood {} × impact {} = inherent risk {}; no sub-practice in your tier mitigates it, so all of it remains.",
            dec1(state.likelihood),
            dec1(state.impact),
            dec1(inherent)
        )
    } else {
        format!(
            "Likelihood {} × impact {} = inherent risk {}; the {} sub-practices that mitigate it are {:.0}% in place, which removes {:.0}% of it and leaves {}.",
            dec1(state.likelihood),
            dec1(state.impact),
            dec1(inherent),
            mitigated_by.len(),
            coverage * 100.0,
            methodology.risk.control_efficacy * coverage * 100.0,
            dec1(residual)
        )
    });
    ThreatRisk {
        id: state.id,
        name: state.name.clone(),
        likelihood: state.likelihood,
        impact: state.impact,
        coverage: coverage * 100.0,
        residual_risk: residual,
        inherent_risk: inherent,
        reasons,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coverage_counts_going_further_as_far_as_it_is_done() {
        let sums = CoverageSums {
            in_scope_value: 2.0,
            in_scope_count: 4,
            going_further_value: 0.0,
        };
        assert_eq!(sums.coverage(), 0.5);
        // One optional item fully done: (2 + 1) / (4 + 1) = 0.6.
        let sums = CoverageSums {
            going_further_value: 1.0,
            ..sums
        };
        assert!((sums.coverage() - 0.6).abs() < 1e-12);
        assert_eq!(CoverageSums::default().coverage(), 0.0);
    }

    #[test]
    fn exposure_facts_move_ransomware_for_an_acute_care_hospital() {
        let methodology = Methodology::default();
        let mut organization = Organization::default();
        organization.exposure.remote_access = Some(true);
        organization.exposure.provides_acute_care = Some(true);
        organization.exposure.on_premises_ehr = Some(true);
        organization.exposure.prior_incidents = Some(2);
        // Ransomware: base 3 and 4; remote access +1 and prior incidents +0.5 → 4.5;
        // acute care +1 and on-premises EHR +0.5 → 5.5, kept at 5.
        let (likelihood, impact, reasons) = levels(2, &organization, &methodology);
        assert_eq!((likelihood, impact), (4.5, 5.0));
        assert_eq!(reasons.len(), 6, "{reasons:?}");
        assert!(
            reasons[1].starts_with("Staff or vendors reach internal systems remotely"),
            "{reasons:?}"
        );
        assert!(reasons[5].contains("capped to the 1.0–5.0 scale"));
    }

    #[test]
    fn residual_risk_never_reaches_zero() {
        let methodology = Methodology::default();
        let state = ThreatState {
            id: 2,
            name: "Ransomware Attack".into(),
            likelihood: 4.0,
            impact: 5.0,
            sums: CoverageSums {
                in_scope_value: 3.0,
                in_scope_count: 3,
                going_further_value: 0.0,
            },
            reasons: Vec::new(),
        };
        // 20 × (1 − 0.8 × 1) = 4.
        assert!((state.residual(&methodology) - 4.0).abs() < 1e-9);
        // Half done: 20 × (1 − 0.8 × 0.5) = 12; finishing one of two items at 0.4 adds 0.6/2 coverage:
        // 20 × 0.8 × 0.3 = 4.8 removed.
        let half = ThreatState {
            sums: CoverageSums {
                in_scope_value: 1.0,
                in_scope_count: 2,
                going_further_value: 0.0,
            },
            ..state
        };
        assert!((half.residual(&methodology) - 12.0).abs() < 1e-9);
        assert!((half.reduction_if_implemented(0.4, &methodology) - 4.8).abs() < 1e-9);
    }
}
