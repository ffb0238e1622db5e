//! Greenbone / OpenVAS XML reports: the current GMP form and the older OMP form (OpenVAS 6–8),
//! as `get_reports` writes them in the built-in "XML" report format, with or without the
//! `<get_reports_response>` envelope. The format is recognized by its structure (a `<report>`
//! holding `<results>`), not by report-format ids, which differ between installations.
//!
//! Only a `<result>` directly inside `<results>` is a finding: notes, overrides and deltas
//! embed `<result>` elements of their own, which must not be counted twice.

use std::io::Read;
use std::sync::Arc;

use quick_xml::events::{BytesStart, Event};

use crate::dates::parse_timestamp;
use crate::import::{Failure, Sink};
use crate::model::{Finding, Host, HostIdentity, Record, Severity, normalize_mac};
use crate::xml::XmlStream;

const ROOTS: [&str; 2] = ["report", "get_reports_response"];

pub(crate) fn read<R: Read>(
    xml: &mut XmlStream<'_, R>,
    sink: &mut Sink<'_>,
) -> Result<(), Failure> {
    let mut buf = Vec::new();
    // Names of the open elements the reader walks into; everything else is skipped whole.
    let mut open: Vec<String> = Vec::new();
    let mut seen_root = false;
    let mut seen_results = false;
    let mut hosts = HostCache::default();
    loop {
        let event = xml.next(&mut buf)?;
        let is_start = matches!(event, Event::Start(_));
        match event {
            Event::Start(element) | Event::Empty(element) if !seen_root => {
                let name = element.name().as_ref().to_string();
                xml.expect_root(&name, &ROOTS, "Greenbone/OpenVAS XML report")?;
                seen_root = true;
                if is_start {
                    open.push(name);
                }
            }
            Event::Start(element) => {
                let name = element.name().as_ref().to_string();
                let parent = open.last().map(String::as_str).unwrap_or_default();
                match (parent, name.as_str()) {
                    ("results", "result") => {
                        let finding = read_result(xml, &mut hosts)?;
                        sink(Record::Finding(finding)).map_err(Failure::Sink)?;
                    }
                    ("report", "host") => {
                        let host = read_host(xml)?;
                        sink(Record::Host(host)).map_err(Failure::Sink)?;
                    }
                    ("report", "results") => {
                        seen_results = true;
                        open.push(name);
                    }
                    ("report" | "get_reports_response", "report") => open.push(name),
                    _ => xml.skip()?,
                }
            }
            Event::Empty(element) if element.name().as_ref() == "results" => seen_results = true,
            Event::End(_) => {
                open.pop();
            }
            Event::Eof if !seen_root => {
                return Err(xml
                    .problem("the file is empty: it holds no Greenbone/OpenVAS report")
                    .into());
            }
            Event::Eof if !seen_results => {
                return Err(xml
                    .problem(
                        "this <report> has no <results>: it is not a Greenbone/OpenVAS scan \
                         report. Export the report with the \"XML\" report format",
                    )
                    .into());
            }
            Event::Eof => return Ok(()),
            _ => {}
        }
    }
}

/// Findings of one host share one identity, as in the Nessus reader.
#[derive(Default)]
struct HostCache {
    last: Option<Arc<HostIdentity>>,
}

impl HostCache {
    fn identity(&mut self, address: String, hostname: Option<String>) -> Arc<HostIdentity> {
        let hostname = hostname.filter(|h| !h.is_empty());
        if let Some(last) = &self.last
            && last.name == address
            && last.fqdn == hostname
        {
            return last.clone();
        }
        let identity = Arc::new(identity(address, hostname));
        self.last = Some(identity.clone());
        identity
    }
}

fn identity(address: String, hostname: Option<String>) -> HostIdentity {
    HostIdentity {
        ip: Some(address.clone()).filter(|a| !a.is_empty()),
        name: address,
        fqdn: hostname,
        ..HostIdentity::default()
    }
}

#[derive(Default)]
struct ResultFields {
    name: String,
    nvt_name: String,
    oid: String,
    address: String,
    hostname: Option<String>,
    port: Option<String>,
    threat: Option<String>,
    severity: Option<String>,
    cvss_base: Option<String>,
    created: Option<String>,
}

