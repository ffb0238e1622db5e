//! Metrics and suggested answers: each definition and each rule threshold, on records built
//! here (the functions are pure), and once over real samples.

mod common;

use std::sync::Arc;

use hicp_engine::Status;
use hicp_evidence::{
    Asset, BySeverity, Credentialed, Evidence, Finding, Host, HostIdentity,
    InventoryReconciliation, KevCatalog, KevEntry, KevPresence, MedicalDevices, MetricSettings,
    Metrics, Record, Remediation, Severity, compute, suggest,
};
use time::macros::date;

const DAY: i64 = 86_400;
/// 2026-12-01T00:00:00Z.
const DEC_1: i64 = 1_796_083_200;

fn identity(ip: &str) -> Arc<HostIdentity> {
    Arc::new(HostIdentity {
        name: ip.to_string(),
        ip: Some(ip.to_string()),
        ..HostIdentity::default()
    })
}

fn finding(host: &Arc<HostIdentity>, check: &str, severity: Severity, age_days: i64) -> Finding {
    Finding {
        host: host.clone(),
        check_id: check.to_string(),
        name: check.to_string(),
        severity,
        cves: Vec::new(),
        port: Some(443),
        protocol: Some("tcp".into()),
        first_seen: Some(DEC_1 - age_days * DAY),
        last_seen: Some(DEC_1),
        fixed: false,
    }
}

fn host(identity: &Arc<HostIdentity>, credentialed: Option<bool>, scanned_days_ago: i64) -> Host {
    Host {
        identity: identity.clone(),
        operating_system: None,
        credentialed,
        scan_start: Some(DEC_1 - scanned_days_ago * DAY),
        scan_end: Some(DEC_1 - scanned_days_ago * DAY),
    }
}

fn asset(id: &str, ip: &str) -> Asset {
    Asset {
        asset_id: id.to_string(),
        ip: Some(ip.to_string()),
        ..Asset::default()
    }
}

const AS_OF: time::Date = date!(2026 - 11 - 30);

#[test]
fn age_is_measured_against_the_internal_or_internet_facing_timeframe() {
    let internal = identity("10.0.0.1");
    let facing = identity("10.0.0.2");
    let public = identity("52.208.101.182");
    let findings = [
        finding(&internal, "crit-29", Severity::Critical, 29),
        finding(&internal, "crit-31", Severity::Critical, 31),
        finding(&internal, "low-400", Severity::Low, 400), // internal low: at discretion
        finding(&facing, "crit-15", Severity::Critical, 15),
        finding(&facing, "high-29", Severity::High, 29),
        finding(&public, "med-91", Severity::Medium, 91),
    ];
    let mut inventory_row = asset("A2", "10.0.0.2");
    inventory_row.internet_facing = true;
    let assets = [inventory_row];
    let evidence = Evidence {
        findings: &findings,
        assets: &assets,
        ..Evidence::default()
    };
    let metrics = compute(&evidence, &MetricSettings::default(), AS_OF);
    let r = metrics.remediation;
    assert_eq!(r.with_timeframe, 5, "the internal low has no timeframe");
    assert_eq!(
        r.overdue, 3,
        "crit-31 internal, crit-15 facing, med-91 public"
    );
    assert_eq!(r.overdue_by_severity.critical, 2);
    assert_eq!(r.overdue_by_severity.medium, 1);
    assert_eq!(r.overdue_internet_facing, 2);
    assert_eq!(r.within_timeframe_share, Some(2.0 / 5.0));
    assert_eq!(metrics.open.critical, 3);

    let settings = MetricSettings {
        public_address_is_internet_facing: false,
        ..MetricSettings::default()
    };
    let metrics = compute(&evidence, &settings, AS_OF);
    assert_eq!(
        metrics.remediation.overdue, 2,
        "med-91 is internal now (180 days)"
    );
}

