//! One struct per table, exactly as stored. These rows are what export, import, backup and
//! restore move, so a round trip through a portable file is lossless by construction; the typed
//! records in [`crate::records`] are built from them here. Rows stay inside the crate: they
//! carry secrets' hashes and the stored JSON as text.

use std::str::FromStr;

use hicp_catalog::{Band, SubPracticeId, Tier};
use hicp_engine::{Answer, Status};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::db::{Tx, execute, fetch_all};
use crate::error::{StoreError, StoreResult};
use crate::records::{
    ActionItemHistoryRecord, ActionItemRecord, AnswerHistoryRecord, AnswerRecord, ApiTokenRecord,
    AssessmentRecord, EvidenceImportRecord, EvidenceRecord, ImportHostRecord, LiveSession,
    MembershipRecord, MetricObservationRecord, MilestoneRecord, OrganizationRecord, Role,
    SessionRecord, SuggestionDecisionRecord, UserRecord,
};
use crate::stored;

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
    /// Schema 2; version 1 files lack it and read as version 1.
    #[serde(default = "first_version")]
    pub version: i64,
}

fn first_version() -> i64 {
    1
}

macro_rules! organization_columns {
    () => {
        "id, name, tier, tier_reason, profile, created_at, updated_at, version"
    };
}

table_io!(
    OrganizationRow,
    organization_columns,
    table: "organizations",
    order: "id",
    organization: "id = $1",
    values: "$1, $2, $3, $4, $5, $6, $7, $8",
    [id, name, tier, tier_reason, profile, created_at, updated_at, version]
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
    /// An instance administrator (schema 2; absent in version 1 files, where nobody was).
    #[serde(default)]
    pub is_admin: bool,
}

macro_rules! user_columns {
    () => {
        "id, email, display_name, password_hash, created_at, is_admin"
    };
}

table_io!(
    UserRow,
    user_columns,
    table: "users",
    order: "id",
    organization: "id IN (SELECT user_id FROM memberships WHERE organization_id = $1)",
    values: "$1, $2, $3, $4, $5, $6",
    [id, email, display_name, password_hash, created_at, is_admin]
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
    /// JSON: the organization as this assessment is evaluated (see `stored::StoredSnapshot`).
    /// Version 1 files lack it; reading one fills it from the file's organization.
    #[serde(default)]
    pub organization_snapshot: Option<String>,
}

// Rows are written as drafts: the database refuses answers under a final assessment, so the
// final status is applied after the answers (see `AssessmentRow::apply_status`).
macro_rules! assessment_columns {
    () => {
        "id, organization_id, title, status, catalog_edition, created_at, updated_at, finalized_at, organization_snapshot"
    };
}

table_io!(
    AssessmentRow,
    assessment_columns,
    table: "assessments",
    order: "id",
    organization: "organization_id = $1",
    values: "$1, $2, $3, CASE WHEN $4 = 'final' THEN 'in_review' ELSE $4 END, $5, $6, $7, NULL, $8",
    [id, organization_id, title, status, catalog_edition, created_at, updated_at, organization_snapshot]
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
    /// The owner when it is a user of the organization (then `owner` is empty). Schema 2.
    #[serde(default)]
    pub owner_user_id: Option<Uuid>,
    /// Why the item was deferred; set exactly while the status is `deferred`. Schema 2.
    #[serde(default)]
    pub deferred_reason: Option<String>,
}

macro_rules! action_item_columns {
    () => {
        "id, organization_id, assessment_id, sub_practice, title, period, period_label, start_on, due_on, owner_role, owner, status, cost, effort, estimated_cost, estimated_staff_days, prerequisites, gap_rank, version, created_at, updated_at, owner_user_id, deferred_reason"
    };
}

table_io!(
    ActionItemRow,
    action_item_columns,
    table: "action_items",
    order: "id",
    organization: "organization_id = $1",
    values: "$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23",
    [id, organization_id, assessment_id, sub_practice, title, period, period_label, start_on, due_on, owner_role, owner, status, cost, effort, estimated_cost, estimated_staff_days, prerequisites, gap_rank, version, created_at, updated_at, owner_user_id, deferred_reason]
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
    /// Why the move was made (required for `deferred`). Schema 2.
    #[serde(default)]
    pub reason: Option<String>,
}

