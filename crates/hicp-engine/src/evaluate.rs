//! [`evaluate`]: the whole pipeline from an assessment to an [`Evaluation`].

use hicp_catalog::{Catalog, SubPracticeId};

use crate::context::Context;
use crate::methodology::Fact;
use crate::model::{
    Assessment, Evaluation, PracticeScore, Status, SubPracticeScore, TierDecision, Warning,
};
use crate::options::EvaluationOptions;
use crate::plan::MAX_PERIODS;
use crate::text::join_and;
use crate::{gaps, history, plan, risk, tier};

/// Evaluates an assessment against a catalog. Pure and deterministic: the same inputs give the
/// same output, and nothing is read from the clock, the disk or the network.
pub fn evaluate(
    catalog: &Catalog,
    assessment: &Assessment,
    options: &EvaluationOptions,
) -> Evaluation {
    let methodology = &options.methodology;
    let organization = &assessment.organization;
    let tier = tier::decide(organization, &methodology.tier);
    let context = Context::new(catalog, assessment, methodology, tier.tier);
    let mut warnings = input_warnings(&context, &tier, assessment, options);

    let threat_states = risk::threat_states(&context, organization);
    let threats = threat_states
        .iter()
        .map(|state| {
            let mitigated_by: Vec<SubPracticeId> = context
                .items
                .iter()
                .filter(|i| (i.in_scope() || i.going_further) && i.sub.threats.contains(&state.id))
                .map(|i| i.id().clone())
                .collect();
            risk::threat_risk(state, methodology, &mitigated_by)
        })
        .collect::<Vec<_>>();

    let sub_practices: Vec<SubPracticeScore> = context
        .items
        .iter()
        .filter(|i| i.applicable || i.going_further)
        .map(|i| SubPracticeScore {
            id: i.id().clone(),
            status: i.status,
            score: context.value(i).map(|v| v * 100.0),
            going_further: i.going_further,
        })
        .collect();

    let mut practice_list: Vec<_> = catalog.practices.iter().collect();
    practice_list.sort_by_key(|p| p.number);
    let practices = practice_list
        .into_iter()
        .map(|practice| {
            let values: Vec<(f64, Status)> = context
                .items
                .iter()
                .filter(|i| i.sub.practice == practice.number && i.in_scope())
                .filter_map(|i| context.value(i).map(|v| (v, i.status)))
                .collect();
            PracticeScore {
                id: practice.number,
                title: practice.title.clone(),
                score: mean(values.iter().map(|(v, _)| *v)).map(|m| m * 100.0),
                applicable: values.len(),
                implemented: values
                    .iter()
                    .filter(|(_, s)| *s == Status::Implemented)
                    .count(),
            }
        })
        .collect();

    let overall_score = mean(
        context
            .items
            .iter()
            .filter(|i| i.in_scope())
            .filter_map(|i| context.value(i)),
    )
    .map_or(0.0, |m| m * 100.0);
    let overall_risk = threats.iter().map(|t| t.residual_risk).sum();

    let gaps = gaps::rank(&context, &threat_states);
    let plan = plan::schedule(
        &context,
        &gaps,
        options.as_of,
        options.budget,
        options.periods,
    );
    let in_place = history::in_place(&context, assessment, options.as_of, &mut warnings);

    let unknown: Vec<SubPracticeId> = context
        .items
        .iter()
        .filter(|i| i.applicable && i.status == Status::Unknown)
        .map(|i| i.id().clone())
        .collect();
    if !unknown.is_empty() {
        let applicable = context.items.iter().filter(|i| i.applicable).count();
        let mut shown: Vec<String> = unknown.iter().take(8).map(ToString::to_string).collect();
        if unknown.len() > 8 {
            shown.push(format!("{} more", unknown.len() - 8));
        }
        warnings.push(Warning {
            id: None,
            message: format!(
                "{} of the {applicable} sub-practices your tier requires {} no answer ({}); {} as not in place until answered.",
                unknown.len(),
                if unknown.len() == 1 { "has" } else { "have" },
                join_and(&shown),
                if unknown.len() == 1 { "it counts" } else { "they count" }
            ),
        });
    }

    Evaluation {
        organization: organization.name.clone(),
        as_of: options.as_of,
        catalog_edition: catalog.edition.id.clone(),
        applicable: context
            .items
            .iter()
            .filter(|i| i.applicable)
            .map(|i| i.id().clone())
            .collect(),
        going_further: context
            .items
            .iter()
            .filter(|i| i.going_further)
            .map(|i| i.id().clone())
            .collect(),
        tier,
        sub_practices,
        practices,
        threats,
        overall_score,
        overall_risk,
        unknown,
        gaps,
        plan,
        in_place,
        warnings,
    }
}

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, count) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    (count > 0).then(|| sum / count as f64)
}

/// Things about the input that do not stop the evaluation but that the user should fix or know.
fn input_warnings(
    context: &Context<'_>,
    decision: &TierDecision,
    assessment: &Assessment,
    options: &EvaluationOptions,
) -> Vec<Warning> {
    let mut warnings = Vec::new();
    let problems: Vec<String> = options
        .methodology
        .findings()
        .into_iter()
        .map(|finding| format!("{}: {}", finding.key, finding.message))
        .collect();
    if !problems.is_empty() {
        warnings.push(Warning {
            id: None,
            message: format!(
                "The methodology breaks its own rules, so some numbers may be meaningless: {}",
                problems.join("; ")
            ),
        });
    }
    if decision.overridden && decision.override_reason.is_none() {
        warnings.push(Warning {
            id: None,
            message: "The recommended tier was overridden without a reason; add tier_reason to [organization] so reviewers know why.".to_string(),
        });
    }
    let organization = &assessment.organization;
    let missing: Vec<String> = Fact::ALL
        .into_iter()
        .filter(|f| {
            options
                .methodology
                .exposure_rules
                .iter()
                .any(|r| r.fact == *f)
                && f.value(organization).is_none()
        })
        .map(|f| f.key().to_string())
        .collect();
    if !missing.is_empty() {
        warnings.push(Warning {
            id: None,
            message: format!(
                "Not given: {}; the threats use their starting likelihood and impact for these facts. Add them to [organization.sizing] or [organization.exposure].",
                join_and(&missing)
            ),
        });
    }
    for id in assessment.answers.keys() {
        if context.item(id).is_none() {
            warnings.push(Warning {
                id: Some(id.clone()),
                message: format!(
                    "The answer for {id} is ignored: this catalog edition has no such sub-practice."
                ),
            });
        }
    }
    let mut unknown_history: Vec<&SubPracticeId> = assessment
        .history
        .iter()
        .map(|h| &h.id)
        .filter(|id| context.item(id).is_none())
        .collect();
    unknown_history.sort();
    unknown_history.dedup();
    for id in unknown_history {
        warnings.push(Warning {
            id: Some(id.clone()),
            message: format!(
                "History for {id} is ignored: this catalog edition has no such sub-practice."
            ),
        });
    }
    if options.periods > MAX_PERIODS {
        warnings.push(Warning {
            id: None,
            message: format!(
                "A plan of {} periods was asked for; it is cut to {MAX_PERIODS}.",
                options.periods
            ),
        });
    }
    warnings
}
