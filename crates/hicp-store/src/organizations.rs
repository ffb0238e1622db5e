//! Organizations: create, find, list, update the profile.

use hicp_engine::Organization;
use uuid::Uuid;

use crate::Store;
use crate::audit::{self, Change};
use crate::db::{Mode, Tx, execute, fetch_all, fetch_optional};
use crate::error::{StoreError, StoreResult};
use crate::records::{OrganizationRecord, OrganizationSummary, Profile};
use crate::rows::OrganizationRow;

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: Uuid,
    name: String,
    tier: Option<String>,
    assessments: i64,
}

const SELECT_BY_ID: &str = "SELECT id, name, tier, tier_reason, profile, created_at, updated_at FROM organizations WHERE id = $1";
const SELECT_BY_NAME: &str = "SELECT id, name, tier, tier_reason, profile, created_at, updated_at FROM organizations WHERE name = $1";

/// Turns the database's unique-key refusal into a message about the name.
pub(crate) fn name_taken(name: &str) -> impl FnOnce(StoreError) -> StoreError + '_ {
    move |error| match &error {
        StoreError::Database(sqlx::Error::Database(db)) if db.is_unique_violation() => {
            StoreError::Duplicate(format!(
                "an organization named `{name}` already exists; choose another name"
            ))
        }
        _ => error,
    }
}

fn profile_json(organization: &Organization) -> StoreResult<String> {
    audit::to_json(&Profile {
        sizing: organization.sizing.clone(),
        exposure: organization.exposure.clone(),
    })
}

fn check_name(name: &str) -> StoreResult<()> {
    if name.trim().is_empty() {
        return Err(StoreError::Invalid(
            "an organization needs a name: set `name` under [organization]".to_string(),
        ));
    }
    Ok(())
}

impl Store {
    pub async fn create_organization(
        &self,
        actor: &str,
        organization: &Organization,
    ) -> StoreResult<OrganizationRecord> {
        let mut tx = self.db.begin(Mode::Write).await?;
        let record = self
            .insert_organization(&mut tx, actor, organization)
            .await?;
        tx.commit().await?;
        Ok(record)
    }

    pub(crate) async fn insert_organization(
        &self,
        tx: &mut Tx,
        actor: &str,
        organization: &Organization,
    ) -> StoreResult<OrganizationRecord> {
        check_name(&organization.name)?;
        let now = self.now();
        let row = OrganizationRow {
            id: Uuid::now_v7(),
            name: organization.name.clone(),
            tier: organization.tier.map(|tier| tier.as_str().to_string()),
            tier_reason: organization.tier_reason.clone(),
            profile: profile_json(organization)?,
            created_at: now,
            updated_at: now,
        };
        row.insert(tx)
            .await
            .map_err(name_taken(&organization.name))?;
        let record = OrganizationRecord::try_from(row)?;
        let change = Change::new("organization.created", "organization", record.id)
            .organization(record.id)
            .after(&record)?;
        audit::record(tx, now, actor, change).await?;
        Ok(record)
    }

    /// Replaces name, tier and profile.
    pub async fn update_organization(
        &self,
        actor: &str,
        id: Uuid,
        organization: &Organization,
    ) -> StoreResult<OrganizationRecord> {
        check_name(&organization.name)?;
        let mut tx = self.db.begin(Mode::Write).await?;
        let before = organization_by_id(&mut tx, id).await?;
        let now = self.now();
        execute!(
            &mut tx,
            "UPDATE organizations SET name = $2, tier = $3, tier_reason = $4, profile = $5, updated_at = $6 WHERE id = $1",
            id,
            &organization.name,
            organization.tier.map(|tier| tier.as_str()),
            organization.tier_reason.as_deref(),
            profile_json(organization)?,
            now
        )
        .map_err(StoreError::from)
        .map_err(name_taken(&organization.name))?;
        let after = organization_by_id(&mut tx, id).await?;
        let change = Change::new("organization.updated", "organization", id)
            .organization(id)
            .before(&before)?
            .after(&after)?;
        audit::record(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Every organization with its number of assessments, by name.
    pub async fn list_organizations(&self) -> StoreResult<Vec<OrganizationSummary>> {
        let mut tx = self.db.begin(Mode::Snapshot).await?;
        let rows = fetch_all!(
            &mut tx,
            SummaryRow,
            "SELECT o.id, o.name, o.tier, (SELECT COUNT(*) FROM assessments a WHERE a.organization_id = o.id) AS assessments FROM organizations o ORDER BY o.name, o.id"
        )?;
        tx.commit().await?;
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
        let mut tx = self.db.begin(Mode::Snapshot).await?;
        let key = id_or_name.trim();
        let by_id = match Uuid::parse_str(key) {
            Ok(id) => fetch_optional!(&mut tx, OrganizationRow, SELECT_BY_ID, id)?,
            Err(_) => None,
        };
        let row = match by_id {
            Some(row) => Some(row),
            None => fetch_optional!(&mut tx, OrganizationRow, SELECT_BY_NAME, key)?,
        };
        tx.commit().await?;
        row.ok_or_else(|| StoreError::NotFound {
            what: "organization",
            key: format!("{key} (give its id or exact name; `hicp org list` shows both)"),
        })?
        .try_into()
    }
}

pub(crate) async fn organization_by_id(tx: &mut Tx, id: Uuid) -> StoreResult<OrganizationRecord> {
    fetch_optional!(tx, OrganizationRow, SELECT_BY_ID, id)?
        .ok_or_else(|| StoreError::NotFound {
            what: "organization",
            key: id.to_string(),
        })?
        .try_into()
}