fn read_result<R: Read>(
    xml: &mut XmlStream<'_, R>,
    hosts: &mut HostCache,
) -> Result<Finding, Failure> {
    let result_depth = xml.depth();
    let mut fields = ResultFields::default();
    let mut cves = Finding {
        host: Arc::default(),
        check_id: String::new(),
        name: String::new(),
        severity: Severity::Info,
        cves: Vec::new(),
        port: None,
        protocol: None,
        first_seen: None,
        last_seen: None,
        fixed: false,
    };
    let mut buf = Vec::new();
    loop {
        match xml.next(&mut buf)? {
            Event::Start(element) => match element.name().as_ref() {
                "host" => {
                    let (address, hostname) = xml.text_and_child("hostname")?;
                    fields.address = address;
                    fields.hostname = hostname;
                }
                "nvt" => {
                    fields.oid = xml.attribute(&element, "oid")?.unwrap_or_default();
                    read_nvt(xml, &mut fields, &mut cves)?;
                }
                "name" => fields.name = xml.text()?,
                "port" => fields.port = Some(xml.text()?),
                "threat" => fields.threat = Some(xml.text()?),
                "severity" => fields.severity = Some(xml.text()?),
                "creation_time" => fields.created = Some(xml.text()?),
                _ => xml.skip()?,
            },
            Event::End(_) if xml.depth() < result_depth => break,
            _ => {}
        }
    }
    let (port, protocol) = fields
        .port
        .as_deref()
        .map(parse_port)
        .unwrap_or((None, None));
    let severity = result_severity(&fields);
    let host = hosts.identity(fields.address, fields.hostname);
    Ok(Finding {
        host,
        check_id: fields.oid,
        name: if fields.nvt_name.is_empty() {
            fields.name
        } else {
            fields.nvt_name
        },
        severity,
        port,
        protocol,
        last_seen: fields.created.as_deref().and_then(parse_timestamp),
        ..cves
    })
}

fn read_nvt<R: Read>(
    xml: &mut XmlStream<'_, R>,
    fields: &mut ResultFields,
    finding: &mut Finding,
) -> Result<(), Failure> {
    let nvt_depth = xml.depth();
    let mut buf = Vec::new();
    loop {
        match xml.next(&mut buf)? {
            Event::Start(element) => match element.name().as_ref() {
                "name" => fields.nvt_name = xml.text()?,
                "cvss_base" => fields.cvss_base = Some(xml.text()?),
                // OMP: one element, a comma-separated list (or `NOCVE`).
                "cve" => finding.add_cves(&xml.text()?),
                "refs" => {}
                "ref" => {
                    cve_ref(xml, &element, finding)?;
                    xml.skip()?;
                }
                _ => xml.skip()?,
            },
            // GMP: `<refs><ref type="cve" id="CVE-..."/></refs>`.
            Event::Empty(element) if element.name().as_ref() == "ref" => {
                cve_ref(xml, &element, finding)?;
            }
            Event::End(_) if xml.depth() < nvt_depth => return Ok(()),
            _ => {}
        }
    }
}

fn cve_ref<R: Read>(
    xml: &XmlStream<'_, R>,
    element: &BytesStart<'_>,
    finding: &mut Finding,
) -> Result<(), Failure> {
    let kind = xml.attribute(element, "type")?.unwrap_or_default();
    if kind.eq_ignore_ascii_case("cve") || kind.eq_ignore_ascii_case("cve_id") {
        finding.add_cves(&xml.attribute(element, "id")?.unwrap_or_default());
    }
    Ok(())
}

/// The result's `<severity>` score on the CVSS v3 scale (so 9.0–10.0 is critical, as in
/// Greenbone 22.4 and later; negative scores mark false positives, debug and error results,
/// which are informational), else its `<threat>` word (OMP has no `<severity>`), else the NVT's
/// `cvss_base`, else informational.
fn result_severity(fields: &ResultFields) -> Severity {
    let score = |text: &Option<String>| text.as_deref().and_then(|t| t.trim().parse::<f64>().ok());
    if let Some(score) = score(&fields.severity).filter(|s| s.is_finite()) {
        return Severity::from_cvss(score.max(0.0));
    }
    let threat = fields.threat.as_deref().unwrap_or_default();
    if threat.eq_ignore_ascii_case("false positive") || threat.eq_ignore_ascii_case("error") {
        return Severity::Info;
    }
    if let Some(severity) = Severity::from_word(threat) {
        return severity;
    }
    score(&fields.cvss_base)
        .filter(|s| s.is_finite())
        .map(|s| Severity::from_cvss(s.max(0.0)))
        .unwrap_or(Severity::Info)
}

