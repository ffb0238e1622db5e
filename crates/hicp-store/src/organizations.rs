//! Organizations: create, find, list, update the profile.

use hicp_engine::Organization;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::Store;
use crate::actor::Actor;
use crate::audit::{Audited, Change};
use crate::db::{Tx, execute, fetch_all, fetch_optional, fetch_scalar};
use crate::error::{Entity, StoreError, StoreResult};
use crate::records::{OrganizationRecord, OrganizationSummary};
use crate::rows::{OrganizationRow, organization_columns};
use crate::stored::{StoredProfile, StoredSnapshot};

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: Uuid,
    name: String,
    tier: Option<String>,
    assessments: i64,
}

const SELECT_BY_ID: &str = concat!(
    "SELECT ",
    organization_columns!(),
    " FROM organizations WHERE id = $1"
);
const SELECT_BY_NAME: &str = concat!(
    "SELECT ",
    organization_columns!(),
    " FROM organizations WHERE name = $1"
);

/// The error for a name the unique key refused.
pub(crate) fn name_taken(name: &str) -> impl FnOnce(StoreError) -> StoreError + '_ {
    move |error| {
        error.if_unique_violation(|| StoreError::DuplicateOrganizationName {
            name: name.to_string(),
        })
    }
}

fn check_name(name: &str) -> StoreResult<()> {
    if name.trim().is_empty() {
        return Err(StoreError::Invalid(
            "an organization needs a name".to_string(),
        ));
    }
    Ok(())
}

