//! Organizations: the ones a person belongs to, a new one, one at a glance, its members and
//! the state of the audit trail.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use hicp_engine::{Exposure, Organization, Sizing};
use hicp_store::{OrganizationRecord, Role};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::access::{OrgScope, Permission};
use crate::api::account::Affiliation;
use crate::caller::Caller;
use crate::problem::{ApiResult, Ids, JsonBody, Problem};
use crate::state::AppState;

#[utoipa::path(get, operation_id = "list_organizations", path = "/api/v1/organizations", tag = "organizations",
    responses((status = 200, description = "The organizations the caller belongs to", body = Vec<Affiliation>)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<Affiliation>>> {
    let affiliations = state.store().affiliations(caller.user.id).await?;
    Ok(Json(
        affiliations
            .into_iter()
            .map(|a| Affiliation {
                id: a.organization_id,
                name: a.organization_name,
                role: a.role.to_string(),
            })
            .collect(),
    ))
}

/// A new organization's profile: what the tier recommendation and the risk weights use.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewOrganization {
    pub name: String,
    /// Head counts and sizes (providers, beds, workforce, it_staff, security_staff,
    /// endpoints, sites); see docs/assessment-format.md.
    #[schema(value_type = Object)]
    #[serde(default)]
    pub sizing: Sizing,
    /// What the organization is exposed to (connected_medical_devices, remote_access, ...).
    #[schema(value_type = Object)]
    #[serde(default)]
    pub exposure: Exposure,
}

#[utoipa::path(post, operation_id = "create_organization", path = "/api/v1/organizations", tag = "organizations",
    request_body = NewOrganization,
    responses(
        (status = 201, description = "Created; the caller is its administrator", body = Object),
        (status = 409, description = "The name is taken", body = crate::problem::ProblemDocument),
    ))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(request): JsonBody<NewOrganization>,
) -> ApiResult<(StatusCode, Json<OrganizationRecord>)> {
    let record = create_organization(
        &state,
        &caller,
        Organization {
            name: request.name,
            sizing: request.sizing,
            exposure: request.exposure,
            ..Organization::default()
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(record)))
}

/// Creates an organization with `caller` as its administrator: the rule for the API and the
/// getting-started page alike. A `tier` other than the recommended one is kept with its
/// `tier_reason`.
pub async fn create_organization(
    state: &AppState,
    caller: &Caller,
    mut organization: Organization,
) -> ApiResult<OrganizationRecord> {
    if !caller.user.is_admin {
        return Err(Problem::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "only an instance administrator creates organizations; ask the person who set up hicp",
        ));
    }
    let name = organization.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(Problem::invalid(
            "an organization needs a name of 1 to 200 characters",
        ));
    }
    organization.name = name.to_string();
    let store = state.store();
    let actor = caller.actor();
    let record = store.create_organization(&actor, &organization).await?;
    store
        .set_membership(&actor, record.id, caller.user.id, Role::Admin)
        .await?;
    Ok(record)
}

#[utoipa::path(get, path = "/api/v1/organizations/{org}", tag = "organizations",
    params(("org" = Uuid, Path)),
    responses(
        (status = 200, description = "Profile, assessments, plan counts and the latest scores (as `hicp org show --format json`)", body = Object),
        (status = 404, description = "No such record in this organization", body = crate::problem::ProblemDocument),
    ))]
pub async fn overview(
    State(state): State<AppState>,
    scope: OrgScope,
) -> ApiResult<Json<hicp_app::organizations::Overview>> {
    scope.require(Permission::Read)?;
    let overview = hicp_app::organizations::overview(
        state.store(),
        &scope.id().to_string(),
        state.catalog(),
        state.today(),
    )
    .await?;
    Ok(Json(overview))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Member {
    pub user: Uuid,
    pub email: String,
    pub role: String,
}

#[utoipa::path(get, path = "/api/v1/organizations/{org}/members", tag = "organizations",
    params(("org" = Uuid, Path)),
    responses((status = 200, description = "OK", body = Vec<Member>), (status = 403, description = "Your role in this organization does not allow it", body = crate::problem::ProblemDocument)))]
