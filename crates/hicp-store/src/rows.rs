//! One struct per table, exactly as stored. These rows are what export, import, backup and
//! restore move, so a round trip through a portable file is lossless by construction; the typed
//! records in [`crate::records`] are built from them.

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::db::{Tx, execute, fetch_all};
use crate::error::StoreResult;

time::serde::format_description!(iso_date, Date, "[year]-[month]-[day]");

/// Which rows a read covers: the whole database (backup) or one organization (export).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Scope {
    Everything,
    Organization(Uuid),
}

/// Declares a row type's columns and how it is read for a scope and written back. The column
/// list is a macro so that `concat!` can build every statement as one static text.
macro_rules! table_io {
    (
        $row:ident, $columns:ident, table: $table:literal, order: $order:literal,
        organization: $org_filter:literal, values: $values:literal,
        [$($field:ident),+ $(,)?]
    ) => {
        impl $row {
            pub(crate) async fn select(tx: &mut Tx, scope: Scope) -> StoreResult<Vec<$row>> {
                Ok(match scope {
                    Scope::Everything => fetch_all!(
                        tx,
                        $row,
                        concat!("SELECT ", $columns!(), " FROM ", $table, " ORDER BY ", $order)
                    )?,
                    Scope::Organization(id) => fetch_all!(
                        tx,
                        $row,
                        concat!(
                            "SELECT ", $columns!(), " FROM ", $table, " WHERE ", $org_filter,
                            " ORDER BY ", $order
                        ),
                        id
                    )?,
                })
            }

            pub(crate) async fn insert(&self, tx: &mut Tx) -> StoreResult<()> {
                execute!(
                    tx,
                    concat!("INSERT INTO ", $table, " (", $columns!(), ") VALUES (", $values, ")")
                    $(, &self.$field)+
                )?;
                Ok(())
            }
        }
    };
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct OrganizationRow {
    pub id: Uuid,
    pub name: String,
    pub tier: Option<String>,
    pub tier_reason: Option<String>,
    /// JSON: `{"sizing": {...}, "exposure": {...}}`.
    pub profile: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

macro_rules! organization_columns {
    () => {
        "id, name, tier, tier_reason, profile, created_at, updated_at"
    };
}

table_io!(
    OrganizationRow,
    organization_columns,
    table: "organizations",
    order: "id",
    organization: "id = $1",
    values: "$1, $2, $3, $4, $5, $6, $7",
    [id, name, tier, tier_reason, profile, created_at, updated_at]
);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct UserRow {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    /// Present in backups; left out of organization exports.
    pub password_hash: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

macro_rules! user_columns {
    () => {
        "id, email, display_name, password_hash, created_at"
    };
}

table_io!(
    UserRow,
    user_columns,
    table: "users",
    order: "id",
    organization: "id IN (SELECT user_id FROM memberships WHERE organization_id = $1)",
    values: "$1, $2, $3, $4, $5",
    [id, email, display_name, password_hash, created_at]
);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct MembershipRow {
    pub organization_id: Uuid,
    pub user_id: Uuid,
    pub role: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

macro_rules! membership_columns {
    () => {
        "organization_id, user_id, role, created_at"
    };
}

table_io!(
    MembershipRow,
    membership_columns,
    table: "memberships",
    order: "organization_id, user_id",
    organization: "organization_id = $1",
    values: "$1, $2, $3, $4",
    [organization_id, user_id, role, created_at]
);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct AssessmentRow {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub title: String,
    pub status: String,
    pub catalog_edition: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub finalized_at: Option<OffsetDateTime>,
}

// Rows are written as drafts: the database refuses answers under a final assessment, so the
// final status is applied after the answers (see `AssessmentRow::apply_status`).
macro_rules! assessment_columns {
    () => {
        "id, organization_id, title, status, catalog_edition, created_at, updated_at, finalized_at"
    };
}

table_io!(
    AssessmentRow,
    assessment_columns,
    table: "assessments",
    order: "id",
    organization: "organization_id = $1",
    values: "$1, $2, $3, CASE WHEN $4 = 'final' THEN 'in_review' ELSE $4 END, $5, $6, $7, NULL",
    [id, organization_id, title, status, catalog_edition, created_at, updated_at]
);

impl AssessmentRow {
    /// Second step of writing a row back: sets the stored status (and when it became final).
    pub(crate) async fn apply_status(&self, tx: &mut Tx) -> StoreResult<()> {
        if self.status == "final" {
            execute!(
                tx,
                "UPDATE assessments SET status = $2, finalized_at = $3, updated_at = $4 WHERE id = $1",
                self.id,
                &self.status,
                self.finalized_at,
                self.updated_at
            )?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct AnswerRow {
    pub id: Uuid,
    pub assessment_id: Uuid,
    pub sub_practice: String,
    pub status: String,
    pub owner: Option<String>,
    pub note: Option<String>,
    #[serde(with = "iso_date::option")]
    pub since: Option<Date>,
    /// JSON array of evidence references.
    pub evidence: String,
    pub justification: Option<String>,
    /// JSON object: question key → status.
    pub questions: String,
    pub version: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    pub updated_by: String,
}

macro_rules! answer_columns {
    () => {
        "id, assessment_id, sub_practice, status, owner, note, since, evidence, justification, questions, version, updated_at, updated_by"
    };
}

table_io!(
    AnswerRow,
    answer_columns,
    table: "answers",
    order: "id",
    organization: "assessment_id IN (SELECT id FROM assessments WHERE organization_id = $1)",
    values: "$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13",
    [id, assessment_id, sub_practice, status, owner, note, since, evidence, justification, questions, version, updated_at, updated_by]
);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct AnswerHistoryRow {
    pub id: Uuid,
    pub assessment_id: Uuid,
    pub sub_practice: String,
    /// `None` for a status recorded as given (from an assessment file's history).
    pub from_status: Option<String>,
    pub to_status: String,
    /// The day `to_status` was reached.
    #[serde(with = "iso_date")]
    pub effective_on: Date,
    /// Since when `from_status` had held, where known.
    #[serde(with = "iso_date::option")]
    pub previous_since: Option<Date>,
    pub actor: String,
    #[serde(with = "time::serde::rfc3339")]
    pub recorded_at: OffsetDateTime,
}

macro_rules! answer_history_columns {
    () => {
        "id, assessment_id, sub_practice, from_status, to_status, effective_on, previous_since, actor, recorded_at"
    };
}

table_io!(
    AnswerHistoryRow,
    answer_history_columns,
    table: "answer_history",
    order: "id",
    organization: "assessment_id IN (SELECT id FROM assessments WHERE organization_id = $1)",
    values: "$1, $2, $3, $4, $5, $6, $7, $8, $9",
    [id, assessment_id, sub_practice, from_status, to_status, effective_on, previous_since, actor, recorded_at]
);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct ActionItemRow {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub assessment_id: Uuid,
    pub sub_practice: String,
    pub title: String,
    pub period: i64,
    pub period_label: String,
    #[serde(with = "iso_date")]
    pub start_on: Date,
    #[serde(with = "iso_date")]
    pub due_on: Date,
    pub owner_role: String,
    pub owner: Option<String>,
    pub status: String,
    pub cost: String,
    pub effort: String,
    pub estimated_cost: i64,
    pub estimated_staff_days: i64,
    /// JSON array of sub-practice ids.
    pub prerequisites: String,
    pub gap_rank: i64,
    pub version: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

macro_rules! action_item_columns {
    () => {
        "id, organization_id, assessment_id, sub_practice, title, period, period_label, start_on, due_on, owner_role, owner, status, cost, effort, estimated_cost, estimated_staff_days, prerequisites, gap_rank, version, created_at, updated_at"
    };
}

table_io!(
    ActionItemRow,
    action_item_columns,
    table: "action_items",
    order: "id",
    organization: "organization_id = $1",
    values: "$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21",
    [id, organization_id, assessment_id, sub_practice, title, period, period_label, start_on, due_on, owner_role, owner, status, cost, effort, estimated_cost, estimated_staff_days, prerequisites, gap_rank, version, created_at, updated_at]
);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct MilestoneRow {
    pub id: Uuid,
    pub action_item_id: Uuid,
    pub position: i64,
    pub title: String,
    #[serde(with = "iso_date")]
    pub due_on: Date,
    #[serde(with = "iso_date::option")]
    pub done_on: Option<Date>,
}

macro_rules! milestone_columns {
    () => {
        "id, action_item_id, position, title, due_on, done_on"
    };
}

table_io!(
    MilestoneRow,
    milestone_columns,
    table: "milestones",
    order: "id",
    organization: "action_item_id IN (SELECT id FROM action_items WHERE organization_id = $1)",
    values: "$1, $2, $3, $4, $5, $6",
    [id, action_item_id, position, title, due_on, done_on]
);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct ActionItemHistoryRow {
    pub id: Uuid,
    pub action_item_id: Uuid,
    pub from_status: Option<String>,
    pub to_status: String,
    pub actor: String,
    #[serde(with = "time::serde::rfc3339")]
    pub recorded_at: OffsetDateTime,
}

macro_rules! action_item_history_columns {
    () => {
        "id, action_item_id, from_status, to_status, actor, recorded_at"
    };
}

table_io!(
    ActionItemHistoryRow,
    action_item_history_columns,
    table: "action_item_history",
    order: "id",
    organization: "action_item_id IN (SELECT id FROM action_items WHERE organization_id = $1)",
    values: "$1, $2, $3, $4, $5, $6",
    [id, action_item_id, from_status, to_status, actor, recorded_at]
);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct EvidenceRow {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub answer_id: Option<Uuid>,
    pub file_name: String,
    pub media_type: String,
    pub size_bytes: i64,
    /// Lowercase hex SHA-256 of the bytes; also their name in the evidence folder.
    pub sha256: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub created_by: String,
}

macro_rules! evidence_columns {
    () => {
        "id, organization_id, answer_id, file_name, media_type, size_bytes, sha256, created_at, created_by"
    };
}

table_io!(
    EvidenceRow,
    evidence_columns,
    table: "evidence",
    order: "id",
    organization: "organization_id = $1",
    values: "$1, $2, $3, $4, $5, $6, $7, $8, $9",
    [id, organization_id, answer_id, file_name, media_type, size_bytes, sha256, created_at, created_by]
);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct MetricObservationRow {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub metric: String,
    pub value: f64,
    pub unit: Option<String>,
    #[serde(with = "iso_date")]
    pub observed_on: Date,
    pub source: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

macro_rules! metric_observation_columns {
    () => {
        "id, organization_id, metric, value, unit, observed_on, source, created_at"
    };
}

table_io!(
    MetricObservationRow,
    metric_observation_columns,
    table: "metric_observations",
    order: "id",
    organization: "organization_id = $1",
    values: "$1, $2, $3, $4, $5, $6, $7, $8",
    [id, organization_id, metric, value, unit, observed_on, source, created_at]
);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct ApiTokenRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    /// SHA-256 of the secret; the secret itself is shown once and never stored.
    pub token_hash: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub expires_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<OffsetDateTime>,
}

// Tokens and sessions belong to the installation: backups carry them, organization exports do not
// (see `portable::dataset`); the organization filter names the rows of the organization's members.
macro_rules! api_token_columns {
    () => {
        "id, user_id, name, token_hash, created_at, expires_at, revoked_at"
    };
}

table_io!(
    ApiTokenRow,
    api_token_columns,
    table: "api_tokens",
    order: "id",
    organization: "user_id IN (SELECT user_id FROM memberships WHERE organization_id = $1)",
    values: "$1, $2, $3, $4, $5, $6, $7",
    [id, user_id, name, token_hash, created_at, expires_at, revoked_at]
);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct SessionRow {
    /// SHA-256 of the session id held in the browser's cookie.
    pub id_hash: String,
    pub user_id: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

macro_rules! session_columns {
    () => {
        "id_hash, user_id, created_at, expires_at"
    };
}

table_io!(
    SessionRow,
    session_columns,
    table: "sessions",
    order: "id_hash",
    organization: "user_id IN (SELECT user_id FROM memberships WHERE organization_id = $1)",
    values: "$1, $2, $3, $4",
    [id_hash, user_id, created_at, expires_at]
);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct AuditEventRow {
    /// Position in this database's chain (1, 2, ...).
    pub seq: i64,
    pub id: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub occurred_at: OffsetDateTime,
    pub actor: String,
    /// e.g. `answer.updated`.
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub organization_id: Option<Uuid>,
    /// JSON text of the object before and after the change, exactly as hashed.
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

macro_rules! audit_event_columns {
    () => {
        "seq, id, occurred_at, actor, action, object_type, object_id, organization_id, before_json, after_json, prev_hash, hash"
    };
}

table_io!(
    AuditEventRow,
    audit_event_columns,
    table: "audit_events",
    order: "seq",
    organization: "organization_id = $1",
    values: "$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12",
    [seq, id, occurred_at, actor, action, object_type, object_id, organization_id, before_json, after_json, prev_hash, hash]
);