macro_rules! action_item_history_columns {
    () => {
        "id, action_item_id, from_status, to_status, actor, recorded_at, reason"
    };
}

table_io!(
    ActionItemHistoryRow,
    action_item_history_columns,
    table: "action_item_history",
    order: "id",
    organization: "action_item_id IN (SELECT id FROM action_items WHERE organization_id = $1)",
    values: "$1, $2, $3, $4, $5, $6, $7",
    [id, action_item_id, from_status, to_status, actor, recorded_at, reason]
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
    /// The evidence import that produced it, if any. Schema 2.
    #[serde(default)]
    pub import_id: Option<Uuid>,
}

macro_rules! metric_observation_columns {
    () => {
        "id, organization_id, metric, value, unit, observed_on, source, created_at, import_id"
    };
}

table_io!(
    MetricObservationRow,
    metric_observation_columns,
    table: "metric_observations",
    order: "id",
    organization: "organization_id = $1",
    values: "$1, $2, $3, $4, $5, $6, $7, $8, $9",
    [id, organization_id, metric, value, unit, observed_on, source, created_at, import_id]
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
    /// When the session was last used (schema 2). Version 1 files lack it; reading one sets
    /// it to `created_at`.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub last_seen_at: Option<OffsetDateTime>,
}

macro_rules! session_columns {
    () => {
        "id_hash, user_id, created_at, expires_at, last_seen_at"
    };
}

table_io!(
    SessionRow,
    session_columns,
    table: "sessions",
    order: "id_hash",
    organization: "user_id IN (SELECT user_id FROM memberships WHERE organization_id = $1)",
    values: "$1, $2, $3, $4, $5",
    [id_hash, user_id, created_at, expires_at, last_seen_at]
);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct EvidenceImportRow {
    pub id: Uuid,
    pub organization_id: Uuid,
    /// The reader that understood the file, e.g. `nessus`.
    pub format: String,
    pub file_name: String,
    pub size_bytes: i64,
    pub sha256: String,
    /// JSON: the normalized summary the reader produced.
    pub summary: String,
    #[serde(with = "time::serde::rfc3339")]
    pub imported_at: OffsetDateTime,
    pub imported_by: String,
}

macro_rules! evidence_import_columns {
    () => {
        "id, organization_id, format, file_name, size_bytes, sha256, summary, imported_at, imported_by"
    };
}

table_io!(
    EvidenceImportRow,
    evidence_import_columns,
    table: "evidence_imports",
    order: "id",
    organization: "organization_id = $1",
    values: "$1, $2, $3, $4, $5, $6, $7, $8, $9",
    [id, organization_id, format, file_name, size_bytes, sha256, summary, imported_at, imported_by]
);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct ImportHostRow {
    pub id: Uuid,
    pub import_id: Uuid,
    pub host_key: String,
    pub address: Option<String>,
    pub hostname: Option<String>,
    pub credentialed: Option<bool>,
    pub medical_device: bool,
}

macro_rules! import_host_columns {
    () => {
        "id, import_id, host_key, address, hostname, credentialed, medical_device"
    };
}

table_io!(
    ImportHostRow,
    import_host_columns,
    table: "import_hosts",
    order: "id",
    organization: "import_id IN (SELECT id FROM evidence_imports WHERE organization_id = $1)",
    values: "$1, $2, $3, $4, $5, $6, $7",
    [id, import_id, host_key, address, hostname, credentialed, medical_device]
);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct SuggestionDecisionRow {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub assessment_id: Uuid,
    pub sub_practice: String,
    pub import_id: Option<Uuid>,
    pub suggested_status: String,
    pub rule: String,
    /// JSON: the evidence lines shown with the suggestion.
    pub evidence: String,
    pub decision: String,
    pub chosen_status: String,
    pub reason: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub decided_at: OffsetDateTime,
    pub decided_by: String,
}

macro_rules! suggestion_decision_columns {
    () => {
        "id, organization_id, assessment_id, sub_practice, import_id, suggested_status, rule, evidence, decision, chosen_status, reason, decided_at, decided_by"
    };
}

