//! Property tests for the engine's promises over random organizations, answers and budgets.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use hicp_catalog::{Catalog, Tier};
use hicp_engine::input::{parse_assessment, to_toml};
use hicp_engine::{
    Answer, Assessment, Budget, Evaluation, EvaluationOptions, Exposure, HistoryEntry,
    Organization, Sizing, Status, evaluate,
};
use proptest::prelude::*;
use time::Date;
use time::macros::date;

static CATALOG: LazyLock<Catalog> = LazyLock::new(|| Catalog::embedded().expect("catalog"));

/// Statuses in the order of their value; "raising" an answer moves right.
const LADDER: [Status; 6] = [
    Status::Unknown,
    Status::NotImplemented,
    Status::Planned,
    Status::Partial,
    Status::Largely,
    Status::Implemented,
];

fn status() -> impl Strategy<Value = Status> {
    prop_oneof![
        4 => proptest::sample::select(LADDER.to_vec()),
        1 => Just(Status::NotApplicable),
    ]
}

fn day() -> impl Strategy<Value = Date> {
    (0i64..3_000).prop_map(|d| date!(2020 - 01 - 01) + time::Duration::days(d))
}

fn answer() -> impl Strategy<Value = Answer> {
    (
        status(),
        proptest::option::of(day()),
        proptest::option::of("[A-Za-z .]{1,20}"),
    )
        .prop_map(|(status, since, owner)| Answer {
            justification: (status == Status::NotApplicable)
                .then(|| "Does not apply here.".to_string()),
            since,
            owner,
            ..Answer::with_status(status)
        })
}

fn assessment() -> impl Strategy<Value = Assessment> {
    let ids: Vec<_> = CATALOG.sub_practices.iter().map(|s| s.id.clone()).collect();
    let count = ids.len();
    (
        proptest::option::of(proptest::sample::select(Tier::ALL.to_vec())),
        proptest::collection::vec(proptest::option::of(answer()), count),
        (
            0u32..3_000,
            0u32..600,
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
            0u32..20_000,
        ),
        proptest::collection::vec(
            (0..count, proptest::sample::select(LADDER.to_vec()), day()),
            0..12,
        ),
    )
        .prop_map(
            move |(tier, answers, (workforce, beds, remote, acute, portable, devices), history)| {
                Assessment {
                    organization: Organization {
                        name: "Random".into(),
                        tier,
                        tier_reason: tier.map(|_| "chosen".into()),
                        sizing: Sizing {
                            workforce: Some(workforce),
                            beds: Some(beds),
                            ..Sizing::default()
                        },
                        exposure: Exposure {
                            remote_access: Some(remote),
                            provides_acute_care: Some(acute),
                            portable_devices_with_phi: Some(portable),
                            connected_medical_devices: Some(devices),
                            ..Exposure::default()
                        },
                    },
                    answers: ids
                        .iter()
                        .zip(answers)
                        .filter_map(|(id, a)| a.map(|a| (id.clone(), a)))
                        .collect::<BTreeMap<_, _>>(),
                    history: history
                        .into_iter()
                        .map(|(i, status, date)| HistoryEntry {
                            id: ids[i].clone(),
                            status,
                            date,
                        })
                        .collect(),
                }
            },
        )
}

fn budget() -> impl Strategy<Value = Budget> {
    (
        proptest::option::of(0u64..400_000),
        proptest::option::of(0u32..200),
    )
        .prop_map(|(money, staff_days)| Budget { money, staff_days })
}

