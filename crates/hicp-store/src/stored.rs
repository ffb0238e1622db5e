//! The JSON kept in columns, as the store's own versioned types. The engine's types may rename
//! or add fields; what is written here changes only when a new version is added below, and
//! rows written before version markers existed (bare v1 shapes) still read.

use std::collections::BTreeMap;

use hicp_engine::{Answer, Exposure, Organization, Sizing, Status};
use serde::{Deserialize, Serialize};

use crate::error::{StoreError, StoreResult};
use crate::records::{AnswerRecord, OrganizationRecord};

/// The version this build writes.
const CURRENT: u32 = 1;

fn current() -> u32 {
    CURRENT
}

fn check_version(what: &str, version: u32) -> StoreResult<()> {
    if version != CURRENT {
        return Err(StoreError::corrupt(
            what,
            format!("stored in version {version}; this build reads version {CURRENT}"),
        ));
    }
    Ok(())
}

pub(crate) fn to_json<T: Serialize>(value: &T) -> StoreResult<String> {
    serde_json::to_string(value)
        .map_err(|e| StoreError::Invalid(format!("cannot encode stored data: {e}")))
}

fn from_json<T: for<'de> Deserialize<'de>>(what: &str, text: &str) -> StoreResult<T> {
    serde_json::from_str(text).map_err(|e| StoreError::corrupt(what, e))
}

/// Organization size, v1: every field written, absent ones as null.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct SizingV1 {
    providers: Option<u32>,
    beds: Option<u32>,
    workforce: Option<u32>,
    it_staff: Option<u32>,
    security_staff: Option<u32>,
    endpoints: Option<u32>,
    sites: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct ExposureV1 {
    connected_medical_devices: Option<u32>,
    remote_access: Option<bool>,
    patient_portal: Option<bool>,
    on_premises_ehr: Option<bool>,
    phi_records: Option<u64>,
    email_per_day: Option<u32>,
    prior_incidents: Option<u32>,
    portable_devices_with_phi: Option<bool>,
    provides_acute_care: Option<bool>,
}

/// The `organizations.profile` column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct StoredProfile {
    /// Absent in rows written before versions were marked: those are v1.
    #[serde(default = "current")]
    v: u32,
    sizing: SizingV1,
    exposure: ExposureV1,
}

impl StoredProfile {
    pub(crate) fn from_organization(organization: &Organization) -> StoredProfile {
        let Sizing {
            providers,
            beds,
            workforce,
            it_staff,
            security_staff,
            endpoints,
            sites,
        } = organization.sizing.clone();
        let Exposure {
            connected_medical_devices,
            remote_access,
            patient_portal,
            on_premises_ehr,
            phi_records,
            email_per_day,
            prior_incidents,
            portable_devices_with_phi,
            provides_acute_care,
        } = organization.exposure.clone();
        StoredProfile {
            v: CURRENT,
            sizing: SizingV1 {
                providers,
                beds,
                workforce,
                it_staff,
                security_staff,
                endpoints,
                sites,
            },
            exposure: ExposureV1 {
                connected_medical_devices,
                remote_access,
                patient_portal,
                on_premises_ehr,
                phi_records,
                email_per_day,
                prior_incidents,
                portable_devices_with_phi,
                provides_acute_care,
            },
        }
    }

    pub(crate) fn encode(organization: &Organization) -> StoreResult<String> {
        to_json(&StoredProfile::from_organization(organization))
    }

    pub(crate) fn decode(what: &str, text: &str) -> StoreResult<(Sizing, Exposure)> {
        from_json::<StoredProfile>(what, text)?.into_parts(what)
    }

    fn into_parts(self, what: &str) -> StoreResult<(Sizing, Exposure)> {
        let stored = self;
        check_version(what, stored.v)?;
        let SizingV1 {
            providers,
            beds,
            workforce,
            it_staff,
            security_staff,
            endpoints,
            sites,
        } = stored.sizing;
        let ExposureV1 {
            connected_medical_devices,
            remote_access,
            patient_portal,
            on_premises_ehr,
            phi_records,
            email_per_day,
            prior_incidents,
            portable_devices_with_phi,
            provides_acute_care,
        } = stored.exposure;
        Ok((
            Sizing {
                providers,
                beds,
                workforce,
                it_staff,
                security_staff,
                endpoints,
                sites,
            },
            Exposure {
                connected_medical_devices,
                remote_access,
                patient_portal,
                on_premises_ehr,
                phi_records,
                email_per_day,
                prior_incidents,
                portable_devices_with_phi,
                provides_acute_care,
            },
        ))
    }
}

