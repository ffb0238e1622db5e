//! The action plan as work: items (one per planned sub-practice) with milestones and a status
//! history.

use std::collections::{BTreeMap, BTreeSet};

use hicp_engine::Plan;
use uuid::Uuid;

use time::{Date, OffsetDateTime};

use crate::Store;
use crate::actor::Actor;
use crate::assessments::assessment_by_id;
use crate::audit::{Audited, Change};
use crate::db::{Tx, execute, fetch_all, fetch_optional, fetch_scalar};
use crate::error::{Entity, StoreError, StoreResult};
use crate::records::{ActionItemHistoryRecord, ActionItemRecord, ActionOwner, ActionStatus};
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
    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23) ON CONFLICT (assessment_id, sub_practice) DO NOTHING"
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

/// What [`Store::update_action_item`] changes; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActionItemEdit {
    pub owner: Option<ActionOwner>,
    pub due_on: Option<Date>,
}

/// Moves the item to the next version if it is still at `expected_version`, and yields it as
/// it was. The check is in the `UPDATE` itself, so of two writers at one version only one
/// wins; the other gets [`StoreError::StaleVersion`] with the item as it now is. The rest of
/// the change follows in the same transaction, which now holds the row.
async fn claim(
    tx: &mut Tx,
    item_id: Uuid,
    expected_version: i64,
    now: OffsetDateTime,
) -> StoreResult<ActionItemRecord> {
    let before = item_by_id(tx, item_id).await?;
    let claimed = execute!(
        tx,
        "UPDATE action_items SET version = version + 1, updated_at = $3 WHERE id = $1 AND version = $2",
        item_id,
        expected_version,
        now
    )?;
    if claimed == 0 {
        let current = item_by_id(tx, item_id).await?;
        return Err(StoreError::StaleVersion {
            current_version: current.version,
            current: Box::new(current),
        });
    }
    Ok(before)
}

