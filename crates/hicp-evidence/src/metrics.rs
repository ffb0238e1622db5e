//! HICP metrics from normalized records, the as-of date passed in. The only I/O is the
//! temporary file [`MetricsBuilder`] sorts a large scan's findings in ([`crate::spill`]).
//! Each metric's definition is in [`DEFINITIONS`] (and docs/evidence.md).

use std::collections::{HashMap, HashSet};
use std::convert::Infallible;
use std::net::IpAddr;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::kev::KevCatalog;
use crate::model::{Asset, Finding, Host, HostIdentity, Record, Severity};
use crate::spill::{self, Item, Kept, Log, Logged, Spill, SpillError};
use crate::summary::{BySeverity, Summary, SummaryBuilder};

/// Days allowed to fix an open vulnerability, per severity; `None` is "at the organization's
/// discretion" (no timeframe, so never overdue).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timeframes {
    pub critical: Option<u32>,
    pub high: Option<u32>,
    pub medium: Option<u32>,
    pub low: Option<u32>,
}

impl Timeframes {
    pub fn days(&self, severity: Severity) -> Option<u32> {
        match severity {
            Severity::Critical => self.critical,
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Low => self.low,
            Severity::Info => None,
        }
    }
}

/// What the metrics are measured against. The defaults are HICP's: see docs/evidence.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricSettings {
    /// Internet-facing systems (HICP's "DMZ" column): 14 / 30 / 90 / 180 days.
    pub internet_facing: Timeframes,
    /// Internal systems (HICP's "data center" column): 30 / 90 / 180 days, low at discretion.
    pub internal: Timeframes,
    /// A host counts as scanned recently when its last scan is at most this many days old
    /// (HICP 7.M.A's suggested coverage metric uses 30 days).
    pub scan_recency_days: u32,
    /// Whether a scanned host with a public (globally routable) address is internet-facing
    /// even when no inventory row says so.
    pub public_address_is_internet_facing: bool,
}

impl Default for MetricSettings {
    fn default() -> MetricSettings {
        MetricSettings {
            internet_facing: Timeframes {
                critical: Some(14),
                high: Some(30),
                medium: Some(90),
                low: Some(180),
            },
            internal: Timeframes {
                critical: Some(30),
                high: Some(90),
                medium: Some(180),
                low: None,
            },
            scan_recency_days: 30,
            public_address_is_internet_facing: true,
        }
    }
}

/// The records the metrics are computed over: the current findings (the latest scan of each
/// host; a finding repeated across files counts once), the host records, the inventory, and
/// the KEV catalog when one is loaded.
#[derive(Debug, Clone, Copy, Default)]
pub struct Evidence<'a> {
    pub findings: &'a [Finding],
    pub hosts: &'a [Host],
    pub assets: &'a [Asset],
    pub kev: Option<&'a KevCatalog>,
}

/// Open findings against their remediation timeframes (HICP 7.M.D).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Remediation {
    /// Open low-to-critical findings that have a timeframe and a known age.
    pub with_timeframe: u64,
    /// Of those, the ones older than their timeframe.
    pub overdue: u64,
    pub overdue_by_severity: BySeverity,
    /// Overdue findings on internet-facing hosts.
    pub overdue_internet_facing: u64,
    /// Open low-to-critical findings whose age is unknown (no first-seen or scan time).
    pub age_unknown: u64,
    /// `1 - overdue / with_timeframe`; `None` when nothing has a timeframe.
    pub within_timeframe_share: Option<f64>,
}

/// Known-exploited vulnerabilities present (CISA KEV).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KevPresence {
    /// Open findings with at least one CVE in the catalog.
    pub open_findings: u64,
    pub distinct_cves: u64,
    pub hosts: u64,
    /// Open KEV findings past the catalog's own due date (set for US federal agencies; shown
    /// as a benchmark).
    pub past_kev_due_date: u64,
}

/// Authenticated scanning (HICP 7.M.A).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Credentialed {
    pub hosts_credentialed: u64,
    /// Hosts whose scan says whether it logged in.
    pub hosts_known: u64,
    pub hosts_unknown: u64,
    /// `hosts_credentialed / hosts_known`.
    pub share: Option<f64>,
}

impl Credentialed {
    /// A host whose scan logged in, did not, or did not say.
    fn count(&mut self, credentialed: Option<bool>) {
        match credentialed {
            Some(logged_in) => {
                self.hosts_known += 1;
                self.hosts_credentialed += u64::from(logged_in);
            }
            None => self.hosts_unknown += 1,
        }
    }
}

/// Scanner and inventory reconciled (HICP 5.M.A, 7.M.A).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct InventoryReconciliation {
    pub assets: u64,
    pub scanned_hosts_not_in_inventory: u64,
    /// Scanned hosts that match an inventory asset, as a share of scanned hosts.
    pub scanned_hosts_in_inventory_share: Option<f64>,
    pub assets_not_scanned_recently: u64,
    /// Assets matched to a host scanned within the recency window, as a share of assets.
    pub assets_scanned_recently_share: Option<f64>,
    pub recency_days: u32,
}

/// Network-connected medical devices (HICP practice 9).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MedicalDevices {
    pub devices: u64,
    pub scanned_recently: u64,
    /// Devices matched to a host with an open high or critical finding.
    pub with_high_or_critical: u64,
    pub with_kev: u64,
}

/// Every metric, for one as-of date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    pub as_of: Date,
    pub hosts_scanned: u64,
    /// Open (not fixed) findings by severity, informational ones in `info`.
    pub open: BySeverity,
    pub remediation: Remediation,
    /// Present when a KEV catalog was given.
    pub kev: Option<KevPresence>,
    pub credentialed: Credentialed,
    /// Present when an inventory was given.
    pub inventory: Option<InventoryReconciliation>,
    /// Present when the inventory marks medical devices.
    pub medical_devices: Option<MedicalDevices>,
}

/// What a metric measures, the HICP practice it belongs to and the sub-practices it informs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MetricDefinition {
    pub id: &'static str,
    pub practice: u8,
    pub informs: &'static [&'static str],
    pub title: &'static str,
    pub definition: &'static str,
}

