//! What a server needs to let people in: an account by email with its password hash (which
//! leaves the store only for checking a password), an account by id, how many accounts exist,
//! and the organizations a person belongs to.

use uuid::Uuid;

use crate::Store;
use crate::access::user_by_id;
use crate::db::{fetch_all, fetch_optional, fetch_scalar};
use crate::error::{StoreError, StoreResult};
use crate::records::{ApiTokenRecord, Role, UserRecord};
use crate::rows::{ApiTokenRow, UserRow, api_token_columns, user_columns};

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
        self.read(async |tx| user_by_id(tx, id).await).await
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
                    "SELECT u.id, u.email, u.display_name, u.password_hash, u.created_at, m.role FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.organization_id = $1 ORDER BY u.email",
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
