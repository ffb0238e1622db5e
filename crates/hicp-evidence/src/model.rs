//! The normalized records every reader yields, whatever the scanner or inventory tool.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// A finding's severity on one five-step scale. Each reader documents how its own scale maps
/// here (docs/evidence.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// The CVSS v3 qualitative rating of a 0–10 score (0 is informational).
    pub fn from_cvss(score: f64) -> Severity {
        if score >= 9.0 {
            Severity::Critical
        } else if score >= 7.0 {
            Severity::High
        } else if score >= 4.0 {
            Severity::Medium
        } else if score > 0.0 {
            Severity::Low
        } else {
            Severity::Info
        }
    }

    /// Words used by Tenable and Greenbone: `None`/`Info`/`Log`, `Low`, `Medium`, `High`,
    /// `Critical` (any case).
    pub fn from_word(word: &str) -> Option<Severity> {
        match word.trim().to_ascii_lowercase().as_str() {
            "none" | "info" | "informational" | "log" | "debug" => Some(Severity::Info),
            "low" => Some(Severity::Low),
            "medium" | "moderate" => Some(Severity::Medium),
            "high" => Some(Severity::High),
            "critical" => Some(Severity::Critical),
            _ => None,
        }
    }

    /// High or critical: what the remediation and medical-device metrics count.
    pub fn is_high_or_critical(self) -> bool {
        self >= Severity::High
    }
}

/// How a scanned host is known. Any of the fields may be missing; `name` is what the scan
/// targeted (an address or a name) and is always present.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct HostIdentity {
    pub name: String,
    pub ip: Option<String>,
    pub fqdn: Option<String>,
    pub netbios: Option<String>,
    /// Lower-case, colon-separated MAC addresses.
    pub macs: Vec<String>,
}

impl HostIdentity {
    /// The key that makes two records the same host: the IP address, else the FQDN, else the
    /// name as targeted (lower-cased, since host names are case-insensitive).
    pub fn key(&self) -> String {
        self.ip
            .clone()
            .or_else(|| self.fqdn.as_ref().map(|f| f.to_ascii_lowercase()))
            .unwrap_or_else(|| self.name.to_ascii_lowercase())
    }
}

/// One host as a scan saw it, emitted after all its findings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Host {
    pub identity: Arc<HostIdentity>,
    pub operating_system: Option<String>,
    /// Whether the scanner logged in to the host, where the format says so (`None`: unknown).
    pub credentialed: Option<bool>,
    /// When the scan of this host started and ended, Unix seconds, where the format says so.
    pub scan_start: Option<i64>,
    pub scan_end: Option<i64>,
}

/// One result a scanner reported for one host (informational results included).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub host: Arc<HostIdentity>,
    /// The scanner's check id: a Nessus plugin id, a Greenbone NVT OID, a Qualys QID.
    pub check_id: String,
    pub name: String,
    pub severity: Severity,
    /// Upper-case `CVE-YYYY-N` ids, without duplicates, in file order.
    pub cves: Vec<String>,
    /// `None` for host-level findings (port 0 or `general`).
    pub port: Option<u16>,
    pub protocol: Option<String>,
    /// When the scanner first and last saw this finding, Unix seconds, where the format says so;
    /// otherwise the caller should use the host's scan time or the import time.
    pub first_seen: Option<i64>,
    pub last_seen: Option<i64>,
    /// The scanner reports this finding as fixed (Tenable `Fixed`, Qualys `Fixed`): it is kept
    /// for the record but is not an open vulnerability.
    #[serde(default)]
    pub fixed: bool,
}

impl Finding {
    pub(crate) fn add_cves(&mut self, text: &str) {
        for cve in text
            .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
            .filter_map(normalize_cve)
        {
            if !self.cves.contains(&cve) {
                self.cves.push(cve);
            }
        }
    }
}

/// `cve-2021-44228` → `CVE-2021-44228`; anything that is not a CVE id → `None`.
pub fn normalize_cve(text: &str) -> Option<String> {
    let upper = text.trim().to_ascii_uppercase();
    let rest = upper.strip_prefix("CVE-")?;
    let (year, number) = rest.split_once('-')?;
    let digits = |s: &str, min: usize| s.len() >= min && s.bytes().all(|b| b.is_ascii_digit());
    (year.len() == 4 && digits(year, 4) && digits(number, 4) && number.len() <= 19).then_some(upper)
}

/// One row of an asset inventory.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Asset {
    /// The inventory's own id (asset tag), else the name.
    pub asset_id: String,
    pub name: Option<String>,
    pub hostname: Option<String>,
    pub ip: Option<String>,
    pub mac: Option<String>,
    pub serial: Option<String>,
    pub manufacturer: Option<String>,
    pub model: Option<String>,
    pub category: Option<String>,
    pub location: Option<String>,
    /// A network-connected medical device (HICP practice 9).
    pub medical_device: bool,
    /// Reachable from the internet (HICP's shorter remediation timeframe applies).
    pub internet_facing: bool,
    /// When the inventory tool last saw the asset, Unix seconds, where the export says so.
    #[serde(default)]
    pub last_seen: Option<i64>,
}

/// One entry of the CISA Known Exploited Vulnerabilities catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KevEntry {
    pub cve: String,
    pub vendor_project: String,
    pub product: String,
    pub name: String,
    /// `YYYY-MM-DD`.
    pub date_added: String,
    pub due_date: String,
    pub known_ransomware: bool,
}

/// What a reader yields, in file order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Record {
    Finding(Finding),
    Host(Host),
    Asset(Asset),
    Kev(KevEntry),
}

/// Lower-case colon-separated MAC, or `None` when the text is not a MAC address.
pub fn normalize_mac(text: &str) -> Option<String> {
    let hex: String = text.chars().filter(|c| c.is_ascii_hexdigit()).collect();
    let separators_ok = text
        .trim()
        .chars()
        .all(|c| c.is_ascii_hexdigit() || matches!(c, ':' | '-' | '.'));
    if hex.len() != 12 || !separators_ok {
        return None;
    }
    let lower = hex.to_ascii_lowercase();
    let pairs: Vec<&str> = (0..6).filter_map(|i| lower.get(i * 2..i * 2 + 2)).collect();
    Some(pairs.join(":"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cves_are_normalized_and_junk_dropped() {
        assert_eq!(
            normalize_cve(" cve-2021-44228 ").as_deref(),
            Some("CVE-2021-44228")
        );
        assert_eq!(normalize_cve("CVE-21-1"), None);
        assert_eq!(normalize_cve("NOCVE"), None);
        assert_eq!(normalize_cve("CVE-2021-12a4"), None);
    }

    #[test]
    fn macs_are_normalized() {
        assert_eq!(
            normalize_mac("00-1A-2b-3C-4d-5E").as_deref(),
            Some("00:1a:2b:3c:4d:5e")
        );
        assert_eq!(normalize_mac("not a mac"), None);
    }

    #[test]
    fn cvss_scores_map_to_the_qualitative_scale() {
        assert_eq!(Severity::from_cvss(0.0), Severity::Info);
        assert_eq!(Severity::from_cvss(3.9), Severity::Low);
        assert_eq!(Severity::from_cvss(6.9), Severity::Medium);
        assert_eq!(Severity::from_cvss(7.0), Severity::High);
        assert_eq!(Severity::from_cvss(10.0), Severity::Critical);
    }
}
