//! The status a sub-practice is evaluated at: given directly, or rolled up from its questions.
//!
//! Rule: a status given directly wins. When the status is `unknown` (or was left out of the file)
//! and questions were answered, each of the catalog's questions for the sub-practice counts its
//! status value (an unanswered question counts as `unknown`; `not_applicable` questions are left
//! out); the mean of those values is mapped down to the highest status whose value does not exceed
//! it. All questions not applicable → `not_applicable`; none answered but `unknown` → `unknown`.

use std::collections::BTreeMap;

use hicp_catalog::SubPractice;

use crate::methodology::StatusValues;
use crate::model::{Answer, Status};

/// The ladder a rolled-up mean is mapped onto, lowest first.
const LADDER: [Status; 5] = [
    Status::NotImplemented,
    Status::Planned,
    Status::Partial,
    Status::Largely,
    Status::Implemented,
];

/// The status used for an answer.
pub fn effective_status(answer: &Answer, sub: &SubPractice, values: &StatusValues) -> Status {
    if answer.status == Status::Unknown && !answer.questions.is_empty() {
        roll_up(&answer.questions, sub, values)
    } else {
        answer.status
    }
}

/// Rolls question answers up to one status (see the module documentation).
pub fn roll_up(
    questions: &BTreeMap<String, Status>,
    sub: &SubPractice,
    values: &StatusValues,
) -> Status {
    let statuses: Vec<Status> = sub
        .questions
        .iter()
        .map(|q| questions.get(&q.key).copied().unwrap_or(Status::Unknown))
        .filter(|s| *s != Status::NotApplicable)
        .collect();
    if statuses.is_empty() {
        return if sub.questions.is_empty() {
            Status::Unknown
        } else {
            Status::NotApplicable
        };
    }
    if statuses.iter().all(|s| *s == Status::Unknown) {
        return Status::Unknown;
    }
    let sum: f64 = statuses.iter().filter_map(|s| values.value(*s)).sum();
    let mean = sum / statuses.len() as f64;
    LADDER
        .into_iter()
        .rev()
        .find(|s| values.value(*s).is_some_and(|v| v <= mean + 1e-9))
        .unwrap_or(Status::NotImplemented)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hicp_catalog::Catalog;

    fn answers(pairs: &[(&str, Status)]) -> BTreeMap<String, Status> {
        pairs.iter().map(|(k, s)| (k.to_string(), *s)).collect()
    }

    #[test]
    fn questions_roll_up_to_the_highest_status_not_above_their_mean() {
        let catalog = Catalog::embedded().expect("catalog");
        let sub = catalog
            .sub_practice(&"5.S.A".parse().expect("id"))
            .expect("5.S.A");
        let values = StatusValues::default();
        // (1 + 1 + 0.4 + 0) / 4 = 0.6 → partial (0.4 ≤ 0.6 < 0.75).
        let q = answers(&[
            ("device-list", Status::Implemented),
            ("details-recorded", Status::Implemented),
            ("medical-devices-listed", Status::Partial),
            ("yearly-check", Status::NotImplemented),
        ]);
        assert_eq!(roll_up(&q, sub, &values), Status::Partial);
        // Unanswered questions count as unknown (0): (1 + 1) / 4 = 0.5 → partial.
        let q = answers(&[
            ("device-list", Status::Implemented),
            ("details-recorded", Status::Implemented),
        ]);
        assert_eq!(roll_up(&q, sub, &values), Status::Partial);
        // Not-applicable questions are left out: (1 + 1 + 1) / 3 = 1 → implemented.
        let q = answers(&[
            ("device-list", Status::Implemented),
            ("details-recorded", Status::Implemented),
            ("medical-devices-listed", Status::NotApplicable),
            ("yearly-check", Status::Implemented),
        ]);
        assert_eq!(roll_up(&q, sub, &values), Status::Implemented);
        // (0.75 × 4) / 4 = 0.75 → largely, exactly on the step.
        let q = answers(&[
            ("device-list", Status::Largely),
            ("details-recorded", Status::Largely),
            ("medical-devices-listed", Status::Largely),
            ("yearly-check", Status::Largely),
        ]);
        assert_eq!(roll_up(&q, sub, &values), Status::Largely);
        let q = answers(&[("device-list", Status::Unknown)]);
        assert_eq!(roll_up(&q, sub, &values), Status::Unknown);
        let all_na: BTreeMap<String, Status> = sub
            .questions
            .iter()
            .map(|q| (q.key.clone(), Status::NotApplicable))
            .collect();
        assert_eq!(roll_up(&all_na, sub, &values), Status::NotApplicable);
    }

    #[test]
    fn a_direct_status_wins_over_questions() {
        let catalog = Catalog::embedded().expect("catalog");
        let sub = catalog
            .sub_practice(&"5.S.A".parse().expect("id"))
            .expect("5.S.A");
        let mut answer = Answer::with_status(Status::Largely);
        answer.questions = answers(&[("device-list", Status::NotImplemented)]);
        assert_eq!(
            effective_status(&answer, sub, &StatusValues::default()),
            Status::Largely
        );
        answer.status = Status::Unknown;
        assert_eq!(
            effective_status(&answer, sub, &StatusValues::default()),
            Status::NotImplemented
        );
    }
}