/// The `assessments.organization_snapshot` column: the organization as the assessment is
/// evaluated, kept so that later profile edits leave a final assessment's results as they were.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct StoredSnapshot {
    #[serde(default = "current")]
    v: u32,
    name: String,
    tier: Option<String>,
    tier_reason: Option<String>,
    profile: StoredProfile,
}

impl StoredSnapshot {
    pub(crate) fn encode(organization: &Organization) -> StoreResult<String> {
        to_json(&StoredSnapshot {
            v: CURRENT,
            name: organization.name.clone(),
            tier: organization.tier.map(|tier| tier.as_str().to_string()),
            tier_reason: organization.tier_reason.clone(),
            profile: StoredProfile::from_organization(organization),
        })
    }

    /// The snapshot of an organization row as stored (for files written before snapshots).
    pub(crate) fn from_row(row: &crate::rows::OrganizationRow) -> StoreResult<String> {
        let profile: StoredProfile = from_json(&format!("organization {}", row.id), &row.profile)?;
        to_json(&StoredSnapshot {
            v: CURRENT,
            name: row.name.clone(),
            tier: row.tier.clone(),
            tier_reason: row.tier_reason.clone(),
            profile,
        })
    }

    pub(crate) fn decode(what: &str, text: &str) -> StoreResult<Organization> {
        let stored: StoredSnapshot = from_json(what, text)?;
        check_version(what, stored.v)?;
        let (sizing, exposure) = stored.profile.into_parts(what)?;
        Ok(Organization {
            name: stored.name,
            tier: stored
                .tier
                .as_deref()
                .map(str::parse)
                .transpose()
                .map_err(|e| StoreError::corrupt(what, e))?,
            tier_reason: stored.tier_reason,
            sizing,
            exposure,
        })
    }
}

/// The `answers.evidence` column: references to evidence, as the user wrote them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
enum StoredEvidence {
    Versioned {
        v: u32,
        references: Vec<String>,
    },
    /// Rows written before versions were marked: a bare array.
    Unversioned(Vec<String>),
}

/// The `answers.questions` column: question key → status word.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
enum StoredQuestions {
    Versioned {
        v: u32,
        statuses: BTreeMap<String, String>,
    },
    /// Rows written before versions were marked: a bare object.
    Unversioned(BTreeMap<String, String>),
}

pub(crate) fn encode_evidence(references: &[String]) -> StoreResult<String> {
    to_json(&StoredEvidence::Versioned {
        v: CURRENT,
        references: references.to_vec(),
    })
}

pub(crate) fn decode_evidence(what: &str, text: &str) -> StoreResult<Vec<String>> {
    match from_json(what, text)? {
        StoredEvidence::Versioned { v, references } => {
            check_version(what, v)?;
            Ok(references)
        }
        StoredEvidence::Unversioned(references) => Ok(references),
    }
}

pub(crate) fn encode_questions(questions: &BTreeMap<String, Status>) -> StoreResult<String> {
    to_json(&StoredQuestions::Versioned {
        v: CURRENT,
        statuses: questions
            .iter()
            .map(|(key, status)| (key.clone(), status.as_str().to_string()))
            .collect(),
    })
}

pub(crate) fn decode_questions(what: &str, text: &str) -> StoreResult<BTreeMap<String, Status>> {
    let statuses = match from_json(what, text)? {
        StoredQuestions::Versioned { v, statuses } => {
            check_version(what, v)?;
            statuses
        }
        StoredQuestions::Unversioned(statuses) => statuses,
    };
    statuses
        .into_iter()
        .map(|(key, status)| {
            let status = status
                .parse()
                .map_err(|e| StoreError::corrupt(what, format!("question `{key}`: {e}")))?;
            Ok((key, status))
        })
        .collect()
}

/// An answer as audit payloads record it, v1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct StoredAnswer {
    v: u32,
    status: &'static str,
    owner: Option<String>,
    note: Option<String>,
    since: Option<time::Date>,
    evidence: Vec<String>,
    justification: Option<String>,
    questions: BTreeMap<String, &'static str>,
}

