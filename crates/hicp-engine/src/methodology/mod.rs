//! Every weight, threshold and default the engine uses, in one place.
//!
//! [`Methodology::default`] is hicp's published method (explained number by number in
//! `docs/methodology.md`). An organization may override any part of it from a TOML text
//! ([`Methodology::from_toml_str`]): tables left out keep their defaults, lists given
//! replace the default list whole.

use hicp_catalog::{Band, ThreatId, Tier};
use serde::{Deserialize, Serialize};

use crate::model::{Exposure, Organization, Sizing, Status};

mod read;

pub use read::{MAX_METHODOLOGY_BYTES, MethodologyResult};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Methodology {
    /// How much of a sub-practice each status counts as being in place (0–1).
    pub status_values: StatusValues,
    /// Sizing thresholds that recommend a tier.
    pub tier: TierRules,
    /// Likelihood and impact (1–5) of each threat before exposure facts are considered.
    pub threats: Vec<ThreatBase>,
    /// How organization facts move a threat's likelihood and impact.
    pub exposure_rules: Vec<ExposureRule>,
    pub risk: RiskRules,
    pub cost: CostRules,
    pub plan: PlanRules,
    pub history: HistoryRules,
}

/// Implementation value of each status. `not_applicable` has none: it is left out of every average.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StatusValues {
    pub not_implemented: f64,
    pub planned: f64,
    pub partial: f64,
    pub largely: f64,
    pub implemented: f64,
    /// An unanswered sub-practice counts as this much (0: assume nothing is in place).
    pub unknown: f64,
}

impl Default for StatusValues {
    fn default() -> Self {
        StatusValues {
            not_implemented: 0.0,
            planned: 0.1,
            partial: 0.4,
            largely: 0.75,
            implemented: 1.0,
            unknown: 0.0,
        }
    }
}

impl StatusValues {
    /// `None` for `not_applicable`.
    pub fn value(&self, status: Status) -> Option<f64> {
        match status {
            Status::NotImplemented => Some(self.not_implemented),
            Status::Planned => Some(self.planned),
            Status::Partial => Some(self.partial),
            Status::Largely => Some(self.largely),
            Status::Implemented => Some(self.implemented),
            Status::Unknown => Some(self.unknown),
            Status::NotApplicable => None,
        }
    }
}

/// Thresholds per sizing fact; a fact left out (or absent from the organization) plays no part.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SizeThresholds {
    pub providers: Option<u32>,
    pub beds: Option<u32>,
    pub workforce: Option<u32>,
    /// IT staff plus security staff.
    pub dedicated_it_staff: Option<u32>,
    pub endpoints: Option<u32>,
    pub sites: Option<u32>,
}

/// Large when any fact reaches a `large` threshold; otherwise medium when any reaches a `medium`
/// threshold; otherwise small.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TierRules {
    pub medium: SizeThresholds,
    pub large: SizeThresholds,
}

impl Default for TierRules {
    fn default() -> Self {
        TierRules {
            medium: SizeThresholds {
                providers: Some(11),
                beds: Some(1),
                workforce: Some(100),
                dedicated_it_staff: Some(1),
                endpoints: Some(250),
                sites: Some(5),
            },
            large: SizeThresholds {
                providers: Some(500),
                beds: Some(400),
                workforce: Some(2_500),
                dedicated_it_staff: Some(50),
                endpoints: Some(10_000),
                sites: Some(20),
            },
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThreatBase {
    pub threat: ThreatId,
    pub likelihood: f64,
    pub impact: f64,
}

/// A fact about the organization that a rule can test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fact {
    Providers,
    Beds,
    Workforce,
    ItStaff,
    SecurityStaff,
    Endpoints,
    Sites,
    ConnectedMedicalDevices,
    RemoteAccess,
    PatientPortal,
    OnPremisesEhr,
    PhiRecords,
    EmailPerDay,
    PriorIncidents,
    PortableDevicesWithPhi,
    ProvidesAcuteCare,
}

/// The value of a [`Fact`] for one organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactValue {
    Count(u64),
    Flag(bool),
}

impl Fact {
    pub const ALL: [Fact; 16] = [
        Fact::Providers,
        Fact::Beds,
        Fact::Workforce,
        Fact::ItStaff,
        Fact::SecurityStaff,
        Fact::Endpoints,
        Fact::Sites,
        Fact::ConnectedMedicalDevices,
        Fact::RemoteAccess,
        Fact::PatientPortal,
        Fact::OnPremisesEhr,
        Fact::PhiRecords,
        Fact::EmailPerDay,
        Fact::PriorIncidents,
        Fact::PortableDevicesWithPhi,
        Fact::ProvidesAcuteCare,
    ];