table_io!(
    SuggestionDecisionRow,
    suggestion_decision_columns,
    table: "suggestion_decisions",
    order: "id",
    organization: "organization_id = $1",
    values: "$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13",
    [id, organization_id, assessment_id, sub_practice, import_id, suggested_status, rule, evidence, decision, chosen_status, reason, decided_at, decided_by]
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

pub(crate) use {
    action_item_columns, action_item_history_columns, answer_columns, answer_history_columns,
    api_token_columns, assessment_columns, audit_event_columns, evidence_columns,
    evidence_import_columns, import_host_columns, membership_columns, metric_observation_columns,
    milestone_columns, organization_columns, session_columns, suggestion_decision_columns,
    user_columns,
};

/// Parses a stored word; a word this build does not know means the row is damaged.
fn parse<T>(what: &str, text: &str) -> StoreResult<T>
where
    T: FromStr,
    T::Err: std::fmt::Display,
{
    text.parse().map_err(|e| StoreError::corrupt(what, e))
}

fn in_range<T: TryFrom<i64>>(what: &str, value: i64) -> StoreResult<T> {
    T::try_from(value).map_err(|_| StoreError::corrupt(what, format!("{value} is out of range")))
}

fn parse_band(what: &str, text: &str) -> StoreResult<Band> {
    match text {
        "low" => Ok(Band::Low),
        "medium" => Ok(Band::Medium),
        "high" => Ok(Band::High),
        other => Err(StoreError::corrupt(what, format!("unknown band `{other}`"))),
    }
}

impl OrganizationRow {
    pub(crate) fn into_record(self) -> StoreResult<OrganizationRecord> {
        let what = format!("organization {}", self.id);
        let (sizing, exposure) = stored::StoredProfile::decode(&what, &self.profile)?;
        let tier = self
            .tier
            .as_deref()
            .map(|text| parse::<Tier>(&what, text))
            .transpose()?;
        Ok(OrganizationRecord {
            id: self.id,
            name: self.name,
            tier,
            tier_reason: self.tier_reason,
            sizing,
            exposure,
            created_at: self.created_at,
            updated_at: self.updated_at,
            version: self.version,
        })
    }
}

impl UserRow {
    pub(crate) fn into_record(self) -> UserRecord {
        UserRecord {
            id: self.id,
            email: self.email,
            display_name: self.display_name,
            created_at: self.created_at,
            is_admin: self.is_admin,
        }
    }
}

impl MembershipRow {
    pub(crate) fn into_record(self) -> StoreResult<MembershipRecord> {
        let what = format!("membership {}/{}", self.organization_id, self.user_id);
        Ok(MembershipRecord {
            role: parse(&what, &self.role)?,
            organization_id: self.organization_id,
            user_id: self.user_id,
            created_at: self.created_at,
        })
    }
}

impl AssessmentRow {
    pub(crate) fn into_record(self) -> StoreResult<AssessmentRecord> {
        let what = format!("assessment {}", self.id);
        Ok(AssessmentRecord {
            status: parse(&what, &self.status)?,
            id: self.id,
            organization_id: self.organization_id,
            title: self.title,
            catalog_edition: self.catalog_edition,
            created_at: self.created_at,
            updated_at: self.updated_at,
            finalized_at: self.finalized_at,
        })
    }
}

impl AnswerRow {
    /// The row for `answer`, its JSON columns in the current stored version.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        id: Uuid,
        assessment_id: Uuid,
        sub_practice: &SubPracticeId,
        answer: &Answer,
        version: i64,
        updated_at: OffsetDateTime,
        updated_by: String,
    ) -> StoreResult<AnswerRow> {
        Ok(AnswerRow {
            id,
            assessment_id,
            sub_practice: sub_practice.to_string(),
            status: answer.status.as_str().to_string(),
            owner: answer.owner.clone(),
            note: answer.note.clone(),
            since: answer.since,
            evidence: stored::encode_evidence(&answer.evidence)?,
            justification: answer.justification.clone(),
            questions: stored::encode_questions(&answer.questions)?,
            version,
            updated_at,
            updated_by,
        })
    }

    pub(crate) fn into_record(self) -> StoreResult<AnswerRecord> {
        let what = format!("answer {}", self.id);
        let answer = Answer {
            status: parse(&what, &self.status)?,
            owner: self.owner,
            note: self.note,
            since: self.since,
            evidence: stored::decode_evidence(&what, &self.evidence)?,
            justification: self.justification,
            questions: stored::decode_questions(&what, &self.questions)?,
        };
        Ok(AnswerRecord {
            sub_practice: parse(&what, &self.sub_practice)?,
            id: self.id,
            assessment_id: self.assessment_id,
            answer,
            version: self.version,
            updated_at: self.updated_at,
            updated_by: self.updated_by,
        })
    }
}

