//! Rules an answer must meet before anyone keeps it. The assessment file reader, the store and
//! the server all call [`check_answer`], so the rule is written once.

use hicp_catalog::{Catalog, SubPracticeId};

use crate::methodology::StatusValues;
use crate::model::{Answer, Status};
use crate::rollup::effective_status;

/// Why an answer cannot be kept as given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswerRejected {
    #[error(
        "{id} is{} not applicable, which needs a justification saying why it does not apply",
        if *through_questions { " (through its questions)" } else { "" }
    )]
    NotApplicableWithoutJustification {
        id: SubPracticeId,
        /// The status was not given as `not_applicable` but every question was.
        through_questions: bool,
    },
    #[error("{0} is not a sub-practice of this catalog")]
    UnknownSubPractice(SubPracticeId),
}

/// Checks one answer against the rules. "Not applicable" is judged on the *effective* status,
/// so an answer whose questions are all not applicable needs a justification too.
pub fn check_answer(
    catalog: &Catalog,
    values: &StatusValues,
    id: &SubPracticeId,
    answer: &Answer,
) -> Result<(), AnswerRejected> {
    let sub = catalog
        .sub_practice(id)
        .ok_or_else(|| AnswerRejected::UnknownSubPractice(id.clone()))?;
    let effective = effective_status(answer, sub, values);
    let unjustified = answer
        .justification
        .as_deref()
        .is_none_or(|text| text.trim().is_empty());
    if effective == Status::NotApplicable && unjustified {
        return Err(AnswerRejected::NotApplicableWithoutJustification {
            id: id.clone(),
            through_questions: answer.status != Status::NotApplicable,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Methodology;

    fn catalog() -> Catalog {
        Catalog::embedded().expect("the embedded catalog loads")
    }

    #[test]
    fn not_applicable_needs_a_justification() {
        let catalog = catalog();
        let values = Methodology::default().status_values;
        let id: SubPracticeId = "1.S.A".parse().unwrap();
        let mut answer = Answer::with_status(Status::NotApplicable);
        assert_eq!(
            check_answer(&catalog, &values, &id, &answer),
            Err(AnswerRejected::NotApplicableWithoutJustification {
                id: id.clone(),
                through_questions: false
            })
        );
        answer.justification = Some("   ".into());
        assert!(check_answer(&catalog, &values, &id, &answer).is_err());
        answer.justification = Some("We send no email.".into());
        assert_eq!(check_answer(&catalog, &values, &id, &answer), Ok(()));
    }

    #[test]
    fn every_question_not_applicable_counts_as_not_applicable() {
        let catalog = catalog();
        let values = Methodology::default().status_values;
        let id: SubPracticeId = "1.S.A".parse().unwrap();
        let sub = catalog.sub_practice(&id).unwrap();
        let mut answer = Answer::with_status(Status::Unknown);
        for question in &sub.questions {
            answer
                .questions
                .insert(question.key.clone(), Status::NotApplicable);
        }
        assert_eq!(
            check_answer(&catalog, &values, &id, &answer),
            Err(AnswerRejected::NotApplicableWithoutJustification {
                id,
                through_questions: true
            })
        );
    }

    #[test]
    fn other_statuses_pass() {
        let catalog = catalog();
        let values = Methodology::default().status_values;
        let id: SubPracticeId = "7.M.D".parse().unwrap();
        for status in Status::ALL
            .into_iter()
            .filter(|s| *s != Status::NotApplicable)
        {
            assert_eq!(
                check_answer(&catalog, &values, &id, &Answer::with_status(status)),
                Ok(()),
                "{status:?}"
            );
        }
        let unknown: SubPracticeId = "9.S.Z".parse().unwrap();
        assert_eq!(
            check_answer(
                &catalog,
                &values,
                &unknown,
                &Answer::with_status(Status::Implemented)
            ),
            Err(AnswerRejected::UnknownSubPractice(unknown))
        );
    }
}