    pub fn is_flag(self) -> bool {
        matches!(
            self,
            Fact::RemoteAccess
                | Fact::PatientPortal
                | Fact::OnPremisesEhr
                | Fact::PortableDevicesWithPhi
                | Fact::ProvidesAcuteCare
        )
    }

    /// The key in the assessment file (`[organization.sizing]` or `[organization.exposure]`).
    pub fn key(self) -> &'static str {
        match self {
            Fact::Providers => "providers",
            Fact::Beds => "beds",
            Fact::Workforce => "workforce",
            Fact::ItStaff => "it_staff",
            Fact::SecurityStaff => "security_staff",
            Fact::Endpoints => "endpoints",
            Fact::Sites => "sites",
            Fact::ConnectedMedicalDevices => "connected_medical_devices",
            Fact::RemoteAccess => "remote_access",
            Fact::PatientPortal => "patient_portal",
            Fact::OnPremisesEhr => "on_premises_ehr",
            Fact::PhiRecords => "phi_records",
            Fact::EmailPerDay => "email_per_day",
            Fact::PriorIncidents => "prior_incidents",
            Fact::PortableDevicesWithPhi => "portable_devices_with_phi",
            Fact::ProvidesAcuteCare => "provides_acute_care",
        }
    }

    pub fn value(self, organization: &Organization) -> Option<FactValue> {
        let Sizing {
            providers,
            beds,
            workforce,
            it_staff,
            security_staff,
            endpoints,
            sites,
        } = &organization.sizing;
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
        } = &organization.exposure;
        let count = |v: &Option<u32>| v.map(|n| FactValue::Count(u64::from(n)));
        let flag = |v: &Option<bool>| v.map(FactValue::Flag);
        match self {
            Fact::Providers => count(providers),
            Fact::Beds => count(beds),
            Fact::Workforce => count(workforce),
            Fact::ItStaff => count(it_staff),
            Fact::SecurityStaff => count(security_staff),
            Fact::Endpoints => count(endpoints),
            Fact::Sites => count(sites),
            Fact::ConnectedMedicalDevices => count(connected_medical_devices),
            Fact::RemoteAccess => flag(remote_access),
            Fact::PatientPortal => flag(patient_portal),
            Fact::OnPremisesEhr => flag(on_premises_ehr),
            Fact::PhiRecords => phi_records.map(FactValue::Count),
            Fact::EmailPerDay => count(email_per_day),
            Fact::PriorIncidents => count(prior_incidents),
            Fact::PortableDevicesWithPhi => flag(portable_devices_with_phi),
            Fact::ProvidesAcuteCare => flag(provides_acute_care),
        }
    }

    /// The fact stated as a phrase, e.g. "1,200 network-connected medical devices".
    pub fn describe(self, value: FactValue) -> String {
        match value {
            FactValue::Count(n) => {
                let (one, many) = match self {
                    Fact::Providers => (
                        "physician or other provider",
                        "physicians and other providers",
                    ),
                    Fact::Beds => ("staffed bed", "staffed beds"),
                    Fact::Workforce => ("person in the workforce", "people in the workforce"),
                    Fact::ItStaff => ("dedicated IT staff member", "dedicated IT staff"),
                    Fact::SecurityStaff => (
                        "dedicated security staff member",
                        "dedicated security staff",
                    ),
                    Fact::Endpoints => ("endpoint", "endpoints"),
                    Fact::Sites => ("site", "sites"),
                    Fact::ConnectedMedicalDevices => (
                        "network-connected medical device",
                        "network-connected medical devices",
                    ),
                    Fact::PhiRecords => ("patient record held", "patient records held"),
                    Fact::EmailPerDay => ("email received a day", "emails received a day"),
                    Fact::PriorIncidents => (
                        "security incident in the last 24 months",
                        "security incidents in the last 24 months",
                    ),
                    _ => (self.key(), self.key()),
                };
                let noun = if n == 1 { one } else { many };
                format!("{} {noun}", crate::text::thousands(n))
            }
            FactValue::Flag(yes) => {
                let (true_text, false_text) = match self {
                    Fact::RemoteAccess => (
                        "staff or vendors reach internal systems remotely",
                        "nobody reaches internal systems remotely",
                    ),
                    Fact::PatientPortal => {
                        ("you run a patient portal", "you run no patient portal")
                    }
                    Fact::OnPremisesEhr => (
                        "your EHR runs on your own servers",
                        "your EHR is hosted by a vendor",
                    ),
                    Fact::PortableDevicesWithPhi => (
                        "laptops, phones or media with patient data leave the premises",
                        "no device holding patient data leaves the premises",
                    ),
                    Fact::ProvidesAcuteCare => (
                        "you provide acute care that stops or diverts when systems fail",
                        "you provide no acute care",
                    ),
                    _ => (self.key(), self.key()),
                };
                if yes { true_text } else { false_text }.to_string()
            }
        }
    }
}