#[test]
fn fixed_and_repeated_findings_are_not_counted_twice_and_unknown_ages_are_apart() {
    let a = identity("10.0.0.1");
    let mut older = finding(&a, "p1", Severity::High, 100);
    older.last_seen = Some(DEC_1 - 50 * DAY);
    let repeat = finding(&a, "p1", Severity::High, 10);
    let mut fixed = finding(&a, "p2", Severity::Critical, 300);
    fixed.fixed = true;
    let mut unknown = finding(&a, "p3", Severity::Medium, 0);
    unknown.first_seen = None;
    unknown.last_seen = None;
    let findings = [older, repeat, fixed, unknown];
    let metrics = compute(
        &Evidence {
            findings: &findings,
            ..Evidence::default()
        },
        &MetricSettings::default(),
        AS_OF,
    );
    assert_eq!(metrics.open.high, 1, "p1 once");
    assert_eq!(metrics.open.critical, 0, "p2 is fixed");
    assert_eq!(
        metrics.remediation.overdue, 1,
        "p1 aged from its first sighting, 100 days > 90"
    );
    assert_eq!(metrics.remediation.age_unknown, 1);
    assert_eq!(metrics.hosts_scanned, 1);
}

#[test]
fn known_exploited_and_credentialed_coverage() {
    let a = identity("10.0.0.1");
    let b = identity("10.0.0.2");
    let c = identity("10.0.0.3");
    let mut exploited = finding(&a, "p1", Severity::Critical, 1);
    exploited.cves = vec!["CVE-2021-44228".into(), "CVE-2000-0001".into()];
    let mut also = finding(&b, "p1", Severity::Critical, 1);
    also.cves = vec!["CVE-2021-44228".into()];
    let findings = [exploited, also, finding(&c, "p9", Severity::Low, 1)];
    let hosts = [
        host(&a, Some(true), 1),
        host(&b, Some(false), 1),
        host(&c, None, 1),
    ];
    let kev = KevCatalog::from_entries([KevEntry {
        cve: "CVE-2021-44228".into(),
        vendor_project: "Apache".into(),
        product: "Log4j2".into(),
        name: "Log4Shell".into(),
        date_added: "2021-12-10".into(),
        due_date: "2021-12-24".into(),
        known_ransomware: true,
    }]);
    let metrics = compute(
        &Evidence {
            findings: &findings,
            hosts: &hosts,
            kev: Some(&kev),
            ..Evidence::default()
        },
        &MetricSettings::default(),
        AS_OF,
    );
    assert_eq!(
        metrics.kev,
        Some(KevPresence {
            open_findings: 2,
            distinct_cves: 1,
            hosts: 2,
            past_kev_due_date: 2
        })
    );
    assert_eq!(metrics.credentialed.hosts_credentialed, 1);
    assert_eq!(metrics.credentialed.hosts_known, 2);
    assert_eq!(metrics.credentialed.hosts_unknown, 1);
    assert_eq!(metrics.credentialed.share, Some(0.5));
}