pub const DEFINITIONS: &[MetricDefinition] = &[
    MetricDefinition {
        id: "open_vulnerabilities",
        practice: 7,
        informs: &["7.S.A", "7.M.D"],
        title: "Open vulnerabilities by severity",
        definition: "Findings of the current scans not reported fixed, counted once per host, \
                     check, port and protocol, by severity (informational results apart).",
    },
    MetricDefinition {
        id: "remediation_within_timeframe",
        practice: 7,
        informs: &["7.S.A", "7.M.D", "7.L.B"],
        title: "Open vulnerabilities within their remediation timeframe",
        definition: "Of the open low-to-critical findings with a timeframe and a known age, the \
                     share no older than HICP's timeframe for their severity: internet-facing \
                     14/30/90/180 days (critical/high/medium/low), internal 30/90/180 days (low \
                     at discretion). Age runs from the first time the finding was seen (else the \
                     host's scan) to the as-of date.",
    },
    MetricDefinition {
        id: "known_exploited_present",
        practice: 7,
        informs: &["7.S.A", "7.M.D"],
        title: "Known-exploited vulnerabilities present",
        definition: "Open findings with a CVE in the CISA Known Exploited Vulnerabilities \
                     catalog, with the distinct CVEs and hosts concerned.",
    },
    MetricDefinition {
        id: "credentialed_scan_share",
        practice: 7,
        informs: &["7.M.A"],
        title: "Hosts scanned with credentials",
        definition: "Scanned hosts whose scan logged in, as a share of the hosts whose scan says \
                     whether it did (Nessus Credentialed_Scan or plugin 19506, Greenbone Auth \
                     details).",
    },
    MetricDefinition {
        id: "scanned_hosts_not_in_inventory",
        practice: 5,
        informs: &["5.S.A", "5.M.A"],
        title: "Hosts seen by the scanner but missing from the inventory",
        definition: "Scanned hosts that match no inventory asset by IP address, MAC address, \
                     host name (full or first label) or asset name.",
    },
    MetricDefinition {
        id: "assets_not_scanned_recently",
        practice: 5,
        informs: &["5.M.A", "7.M.A"],
        title: "Inventory assets not scanned recently",
        definition: "Inventory assets that match no host scanned within the recency window \
                     (30 days by default) before the as-of date.",
    },
    MetricDefinition {
        id: "medical_devices_high_or_critical",
        practice: 9,
        informs: &["9.S.A", "9.M.A", "9.L.A"],
        title: "Medical devices with high or critical vulnerabilities",
        definition: "Inventory assets marked as network-connected medical devices that match a \
                     scanned host with an open high or critical finding; with the devices \
                     scanned recently and those with a known-exploited vulnerability.",
    },
];

/// A metric's definition with its value in words, for a report section or the CLI.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricValue {
    pub definition: MetricDefinition,
    pub value: String,
}

impl Metrics {
    /// Whether the data the metric `id` needs was loaded (a KEV catalog, an inventory, marked
    /// medical devices, hosts scanned); a report leaves out the metrics that were not measured.
    pub fn measured(&self, id: &str) -> bool {
        match id {
            "known_exploited_present" => self.kev.is_some(),
            // Reconciling needs both sides: an inventory and at least one scanned host.
            "scanned_hosts_not_in_inventory" | "assets_not_scanned_recently" => {
                self.inventory.is_some() && self.hosts_scanned > 0
            }
            "medical_devices_high_or_critical" => self.medical_devices.is_some(),
            _ => self.hosts_scanned > 0,
        }
    }

    /// Every metric in [`DEFINITIONS`] order, each with its value in words ("not measured: …"
    /// where the data it needs was not loaded).
    pub fn described(&self) -> Vec<MetricValue> {
        let percent = |share: Option<f64>| {
            share.map_or_else(|| "n/a".to_string(), |s| format!("{:.0}%", s * 100.0))
        };
        DEFINITIONS
            .iter()
            .map(|definition| {
                let value = match definition.id {
                    "open_vulnerabilities" => format!(
                        "{} critical, {} high, {} medium, {} low ({} informational) on {} hosts",
                        self.open.critical,
                        self.open.high,
                        self.open.medium,
                        self.open.low,
                        self.open.info,
                        self.hosts_scanned
                    ),
                    "remediation_within_timeframe" => {
                        let r = &self.remediation;
                        match r.within_timeframe_share {
                            Some(share) => format!(
                                "{} ({} of {}); {} overdue ({} critical, {} high, {} on \
                                 internet-facing hosts); {} of unknown age",
                                percent(Some(share)),
                                r.with_timeframe - r.overdue,
                                r.with_timeframe,
                                r.overdue,
                                r.overdue_by_severity.critical,
                                r.overdue_by_severity.high,
                                r.overdue_internet_facing,
                                r.age_unknown
                            ),
                            None => format!(
                                "no open finding with a timeframe and a known age ({} of \
                                 unknown age)",
                                r.age_unknown
                            ),
                        }
                    }
                    "known_exploited_present" => match self.kev {
                        Some(k) => format!(
                            "{} open findings, {} CVEs, {} hosts; {} past the KEV due date",
                            k.open_findings, k.distinct_cves, k.hosts, k.past_kev_due_date
                        ),
                        None => "not measured: no KEV catalog loaded".to_string(),
                    },
                    "credentialed_scan_share" => {
                        let c = &self.credentialed;
                        format!(
                            "{} ({} of {} hosts; {} do not say)",
                            percent(c.share),
                            c.hosts_credentialed,
                            c.hosts_known,
                            c.hosts_unknown
                        )
                    }
                    "scanned_hosts_not_in_inventory" => match self.inventory {
                        Some(i) => format!(
                            "{} of {} scanned hosts",
                            i.scanned_hosts_not_in_inventory, self.hosts_scanned
                        ),
                        None => "not measured: no inventory loaded".to_string(),
                    },
                    "assets_not_scanned_recently" => match self.inventory {
                        Some(i) => format!(
                            "{} of {} assets not scanned in the last {} days",
                            i.assets_not_scanned_recently, i.assets, i.recency_days
                        ),
                        None => "not measured: no inventory loaded".to_string(),
                    },
                    _ => match self.medical_devices {
                        Some(m) => format!(
                            "{} of {} devices ({} scanned recently, {} with a known-exploited \
                             vulnerability)",
                            m.with_high_or_critical, m.devices, m.scanned_recently, m.with_kev
                        ),
                        None => "not measured: the inventory marks no medical device".to_string(),
                    },
                };
                MetricValue {
                    definition: *definition,
                    value,
                }
            })
            .collect()
    }
}

/// Computes every metric as of `as_of` (the end of that day, UTC), over records held in memory.
pub fn compute(evidence: &Evidence<'_>, settings: &MetricSettings, as_of: Date) -> Metrics {
    // The records are in memory already, so what the metrics keep of them (a fraction of their
    // size) can be too: no temporary file, so nothing can fail.
    let mut counting = Counting::new(evidence.kev);
    let mut identities: Vec<HostIdentity> = Vec::new();
    for host in evidence.hosts {
        let Ok(()) = counting.add_host(&mut identities, host);
    }
    let Ok(mut sightings) = evidence
        .findings
        .iter()
        .map(|finding| counting.sighting(&mut identities, finding))
        .collect::<Result<Vec<Sighting>, Infallible>>();
    spill::sort_run(&mut sightings);
    let hosts = identities.into_iter().map(Ok::<HostIdentity, Infallible>);
    let counted = sightings.into_iter().map(Ok::<Sighting, Infallible>);
    let Ok(metrics) = counting.tally(hosts, counted, evidence.assets, settings, as_of);
    metrics
}

/// What the metrics keep of one host while the records stream past (its identity is kept
/// apart, in the order the hosts were first seen).
#[derive(Debug, Clone, Copy)]
struct ScanFacts {
    /// Unix seconds, [`NO_TIME`] when unknown.
    first_scan: i64,
    last_scan: i64,
    credentialed: Option<bool>,
}

impl ScanFacts {
    const UNKNOWN: ScanFacts = ScanFacts {
        first_scan: NO_TIME,
        last_scan: NO_TIME,
        credentialed: None,
    };

    /// The host's scan started or ended at `time`.
    fn scanned_at(&mut self, time: i64) {
        self.seen_at(time);
        self.first_scan = if self.first_scan == NO_TIME {
            time
        } else {
            self.first_scan.min(time)
        };
    }

