//! Typed views of stored rows: what callers of the store work with.

use std::fmt;
use std::str::FromStr;

use hicp_catalog::{Band, SubPracticeId, Tier};
use hicp_engine::{Answer, Exposure, Organization, Sizing, Status};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::error::StoreError;
use crate::rows::{ActionItemRow, AnswerRow, AssessmentRow, MilestoneRow, OrganizationRow};

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
            type Err = StoreError;
            fn from_str(text: &str) -> Result<Self, StoreError> {
                $name::ALL.iter().copied().find(|v| v.as_str() == text).ok_or_else(|| {
                    let allowed: Vec<&str> = $name::ALL.iter().map(|v| v.as_str()).collect();
                    StoreError::Invalid(format!(
                        "`{text}` is not a valid {}: use one of {}",
                        stringify!($name),
                        allowed.join(", ")
                    ))
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
    /// Where an action item of the plan stands.
    ActionStatus {
        Open = "open",
        InProgress = "in_progress",
        Done = "done",
        Cancelled = "cancelled",
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

/// What an organization's `profile` column holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Profile {
    pub sizing: Sizing,
    pub exposure: Exposure,
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

impl TryFrom<OrganizationRow> for OrganizationRecord {
    type Error = StoreError;
    fn try_from(row: OrganizationRow) -> Result<Self, StoreError> {
        let what = || format!("organization {}", row.id);
        let profile: Profile =
            serde_json::from_str(&row.profile).map_err(|e| StoreError::corrupt(what(), e))?;
        let tier = row
            .tier
            .as_deref()
            .map(Tier::from_str)
            .transpose()
            .map_err(|e| StoreError::corrupt(what(), e))?;
        Ok(OrganizationRecord {
            id: row.id,
            name: row.name,
            tier,
            tier_reason: row.tier_reason,
            sizing: profile.sizing,
            exposure: profile.exposure,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

/// One line of `hicp org list`.
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

impl TryFrom<AssessmentRow> for AssessmentRecord {
    type Error = StoreError;
    fn try_from(row: AssessmentRow) -> Result<Self, StoreError> {
        Ok(AssessmentRecord {
            status: row.status.parse()?,
            id: row.id,
            organization_id: row.organization_id,
            title: row.title,
            catalog_edition: row.catalog_edition,
            created_at: row.created_at,
            updated_at: row.updated_at,
            finalized_at: row.finalized_at,
        })
    }
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

pub(crate) fn parse_status(text: &str, what: &str) -> Result<Status, StoreError> {
    text.parse().map_err(|e| StoreError::corrupt(what, e))
}

pub(crate) fn parse_sub_practice(text: &str, what: &str) -> Result<SubPracticeId, StoreError> {
    text.parse().map_err(|e| StoreError::corrupt(what, e))
}

impl TryFrom<AnswerRow> for AnswerRecord {
    type Error = StoreError;
    fn try_from(row: AnswerRow) -> Result<Self, StoreError> {
        let what = format!("answer {}", row.id);
        let answer = Answer {
            status: parse_status(&row.status, &what)?,
            owner: row.owner,
            note: row.note,
            since: row.since,
            evidence: serde_json::from_str(&row.evidence)
                .map_err(|e| StoreError::corrupt(&what, e))?,
            justification: row.justification,
            questions: serde_json::from_str(&row.questions)
                .map_err(|e| StoreError::corrupt(&what, e))?,
        };
        Ok(AnswerRecord {
            sub_practice: parse_sub_practice(&row.sub_practice, &what)?,
            id: row.id,
            assessment_id: row.assessment_id,
            answer,
            version: row.version,
            updated_at: row.updated_at,
            updated_by: row.updated_by,
        })
    }
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
    pub owner: Option<String>,
    pub status: ActionStatus,
    pub cost: Band,
    pub effort: Band,
    pub estimated_cost: u64,
    pub estimated_staff_days: u32,
    pub prerequisites: Vec<SubPracticeId>,
    pub gap_rank: usize,
    pub version: i64,
    pub milestones: Vec<MilestoneRow>,
}

fn parse_band(text: &str, what: &str) -> Result<Band, StoreError> {
    match text {
        "low" => Ok(Band::Low),
        "medium" => Ok(Band::Medium),
        "high" => Ok(Band::High),
        other => Err(StoreError::corrupt(what, format!("unknown band `{other}`"))),
    }
}

fn in_range<T: TryFrom<i64>>(what: &str, value: i64) -> Result<T, StoreError> {
    T::try_from(value).map_err(|_| StoreError::corrupt(what, format!("{value} is out of range")))
}

impl ActionItemRecord {
    pub(crate) fn from_row(
        row: ActionItemRow,
        milestones: Vec<MilestoneRow>,
    ) -> Result<ActionItemRecord, StoreError> {
        let what = format!("action item {}", row.id);
        Ok(ActionItemRecord {
            sub_practice: parse_sub_practice(&row.sub_practice, &what)?,
            period: in_range(&what, row.period)?,
            estimated_cost: in_range(&what, row.estimated_cost)?,
            estimated_staff_days: in_range(&what, row.estimated_staff_days)?,
            gap_rank: in_range(&what, row.gap_rank)?,
            status: row.status.parse()?,
            cost: parse_band(&row.cost, &what)?,
            effort: parse_band(&row.effort, &what)?,
            prerequisites: serde_json::from_str(&row.prerequisites)
                .map_err(|e| StoreError::corrupt(&what, e))?,
            id: row.id,
            organization_id: row.organization_id,
            assessment_id: row.assessment_id,
            title: row.title,
            period_label: row.period_label,
            start_on: row.start_on,
            due_on: row.due_on,
            owner_role: row.owner_role,
            owner: row.owner,
            version: row.version,
            milestones,
        })
    }
}
