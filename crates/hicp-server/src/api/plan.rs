//! The action plan of an organization: its items, their status and its history.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use hicp_app::Planning;
use hicp_engine::Methodology;
use hicp_store::{
    ActionItemEdit, ActionItemHistoryRecord, ActionItemRecord, ActionOwner, ActionStatus,
};
use serde::Deserialize;
use time::Date;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::access::{OrgScope, Owner, Permission};
use crate::problem::{ApiResult, Ids, JsonBody, Problem};
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct ItemPath {
    pub org: Uuid,
    pub item: Uuid,
}

#[utoipa::path(get, operation_id = "list_action_items", path = "/api/v1/organizations/{org}/action-items", tag = "plan",
    params(("org" = Uuid, Path)),
    responses((status = 200, description = "By period, with milestones", body = Vec<Object>)))]
pub async fn list(
    State(state): State<AppState>,
    scope: OrgScope,
) -> ApiResult<Json<Vec<ActionItemRecord>>> {
    scope.require(Permission::Read)?;
    Ok(Json(state.store().action_items(scope.id()).await?))
}

/// Work to track: a sub-practice the engine plans under these choices that has no action item
/// yet.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewItem {
    /// e.g. `3.S.A`.
    pub sub_practice: String,
    /// The planning choices the plan is read under (as the evaluation takes them).
    #[serde(default)]
    pub budget: Option<u64>,
    #[serde(default)]
    pub staff_days: Option<u32>,
    #[serde(default)]
    pub periods: Option<u32>,
}

#[utoipa::path(post, operation_id = "create_action_item", path = "/api/v1/organizations/{org}/action-items", tag = "plan",
    params(("org" = Uuid, Path)),
    request_body = NewItem,
    responses(
        (status = 201, description = "Tracked, with the engine's dates and milestones; a contributor's own", body = Object),
        (status = 403, description = "Your role in this organization does not allow it", body = crate::problem::ProblemDocument),
        (status = 409, description = "Tracked already, or deferred on purpose", body = crate::problem::ProblemDocument),
        (status = 422, description = "Not in the plan under these choices", body = crate::problem::ProblemDocument),
    ))]
pub async fn create(
    State(state): State<AppState>,
    scope: OrgScope,
    JsonBody(request): JsonBody<NewItem>,
) -> ApiResult<(StatusCode, Json<ActionItemRecord>)> {
    let item = add_item(&state, &scope, &request).await?;
    Ok((StatusCode::CREATED, Json(item)))
}

/// Starts tracking a planned sub-practice of the latest assessment as an action item.
pub async fn add_item(
    state: &AppState,
    scope: &OrgScope,
    request: &NewItem,
) -> ApiResult<ActionItemRecord> {
    let owner = scope.owner_of_new_item()?;
    let store = state.store();
    let latest = store
        .list_assessments(scope.id())
        .await?
        .pop()
        .ok_or_else(|| Problem::not_found("assessment"))?;
    let planning = Planning {
        as_of: None,
        budget: request.budget,
        staff_days: request.staff_days,
        periods: request.periods,
    };
    let evaluated = hicp_app::evaluation::evaluate_stored(
        store,
        state.catalog(),
        &scope.id().to_string(),
        Some(latest.id),
        Methodology::default(),
        planning,
        state.today(),
    )
    .await?;
    let plan = evaluated.evaluation.plan;
    let sub_practice = request.sub_practice.trim();
    let mut planned = plan
        .items
        .into_iter()
        .find(|item| item.id.to_string() == sub_practice)
        .ok_or_else(|| {
            Problem::invalid(format!(
                "{sub_practice} is not in the plan under these choices; only planned work can be tracked"
            ))
        })?;
    if owner.is_some() {
        planned.owner = owner;
    }
    let one = hicp_engine::Plan {
        periods: plan.periods,
        items: vec![planned],
        deferred: Vec::new(),
        budget: plan.budget,
    };
    store
        .record_plan(&scope.caller.actor(), latest.id, &one)
        .await?
        .pop()
        .ok_or_else(|| {
            Problem::conflict(format!(
                "{sub_practice} is tracked already, or was deferred on purpose"
            ))
        })
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ItemStatusChange {
    /// open, in_progress, done, cancelled or deferred.
    pub status: String,
    /// Why: required when deferring, kept in the item's history.
    #[serde(default)]
    pub reason: Option<String>,
    /// The version read; a change made since is answered 409 with the current item.
    pub version: i64,
}

/// A stale write: 409 with the item as it now is, so the client can show it.
fn stale(error: hicp_store::StoreError) -> Problem {
    match error {
        hicp_store::StoreError::StaleVersion {
            current_version,
            current,
        } => Problem::conflict(format!(
            "the item was changed by someone else (it is now at version {current_version})"
        ))
        .with_current(serde_json::to_value(current).unwrap_or_default()),
        other => other.into(),
    }
}

#[utoipa::path(put, operation_id = "set_action_item_status", path = "/api/v1/organizations/{org}/action-items/{item}/status", tag = "plan",
    params(("org" = Uuid, Path), ("item" = Uuid, Path)),
    request_body = ItemStatusChange,
    responses(
        (status = 200, description = "OK", body = Object),
        (status = 403, description = "A contributor and not the item's owner", body = crate::problem::ProblemDocument),
        (status = 409, description = "Changed by someone else since it was read; the record as it is now is under `current`", body = crate::problem::ProblemDocument),
    ))]
pub async fn set_status(
    State(state): State<AppState>,
    scope: OrgScope,
    Ids(path): Ids<ItemPath>,
    JsonBody(request): JsonBody<ItemStatusChange>,
) -> ApiResult<Json<ActionItemRecord>> {
    change_status(&state, &scope, path.item, &request)
        .await
        .map(Json)
}