    /// A finding on the host was last seen at `time`.
    fn seen_at(&mut self, time: i64) {
        self.last_scan = self.last_scan.max(time);
    }

    fn first_scan(&self) -> Option<i64> {
        (self.first_scan != NO_TIME).then_some(self.first_scan)
    }

    fn last_scan(&self) -> Option<i64> {
        (self.last_scan != NO_TIME).then_some(self.last_scan)
    }
}

/// What the open findings of one host (or, summed, of one inventory asset) showed.
#[derive(Debug, Clone, Copy, Default)]
struct Shown {
    scanned_recently: bool,
    high_or_critical: bool,
    kev: bool,
}

impl Shown {
    fn merge(&mut self, other: Shown) {
        self.scanned_recently |= other.scanned_recently;
        self.high_or_critical |= other.high_or_critical;
        self.kev |= other.kev;
    }
}

/// What the metrics need of one finding, in 40 bytes: the strings are numbers standing for the
/// host, the check and the protocol, and the CVEs are kept only when the KEV catalog lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Sighting {
    /// Unix seconds, [`NO_TIME`] when unknown (an `Option` would take twice the room).
    first_seen: i64,
    last_seen: i64,
    host: u32,
    check: u32,
    /// Port, or [`NO_PORT`] for host-level findings.
    port: u32,
    /// In file order: the later of two equal sightings wins.
    order: u32,
    /// 1 + an index into [`MetricsBuilder::kev_lists`]; 0 when no CVE is in the catalog.
    kev: u32,
    protocol: u16,
    severity: Severity,
    fixed: bool,
}

const NO_PORT: u32 = u32::MAX;
/// Below every real time, so an unknown time sorts before a known one as `None` does.
const NO_TIME: i64 = i64::MIN;
const _: () = assert!(std::mem::size_of::<Sighting>() == 40);

impl Sighting {
    fn key(&self) -> (u32, u32, u32, u16) {
        (self.host, self.check, self.port, self.protocol)
    }

    fn first_seen(&self) -> Option<i64> {
        (self.first_seen != NO_TIME).then_some(self.first_seen)
    }

    fn last_seen(&self) -> Option<i64> {
        (self.last_seen != NO_TIME).then_some(self.last_seen)
    }
}

/// Counting a finding once: sorted by host, check, port and protocol, then file order, and
/// folded to the earliest first-seen time and the rest of the latest sighting (later in the
/// file wins a tie). Folding is associative (a minimum, and the greatest by last-seen then
/// order), so runs folded apart and folded again in the merge give what one pass would.
impl Item for Sighting {
    const BYTES: usize = 40;
    type Key = ((u32, u32, u32, u16), u32);

    fn sort_key(&self) -> Self::Key {
        (self.key(), self.order)
    }

    fn absorb(&mut self, later: &Sighting) -> bool {
        if later.key() != self.key() {
            return false;
        }
        let first = match (self.first_seen(), later.first_seen()) {
            (Some(a), Some(b)) => a.min(b),
            (a, b) => a.or(b).unwrap_or(NO_TIME),
        };
        if later.last_seen >= self.last_seen {
            *self = *later;
        }
        self.first_seen = first;
        true
    }

    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.first_seen.to_le_bytes());
        out.extend_from_slice(&self.last_seen.to_le_bytes());
        for number in [self.host, self.check, self.port, self.order, self.kev] {
            out.extend_from_slice(&number.to_le_bytes());
        }
        out.extend_from_slice(&self.protocol.to_le_bytes());
        out.push(self.severity as u8);
        out.push(u8::from(self.fixed));
    }

    fn decode(bytes: &[u8]) -> Option<Sighting> {
        let (first_seen, rest) = bytes.split_first_chunk::<8>()?;
        let (last_seen, rest) = rest.split_first_chunk::<8>()?;
        let (host, rest) = rest.split_first_chunk::<4>()?;
        let (check, rest) = rest.split_first_chunk::<4>()?;
        let (port, rest) = rest.split_first_chunk::<4>()?;
        let (order, rest) = rest.split_first_chunk::<4>()?;
        let (kev, rest) = rest.split_first_chunk::<4>()?;
        let (protocol, rest) = rest.split_first_chunk::<2>()?;
        let (&[severity, fixed], _) = rest.split_first_chunk::<2>()?;
        Some(Sighting {
            first_seen: i64::from_le_bytes(*first_seen),
            last_seen: i64::from_le_bytes(*last_seen),
            host: u32::from_le_bytes(*host),
            check: u32::from_le_bytes(*check),
            port: u32::from_le_bytes(*port),
            order: u32::from_le_bytes(*order),
            kev: u32::from_le_bytes(*kev),
            protocol: u16::from_le_bytes(*protocol),
            severity: *Severity::ALL.get(usize::from(severity))?,
            fixed: match fixed {
                0 => false,
                1 => true,
                _ => return None,
            },
        })
    }
}

/// Sightings held in memory before a run is sorted and written out: 512 Ki of 40 bytes, 20 MiB,
/// a fifth of the 100 MB an import may take. A scan of fewer findings (about 550 MB of Nessus
/// XML) never touches the disk; a larger one writes about 40 bytes per finding to the temporary
/// file, and merging more runs costs only a heap entry and a share of a fixed read buffer each.
/// A power of two, so the run's growth by doubling lands on it exactly.
const RUN_CAPACITY: usize = 512 * 1024;

/// Numbers standing for strings that repeat across findings (check ids, protocols).
#[derive(Default)]
struct Interned(HashMap<Box<str>, u32>);

impl Interned {
    fn number(&mut self, text: &str) -> u32 {
        if let Some(&number) = self.0.get(text) {
            return number;
        }
        let number = u32::try_from(self.0.len()).unwrap_or(u32::MAX);
        self.0.insert(text.into(), number);
        number
    }
}

/// Where the hosts' identities are kept while the records stream past, one for each host in
/// the order the hosts were first seen: in memory for records already in memory ([`compute`]),
/// in a [`Log`] (a temporary file beyond a few thousand hosts) for a stream.
trait Identities {
    type Error;
    fn keep(&mut self, identity: &HostIdentity) -> Result<(), Self::Error>;
}

impl Identities for Vec<HostIdentity> {
    type Error = Infallible;

    fn keep(&mut self, identity: &HostIdentity) -> Result<(), Infallible> {
        self.push(identity.clone());
        Ok(())
    }
}

impl Identities for Log<HostIdentity> {
    type Error = SpillError;

    fn keep(&mut self, identity: &HostIdentity) -> Result<(), SpillError> {
        self.push(identity.clone())
    }
}

/// A host's identity in a [`Log`]: each text as its length (`u64::MAX` when absent) and its
/// bytes, the addresses after their count.
impl Logged for HostIdentity {
    fn encode(&self, out: &mut Vec<u8>) {
        fn text(out: &mut Vec<u8>, text: Option<&str>) {
            match text {
                None => out.extend_from_slice(&u64::MAX.to_le_bytes()),
                Some(text) => {
                    out.extend_from_slice(&(text.len() as u64).to_le_bytes());
                    out.extend_from_slice(text.as_bytes());
                }
            }
        }
        text(out, Some(&self.name));
        text(out, self.ip.as_deref());
        text(out, self.fqdn.as_deref());
        text(out, self.netbios.as_deref());
        out.extend_from_slice(&(self.macs.len() as u64).to_le_bytes());
        for mac in &self.macs {
            text(out, Some(mac));
        }
    }

