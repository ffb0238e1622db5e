//! Assessments, their answers and the answers' history.

use std::collections::BTreeMap;

use hicp_catalog::SubPracticeId;
use hicp_engine::{Answer, Assessment, HistoryEntry, Plan, Status};
use serde::Serialize;
use uuid::Uuid;

use crate::Store;
use crate::audit::{self, Change};
use crate::db::{Mode, Tx, execute, fetch_all, fetch_optional};
use crate::error::{StoreError, StoreResult};
use crate::organizations::organization_by_id;
use crate::records::{
    ActionItemRecord, AnswerRecord, AssessmentRecord, AssessmentStatus, OrganizationRecord,
    parse_status, parse_sub_practice,
};
use crate::rows::{AnswerHistoryRow, AnswerRow, AssessmentRow};

/// An assessment to store: its answers and dated history come from an [`Assessment`] (its
/// `organization` part is ignored: the organization's stored profile is used).
#[derive(Debug, Clone)]
pub struct NewAssessment<'a> {
    pub organization_id: Uuid,
    pub title: &'a str,
    /// The catalog edition the answers were given against.
    pub catalog_edition: &'a str,
    pub assessment: &'a Assessment,
}

const SELECT_ASSESSMENT_BY_ID: &str = "SELECT id, organization_id, title, status, catalog_edition, created_at, updated_at, finalized_at FROM assessments WHERE id = $1";
const SELECT_LATEST_ASSESSMENT: &str = "SELECT id, organization_id, title, status, catalog_edition, created_at, updated_at, finalized_at FROM assessments WHERE organization_id = $1 ORDER BY id DESC LIMIT 1";
const SELECT_ASSESSMENTS_OF: &str = "SELECT id, organization_id, title, status, catalog_edition, created_at, updated_at, finalized_at FROM assessments WHERE organization_id = $1 ORDER BY id";
const SELECT_ANSWERS_OF: &str = "SELECT id, assessment_id, sub_practice, status, owner, note, since, evidence, justification, questions, version, updated_at, updated_by FROM answers WHERE assessment_id = $1 ORDER BY id";
const SELECT_ANSWER_BY_ID: &str = "SELECT id, assessment_id, sub_practice, status, owner, note, since, evidence, justification, questions, version, updated_at, updated_by FROM answers WHERE id = $1";
const SELECT_HISTORY_OF: &str = "SELECT id, assessment_id, sub_practice, from_status, to_status, effective_on, previous_since, actor, recorded_at FROM answer_history WHERE assessment_id = $1 ORDER BY id";

/// What the audit trail records for a new assessment.
#[derive(Serialize)]
struct CreatedAssessment<'a> {
    assessment: &'a AssessmentRecord,
    answers: &'a BTreeMap<SubPracticeId, Answer>,
    history: &'a [HistoryEntry],
}

fn check_answer(sub_practice: &SubPracticeId, answer: &Answer) -> StoreResult<()> {
    let blank = answer
        .justification
        .as_deref()
        .is_none_or(|text| text.trim().is_empty());
    if answer.status == Status::NotApplicable && blank {
        return Err(StoreError::Invalid(format!(
            "{sub_practice}: `not_applicable` needs a justification saying why it does not apply"
        )));
    }
    Ok(())
}

fn answer_row(
    id: Uuid,
    assessment_id: Uuid,
    sub_practice: &SubPracticeId,
    answer: &Answer,
    version: i64,
    now: time::OffsetDateTime,
    actor: &str,
) -> StoreResult<AnswerRow> {
    check_answer(sub_practice, answer)?;
    Ok(AnswerRow {
        id,
        assessment_id,
        sub_practice: sub_practice.to_string(),
        status: answer.status.as_str().to_string(),
        owner: answer.owner.clone(),
        note: answer.note.clone(),
        since: answer.since,
        evidence: audit::to_json(&answer.evidence)?,
        justification: answer.justification.clone(),
        questions: audit::to_json(&answer.questions)?,
        version,
        updated_at: now,
        updated_by: actor.to_string(),
    })
}

pub(crate) async fn assessment_by_id(tx: &mut Tx, id: Uuid) -> StoreResult<AssessmentRecord> {
    fetch_optional!(tx, AssessmentRow, SELECT_ASSESSMENT_BY_ID, id)?
        .ok_or_else(|| StoreError::NotFound {
            what: "assessment",
            key: id.to_string(),
        })?
        .try_into()
}

