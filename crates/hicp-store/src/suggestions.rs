//! The assessor's decisions on suggested answers: each kept with the suggestion as it was shown
//! and written in the same transaction as the answer change it brings, so an answer never
//! changes by a suggestion without the decision on record, nor the other way round.

use hicp_catalog::SubPracticeId;
use hicp_engine::{Answer, Status};
use uuid::Uuid;

use crate::Store;
use crate::actor::Actor;
use crate::assessments::{AnswerRules, answer_of, assessment_by_id, change_answer, insert_answer};
use crate::audit::{Audited, Change};
use crate::db::{fetch_all, fetch_optional};
use crate::error::{Entity, StoreError, StoreResult};
use crate::records::{SuggestionChoice, SuggestionDecisionRecord};
use crate::rows::{SuggestionDecisionRow, suggestion_decision_columns};
use crate::stored::to_json;

/// A decision on the suggestion an import's metrics made for one sub-practice.
#[derive(Debug, Clone)]
pub struct NewSuggestionDecision<'a> {
    pub assessment_id: Uuid,
    pub sub_practice: &'a SubPracticeId,
    /// The import whose metrics made the suggestion; it must be the assessment's organization's.
    pub import_id: Uuid,
    pub suggested_status: Status,
    pub rule: &'a str,
    pub evidence: &'a [String],
    pub decision: SuggestionChoice,
    pub reason: Option<&'a str>,
}

/// The answer as the decision leaves it.
#[derive(Debug, Clone, Copy)]
pub struct AnswerChange<'a> {
    pub answer: &'a Answer,
    /// The version read, when the sub-practice is answered already (as for any answer change,
    /// a colleague's change made in between is never overwritten).
    pub version: Option<i64>,
}

const SELECT_OF_ASSESSMENT: &str = concat!(
    "SELECT ",
    suggestion_decision_columns!(),
    " FROM suggestion_decisions WHERE assessment_id = $1 ORDER BY decided_at, id"
);

impl Store {
    /// Records the decision and applies the answer it brings, all or nothing, both audited.
    /// Accepting takes the suggested status; overriding takes any status the answer rules
    /// allow. The answer goes through the same checks as any answer change.
    pub async fn decide_suggestion(
        &self,
        actor: &Actor,
        rules: AnswerRules<'_>,
        decision: NewSuggestionDecision<'_>,
        change: AnswerChange<'_>,
    ) -> StoreResult<(SuggestionDecisionRecord, crate::AnswerRecord)> {
        let chosen = change.answer.status;
        if decision.decision == SuggestionChoice::Accept && chosen != decision.suggested_status {
            return Err(StoreError::Invalid(format!(
                "accepting the suggestion for {} sets it to {}, not {}",
                decision.sub_practice,
                decision.suggested_status.as_str(),
                chosen.as_str()
            )));
        }
        rules.check(decision.sub_practice, change.answer)?;
        let evidence = to_json(&decision.evidence)?;
        let sub_practice = decision.sub_practice;
        let written = self
            .write(actor, async |tx, now| {
                let assessment = assessment_by_id(tx, decision.assessment_id).await?;
                let import_organization = fetch_optional!(
                    tx,
                    (Uuid,),
                    "SELECT organization_id FROM evidence_imports WHERE id = $1",
                    decision.import_id
                )?;
                if import_organization != Some((assessment.organization_id,)) {
                    return Err(StoreError::not_found(
                        Entity::EvidenceImport,
                        decision.import_id,
                    ));
                }
                let mut changes = Vec::new();
                let answer = match change.version {
                    None => {
                        insert_answer(tx, actor, now, assessment.id, sub_practice, change.answer)
                            .await?
                    }
                    Some(version) => {
                        let current = answer_of(tx, assessment.id, sub_practice)
                            .await?
                            .ok_or_else(|| StoreError::not_found(Entity::Answer, sub_practice))?;
                        change_answer(tx, actor, now, rules, current.id, change.answer, version)
                            .await?
                    }
                }
                .into_parts(&mut changes);
                let row = SuggestionDecisionRow {
                    id: Uuid::now_v7(),
                    organization_id: assessment.organization_id,
                    assessment_id: assessment.id,
                    sub_practice: sub_practice.to_string(),
                    import_id: Some(decision.import_id),
                    suggested_status: decision.suggested_status.as_str().to_string(),
                    rule: decision.rule.to_string(),
                    evidence: evidence.clone(),
                    decision: decision.decision.as_str().to_string(),
                    chosen_status: chosen.as_str().to_string(),
                    reason: decision
                        .reason
                        .map(str::trim)
                        .filter(|reason| !reason.is_empty())
                        .map(str::to_string),
                    decided_at: now,
                    decided_by: actor.to_string(),
                };
                row.insert(tx).await?;
                let record = row.into_record()?;
                let action = match record.decision {
                    SuggestionChoice::Accept => "suggestion.accepted",
                    SuggestionChoice::Override => "suggestion.overridden",
                };
                changes.push(
                    Change::new(action, "suggestion_decision", record.id)
                        .organization(record.organization_id)
                        .after(&record)?,
                );
                Ok(Audited::all((record, answer), changes))
            })
            .await;
        self.explain_unique_violation(written, decision.assessment_id, sub_practice)
            .await
    }

    /// Every decision taken on the assessment's suggestions, oldest first.
    pub async fn suggestion_decisions(
        &self,
        assessment_id: Uuid,
    ) -> StoreResult<Vec<SuggestionDecisionRecord>> {
        let rows = self
            .read(async |tx| {
                Ok(fetch_all!(
                    tx,
                    SuggestionDecisionRow,
                    SELECT_OF_ASSESSMENT,
                    assessment_id
                )?)
            })
            .await?;
        rows.into_iter()
            .map(SuggestionDecisionRow::into_record)
            .collect()
    }
}
