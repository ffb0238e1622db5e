//! Assessments, their answers and the answers' history.

use std::collections::BTreeMap;

use hicp_catalog::{Catalog, SubPracticeId};
use hicp_engine::methodology::StatusValues;
use hicp_engine::{Answer, Assessment, HistoryEntry, Organization, Plan};
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::Store;
use crate::action_items::insert_plan;
use crate::actor::Actor;
use crate::audit::{Audited, Change};
use crate::db::{Tx, execute, fetch_all, fetch_optional};
use crate::error::{Entity, StoreError, StoreResult};
use crate::organizations::{insert_organization, organization_by_id};
use crate::records::{
    ActionItemRecord, AnswerHistoryRecord, AnswerRecord, AssessmentRecord, AssessmentStatus,
    OrganizationRecord,
};
use crate::rows::{
    AnswerHistoryRow, AnswerRow, AssessmentRow, answer_columns, answer_history_columns,
    assessment_columns,
};
use crate::stored::{StoredAnswer, StoredSnapshot};

/// What answers are judged by before they are written: the catalog they answer and the
/// methodology's status values (which decide an answer's rolled-up, effective status).
#[derive(Debug, Clone, Copy)]
pub struct AnswerRules<'a> {
    pub catalog: &'a Catalog,
    pub status_values: &'a StatusValues,
}

impl AnswerRules<'_> {
    /// The engine's rule, so the store and the engine never disagree on what is valid.
    pub(crate) fn check(&self, sub_practice: &SubPracticeId, answer: &Answer) -> StoreResult<()> {
        hicp_engine::check_answer(self.catalog, self.status_values, sub_practice, answer)?;
        Ok(())
    }
}

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

const SELECT_ASSESSMENT_BY_ID: &str = concat!(
    "SELECT ",
    assessment_columns!(),
    " FROM assessments WHERE id = $1"
);
const SELECT_LATEST_ASSESSMENT: &str = concat!(
    "SELECT ",
    assessment_columns!(),
    " FROM assessments WHERE organization_id = $1 ORDER BY id DESC LIMIT 1"
);
const SELECT_ASSESSMENTS_OF: &str = concat!(
    "SELECT ",
    assessment_columns!(),
    " FROM assessments WHERE organization_id = $1 ORDER BY id"
);
const SELECT_ANSWERS_OF: &str = concat!(
    "SELECT ",
    answer_columns!(),
    " FROM answers WHERE assessment_id = $1 ORDER BY id"
);
const SELECT_ANSWER_BY_ID: &str =
    concat!("SELECT ", answer_columns!(), " FROM answers WHERE id = $1");
const SELECT_HISTORY_OF: &str = concat!(
    "SELECT ",
    answer_history_columns!(),
    " FROM answer_history WHERE assessment_id = $1 ORDER BY id"
);

/// What the audit trail records for a new assessment.
#[derive(Serialize)]
struct CreatedAssessment<'a> {
    assessment: &'a AssessmentRecord,
    answers: BTreeMap<String, StoredAnswer>,
    history: Vec<CreatedHistory>,
}

#[derive(Serialize)]
struct CreatedHistory {
    id: String,
    status: &'static str,
    date: time::Date,
}

pub(crate) async fn assessment_by_id(tx: &mut Tx, id: Uuid) -> StoreResult<AssessmentRecord> {
    fetch_optional!(tx, AssessmentRow, SELECT_ASSESSMENT_BY_ID, id)?
        .ok_or_else(|| StoreError::not_found(Entity::Assessment, id))?
        .into_record()
}

async fn answer_by_id(tx: &mut Tx, id: Uuid) -> StoreResult<AnswerRecord> {
    fetch_optional!(tx, AnswerRow, SELECT_ANSWER_BY_ID, id)?
        .ok_or_else(|| StoreError::not_found(Entity::Answer, id))?
        .into_record()
}

const SELECT_ANSWER_OF_SUB_PRACTICE: &str = concat!(
    "SELECT ",
    answer_columns!(),
    " FROM answers WHERE assessment_id = $1 AND sub_practice = $2"
);

pub(crate) async fn answer_of(
    tx: &mut Tx,
    assessment_id: Uuid,
    sub_practice: &SubPracticeId,
) -> StoreResult<Option<AnswerRecord>> {
    fetch_optional!(
        tx,
        AnswerRow,
        SELECT_ANSWER_OF_SUB_PRACTICE,
        assessment_id,
        sub_practice.to_string()
    )?
    .map(AnswerRow::into_record)
    .transpose()
}

fn already_answered(current: AnswerRecord) -> StoreError {
    StoreError::AlreadyAnswered {
        assessment_id: current.assessment_id,
        sub_practice: current.sub_practice.clone(),
        current: Box::new(current),
    }
}

