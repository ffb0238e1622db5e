//! The action plan as work: items (one per planned sub-practice) with milestones and a status
//! history.

use std::collections::BTreeMap;

use hicp_engine::Plan;
use uuid::Uuid;

use time::OffsetDateTime;

use crate::Store;
use crate::actor::Actor;
use crate::assessments::assessment_by_id;
use crate::audit::{Audited, Change};
use crate::db::{Tx, execute, fetch_all, fetch_optional};
use crate::error::{Entity, StoreError, StoreResult};
use crate::records::{ActionItemHistoryRecord, ActionItemRecord, ActionStatus};
use crate::rows::{
    ActionItemHistoryRow, ActionItemRow, MilestoneRow, action_item_columns,
    action_item_history_columns, milestone_columns,
};
use crate::stored::to_json;

const ITEM_SELECT_BY_ID: &str = concat!(
    "SELECT ",
    action_item_columns!(),
    " FROM action_items WHERE id = $1"
);
const ITEMS_OF_ORGANIZATION: &str = concat!(
    "SELECT ",
    action_item_columns!(),
    " FROM action_items WHERE organization_id = $1 ORDER BY period, gap_rank, id"
);
const INSERT_ITEM_ONCE: &str = concat!(
    "INSERT INTO action_items (",
    action_item_columns!(),
    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21) ON CONFLICT (assessment_id, sub_practice) DO NOTHING"
);
const MILESTONES_OF_ITEM: &str = concat!(
    "SELECT ",
    milestone_columns!(),
    " FROM milestones WHERE action_item_id = $1 ORDER BY position"
);
const MILESTONES_OF_ORGANIZATION: &str = concat!(
    "SELECT ",
    milestone_columns!(),
    " FROM milestones WHERE action_item_id IN (SELECT id FROM action_items WHERE organization_id = $1) ORDER BY action_item_id, position"
);
const HISTORY_OF_ITEM: &str = concat!(
    "SELECT ",
    action_item_history_columns!(),
    " FROM action_item_history WHERE action_item_id = $1 ORDER BY id"
);

fn to_i64<T: TryInto<i64>>(value: T, field: &str) -> StoreResult<i64> {
    value
        .try_into()
        .map_err(|_| StoreError::Invalid(format!("plan item {field} is too large to store")))
}

async fn item_by_id(tx: &mut Tx, id: Uuid) -> StoreResult<ActionItemRecord> {
    let row = fetch_optional!(tx, ActionItemRow, ITEM_SELECT_BY_ID, id)?
        .ok_or_else(|| StoreError::not_found(Entity::ActionItem, id))?;
    let milestones = fetch_all!(tx, MilestoneRow, MILESTONES_OF_ITEM, id)?;
    row.into_record(milestones)
}

