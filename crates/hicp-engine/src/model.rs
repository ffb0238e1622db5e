//! What the engine is given (an [`Assessment`]) and what it returns (an [`Evaluation`]).
//! These types are shared by the store, the reports and the server: keep them plain data.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use hicp_catalog::{Band, PracticeId, SubPracticeId, ThreatId, Tier};
use serde::{Deserialize, Serialize};
use time::Date;

/// Where a sub-practice stands. One scale for sub-practices and for their questions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    NotImplemented,
    Planned,
    Partial,
    Largely,
    Implemented,
    /// Does not apply to this organization; needs a justification.
    NotApplicable,
    /// Not answered yet: counts as not implemented for risk, and is flagged.
    Unknown,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Status::NotImplemented,
        Status::Planned,
        Status::Partial,
        Status::Largely,
        Status::Implemented,
        Status::NotApplicable,
        Status::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::NotImplemented => "not_implemented",
            Status::Planned => "planned",
            Status::Partial => "partial",
            Status::Largely => "largely",
            Status::Implemented => "implemented",
            Status::NotApplicable => "not_applicable",
            Status::Unknown => "unknown",
        }
    }

    /// Human wording, for reports and pages.
    pub fn label(self) -> &'static str {
        match self {
            Status::NotImplemented => "Not implemented",
            Status::Planned => "Planned",
            Status::Partial => "Partially implemented",
            Status::Largely => "Largely implemented",
            Status::Implemented => "Implemented",
            Status::NotApplicable => "Not applicable",
            Status::Unknown => "Unknown",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Status::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown status `{s}`: use one of {}",
                    Status::ALL.map(Status::as_str).join(", ")
                )
            })
    }
}

/// Facts about the organization's size, used to recommend a tier.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sizing {
    /// Physicians and other billing providers.
    pub providers: Option<u32>,
    /// Staffed inpatient beds.
    pub beds: Option<u32>,
    /// Everyone with an account: employees, contractors, volunteers.
    pub workforce: Option<u32>,
    /// Dedicated IT staff (full-time equivalents).
    pub it_staff: Option<u32>,
    /// Dedicated security staff (full-time equivalents).
    pub security_staff: Option<u32>,
    /// Computers, servers and mobile devices.
    pub endpoints: Option<u32>,
    /// Physical locations (clinics, hospitals, offices).
    pub sites: Option<u32>,
}

/// Facts that make a threat likelier or costlier for this organization.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exposure {
    /// Network-connected medical devices (infusion pumps, imaging, monitors...).
    pub connected_medical_devices: Option<u32>,
    /// Staff or vendors can reach internal systems from outside (VPN, remote desktop).
    pub remote_access: Option<bool>,
    /// Patients log in to a portal the organization runs or sponsors.
    pub patient_portal: Option<bool>,
    /// The electronic health record runs on the organization's own servers.
    pub on_premises_ehr: Option<bool>,
    /// Patient records held (approximate count).
    pub phi_records: Option<u64>,
    /// Email messages received per day (approximate).
    pub email_per_day: Option<u32>,
    /// Security incidents in the last 24 months.
    pub prior_incidents: Option<u32>,
    /// Laptops, phones or removable media that leave the premises with patient data.
    pub portable_devices_with_phi: Option<bool>,
    /// Care that stops or is diverted when systems are down (emergency, surgery, inpatient).
    pub provides_acute_care: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organization {
    pub name: String,
    /// The tier chosen by the user; `None` means "use the recommended tier".
    pub tier: Option<Tier>,
    /// Why the recommended tier was overridden, where it was.
    pub tier_reason: Option<String>,
    pub sizing: Sizing,
    pub exposure: Exposure,
}

/// The answer for one sub-practice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    pub status: Status,
    pub owner: Option<String>,
    pub note: Option<String>,
    /// When the current status was reached.
    pub since: Option<Date>,
    pub evidence: Vec<String>,
    /// Required for `not_applicable`.
    pub justification: Option<String>,
    /// Question-level answers, by question key; rolled up when `status` is not given directly.
    pub questions: BTreeMap<String, Status>,
}

impl Answer {
    pub fn with_status(status: Status) -> Answer {
        Answer {
            status,
            owner: None,
            note: None,
            since: None,
            evidence: Vec::new(),
            justification: None,
            questions: BTreeMap::new(),
        }
    }
}

/// An earlier status of a sub-practice, for the 12-month view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub id: SubPracticeId,
    pub status: Status,
    pub date: Date,
}

/// Everything the engine needs about one organization's assessment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    pub organization: Organization,
    pub answers: BTreeMap<SubPracticeId, Answer>,
    pub history: Vec<HistoryEntry>,
}

/// Spending limits per plan period. `None` means unlimited.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Budget {
    /// US dollars per period.
    pub money: Option<u64>,
    /// Staff-days per period.
    pub staff_days: Option<u32>,
}

