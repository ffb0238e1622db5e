//! Which tier (small, medium, large) an organization's sizing facts point to, and the choice used.

use hicp_catalog::Tier;

use crate::methodology::{Fact, FactValue, SizeThresholds, TierRules};
use crate::model::{Organization, Sizing, TierDecision};
use crate::text::{join_and, thousands};

/// One sizing measure compared with the thresholds.
struct Measure {
    name: &'static str,
    value: Option<u32>,
    threshold: fn(&SizeThresholds) -> Option<u32>,
}

impl Measure {
    fn describe(&self, value: u32) -> String {
        let fact = match self.name {
            "providers" => Fact::Providers,
            "beds" => Fact::Beds,
            "workforce" => Fact::Workforce,
            "endpoints" => Fact::Endpoints,
            "sites" => Fact::Sites,
            _ => {
                return format!(
                    "{} dedicated IT and security staff",
                    thousands(value.into())
                );
            }
        };
        fact.describe(FactValue::Count(value.into()))
    }

    /// The value when it reaches the threshold of `level`.
    fn reaches(&self, level: &SizeThresholds) -> Option<(u32, u32)> {
        let value = self.value?;
        let threshold = (self.threshold)(level)?;
        (value >= threshold).then_some((value, threshold))
    }
}

fn measures(sizing: &Sizing) -> [Measure; 6] {
    let dedicated = match (sizing.it_staff, sizing.security_staff) {
        (None, None) => None,
        (it, sec) => Some(it.unwrap_or(0).saturating_add(sec.unwrap_or(0))),
    };
    [
        Measure {
            name: "providers",
            value: sizing.providers,
            threshold: |t| t.providers,
        },
        Measure {
            name: "beds",
            value: sizing.beds,
            threshold: |t| t.beds,
        },
        Measure {
            name: "workforce",
            value: sizing.workforce,
            threshold: |t| t.workforce,
        },
        Measure {
            name: "dedicated_it_staff",
            value: dedicated,
            threshold: |t| t.dedicated_it_staff,
        },
        Measure {
            name: "endpoints",
            value: sizing.endpoints,
            threshold: |t| t.endpoints,
        },
        Measure {
            name: "sites",
            value: sizing.sites,
            threshold: |t| t.sites,
        },
    ]
}

/// The tier the sizing facts point to, with the reasons.
pub fn recommend(sizing: &Sizing, rules: &TierRules) -> (Tier, Vec<String>) {
    let measures = measures(sizing);
    let mut reasons = Vec::new();
    let reached = |level: &SizeThresholds| -> Vec<String> {
        measures
            .iter()
            .filter_map(|m| {
                m.reaches(level).map(|(value, threshold)| {
                    format!(
                        "{} (threshold {})",
                        m.describe(value),
                        thousands(threshold.into())
                    )
                })
            })
            .collect()
    };
    let large = reached(&rules.large);
    let medium = reached(&rules.medium);
    let tier = if !large.is_empty() {
        reasons.push(format!(
            "Large: {} reach the large-organization thresholds.",
            join_and(&large)
        ));
        reasons.push(
            "HICP describes large organizations as having thousands of employees and tens of thousands of IT assets."
                .to_string(),
        );
        Tier::Large
    } else if !medium.is_empty() {
        reasons.push(format!(
            "Medium: {} reach the medium-organization thresholds, and no fact reaches a large one.",
            join_and(&medium)
        ));
        reasons.push(
            "HICP describes medium organizations as having hundreds of staff and hundreds to a few thousand IT assets."
                .to_string(),
        );
        Tier::Medium
    } else {
        let known: Vec<String> = measures
            .iter()
            .filter_map(|m| m.value.map(|v| m.describe(v)))
            .collect();
        if known.is_empty() {
            reasons.push(
                "Small: no sizing facts were given, so the smallest tier is assumed; add [organization.sizing] to get a real recommendation."
                    .to_string(),
            );
        } else {
            reasons.push(format!(
                "Small: {} stay below every medium-organization threshold.",
                join_and(&known)
            ));
        }
        reasons.push(
            "HICP describes small practices as having about ten physicians or fewer and no dedicated IT or security staff."
                .to_string(),
        );
        Tier::Small
    };
    let missing: Vec<String> = measures
        .iter()
        .filter(|m| m.value.is_none())
        .map(|m| m.name.to_string())
        .collect();
    if !missing.is_empty() && missing.len() < measures.len() {
        reasons.push(format!(
            "Not given: {}; add them to [organization.sizing] to confirm the recommendation.",
            join_and(&missing)
        ));
    }
    (tier, reasons)
}