    fn decode(bytes: &[u8]) -> Option<HostIdentity> {
        fn number(rest: &mut &[u8]) -> Option<u64> {
            let (number, after) = rest.split_first_chunk::<8>()?;
            *rest = after;
            Some(u64::from_le_bytes(*number))
        }
        fn text(rest: &mut &[u8]) -> Option<Option<String>> {
            let length = number(rest)?;
            if length == u64::MAX {
                return Some(None);
            }
            let (bytes, after) = rest.split_at_checked(usize::try_from(length).ok()?)?;
            *rest = after;
            String::from_utf8(bytes.to_vec()).ok().map(Some)
        }
        let mut rest = bytes;
        let name = text(&mut rest)??;
        let ip = text(&mut rest)?;
        let fqdn = text(&mut rest)?;
        let netbios = text(&mut rest)?;
        let count = usize::try_from(number(&mut rest)?).ok()?;
        let macs = (0..count)
            .map(|_| text(&mut rest).flatten())
            .collect::<Option<Vec<String>>>()?;
        rest.is_empty().then_some(HostIdentity {
            name,
            ip,
            fqdn,
            netbios,
            macs,
        })
    }
}

/// Identities held in memory before the rest go to the temporary file: a few hundred bytes
/// each, so about a megabyte.
const IDENTITIES_HELD: usize = 4096;

/// Accumulates the metrics as records stream past, so that keeping a scan of any size does not
/// hold its findings or its hosts. What counting a repeated finding once needs (host, check,
/// port, protocol, severity, times, fixed: 40 bytes a finding) is held up to 20 MiB, beyond
/// which it is sorted in runs through an unnamed temporary file and merged at
/// [`MetricsBuilder::finish`]; the hosts' identities go to the same kind of file past the first
/// few thousand. Memory then grows only by what telling a host seen before from a new one needs
/// (its key and scan facts, under a hundred bytes a host), with the distinct checks and the
/// distinct lists of KEV-listed CVEs, not with the findings or their text.
pub struct MetricsBuilder<'k> {
    /// The file's summary, but for its hosts, which [`Counting`] tells apart.
    summary: SummaryBuilder<'k>,
    counting: Counting<'k>,
    identities: Log<HostIdentity>,
    sightings: Spill<Sighting>,
}

/// What a builder knows of the records so far, beside the identities and sightings it keeps.
struct Counting<'k> {
    kev: Option<&'k KevCatalog>,
    /// Given to findings without a first- or last-seen time: formats that give none age their
    /// findings from the import that brought them.
    default_time: Option<i64>,
    /// By host number.
    hosts: Vec<ScanFacts>,
    host_numbers: HashMap<Box<str>, u32>,
    /// The identity last looked up: the findings of one host share it.
    last_identity: Option<(Arc<HostIdentity>, u32)>,
    checks: Interned,
    protocols: Interned,
    /// Findings seen so far: the next one's file order.
    seen: u32,
    /// Each distinct list of a finding's KEV-listed CVEs once: findings of one check share one.
    kev_lists: Vec<Box<[Box<str>]>>,
    kev_numbers: HashMap<Box<[Box<str>]>, u32>,
}

impl<'k> MetricsBuilder<'k> {
    pub fn new(kev: Option<&'k KevCatalog>) -> MetricsBuilder<'k> {
        MetricsBuilder::with_capacities(kev, RUN_CAPACITY, IDENTITIES_HELD)
    }

    /// As [`MetricsBuilder::new`], holding at most `run_capacity` sightings and
    /// `identities_held` host identities in memory.
    fn with_capacities(
        kev: Option<&'k KevCatalog>,
        run_capacity: usize,
        identities_held: usize,
    ) -> MetricsBuilder<'k> {
        MetricsBuilder {
            summary: SummaryBuilder::new(kev),
            counting: Counting::new(kev),
            identities: Log::new(identities_held),
            sightings: Spill::new(run_capacity),
        }
    }

    /// Findings that come without a first- or last-seen time are taken as seen at `time`
    /// (Unix seconds), so that a store ages them from the import that first brought them.
    pub fn with_default_time(mut self, time: i64) -> MetricsBuilder<'k> {
        self.counting.default_time = Some(time);
        self
    }

    /// Findings and hosts count; assets are given to [`MetricsBuilder::finish`], KEV entries to
    /// [`MetricsBuilder::new`]. Fails only when the temporary file cannot be written.
    pub fn add(&mut self, record: &Record) -> Result<(), SpillError> {
        self.summary.add_counts(record);
        match record {
            Record::Finding(finding) => self.add_finding(finding),
            Record::Host(host) => self.add_host(host),
            Record::Asset(_) | Record::Kev(_) => Ok(()),
        }
    }

    /// The summary of the records given to [`MetricsBuilder::add`] so far, as
    /// [`SummaryBuilder`] sums them up (hosts given to `add_host` count among its hosts too).
    pub fn summary(&self) -> Summary {
        self.summary
            .summary_of_hosts(self.counting.hosts.len() as u64)
    }

    /// Fails only when the temporary file cannot be written.
    pub fn add_host(&mut self, host: &Host) -> Result<(), SpillError> {
        self.counting.add_host(&mut self.identities, host)
    }

    /// Fails only when the temporary file cannot be written.
    pub fn add_finding(&mut self, finding: &Finding) -> Result<(), SpillError> {
        let sighting = self.counting.sighting(&mut self.identities, finding)?;
        self.sightings.push(sighting)
    }

    /// The metrics as of `as_of` (the end of that day, UTC), the scan reconciled with `assets`,
    /// and the distinct hosts seen. Fails only when the temporary file cannot be read back.
    pub fn finish(
        self,
        assets: &[Asset],
        settings: &MetricSettings,
        as_of: Date,
    ) -> Result<(Metrics, ScannedHosts), SpillError> {
        let MetricsBuilder {
            summary: _,
            counting,
            identities,
            sightings,
        } = self;
        let credentialed = counting.hosts.iter().map(|f| f.credentialed).collect();
        let mut identities = identities.into_kept()?;
        let counted = sightings.into_sorted()?;
        let metrics = counting.tally(identities.read()?, counted, assets, settings, as_of)?;
        Ok((
            metrics,
            ScannedHosts {
                identities,
                credentialed,
            },
        ))
    }
}

/// The distinct hosts a [`MetricsBuilder`] saw, in the order they were first seen, read back
/// from where they were kept.
pub struct ScannedHosts {
    identities: Kept<HostIdentity>,
    credentialed: Vec<Option<bool>>,
}

