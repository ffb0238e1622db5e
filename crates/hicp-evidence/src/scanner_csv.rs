//! Scanner CSV exports: Tenable (Nessus Pro default and "all columns", Tenable.sc, Tenable.io /
//! Vulnerability Management with `;`) and Qualys (scan report and VMDR "Asset Vuln Datalist").
//! One reader; a [`Layout`] per vendor says which header spellings mean what and how the
//! vendor writes severity. Columns are found by name, so column order and extra columns do
//! not matter.

use std::io::Read;
use std::net::IpAddr;
use std::sync::Arc;

use crate::dates::parse_timestamp;
use crate::import::{Failure, Sink};
use crate::model::{Finding, HostIdentity, Record, Severity, normalize_mac};
use crate::source::{Limits, Tracked};
use crate::table::{Table, cell};

/// Header spellings of each field, preferred first (compared ignoring case).
pub(crate) struct Layout {
    pub(crate) what: &'static str,
    check_id: &'static [&'static str],
    name: &'static [&'static str],
    /// The target as scanned (a name or an address).
    host: &'static [&'static str],
    asset_name: &'static [&'static str],
    ip: &'static [&'static str],
    fqdn: &'static [&'static str],
    netbios: &'static [&'static str],
    mac: &'static [&'static str],
    severity: &'static [&'static str],
    cve: &'static [&'static str],
    port: &'static [&'static str],
    protocol: &'static [&'static str],
    first_seen: &'static [&'static str],
    last_seen: &'static [&'static str],
    state: &'static [&'static str],
    /// Qualys' `Type`: `Ig` (information gathered) rows are informational whatever their level.
    kind: &'static [&'static str],
    read_severity: fn(&str) -> Option<Severity>,
    severity_help: &'static str,
}

pub(crate) const TENABLE: Layout = Layout {
    what: "a Tenable CSV export",
    check_id: &["Plugin ID", "Plugin", "definition.id"],
    name: &["Name", "Plugin Name", "definition.name"],
    host: &["Host"],
    asset_name: &["asset.name", "asset.host_name"],
    ip: &[
        "IP Address",
        "asset.display_ipv4_address",
        "asset.display_ipv6_address",
    ],
    fqdn: &["FQDN", "DNS Name", "asset.display_fqdn"],
    netbios: &["NetBios", "NetBIOS Name", "asset.netbios_name"],
    mac: &["MAC Address", "asset.display_mac_address"],
    severity: &["Risk", "Severity", "definition.severity", "Risk Factor"],
    cve: &["CVE", "definition.cve"],
    port: &["Port"],
    protocol: &["Protocol"],
    first_seen: &["First Discovered", "First Found", "first_observed"],
    last_seen: &["Last Observed", "Last Found", "last_seen", "Host End"],
    state: &["Vulnerability State", "state"],
    kind: &[],
    read_severity: tenable_severity,
    severity_help: "Tenable writes None, Info, Low, Medium, High or Critical (or 0 to 4)",
};

pub(crate) const QUALYS: Layout = Layout {
    what: "a Qualys CSV export",
    check_id: &["QID"],
    name: &["Title"],
    host: &[],
    asset_name: &["Asset Name", "DNS", "NetBIOS"],
    ip: &["IP", "Asset IPV4", "Asset IPV6"],
    fqdn: &["FQDN", "DNS"],
    netbios: &["NetBIOS"],
    mac: &[],
    severity: &["Severity"],
    cve: &["CVE ID", "CVE"],
    port: &["Port"],
    protocol: &["Protocol"],
    first_seen: &["First Detected"],
    last_seen: &["Last Detected"],
    state: &["Vuln Status", "Status"],
    kind: &["Type"],
    read_severity: qualys_severity,
    severity_help: "Qualys writes a level from 1 (minimal) to 5 (urgent)",
};

/// Greenbone's CSV results export, read under [`crate::Format::Openvas`] when the file is not
/// XML. The `CVSS` score decides the severity, as in the XML reader.
pub(crate) const GREENBONE: Layout = Layout {
    what: "a Greenbone/OpenVAS report (XML, or the CSV results export)",
    check_id: &["NVT OID"],
    name: &["NVT Name"],
    host: &[],
    asset_name: &["Hostname"],
    ip: &["IP"],
    fqdn: &["Hostname"],
    netbios: &[],
    mac: &[],
    severity: &["CVSS", "Severity"],
    cve: &["CVEs"],
    port: &["Port"],
    protocol: &["Port Protocol"],
    first_seen: &[],
    last_seen: &["Timestamp"],
    state: &[],
    kind: &[],
    read_severity: score_or_word,
    severity_help: "Greenbone writes a CVSS score from 0.0 to 10.0",
};

