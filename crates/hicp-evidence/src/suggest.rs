//! Suggested answers: from the metrics, a status for each sub-practice they inform, with the
//! evidence and the rule in words. The assessor accepts or overrides; nothing here decides.
//! A rule that lacks the data it needs suggests nothing rather than guess.

use hicp_engine::Status;
use serde::Serialize;

use crate::metrics::Metrics;
use crate::model::Severity;

/// One suggested answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    /// The catalog's sub-practice id, e.g. `7.M.A`.
    pub sub_practice: &'static str,
    pub status: Status,
    /// The rule that chose the status, in words.
    pub rule: &'static str,
    /// The figures the rule looked at, in words.
    pub evidence: Vec<String>,
    /// Ids of the metrics used (see [`crate::DEFINITIONS`]).
    pub metrics: &'static [&'static str],
}

const SCANNING_RULE: &str = "Scans exist, so at least partial. Largely when at least 75% of \
    scanned hosts were scanned with credentials and, where an inventory is loaded, at least 75% \
    of inventory assets were scanned within the recency window; implemented when both are at \
    least 95%. Without an inventory (coverage unknown) the suggestion is at most largely.";

const PATCHING_RULE: &str = "Of the open low-to-critical findings with a timeframe, the share \
    within HICP's remediation timeframe: at least 95% implemented, at least 80% largely, at \
    least 50% partial, below that not implemented. No open findings at all is implemented. Any \
    open known-exploited vulnerability, or any overdue critical finding, caps the suggestion at \
    largely.";

const INVENTORY_RULE: &str = "Of the hosts the scanner saw, the share found in the inventory: \
    at least 95% implemented, at least 80% largely, at least 50% partial, below that not \
    implemented. Needs both an inventory and a scan.";

const MEDICAL_RULE: &str = "Of the medical devices in the inventory: none scanned recently is \
    partial (the devices are known but their exposure is not); otherwise, with no scanned device \
    carrying an open high or critical finding and at least 90% scanned recently, largely (scans \
    cannot show the rest of device management, such as vendor agreements, MDS2 forms and \
    segmentation, so never implemented); at most a quarter of the scanned devices with high or \
    critical findings is partial; more is not implemented.";

const VULNERABILITY_MANAGEMENT_RULE: &str = "The lower of the scanning and the remediation \
    suggestions: a small organization's vulnerability management is both.";

/// Every suggestion the metrics support, in sub-practice order.
pub fn suggest(metrics: &Metrics) -> Vec<Suggestion> {
    let mut out = Vec::new();
    let scanning = scanning(metrics);
    let patching = patching(metrics);
    if let Some((status, evidence)) = inventory(metrics) {
        for id in ["5.S.A", "5.M.A"] {
            out.push(Suggestion {
                sub_practice: id,
                status,
                rule: INVENTORY_RULE,
                evidence: evidence.clone(),
                metrics: &["scanned_hosts_not_in_inventory"],
            });
        }
    }
    if let (Some((a, evidence_a)), Some((b, evidence_b))) = (&scanning, &patching) {
        out.push(Suggestion {
            sub_practice: "7.S.A",
            status: lower(*a, *b),
            rule: VULNERABILITY_MANAGEMENT_RULE,
            evidence: evidence_a.iter().chain(evidence_b).cloned().collect(),
            metrics: &[
                "credentialed_scan_share",
                "assets_not_scanned_recently",
                "remediation_within_timeframe",
                "known_exploited_present",
            ],
        });
    }
    if let Some((status, evidence)) = scanning {
        out.push(Suggestion {
            sub_practice: "7.M.A",
            status,
            rule: SCANNING_RULE,
            evidence,
            metrics: &["credentialed_scan_share", "assets_not_scanned_recently"],
        });
    }
    if let Some((status, evidence)) = patching {
        out.push(Suggestion {
            sub_practice: "7.M.D",
            status,
            rule: PATCHING_RULE,
            evidence,
            metrics: &[
                "open_vulnerabilities",
                "remediation_within_timeframe",
                "known_exploited_present",
            ],
        });
    }
    if let Some((status, evidence)) = medical(metrics) {
        for id in ["9.S.A", "9.M.A", "9.L.A"] {
            out.push(Suggestion {
                sub_practice: id,
                status,
                rule: MEDICAL_RULE,
                evidence: evidence.clone(),
                metrics: &["medical_devices_high_or_critical"],
            });
        }
    }
    out
}

type Verdict = (Status, Vec<String>);

/// The banded statuses, best first, as a rank for taking the lower of two.
fn rank(status: Status) -> u8 {
    match status {
        Status::Implemented => 4,
        Status::Largely => 3,
        Status::Partial => 2,
        Status::Planned => 1,
        _ => 0,
    }
}

fn lower(a: Status, b: Status) -> Status {
    if rank(a) <= rank(b) { a } else { b }
}