/// Inserts an organization inside an enclosing write.
pub(crate) async fn insert_organization(
    tx: &mut Tx,
    now: OffsetDateTime,
    organization: &Organization,
) -> StoreResult<Audited<OrganizationRecord>> {
    check_name(&organization.name)?;
    let row = OrganizationRow {
        id: Uuid::now_v7(),
        name: organization.name.clone(),
        tier: organization.tier.map(|tier| tier.as_str().to_string()),
        tier_reason: organization.tier_reason.clone(),
        profile: StoredProfile::encode(organization)?,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    row.insert(tx)
        .await
        .map_err(name_taken(&organization.name))?;
    let record = row.into_record()?;
    let change = Change::new("organization.created", "organization", record.id)
        .organization(record.id)
        .after(&record.payload())?;
    Ok(Audited::new(record, change))
}

impl Store {
    pub async fn create_organization(
        &self,
        actor: &Actor,
        organization: &Organization,
    ) -> StoreResult<OrganizationRecord> {
        self.write(actor, async |tx, now| {
            insert_organization(tx, now, organization).await
        })
        .await
    }

    /// Replaces name, tier and profile, whatever changed since they were read (for a single
    /// local user; editors sharing a server use [`Store::update_organization_checked`]).
    pub async fn update_organization(
        &self,
        actor: &Actor,
        id: Uuid,
        organization: &Organization,
    ) -> StoreResult<OrganizationRecord> {
        self.replace_organization(actor, id, organization, None)
            .await
    }

    /// Replaces name, tier and profile if the organization is still at `expected_version`;
    /// otherwise fails with [`StoreError::StaleOrganization`] carrying it as it is now.
    pub async fn update_organization_checked(
        &self,
        actor: &Actor,
        id: Uuid,
        organization: &Organization,
        expected_version: i64,
    ) -> StoreResult<OrganizationRecord> {
        self.replace_organization(actor, id, organization, Some(expected_version))
            .await
    }

    async fn replace_organization(
        &self,
        actor: &Actor,
        id: Uuid,
        organization: &Organization,
        expected_version: Option<i64>,
    ) -> StoreResult<OrganizationRecord> {
        check_name(&organization.name)?;
        let profile = StoredProfile::encode(organization)?;
        self.write(actor, async |tx, now| {
            let before = organization_by_id(tx, id).await?;
            // The version check is in the UPDATE itself, so of two editors only one wins.
            let updated = execute!(
                tx,
                "UPDATE organizations SET name = $2, tier = $3, tier_reason = $4, profile = $5, updated_at = $6, version = version + 1 WHERE id = $1 AND version = coalesce($7, version)",
                id,
                &organization.name,
                organization.tier.map(|tier| tier.as_str()),
                organization.tier_reason.as_deref(),
                &profile,
                now,
                expected_version
            )
            .map_err(StoreError::from)
            .map_err(name_taken(&organization.name))?;
            if updated == 0 {
                let current = organization_by_id(tx, id).await?;
                return Err(StoreError::StaleOrganization {
                    current_version: current.version,
                    current: Box::new(current),
                });
            }
            // Assessments still being worked on follow the profile; final ones keep theirs.
            execute!(
                tx,
                "UPDATE assessments SET organization_snapshot = $2 WHERE organization_id = $1 AND status <> 'final'",
                id,
                StoredSnapshot::encode(organization)?
            )?;
            let after = organization_by_id(tx, id).await?;
            let change = Change::new("organization.updated", "organization", id)
                .organization(id)
                .before(&before.payload())?
                .after(&after.payload())?;
            Ok(Audited::new(after, change))
        })
        .await
    }

    /// Every organization with its number of assessments, by name.
    pub async fn list_organizations(&self) -> StoreResult<Vec<OrganizationSummary>> {
        let rows = self
            .read(async |tx| {
                Ok(fetch_all!(
                    tx,
                    SummaryRow,
                    "SELECT o.id, o.name, o.tier, (SELECT COUNT(*) FROM assessments a WHERE a.organization_id = o.id) AS assessments FROM organizations o ORDER BY o.name, o.id"
                )?)
            })
            .await?;
        rows.into_iter()
            .map(|row| {
                Ok(OrganizationSummary {
                    tier: row
                        .tier
                        .as_deref()
                        .map(str::parse)
                        .transpose()
                        .map_err(|e| StoreError::corrupt(format!("organization {}", row.id), e))?,
                    id: row.id,
                    name: row.name,
                    assessments: row.assessments,
                })
            })
            .collect()
    }

    /// Finds an organization by id (UUID) or by exact name.
    pub async fn find_organization(&self, id_or_name: &str) -> StoreResult<OrganizationRecord> {
        let key = id_or_name.trim();
        let row = self
            .lookup(async |tx| {
                if let Ok(id) = Uuid::parse_str(key)
                    && let Some(row) = fetch_optional!(tx, OrganizationRow, SELECT_BY_ID, id)?
                {
                    return Ok(Some(row));
                }
                Ok(fetch_optional!(tx, OrganizationRow, SELECT_BY_NAME, key)?)
            })
            .await?;
        row.ok_or_else(|| StoreError::not_found(Entity::Organization, key))?
            .into_record()
    }
}

pub(crate) async fn organization_by_id(tx: &mut Tx, id: Uuid) -> StoreResult<OrganizationRecord> {
    fetch_optional!(tx, OrganizationRow, SELECT_BY_ID, id)?
        .ok_or_else(|| StoreError::not_found(Entity::Organization, id))?
        .into_record()
}

/// What an organization held when it was deleted, for the audit trail.
#[derive(serde::Serialize)]
struct Deleted {
    organization: crate::stored::OrganizationPayload,
    assessments: i64,
    answers: i64,
    action_items: i64,
    evidence: i64,
    evidence_imports: i64,
    memberships: i64,
}

impl Store {
    /// Deletes an organization with everything that belongs to it: memberships, assessments
    /// (final ones too), answers and their history, the plan, evidence and its bytes, imports
    /// and metrics. Its audit events stay (the trail outlives what it describes), followed by
    /// an `organization.deleted` event recording what was removed, so the chain still verifies.
    /// Who may do this is the caller's decision (the server allows instance administrators).
    pub async fn delete_organization(&self, actor: &Actor, id: Uuid) -> StoreResult<()> {
        self.write(actor, async |tx, _now| {
            let before = organization_by_id(tx, id).await?;
            let count = async |tx: &mut Tx, sql: &'static str| -> StoreResult<i64> {
                Ok(fetch_scalar!(tx, i64, sql, id)?)
            };
            let deleted = Deleted {
                organization: before.payload(),
                assessments: count(tx, "SELECT COUNT(*) FROM assessments WHERE organization_id = $1").await?,
                answers: count(tx, "SELECT COUNT(*) FROM answers WHERE assessment_id IN (SELECT id FROM assessments WHERE organization_id = $1)").await?,
                action_items: count(tx, "SELECT COUNT(*) FROM action_items WHERE organization_id = $1").await?,
                evidence: count(tx, "SELECT COUNT(*) FROM evidence WHERE organization_id = $1").await?,
                evidence_imports: count(tx, "SELECT COUNT(*) FROM evidence_imports WHERE organization_id = $1").await?,
                memberships: count(tx, "SELECT COUNT(*) FROM memberships WHERE organization_id = $1").await?,
            };
            // Foreign keys cascade from the organization to everything below it.
            execute!(tx, "DELETE FROM organizations WHERE id = $1", id)?;
            let change = Change::new("organization.deleted", "organization", id)
                .organization(id)
                .before(&deleted)?;
            Ok(Audited::new((), change))
        })
        .await
    }

    /// The organization a stored thing belongs to, so a caller can check that an id given
    /// under one organization's URL is that organization's. Unknown ids are `NotFound`.
    pub async fn organization_of(&self, entity: Entity, id: Uuid) -> StoreResult<Uuid> {
        let sql = match entity {
            Entity::Organization => "SELECT id FROM organizations WHERE id = $1",
            Entity::Assessment => "SELECT organization_id FROM assessments WHERE id = $1",
            Entity::Answer => {
                "SELECT a.organization_id FROM answers r JOIN assessments a ON a.id = r.assessment_id WHERE r.id = $1"
            }
            Entity::ActionItem => "SELECT organization_id FROM action_items WHERE id = $1",
            Entity::Milestone => {
                "SELECT i.organization_id FROM milestones m JOIN action_items i ON i.id = m.action_item_id WHERE m.id = $1"
            }
            Entity::Evidence => "SELECT organization_id FROM evidence WHERE id = $1",
            Entity::EvidenceImport => "SELECT organization_id FROM evidence_imports WHERE id = $1",
            // A suggestion is computed, not stored: what has an id is a decision taken on one.
            Entity::Suggestion => "SELECT organization_id FROM suggestion_decisions WHERE id = $1",
            Entity::User | Entity::ApiToken | Entity::Membership => {
                return Err(StoreError::Invalid(format!(
                    "a {entity} does not belong to one organization"
                )));
            }
        };
        self.read(async |tx| Ok(fetch_optional!(tx, (Uuid,), sql, id)?))
            .await?
            .map(|(organization_id,)| organization_id)
            .ok_or_else(|| StoreError::not_found(entity, id))
    }
}