#[test]
fn scanner_and_inventory_are_reconciled_and_medical_devices_counted() {
    let pump = Arc::new(HostIdentity {
        name: "pump-7.icu.example.org".into(),
        fqdn: Some("pump-7.icu.example.org".into()),
        ..HostIdentity::default()
    });
    let monitor = identity("10.9.0.8");
    let stray = identity("10.9.0.99");
    let mut monitor_finding = finding(&monitor, "p2", Severity::Medium, 60);
    monitor_finding.last_seen = Some(DEC_1 - 45 * DAY);
    let findings = [
        finding(&pump, "p1", Severity::High, 1),
        monitor_finding,
        finding(&stray, "p3", Severity::Low, 1),
    ];
    let hosts = [
        host(&pump, None, 2),
        host(&monitor, None, 45),
        host(&stray, None, 2),
    ];
    let mut pump_row = Asset {
        asset_id: "MD-1".into(),
        hostname: Some("PUMP-7".into()),
        medical_device: true,
        ..Asset::default()
    };
    pump_row.mac = Some("00:1a:2b:3c:4d:5e".into());
    let mut monitor_row = asset("MD-2", "10.9.0.8");
    monitor_row.medical_device = true;
    let assets = [pump_row, monitor_row, asset("WS-1", "10.9.0.50")];
    let metrics = compute(
        &Evidence {
            findings: &findings,
            hosts: &hosts,
            assets: &assets,
            kev: None,
        },
        &MetricSettings::default(),
        AS_OF,
    );
    let inventory = metrics.inventory.unwrap();
    assert_eq!(inventory.assets, 3);
    assert_eq!(inventory.scanned_hosts_not_in_inventory, 1, "10.9.0.99");
    assert_eq!(inventory.scanned_hosts_in_inventory_share, Some(2.0 / 3.0));
    assert_eq!(
        inventory.assets_not_scanned_recently, 2,
        "the monitor (45 days) and the unscanned workstation"
    );
    assert_eq!(
        metrics.medical_devices,
        Some(MedicalDevices {
            devices: 2,
            scanned_recently: 1,
            with_high_or_critical: 1,
            with_kev: 0
        })
    );
    let described = metrics.described();
    let ids: Vec<&str> = described.iter().map(|m| m.definition.id).collect();
    let defined: Vec<&str> = hicp_evidence::DEFINITIONS.iter().map(|d| d.id).collect();
    assert_eq!(ids, defined, "every defined metric is described");
    let value = |id: &str| {
        described
            .iter()
            .find(|m| m.definition.id == id)
            .map(|m| m.value.clone())
            .unwrap()
    };
    assert_eq!(
        value("scanned_hosts_not_in_inventory"),
        "1 of 3 scanned hosts"
    );
    assert!(value("medical_devices_high_or_critical").starts_with("1 of 2 devices"));
    assert!(value("known_exploited_present").starts_with("not measured"));
}

fn metrics_with(edit: impl FnOnce(&mut Metrics)) -> Metrics {
    let mut metrics = Metrics {
        as_of: AS_OF,
        hosts_scanned: 100,
        open: BySeverity::default(),
        remediation: Remediation::default(),
        kev: None,
        credentialed: Credentialed::default(),
        inventory: None,
        medical_devices: None,
    };
    edit(&mut metrics);
    metrics
}

fn status_of(metrics: &Metrics, id: &str) -> Option<Status> {
    suggest(metrics)
        .into_iter()
        .find(|s| s.sub_practice == id)
        .map(|s| {
            assert!(!s.rule.is_empty() && !s.evidence.is_empty());
            s.status
        })
}

fn credentialed(share: f64) -> Credentialed {
    Credentialed {
        hosts_credentialed: (share * 100.0).round() as u64,
        hosts_known: 100,
        hosts_unknown: 0,
        share: Some(share),
    }
}

fn inventory(in_inventory: f64, scanned_recently: f64) -> InventoryReconciliation {
    InventoryReconciliation {
        assets: 100,
        scanned_hosts_not_in_inventory: 100 - (in_inventory * 100.0).round() as u64,
        scanned_hosts_in_inventory_share: Some(in_inventory),
        assets_not_scanned_recently: 100 - (scanned_recently * 100.0).round() as u64,
        assets_scanned_recently_share: Some(scanned_recently),
        recency_days: 30,
    }
}

#[test]
fn scanning_rule_thresholds() {
    let with = |c: Option<f64>, coverage: Option<f64>| {
        let m = metrics_with(|m| {
            if let Some(c) = c {
                m.credentialed = credentialed(c);
            }
            m.inventory = coverage.map(|v| inventory(1.0, v));
        });
        status_of(&m, "7.M.A")
    };
    assert_eq!(with(Some(0.95), Some(0.95)), Some(Status::Implemented));
    assert_eq!(with(Some(0.94), Some(0.99)), Some(Status::Largely));
    assert_eq!(with(Some(0.99), Some(0.94)), Some(Status::Largely));
    assert_eq!(
        with(Some(1.0), None),
        Some(Status::Largely),
        "coverage unknown"
    );
    assert_eq!(with(Some(0.75), Some(0.75)), Some(Status::Largely));
    assert_eq!(with(Some(0.74), Some(1.0)), Some(Status::Partial));
    assert_eq!(with(Some(0.0), None), Some(Status::Partial), "scans exist");
    assert_eq!(with(None, None), Some(Status::Partial));
    let none = metrics_with(|m| m.hosts_scanned = 0);
    assert_eq!(status_of(&none, "7.M.A"), None, "no scan, no suggestion");
}