async fn answer_by_id(tx: &mut Tx, id: Uuid) -> StoreResult<AnswerRecord> {
    fetch_optional!(tx, AnswerRow, SELECT_ANSWER_BY_ID, id)?
        .ok_or_else(|| StoreError::NotFound {
            what: "answer",
            key: id.to_string(),
        })?
        .try_into()
}

fn refuse_if_final(assessment: &AssessmentRecord) -> StoreResult<()> {
    if assessment.status == AssessmentStatus::Final {
        return Err(StoreError::Immutable(assessment.id));
    }
    Ok(())
}

impl Store {
    /// Stores an assessment file's organization, its answers as a draft assessment, and the
    /// evaluated plan as action items, in one transaction: all three or nothing.
    pub async fn create_organization_with_assessment(
        &self,
        actor: &str,
        assessment: &Assessment,
        title: &str,
        catalog_edition: &str,
        plan: &Plan,
    ) -> StoreResult<(OrganizationRecord, AssessmentRecord, Vec<ActionItemRecord>)> {
        let mut tx = self.db.begin(Mode::Write).await?;
        let organization = self
            .insert_organization(&mut tx, actor, &assessment.organization)
            .await?;
        let new = NewAssessment {
            organization_id: organization.id,
            title,
            catalog_edition,
            assessment,
        };
        let record = self.insert_assessment(&mut tx, actor, new).await?;
        let items = self.insert_plan(&mut tx, actor, record.id, plan).await?;
        tx.commit().await?;
        Ok((organization, record, items))
    }

    /// Stores a draft assessment with its answers and history.
    pub async fn create_assessment(
        &self,
        actor: &str,
        new: NewAssessment<'_>,
    ) -> StoreResult<AssessmentRecord> {
        let mut tx = self.db.begin(Mode::Write).await?;
        let record = self.insert_assessment(&mut tx, actor, new).await?;
        tx.commit().await?;
        Ok(record)
    }

    pub(crate) async fn insert_assessment(
        &self,
        tx: &mut Tx,
        actor: &str,
        new: NewAssessment<'_>,
    ) -> StoreResult<AssessmentRecord> {
        if new.title.trim().is_empty() {
            return Err(StoreError::Invalid(
                "an assessment needs a title".to_string(),
            ));
        }
        organization_by_id(tx, new.organization_id).await?;
        let now = self.now();
        let row = AssessmentRow {
            id: Uuid::now_v7(),
            organization_id: new.organization_id,
            title: new.title.to_string(),
            status: AssessmentStatus::Draft.as_str().to_string(),
            catalog_edition: new.catalog_edition.to_string(),
            created_at: now,
            updated_at: now,
            finalized_at: None,
        };
        row.insert(tx).await?;
        for (sub_practice, answer) in &new.assessment.answers {
            answer_row(Uuid::now_v7(), row.id, sub_practice, answer, 1, now, actor)?
                .insert(tx)
                .await?;
        }
        for entry in &new.assessment.history {
            AnswerHistoryRow {
                id: Uuid::now_v7(),
                assessment_id: row.id,
                sub_practice: entry.id.to_string(),
                from_status: None,
                to_status: entry.status.as_str().to_string(),
                effective_on: entry.date,
                previous_since: None,
                actor: actor.to_string(),
                recorded_at: now,
            }
            .insert(tx)
            .await?;
        }
        let record = AssessmentRecord::try_from(row)?;
        let change = Change::new("assessment.created", "assessment", record.id)
            .organization(record.organization_id)
            .after(&CreatedAssessment {
                assessment: &record,
                answers: &new.assessment.answers,
                history: &new.assessment.history,
            })?;
        audit::record(tx, now, actor, change).await?;
        Ok(record)
    }

    /// The organization's assessments, oldest first.
    pub async fn list_assessments(
        &self,
        organization_id: Uuid,
    ) -> StoreResult<Vec<AssessmentRecord>> {
        let mut tx = self.db.begin(Mode::Snapshot).await?;
        let rows = fetch_all!(
            &mut tx,
            AssessmentRow,
            SELECT_ASSESSMENTS_OF,
            organization_id
        )?;
        tx.commit().await?;
        rows.into_iter().map(AssessmentRecord::try_from).collect()
    }

