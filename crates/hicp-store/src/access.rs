//! Who may do what: users, per-organization roles, API tokens and sessions (stored hashed),
//! and the metric observations an organization records over time.

use time::{Date, Duration, OffsetDateTime};
use uuid::Uuid;

use crate::Store;
use crate::audit::{self, Change};
use crate::db::{Mode, execute, fetch_all, fetch_optional};
use crate::digest::{hex, sha256_hex};
use crate::error::{StoreError, StoreResult};
use crate::records::Role;
use crate::rows::{ApiTokenRow, MembershipRow, MetricObservationRow, SessionRow, UserRow};

/// How API token secrets begin, so a leaked one is recognizable.
pub const SECRET_PREFIX: &str = "hicp_";

/// A random secret: the prefix and 32 bytes from the operating system, in hex.
fn new_secret() -> StoreResult<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| StoreError::Invalid(format!("the system has no randomness to offer: {e}")))?;
    Ok(format!("{SECRET_PREFIX}{}", hex(&bytes)))
}

/// A measurement to record, e.g. the share of staff who passed phishing training.
#[derive(Debug, Clone)]
pub struct NewMetric<'a> {
    pub organization_id: Uuid,
    pub metric: &'a str,
    pub value: f64,
    pub unit: Option<&'a str>,
    pub observed_on: Date,
    pub source: Option<&'a str>,
}

const SELECT_TOKEN_BY_HASH: &str = "SELECT id, user_id, name, token_hash, created_at, expires_at, revoked_at FROM api_tokens WHERE token_hash = $1";
const SELECT_SESSION_BY_HASH: &str =
    "SELECT id_hash, user_id, created_at, expires_at FROM sessions WHERE id_hash = $1";

impl Store {
    /// `password_hash` is whatever the caller's password scheme produced (Argon2id in the server).
    pub async fn create_user(
        &self,
        actor: &str,
        email: &str,
        display_name: &str,
        password_hash: Option<&str>,
    ) -> StoreResult<UserRow> {
        let email = email.trim();
        if !email.contains('@') {
            return Err(StoreError::Invalid(format!(
                "`{email}` is not an email address"
            )));
        }
        let now = self.now();
        let row = UserRow {
            id: Uuid::now_v7(),
            email: email.to_string(),
            display_name: display_name.to_string(),
            password_hash: password_hash.map(str::to_string),
            created_at: now,
        };
        let mut tx = self.db.begin(Mode::Write).await?;
        row.insert(&mut tx).await.map_err(|error| match &error {
            StoreError::Database(sqlx::Error::Database(db)) if db.is_unique_violation() => {
                StoreError::Duplicate(format!("a user with the email `{email}` already exists"))
            }
            _ => error,
        })?;
        // The audit record leaves the password hash out.
        let visible = UserRow {
            password_hash: None,
            ..row.clone()
        };
        audit::record(
            &mut tx,
            now,
            actor,
            Change::new("user.created", "user", row.id).after(&visible)?,
        )
        .await?;
        tx.commit().await?;
        Ok(row)
    }