/// Moves an item of the scope's organization to another status: the plan permission, or a
/// contributor on their own item.
pub async fn change_status(
    state: &AppState,
    scope: &OrgScope,
    item: Uuid,
    request: &ItemStatusChange,
) -> ApiResult<ActionItemRecord> {
    let item = scope.action_item(state, item).await?;
    scope.may_change(Permission::Plan, Owner::of_item(&item))?;
    let status: ActionStatus = request
        .status
        .parse()
        .map_err(|e: hicp_store::UnknownWord| Problem::invalid(e.to_string()))?;
    state
        .store()
        .change_action_item_status(
            &scope.caller.actor(),
            item.id,
            status,
            request.reason.as_deref(),
            request.version,
        )
        .await
        .map_err(stale)
}

/// Who is to own an item: a member of the organization, someone named in text, or nobody.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OwnerChange {
    Nobody,
    User(Uuid),
    Named(String),
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ItemEdit {
    /// A new owner; left out, the owner stays.
    #[serde(default)]
    pub owner: Option<OwnerChange>,
    /// A new due date (YYYY-MM-DD); left out, it stays.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub due_on: Option<Date>,
    pub version: i64,
}

#[utoipa::path(patch, path = "/api/v1/organizations/{org}/action-items/{item}", tag = "plan",
    params(("org" = Uuid, Path), ("item" = Uuid, Path)),
    request_body = ItemEdit,
    responses(
        (status = 200, description = "OK", body = Object),
        (status = 403, description = "Assigning work needs the plan permission", body = crate::problem::ProblemDocument),
        (status = 409, description = "Changed by someone else since it was read; the record as it is now is under `current`", body = crate::problem::ProblemDocument),
    ))]
pub async fn edit(
    State(state): State<AppState>,
    scope: OrgScope,
    Ids(path): Ids<ItemPath>,
    JsonBody(request): JsonBody<ItemEdit>,
) -> ApiResult<Json<ActionItemRecord>> {
    edit_item(&state, &scope, path.item, request)
        .await
        .map(Json)
}

/// Changes the owner and/or due date of an item of the scope's organization.
pub async fn edit_item(
    state: &AppState,
    scope: &OrgScope,
    item: Uuid,
    request: ItemEdit,
) -> ApiResult<ActionItemRecord> {
    // Owners and dates are the plan's shape: a contributor may not reassign work.
    scope.require(Permission::Plan)?;
    let item = scope.action_item(state, item).await?;
    let owner = request.owner.map(|owner| match owner {
        OwnerChange::Nobody => ActionOwner::Nobody,
        OwnerChange::User(id) => ActionOwner::User(id),
        OwnerChange::Named(name) => ActionOwner::Named(name),
    });
    let edit = ActionItemEdit {
        owner,
        due_on: request.due_on,
    };
    state
        .store()
        .update_action_item(&scope.caller.actor(), item.id, edit, request.version)
        .await
        .map_err(stale)
}

#[derive(Debug, Deserialize)]
pub struct MilestonePath {
    pub org: Uuid,
    pub item: Uuid,
    pub milestone: Uuid,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct MilestoneChange {
    /// Ticked off or not.
    pub done: bool,
    /// When it was done (YYYY-MM-DD); default today.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub done_on: Option<Date>,
    /// The item's version read.
    pub version: i64,
}

#[utoipa::path(put, path = "/api/v1/organizations/{org}/action-items/{item}/milestones/{milestone}", tag = "plan",
    params(("org" = Uuid, Path), ("item" = Uuid, Path), ("milestone" = Uuid, Path)),
    request_body = MilestoneChange,
    responses(
        (status = 200, description = "The item with its milestones", body = Object),
        (status = 403, description = "Your role in this organization does not allow it", body = crate::problem::ProblemDocument),
        (status = 409, description = "Changed by someone else since it was read; the record as it is now is under `current`", body = crate::problem::ProblemDocument),
    ))]
pub async fn set_milestone(
    State(state): State<AppState>,
    scope: OrgScope,
    Ids(path): Ids<MilestonePath>,
    JsonBody(request): JsonBody<MilestoneChange>,
) -> ApiResult<Json<ActionItemRecord>> {
    tick_milestone(&state, &scope, path.item, path.milestone, &request)
        .await
        .map(Json)
}

/// Ticks a milestone of an item of the scope's organization off (or back on): the plan
/// permission, or a contributor on their own item.
pub async fn tick_milestone(
    state: &AppState,
    scope: &OrgScope,
    item: Uuid,
    milestone: Uuid,
    request: &MilestoneChange,
) -> ApiResult<ActionItemRecord> {
    let item = scope.action_item(state, item).await?;
    scope.may_change(Permission::Plan, Owner::of_item(&item))?;
    if !item.milestones.iter().any(|m| m.id == milestone) {
        return Err(Problem::not_found("milestone"));
    }
    let done_on = request
        .done
        .then(|| request.done_on.unwrap_or(state.today()));
    state
        .store()
        .set_milestone_done(&scope.caller.actor(), milestone, done_on, request.version)
        .await
        .map_err(stale)
}

#[utoipa::path(get, path = "/api/v1/organizations/{org}/action-items/{item}/history", tag = "plan",
    params(("org" = Uuid, Path), ("item" = Uuid, Path)),
    responses((status = 200, description = "Status changes, oldest first", body = Vec<Object>)))]
pub async fn history(
    State(state): State<AppState>,
    scope: OrgScope,
    Ids(path): Ids<ItemPath>,
) -> ApiResult<Json<Vec<ActionItemHistoryRecord>>> {
    scope.require(Permission::Read)?;
    let item = scope.action_item(&state, path.item).await?;
    Ok(Json(state.store().action_item_history(item.id).await?))
}