pub(crate) async fn item_by_id(tx: &mut Tx, id: Uuid) -> StoreResult<ActionItemRecord> {
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
    // A deferral is a decision about the sub-practice, not about one plan: a later plan (of
    // this assessment or a newer one) must not bring the item back as open work.
    let deferred: BTreeSet<String> = fetch_all!(
        tx,
        (String,),
        "SELECT sub_practice FROM action_items WHERE organization_id = $1 AND status = 'deferred'",
        assessment.organization_id
    )?
    .into_iter()
    .map(|(sub_practice,)| sub_practice)
    .collect();
    let mut created = Vec::new();
    for item in &plan.items {
        if deferred.contains(&item.id.to_string()) {
            continue;
        }
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
            owner_user_id: None,
            deferred_reason: None,
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
            reason: None,
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
            self.updated_at,
            self.owner_user_id,
            &self.deferred_reason
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

    /// One action item with its milestones, or `None` when the organization has no such item
    /// (an item of another organization is not found either).
    pub async fn action_item(
        &self,
        organization_id: Uuid,
        id: Uuid,
    ) -> StoreResult<Option<ActionItemRecord>> {
        let item = self
            .read(async |tx| match item_by_id(tx, id).await {
                Ok(item) => Ok(Some(item)),
                Err(StoreError::NotFound { .. }) => Ok(None),
                Err(other) => Err(other),
            })
            .await?;
        Ok(item.filter(|item| item.organization_id == organization_id))
    }

    /// Moves an action item to `status` if it is still at `expected_version`; the same as
    /// [`Store::change_action_item_status`] without a reason (so not for `deferred`).
    pub async fn set_action_item_status(
        &self,
        actor: &Actor,
        item_id: Uuid,
        status: ActionStatus,
        expected_version: i64,
    ) -> StoreResult<ActionItemRecord> {
        self.change_action_item_status(actor, item_id, status, None, expected_version)
            .await
    }

    /// Moves an action item to `status` if it is still at `expected_version`, recording the
    /// move (and `reason`, required for `deferred`) in the item's history. Leaving `deferred`
    /// clears the deferral's reason; the history keeps it.
    pub async fn change_action_item_status(
        &self,
        actor: &Actor,
        item_id: Uuid,
        status: ActionStatus,
        reason: Option<&str>,
        expected_version: i64,
    ) -> StoreResult<ActionItemRecord> {
        let reason = reason.map(str::trim).filter(|reason| !reason.is_empty());
        if status == ActionStatus::Deferred && reason.is_none() {
            return Err(StoreError::Invalid(
                "deferring an action item needs a reason".to_string(),
            ));
        }
        self.write(actor, async |tx, now| {
            let before = claim(tx, item_id, expected_version, now).await?;
            let deferred_reason = reason.filter(|_| status == ActionStatus::Deferred);
            execute!(
                tx,
                "UPDATE action_items SET status = $2, deferred_reason = $3 WHERE id = $1",
                item_id,
                status.as_str(),
                deferred_reason
            )?;
            let reason_changed = status == ActionStatus::Deferred
                && before.deferred_reason.as_deref() != deferred_reason;
            if before.status != status || reason_changed {
                ActionItemHistoryRow {
                    id: Uuid::now_v7(),
                    action_item_id: item_id,
                    from_status: Some(before.status.as_str().to_string()),
                    to_status: status.as_str().to_string(),
                    actor: actor.to_string(),
                    recorded_at: now,
                    reason: reason.map(str::to_string),
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

    /// Changes an item's owner and/or due date if it is still at `expected_version`. A user
    /// owner must be a member of the item's organization.
    pub async fn update_action_item(
        &self,
        actor: &Actor,
        item_id: Uuid,
        edit: ActionItemEdit,
        expected_version: i64,
    ) -> StoreResult<ActionItemRecord> {
        if let Some(ActionOwner::Named(name)) = &edit.owner
            && name.trim().is_empty()
        {
            return Err(StoreError::Invalid(
                "an owner named in text needs a name (or choose nobody)".to_string(),
            ));
        }
        self.write(actor, async |tx, now| {
            let before = claim(tx, item_id, expected_version, now).await?;
            if let Some(owner) = &edit.owner {
                let (user, name) = match owner {
                    ActionOwner::Nobody => (None, None),
                    ActionOwner::Named(name) => (None, Some(name.trim().to_string())),
                    ActionOwner::User(user_id) => {
                        let members = fetch_scalar!(
                            tx,
                            i64,
                            "SELECT COUNT(*) FROM memberships WHERE organization_id = $1 AND user_id = $2",
                            before.organization_id,
                            *user_id
                        )?;
                        if members == 0 {
                            return Err(StoreError::Invalid(format!(
                                "user {user_id} is not a member of this item's organization"
                            )));
                        }
                        (Some(*user_id), None)
                    }
                };
                execute!(
                    tx,
                    "UPDATE action_items SET owner_user_id = $2, owner = $3 WHERE id = $1",
                    item_id,
                    user,
                    name
                )?;
            }
            if let Some(due_on) = edit.due_on {
                execute!(
                    tx,
                    "UPDATE action_items SET due_on = $2 WHERE id = $1",
                    item_id,
                    due_on
                )?;
            }
            let after = item_by_id(tx, item_id).await?;
            let change = Change::new("action_item.updated", "action_item", item_id)
                .organization(after.organization_id)
                .before(&before)?
                .after(&after)?;
            Ok(Audited::new(after, change))
        })
        .await
    }

    /// Marks a milestone done on `done_on` (or not done, with `None`) if its item is still at
    /// `expected_version`; the item's version moves on, as for any change to it.
    pub async fn set_milestone_done(
        &self,
        actor: &Actor,
        milestone_id: Uuid,
        done_on: Option<Date>,
        expected_version: i64,
    ) -> StoreResult<ActionItemRecord> {
        self.write(actor, async |tx, now| {
            let item_id = fetch_optional!(
                tx,
                (Uuid,),
                "SELECT action_item_id FROM milestones WHERE id = $1",
                milestone_id
            )?
            .ok_or_else(|| StoreError::not_found(Entity::Milestone, milestone_id))?
            .0;
            let before = claim(tx, item_id, expected_version, now).await?;
            execute!(
                tx,
                "UPDATE milestones SET done_on = $2 WHERE id = $1",
                milestone_id,
                done_on
            )?;
            let after = item_by_id(tx, item_id).await?;
            let action = if done_on.is_some() {
                "milestone.done"
            } else {
                "milestone.reopened"
            };
            let change = Change::new(action, "milestone", milestone_id)
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
