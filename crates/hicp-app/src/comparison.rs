//! Two evaluated assessments side by side: how the overall score, each practice's score, each
//! threat's residual risk and each answer moved from one to the other. The workspace's
//! dashboard ("since the previous assessment") and its comparison page show this.

use std::collections::BTreeMap;

use hicp_catalog::{PracticeId, SubPracticeId, ThreatId};
use hicp_engine::{Answer, Status};

use crate::Evaluated;

/// Differences smaller than this are the rounding of one-decimal figures, not a change.
const NOTICEABLE: f64 = 0.05;

/// A figure in the earlier assessment and in the later one; `None` where one does not have it
/// (a practice not applicable there, a sub-practice outside that assessment's tier).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Change {
    pub from: Option<f64>,
    pub to: Option<f64>,
}

impl Change {
    /// Later minus earlier, where both exist.
    pub fn delta(self) -> Option<f64> {
        Some(self.to? - self.from?)
    }

    pub fn changed(self) -> bool {
        match (self.from, self.to) {
            (Some(from), Some(to)) => (to - from).abs() >= NOTICEABLE,
            (None, None) => false,
            _ => true,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct PracticeChange {
    pub id: PracticeId,
    pub title: String,
    pub score: Change,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ThreatChange {
    pub id: ThreatId,
    pub name: String,
    pub residual_risk: Change,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AnswerChange {
    pub id: SubPracticeId,
    /// The status evaluated (rolled up from the questions where needed).
    pub from: Option<Status>,
    pub to: Option<Status>,
    pub score: Change,
    /// Owner, note, date, evidence or justification differ while the status may not.
    pub details_changed: bool,
}

impl AnswerChange {
    pub fn status_changed(&self) -> bool {
        self.from != self.to
    }

    pub fn changed(&self) -> bool {
        self.status_changed() || self.details_changed
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub overall_score: Change,
    /// Sum of residual risk over the five threats.
    pub overall_risk: Change,
    /// In the later assessment's order, then any only the earlier one has.
    pub practices: Vec<PracticeChange>,
    pub threats: Vec<ThreatChange>,
    /// Every sub-practice either assessment evaluates, in id order.
    pub answers: Vec<AnswerChange>,
}

impl Comparison {
    /// The answers whose status or details moved.
    pub fn changed_answers(&self) -> impl Iterator<Item = &AnswerChange> {
        self.answers.iter().filter(|answer| answer.changed())
    }
}

/// How `to` differs from `from` (normally an earlier assessment of the same organization).
pub fn compare(from: &Evaluated, to: &Evaluated) -> Comparison {
    let (before, after) = (&from.evaluation, &to.evaluation);
    let mut practices: Vec<PracticeChange> = after
        .practices
        .iter()
        .map(|practice| PracticeChange {
            id: practice.id,
            title: practice.title.clone(),
            score: Change {
                from: before
                    .practices
                    .iter()
                    .find(|p| p.id == practice.id)
                    .and_then(|p| p.score),
                to: practice.score,
            },
        })
        .collect();
    for practice in &before.practices {
        if !practices.iter().any(|p| p.id == practice.id) {
            practices.push(PracticeChange {
                id: practice.id,
                title: practice.title.clone(),
                score: Change {
                    from: practice.score,
                    to: None,
                },
            });
        }
    }
    let threats = after
        .threats
        .iter()
        .map(|threat| ThreatChange {
            id: threat.id,
            name: threat.name.clone(),
            residual_risk: Change {
                from: before
                    .threats
                    .iter()
                    .find(|t| t.id == threat.id)
                    .map(|t| t.residual_risk),
                to: Some(threat.residual_risk),
            },
        })
        .collect();

    type Side = Option<(Status, Option<f64>)>;
    let mut statuses: BTreeMap<&SubPracticeId, (Side, Side)> = BTreeMap::new();
    for scored in &before.sub_practices {
        statuses.entry(&scored.id).or_default().0 = Some((scored.status, scored.score));
    }
    for scored in &after.sub_practices {
        statuses.entry(&scored.id).or_default().1 = Some((scored.status, scored.score));
    }
    let answers = statuses
        .into_iter()
        .map(|(id, (earlier, later))| AnswerChange {
            id: id.clone(),
            from: earlier.map(|(status, _)| status),
            to: later.map(|(status, _)| status),
            score: Change {
                from: earlier.and_then(|(_, score)| score),
                to: later.and_then(|(_, score)| score),
            },
            details_changed: details_differ(
                from.assessment.answers.get(id),
                to.assessment.answers.get(id),
            ),
        })
        .collect();
    Comparison {
        overall_score: Change {
            from: Some(before.overall_score),
            to: Some(after.overall_score),
        },
        overall_risk: Change {
            from: Some(before.overall_risk),
            to: Some(after.overall_risk),
        },
        practices,
        threats,
        answers,
    }
}

fn details_differ(from: Option<&Answer>, to: Option<&Answer>) -> bool {
    match (from, to) {
        (Some(a), Some(b)) => {
            a.owner != b.owner
                || a.note != b.note
                || a.since != b.since
                || a.evidence != b.evidence
                || a.justification != b.justification
        }
        // Answered on one side only: the status already says so.
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_is_not_a_change() {
        let same = Change {
            from: Some(50.0),
            to: Some(50.04),
        };
        assert!(!same.changed());
        let raised = Change {
            from: Some(50.0),
            to: Some(55.0),
        };
        assert!(raised.changed());
        assert_eq!(raised.delta(), Some(5.0));
        let appeared = Change {
            from: None,
            to: Some(10.0),
        };
        assert!(appeared.changed());
        assert_eq!(appeared.delta(), None);
    }
}