/// Turns the plan's items into open action items inside an enclosing write.
pub(crate) async fn insert_plan(
    tx: &mut Tx,
    now: OffsetDateTime,
    actor: &Actor,
    assessment_id: Uuid,
    plan: &Plan,
) -> StoreResult<Audited<Vec<ActionItemRecord>>> {
    let assessment = assessment_by_id(tx, assessment_id).await?;
    let mut created = Vec::new();
    for item in &plan.items {
        let row = ActionItemRow {
            id: Uuid::now_v7(),
            organization_id: assessment.organization_id,
            assessment_id,
            sub_practice: item.id.to_string(),
            title: item.title.clone(),
            period: i64::from(item.period),
            period_label: item.period_label.clone(),
            start_on: item.start,
            due_on: item.due,
            owner_role: item.owner_role.clone(),
            owner: item.owner.clone(),
            status: ActionStatus::Open.as_str().to_string(),
            cost: item.cost.as_str().to_string(),
            effort: item.effort.as_str().to_string(),
            estimated_cost: to_i64(item.estimated_cost, "estimated cost")?,
            estimated_staff_days: i64::from(item.estimated_staff_days),
            prerequisites: to_json(&item.prerequisites)?,
            gap_rank: to_i64(item.gap_rank, "gap rank")?,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        if row.insert_once(tx).await? == 0 {
            continue;
        }
        let mut milestones = Vec::new();
        for (position, milestone) in item.milestones.iter().enumerate() {
            let milestone = MilestoneRow {
                id: Uuid::now_v7(),
                action_item_id: row.id,
                position: to_i64(position, "milestone position")?,
                title: milestone.title.clone(),
                due_on: milestone.due,
                done_on: None,
            };
            milestone.insert(tx).await?;
            milestones.push(milestone);
        }
        ActionItemHistoryRow {
            id: Uuid::now_v7(),
            action_item_id: row.id,
            from_status: None,
            to_status: row.status.clone(),
            actor: actor.to_string(),
            recorded_at: now,
        }
        .insert(tx)
        .await?;
        created.push(row.into_record(milestones)?);
    }
    if created.is_empty() {
        return Ok(Audited::unchanged(created));
    }
    let change = Change::new("plan.recorded", "assessment", assessment_id)
        .organization(assessment.organization_id)
        .after(&created)?;
    Ok(Audited::new(created, change))
}

impl ActionItemRow {
    /// Inserts the item unless the assessment already has one for its sub-practice; yields the
    /// number of rows written.
    async fn insert_once(&self, tx: &mut Tx) -> StoreResult<u64> {
        Ok(execute!(
            tx,
            INSERT_ITEM_ONCE,
            self.id,
            self.organization_id,
            self.assessment_id,
            &self.sub_practice,
            &self.title,
            self.period,
            &self.period_label,
            self.start_on,
            self.due_on,
            &self.owner_role,
            &self.owner,
            &self.status,
            &self.cost,
            &self.effort,
            self.estimated_cost,
            self.estimated_staff_days,
            &self.prerequisites,
            self.gap_rank,
            self.version,
            self.created_at,
            self.updated_at
        )?)
    }
}

impl Store {
    /// Turns the evaluated plan's scheduled items into open action items of the assessment's
    /// organization. Items already recorded for the same assessment and sub-practice are kept
    /// as they are, so recording a plan twice adds nothing.
    pub async fn record_plan(
        &self,
        actor: &Actor,
        assessment_id: Uuid,
        plan: &Plan,
    ) -> StoreResult<Vec<ActionItemRecord>> {
        self.write(actor, async |tx, now| {
            insert_plan(tx, now, actor, assessment_id, plan).await
        })
        .await
    }

    /// The organization's action items by period and rank, with their milestones.
    pub async fn action_items(&self, organization_id: Uuid) -> StoreResult<Vec<ActionItemRecord>> {
        let (rows, milestones) = self
            .read(async |tx| {
                let rows = fetch_all!(tx, ActionItemRow, ITEMS_OF_ORGANIZATION, organization_id)?;
                let milestones = fetch_all!(
                    tx,
                    MilestoneRow,
                    MILESTONES_OF_ORGANIZATION,
                    organization_id
                )?;
                Ok((rows, milestones))
            })
            .await?;
        let mut by_item: BTreeMap<Uuid, Vec<MilestoneRow>> = BTreeMap::new();
        for milestone in milestones {
            by_item
                .entry(milestone.action_item_id)
                .or_default()
                .push(milestone);
        }
        rows.into_iter()
            .map(|row| {
                let milestones = by_item.remove(&row.id).unwrap_or_default();
                row.into_record(milestones)
            })
            .collect()
    }

    /// Moves an action item to `status` if it is still at `expected_version`.
    pub async fn set_action_item_status(
        &self,
        actor: &Actor,
        item_id: Uuid,
        status: ActionStatus,
        expected_version: i64,
    ) -> StoreResult<ActionItemRecord> {
        self.write(actor, async |tx, now| {
            let before = item_by_id(tx, item_id).await?;
            let updated = execute!(
                tx,
                "UPDATE action_items SET status = $3, version = version + 1, updated_at = $4 WHERE id = $1 AND version = $2",
                item_id,
                expected_version,
                status.as_str(),
                now
            )?;
            if updated == 0 {
                let current = item_by_id(tx, item_id).await?;
                return Err(StoreError::StaleVersion {
                    current_version: current.version,
                });
            }
            if before.status != status {
                ActionItemHistoryRow {
                    id: Uuid::now_v7(),
                    action_item_id: item_id,
                    from_status: Some(before.status.as_str().to_string()),
                    to_status: status.as_str().to_string(),
                    actor: actor.to_string(),
                    recorded_at: now,
                }
                .insert(tx)
                .await?;
            }
            let after = item_by_id(tx, item_id).await?;
            let change = Change::new("action_item.status_changed", "action_item", item_id)
                .organization(after.organization_id)
                .before(&before)?
                .after(&after)?;
            Ok(Audited::new(after, change))
        })
        .await
    }

    /// Status changes of one action item, oldest first.
    pub async fn action_item_history(
        &self,
        item_id: Uuid,
    ) -> StoreResult<Vec<ActionItemHistoryRecord>> {
        let rows = self
            .read(async |tx| {
                Ok(fetch_all!(
                    tx,
                    ActionItemHistoryRow,
                    HISTORY_OF_ITEM,
                    item_id
                )?)
            })
            .await?;
        rows.into_iter()
            .map(ActionItemHistoryRow::into_record)
            .collect()
    }
}
