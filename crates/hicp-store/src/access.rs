//! Who may do what: users, per-organization roles, and API tokens and sessions, whose secrets
//! are stored only as hashes and never leave the store.

use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::Store;
use crate::actor::Actor;
use crate::audit::{Audited, Change};
use crate::db::{Tx, execute, fetch_optional};
use crate::digest::{hex, sha256_hex};
use crate::error::{Entity, StoreError, StoreResult};
use crate::records::{
    ApiTokenRecord, LiveSession, MembershipRecord, OrganizationRecord, Role, SessionRecord,
    UserRecord,
};
use crate::rows::{
    ApiTokenRow, MemberOrganizationRow, MembershipRow, SessionRow, SessionUserRow, UserRow,
    api_token_columns, membership_columns, session_columns, user_columns,
};

/// How API token secrets begin, so a leaked one is recognizable.
pub const SECRET_PREFIX: &str = "hicp_";

const SELECT_USER_BY_ID: &str = concat!("SELECT ", user_columns!(), " FROM users WHERE id = $1");
const SELECT_MEMBERSHIP: &str = concat!(
    "SELECT ",
    membership_columns!(),
    " FROM memberships WHERE organization_id = $1 AND user_id = $2"
);
const UPSERT_MEMBERSHIP: &str = concat!(
    "INSERT INTO memberships (",
    membership_columns!(),
    ") VALUES ($1, $2, $3, $4) ON CONFLICT (organization_id, user_id) DO UPDATE SET role = $3"
);
const SELECT_TOKEN_BY_HASH: &str = concat!(
    "SELECT ",
    api_token_columns!(),
    " FROM api_tokens WHERE token_hash = $1"
);
const SELECT_SESSION_BY_HASH: &str = concat!(
    "SELECT ",
    session_columns!(),
    " FROM sessions WHERE id_hash = $1"
);
// The user's columns qualified, as user_columns! lists them, and the session's renamed where
// the two tables share a name.
const SELECT_LIVE_SESSION: &str = "SELECT u.id, u.email, u.display_name, u.password_hash, \
     u.created_at, u.is_admin, s.created_at AS session_created_at, s.expires_at, s.last_seen_at \
     FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1";
const SELECT_MEMBER_ORGANIZATION: &str = "SELECT m.role, o.id, o.name, o.tier, o.tier_reason, \
     o.profile, o.created_at, o.updated_at, o.version \
     FROM memberships m JOIN organizations o ON o.id = m.organization_id \
     WHERE m.organization_id = $1 AND m.user_id = $2";

/// How stale a session's last use may be recorded: finding a session writes its last use only
/// when the recorded one is older than this (or than half the idle limit, if shorter).
pub const LAST_SEEN_STEP: Duration = Duration::minutes(1);

/// Deletes every session of `user_id` inside an enclosing write.
async fn end_all_sessions(tx: &mut Tx, user_id: Uuid) -> StoreResult<Audited<u64>> {
    let ended = execute!(tx, "DELETE FROM sessions WHERE user_id = $1", user_id)?;
    if ended == 0 {
        return Ok(Audited::unchanged(0));
    }
    let change = Change::new("sessions.ended", "user", user_id)
        .after(&serde_json::json!({ "ended": ended }))?;
    Ok(Audited::new(ended, change))
}

pub(crate) fn check_email(email: &str) -> StoreResult<()> {
    if !email.contains('@') {
        return Err(StoreError::Invalid(format!(
            "`{email}` is not an email address"
        )));
    }
    Ok(())
}

/// A random secret: the prefix and 32 bytes from the operating system, in hex.
fn new_secret() -> StoreResult<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| StoreError::Invalid(format!("the system has no randomness to offer: {e}")))?;
    Ok(format!("{SECRET_PREFIX}{}", hex(&bytes)))
}

pub(crate) async fn user_by_id(tx: &mut Tx, id: Uuid) -> StoreResult<UserRecord> {
    Ok(fetch_optional!(tx, UserRow, SELECT_USER_BY_ID, id)?
        .ok_or_else(|| StoreError::not_found(Entity::User, id))?
        .into_record())
}

async fn session_by_secret(tx: &mut Tx, secret: &str) -> StoreResult<Option<SessionRow>> {
    Ok(fetch_optional!(
        tx,
        SessionRow,
        SELECT_SESSION_BY_HASH,
        sha256_hex(secret.as_bytes())
    )?)
}

impl Store {
    /// `password_hash` is whatever the caller's password scheme produced (Argon2id in the server).
    pub async fn create_user(
        &self,
        actor: &Actor,
        email: &str,
        display_name: &str,
        password_hash: Option<&str>,
    ) -> StoreResult<UserRecord> {
        let email = email.trim();
        check_email(email)?;
        self.write(actor, async |tx, now| {
            let row = UserRow {
                id: Uuid::now_v7(),
                email: email.to_string(),
                display_name: display_name.to_string(),
                password_hash: password_hash.map(str::to_string),
                created_at: now,
                is_admin: false,
            };
            row.insert(tx).await.map_err(|error| {
                error.if_unique_violation(|| StoreError::DuplicateUserEmail {
                    email: email.to_string(),
                })
            })?;
            // The record, and so the audit event, leaves the password hash out.
            let record = row.into_record();
            let change = Change::new("user.created", "user", record.id).after(&record)?;
            Ok(Audited::new(record, change))
        })
        .await
    }

