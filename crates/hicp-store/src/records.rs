//! Typed views of stored rows: what callers of the store work with. This module depends on
//! nothing else in the crate (rows are turned into records in `rows`), so errors may carry a
//! record without an import loop.

use std::fmt;
use std::str::FromStr;

use hicp_catalog::{Band, SubPracticeId, Tier};
use hicp_engine::{Answer, Exposure, Organization, Sizing, Status};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

/// A word that is not one of a closed set's values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a valid {kind}: use one of {}", allowed.join(", "))]
pub struct UnknownWord {
    pub kind: &'static str,
    pub text: String,
    pub allowed: Vec<&'static str>,
}

/// Declares a closed set of words stored as text, with parsing that names the allowed values.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownWord;
            fn from_str(text: &str) -> Result<Self, UnknownWord> {
                $name::ALL.iter().copied().find(|v| v.as_str() == text).ok_or_else(|| UnknownWord {
                    kind: stringify!($name),
                    text: text.to_string(),
                    allowed: $name::ALL.iter().map(|v| v.as_str()).collect(),
                })
            }
        }
    };
}

text_enum!(
    /// Where an assessment is in its life: draft → in_review → final (immutable).
    AssessmentStatus { Draft = "draft", InReview = "in_review", Final = "final" }
);

text_enum!(
    /// What the assessor did with a suggested answer: took its status, or chose their own.
    SuggestionChoice { Accept = "accept", Override = "override" }
);

text_enum!(
    /// What a user may do in one organization.
    Role {
        Admin = "admin",
        Assessor = "assessor",
        Contributor = "contributor",
        Viewer = "viewer",
        Auditor = "auditor",
    }
);

text_enum!(
    /// Where an action item of the plan stands. `deferred` is put off on purpose, with a
    /// reason, and stays deferred when a plan is recorded again.
    ActionStatus {
        Open = "open",
        InProgress = "in_progress",
        Done = "done",
        Cancelled = "cancelled",
        Deferred = "deferred",
    }
);