// ----------------------------------------------------------------------------------------------
// Results

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TierDecision {
    /// The tier used for this evaluation.
    pub tier: Tier,
    pub recommended: Tier,
    /// True when the user chose a tier other than the recommended one.
    pub overridden: bool,
    /// Plain sentences: why this tier was recommended (and the override, where there is one).
    pub reasons: Vec<String>,
    /// The user's reason for overriding the recommendation, where there is an override and a reason.
    pub override_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubPracticeScore {
    pub id: SubPracticeId,
    /// The status used (rolled up from questions where needed).
    pub status: Status,
    /// 0–100; `None` for not applicable.
    pub score: Option<f64>,
    /// True when the tier does not require it and it was answered anyway ("going further").
    pub going_further: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PracticeScore {
    pub id: PracticeId,
    pub title: String,
    /// 0–100 over the applicable sub-practices; `None` when none applies.
    pub score: Option<f64>,
    pub applicable: usize,
    pub implemented: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThreatRisk {
    pub id: ThreatId,
    pub name: String,
    /// 1–5.
    pub likelihood: f64,
    /// 1–5.
    pub impact: f64,
    /// 0–100: how much of the mitigating practice is in place.
    pub coverage: f64,
    /// Inherent risk (likelihood × impact, 1–25) reduced by coverage.
    pub residual_risk: f64,
    pub inherent_risk: f64,
    /// Plain sentences: which exposure facts raised or lowered likelihood and impact.
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Gap {
    pub id: SubPracticeId,
    pub title: String,
    /// 1 = do first.
    pub rank: usize,
    /// Risk removed per unit of cost: what the ranking sorts by.
    pub priority: f64,
    /// Residual risk removed, summed over the threats it mitigates, if it were implemented.
    pub risk_reduction: f64,
    pub status: Status,
    pub cost: Band,
    pub effort: Band,
    pub threats: Vec<ThreatId>,
    pub prerequisites: Vec<SubPracticeId>,
    /// A consultant's explanation, one sentence each.
    pub reasons: Vec<String>,
    /// The risk removed from each threat it mitigates, in threat order.
    pub threat_reductions: Vec<ThreatReduction>,
    /// What `priority` divides by: cost units plus effort units, times the share of work left.
    pub cost_units: f64,
    /// Estimated dollars and staff-days for the work left, from the methodology's band tables.
    pub estimated_cost: u64,
    pub estimated_staff_days: u32,
    /// Other gaps that list this one as a prerequisite.
    pub unblocks: Vec<SubPracticeId>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThreatReduction {
    pub threat: ThreatId,
    pub risk: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Milestone {
    pub title: String,
    pub due: Date,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanItem {
    pub id: SubPracticeId,
    pub title: String,
    /// 1-based period index.
    pub period: u32,
    /// e.g. "2027-Q1".
    pub period_label: String,
    pub start: Date,
    pub due: Date,
    pub owner_role: String,
    pub owner: Option<String>,
    pub cost: Band,
    pub effort: Band,
    /// Estimated dollars and staff-days, from the methodology's band tables.
    pub estimated_cost: u64,
    pub estimated_staff_days: u32,
    pub prerequisites: Vec<SubPracticeId>,
    pub milestones: Vec<Milestone>,
    pub gap_rank: usize,
    /// Scheduling remarks: prerequisites that are not applicable or outside the tier.
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeferredItem {
    pub id: SubPracticeId,
    pub title: String,
    pub gap_rank: usize,
    pub reason: String,
    pub estimated_cost: u64,
    pub estimated_staff_days: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Period {
    pub index: u32,
    pub label: String,
    pub start: Date,
    pub end: Date,
    /// Dollars and staff-days of the items scheduled in this period.
    pub money: u64,
    pub staff_days: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub periods: Vec<Period>,
    pub items: Vec<PlanItem>,
    pub deferred: Vec<DeferredItem>,
    pub budget: Budget,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InPlace {
    pub id: SubPracticeId,
    /// The date it has been continuously at `largely` or `implemented` since; `None` if it is not now.
    pub since: Option<Date>,
    pub covers_12_months: bool,
}

/// Something the user should know that does not stop the evaluation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    pub id: Option<SubPracticeId>,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    pub organization: String,
    pub as_of: Date,
    pub catalog_edition: String,
    pub tier: TierDecision,
    /// Ids the tier requires, minus nothing: `not_applicable` ones stay listed here and score `None`.
    pub applicable: Vec<SubPracticeId>,
    /// Answered sub-practices outside the tier.
    pub going_further: Vec<SubPracticeId>,
    pub sub_practices: Vec<SubPracticeScore>,
    pub practices: Vec<PracticeScore>,
    pub threats: Vec<ThreatRisk>,
    /// 0–100 over all applicable sub-practices.
    pub overall_score: f64,
    /// Sum of residual risk over the five threats.
    pub overall_risk: f64,
    /// Applicable sub-practices still `unknown`.
    pub unknown: Vec<SubPracticeId>,
    pub gaps: Vec<Gap>,
    pub plan: Plan,
    pub in_place: Vec<InPlace>,
    pub warnings: Vec<Warning>,
}