/// Column indexes of one file.
struct Columns {
    check_id: Option<usize>,
    name: Option<usize>,
    host: Option<usize>,
    asset_name: Option<usize>,
    ip: Option<usize>,
    fqdn: Option<usize>,
    netbios: Option<usize>,
    mac: Option<usize>,
    severity: Option<usize>,
    cve: Option<usize>,
    port: Option<usize>,
    protocol: Option<usize>,
    first_seen: Option<usize>,
    last_seen: Option<usize>,
    state: Option<usize>,
    kind: Option<usize>,
}

impl Layout {
    fn is_header(&self, row: &[String]) -> bool {
        let has = |names: &[&str]| {
            row.iter()
                .any(|h| names.iter().any(|n| h.eq_ignore_ascii_case(n)))
        };
        has(self.check_id)
            && has(self.severity)
            && (has(self.host) || has(self.ip) || has(self.asset_name))
    }

    fn expected(&self) -> String {
        format!(
            "{}, {} and {}",
            self.check_id[0],
            self.severity[0],
            self.host.first().or(self.ip.first()).unwrap_or(&"IP")
        )
    }
}

pub(crate) fn read<'p, R: Read>(
    layout: &Layout,
    source: Tracked<'p, R>,
    file: &str,
    limits: Limits,
    sink: &mut Sink<'_>,
) -> (Result<(), Failure>, Tracked<'p, R>) {
    let mut table = match Table::open(
        source,
        file,
        limits,
        layout.what,
        &layout.expected(),
        |row| layout.is_header(row),
    ) {
        Ok(table) => table,
        Err(failed) => {
            let (problem, source) = *failed;
            return (Err(Box::new(problem).into()), source);
        }
    };
    let outcome = read_rows(layout, &mut table, sink);
    (outcome, table.into_source())
}

fn read_rows<R: Read>(
    layout: &Layout,
    table: &mut Table<'_, R>,
    sink: &mut Sink<'_>,
) -> Result<(), Failure> {
    let columns = Columns {
        check_id: table.column(layout.check_id),
        name: table.column(layout.name),
        host: table.column(layout.host),
        asset_name: table.column(layout.asset_name),
        ip: table.column(layout.ip),
        fqdn: table.column(layout.fqdn),
        netbios: table.column(layout.netbios),
        mac: table.column(layout.mac),
        severity: table.column(layout.severity),
        cve: table.column(layout.cve),
        port: table.column(layout.port),
        protocol: table.column(layout.protocol),
        first_seen: table.column(layout.first_seen),
        last_seen: table.column(layout.last_seen),
        state: table.column(layout.state),
        kind: table.column(layout.kind),
    };
    // Tenable writes a result with several CVEs as one row per CVE, the rows identical but for
    // the CVE cell: such a run is one finding. The previous row is kept to recognize it.
    let mut pending: Option<(Finding, csv::StringRecord)> = None;
    let mut last_identity: Option<Arc<HostIdentity>> = None;
    while table.next_row()? {
        let record = table.record();
        if let Some((finding, previous)) = pending.as_mut()
            && same_but_cve(previous, record, columns.cve)
        {
            finding.add_cves(cell(record, columns.cve).unwrap_or_default());
            continue;
        }
        let finding = finding_from(layout, &columns, table, record, &mut last_identity)?;
        if let Some((done, _)) = pending.replace((finding, record.clone())) {
            sink(Record::Finding(done)).map_err(Failure::Sink)?;
        }
    }
    if let Some((done, _)) = pending {
        sink(Record::Finding(done)).map_err(Failure::Sink)?;
    }
    Ok(())
}

fn same_but_cve(a: &csv::StringRecord, b: &csv::StringRecord, cve: Option<usize>) -> bool {
    let Some(cve) = cve else { return false };
    a.len() == b.len()
        && a.iter()
            .zip(b.iter())
            .enumerate()
            .all(|(i, (x, y))| i == cve || x == y)
}

