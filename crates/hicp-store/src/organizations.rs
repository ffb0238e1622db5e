//! Organizations: create, find, list, update the profile.

use hicp_engine::Organization;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::Store;
use crate::actor::Actor;
use crate::audit::{Audited, Change};
use crate::db::{Tx, execute, fetch_all, fetch_optional};
use crate::error::{Entity, StoreError, StoreResult};
use crate::records::{OrganizationRecord, OrganizationSummary};
use crate::rows::{OrganizationRow, organization_columns};
use crate::stored::StoredProfile;

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

    /// Replaces name, tier and profile.
    pub async fn update_organization(
        &self,
        actor: &Actor,
        id: Uuid,
        organization: &Organization,
    ) -> StoreResult<OrganizationRecord> {
        check_name(&organization.name)?;
        let profile = StoredProfile::encode(organization)?;
        self.write(actor, async |tx, now| {
            let before = organization_by_id(tx, id).await?;
            execute!(
                tx,
                "UPDATE organizations SET name = $2, tier = $3, tier_reason = $4, profile = $5, updated_at = $6 WHERE id = $1",
                id,
                &organization.name,
                organization.tier.map(|tier| tier.as_str()),
                organization.tier_reason.as_deref(),
                &profile,
                now
            )
            .map_err(StoreError::from)
            .map_err(name_taken(&organization.name))?;
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
            .read(async |tx| {
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
