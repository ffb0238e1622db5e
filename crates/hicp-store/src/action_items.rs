//! The action plan as work: items (one per planned sub-practice) with milestones and a status
//! history.

use std::collections::BTreeMap;

use hicp_engine::Plan;
use uuid::Uuid;

use crate::Store;
use crate::assessments::assessment_by_id;
use crate::audit::{self, Change};
use crate::db::{Mode, Tx, execute, fetch_all, fetch_optional};
use crate::error::{StoreError, StoreResult};
use crate::records::{ActionItemRecord, ActionStatus};
use crate::rows::{ActionItemHistoryRow, ActionItemRow, MilestoneRow};

const ITEM_SELECT_BY_ID: &str = "SELECT id, organization_id, assessment_id, sub_practice, title, period, period_label, start_on, due_on, owner_role, owner, status, cost, effort, estimated_cost, estimated_staff_days, prerequisites, gap_rank, version, created_at, updated_at FROM action_items WHERE id = $1";
const ITEMS_OF_ORGANIZATION: &str = "SELECT id, organization_id, assessment_id, sub_practice, title, period, period_label, start_on, due_on, owner_role, owner, status, cost, effort, estimated_cost, estimated_staff_days, prerequisites, gap_rank, version, created_at, updated_at FROM action_items WHERE organization_id = $1 ORDER BY period, gap_rank, id";
const MILESTONES_OF_ITEM: &str = "SELECT id, action_item_id, position, title, due_on, done_on FROM milestones WHERE action_item_id = $1 ORDER BY position";
const MILESTONES_OF_ORGANIZATION: &str = "SELECT id, action_item_id, position, title, due_on, done_on FROM milestones WHERE action_item_id IN (SELECT id FROM action_items WHERE organization_id = $1) ORDER BY action_item_id, position";
const HISTORY_OF_ITEM: &str = "SELECT id, action_item_id, from_status, to_status, actor, recorded_at FROM action_item_history WHERE action_item_id = $1 ORDER BY id";

fn to_i64<T: TryInto<i64>>(value: T, field: &str) -> StoreResult<i64> {
    value
        .try_into()
        .map_err(|_| StoreError::Invalid(format!("plan item {field} is too large to store")))
}

async fn item_by_id(tx: &mut Tx, id: Uuid) -> StoreResult<ActionItemRecord> {
    let row = fetch_optional!(tx, ActionItemRow, ITEM_SELECT_BY_ID, id)?.ok_or_else(|| {
        StoreError::NotFound {
            what: "action item",
            key: id.to_string(),
        }
    })?;
    let milestones = fetch_all!(tx, MilestoneRow, MILESTONES_OF_ITEM, id)?;
    ActionItemRecord::from_row(row, milestones)
}

impl Store {
    /// Turns the evaluated plan's scheduled items into open action items of the assessment's
    /// organization. Items already recorded for the same assessment and sub-practice are kept
    /// as they are, so recording a plan twice adds nothing.
    pub async fn record_plan(
        &self,
        actor: &str,
        assessment_id: Uuid,
        plan: &Plan,
    ) -> StoreResult<Vec<ActionItemRecord>> {
        let mut tx = self.db.begin(Mode::Write).await?;
        let items = self
            .insert_plan(&mut tx, actor, assessment_id, plan)
            .await?;
        tx.commit().await?;
        Ok(items)
    }

    pub(crate) async fn insert_plan(
        &self,
        tx: &mut Tx,
        actor: &str,
        assessment_id: Uuid,
        plan: &Plan,
    ) -> StoreResult<Vec<ActionItemRecord>> {
        let assessment = assessment_by_id(tx, assessment_id).await?;
        let now = self.now();
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
                prerequisites: audit::to_json(&item.prerequisites)?,
                gap_rank: to_i64(item.gap_rank, "gap rank")?,
                version: 1,
                created_at: now,
                updated_at: now,
            };
            let inserted = execute!(
                tx,
                "INSERT INTO action_items (id, organization_id, assessment_id, sub_practice, title, period, period_label, start_on, due_on, owner_role, owner, status, cost, effort, estimated_cost, estimated_staff_days, prerequisites, gap_rank, version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21) ON CONFLICT (assessment_id, sub_practice) DO NOTHING",
                row.id,
                row.organization_id,
                row.assessment_id,
                &row.sub_practice,
                &row.title,
                row.period,
                &row.period_label,
                row.start_on,
                row.due_on,
                &row.owner_role,
                &row.owner,
                &row.status,
                &row.cost,
                &row.effort,
                row.estimated_cost,
                row.estimated_staff_days,
                &row.prerequisites,
                row.gap_rank,
                row.version,
                row.created_at,
                row.updated_at
            )?;
            if inserted == 0 {
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
            created.push(ActionItemRecord::from_row(row, milestones)?);
        }
        if !created.is_empty() {
            let change = Change::new("plan.recorded", "assessment", assessment_id)
                .organization(assessment.organization_id)
                .after(&created)?;
            audit::record(tx, now, actor, change).await?;
        }
        Ok(created)
    }

    /// The organization's action items by period and rank, with their milestones.
    pub async fn action_items(&self, organization_id: Uuid) -> StoreResult<Vec<ActionItemRecord>> {
        let mut tx = self.db.begin(Mode::Snapshot).await?;
        let rows = fetch_all!(
            &mut tx,
            ActionItemRow,
            ITEMS_OF_ORGANIZATION,
            organization_id
        )?;
        let milestones = fetch_all!(
            &mut tx,
            MilestoneRow,
            MILESTONES_OF_ORGANIZATION,
            organization_id
        )?;
        tx.commit().await?;
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
                ActionItemRecord::from_row(row, milestones)
            })
            .collect()
    }

    /// Moves an action item to `status` if it is still at `expected_version`.
    pub async fn set_action_item_status(
        &self,
        actor: &str,
        item_id: Uuid,
        status: ActionStatus,
        expected_version: i64,
    ) -> StoreResult<ActionItemRecord> {
        let mut tx = self.db.begin(Mode::Write).await?;
        let before = item_by_id(&mut tx, item_id).await?;
        let now = self.now();
        let updated = execute!(
            &mut tx,
            "UPDATE action_items SET status = $3, version = version + 1, updated_at = $4 WHERE id = $1 AND version = $2",
            item_id,
            expected_version,
            status.as_str(),
            now
        )?;
        if updated == 0 {
            let current = item_by_id(&mut tx, item_id).await?;
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
            .insert(&mut tx)
            .await?;
        }
        let after = item_by_id(&mut tx, item_id).await?;
        let change = Change::new("action_item.status_changed", "action_item", item_id)
            .organization(after.organization_id)
            .before(&before)?
            .after(&after)?;
        audit::record(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Status changes of one action item, oldest first.
    pub async fn action_item_history(
        &self,
        item_id: Uuid,
    ) -> StoreResult<Vec<ActionItemHistoryRow>> {
        let mut tx = self.db.begin(Mode::Snapshot).await?;
        let rows = fetch_all!(&mut tx, ActionItemHistoryRow, HISTORY_OF_ITEM, item_id)?;
        tx.commit().await?;
        Ok(rows)
    }
}