/// When `fact` meets the condition, add `likelihood` and `impact` (may be negative) to `threat`.
/// A numeric fact uses `at_least` and/or `at_most`; a yes/no fact uses `is`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExposureRule {
    pub fact: Fact,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_least: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_most: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is: Option<bool>,
    pub threat: ThreatId,
    #[serde(default)]
    pub likelihood: f64,
    #[serde(default)]
    pub impact: f64,
    /// Why the fact matters, in a consultant's words (shown in the threat's reasons).
    pub why: String,
}

impl ExposureRule {
    /// The fact's value when the rule applies to this organization.
    pub fn matches(&self, organization: &Organization) -> Option<FactValue> {
        let value = self.fact.value(organization)?;
        let applies = match value {
            FactValue::Count(n) => {
                (self.at_least.is_some() || self.at_most.is_some())
                    && self.at_least.is_none_or(|min| n >= min)
                    && self.at_most.is_none_or(|max| n <= max)
            }
            FactValue::Flag(yes) => self.is == Some(yes),
        };
        applies.then_some(value)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RiskRules {
    /// Share of a threat's inherent risk that full coverage removes. Below 1: some risk always remains.
    pub control_efficacy: f64,
    pub min_level: f64,
    pub max_level: f64,
}

impl Default for RiskRules {
    fn default() -> Self {
        RiskRules {
            control_efficacy: 0.8,
            min_level: 1.0,
            max_level: 5.0,
        }
    }
}

/// One value per band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BandTable<T> {
    pub low: T,
    pub medium: T,
    pub high: T,
}

impl<T: Copy> BandTable<T> {
    pub fn get(&self, band: Band) -> T {
        match band {
            Band::Low => self.low,
            Band::Medium => self.medium,
            Band::High => self.high,
        }
    }
}

/// One value per tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierTable<T> {
    pub small: T,
    pub medium: T,
    pub large: T,
}

