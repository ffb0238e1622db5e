//! What a server needs to let people in: an account by email with its password hash (which
//! leaves the store only for checking a password), an account by id, how many accounts exist,
//! and the organizations a person belongs to.

use uuid::Uuid;

use crate::Store;
use crate::access::{check_email, user_by_id};
use crate::actor::Actor;
use crate::audit::{Audited, Change};
use crate::db::{execute, fetch_all, fetch_optional, fetch_scalar};
use crate::error::{Entity, StoreError, StoreResult};
use crate::records::{ApiTokenRecord, MembershipRecord, Role, UserRecord};
use crate::rows::{
    ApiTokenRow, MembershipRow, UserRow, api_token_columns, membership_columns, user_columns,
};

const SELECT_USER_BY_EMAIL: &str = concat!(
    "SELECT ",
    user_columns!(),
    " FROM users WHERE lower(email) = lower($1)"
);

/// An account and the hash its password is checked against (`None`: it has no password and
/// cannot sign in with one).
#[derive(Debug, Clone)]
pub struct Credentials {
    pub user: UserRecord,
    pub password_hash: Option<String>,
}

/// One organization a person belongs to, with their role there.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Affiliation {
    pub organization_id: Uuid,
    pub organization_name: String,
    pub role: Role,
}

#[derive(sqlx::FromRow)]
struct AffiliationRow {
    organization_id: Uuid,
    organization_name: String,
    role: String,
}

impl Store {
    /// The account with this email (compared without regard to case), for signing in.
    pub async fn credentials(&self, email: &str) -> StoreResult<Option<Credentials>> {
        let email = email.trim();
        let row = self
            .read(async |tx| Ok(fetch_optional!(tx, UserRow, SELECT_USER_BY_EMAIL, email)?))
            .await?;
        Ok(row.map(|row| Credentials {
            password_hash: row.password_hash.clone(),
            user: row.into_record(),
        }))
    }

    pub async fn user(&self, id: Uuid) -> StoreResult<UserRecord> {
        self.lookup(async |tx| user_by_id(tx, id).await).await
    }

    /// How many accounts exist: none means the server still needs its first administrator.
    pub async fn count_users(&self) -> StoreResult<i64> {
        self.read(async |tx| Ok(fetch_scalar!(tx, i64, "SELECT COUNT(*) FROM users")?))
            .await
    }

    /// The organizations `user_id` belongs to, by name.
    pub async fn affiliations(&self, user_id: Uuid) -> StoreResult<Vec<Affiliation>> {
        let rows = self
            .read(async |tx| {
                Ok(fetch_all!(
                    tx,
                    AffiliationRow,
                    "SELECT m.organization_id, o.name AS organization_name, m.role FROM memberships m JOIN organizations o ON o.id = m.organization_id WHERE m.user_id = $1 ORDER BY o.name, o.id",
                    user_id
                )?)
            })
            .await?;
        rows.into_iter()
            .map(|row| {
                Ok(Affiliation {
                    role: row.role.parse().map_err(|e| {
                        StoreError::corrupt(format!("membership of user {user_id}"), e)
                    })?,
                    organization_id: row.organization_id,
                    organization_name: row.organization_name,
                })
            })
            .collect()
    }
}

const SELECT_TOKENS_OF_USER: &str = concat!(
    "SELECT ",
    api_token_columns!(),
    " FROM api_tokens WHERE user_id = $1 ORDER BY created_at, id"
);

impl Store {
    /// A person's API tokens, revoked and expired ones included, oldest first.
    pub async fn api_tokens_of(&self, user_id: Uuid) -> StoreResult<Vec<ApiTokenRecord>> {
        let rows = self
            .read(async |tx| Ok(fetch_all!(tx, ApiTokenRow, SELECT_TOKENS_OF_USER, user_id)?))
            .await?;
        Ok(rows.iter().map(ApiTokenRow::to_record).collect())
    }
}

#[derive(sqlx::FromRow)]
struct MemberRow {
    #[sqlx(flatten)]
    user: UserRow,
    role: String,
}

impl Store {
    /// The members of an organization with their roles, by email.
    pub async fn members(&self, organization_id: Uuid) -> StoreResult<Vec<(UserRecord, Role)>> {
        let rows = self
            .read(async |tx| {
                Ok(fetch_all!(
                    tx,
                    MemberRow,
                    "SELECT u.id, u.email, u.display_name, u.password_hash, u.created_at, u.is_admin, m.role FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.organization_id = $1 ORDER BY u.email",
                    organization_id
                )?)
            })
            .await?;
        rows.into_iter()
            .map(|row| {
                let role = row.role.parse().map_err(|e| {
                    StoreError::corrupt(format!("membership in organization {organization_id}"), e)
                })?;
                Ok((row.user.into_record(), role))
            })
            .collect()
    }
}