pub async fn members(
    State(state): State<AppState>,
    scope: OrgScope,
) -> ApiResult<Json<Vec<Member>>> {
    member_list(&state, &scope).await.map(Json)
}

/// The organization's members and their roles; administrators only.
pub async fn member_list(state: &AppState, scope: &OrgScope) -> ApiResult<Vec<Member>> {
    scope.require(Permission::Administer)?;
    let members = state.store().members(scope.id()).await?;
    Ok(members
        .into_iter()
        .map(|(user, role)| Member {
            user: user.id,
            email: user.email,
            role: role.to_string(),
        })
        .collect())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct SetMember {
    /// The account's email; it must exist already.
    pub email: String,
    /// One of admin, assessor, contributor, viewer, auditor.
    pub role: String,
}

#[utoipa::path(put, path = "/api/v1/organizations/{org}/members", tag = "organizations",
    params(("org" = Uuid, Path)),
    request_body = SetMember,
    responses((status = 200, description = "OK", body = Member), (status = 403, description = "Your role in this organization does not allow it", body = crate::problem::ProblemDocument)))]
pub async fn set_member(
    State(state): State<AppState>,
    scope: OrgScope,
    JsonBody(request): JsonBody<SetMember>,
) -> ApiResult<Json<Member>> {
    put_member(&state, &scope, &request).await.map(Json)
}

/// Makes an existing account a member with a role, or changes a member's role.
pub async fn put_member(
    state: &AppState,
    scope: &OrgScope,
    request: &SetMember,
) -> ApiResult<Member> {
    scope.require(Permission::Administer)?;
    let role: Role = request
        .role
        .parse()
        .map_err(|e: hicp_store::UnknownWord| Problem::invalid(e.to_string()))?;
    let store = state.store();
    let user = store
        .credentials(request.email.trim())
        .await?
        .ok_or_else(|| Problem::not_found("account"))?
        .user;
    if user.id == scope.caller.user.id && role != Role::Admin {
        return Err(Problem::invalid(
            "you cannot take away your own administration; another administrator can",
        ));
    }
    store
        .set_membership(&scope.caller.actor(), scope.id(), user.id, role)
        .await?;
    Ok(Member {
        user: user.id,
        email: user.email,
        role: role.to_string(),
    })
}

#[derive(Debug, Deserialize)]
pub struct MemberPath {
    pub org: Uuid,
    pub user: Uuid,
}

#[utoipa::path(delete, path = "/api/v1/organizations/{org}/members/{user}", tag = "organizations",
    params(("org" = Uuid, Path), ("user" = Uuid, Path)),
    responses((status = 204, description = "No longer a member; their items have no owner now"),
        (status = 403, description = "Your role in this organization does not allow it", body = crate::problem::ProblemDocument), (status = 404, description = "No such record in this organization", body = crate::problem::ProblemDocument)))]
pub async fn remove_member(
    State(state): State<AppState>,
    scope: OrgScope,
    Ids(path): Ids<MemberPath>,
) -> ApiResult<StatusCode> {
    drop_member(&state, &scope, path.user).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Ends a member's membership (not one's own); their items are left without an owner.
pub async fn drop_member(state: &AppState, scope: &OrgScope, user: Uuid) -> ApiResult<()> {
    scope.require(Permission::Administer)?;
    if user == scope.caller.user.id {
        return Err(Problem::invalid(
            "you cannot remove yourself; another administrator can",
        ));
    }
    state
        .store()
        .remove_membership(&scope.caller.actor(), scope.id(), user)
        .await?;
    Ok(())
}

#[utoipa::path(delete, path = "/api/v1/organizations/{org}", tag = "organizations",
    params(("org" = Uuid, Path)),
    responses((status = 204, description = "Deleted with its assessments, plan and evidence; the audit trail keeps one event saying so"),
        (status = 403, description = "Your role in this organization does not allow it", body = crate::problem::ProblemDocument)))]