/// The recommendation, and the user's choice where it differs (recorded with its reason).
pub fn decide(organization: &Organization, rules: &TierRules) -> TierDecision {
    let (recommended, mut reasons) = recommend(&organization.sizing, rules);
    let tier = organization.tier.unwrap_or(recommended);
    let overridden = tier != recommended;
    let override_reason = organization
        .tier_reason
        .as_ref()
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty());
    if overridden {
        reasons.push(match &override_reason {
            Some(why) => format!("You chose {tier} instead of the recommended {recommended}: {why}"),
            None => format!(
                "You chose {tier} instead of the recommended {recommended}, without saying why; add tier_reason to [organization] to record it."
            ),
        });
    } else if organization.tier.is_some() {
        reasons.push(format!("You confirmed the recommended tier, {tier}."));
    }
    TierDecision {
        tier,
        recommended,
        overridden,
        reasons,
        override_reason: if overridden { override_reason } else { None },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sizing(
        providers: u32,
        beds: u32,
        workforce: u32,
        it: u32,
        endpoints: u32,
        sites: u32,
    ) -> Sizing {
        Sizing {
            providers: Some(providers),
            beds: Some(beds),
            workforce: Some(workforce),
            it_staff: Some(it),
            security_staff: Some(0),
            endpoints: Some(endpoints),
            sites: Some(sites),
        }
    }

    #[test]
    fn a_six_physician_practice_without_it_staff_is_small() {
        let (tier, reasons) = recommend(&sizing(6, 0, 28, 0, 45, 1), &TierRules::default());
        assert_eq!(tier, Tier::Small);
        assert!(reasons[0].starts_with("Small: 6 physicians"), "{reasons:?}");
    }

    #[test]
    fn one_dedicated_it_person_or_eleven_providers_make_it_medium() {
        let rules = TierRules::default();
        assert_eq!(
            recommend(&sizing(6, 0, 28, 1, 45, 1), &rules).0,
            Tier::Medium
        );
        assert_eq!(
            recommend(&sizing(11, 0, 28, 0, 45, 1), &rules).0,
            Tier::Medium
        );
        assert_eq!(
            recommend(&sizing(10, 0, 99, 0, 249, 4), &rules).0,
            Tier::Small
        );
    }

    #[test]
    fn a_community_hospital_is_medium_and_a_system_is_large() {
        let rules = TierRules::default();
        let (tier, reasons) = recommend(&sizing(120, 150, 1_100, 14, 2_200, 6), &rules);
        assert_eq!(tier, Tier::Medium);
        assert!(
            reasons[0].contains("150 staffed beds (threshold 1)"),
            "{reasons:?}"
        );
        let (tier, reasons) = recommend(&sizing(900, 1_450, 14_000, 180, 32_000, 60), &rules);
        assert_eq!(tier, Tier::Large);
        assert!(
            reasons[0].contains("14,000 people in the workforce (threshold 2,500)"),
            "{reasons:?}"
        );
    }

    #[test]
    fn no_facts_means_small_with_a_request_for_facts() {
        let (tier, reasons) = recommend(&Sizing::default(), &TierRules::default());
        assert_eq!(tier, Tier::Small);
        assert!(reasons[0].contains("no sizing facts"));
    }

    #[test]
    fn an_override_is_recorded_with_its_reason() {
        let organization = Organization {
            tier: Some(Tier::Medium),
            tier_reason: Some("We run an ambulatory surgery centre.".into()),
            sizing: sizing(6, 0, 28, 0, 45, 1),
            ..Organization::default()
        };
        let decision = decide(&organization, &TierRules::default());
        assert_eq!(decision.tier, Tier::Medium);
        assert_eq!(decision.recommended, Tier::Small);
        assert!(decision.overridden);
        assert_eq!(
            decision.override_reason.as_deref(),
            Some("We run an ambulatory surgery centre.")
        );
        assert!(
            decision
                .reasons
                .last()
                .is_some_and(|r| r.contains("instead of the recommended small"))
        );
    }
}