fn refuse_if_final(assessment: &AssessmentRecord) -> StoreResult<()> {
    if assessment.status == AssessmentStatus::Final {
        return Err(StoreError::Immutable(assessment.id));
    }
    Ok(())
}

fn conflict(current: AnswerRecord) -> StoreError {
    StoreError::Conflict {
        current_version: current.version,
        current: Box::new(current),
    }
}

/// Inserts a draft assessment with its answers and history inside an enclosing write.
async fn insert_assessment(
    tx: &mut Tx,
    now: OffsetDateTime,
    actor: &Actor,
    rules: AnswerRules<'_>,
    new: NewAssessment<'_>,
) -> StoreResult<Audited<AssessmentRecord>> {
    if new.title.trim().is_empty() {
        return Err(StoreError::Invalid(
            "an assessment needs a title".to_string(),
        ));
    }
    for (sub_practice, answer) in &new.assessment.answers {
        rules.check(sub_practice, answer)?;
    }
    let organization = organization_by_id(tx, new.organization_id).await?;
    let row = AssessmentRow {
        id: Uuid::now_v7(),
        organization_id: new.organization_id,
        title: new.title.to_string(),
        status: AssessmentStatus::Draft.as_str().to_string(),
        catalog_edition: new.catalog_edition.to_string(),
        created_at: now,
        updated_at: now,
        finalized_at: None,
        organization_snapshot: Some(StoredSnapshot::encode(&organization.organization())?),
    };
    row.insert(tx).await?;
    for (sub_practice, answer) in &new.assessment.answers {
        AnswerRow::new(
            Uuid::now_v7(),
            row.id,
            sub_practice,
            answer,
            1,
            now,
            actor.to_string(),
        )?
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
    let record = row.into_record()?;
    let change = Change::new("assessment.created", "assessment", record.id)
        .organization(record.organization_id)
        .after(&CreatedAssessment {
            assessment: &record,
            answers: new
                .assessment
                .answers
                .iter()
                .map(|(id, answer)| (id.to_string(), StoredAnswer::new(answer)))
                .collect(),
            history: new
                .assessment
                .history
                .iter()
                .map(|entry| CreatedHistory {
                    id: entry.id.to_string(),
                    status: entry.status.as_str(),
                    date: entry.date,
                })
                .collect(),
        })?;
    Ok(Audited::new(record, change))
}

impl Store {
    /// Stores an assessment file's organization, its answers as a draft assessment, and the
    /// evaluated plan as action items, in one transaction: all three or nothing.
    pub async fn create_organization_with_assessment(
        &self,
        actor: &Actor,
        rules: AnswerRules<'_>,
        assessment: &Assessment,
        title: &str,
        catalog_edition: &str,
        plan: &Plan,
    ) -> StoreResult<(OrganizationRecord, AssessmentRecord, Vec<ActionItemRecord>)> {
        self.write(actor, async |tx, now| {
            let mut changes = Vec::new();
            let organization = insert_organization(tx, now, &assessment.organization)
                .await?
                .into_parts(&mut changes);
            let new = NewAssessment {
                organization_id: organization.id,
                title,
                catalog_edition,
                assessment,
            };
            let record = insert_assessment(tx, now, actor, rules, new)
                .await?
                .into_parts(&mut changes);
            let items = insert_plan(tx, now, actor, record.id, plan)
                .await?
                .into_parts(&mut changes);
            Ok(Audited::all((organization, record, items), changes))
        })
        .await
    }

    /// Stores a draft assessment with its answers and history.
    pub async fn create_assessment(
        &self,
        actor: &Actor,
        rules: AnswerRules<'_>,
        new: NewAssessment<'_>,
    ) -> StoreResult<AssessmentRecord> {
        self.write(actor, async |tx, now| {
            insert_assessment(tx, now, actor, rules, new).await
        })
        .await
    }

    /// The organization's assessments, oldest first.
    pub async fn list_assessments(
        &self,
        organization_id: Uuid,
    ) -> StoreResult<Vec<AssessmentRecord>> {
        let rows = self
            .read(async |tx| {
                Ok(fetch_all!(
                    tx,
                    AssessmentRow,
                    SELECT_ASSESSMENTS_OF,
                    organization_id
                )?)
            })
            .await?;
        rows.into_iter().map(AssessmentRow::into_record).collect()
    }

    /// One assessment (the latest when `assessment_id` is `None`) as the engine takes it: the
    /// organization as the assessment keeps it (see [`Store::assessment_profile`]), the current
    /// answers and the dated history.
    pub async fn load_assessment(
        &self,
        organization_id: Uuid,
        assessment_id: Option<Uuid>,
    ) -> StoreResult<(AssessmentRecord, Assessment)> {
        let (_organization, row, answers, history) = self
            .read(async |tx| {
                let organization = organization_by_id(tx, organization_id).await?;
                let row = match assessment_id {
                    Some(id) => fetch_optional!(tx, AssessmentRow, SELECT_ASSESSMENT_BY_ID, id)?
                        .filter(|row| row.organization_id == organization_id),
                    None => fetch_optional!(
                        tx,
                        AssessmentRow,
                        SELECT_LATEST_ASSESSMENT,
                        organization_id
                    )?,
                };
                let row = row.ok_or_else(|| {
                    StoreError::not_found(
                        Entity::Assessment,
                        match assessment_id {
                            Some(id) => format!("{id} of organization {}", organization.name),
                            None => format!("(any) of organization {}", organization.name),
                        },
                    )
                })?;
                let answers = fetch_all!(tx, AnswerRow, SELECT_ANSWERS_OF, row.id)?;
                let history = fetch_all!(tx, AnswerHistoryRow, SELECT_HISTORY_OF, row.id)?;
                Ok((organization, row, answers, history))
            })
            .await?;
        let organization = row.snapshot()?;
        let record = row.into_record()?;
        let mut assessment = Assessment {
            organization,
            answers: BTreeMap::new(),
            history: Vec::new(),
        };
        for row in answers {
            let answer = row.into_record()?;
            assessment
                .answers
                .insert(answer.sub_practice, answer.answer);
        }
        for row in history {
            if let Some(entry) = history_entry(row.into_record()?) {
                assessment.history.push(entry);
            }
        }
        Ok((record, assessment))
    }

    /// The organization as this assessment is evaluated: taken when the assessment is created,
    /// kept in step with profile edits while it is a draft or in review, and frozen once it is
    /// final, so later edits never change a final assessment's results.
    pub async fn assessment_profile(&self, assessment_id: Uuid) -> StoreResult<Organization> {
        self.read(async |tx| {
            fetch_optional!(tx, AssessmentRow, SELECT_ASSESSMENT_BY_ID, assessment_id)?
                .ok_or_else(|| StoreError::not_found(Entity::Assessment, assessment_id))?
                .snapshot()
        })
        .await
    }

    /// The current answers of an assessment, in sub-practice order.
    pub async fn answers(&self, assessment_id: Uuid) -> StoreResult<Vec<AnswerRecord>> {
        let rows = self
            .read(async |tx| Ok(fetch_all!(tx, AnswerRow, SELECT_ANSWERS_OF, assessment_id)?))
            .await?;
        let mut records = rows
            .into_iter()
            .map(AnswerRow::into_record)
            .collect::<StoreResult<Vec<_>>>()?;
        records.sort_by(|a, b| a.sub_practice.cmp(&b.sub_practice));
        Ok(records)
    }

    /// Every recorded status change of an assessment's answers, oldest first.
    pub async fn answer_history(
        &self,
        assessment_id: Uuid,
    ) -> StoreResult<Vec<AnswerHistoryRecord>> {
        let rows = self
            .read(async |tx| {
                Ok(fetch_all!(
                    tx,
                    AnswerHistoryRow,
                    SELECT_HISTORY_OF,
                    assessment_id
                )?)
            })
            .await?;
        rows.into_iter()
            .map(AnswerHistoryRow::into_record)
            .collect()
    }

    /// Answers a sub-practice that has no answer yet in this assessment.
    pub async fn add_answer(
        &self,
        actor: &Actor,
        rules: AnswerRules<'_>,
        assessment_id: Uuid,
        sub_practice: &SubPracticeId,
        answer: &Answer,
    ) -> StoreResult<AnswerRecord> {
        rules.check(sub_practice, answer)?;
        let added = self
            .write(actor, async |tx, now| {
                insert_answer(tx, actor, now, assessment_id, sub_practice, answer).await
            })
            .await;
        self.explain_unique_violation(added, assessment_id, sub_practice)
            .await
    }

    /// Another writer's answer committed between the check and the insert (PostgreSQL): the
    /// failed transaction cannot read it, a fresh snapshot can.
    pub(crate) async fn explain_unique_violation<T>(
        &self,
        result: StoreResult<T>,
        assessment_id: Uuid,
        sub_practice: &SubPracticeId,
    ) -> StoreResult<T> {
        match result {
            Err(error) if error.is_unique_violation() => {
                let current = self
                    .read(async |tx| answer_of(tx, assessment_id, sub_practice).await)
                    .await?;
                Err(current.map_or(error, already_answered))
            }
            other => other,
        }
    }

    /// Changes an answer if nobody else changed it since `expected_version` was read; otherwise
    /// fails with [`StoreError::Conflict`] carrying the current answer. A status change is
    /// recorded in the history (dated `answer.since`, or today when not given).
    pub async fn update_answer(
        &self,
        actor: &Actor,
        rules: AnswerRules<'_>,
        answer_id: Uuid,
        answer: &Answer,
        expected_version: i64,
    ) -> StoreResult<AnswerRecord> {
        self.write(actor, async |tx, now| {
            change_answer(tx, actor, now, rules, answer_id, answer, expected_version).await
        })
        .await
    }

    /// Moves an assessment along draft → in_review → final (or back from review to draft).
    pub async fn set_assessment_status(
        &self,
        actor: &Actor,
        assessment_id: Uuid,
        next: AssessmentStatus,
    ) -> StoreResult<AssessmentRecord> {
        self.write(actor, async |tx, now| {
            let before = assessment_by_id(tx, assessment_id).await?;
            refuse_if_final(&before)?;
            if !before.status.may_become(next) {
                return Err(StoreError::InvalidStatusChange {
                    from: before.status,
                    to: next,
                });
            }
            let finalized_at = (next == AssessmentStatus::Final).then_some(now);
            execute!(
                tx,
                "UPDATE assessments SET status = $2, finalized_at = $3, updated_at = $4 WHERE id = $1",
                assessment_id,
                next.as_str(),
                finalized_at,
                now
            )?;
            let after = assessment_by_id(tx, assessment_id).await?;
            let change = Change::new("assessment.status_changed", "assessment", assessment_id)
                .organization(after.organization_id)
                .before(&before)?
                .after(&after)?;
            Ok(Audited::new(after, change))
        })
        .await
    }
}

/// The engine's view of one history record: a status as given (from an assessment file), or
/// the status an answer left and since when it had held.
fn history_entry(record: AnswerHistoryRecord) -> Option<HistoryEntry> {
    match (record.from_status, record.previous_since) {
        (None, _) => Some(HistoryEntry {
            id: record.sub_practice,
            status: record.to_status,
            date: record.effective_on,
        }),
        (Some(from), Some(since)) => Some(HistoryEntry {
            id: record.sub_practice,
            status: from,
            date: since,
        }),
        (Some(_), None) => None,
    }
}

impl AssessmentRow {
    fn snapshot(&self) -> StoreResult<Organization> {
        let what = format!("assessment {}", self.id);
        let text = self.organization_snapshot.as_deref().ok_or_else(|| {
            StoreError::corrupt(&what, "it has no snapshot of its organization's profile")
        })?;
        StoredSnapshot::decode(&what, text)
    }
}

/// Inserts the first answer to a sub-practice inside an enclosing write (checked by the caller).
pub(crate) async fn insert_answer(
    tx: &mut Tx,
    actor: &Actor,
    now: OffsetDateTime,
    assessment_id: Uuid,
    sub_practice: &SubPracticeId,
    answer: &Answer,
) -> StoreResult<Audited<AnswerRecord>> {
    let assessment = assessment_by_id(tx, assessment_id).await?;
    refuse_if_final(&assessment)?;
    if let Some(current) = answer_of(tx, assessment_id, sub_practice).await? {
        return Err(already_answered(current));
    }
    let row = AnswerRow::new(
        Uuid::now_v7(),
        assessment_id,
        sub_practice,
        answer,
        1,
        now,
        actor.to_string(),
    )?;
    row.insert(tx).await?;
    let record = row.into_record()?;
    let change = Change::new("answer.added", "answer", record.id)
        .organization(assessment.organization_id)
        .after(&record.payload())?;
    Ok(Audited::new(record, change))
}

/// Changes an answer inside an enclosing write: see [`Store::update_answer`].
pub(crate) async fn change_answer(
    tx: &mut Tx,
    actor: &Actor,
    now: OffsetDateTime,
    rules: AnswerRules<'_>,
    answer_id: Uuid,
    answer: &Answer,
    expected_version: i64,
) -> StoreResult<Audited<AnswerRecord>> {
    let current = answer_by_id(tx, answer_id).await?;
    let assessment = assessment_by_id(tx, current.assessment_id).await?;
    refuse_if_final(&assessment)?;
    if current.version != expected_version {
        return Err(conflict(current));
    }
    rules.check(&current.sub_practice, answer)?;
    let status_changed = current.answer.status != answer.status;
    let mut answer = answer.clone();
    if status_changed && answer.since.is_none() {
        answer.since = Some(now.date());
    }
    let row = AnswerRow::new(
        answer_id,
        current.assessment_id,
        &current.sub_practice,
        &answer,
        expected_version + 1,
        now,
        actor.to_string(),
    )?;
    let updated = execute!(
        tx,
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
        &row.updated_by
    )?;
    if updated == 0 {
        // Another writer committed between our read and our update (PostgreSQL).
        return Err(conflict(answer_by_id(tx, answer_id).await?));
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
        .insert(tx)
        .await?;
    }
    let record = row.into_record()?;
    let change = Change::new("answer.updated", "answer", answer_id)
        .organization(assessment.organization_id)
        .before(&current.payload())?
        .after(&record.payload())?;
    Ok(Audited::new(record, change))
}