pub async fn delete(State(state): State<AppState>, scope: OrgScope) -> ApiResult<StatusCode> {
    scope.require(Permission::Administer)?;
    state
        .store()
        .delete_organization(&scope.caller.actor(), scope.id())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Whether the audit trail is intact.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditState {
    /// Events checked.
    pub events: u64,
    pub intact: bool,
    /// Where the chain first fails, when it does.
    #[schema(value_type = Option<Object>)]
    pub broken: Option<hicp_store::BrokenLink>,
}

#[utoipa::path(get, path = "/api/v1/organizations/{org}/audit", tag = "organizations",
    params(("org" = Uuid, Path)),
    responses((status = 200, description = "OK", body = AuditState), (status = 403, description = "Your role in this organization does not allow it", body = crate::problem::ProblemDocument)))]
pub async fn audit(State(state): State<AppState>, scope: OrgScope) -> ApiResult<Json<AuditState>> {
    audit_state(&state, &scope).await.map(Json)
}

/// Walks the audit trail's hash chain; for those who may read the trail.
pub async fn audit_state(state: &AppState, scope: &OrgScope) -> ApiResult<AuditState> {
    scope.require(Permission::Audit)?;
    let report = state.store().verify_audit().await?;
    Ok(AuditState {
        events: report.events,
        intact: report.broken.is_none(),
        broken: report.broken,
    })
}

/// Loads an organization export (the bytes of a portable file, as `hicp org export` writes
/// it) into this installation, all of it or nothing. Importing makes an organization, so it
/// takes an instance administrator, as creating one does; the importer is then its
/// administrator unless the file already made them a member.
pub async fn import_export(
    state: &AppState,
    caller: &Caller,
    bytes: Vec<u8>,
) -> ApiResult<hicp_store::portable::ImportOutcome> {
    if !caller.user.is_admin {
        return Err(Problem::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "only an instance administrator imports organizations; ask the person who set up hicp",
        ));
    }
    let file = off_executor(move || {
        let file = tempfile::NamedTempFile::new()?;
        std::fs::write(file.path(), bytes)?;
        Ok(file)
    })
    .await?;
    let store = state.store();
    let actor = caller.actor();
    let outcome = store
        .import_organization(&actor, file.path(), &mut |_| {})
        .await
        .map_err(|error| match error {
            // The temporary file's name means nothing to the person who uploaded it.
            hicp_store::StoreError::Portable { reason, .. } => Problem::invalid(format!(
                "the file is not a readable hicp organization export ({reason}); nothing was imported"
            )),
            hicp_store::StoreError::WrongPortableKind { found, .. } => Problem::invalid(format!(
                "the file is {found}, not an organization export; nothing was imported"
            )),
            other => other.into(),
        })?;
    if let hicp_store::portable::ImportOutcome::Imported { id, .. } = &outcome
        && store.role_of(*id, caller.user.id).await?.is_none()
    {
        store
            .set_membership(&actor, *id, caller.user.id, Role::Admin)
            .await?;
    }
    Ok(outcome)
}

/// The organization as a portable file (what `hicp org export` writes), for administrators:
/// its name to save it under, and its bytes.
pub async fn export_file(state: &AppState, scope: &OrgScope) -> ApiResult<(String, Vec<u8>)> {
    scope.require(Permission::Administer)?;
    let dir = off_executor(tempfile::tempdir).await?;
    let path = dir.path().join("export.zip");
    state.store().export_organization(scope.id(), &path).await?;
    let bytes = off_executor(move || std::fs::read(path)).await?;
    let slug: String = scope
        .organization
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let slug = slug
        .split('-')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    Ok((format!("hicp-{slug}-{}.zip", state.today()), bytes))
}

/// File work on a blocking thread, its failure a server error.
async fn off_executor<T: Send + 'static>(
    work: impl FnOnce() -> std::io::Result<T> + Send + 'static,
) -> ApiResult<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| Problem::internal(&e))?
        .map_err(|e| Problem::internal(&e))
}