impl ScannedHosts {
    pub fn len(&self) -> usize {
        self.identities.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Each host with whether its scan logged in (`None`: not said). Fails only when the
    /// temporary file cannot be read back.
    pub fn read(
        &mut self,
    ) -> Result<
        impl Iterator<Item = Result<(HostIdentity, Option<bool>), SpillError>> + '_,
        SpillError,
    > {
        let credentialed = &self.credentialed;
        Ok(self
            .identities
            .read()?
            .zip(credentialed)
            .map(|(identity, credentialed)| identity.map(|identity| (identity, *credentialed))))
    }
}

impl<'k> Counting<'k> {
    fn new(kev: Option<&'k KevCatalog>) -> Counting<'k> {
        Counting {
            kev,
            default_time: None,
            hosts: Vec::new(),
            host_numbers: HashMap::new(),
            last_identity: None,
            checks: Interned::default(),
            protocols: Interned::default(),
            seen: 0,
            kev_lists: Vec::new(),
            kev_numbers: HashMap::new(),
        }
    }

    fn host_number<I: Identities>(
        &mut self,
        identities: &mut I,
        identity: &Arc<HostIdentity>,
    ) -> Result<u32, I::Error> {
        if let Some((last, number)) = &self.last_identity
            && Arc::ptr_eq(last, identity)
        {
            return Ok(*number);
        }
        let key = identity.key();
        let number = match self.host_numbers.get(key.as_str()) {
            Some(&number) => number,
            None => {
                identities.keep(identity)?;
                let number = u32::try_from(self.hosts.len()).unwrap_or(u32::MAX);
                self.hosts.push(ScanFacts::UNKNOWN);
                self.host_numbers.insert(key.into_boxed_str(), number);
                number
            }
        };
        self.last_identity = Some((identity.clone(), number));
        Ok(number)
    }

    fn facts(&mut self, number: u32) -> &mut ScanFacts {
        &mut self.hosts[number as usize]
    }

    fn add_host<I: Identities>(&mut self, identities: &mut I, host: &Host) -> Result<(), I::Error> {
        let number = self.host_number(identities, &host.identity)?;
        let facts = self.facts(number);
        for time in [host.scan_start, host.scan_end].into_iter().flatten() {
            facts.scanned_at(time);
        }
        facts.credentialed = match (facts.credentialed, host.credentialed) {
            (Some(true), _) | (_, Some(true)) => Some(true),
            (known, None) => known,
            (_, Some(false)) => Some(false),
        };
        Ok(())
    }

    /// What is kept of `finding`, its host's scan time noted.
    fn sighting<I: Identities>(
        &mut self,
        identities: &mut I,
        finding: &Finding,
    ) -> Result<Sighting, I::Error> {
        let host = self.host_number(identities, &finding.host)?;
        let first_seen = finding.first_seen.or(self.default_time);
        let last_seen = finding.last_seen.or(self.default_time);
        if let Some(time) = last_seen {
            self.facts(host).seen_at(time);
        }
        let mut kev = 0;
        if let Some(catalog) = self.kev {
            let listed: Box<[Box<str>]> = finding
                .cves
                .iter()
                .filter(|cve| catalog.contains(cve))
                .map(|cve| cve.as_str().into())
                .collect();
            if !listed.is_empty() {
                kev = match self.kev_numbers.get(&listed) {
                    Some(&number) => number,
                    None => {
                        self.kev_lists.push(listed.clone());
                        let number = u32::try_from(self.kev_lists.len()).unwrap_or(u32::MAX);
                        self.kev_numbers.insert(listed, number);
                        number
                    }
                };
            }
        }
        let sighting = Sighting {
            first_seen: first_seen.unwrap_or(NO_TIME),
            last_seen: last_seen.unwrap_or(NO_TIME),
            host,
            check: self.checks.number(&finding.check_id),
            port: finding.port.map_or(NO_PORT, u32::from),
            order: self.seen,
            kev,
            protocol: u16::try_from(
                self.protocols
                    .number(finding.protocol.as_deref().unwrap_or("")),
            )
            .unwrap_or(u16::MAX),
            severity: finding.severity,
            fixed: finding.fixed,
        };
        self.seen = self.seen.saturating_add(1);
        Ok(sighting)
    }

    /// The metrics over `hosts` (each host's identity, by host number) and `sightings` (sorted,
    /// so grouped by host, each finding counted once), in one pass over both.
    fn tally<E>(
        self,
        hosts: impl Iterator<Item = Result<HostIdentity, E>>,
        sightings: impl Iterator<Item = Result<Sighting, E>>,
        assets: &[Asset],
        settings: &MetricSettings,
        as_of: Date,
    ) -> Result<Metrics, E> {
        let now = as_of
            .next_day()
            .unwrap_or(as_of)
            .midnight()
            .assume_utc()
            .unix_timestamp();
        let recent_since = now - i64::from(settings.scan_recency_days) * DAY_SECONDS;
        let mut open = BySeverity::default();
        let mut remediation = Remediation::default();
        let mut kev = self.kev.map(|_| KevPresence::default());
        let mut kev_cves: HashSet<&str> = HashSet::new();
        let mut credentialed = Credentialed::default();
        let mut inventory = Inventory::new(assets);
        let mut sightings = sightings.peekable();
        for (number, identity) in (0u32..).zip(hosts) {
            let identity = identity?;
            let facts = self
                .hosts
                .get(number as usize)
                .copied()
                .unwrap_or(ScanFacts::UNKNOWN);
            let matched = inventory.matches(&identity);
            let internet_facing = inventory.internet_facing(&matched)
                || (settings.public_address_is_internet_facing && is_public(&identity));
            let timeframes = if internet_facing {
                &settings.internet_facing
            } else {
                &settings.internal
            };
            let mut shown = Shown {
                scanned_recently: facts.last_scan().is_some_and(|t| t >= recent_since),
                ..Shown::default()
            };
            while let Some(finding) =
                sightings.next_if(|next| next.as_ref().map_or(true, |s| s.host == number))
            {
                let finding = finding?;
                if finding.fixed {
                    continue;
                }
                open.add(finding.severity);
                shown.high_or_critical |= finding.severity.is_high_or_critical();
                if let (Some(catalog), Some(presence)) = (self.kev, kev.as_mut())
                    && let Some(listed) = finding
                        .kev
                        .checked_sub(1)
                        .and_then(|at| self.kev_lists.get(at as usize))
                {
                    presence.open_findings += 1;
                    kev_cves.extend(listed.iter().map(|cve| &**cve));
                    shown.kev = true;
                    let past_due = listed.iter().any(|cve| {
                        catalog
                            .get(cve)
                            .and_then(|e| Date::parse(&e.due_date, DAY).ok())
                            .is_some_and(|due| due < as_of)
                    });
                    presence.past_kev_due_date += u64::from(past_due);
                }
                if finding.severity == Severity::Info {
                    continue;
                }
                let Some(days) = timeframes.days(finding.severity) else {
                    continue;
                };
                let Some(since) = finding
                    .first_seen()
                    .or(facts.first_scan())
                    .or(finding.last_seen())
                else {
                    remediation.age_unknown += 1;
                    continue;
                };
                remediation.with_timeframe += 1;
                if now - since > i64::from(days) * DAY_SECONDS {
                    remediation.overdue += 1;
                    remediation.overdue_by_severity.add(finding.severity);
                    remediation.overdue_internet_facing += u64::from(internet_facing);
                }
            }
            if let Some(presence) = kev.as_mut() {
                presence.hosts += u64::from(shown.kev);
            }
            credentialed.count(facts.credentialed);
            inventory.scanned(&matched, shown);
        }
        // Every sighting's host was numbered as it came, so none is left over; an error may be.
        for rest in sightings {
            rest?;
        }
        remediation.within_timeframe_share = share(
            remediation.with_timeframe - remediation.overdue,
            remediation.with_timeframe,
        );
        if let Some(presence) = kev.as_mut() {
            presence.distinct_cves = kev_cves.len() as u64;
        }
        credentialed.share = share(credentialed.hosts_credentialed, credentialed.hosts_known);
        let scanned = self.hosts.len() as u64;
        let (inventory_metric, medical) = inventory.reconciled(scanned, settings);
        Ok(Metrics {
            as_of,
            hosts_scanned: scanned,
            open,
            remediation,
            kev,
            credentialed,
            inventory: inventory_metric,
            medical_devices: medical,
        })
    }
}

const DAY_SECONDS: i64 = 86_400;
const DAY: &[time::format_description::BorrowedFormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

fn share(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// A globally routable address (not private, loopback, link-local, shared, documentation or
/// reserved).
fn is_public(identity: &HostIdentity) -> bool {
    let Some(Ok(address)) = identity.ip.as_deref().map(str::parse::<IpAddr>) else {
        return false;
    };
    match address {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || a == 0
                || a >= 240
                || (a == 100 && (64..128).contains(&b))
                || (a, b, c) == (192, 0, 2)
                || (a, b, c) == (198, 51, 100)
                || (a, b, c) == (203, 0, 113)
                || (a == 198 && (b == 18 || b == 19)))
        }
        IpAddr::V6(v6) => {
            let [first, second, ..] = v6.segments();
            // Global unicast is 2000::/3; 2001:db8::/32 inside it is for documentation.
            (first & 0xe000) == 0x2000 && !(first == 0x2001 && second == 0x0db8)
        }
    }
}

/// The inventory's assets by every name a scanned host could match them under, and what the
/// scan showed of each, so that the scanned hosts are reconciled with the inventory as they
/// stream past (HICP 5.M.A, 9).
struct Inventory<'a> {
    assets: &'a [Asset],
    by_name: HashMap<String, Vec<usize>>,
    /// By asset number.
    shown: Vec<Shown>,
    hosts_in_inventory: u64,
}

impl<'a> Inventory<'a> {
    fn new(assets: &'a [Asset]) -> Inventory<'a> {
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        for (number, asset) in assets.iter().enumerate() {
            for name in asset_names(asset) {
                let entry = by_name.entry(name).or_default();
                if !entry.contains(&number) {
                    entry.push(number);
                }
            }
        }
        Inventory {
            assets,
            by_name,
            shown: vec![Shown::default(); assets.len()],
            hosts_in_inventory: 0,
        }
    }

    /// The assets (their numbers) the host matches.
    fn matches(&self, identity: &HostIdentity) -> Vec<usize> {
        let mut numbers: Vec<usize> = Vec::new();
        if self.by_name.is_empty() {
            return numbers;
        }
        for name in identity_names(identity) {
            for number in self.by_name.get(&name).into_iter().flatten() {
                if !numbers.contains(number) {
                    numbers.push(*number);
                }
            }
        }
        numbers
    }

    /// Whether the inventory marks one of the matched assets internet-facing.
    fn internet_facing(&self, matched: &[usize]) -> bool {
        matched.iter().any(|&n| self.assets[n].internet_facing)
    }

    /// A scanned host, matched to `matched`, showed `shown`.
    fn scanned(&mut self, matched: &[usize], shown: Shown) {
        self.hosts_in_inventory += u64::from(!matched.is_empty());
        for &number in matched {
            self.shown[number].merge(shown);
        }
    }

    /// The reconciliation of `scanned` hosts with the inventory; nothing without an inventory.
    fn reconciled(
        self,
        scanned: u64,
        settings: &MetricSettings,
    ) -> (Option<InventoryReconciliation>, Option<MedicalDevices>) {
        if self.assets.is_empty() {
            return (None, None);
        }
        let mut reconciliation = InventoryReconciliation {
            assets: self.assets.len() as u64,
            recency_days: settings.scan_recency_days,
            ..InventoryReconciliation::default()
        };
        let mut medical = MedicalDevices::default();
        for (asset, shown) in self.assets.iter().zip(&self.shown) {
            reconciliation.assets_not_scanned_recently += u64::from(!shown.scanned_recently);
            if asset.medical_device {
                medical.devices += 1;
                medical.scanned_recently += u64::from(shown.scanned_recently);
                medical.with_high_or_critical += u64::from(shown.high_or_critical);
                medical.with_kev += u64::from(shown.kev);
            }
        }
        reconciliation.scanned_hosts_not_in_inventory = scanned - self.hosts_in_inventory;
        reconciliation.scanned_hosts_in_inventory_share = share(self.hosts_in_inventory, scanned);
        reconciliation.assets_scanned_recently_share = share(
            reconciliation.assets - reconciliation.assets_not_scanned_recently,
            reconciliation.assets,
        );
        (
            Some(reconciliation),
            (medical.devices > 0).then_some(medical),
        )
    }
}

/// Host names compare case-insensitively, and a full name also matches its first label
/// (`pump-7.icu.example.org` ~ `PUMP-7`).
fn name_forms(name: &str) -> impl Iterator<Item = String> {
    let lower = name.trim().to_ascii_lowercase();
    let short = (lower.parse::<IpAddr>().is_err())
        .then(|| lower.split('.').next().map(str::to_string))
        .flatten()
        .filter(|s| !s.is_empty() && *s != lower);
    std::iter::once(lower)
        .chain(short)
        .filter(|n| !n.is_empty())
}

fn identity_names(identity: &HostIdentity) -> impl Iterator<Item = String> + '_ {
    [
        Some(identity.name.as_str()),
        identity.ip.as_deref(),
        identity.fqdn.as_deref(),
        identity.netbios.as_deref(),
    ]
    .into_iter()
    .flatten()
    .flat_map(name_forms)
    .chain(identity.macs.iter().cloned())
}

fn asset_names(asset: &Asset) -> impl Iterator<Item = String> + '_ {
    [
        asset.ip.as_deref(),
        asset.hostname.as_deref(),
        asset.name.as_deref(),
        asset.mac.as_deref(),
    ]
    .into_iter()
    .flatten()
    .flat_map(name_forms)
}