impl<T: Copy> TierTable<T> {
    pub fn get(&self, tier: Tier) -> T {
        match tier {
            Tier::Small => self.small,
            Tier::Medium => self.medium,
            Tier::Large => self.large,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CostRules {
    /// Cost units of a sub-practice's cost band; priority = risk removed ÷ (cost + effort units).
    pub cost_units: BandTable<f64>,
    /// Cost units of a sub-practice's effort band.
    pub effort_units: BandTable<f64>,
    /// Estimated US dollars of a full implementation, per organization tier and cost band.
    pub dollars: TierTable<BandTable<u64>>,
    /// Estimated staff-days of a full implementation, per organization tier and effort band.
    pub staff_days: TierTable<BandTable<u32>>,
    /// The least share of the work left to do, whatever the status (finishing and evidencing a
    /// nearly complete item still takes time). The share left is `max(1 − value, this)`.
    pub min_remaining_work: f64,
}

impl Default for CostRules {
    fn default() -> Self {
        CostRules {
            cost_units: BandTable {
                low: 1.0,
                medium: 3.0,
                high: 9.0,
            },
            effort_units: BandTable {
                low: 1.0,
                medium: 2.0,
                high: 4.0,
            },
            dollars: TierTable {
                small: BandTable {
                    low: 1_000,
                    medium: 5_000,
                    high: 20_000,
                },
                medium: BandTable {
                    low: 10_000,
                    medium: 50_000,
                    high: 200_000,
                },
                large: BandTable {
                    low: 50_000,
                    medium: 250_000,
                    high: 1_000_000,
                },
            },
            staff_days: TierTable {
                small: BandTable {
                    low: 2,
                    medium: 5,
                    high: 15,
                },
                medium: BandTable {
                    low: 10,
                    medium: 30,
                    high: 90,
                },
                large: BandTable {
                    low: 20,
                    medium: 60,
                    high: 180,
                },
            },
            min_remaining_work: 0.25,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MilestoneRule {
    pub title: String,
    /// Where in the period it falls: 0 = first day, 1 = last day.
    pub at: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PlanRules {
    /// Length of a plan period in months: 1, 3 (quarters), 6 or 12.
    pub period_months: u32,
    /// How many periods a plan uses unless the caller says otherwise.
    pub periods: u32,
    /// The plan starts in the period containing "as of" only if at least this many days of it are left.
    pub min_days_left_in_first_period: u32,
    pub milestones: Vec<MilestoneRule>,
}

impl Default for PlanRules {
    fn default() -> Self {
        PlanRules {
            period_months: 3,
            periods: 8,
            min_days_left_in_first_period: 45,
            milestones: vec![
                MilestoneRule {
                    title: "Plan approved".to_string(),
                    at: 0.15,
                },
                MilestoneRule {
                    title: "Deployed".to_string(),
                    at: 0.7,
                },
                MilestoneRule {
                    title: "Verified and evidence filed".to_string(),
                    at: 1.0,
                },
            ],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HistoryRules {
    /// The lowest status that counts as "in place".
    pub in_place_from: Status,
    /// How long something must have been in place to count as an established practice.
    pub months_required: u32,
}

impl Default for HistoryRules {
    fn default() -> Self {
        HistoryRules {
            in_place_from: Status::Largely,
            months_required: 12,
        }
    }
}

impl Default for Methodology {
    fn default() -> Self {
        Methodology {
            status_values: StatusValues::default(),
            tier: TierRules::default(),
            threats: default_threats(),
            exposure_rules: default_exposure_rules(),
            risk: RiskRules::default(),
            cost: CostRules::default(),
            plan: PlanRules::default(),
            history: HistoryRules::default(),
        }
    }
}

fn default_threats() -> Vec<ThreatBase> {
    [
        (1, 4.0, 3.0),
        (2, 3.0, 4.0),
        (3, 3.0, 2.0),
        (4, 3.0, 3.0),
        (5, 2.0, 3.0),
    ]
    .into_iter()
    .map(|(threat, likelihood, impact)| ThreatBase {
        threat,
        likelihood,
        impact,
    })
    .collect()
}

fn default_exposure_rules() -> Vec<ExposureRule> {
    struct R(
        Fact,
        Option<u64>,
        Option<u64>,
        Option<bool>,
        ThreatId,
        f64,
        f64,
        &'static str,
    );
    let rules = [
        R(
            Fact::EmailPerDay,
            Some(5_000),
            None,
            None,
            1,
            0.5,
            0.0,
            "more inbound mail gives phishing more chances to reach someone who clicks",
        ),
        R(
            Fact::PatientPortal,
            None,
            None,
            Some(true),
            1,
            0.5,
            0.0,
            "fake portal messages and login pages are a ready-made lure",
        ),
        R(
            Fact::RemoteAccess,
            None,
            None,
            Some(true),
            1,
            0.0,
            0.5,
            "a stolen password opens remote access, not just a mailbox",
        ),
        R(
            Fact::PriorIncidents,
            Some(1),
            None,
            None,
            1,
            0.5,
            0.0,
            "attackers who succeeded once tend to come back",
        ),
        R(
            Fact::RemoteAccess,
            None,
            None,
            Some(true),
            2,
            1.0,
            0.0,
            "exposed remote access is the most common way ransomware crews get in",
        ),
        R(
            Fact::PriorIncidents,
            Some(1),
            None,
            None,
            2,
            0.5,
            0.0,
            "a past incident shows the organization is already on attackers' lists",
        ),
        R(
            Fact::OnPremisesEhr,
            None,
            None,
            Some(true),
            2,
            0.0,
            0.5,
            "the record system itself can be encrypted, and recovery rests on your own backups",
        ),
        R(
            Fact::ProvidesAcuteCare,
            None,
            None,
            Some(true),
            2,
            0.0,
            1.0,
            "an outage diverts ambulances and delays procedures, a direct patient-safety harm",
        ),
        R(
            Fact::PhiRecords,
            Some(1_000_000),
            None,
            None,
            2,
            0.0,
            0.5,
            "a large store of records makes data-theft extortion more damaging",
        ),
        R(
            Fact::PortableDevicesWithPhi,
            None,
            None,
            Some(true),
            3,
            1.0,
            0.0,
            "every device that leaves the building can be left in a car or a taxi",
        ),
        R(
            Fact::PortableDevicesWithPhi,
            None,
            None,
            Some(false),
            3,
            -1.0,
            0.0,
            "patient data stays on premises, so there is little to lose in transit",
        ),
        R(
            Fact::PhiRecords,
            Some(100_000),
            None,
            None,
            3,
            0.0,
            1.0,
            "a single lost device or backup may expose a large number of patients",
        ),
        R(
            Fact::Workforce,
            Some(1_000),
            None,
            None,
            4,
            0.5,
            0.0,
            "more people with access means more mistakes and more chances of misuse",
        ),
        R(
            Fact::PhiRecords,
            Some(100_000),
            None,
            None,
            4,
            0.0,
            0.5,
            "a misdirected export or snooping employee can reach many patients",
        ),
        R(
            Fact::PhiRecords,
            Some(1_000_000),
            None,
            None,
            4,
            0.0,
            0.5,
            "breaches of over a million records bring regulators, lawsuits and lasting loss of trust",
        ),
        R(
            Fact::ConnectedMedicalDevices,
            None,
            Some(0),
            None,
            5,
            -1.0,
            -1.0,
            "with no networked medical devices there is little for this threat to attack",
        ),
        R(
            Fact::ConnectedMedicalDevices,
            Some(50),
            None,
            None,
            5,
            1.0,
            0.0,
            "every networked device is an entry point that is slow to patch",
        ),
        R(
            Fact::ConnectedMedicalDevices,
            Some(1_000),
            None,
            None,
            5,
            0.5,
            0.0,
            "a fleet this size cannot be watched by hand",
        ),
        R(
            Fact::ProvidesAcuteCare,
            None,
            None,
            Some(true),
            5,
            0.0,
            1.5,
            "a tampered pump or monitor at the bedside endangers patients directly",
        ),
    ];
    rules
        .into_iter()
        .map(
            |R(fact, at_least, at_most, is, threat, likelihood, impact, why)| ExposureRule {
                fact,
                at_least,
                at_most,
                is,
                threat,
                likelihood,
                impact,
                why: why.to_string(),
            },
        )
        .collect()
}

/// The most a methodology may say one sub-practice costs, in US dollars: a billion is far past
/// any real estimate, and keeping every figure this small keeps every sum of them exact.
pub const MAX_DOLLARS: u64 = 1_000_000_000;
/// The most staff-days a methodology may say one sub-practice takes (about 40 person-years).
pub const MAX_STAFF_DAYS: u32 = 10_000;
/// The most exposure rules a methodology may have; the default has fewer than 30.
pub const MAX_EXPOSURE_RULES: usize = 500;
/// The most milestones per plan item; each is copied into every item of the plan.
pub const MAX_MILESTONES: usize = 20;

/// One rule that a methodology's numbers break: the key path at fault (as written in the
/// TOML, e.g. `cost.dollars.small.high` or `threats[2].likelihood`) and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub key: String,
    pub message: String,
}

impl Methodology {
    /// The full methodology as TOML: a starting point for an override file.
    pub fn to_toml_string(&self) -> String {
        // Serializing plain structs of numbers, strings and lists cannot fail.
        toml::to_string_pretty(self).unwrap_or_default()
    }

    /// Every rule the numbers break. Empty when the methodology can be used.
    pub fn findings(&self) -> Vec<Finding> {
        let mut findings = Vec::new();
        let mut check = |ok: bool, key: String, message: String| {
            if !ok {
                findings.push(Finding { key, message });
            }
        };
        let sv = &self.status_values;
        let scale = [
            ("not_implemented", sv.not_implemented),
            ("planned", sv.planned),
            ("partial", sv.partial),
            ("largely", sv.largely),
            ("implemented", sv.implemented),
            ("unknown", sv.unknown),
        ];
        for (name, value) in scale {
            check(
                (0.0..=1.0).contains(&value),
                format!("status_values.{name}"),
                format!("{value} is not a share: use a number from 0 to 1"),
            );
        }
        for pair in scale[..5].windows(2) {
            check(
                pair[0].1 <= pair[1].1,
                format!("status_values.{}", pair[0].0),
                format!(
                    "{} is above status_values.{} ({}): the scale must not go down",
                    pair[0].1, pair[1].0, pair[1].1
                ),
            );
        }
        check(
            sv.unknown <= sv.largely,
            "status_values.unknown".to_string(),
            "must not exceed status_values.largely: an unanswered item cannot count as in place"
                .to_string(),
        );
        let (lo, hi) = (self.risk.min_level, self.risk.max_level);
        check(
            lo > 0.0 && lo < hi,
            "risk.min_level".to_string(),
            format!("{lo} must be above 0 and below risk.max_level ({hi})"),
        );
        check(
            self.risk.control_efficacy > 0.0 && self.risk.control_efficacy < 1.0,
            "risk.control_efficacy".to_string(),
            format!(
                "{} is out of range: use a number above 0 and below 1 (full coverage never removes all risk)",
                self.risk.control_efficacy
            ),
        );
        for threat in 1..=5u8 {
            let count = self.threats.iter().filter(|t| t.threat == threat).count();
            check(
                count == 1,
                "threats".to_string(),
                format!("threat {threat} is listed {count} times; list each of threats 1-5 once"),
            );
        }
        for (i, base) in self.threats.iter().enumerate() {
            check(
                (1..=5).contains(&base.threat),
                format!("threats[{i}].threat"),
                format!(
                    "{} does not exist: threats are numbered 1 to 5",
                    base.threat
                ),
            );
            for (name, value) in [("likelihood", base.likelihood), ("impact", base.impact)] {
                check(
                    (lo..=hi).contains(&value),
                    format!("threats[{i}].{name}"),
                    format!("{value} is off the scale: use a number from {lo} to {hi}"),
                );
            }
        }
        // Lists whose length multiplies work or output: each rule is tried on every threat,
        // each milestone is copied into every plan item.
        for (key, count, limit, noun) in [
            (
                "exposure_rules",
                self.exposure_rules.len(),
                MAX_EXPOSURE_RULES,
                "rules",
            ),
            (
                "plan.milestones",
                self.plan.milestones.len(),
                MAX_MILESTONES,
                "milestones per item",
            ),
        ] {
            check(
                count <= limit,
                key.to_string(),
                format!("{count} {noun} are more than the {limit} allowed"),
            );
        }
        for (i, rule) in self.exposure_rules.iter().enumerate() {
            let at = format!("exposure_rules[{i}]");
            check(
                (1..=5).contains(&rule.threat),
                format!("{at}.threat"),
                format!("threat {} does not exist; use 1 to 5", rule.threat),
            );
            if rule.fact.is_flag() {
                check(
                    rule.is.is_some() && rule.at_least.is_none() && rule.at_most.is_none(),
                    at.clone(),
                    format!(
                        "`{}` is a yes/no fact: it takes `is = true` or `is = false`, not at_least/at_most",
                        rule.fact.key()
                    ),
                );
            } else {
                check(
                    rule.is.is_none() && (rule.at_least.is_some() || rule.at_most.is_some()),
                    at.clone(),
                    format!(
                        "`{}` is a numeric fact: it takes `at_least` and/or `at_most`, not `is`",
                        rule.fact.key()
                    ),
                );
            }
            for (name, delta) in [("likelihood", rule.likelihood), ("impact", rule.impact)] {
                check(
                    delta.is_finite() && delta.abs() <= hi - lo,
                    format!("{at}.{name}"),
                    format!("a change of {delta} is larger than the whole scale"),
                );
            }
            check(
                !rule.why.trim().is_empty(),
                format!("{at}.why"),
                "is empty; say why the fact matters".to_string(),
            );
        }
        let cost = &self.cost;
        for (name, table) in [
            ("cost_units", cost.cost_units),
            ("effort_units", cost.effort_units),
        ] {
            for band in [Band::Low, Band::Medium, Band::High] {
                let value = table.get(band);
                check(
                    value.is_finite() && value > 0.0 && value <= 1e6,
                    format!("cost.{name}.{band}"),
                    format!("{value} is out of range: use a number above 0 and at most 1000000"),
                );
            }
        }
        for tier in [Tier::Small, Tier::Medium, Tier::Large] {
            for band in [Band::Low, Band::Medium, Band::High] {
                let dollars = cost.dollars.get(tier).get(band);
                check(
                    dollars <= MAX_DOLLARS,
                    format!("cost.dollars.{tier}.{band}"),
                    format!(
                        "${dollars} for one sub-practice is more than the {MAX_DOLLARS} allowed; give an estimate in whole US dollars"
                    ),
                );
                let days = cost.staff_days.get(tier).get(band);
                check(
                    days <= MAX_STAFF_DAYS,
                    format!("cost.staff_days.{tier}.{band}"),
                    format!(
                        "{days} staff-days for one sub-practice are more than the {MAX_STAFF_DAYS} allowed"
                    ),
                );
            }
        }
        check(
            cost.min_remaining_work > 0.0 && cost.min_remaining_work <= 1.0,
            "cost.min_remaining_work".to_string(),
            format!(
                "{} is out of range: use a number above 0 and at most 1",
                cost.min_remaining_work
            ),
        );
        let plan = &self.plan;
        check(
            [1, 3, 6, 12].contains(&plan.period_months),
            "plan.period_months".to_string(),
            format!(
                "{} is not a period length: use 1, 3, 6 or 12",
                plan.period_months
            ),
        );
        check(
            (1..=crate::plan::MAX_PERIODS).contains(&plan.periods),
            "plan.periods".to_string(),
            format!(
                "{} is out of range: use 1 to {}",
                plan.periods,
                crate::plan::MAX_PERIODS
            ),
        );
        check(
            plan.min_days_left_in_first_period <= 366,
            "plan.min_days_left_in_first_period".to_string(),
            format!(
                "{} days are more than any period has: use 0 to 366",
                plan.min_days_left_in_first_period
            ),
        );
        for (i, milestone) in plan.milestones.iter().enumerate() {
            check(
                (0.0..=1.0).contains(&milestone.at),
                format!("plan.milestones[{i}].at"),
                format!(
                    "{} is out of range: use 0 (first day) to 1 (last day)",
                    milestone.at
                ),
            );
        }
        check(
            matches!(
                self.history.in_place_from,
                Status::Largely | Status::Implemented
            ),
            "history.in_place_from".to_string(),
            "must be `largely` or `implemented`".to_string(),
        );
        check(
            (1..=120).contains(&self.history.months_required),
            "history.months_required".to_string(),
            format!(
                "{} is out of range: use 1 to 120",
                self.history.months_required
            ),
        );
        findings
    }

    /// Base likelihood and impact of a threat; a threat the methodology does not list is 3 and 3.
    pub fn threat_base(&self, threat: ThreatId) -> ThreatBase {
        self.threats
            .iter()
            .copied()
            .find(|t| t.threat == threat)
            .unwrap_or(ThreatBase {
                threat,
                likelihood: 3.0,
                impact: 3.0,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_methodology_is_valid_and_round_trips_through_toml() {
        let default = Methodology::default();
        assert_eq!(default.findings(), Vec::new());
        assert_eq!(default.validate("default"), Ok(()));
        let text = default.to_toml_string();
        let parsed = Methodology::from_toml_str(&text, "default.toml").expect("parses");
        assert_eq!(parsed, default);
    }

    #[test]
    fn an_override_changes_only_what_it_names() {
        let m = Methodology::from_toml_str(
            "[status_values]\npartial = 0.5\n[risk]\ncontrol_efficacy = 0.9\n",
            "m.toml",
        )
        .expect("valid");
        assert_eq!(m.status_values.partial, 0.5);
        assert_eq!(m.status_values.largely, 0.75);
        assert_eq!(m.risk.control_efficacy, 0.9);
        assert_eq!(m.exposure_rules, Methodology::default().exposure_rules);
    }

    #[test]
    fn rules_test_numbers_and_flags() {
        let mut org = Organization::default();
        org.exposure.connected_medical_devices = Some(0);
        org.exposure.remote_access = Some(false);
        let rules = Methodology::default().exposure_rules;
        let matched: Vec<_> = rules.iter().filter(|r| r.matches(&org).is_some()).collect();
        assert_eq!(matched.len(), 1);
        assert_eq!(matched[0].fact, Fact::ConnectedMedicalDevices);
        assert_eq!(matched[0].at_most, Some(0));
    }
}