    /// Gives `user_id` the role `role` in the organization (replacing any earlier role).
    pub async fn set_membership(
        &self,
        actor: &Actor,
        organization_id: Uuid,
        user_id: Uuid,
        role: Role,
    ) -> StoreResult<MembershipRecord> {
        self.write(actor, async |tx, now| {
            let before = fetch_optional!(
                tx,
                MembershipRow,
                SELECT_MEMBERSHIP,
                organization_id,
                user_id
            )?
            .map(MembershipRow::into_record)
            .transpose()?;
            execute!(
                tx,
                UPSERT_MEMBERSHIP,
                organization_id,
                user_id,
                role.as_str(),
                now
            )?;
            let record = MembershipRecord {
                organization_id,
                user_id,
                role,
                created_at: now,
            };
            let mut change = Change::new(
                "membership.set",
                "membership",
                format!("{organization_id}/{user_id}"),
            )
            .organization(organization_id)
            .after(&record)?;
            if let Some(before) = &before {
                change = change.before(before)?;
            }
            Ok(Audited::new(record, change))
        })
        .await
    }

    /// The role of a user in an organization, if any.
    /// The caller's role in an organization with the organization itself, or `None` for one
    /// they do not belong to (or that does not exist).
    pub async fn membership_in(
        &self,
        organization_id: Uuid,
        user_id: Uuid,
    ) -> StoreResult<Option<(Role, OrganizationRecord)>> {
        self.lookup(async |tx| {
            fetch_optional!(
                tx,
                MemberOrganizationRow,
                SELECT_MEMBER_ORGANIZATION,
                organization_id,
                user_id
            )?
            .map(MemberOrganizationRow::into_records)
            .transpose()
        })
        .await
    }

    pub async fn role_of(&self, organization_id: Uuid, user_id: Uuid) -> StoreResult<Option<Role>> {
        let row = self
            .lookup(async |tx| {
                Ok(fetch_optional!(
                    tx,
                    MembershipRow,
                    SELECT_MEMBERSHIP,
                    organization_id,
                    user_id
                )?)
            })
            .await?;
        Ok(row
            .map(MembershipRow::into_record)
            .transpose()?
            .map(|membership| membership.role))
    }

    /// Creates an API token and returns it with its secret, which is shown this once: only
    /// its SHA-256 is stored.
    pub async fn create_api_token(
        &self,
        actor: &Actor,
        user_id: Uuid,
        name: &str,
        expires_at: Option<OffsetDateTime>,
    ) -> StoreResult<(ApiTokenRecord, String)> {
        let secret = new_secret()?;
        let record = self
            .write(actor, async |tx, now| {
                let row = ApiTokenRow {
                    id: Uuid::now_v7(),
                    user_id,
                    name: name.to_string(),
                    token_hash: sha256_hex(secret.as_bytes()),
                    created_at: now,
                    expires_at: expires_at.map(crate::clock::to_stored_precision),
                    revoked_at: None,
                };
                row.insert(tx).await?;
                let record = row.to_record();
                let change =
                    Change::new("api_token.created", "api_token", record.id).after(&record)?;
                Ok(Audited::new(record, change))
            })
            .await?;
        Ok((record, secret))
    }

    /// The token a secret belongs to, if it is known, not revoked and not expired.
    pub async fn authenticate_api_token(
        &self,
        secret: &str,
    ) -> StoreResult<Option<ApiTokenRecord>> {
        let hash = sha256_hex(secret.as_bytes());
        let row = self
            .lookup(async |tx| {
                Ok(fetch_optional!(
                    tx,
                    ApiTokenRow,
                    SELECT_TOKEN_BY_HASH,
                    &hash
                )?)
            })
            .await?;
        let now = self.now();
        Ok(row
            .filter(|token| {
                token.revoked_at.is_none() && token.expires_at.is_none_or(|expires| expires > now)
            })
            .map(|token| token.to_record()))
    }

    pub async fn revoke_api_token(&self, actor: &Actor, token_id: Uuid) -> StoreResult<()> {
        self.write(actor, async |tx, now| {
            let changed = execute!(
                tx,
                "UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
                token_id,
                now
            )?;
            if changed == 0 {
                return Err(StoreError::not_found(Entity::ApiToken, token_id));
            }
            Ok(Audited::new(
                (),
                Change::new("api_token.revoked", "api_token", token_id),
            ))
        })
        .await
    }