impl AssessmentStatus {
    /// The moves the review workflow allows; a final assessment never changes again.
    pub fn may_become(self, next: AssessmentStatus) -> bool {
        use AssessmentStatus::*;
        matches!(
            (self, next),
            (Draft, InReview) | (InReview, Draft) | (InReview, Final)
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrganizationRecord {
    pub id: Uuid,
    pub name: String,
    pub tier: Option<Tier>,
    pub tier_reason: Option<String>,
    pub sizing: Sizing,
    pub exposure: Exposure,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// Incremented by every change; pass it to `update_organization_checked`.
    pub version: i64,
}

impl OrganizationRecord {
    /// The organization as the engine sees it.
    pub fn organization(&self) -> Organization {
        Organization {
            name: self.name.clone(),
            tier: self.tier,
            tier_reason: self.tier_reason.clone(),
            sizing: self.sizing.clone(),
            exposure: self.exposure.clone(),
        }
    }
}

/// An organization with its number of assessments, for listings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrganizationSummary {
    pub id: Uuid,
    pub name: String,
    pub tier: Option<Tier>,
    pub assessments: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssessmentRecord {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub title: String,
    pub status: AssessmentStatus,
    pub catalog_edition: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub finalized_at: Option<OffsetDateTime>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnswerRecord {
    pub id: Uuid,
    pub assessment_id: Uuid,
    pub sub_practice: SubPracticeId,
    pub answer: Answer,
    /// Incremented by every change; pass it back to `update_answer` to detect lost updates.
    pub version: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    pub updated_by: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActionItemRecord {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub assessment_id: Uuid,
    pub sub_practice: SubPracticeId,
    pub title: String,
    pub period: u32,
    pub period_label: String,
    pub start_on: Date,
    pub due_on: Date,
    pub owner_role: String,
    /// The owner named in free text (`None` when nobody or a user owns it).
    pub owner: Option<String>,
    /// The owner when it is a user of the organization.
    pub owner_user_id: Option<Uuid>,
    pub status: ActionStatus,
    /// Why it was deferred; present exactly while the status is `deferred`.
    pub deferred_reason: Option<String>,
    pub cost: Band,
    pub effort: Band,
    pub estimated_cost: u64,
    pub estimated_staff_days: u32,
    pub prerequisites: Vec<SubPracticeId>,
    pub gap_rank: usize,
    pub version: i64,
    pub milestones: Vec<MilestoneRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MilestoneRecord {
    pub id: Uuid,
    pub action_item_id: Uuid,
    /// Order within the item, from 0.
    pub position: u32,
    pub title: String,
    pub due_on: Date,
    pub done_on: Option<Date>,
}

/// One recorded status change of an answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnswerHistoryRecord {
    pub id: Uuid,
    pub assessment_id: Uuid,
    pub sub_practice: SubPracticeId,
    /// `None` for a status recorded as given (from an assessment file's history).
    pub from_status: Option<Status>,
    pub to_status: Status,
    /// The day `to_status` was reached.
    pub effective_on: Date,
    /// Since when `from_status` had held, where known.
    pub previous_since: Option<Date>,
    /// The [`Actor`](crate::Actor) as recorded.
    pub actor: String,
    #[serde(with = "time::serde::rfc3339")]
    pub recorded_at: OffsetDateTime,
}

/// One recorded status change of an action item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionItemHistoryRecord {
    pub id: Uuid,
    pub action_item_id: Uuid,
    pub from_status: Option<ActionStatus>,
    pub to_status: ActionStatus,
    pub actor: String,
    #[serde(with = "time::serde::rfc3339")]
    pub recorded_at: OffsetDateTime,
    /// Why the move was made (always given for `deferred`).
    pub reason: Option<String>,
}

/// An evidence file's metadata; its bytes are read with `Store::read_evidence`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvidenceRecord {
    pub id: Uuid,
    pub organization_id: Uuid,
    /// The answer it supports, if any.
    pub answer_id: Option<Uuid>,
    pub file_name: String,
    pub media_type: String,
    pub size_bytes: u64,
    /// Lowercase hex SHA-256 of the bytes.
    pub sha256: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub created_by: String,
}

/// A user account, without its password hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserRecord {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// An administrator of the whole installation (may create organizations), as opposed to
    /// the `admin` role inside one organization.
    pub is_admin: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MembershipRecord {
    pub organization_id: Uuid,
    pub user_id: Uuid,
    pub role: Role,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// An API token as callers see it: never its secret, nor the secret's hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiTokenRecord {
    pub id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub expires_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<OffsetDateTime>,
}

/// A signed-in session, without the hash of its cookie secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionRecord {
    pub user_id: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    /// When it was last used; the idle expiry counts from here.
    #[serde(with = "time::serde::rfc3339")]
    pub last_seen_at: OffsetDateTime,
}

/// A live session with its user, as every signed-in request needs them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveSession {
    pub session: SessionRecord,
    pub user: UserRecord,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricObservationRecord {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub metric: String,
    pub value: f64,
    pub unit: Option<String>,
    pub observed_on: Date,
    pub source: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// The evidence import that produced it, if any.
    pub import_id: Option<Uuid>,
}

/// A scanner or inventory file imported as evidence (its findings are summarized, not kept).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvidenceImportRecord {
    pub id: Uuid,
    pub organization_id: Uuid,
    /// The reader that understood the file, e.g. `nessus`, `inventory`.
    pub format: String,
    pub file_name: String,
    pub size_bytes: u64,
    /// Lowercase hex SHA-256 of the file: the same file is imported once per organization.
    pub sha256: String,
    /// The reader's normalized summary, as it gave it.
    pub summary: serde_json::Value,
    #[serde(with = "time::serde::rfc3339")]
    pub imported_at: OffsetDateTime,
    pub imported_by: String,
}

/// One host an import saw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportHostRecord {
    pub id: Uuid,
    pub import_id: Uuid,
    /// The reader's stable key for the host (what matches it across files).
    pub host_key: String,
    pub address: Option<String>,
    pub hostname: Option<String>,
    /// Whether the scan logged in to the host; `None` where the format does not say.
    pub credentialed: Option<bool>,
    pub medical_device: bool,
}

/// Who owns an action item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum ActionOwner {
    Nobody,
    /// A user who is a member of the item's organization.
    User(Uuid),
    /// A person or team named in free text (someone without an account).
    Named(String),
}

impl ActionItemRecord {
    pub fn owner(&self) -> ActionOwner {
        match (&self.owner_user_id, &self.owner) {
            (Some(id), _) => ActionOwner::User(*id),
            (None, Some(name)) => ActionOwner::Named(name.clone()),
            (None, None) => ActionOwner::Nobody,
        }
    }
}

/// The assessor's decision on one suggested answer, with the suggestion as it was shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SuggestionDecisionRecord {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub assessment_id: Uuid,
    pub sub_practice: SubPracticeId,
    /// The import whose metrics made the suggestion (`None` once that import is gone).
    pub import_id: Option<Uuid>,
    pub suggested_status: Status,
    /// The rule that chose the suggested status, in words.
    pub rule: String,
    /// The figures the rule looked at, in words.
    pub evidence: Vec<String>,
    pub decision: SuggestionChoice,
    /// The status the answer was given.
    pub chosen_status: Status,
    pub reason: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub decided_at: OffsetDateTime,
    /// The [`Actor`](crate::Actor) as recorded.
    pub decided_by: String,
}