fn run(assessment: &Assessment, budget: Budget, periods: u32) -> Evaluation {
    let mut options = EvaluationOptions::new(date!(2027 - 02 - 10));
    options.budget = budget;
    options.periods = periods;
    evaluate(&CATALOG, assessment, &options)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn raising_an_answer_never_raises_any_risk(
        assessment in assessment(),
        pick in 0usize..90,
        steps in 1usize..6,
    ) {
        let id = CATALOG.sub_practices[pick % CATALOG.sub_practices.len()].id.clone();
        let current = assessment.answers.get(&id).map_or(Status::Unknown, |a| a.status);
        prop_assume!(current != Status::NotApplicable);
        let position = LADDER.iter().position(|s| *s == current).unwrap_or(0);
        let raised = LADDER[(position + steps).min(LADDER.len() - 1)];
        let mut better = assessment.clone();
        better.answers.entry(id).or_insert_with(|| Answer::with_status(raised)).status = raised;
        let before = run(&assessment, Budget::default(), 8);
        let after = run(&better, Budget::default(), 8);
        for (b, a) in before.threats.iter().zip(&after.threats) {
            prop_assert!(a.residual_risk <= b.residual_risk + 1e-9, "threat {}: {} → {}", b.id, b.residual_risk, a.residual_risk);
        }
        prop_assert!(after.overall_risk <= before.overall_risk + 1e-9);
    }

    #[test]
    fn not_applicable_is_never_a_gap(assessment in assessment()) {
        let e = run(&assessment, Budget::default(), 8);
        for gap in &e.gaps {
            prop_assert_ne!(gap.status, Status::NotApplicable);
            prop_assert_ne!(gap.status, Status::Implemented);
            let answered = assessment.answers.get(&gap.id).map(|a| a.status);
            prop_assert_ne!(answered, Some(Status::NotApplicable));
            prop_assert!(e.applicable.contains(&gap.id));
        }
    }

    #[test]
    fn identical_input_gives_identical_output(assessment in assessment(), budget in budget()) {
        let first = run(&assessment, budget, 6);
        let second = run(&assessment.clone(), budget, 6);
        prop_assert_eq!(&first, &second);
        let view = |e: &Evaluation| serde_json::to_string(&hicp_engine::view::EvaluationView::new(e, &[])).expect("json");
        prop_assert_eq!(view(&first), view(&second));
    }

    #[test]
    fn plans_respect_prerequisites_and_budgets(
        assessment in assessment(),
        budget in budget(),
        periods in 1u32..10,
    ) {
        let e = run(&assessment, budget, periods);
        let plan = &e.plan;
        let gap_ids: Vec<_> = e.gaps.iter().map(|g| &g.id).collect();
        for item in &plan.items {
            for pre in item.prerequisites.iter().filter(|p| gap_ids.contains(p)) {
                let pre_item = plan.items.iter().find(|i| &i.id == pre);
                prop_assert!(pre_item.is_some(), "{} scheduled while its prerequisite {} is not", item.id, pre);
                prop_assert!(pre_item.is_some_and(|p| p.period < item.period), "{} not after {}", item.id, pre);
            }
            prop_assert!(item.start <= item.due);
            prop_assert!(item.milestones.iter().all(|m| m.due >= item.start && m.due <= item.due));
        }
        for period in &plan.periods {
            let items: Vec<_> = plan.items.iter().filter(|i| i.period == period.index).collect();
            let money: u64 = items.iter().map(|i| i.estimated_cost).sum();
            let days: u32 = items.iter().map(|i| i.estimated_staff_days).sum();
            prop_assert_eq!(money, period.money);
            prop_assert_eq!(days, period.staff_days);
            prop_assert!(budget.money.is_none_or(|m| money <= m));
            prop_assert!(budget.staff_days.is_none_or(|d| days <= d));
        }
        prop_assert_eq!(plan.periods.len(), periods as usize);
        let mut placed: Vec<_> = plan.items.iter().map(|i| &i.id).chain(plan.deferred.iter().map(|d| &d.id)).collect();
        placed.sort();
        let mut gaps = gap_ids.clone();
        gaps.sort();
        prop_assert_eq!(placed, gaps, "every gap is scheduled or deferred, once");
    }

    #[test]
    fn assessments_round_trip_through_the_file_format(assessment in assessment()) {
        let text = to_toml(&assessment);
        let parsed = parse_assessment(&text, "generated.toml", &CATALOG);
        prop_assert!(parsed.is_ok(), "{}", parsed.err().map(|e| e.to_string()).unwrap_or_default());
        prop_assert_eq!(parsed.map(|p| p.assessment).ok(), Some(assessment));
    }
}