impl AnswerHistoryRow {
    pub(crate) fn into_record(self) -> StoreResult<AnswerHistoryRecord> {
        let what = format!("answer history {}", self.id);
        Ok(AnswerHistoryRecord {
            sub_practice: parse(&what, &self.sub_practice)?,
            from_status: self
                .from_status
                .as_deref()
                .map(|text| parse::<Status>(&what, text))
                .transpose()?,
            to_status: parse(&what, &self.to_status)?,
            id: self.id,
            assessment_id: self.assessment_id,
            effective_on: self.effective_on,
            previous_since: self.previous_since,
            actor: self.actor,
            recorded_at: self.recorded_at,
        })
    }
}

impl ActionItemRow {
    pub(crate) fn into_record(
        self,
        milestones: Vec<MilestoneRow>,
    ) -> StoreResult<ActionItemRecord> {
        let what = format!("action item {}", self.id);
        Ok(ActionItemRecord {
            sub_practice: parse(&what, &self.sub_practice)?,
            period: in_range(&what, self.period)?,
            estimated_cost: in_range(&what, self.estimated_cost)?,
            estimated_staff_days: in_range(&what, self.estimated_staff_days)?,
            gap_rank: in_range(&what, self.gap_rank)?,
            status: parse(&what, &self.status)?,
            cost: parse_band(&what, &self.cost)?,
            effort: parse_band(&what, &self.effort)?,
            prerequisites: serde_json::from_str(&self.prerequisites)
                .map_err(|e| StoreError::corrupt(&what, e))?,
            id: self.id,
            organization_id: self.organization_id,
            assessment_id: self.assessment_id,
            title: self.title,
            period_label: self.period_label,
            start_on: self.start_on,
            due_on: self.due_on,
            owner_role: self.owner_role,
            owner: self.owner,
            owner_user_id: self.owner_user_id,
            deferred_reason: self.deferred_reason,
            version: self.version,
            milestones: milestones
                .into_iter()
                .map(MilestoneRow::into_record)
                .collect::<StoreResult<_>>()?,
        })
    }
}

impl MilestoneRow {
    pub(crate) fn into_record(self) -> StoreResult<MilestoneRecord> {
        let what = format!("milestone {}", self.id);
        Ok(MilestoneRecord {
            position: in_range(&what, self.position)?,
            id: self.id,
            action_item_id: self.action_item_id,
            title: self.title,
            due_on: self.due_on,
            done_on: self.done_on,
        })
    }
}

impl ActionItemHistoryRow {
    pub(crate) fn into_record(self) -> StoreResult<ActionItemHistoryRecord> {
        let what = format!("action item history {}", self.id);
        Ok(ActionItemHistoryRecord {
            from_status: self
                .from_status
                .as_deref()
                .map(|text| parse(&what, text))
                .transpose()?,
            to_status: parse(&what, &self.to_status)?,
            id: self.id,
            action_item_id: self.action_item_id,
            actor: self.actor,
            recorded_at: self.recorded_at,
            reason: self.reason,
        })
    }
}

impl EvidenceRow {
    pub(crate) fn into_record(self) -> StoreResult<EvidenceRecord> {
        let what = format!("evidence {}", self.id);
        Ok(EvidenceRecord {
            size_bytes: in_range(&what, self.size_bytes)?,
            id: self.id,
            organization_id: self.organization_id,
            answer_id: self.answer_id,
            file_name: self.file_name,
            media_type: self.media_type,
            sha256: self.sha256,
            created_at: self.created_at,
            created_by: self.created_by,
        })
    }
}