impl StoredAnswer {
    pub(crate) fn new(answer: &Answer) -> StoredAnswer {
        StoredAnswer {
            v: CURRENT,
            status: answer.status.as_str(),
            owner: answer.owner.clone(),
            note: answer.note.clone(),
            since: answer.since,
            evidence: answer.evidence.clone(),
            justification: answer.justification.clone(),
            questions: answer
                .questions
                .iter()
                .map(|(key, status)| (key.clone(), status.as_str()))
                .collect(),
        }
    }
}

/// An organization as audit payloads record it, v1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct OrganizationPayload {
    v: u32,
    id: uuid::Uuid,
    name: String,
    tier: Option<&'static str>,
    tier_reason: Option<String>,
    profile: StoredProfile,
    #[serde(with = "time::serde::rfc3339")]
    created_at: time::OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    updated_at: time::OffsetDateTime,
}

impl OrganizationRecord {
    pub(crate) fn payload(&self) -> OrganizationPayload {
        OrganizationPayload {
            v: CURRENT,
            id: self.id,
            name: self.name.clone(),
            tier: self.tier.map(|tier| tier.as_str()),
            tier_reason: self.tier_reason.clone(),
            profile: StoredProfile::from_organization(&self.organization()),
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

/// An answer record as audit payloads record it, v1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct AnswerPayload {
    v: u32,
    id: uuid::Uuid,
    assessment_id: uuid::Uuid,
    sub_practice: String,
    answer: StoredAnswer,
    version: i64,
    #[serde(with = "time::serde::rfc3339")]
    updated_at: time::OffsetDateTime,
    updated_by: String,
}

impl AnswerRecord {
    pub(crate) fn payload(&self) -> AnswerPayload {
        AnswerPayload {
            v: CURRENT,
            id: self.id,
            assessment_id: self.assessment_id,
            sub_practice: self.sub_practice.to_string(),
            answer: StoredAnswer::new(&self.answer),
            version: self.version,
            updated_at: self.updated_at,
            updated_by: self.updated_by.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_written_before_versions_still_read() {
        // What the store wrote for a profile before it had a version marker.
        let legacy = r#"{"sizing":{"providers":6,"beds":null,"workforce":40,"it_staff":null,"security_staff":null,"endpoints":55,"sites":2},"exposure":{"connected_medical_devices":null,"remote_access":true,"patient_portal":null,"on_premises_ehr":false,"phi_records":12000,"email_per_day":null,"prior_incidents":null,"portable_devices_with_phi":null,"provides_acute_care":null}}"#;
        let (sizing, exposure) = StoredProfile::decode("test", legacy).expect("legacy profile");
        assert_eq!(sizing.providers, Some(6));
        assert_eq!(sizing.sites, Some(2));
        assert_eq!(exposure.remote_access, Some(true));
        assert_eq!(exposure.phi_records, Some(12000));
    }

    #[test]
    fn new_profiles_carry_their_version_and_round_trip() {
        let mut organization = Organization::default();
        organization.sizing.beds = Some(120);
        organization.exposure.patient_portal = Some(true);
        let text = StoredProfile::encode(&organization).expect("encodes");
        assert!(text.starts_with(r#"{"v":1,"#), "{text}");
        let (sizing, exposure) = StoredProfile::decode("test", &text).expect("decodes");
        assert_eq!(sizing, organization.sizing);
        assert_eq!(exposure, organization.exposure);
        let future = text.replacen(r#""v":1"#, r#""v":2"#, 1);
        let error = StoredProfile::decode("organization x", &future).expect_err("newer version");
        assert!(error.to_string().contains("version 2"), "{error}");
    }

    #[test]
    fn answer_columns_read_both_shapes() {
        assert_eq!(
            decode_evidence("t", r#"["device report"]"#).expect("legacy"),
            ["device report"]
        );
        let written = encode_evidence(&["policy".to_string()]).expect("encodes");
        assert_eq!(decode_evidence("t", &written).expect("new"), ["policy"]);
        let legacy = decode_questions("t", r#"{"antivirus":"implemented"}"#).expect("legacy");
        assert_eq!(legacy.get("antivirus"), Some(&Status::Implemented));
        let written = encode_questions(&legacy).expect("encodes");
        assert!(written.contains(r#""v":1"#), "{written}");
        assert_eq!(decode_questions("t", &written).expect("new"), legacy);
        let bad = decode_questions("answer 1", r#"{"antivirus":"sort of"}"#).expect_err("bad");
        assert!(bad.to_string().contains("antivirus"), "{bad}");
    }
}