#[test]
fn patching_rule_thresholds_and_caps() {
    let with = |within: u64, overdue_critical: u64, kev_open: u64| {
        let m = metrics_with(|m| {
            m.open.high = 100;
            m.remediation = Remediation {
                with_timeframe: 100,
                overdue: 100 - within,
                overdue_by_severity: BySeverity {
                    critical: overdue_critical,
                    ..BySeverity::default()
                },
                within_timeframe_share: Some(within as f64 / 100.0),
                ..Remediation::default()
            };
            m.kev = Some(KevPresence {
                open_findings: kev_open,
                ..KevPresence::default()
            });
        });
        status_of(&m, "7.M.D")
    };
    assert_eq!(with(95, 0, 0), Some(Status::Implemented));
    assert_eq!(with(94, 0, 0), Some(Status::Largely));
    assert_eq!(with(80, 0, 0), Some(Status::Largely));
    assert_eq!(with(79, 0, 0), Some(Status::Partial));
    assert_eq!(with(50, 0, 0), Some(Status::Partial));
    assert_eq!(with(49, 0, 0), Some(Status::NotImplemented));
    assert_eq!(with(99, 0, 1), Some(Status::Largely), "a KEV finding caps");
    assert_eq!(
        with(99, 1, 0),
        Some(Status::Largely),
        "an overdue critical caps"
    );
    assert_eq!(
        with(40, 1, 1),
        Some(Status::NotImplemented),
        "a cap never raises"
    );

    let clean = metrics_with(|_| {});
    assert_eq!(status_of(&clean, "7.M.D"), Some(Status::Implemented));
    let ages_unknown = metrics_with(|m| {
        m.open.critical = 3;
        m.remediation.age_unknown = 3;
    });
    assert_eq!(status_of(&ages_unknown, "7.M.D"), None);
}

#[test]
fn small_vulnerability_management_takes_the_lower_of_scanning_and_patching() {
    let m = metrics_with(|m| {
        m.credentialed = credentialed(1.0);
        m.inventory = Some(inventory(1.0, 1.0));
        m.open.high = 10;
        m.remediation = Remediation {
            with_timeframe: 10,
            overdue: 6,
            within_timeframe_share: Some(0.4),
            ..Remediation::default()
        };
    });
    assert_eq!(status_of(&m, "7.M.A"), Some(Status::Implemented));
    assert_eq!(status_of(&m, "7.M.D"), Some(Status::NotImplemented));
    assert_eq!(status_of(&m, "7.S.A"), Some(Status::NotImplemented));
}

#[test]
fn inventory_rule_thresholds() {
    let with = |share: f64| {
        let m = metrics_with(|m| m.inventory = Some(inventory(share, 1.0)));
        (status_of(&m, "5.M.A"), status_of(&m, "5.S.A"))
    };
    for (share, status) in [
        (0.95, Status::Implemented),
        (0.94, Status::Largely),
        (0.80, Status::Largely),
        (0.79, Status::Partial),
        (0.50, Status::Partial),
        (0.49, Status::NotImplemented),
    ] {
        assert_eq!(with(share), (Some(status), Some(status)), "{share}");
    }
    assert_eq!(
        status_of(&metrics_with(|_| {}), "5.M.A"),
        None,
        "no inventory"
    );
}