const SELECT_ALL_USERS: &str = concat!(
    "SELECT ",
    user_columns!(),
    " FROM users ORDER BY lower(email), id"
);

impl Store {
    /// The account with this email (compared without regard to case), without its password.
    pub async fn find_user_by_email(&self, email: &str) -> StoreResult<Option<UserRecord>> {
        Ok(self.credentials(email).await?.map(|found| found.user))
    }

    /// Every account of the installation, by email.
    pub async fn list_users(&self) -> StoreResult<Vec<UserRecord>> {
        let rows = self
            .read(async |tx| Ok(fetch_all!(tx, UserRow, SELECT_ALL_USERS)?))
            .await?;
        Ok(rows.into_iter().map(UserRow::into_record).collect())
    }

    /// Creates the installation's first account, an instance administrator, in one
    /// transaction — only while there is no account at all. Instances sharing one database
    /// take turns here, so of two setup requests at once only one succeeds; the other gets
    /// [`StoreError::AlreadySetUp`].
    pub async fn create_first_admin(
        &self,
        actor: &Actor,
        email: &str,
        display_name: &str,
        password_hash: &str,
    ) -> StoreResult<UserRecord> {
        let email = email.trim();
        check_email(email)?;
        self.write(actor, async |tx, now| {
            // Every write ends by updating the chain head; taking its row lock first makes
            // concurrent setups wait for each other (SQLite's write lock does the same).
            execute!(tx, "UPDATE audit_chain_head SET seq = seq WHERE id = 1")?;
            if fetch_scalar!(tx, i64, "SELECT COUNT(*) FROM users")? > 0 {
                return Err(StoreError::AlreadySetUp);
            }
            let row = UserRow {
                id: Uuid::now_v7(),
                email: email.to_string(),
                display_name: display_name.to_string(),
                password_hash: Some(password_hash.to_string()),
                created_at: now,
                is_admin: true,
            };
            row.insert(tx).await?;
            let record = row.into_record();
            let change = Change::new("user.created", "user", record.id).after(&record)?;
            Ok(Audited::new(record, change))
        })
        .await
    }

    /// Makes a user an instance administrator (who may create organizations and manage
    /// users), or takes that away.
    pub async fn set_user_admin(
        &self,
        actor: &Actor,
        user_id: Uuid,
        is_admin: bool,
    ) -> StoreResult<UserRecord> {
        self.write(actor, async |tx, _now| {
            let before = user_by_id(tx, user_id).await?;
            execute!(
                tx,
                "UPDATE users SET is_admin = $2 WHERE id = $1",
                user_id,
                is_admin
            )?;
            let after = user_by_id(tx, user_id).await?;
            if before == after {
                return Ok(Audited::unchanged(after));
            }
            let change = Change::new("user.admin_set", "user", user_id)
                .before(&before)?
                .after(&after)?;
            Ok(Audited::new(after, change))
        })
        .await
    }

    /// Takes a user out of an organization; `NotFound` when they were not a member.
    pub async fn remove_membership(
        &self,
        actor: &Actor,
        organization_id: Uuid,
        user_id: Uuid,
    ) -> StoreResult<MembershipRecord> {
        self.write(actor, async |tx, now| {
            let key = format!("{organization_id}/{user_id}");
            let before = fetch_optional!(
                tx,
                MembershipRow,
                concat!(
                    "SELECT ",
                    membership_columns!(),
                    " FROM memberships WHERE organization_id = $1 AND user_id = $2"
                ),
                organization_id,
                user_id
            )?
            .ok_or_else(|| StoreError::not_found(Entity::Membership, &key))?
            .into_record()?;
            execute!(
                tx,
                "DELETE FROM memberships WHERE organization_id = $1 AND user_id = $2",
                organization_id,
                user_id
            )?;
            // Items owned by someone outside the organization would point nowhere useful.
            execute!(
                tx,
                "UPDATE action_items SET owner_user_id = NULL, version = version + 1, updated_at = $3 WHERE organization_id = $1 AND owner_user_id = $2",
                organization_id,
                user_id,
                now
            )?;
            let change = Change::new("membership.removed", "membership", key)
                .organization(organization_id)
                .before(&before)?;
            Ok(Audited::new(before, change))
        })
        .await
    }
}