fn band(share: f64, implemented: f64, largely: f64, partial: f64) -> Status {
    if share >= implemented {
        Status::Implemented
    } else if share >= largely {
        Status::Largely
    } else if share >= partial {
        Status::Partial
    } else {
        Status::NotImplemented
    }
}

fn percent(share: f64) -> String {
    format!("{:.0}%", share * 100.0)
}

fn scanning(metrics: &Metrics) -> Option<Verdict> {
    if metrics.hosts_scanned == 0 {
        return None;
    }
    let mut evidence = vec![format!("{} hosts scanned", metrics.hosts_scanned)];
    let credentialed = metrics.credentialed.share;
    match credentialed {
        Some(share) => evidence.push(format!(
            "{} of {} hosts whose scan says so were scanned with credentials ({})",
            metrics.credentialed.hosts_credentialed,
            metrics.credentialed.hosts_known,
            percent(share)
        )),
        None => evidence.push("no scan says whether it logged in".to_string()),
    }
    let coverage = metrics
        .inventory
        .and_then(|i| i.assets_scanned_recently_share.map(|s| (s, i)));
    match coverage {
        Some((share, inventory)) => evidence.push(format!(
            "{} of {} inventory assets scanned in the last {} days ({})",
            inventory.assets - inventory.assets_not_scanned_recently,
            inventory.assets,
            inventory.recency_days,
            percent(share)
        )),
        None => evidence.push("no inventory loaded, so coverage is unknown".to_string()),
    }
    let lowest = [credentialed, coverage.map(|c| c.0)]
        .into_iter()
        .flatten()
        .fold(None, |low: Option<f64>, s| {
            Some(low.map_or(s, |l| l.min(s)))
        });
    let both_known = credentialed.is_some() && coverage.is_some();
    let status = match lowest {
        Some(share) if share >= 0.95 && both_known => Status::Implemented,
        Some(share) if share >= 0.75 => Status::Largely,
        _ => Status::Partial,
    };
    Some((status, evidence))
}

fn patching(metrics: &Metrics) -> Option<Verdict> {
    if metrics.hosts_scanned == 0 {
        return None;
    }
    let r = &metrics.remediation;
    let open_real = [
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ]
    .iter()
    .map(|s| metrics.open.get(*s))
    .sum::<u64>();
    let kev_open = metrics.kev.map_or(0, |k| k.open_findings);
    let mut evidence = vec![format!(
        "{open_real} open low-to-critical findings ({} critical, {} high)",
        metrics.open.critical, metrics.open.high
    )];
    let status = if open_real == 0 {
        Status::Implemented
    } else {
        let share = r.within_timeframe_share?;
        evidence.push(format!(
            "{} of {} with a timeframe are within it ({}); {} overdue, {} of them critical",
            r.with_timeframe - r.overdue,
            r.with_timeframe,
            percent(share),
            r.overdue,
            r.overdue_by_severity.critical
        ));
        if r.age_unknown > 0 {
            evidence.push(format!(
                "{} findings of unknown age not counted",
                r.age_unknown
            ));
        }
        band(share, 0.95, 0.80, 0.50)
    };
    if let Some(kev) = metrics.kev {
        evidence.push(format!(
            "{} open findings with a known-exploited vulnerability ({} CVEs)",
            kev.open_findings, kev.distinct_cves
        ));
    }
    let capped = kev_open > 0 || r.overdue_by_severity.critical > 0;
    let status = if capped {
        lower(status, Status::Largely)
    } else {
        status
    };
    Some((status, evidence))
}

fn inventory(metrics: &Metrics) -> Option<Verdict> {
    let inventory = metrics.inventory?;
    let share = inventory.scanned_hosts_in_inventory_share?;
    let evidence = vec![format!(
        "{} of {} scanned hosts found in the inventory of {} assets ({}); {} missing",
        metrics.hosts_scanned - inventory.scanned_hosts_not_in_inventory,
        metrics.hosts_scanned,
        inventory.assets,
        percent(share),
        inventory.scanned_hosts_not_in_inventory
    )];
    Some((band(share, 0.95, 0.80, 0.50), evidence))
}

fn medical(metrics: &Metrics) -> Option<Verdict> {
    let devices = metrics.medical_devices?;
    let mut evidence = vec![format!(
        "{} medical devices in the inventory, {} scanned recently",
        devices.devices, devices.scanned_recently
    )];
    if devices.scanned_recently == 0 {
        return Some((Status::Partial, evidence));
    }
    evidence.push(format!(
        "{} with an open high or critical finding, {} with a known-exploited vulnerability",
        devices.with_high_or_critical, devices.with_kev
    ));
    let scanned_share = devices.scanned_recently as f64 / devices.devices as f64;
    let affected_share = devices.with_high_or_critical as f64 / devices.scanned_recently as f64;
    let status = if devices.with_high_or_critical == 0 && scanned_share >= 0.90 {
        Status::Largely
    } else if affected_share <= 0.25 {
        Status::Partial
    } else {
        Status::NotImplemented
    };
    Some((status, evidence))
}