    /// One assessment (the latest when `assessment_id` is `None`) as the engine takes it: the
    /// organization's profile, the current answers and the dated history.
    pub async fn load_assessment(
        &self,
        organization_id: Uuid,
        assessment_id: Option<Uuid>,
    ) -> StoreResult<(AssessmentRecord, Assessment)> {
        let mut tx = self.db.begin(Mode::Snapshot).await?;
        let organization = organization_by_id(&mut tx, organization_id).await?;
        let row = match assessment_id {
            Some(id) => fetch_optional!(&mut tx, AssessmentRow, SELECT_ASSESSMENT_BY_ID, id)?
                .filter(|row| row.organization_id == organization_id),
            None => fetch_optional!(
                &mut tx,
                AssessmentRow,
                SELECT_LATEST_ASSESSMENT,
                organization_id
            )?,
        };
        let record = AssessmentRecord::try_from(row.ok_or_else(|| StoreError::NotFound {
            what: "assessment",
            key: match assessment_id {
                Some(id) => format!("{id} of organization {}", organization.name),
                None => format!("(any) of organization {}", organization.name),
            },
        })?)?;
        let answers = fetch_all!(&mut tx, AnswerRow, SELECT_ANSWERS_OF, record.id)?;
        let history = fetch_all!(&mut tx, AnswerHistoryRow, SELECT_HISTORY_OF, record.id)?;
        tx.commit().await?;
        let mut assessment = Assessment {
            organization: organization.organization(),
            answers: BTreeMap::new(),
            history: Vec::new(),
        };
        for row in answers {
            let answer = AnswerRecord::try_from(row)?;
            assessment
                .answers
                .insert(answer.sub_practice, answer.answer);
        }
        for row in history {
            if let Some(entry) = history_entry(&row)? {
                assessment.history.push(entry);
            }
        }
        Ok((record, assessment))
    }

    /// The current answers of an assessment, in sub-practice order.
    pub async fn answers(&self, assessment_id: Uuid) -> StoreResult<Vec<AnswerRecord>> {
        let mut tx = self.db.begin(Mode::Snapshot).await?;
        let rows = fetch_all!(&mut tx, AnswerRow, SELECT_ANSWERS_OF, assessment_id)?;
        tx.commit().await?;
        let mut records = rows
            .into_iter()
            .map(AnswerRecord::try_from)
            .collect::<StoreResult<Vec<_>>>()?;
        records.sort_by(|a, b| a.sub_practice.cmp(&b.sub_practice));
        Ok(records)
    }

    /// Every recorded status change of an assessment's answers, oldest first.
    pub async fn answer_history(&self, assessment_id: Uuid) -> StoreResult<Vec<AnswerHistoryRow>> {
        let mut tx = self.db.begin(Mode::Snapshot).await?;
        let rows = fetch_all!(&mut tx, AnswerHistoryRow, SELECT_HISTORY_OF, assessment_id)?;
        tx.commit().await?;
        Ok(rows)
    }

