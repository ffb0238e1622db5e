//! The action plan of an organization: its items, their status and its history.

use axum::Json;
use axum::extract::State;
use hicp_store::{ActionItemHistoryRecord, ActionItemRecord, ActionStatus};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::access::{OrgScope, Permission};
use crate::problem::{ApiResult, Ids, JsonBody, Problem};
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct ItemPath {
    pub org: Uuid,
    pub item: Uuid,
}

#[utoipa::path(get, path = "/api/v1/organizations/{org}/action-items", tag = "plan",
    params(("org" = Uuid, Path)),
    responses((status = 200, description = "By period, with milestones", body = Vec<Object>)))]
pub async fn list(
    State(state): State<AppState>,
    scope: OrgScope,
) -> ApiResult<Json<Vec<ActionItemRecord>>> {
    scope.require(Permission::Read)?;
    Ok(Json(state.store().action_items(scope.id()).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ItemStatusChange {
    /// open, in_progress, done or cancelled.
    pub status: String,
    /// The version read; a change made since is answered 409 with the current item.
    pub version: i64,
}

#[utoipa::path(put, path = "/api/v1/organizations/{org}/action-items/{item}/status", tag = "plan",
    params(("org" = Uuid, Path), ("item" = Uuid, Path)),
    request_body = ItemStatusChange,
    responses(
        (status = 200, body = Object),
        (status = 403, description = "A contributor and not the item's owner", body = crate::problem::ProblemDocument),
        (status = 409, body = crate::problem::ProblemDocument),
    ))]
pub async fn set_status(
    State(state): State<AppState>,
    scope: OrgScope,
    Ids(path): Ids<ItemPath>,
    JsonBody(request): JsonBody<ItemStatusChange>,
) -> ApiResult<Json<ActionItemRecord>> {
    let item = scope.action_item(&state, path.item).await?;
    scope.may_change(Permission::Plan, item.owner.as_deref())?;
    let status: ActionStatus = request
        .status
        .parse()
        .map_err(|e: hicp_store::UnknownWord| Problem::invalid(e.to_string()))?;
    let store = state.store();
    match store
        .set_action_item_status(&scope.caller.actor(), item.id, status, request.version)
        .await
    {
        Ok(updated) => Ok(Json(updated)),
        Err(hicp_store::StoreError::StaleVersion { current_version }) => {
            let current = scope.action_item(&state, item.id).await?;
            Err(Problem::conflict(format!(
                "the item was changed by someone else (it is now at version {current_version})"
            ))
            .with_current(serde_json::to_value(current).unwrap_or_default()))
        }
        Err(other) => Err(other.into()),
    }
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