#[cfg(test)]
mod tests {
    use super::*;

    use time::macros::date;

    use crate::model::KevEntry;

    const AS_OF: Date = date!(2026 - 12 - 01);
    /// 2026-12-01T00:00:00Z.
    const DEC_1: i64 = 1_796_083_200;
    const DAY: i64 = 86_400;

    fn identity(number: u32) -> Arc<HostIdentity> {
        let ip = format!("10.0.{}.{}", number / 250, number % 250 + 1);
        Arc::new(HostIdentity {
            name: ip.clone(),
            ip: Some(ip),
            ..HostIdentity::default()
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn finding(
        host: &Arc<HostIdentity>,
        check: u32,
        port: Option<u16>,
        severity: Severity,
        first_seen: Option<i64>,
        last_seen: Option<i64>,
        fixed: bool,
        cves: &[&str],
    ) -> Finding {
        Finding {
            host: host.clone(),
            check_id: format!("check-{check}"),
            name: format!("Check {check}"),
            severity,
            cves: cves.iter().map(|c| c.to_string()).collect(),
            port,
            protocol: port.map(|_| "tcp".to_string()),
            first_seen,
            last_seen,
            fixed,
        }
    }

    fn kev() -> KevCatalog {
        KevCatalog::from_entries(["CVE-2024-0001", "CVE-2024-0002"].map(|cve| KevEntry {
            cve: cve.to_string(),
            vendor_project: "Vendor".into(),
            product: "Product".into(),
            name: "Flaw".into(),
            date_added: "2024-01-01".into(),
            due_date: "2026-06-01".into(),
            known_ransomware: false,
        }))
    }

    /// Thousands of findings on 30 hosts and 20 checks, each reported many times, interleaved,
    /// with and without times, some fixed, some with KEV-listed CVEs.
    fn scan() -> (Vec<Host>, Vec<Finding>) {
        let hosts = (0..30)
            .map(|n| Host {
                identity: identity(n),
                operating_system: None,
                credentialed: [Some(true), Some(false), None][n as usize % 3],
                scan_start: Some(DEC_1 - i64::from(n) * DAY),
                scan_end: Some(DEC_1 - i64::from(n) * DAY),
            })
            .collect::<Vec<_>>();
        let identities: Vec<_> = hosts.iter().map(|h| h.identity.clone()).collect();
        let findings = (0..6_000u32)
            .map(|i| {
                let age = i64::from(i.wrapping_mul(2_654_435_761) % 400);
                finding(
                    &identities[(i * 7 % 30) as usize],
                    i * 13 % 20,
                    [Some(443), None, Some(22)][(i % 3) as usize],
                    Severity::ALL[(i / 7 % 5) as usize],
                    (i % 5 != 0).then_some(DEC_1 - age * DAY),
                    (i % 9 != 0).then_some(DEC_1 - (age / 3) * DAY),
                    i % 11 == 0,
                    match i % 13 {
                        0 => &["CVE-2024-0001"],
                        1 => &["CVE-2024-0002", "CVE-2020-9999"],
                        _ => &[],
                    },
                )
            })
            .collect();
        (hosts, findings)
    }

    fn assets() -> Vec<Asset> {
        (0..40)
            .map(|n| Asset {
                asset_id: format!("asset-{n}"),
                ip: identity(n).ip.clone(),
                medical_device: n % 4 == 0,
                internet_facing: n % 5 == 0,
                ..Asset::default()
            })
            .collect()
    }

    fn built(run_capacity: usize, kev: &KevCatalog, spilled: impl FnOnce(usize)) -> Metrics {
        let (hosts, findings) = scan();
        let mut builder = MetricsBuilder::with_capacities(Some(kev), run_capacity, run_capacity);
        for host in &hosts {
            builder.add(&Record::Host(host.clone())).expect("host");
        }
        for finding in &findings {
            builder
                .add(&Record::Finding(finding.clone()))
                .expect("finding");
        }
        spilled(builder.sightings.runs_written());
        builder
            .finish(&assets(), &MetricSettings::default(), AS_OF)
            .expect("finish")
            .0
    }

    #[test]
    fn many_runs_give_the_metrics_of_one_run_in_memory() {
        let kev = kev();
        let in_memory = built(1_000_000, &kev, |runs| assert_eq!(runs, 0));
        for capacity in [1, 7, 100, 999] {
            let spilled = built(capacity, &kev, |runs| assert!(runs >= 6, "{runs} runs"));
            assert_eq!(spilled, in_memory, "run capacity {capacity}");
        }
        let (hosts, findings) = scan();
        let evidence = Evidence {
            findings: &findings,
            hosts: &hosts,
            assets: &assets(),
            kev: Some(&kev),
        };
        assert_eq!(
            compute(&evidence, &MetricSettings::default(), AS_OF),
            in_memory
        );

        // The open counts by hand: the latest sighting of each finding (the last in the file
        // among those with the latest last-seen time) decides whether it is open.
        type Latest<'a> = (Option<i64>, &'a Finding);
        let mut latest: HashMap<(String, String, Option<u16>), Latest<'_>> = HashMap::new();
        for f in &findings {
            let key = (f.host.key(), f.check_id.clone(), f.port);
            let entry = latest.entry(key).or_insert((f.last_seen, f));
            if f.last_seen >= entry.0 {
                *entry = (f.last_seen, f);
            }
        }
        let mut open = BySeverity::default();
        for (_, f) in latest.values().filter(|(_, f)| !f.fixed) {
            open.add(f.severity);
        }
        assert!(open.critical > 0 && open.info > 0, "{open:?}");
        assert_eq!(in_memory.open, open);
        assert!(in_memory.kev.is_some_and(|k| k.open_findings > 0));
    }

    fn sightings(builder: MetricsBuilder<'_>) -> Vec<Sighting> {
        builder
            .sightings
            .into_sorted()
            .expect("merge")
            .collect::<Result<_, _>>()
            .expect("read back")
    }

    #[test]
    fn a_finding_split_across_runs_keeps_its_earliest_first_seen_and_latest_sighting() {
        let host = identity(1);
        let other = identity(2);
        let filler = |n: u32| finding(&other, n, Some(80), Severity::Low, None, None, false, &[]);
        let a =
            |sev, first, last, fixed| finding(&host, 1, Some(443), sev, first, last, fixed, &[]);
        let b = |sev, last| finding(&host, 2, None, sev, Some(DEC_1), Some(last), false, &[]);
        let records = [
            a(Severity::High, Some(100), Some(500), false),
            b(Severity::Medium, 500),
            filler(1),
            filler(2),
            filler(3),
            // The latest last-seen: its severity and fixed flag win; not its first-seen.
            a(Severity::Low, Some(300), Some(900), true),
            filler(4),
            b(Severity::High, 500),
            filler(5),
            // Later in the file but seen earlier: loses, though its first-seen is unknown.
            a(Severity::Critical, None, Some(700), false),
            filler(6),
        ];
        let mut kept = None;
        for capacity in [2, 100] {
            let mut builder = MetricsBuilder::with_capacities(None, capacity, capacity);
            for record in &records {
                builder.add_finding(record).expect("add");
            }
            let runs = builder.sightings.runs_written();
            assert_eq!(runs, if capacity == 2 { 5 } else { 0 });
            let counted = sightings(builder);
            assert_eq!(counted.len(), 8, "a, b and six fillers");
            let a = counted.iter().find(|s| s.check == 0).expect("a kept");
            assert_eq!(a.first_seen, 100);
            assert_eq!(a.last_seen, 900);
            assert_eq!((a.severity, a.fixed, a.order), (Severity::Low, true, 5));
            // A tie on last-seen: the later sighting wins.
            let b = counted.iter().find(|s| s.check == 1).expect("b kept");
            assert_eq!((b.severity, b.order), (Severity::High, 7));
            match &kept {
                None => kept = Some(counted),
                Some(in_memory) => assert_eq!(&counted, in_memory),
            }
        }
    }

    #[test]
    fn the_first_known_first_seen_is_kept_across_runs() {
        let host = identity(1);
        let mut builder = MetricsBuilder::with_capacities(None, 1, 1);
        for first_seen in [None, Some(400), None, Some(200), None] {
            let f = finding(&host, 1, None, Severity::High, first_seen, None, false, &[]);
            builder.add_finding(&f).expect("add");
        }
        assert_eq!(builder.sightings.runs_written(), 4);
        let counted = sightings(builder);
        assert_eq!(counted.len(), 1);
        assert_eq!(counted[0].first_seen(), Some(200));
        assert_eq!(counted[0].last_seen(), None);
        assert_eq!(counted[0].order, 4);
    }

    fn every_field() -> Vec<Sighting> {
        let mut all = Vec::new();
        for (n, severity) in (0u32..).zip(Severity::ALL) {
            for fixed in [false, true] {
                let n = n * 2 + u32::from(fixed);
                all.push(Sighting {
                    first_seen: if n == 0 {
                        NO_TIME
                    } else {
                        -1_000_000 - i64::from(n)
                    },
                    last_seen: if n == 1 {
                        NO_TIME
                    } else {
                        i64::MAX - i64::from(n)
                    },
                    host: 0x0102_0304 + n,
                    check: 0x1112_1314 + n,
                    port: if n == 2 { NO_PORT } else { 0x2122_2324 + n },
                    order: u32::MAX - n,
                    kev: 0x3132_3334 + n,
                    protocol: u16::MAX - u16::try_from(n).unwrap_or(0),
                    severity,
                    fixed,
                });
            }
        }
        all
    }

    #[test]
    fn a_sighting_round_trips_through_its_record() {
        for sighting in every_field() {
            let mut bytes = Vec::new();
            sighting.encode(&mut bytes);
            assert_eq!(bytes.len(), Sighting::BYTES);
            assert_eq!(Sighting::decode(&bytes), Some(sighting));
            let mut bad = bytes.clone();
            bad[38] = 5;
            assert_eq!(Sighting::decode(&bad), None, "no sixth severity");
            bad = bytes.clone();
            bad[39] = 2;
            assert_eq!(Sighting::decode(&bad), None, "fixed is 0 or 1");
            assert_eq!(Sighting::decode(&bytes[..39]), None, "too short");
        }
    }

    #[test]
    fn a_sighting_round_trips_through_the_temporary_file() {
        let all = every_field();
        // One sighting a run: every one but the last is written out and read back.
        let mut spill = Spill::new(1);
        for sighting in &all {
            spill.push(*sighting).expect("push");
        }
        assert_eq!(spill.runs_written(), all.len() - 1);
        let read: Vec<Sighting> = spill
            .into_sorted()
            .expect("merge")
            .collect::<Result<_, _>>()
            .expect("read back");
        let mut expected = all.clone();
        expected.sort_by_key(Sighting::sort_key);
        assert_eq!(read, expected);
    }

    #[test]
    fn a_kev_list_is_kept_once_however_many_findings_share_it() {
        let kev = kev();
        let host = identity(1);
        let mut builder = MetricsBuilder::new(Some(&kev));
        for check in 0..100 {
            let cves: &[&str] = if check % 2 == 0 {
                &["CVE-2024-0001", "CVE-1999-0001"]
            } else {
                &["CVE-2024-0002"]
            };
            let f = finding(&host, check, None, Severity::High, None, None, false, cves);
            builder.add_finding(&f).expect("add");
        }
        assert_eq!(builder.counting.kev_lists.len(), 2);
        let (metrics, _) = builder
            .finish(&[], &MetricSettings::default(), AS_OF)
            .expect("finish");
        let presence = metrics.kev.expect("catalog given");
        assert_eq!((presence.open_findings, presence.distinct_cves), (100, 2));
        assert_eq!(presence.past_kev_due_date, 100);
    }

    #[test]
    fn a_host_identity_round_trips_through_its_record() {
        let identities = [
            HostIdentity {
                name: "PUMP-7".into(),
                ip: Some("10.20.0.7".into()),
                fqdn: Some("pump-7.icu.example.org".into()),
                netbios: Some("PUMP7".into()),
                macs: vec!["00:1b:63:84:45:e6".into(), "00:1b:63:84:45:e7".into()],
            },
            HostIdentity {
                name: String::new(),
                ..HostIdentity::default()
            },
            HostIdentity {
                name: "ünïcode-host".into(),
                fqdn: Some(String::new()),
                ..HostIdentity::default()
            },
        ];
        for identity in identities {
            let mut bytes = Vec::new();
            identity.encode(&mut bytes);
            assert_eq!(HostIdentity::decode(&bytes).as_ref(), Some(&identity));
            assert_eq!(
                HostIdentity::decode(&bytes[..bytes.len() - 1]),
                None,
                "cut short"
            );
            bytes.push(0);
            assert_eq!(HostIdentity::decode(&bytes), None, "a byte too many");
        }
    }

    /// The hosts a finished builder hands back, in the order first seen.
    fn scanned(capacity: usize) -> Vec<(HostIdentity, Option<bool>)> {
        let (hosts, findings) = scan();
        let mut builder = MetricsBuilder::with_capacities(None, capacity, capacity);
        // Findings first: their hosts are numbered before the host records come.
        for finding in findings.iter().rev() {
            builder.add_finding(finding).expect("finding");
        }
        for host in &hosts {
            builder.add_host(host).expect("host");
        }
        let (metrics, mut scanned) = builder
            .finish(&[], &MetricSettings::default(), AS_OF)
            .expect("finish");
        assert_eq!(scanned.len() as u64, metrics.hosts_scanned);
        scanned
            .read()
            .expect("reading starts")
            .collect::<Result<_, _>>()
            .expect("every host reads back")
    }

    #[test]
    fn the_hosts_seen_are_handed_back_once_each_wherever_they_were_kept() {
        let in_memory = scanned(1_000_000);
        assert_eq!(in_memory.len(), 30);
        let (hosts, findings) = scan();
        let last = findings.last().expect("findings");
        assert_eq!(
            in_memory[0].0, *last.host,
            "the last finding's host came first"
        );
        for (identity, credentialed) in &in_memory {
            let host = hosts
                .iter()
                .find(|h| *h.identity == *identity)
                .expect("a host of the scan");
            assert_eq!(*credentialed, host.credentialed, "{}", identity.name);
        }
        for capacity in [1, 4, 29] {
            assert_eq!(scanned(capacity), in_memory, "capacity {capacity}");
        }
    }

    #[test]
    fn the_summary_kept_beside_the_metrics_is_the_summary_builders() {
        let kev = kev();
        let (hosts, findings) = scan();
        let mut records: Vec<Record> = findings.into_iter().map(Record::Finding).collect();
        records.extend(hosts.into_iter().map(Record::Host));
        records.push(Record::Asset(assets()[0].clone()));
        let mut builder = MetricsBuilder::with_capacities(Some(&kev), 7, 7);
        let mut summary = SummaryBuilder::new(Some(&kev));
        for record in &records {
            builder.add(record).expect("add");
            summary.add(record);
        }
        let expected = summary.summary();
        assert_eq!((expected.hosts, expected.assets), (30, 1));
        assert!(expected.kev_matches.is_some_and(|m| m > 0), "{expected:?}");
        assert_eq!(builder.summary(), expected);
    }
}