    /// Gives `user_id` the role `role` in the organization (replacing any earlier role).
    pub async fn set_membership(
        &self,
        actor: &str,
        organization_id: Uuid,
        user_id: Uuid,
        role: Role,
    ) -> StoreResult<MembershipRow> {
        let now = self.now();
        let row = MembershipRow {
            organization_id,
            user_id,
            role: role.as_str().to_string(),
            created_at: now,
        };
        let mut tx = self.db.begin(Mode::Write).await?;
        let before = fetch_optional!(
            &mut tx,
            MembershipRow,
            "SELECT organization_id, user_id, role, created_at FROM memberships WHERE organization_id = $1 AND user_id = $2",
            organization_id,
            user_id
        )?;
        execute!(
            &mut tx,
            "INSERT INTO memberships (organization_id, user_id, role, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (organization_id, user_id) DO UPDATE SET role = $3",
            organization_id,
            user_id,
            &row.role,
            now
        )?;
        let mut change = Change::new(
            "membership.set",
            "membership",
            format!("{organization_id}/{user_id}"),
        )
        .organization(organization_id)
        .after(&row)?;
        if let Some(before) = &before {
            change = change.before(before)?;
        }
        audit::record(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(row)
    }

    /// The role of a user in an organization, if any.
    pub async fn role_of(&self, organization_id: Uuid, user_id: Uuid) -> StoreResult<Option<Role>> {
        let mut tx = self.db.begin(Mode::Snapshot).await?;
        let row = fetch_optional!(
            &mut tx,
            MembershipRow,
            "SELECT organization_id, user_id, role, created_at FROM memberships WHERE organization_id = $1 AND user_id = $2",
            organization_id,
            user_id
        )?;
        tx.commit().await?;
        row.map(|row| row.role.parse()).transpose()
    }

    /// Creates an API token and returns it with its secret, which is shown this once: only
    /// its SHA-256 is stored.
    pub async fn create_api_token(
        &self,
        actor: &str,
        user_id: Uuid,
        name: &str,
        expires_at: Option<OffsetDateTime>,
    ) -> StoreResult<(ApiTokenRow, String)> {
        let secret = new_secret()?;
        let now = self.now();
        let row = ApiTokenRow {
            id: Uuid::now_v7(),
            user_id,
            name: name.to_string(),
            token_hash: sha256_hex(secret.as_bytes()),
            created_at: now,
            expires_at: expires_at.map(crate::clock::to_stored_precision),
            revoked_at: None,
        };
        let mut tx = self.db.begin(Mode::Write).await?;
        row.insert(&mut tx).await?;
        audit::record(
            &mut tx,
            now,
            actor,
            Change::new("api_token.created", "api_token", row.id).after(&row)?,
        )
        .await?;
        tx.commit().await?;
        Ok((row, secret))
    }

    /// The token a secret belongs to, if it is known, not revoked and not expired.
    pub async fn authenticate_api_token(&self, secret: &str) -> StoreResult<Option<ApiTokenRow>> {
        let mut tx = self.db.begin(Mode::Snapshot).await?;
        let row = fetch_optional!(
            &mut tx,
            ApiTokenRow,
            SELECT_TOKEN_BY_HASH,
            sha256_hex(secret.as_bytes())
        )?;
        tx.commit().await?;
        let now = self.now();
        Ok(row.filter(|token| {
            token.revoked_at.is_none() && token.expires_at.is_none_or(|expires| expires > now)
        }))
    }

    pub async fn revoke_api_token(&self, actor: &str, token_id: Uuid) -> StoreResult<()> {
        let now = self.now();
        let mut tx = self.db.begin(Mode::Write).await?;
        let changed = execute!(
            &mut tx,
            "UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
            token_id,
            now
        )?;
        if changed == 0 {
            return Err(StoreError::NotFound {
                what: "active API token",
                key: token_id.to_string(),
            });
        }
        audit::record(
            &mut tx,
            now,
            actor,
            Change::new("api_token.revoked", "api_token", token_id),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Starts a session lasting `lifetime`; returns it with the secret for the cookie (only
    /// its hash is stored).
    pub async fn create_session(
        &self,
        user_id: Uuid,
        lifetime: Duration,
    ) -> StoreResult<(SessionRow, String)> {
        let secret = new_secret()?;
        let now = self.now();
        let row = SessionRow {
            id_hash: sha256_hex(secret.as_bytes()),
            user_id,
            created_at: now,
            expires_at: now + lifetime,
        };
        let mut tx = self.db.begin(Mode::Write).await?;
        row.insert(&mut tx).await?;
        let change = Change::new("session.started", "user", user_id);
        audit::record(&mut tx, now, &format!("user:{user_id}"), change).await?;
        tx.commit().await?;
        Ok((row, secret))
    }

    /// The live session for a cookie secret, if any.
    pub async fn find_session(&self, secret: &str) -> StoreResult<Option<SessionRow>> {
        let mut tx = self.db.begin(Mode::Snapshot).await?;
        let row = fetch_optional!(
            &mut tx,
            SessionRow,
            SELECT_SESSION_BY_HASH,
            sha256_hex(secret.as_bytes())
        )?;
        tx.commit().await?;
        let now = self.now();
        Ok(row.filter(|session| session.expires_at > now))
    }

    pub async fn end_session(&self, secret: &str) -> StoreResult<()> {
        let now = self.now();
        let mut tx = self.db.begin(Mode::Write).await?;
        let row = fetch_optional!(
            &mut tx,
            SessionRow,
            SELECT_SESSION_BY_HASH,
            sha256_hex(secret.as_bytes())
        )?;
        if let Some(row) = row {
            execute!(
                &mut tx,
                "DELETE FROM sessions WHERE id_hash = $1",
                &row.id_hash
            )?;
            let change = Change::new("session.ended", "user", row.user_id);
            audit::record(&mut tx, now, &format!("user:{}", row.user_id), change).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn record_metric(
        &self,
        actor: &str,
        metric: NewMetric<'_>,
    ) -> StoreResult<MetricObservationRow> {
        if !metric.value.is_finite() {
            return Err(StoreError::Invalid(format!(
                "metric `{}`: {} is not a number that can be stored",
                metric.metric, metric.value
            )));
        }
        let now = self.now();
        let row = MetricObservationRow {
            id: Uuid::now_v7(),
            organization_id: metric.organization_id,
            metric: metric.metric.to_string(),
            value: metric.value,
            unit: metric.unit.map(str::to_string),
            observed_on: metric.observed_on,
            source: metric.source.map(str::to_string),
            created_at: now,
        };
        let mut tx = self.db.begin(Mode::Write).await?;
        row.insert(&mut tx).await?;
        let change = Change::new("metric.recorded", "metric_observation", row.id)
            .organization(row.organization_id)
            .after(&row)?;
        audit::record(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(row)
    }

    /// An organization's observations of one metric, oldest first.
    pub async fn metric_observations(
        &self,
        organization_id: Uuid,
        metric: &str,
    ) -> StoreResult<Vec<MetricObservationRow>> {
        let mut tx = self.db.begin(Mode::Snapshot).await?;
        let rows = fetch_all!(
            &mut tx,
            MetricObservationRow,
            "SELECT id, organization_id, metric, value, unit, observed_on, source, created_at FROM metric_observations WHERE organization_id = $1 AND metric = $2 ORDER BY observed_on, id",
            organization_id,
            metric
        )?;
        tx.commit().await?;
        Ok(rows)
    }
}