    /// Starts a session lasting `lifetime` for a known user; returns it with the secret for the
    /// cookie (only its hash is stored). The user is the actor of the event.
    pub async fn create_session(
        &self,
        user_id: Uuid,
        lifetime: Duration,
    ) -> StoreResult<(SessionRecord, String)> {
        let user = self.read(async |tx| user_by_id(tx, user_id).await).await?;
        let actor = Actor::User {
            id: user.id,
            email: user.email,
        };
        let secret = new_secret()?;
        let record = self
            .write(&actor, async |tx, now| {
                let row = SessionRow {
                    id_hash: sha256_hex(secret.as_bytes()),
                    user_id,
                    created_at: now,
                    expires_at: now + lifetime,
                    last_seen_at: Some(now),
                };
                row.insert(tx).await?;
                let change = Change::new("session.started", "user", user_id);
                Ok(Audited::new(row.to_record(), change))
            })
            .await?;
        Ok((record, secret))
    }

    /// The live session for a cookie secret, with its user: `None` when it is unknown, past
    /// its absolute expiry, or unused for longer than `idle`. A live session's last use moves
    /// to now (at most once per [`LAST_SEEN_STEP`], so busy sessions do not write on every
    /// request).
    pub async fn find_session(
        &self,
        secret: &str,
        idle: Duration,
    ) -> StoreResult<Option<LiveSession>> {
        let hash = sha256_hex(secret.as_bytes());
        let row = self
            .lookup(async |tx| {
                Ok(fetch_optional!(
                    tx,
                    SessionUserRow,
                    SELECT_LIVE_SESSION,
                    &hash
                )?)
            })
            .await?;
        let now = self.now();
        let Some(mut live) = row.map(SessionUserRow::into_live) else {
            return Ok(None);
        };
        let session = &mut live.session;
        if session.expires_at <= now || session.last_seen_at + idle <= now {
            return Ok(None);
        }
        if now - session.last_seen_at >= LAST_SEEN_STEP.min(idle / 2) {
            let actor = Actor::System {
                component: "session-use",
            };
            self.write(&actor, async |tx, now| {
                execute!(
                    tx,
                    "UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1 AND last_seen_at < $2",
                    &hash,
                    now
                )?;
                // Bookkeeping, not a change anyone made: nothing for the audit trail.
                Ok(Audited::unchanged(()))
            })
            .await?;
            session.last_seen_at = now;
        }
        Ok(Some(live))
    }

    /// Ends every session of a user (signing out everywhere); yields how many ended.
    pub async fn end_sessions_of_user(&self, actor: &Actor, user_id: Uuid) -> StoreResult<u64> {
        self.write(actor, async |tx, _now| {
            user_by_id(tx, user_id).await?;
            end_all_sessions(tx, user_id).await
        })
        .await
    }

    /// Sets a user's password hash (the caller's scheme, Argon2id in the server) and ends all
    /// of the user's sessions, so a stolen session does not outlive the password change.
    pub async fn set_password_hash(
        &self,
        actor: &Actor,
        user_id: Uuid,
        password_hash: &str,
    ) -> StoreResult<()> {
        self.write(actor, async |tx, _now| {
            user_by_id(tx, user_id).await?;
            execute!(
                tx,
                "UPDATE users SET password_hash = $2 WHERE id = $1",
                user_id,
                password_hash
            )?;
            let mut changes = Vec::new();
            end_all_sessions(tx, user_id)
                .await?
                .into_parts(&mut changes);
            // The hash itself never goes into the trail.
            changes.insert(0, Change::new("user.password_changed", "user", user_id));
            Ok(Audited::all((), changes))
        })
        .await
    }

    /// Removes sessions past their absolute expiry or unused for longer than `idle`; yields
    /// how many were removed.
    pub async fn delete_expired_sessions(&self, idle: Duration) -> StoreResult<u64> {
        let actor = Actor::System {
            component: "session-expiry",
        };
        self.write(&actor, async |tx, now| {
            let removed = execute!(
                tx,
                "DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2",
                now,
                now - idle
            )?;
            if removed == 0 {
                return Ok(Audited::unchanged(0));
            }
            let change = Change::new("sessions.expired", "database", "sessions")
                .after(&serde_json::json!({ "removed": removed }))?;
            Ok(Audited::new(removed, change))
        })
        .await
    }

    /// Ends the session of a cookie secret; an unknown or already ended one is left as it is.
    /// `actor` is whoever ends it: the user signing out, or an administrator.
    pub async fn end_session(&self, actor: &Actor, secret: &str) -> StoreResult<()> {
        self.write(actor, async |tx, _now| {
            let Some(row) = session_by_secret(tx, secret).await? else {
                return Ok(Audited::unchanged(()));
            };
            execute!(tx, "DELETE FROM sessions WHERE id_hash = $1", &row.id_hash)?;
            Ok(Audited::new(
                (),
                Change::new("session.ended", "user", row.user_id),
            ))
        })
        .await
    }
}