impl MetricObservationRow {
    pub(crate) fn into_record(self) -> MetricObservationRecord {
        MetricObservationRecord {
            id: self.id,
            organization_id: self.organization_id,
            metric: self.metric,
            value: self.value,
            unit: self.unit,
            observed_on: self.observed_on,
            source: self.source,
            created_at: self.created_at,
            import_id: self.import_id,
        }
    }
}

impl ApiTokenRow {
    pub(crate) fn to_record(&self) -> ApiTokenRecord {
        ApiTokenRecord {
            id: self.id,
            user_id: self.user_id,
            name: self.name.clone(),
            created_at: self.created_at,
            expires_at: self.expires_at,
            revoked_at: self.revoked_at,
        }
    }
}

/// A session joined with its user: every signed-in request reads both, in one statement.
#[derive(Debug, sqlx::FromRow)]
pub struct SessionUserRow {
    #[sqlx(flatten)]
    pub user: UserRow,
    pub session_created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub last_seen_at: Option<OffsetDateTime>,
}

impl SessionUserRow {
    pub(crate) fn into_live(self) -> LiveSession {
        LiveSession {
            session: SessionRecord {
                user_id: self.user.id,
                created_at: self.session_created_at,
                expires_at: self.expires_at,
                last_seen_at: self.last_seen_at.unwrap_or(self.session_created_at),
            },
            user: self.user.into_record(),
        }
    }
}

/// A membership joined with its organization: every request in an organization's scope reads
/// both, in one statement.
#[derive(Debug, sqlx::FromRow)]
pub struct MemberOrganizationRow {
    pub role: String,
    #[sqlx(flatten)]
    pub organization: OrganizationRow,
}

impl MemberOrganizationRow {
    pub(crate) fn into_records(self) -> StoreResult<(Role, OrganizationRecord)> {
        let what = format!("membership in {}", self.organization.id);
        Ok((parse(&what, &self.role)?, self.organization.into_record()?))
    }
}

impl SessionRow {
    pub(crate) fn to_record(&self) -> SessionRecord {
        SessionRecord {
            user_id: self.user_id,
            created_at: self.created_at,
            expires_at: self.expires_at,
            last_seen_at: self.last_seen_at.unwrap_or(self.created_at),
        }
    }
}

impl EvidenceImportRow {
    pub(crate) fn into_record(self) -> StoreResult<EvidenceImportRecord> {
        let what = format!("evidence import {}", self.id);
        Ok(EvidenceImportRecord {
            size_bytes: in_range(&what, self.size_bytes)?,
            summary: serde_json::from_str(&self.summary)
                .map_err(|e| StoreError::corrupt(&what, e))?,
            id: self.id,
            organization_id: self.organization_id,
            format: self.format,
            file_name: self.file_name,
            sha256: self.sha256,
            imported_at: self.imported_at,
            imported_by: self.imported_by,
        })
    }
}

impl SuggestionDecisionRow {
    pub(crate) fn into_record(self) -> StoreResult<SuggestionDecisionRecord> {
        let what = format!("suggestion decision {}", self.id);
        Ok(SuggestionDecisionRecord {
            sub_practice: parse(&what, &self.sub_practice)?,
            suggested_status: parse(&what, &self.suggested_status)?,
            evidence: serde_json::from_str(&self.evidence)
                .map_err(|e| StoreError::corrupt(&what, e))?,
            decision: parse(&what, &self.decision)?,
            chosen_status: parse(&what, &self.chosen_status)?,
            id: self.id,
            organization_id: self.organization_id,
            assessment_id: self.assessment_id,
            import_id: self.import_id,
            rule: self.rule,
            reason: self.reason,
            decided_at: self.decided_at,
            decided_by: self.decided_by,
        })
    }
}

impl ImportHostRow {
    pub(crate) fn into_record(self) -> ImportHostRecord {
        ImportHostRecord {
            id: self.id,
            import_id: self.import_id,
            host_key: self.host_key,
            address: self.address,
            hostname: self.hostname,
            credentialed: self.credentialed,
            medical_device: self.medical_device,
        }
    }
}