#[test]
fn medical_device_rule_thresholds() {
    let with = |devices: u64, scanned: u64, affected: u64| {
        let m = metrics_with(|m| {
            m.medical_devices = Some(MedicalDevices {
                devices,
                scanned_recently: scanned,
                with_high_or_critical: affected,
                with_kev: 0,
            })
        });
        let ids: Vec<Option<Status>> = ["9.S.A", "9.M.A", "9.L.A"]
            .iter()
            .map(|id| status_of(&m, id))
            .collect();
        assert!(ids.windows(2).all(|w| w[0] == w[1]));
        ids[0]
    };
    assert_eq!(with(10, 9, 0), Some(Status::Largely));
    assert_eq!(with(10, 8, 0), Some(Status::Partial), "under 90% scanned");
    assert_eq!(with(100, 100, 25), Some(Status::Partial));
    assert_eq!(with(100, 100, 26), Some(Status::NotImplemented));
    assert_eq!(
        with(10, 0, 0),
        Some(Status::Partial),
        "known but not scanned"
    );
    assert_eq!(status_of(&metrics_with(|_| {}), "9.M.A"), None);
}

#[test]
fn real_scans_and_a_real_inventory_give_metrics_and_suggestions() {
    let Some(data) = common::testdata() else {
        return;
    };
    let kev = KevCatalog::load(
        &data.join("cisa-kev/known_exploited_vulnerabilities.json"),
        hicp_evidence::Options::default(),
    )
    .unwrap();
    let (summary, _, records) = common::summarize(
        hicp_evidence::Format::Nessus,
        &data.join("python-libnessus/nessus_report_local_3.nessus"),
        Some(&kev),
    )
    .unwrap();
    let (_, _, inventory) = common::summarize(
        hicp_evidence::Format::Inventory,
        &data.join("snipe-it/assets-sample.csv"),
        None,
    )
    .unwrap();
    let (mut findings, mut hosts, mut assets) = (Vec::new(), Vec::new(), Vec::new());
    for record in records.into_iter().chain(inventory) {
        match record {
            Record::Finding(f) => findings.push(f),
            Record::Host(h) => hosts.push(h),
            Record::Asset(a) => assets.push(a),
            Record::Kev(_) => {}
        }
    }
    let metrics = compute(
        &Evidence {
            findings: &findings,
            hosts: &hosts,
            assets: &assets,
            kev: Some(&kev),
        },
        &MetricSettings::default(),
        date!(2014 - 03 - 31),
    );
    assert_eq!(metrics.hosts_scanned, summary.hosts);
    let open_total: u64 = Severity::ALL.iter().map(|s| metrics.open.get(*s)).sum();
    assert_eq!(
        open_total, summary.findings,
        "no Nessus finding is marked fixed"
    );
    let inventory = metrics.inventory.unwrap();
    assert_eq!(inventory.assets, 22);
    assert_eq!(
        inventory.scanned_hosts_not_in_inventory, summary.hosts,
        "the Snipe-IT sample names none of these scanned hosts"
    );
    let suggestions = suggest(&metrics);
    let ids: Vec<&str> = suggestions.iter().map(|s| s.sub_practice).collect();
    assert_eq!(ids, ["5.S.A", "5.M.A", "7.S.A", "7.M.A", "7.M.D"]);
    assert_eq!(suggestions[0].status, Status::NotImplemented);
}

#[test]
fn a_metric_counts_as_measured_only_with_the_data_it_needs() {
    let as_of = time::macros::date!(2026 - 11 - 01);
    let settings = hicp_evidence::MetricSettings::default();
    let nothing = hicp_evidence::compute(&hicp_evidence::Evidence::default(), &settings, as_of);
    for definition in hicp_evidence::DEFINITIONS {
        assert!(
            !nothing.measured(definition.id),
            "{} with no data",
            definition.id
        );
    }
    let asset = hicp_evidence::Asset {
        asset_id: "A-1".to_string(),
        ip: Some("10.0.0.5".to_string()),
        ..hicp_evidence::Asset::default()
    };
    let assets = [asset];
    let inventory_only = hicp_evidence::compute(
        &hicp_evidence::Evidence {
            assets: &assets,
            ..hicp_evidence::Evidence::default()
        },
        &settings,
        as_of,
    );
    assert!(inventory_only.inventory.is_some());
    assert!(
        !inventory_only.measured("assets_not_scanned_recently"),
        "no scan yet: nothing to reconcile with"
    );
}