fn finding_from<R: Read>(
    layout: &Layout,
    columns: &Columns,
    table: &Table<'_, R>,
    record: &csv::StringRecord,
    last_identity: &mut Option<Arc<HostIdentity>>,
) -> Result<Finding, Failure> {
    let get = |index: Option<usize>| cell(record, index);
    let severity_text = get(columns.severity).unwrap_or_default();
    let informational = get(columns.kind).is_some_and(|k| {
        k.eq_ignore_ascii_case("ig") || k.to_ascii_lowercase().starts_with("info")
    });
    let severity = match (layout.read_severity)(severity_text) {
        Some(_) if informational => Severity::Info,
        Some(severity) => severity,
        None => {
            let index = columns.severity.unwrap_or_default();
            return Err(table
                .field_problem(
                    index,
                    format!(
                        "the severity is `{severity_text}`; {}",
                        layout.severity_help
                    ),
                )
                .into());
        }
    };
    let Some(check_id) = get(columns.check_id) else {
        let index = columns.check_id.unwrap_or_default();
        return Err(table
            .field_problem(index, "the check id is empty; every result row has one")
            .into());
    };
    let identity = host_identity(columns, record);
    if identity.name.is_empty() {
        return Err(table
            .problem("the row names no host (no host, IP or asset name)")
            .into());
    }
    let identity = match last_identity {
        Some(last) if **last == identity => last.clone(),
        _ => {
            let shared = Arc::new(identity);
            *last_identity = Some(shared.clone());
            shared
        }
    };
    let port = get(columns.port)
        .and_then(|p| p.parse::<u16>().ok())
        .filter(|&p| p != 0);
    let fixed = get(columns.state).is_some_and(|s| s.eq_ignore_ascii_case("fixed"));
    let mut finding = Finding {
        host: identity,
        check_id: check_id.to_string(),
        name: get(columns.name).unwrap_or_default().to_string(),
        severity,
        cves: Vec::new(),
        port,
        protocol: get(columns.protocol).map(str::to_ascii_lowercase),
        first_seen: get(columns.first_seen).and_then(parse_timestamp),
        last_seen: get(columns.last_seen).and_then(parse_timestamp),
        fixed,
    };
    finding.add_cves(get(columns.cve).unwrap_or_default());
    Ok(finding)
}

/// The host as the row names it. The `Host` column is the target as scanned and is
/// authoritative when present (its separate IP column can disagree in real exports); an
/// address list (`10.0.0.20,10.0.0.21`) gives its first address.
fn host_identity(columns: &Columns, record: &csv::StringRecord) -> HostIdentity {
    let get = |index: Option<usize>| cell(record, index).map(str::to_string);
    let first_address = |text: String| {
        text.split([',', ' ', ';'])
            .map(str::trim)
            .find(|a| !a.is_empty())
            .map(str::to_string)
    };
    let host = get(columns.host);
    let host_address = host.clone().filter(|h| h.parse::<IpAddr>().is_ok());
    let ip = match &host {
        Some(_) => host_address,
        None => get(columns.ip).and_then(first_address),
    };
    let fqdn = get(columns.fqdn).or_else(|| {
        host.clone()
            .filter(|h| h.contains('.') && h.parse::<IpAddr>().is_err())
    });
    let netbios = get(columns.netbios);
    let name = host
        .or_else(|| ip.clone())
        .or_else(|| get(columns.asset_name))
        .or_else(|| fqdn.clone())
        .or_else(|| netbios.clone())
        .unwrap_or_default();
    HostIdentity {
        name,
        ip,
        fqdn,
        netbios,
        macs: get(columns.mac)
            .map(|m| {
                m.split([',', ' ', '\n'])
                    .filter_map(normalize_mac)
                    .collect()
            })
            .unwrap_or_default(),
    }
}

fn tenable_severity(text: &str) -> Option<Severity> {
    Severity::from_word(text).or(match text.trim() {
        "0" => Some(Severity::Info),
        "1" => Some(Severity::Low),
        "2" => Some(Severity::Medium),
        "3" => Some(Severity::High),
        "4" => Some(Severity::Critical),
        _ => None,
    })
}

fn score_or_word(text: &str) -> Option<Severity> {
    match text.trim().parse::<f64>() {
        Ok(score) if score.is_finite() => Some(Severity::from_cvss(score.max(0.0))),
        _ => Severity::from_word(text),
    }
}

/// Qualys levels 1–5 onto the five steps: 1 minimal → info, 2 medium → low, 3 serious →
/// medium, 4 critical → high, 5 urgent → critical (the mapping DefectDojo and most tools use).
fn qualys_severity(text: &str) -> Option<Severity> {
    match text.trim() {
        "1" => Some(Severity::Info),
        "2" => Some(Severity::Low),
        "3" => Some(Severity::Medium),
        "4" => Some(Severity::High),
        "5" => Some(Severity::Critical),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendor_severities_map_onto_five_steps() {
        assert_eq!(tenable_severity("None"), Some(Severity::Info));
        assert_eq!(tenable_severity("critical"), Some(Severity::Critical));
        assert_eq!(tenable_severity("3"), Some(Severity::High));
        assert_eq!(tenable_severity("7"), None);
        assert_eq!(qualys_severity("1"), Some(Severity::Info));
        assert_eq!(qualys_severity("5"), Some(Severity::Critical));
        assert_eq!(qualys_severity("High"), None);
    }
}