/// `443/tcp`, `general/tcp` (host level) or OMP's `https (443/tcp)` → port and protocol.
fn parse_port(text: &str) -> (Option<u16>, Option<String>) {
    let inner = match (text.rfind('('), text.rfind(')')) {
        (Some(open), Some(close)) if open < close => &text[open + 1..close],
        _ => text,
    };
    let (number, protocol) = match inner.split_once('/') {
        Some((number, protocol)) => (number.trim(), Some(protocol.trim())),
        None => (inner.trim(), None),
    };
    let port = number.parse::<u16>().ok().filter(|&p| p != 0);
    let protocol = protocol
        .filter(|p| !p.is_empty())
        .map(|p| p.to_ascii_lowercase());
    (port, protocol)
}

/// A report-level `<host>` block: address, scan times and the details Greenbone collected.
fn read_host<R: Read>(xml: &mut XmlStream<'_, R>) -> Result<Host, Failure> {
    let host_depth = xml.depth();
    let mut address = String::new();
    let mut facts = HostDetails::default();
    let mut start = None;
    let mut end = None;
    let mut buf = Vec::new();
    loop {
        match xml.next(&mut buf)? {
            Event::Start(element) => match element.name().as_ref() {
                "ip" => address = xml.text()?,
                "start" => start = parse_timestamp(&xml.text()?),
                "end" => end = parse_timestamp(&xml.text()?),
                "detail" => {
                    let (name, value) = read_detail(xml)?;
                    facts.apply(&name, value);
                }
                _ => xml.skip()?,
            },
            Event::End(_) if xml.depth() < host_depth => break,
            _ => {}
        }
    }
    let mut identity = identity(address, facts.hostname);
    identity.macs = facts.macs;
    Ok(Host {
        identity: Arc::new(identity),
        operating_system: facts.operating_system,
        credentialed: facts.credentialed,
        scan_start: start,
        scan_end: end,
    })
}

fn read_detail<R: Read>(xml: &mut XmlStream<'_, R>) -> Result<(String, String), Failure> {
    let detail_depth = xml.depth();
    let (mut name, mut value) = (String::new(), String::new());
    let mut buf = Vec::new();
    loop {
        match xml.next(&mut buf)? {
            Event::Start(element) => match element.name().as_ref() {
                "name" => name = xml.text()?,
                "value" => value = xml.text()?,
                _ => xml.skip()?,
            },
            Event::End(_) if xml.depth() < detail_depth => return Ok((name, value)),
            _ => {}
        }
    }
}

#[derive(Default)]
struct HostDetails {
    hostname: Option<String>,
    macs: Vec<String>,
    operating_system: Option<String>,
    credentialed: Option<bool>,
}

impl HostDetails {
    fn apply(&mut self, name: &str, value: String) {
        match name {
            "hostname" if !value.is_empty() => {
                self.hostname.get_or_insert(value);
            }
            "MAC" => self.macs.extend(normalize_mac(&value)),
            "best_os_txt" if !value.is_empty() => self.operating_system = Some(value),
            "OS" if !value.is_empty() && !value.starts_with("cpe:") => {
                self.operating_system.get_or_insert(value);
            }
            // `Auth-SSH-Success`, `Auth-SMB-Failure`, …: one success means the scan logged in.
            _ if name.starts_with("Auth-") && name.ends_with("-Success") => {
                self.credentialed = Some(true);
            }
            _ if name.starts_with("Auth-") && name.ends_with("-Failure") => {
                self.credentialed.get_or_insert(false);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_in_gmp_and_omp_spellings() {
        assert_eq!(parse_port("443/tcp"), (Some(443), Some("tcp".into())));
        assert_eq!(parse_port("general/tcp"), (None, Some("tcp".into())));
        assert_eq!(
            parse_port("microsoft-ds (445/tcp)"),
            (Some(445), Some("tcp".into()))
        );
        assert_eq!(parse_port(""), (None, None));
    }

    #[test]
    fn severity_prefers_the_score_then_the_threat() {
        let fields = |severity: Option<&str>, threat: Option<&str>, cvss: Option<&str>| {
            result_severity(&ResultFields {
                severity: severity.map(Into::into),
                threat: threat.map(Into::into),
                cvss_base: cvss.map(Into::into),
                ..ResultFields::default()
            })
        };
        assert_eq!(fields(Some("10.0"), Some("High"), None), Severity::Critical);
        assert_eq!(fields(Some("5.0"), Some("High"), None), Severity::Medium);
        assert_eq!(
            fields(Some("-1.0"), Some("False Positive"), None),
            Severity::Info
        );
        assert_eq!(fields(None, Some("Medium"), Some("9.3")), Severity::Medium);
        assert_eq!(fields(None, Some("Log"), None), Severity::Info);
        assert_eq!(fields(None, Some(""), Some("7.5")), Severity::High);
        assert_eq!(fields(None, None, None), Severity::Info);
    }
}