    /// Answers a sub-practice that has no answer yet in this assessment.
    pub async fn add_answer(
        &self,
        actor: &str,
        assessment_id: Uuid,
        sub_practice: &SubPracticeId,
        answer: &Answer,
    ) -> StoreResult<AnswerRecord> {
        let mut tx = self.db.begin(Mode::Write).await?;
        let assessment = assessment_by_id(&mut tx, assessment_id).await?;
        refuse_if_final(&assessment)?;
        let now = self.now();
        let row = answer_row(
            Uuid::now_v7(),
            assessment_id,
            sub_practice,
            answer,
            1,
            now,
            actor,
        )?;
        row.insert(&mut tx).await.map_err(|error| match &error {
            StoreError::Database(sqlx::Error::Database(db)) if db.is_unique_violation() => {
                StoreError::Duplicate(format!(
                    "{sub_practice} is already answered in this assessment; update that answer instead"
                ))
            }
            _ => error,
        })?;
        let record = AnswerRecord::try_from(row)?;
        let change = Change::new("answer.added", "answer", record.id)
            .organization(assessment.organization_id)
            .after(&record)?;
        audit::record(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(record)
    }

    /// Changes an answer if nobody else changed it since `expected_version` was read; otherwise
    /// fails with [`StoreError::Conflict`] carrying the current answer. A status change is
    /// recorded in the history (dated `answer.since`, or today when not given).
    pub async fn update_answer(
        &self,
        actor: &str,
        answer_id: Uuid,
        answer: &Answer,
        expected_version: i64,
    ) -> StoreResult<AnswerRecord> {
        let mut tx = self.db.begin(Mode::Write).await?;
        let current = answer_by_id(&mut tx, answer_id).await?;
        let assessment = assessment_by_id(&mut tx, current.assessment_id).await?;
        refuse_if_final(&assessment)?;
        if current.version != expected_version {
            return Err(StoreError::Conflict {
                current_version: current.version,
                current: Box::new(current),
            });
        }
        let now = self.now();
        let status_changed = current.answer.status != answer.status;
        let mut answer = answer.clone();
        if status_changed && answer.since.is_none() {
            answer.since = Some(now.date());
        }
        let row = answer_row(
            answer_id,
            current.assessment_id,
            &current.sub_practice,
            &answer,
            expected_version + 1,
            now,
            actor,
        )?;
        let updated = execute!(
            &mut tx,
            "UPDATE answers SET status = $3, owner = $4, note = $5, since = $6, evidence = $7, justification = $8, questions = $9, version = version + 1, updated_at = $10, updated_by = $11 WHERE id = $1 AND version = $2",
            answer_id,
            expected_version,
            &row.status,
            &row.owner,
            &row.note,
            row.since,
            &row.evidence,
            &row.justification,
            &row.questions,
            now,
            actor
        )?;
        if updated == 0 {
            // Another writer committed between our read and our update (PostgreSQL).
            let current = answer_by_id(&mut tx, answer_id).await?;
            return Err(StoreError::Conflict {
                current_version: current.version,
                current: Box::new(current),
            });
        }
        if status_changed {
            AnswerHistoryRow {
                id: Uuid::now_v7(),
                assessment_id: current.assessment_id,
                sub_practice: current.sub_practice.to_string(),
                from_status: Some(current.answer.status.as_str().to_string()),
                to_status: row.status.clone(),
                effective_on: answer.since.unwrap_or(now.date()),
                previous_since: current.answer.since,
                actor: actor.to_string(),
                recorded_at: now,
            }
            .insert(&mut tx)
            .await?;
        }
        let record = AnswerRecord::try_from(row)?;
        let change = Change::new("answer.updated", "answer", answer_id)
            .organization(assessment.organization_id)
            .before(&current)?
            .after(&record)?;
        audit::record(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(record)
    }

    /// Moves an assessment along draft → in_review → final (or back from review to draft).
    pub async fn set_assessment_status(
        &self,
        actor: &str,
        assessment_id: Uuid,
        next: AssessmentStatus,
    ) -> StoreResult<AssessmentRecord> {
        let mut tx = self.db.begin(Mode::Write).await?;
        let before = assessment_by_id(&mut tx, assessment_id).await?;
        refuse_if_final(&before)?;
        if !before.status.may_become(next) {
            return Err(StoreError::Invalid(format!(
                "an assessment in `{}` cannot become `{next}`: the order is draft, in_review, final",
                before.status
            )));
        }
        let now = self.now();
        let finalized_at = (next == AssessmentStatus::Final).then_some(now);
        execute!(
            &mut tx,
            "UPDATE assessments SET status = $2, finalized_at = $3, updated_at = $4 WHERE id = $1",
            assessment_id,
            next.as_str(),
            finalized_at,
            now
        )?;
        let after = assessment_by_id(&mut tx, assessment_id).await?;
        let change = Change::new("assessment.status_changed", "assessment", assessment_id)
            .organization(after.organization_id)
            .before(&before)?
            .after(&after)?;
        audit::record(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(after)
    }
}

/// The engine's view of one history row: a status as given (from an assessment file), or the
/// status an answer left and since when it had held.
fn history_entry(row: &AnswerHistoryRow) -> StoreResult<Option<HistoryEntry>> {
    let what = format!("answer history {}", row.id);
    let id = parse_sub_practice(&row.sub_practice, &what)?;
    Ok(match (&row.from_status, row.previous_since) {
        (None, _) => Some(HistoryEntry {
            id,
            status: parse_status(&row.to_status, &what)?,
            date: row.effective_on,
        }),
        (Some(from), Some(since)) => Some(HistoryEntry {
            id,
            status: parse_status(from, &what)?,
            date: since,
        }),
        (Some(_), None) => None,
    })
}
