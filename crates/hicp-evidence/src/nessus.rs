//! Tenable Nessus v2 (`.nessus`): one `ReportHost` at a time, so memory does not grow with the
//! file.

use std::io::Read;
use std::sync::Arc;

use quick_xml::events::{BytesStart, Event};

use crate::dates::parse_timestamp;
use crate::import::{Failure, Sink};
use crate::model::{Finding, Host, HostIdentity, Record, Severity, normalize_mac};
use crate::xml::XmlStream;

/// The "Nessus Scan Information" plugin, whose output says whether the scan logged in.
const SCAN_INFORMATION_PLUGIN: &str = "19506";

pub(crate) fn read<R: Read>(
    xml: &mut XmlStream<'_, R>,
    sink: &mut Sink<'_>,
) -> Result<(), Failure> {
    let mut buf = Vec::new();
    let mut seen_root = false;
    loop {
        match xml.next_markup(&mut buf)? {
            Event::Start(element) | Event::Empty(element) if !seen_root => {
                if element.name().as_ref() == "NessusClientData" {
                    return Err(xml
                        .problem(
                            "this is a Nessus v1 report (<NessusClientData>); export the scan \
                             as \"Nessus\" (.nessus, v2) and try again",
                        )
                        .into());
                }
                xml.expect_root(
                    element.name().as_ref(),
                    &["NessusClientData_v2"],
                    "Nessus v2",
                )?;
                seen_root = true;
            }
            Event::Start(element) => match element.name().as_ref() {
                "Policy" => xml.skip()?,
                "ReportHost" => {
                    let name = xml.attribute(&element, "name")?.unwrap_or_default();
                    read_host(xml, name, sink)?;
                }
                _ => {}
            },
            Event::Eof if !seen_root => {
                return Err(xml
                    .problem("the file is empty: it holds no Nessus report")
                    .into());
            }
            Event::Eof => return Ok(()),
            _ => {}
        }
    }
}

fn read_host<R: Read>(
    xml: &mut XmlStream<'_, R>,
    name: String,
    sink: &mut Sink<'_>,
) -> Result<(), Failure> {
    let host_depth = xml.depth();
    let mut identity = HostIdentity {
        name,
        ..HostIdentity::default()
    };
    let mut frozen: Option<Arc<HostIdentity>> = None;
    let mut host = HostFacts::default();
    let mut buf = Vec::new();
    let mut item_buf = Vec::new();
    loop {
        match xml.next_markup(&mut buf)? {
            Event::Start(element) if element.name().as_ref() == "tag" => {
                let tag = xml.attribute(&element, "name")?.unwrap_or_default();
                let value = xml.text()?;
                host.apply(&mut identity, &tag, value);
            }
            Event::Start(element) if element.name().as_ref() == "ReportItem" => {
                let owner = frozen
                    .get_or_insert_with(|| Arc::new(identity.clone()))
                    .clone();
                let mut finding = finding_from(xml, &element, owner)?;
                read_item_children(xml, &mut finding, &mut host, &mut item_buf)?;
                sink(Record::Finding(finding)).map_err(Failure::Sink)?;
            }
            Event::Empty(element) if element.name().as_ref() == "ReportItem" => {
                let owner = frozen
                    .get_or_insert_with(|| Arc::new(identity.clone()))
                    .clone();
                let finding = finding_from(xml, &element, owner)?;
                sink(Record::Finding(finding)).map_err(Failure::Sink)?;
            }
            Event::End(_) if xml.depth() < host_depth => break,
            _ => {}
        }
    }
    let identity = frozen.unwrap_or_else(|| Arc::new(identity));
    sink(Record::Host(Host {
        identity,
        operating_system: host.operating_system,
        credentialed: host.credentialed,
        scan_start: host.start,
        scan_end: host.end,
    }))
    .map_err(Failure::Sink)
}

fn finding_from<R: Read>(
    xml: &XmlStream<'_, R>,
    element: &BytesStart<'_>,
    host: Arc<HostIdentity>,
) -> Result<Finding, Failure> {
    let [severity_text, port, check_id, name, protocol] = xml.attributes(
        element,
        ["severity", "port", "pluginID", "pluginName", "protocol"],
    )?;
    let severity = match severity_text.as_deref().unwrap_or_default() {
        "0" => Severity::Info,
        "1" => Severity::Low,
        "2" => Severity::Medium,
        "3" => Severity::High,
        "4" => Severity::Critical,
        other => {
            return Err(xml
                .problem(format!(
                    "ReportItem severity is `{other}`; Nessus writes 0 (info) to 4 (critical)"
                ))
                .into());
        }
    };
    let port = port.and_then(|p| p.parse::<u16>().ok()).filter(|&p| p != 0);
    Ok(Finding {
        host,
        check_id: check_id.unwrap_or_default(),
        name: name.unwrap_or_default(),
        severity,
        cves: Vec::new(),
        port,
        protocol: protocol.filter(|p| !p.is_empty()),
        first_seen: None,
        last_seen: None,
        fixed: false,
    })
}

fn read_item_children<R: Read>(
    xml: &mut XmlStream<'_, R>,
    finding: &mut Finding,
    host: &mut HostFacts,
    buf: &mut Vec<u8>,
) -> Result<(), Failure> {
    let item_depth = xml.depth();
    let scan_information = finding.check_id == SCAN_INFORMATION_PLUGIN;
    let wanted = |name: &[u8]| name == b"cve" || (scan_information && name == b"plugin_output");
    loop {
        while let Some((name, text)) = xml.pass_plain_children(wanted)? {
            if name == b"cve" {
                finding.add_cves(text);
            } else if let Some(credentialed) = credentialed_checks(text) {
                host.credentialed.get_or_insert(credentialed);
            }
        }
        match xml.next(buf)? {
            Event::Start(element) => match element.name().as_ref() {
                "cve" => {
                    let text = xml.text()?;
                    finding.add_cves(&text);
                }
                "plugin_output" if finding.check_id == SCAN_INFORMATION_PLUGIN => {
                    let text = xml.text()?;
                    if let Some(credentialed) = credentialed_checks(&text) {
                        host.credentialed.get_or_insert(credentialed);
                    }
                }
                _ => xml.skip()?,
            },
            Event::End(_) if xml.depth() < item_depth => return Ok(()),
            _ => {}
        }
    }
}

/// `Credentialed checks : yes` (sometimes followed by details) in plugin 19506's output.
fn credentialed_checks(output: &str) -> Option<bool> {
    let line = output
        .lines()
        .find(|l| l.trim_start().starts_with("Credentialed checks"))?;
    let value = line.split_once(':')?.1.trim().to_ascii_lowercase();
    Some(value.starts_with("yes"))
}

#[derive(Default)]
struct HostFacts {
    operating_system: Option<String>,
    credentialed: Option<bool>,
    start: Option<i64>,
    end: Option<i64>,
}

impl HostFacts {
    fn apply(&mut self, identity: &mut HostIdentity, tag: &str, value: String) {
        if value.is_empty() {
            return;
        }
        match tag {
            "host-ip" => identity.ip = Some(value),
            "host-fqdn" => identity.fqdn = Some(value),
            "netbios-name" => identity.netbios = Some(value),
            "mac-address" => {
                identity.macs = value.split_whitespace().filter_map(normalize_mac).collect()
            }
            "operating-system" => self.operating_system = Some(value),
            // The tag, when present, is the scanner's own verdict; plugin 19506 is the fallback.
            "Credentialed_Scan" => self.credentialed = Some(value.eq_ignore_ascii_case("true")),
            "HOST_START_TIMESTAMP" => self.start = value.parse().ok().or(self.start),
            "HOST_END_TIMESTAMP" => self.end = value.parse().ok().or(self.end),
            "HOST_START" => self.start = self.start.or_else(|| parse_timestamp(&value)),
            "HOST_END" => self.end = self.end.or_else(|| parse_timestamp(&value)),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scan_information_says_whether_it_logged_in() {
        assert_eq!(
            credentialed_checks("Nessus version : 5\nCredentialed checks : yes, as 'root'\n"),
            Some(true)
        );
        assert_eq!(
            credentialed_checks("Credentialed checks : no\n"),
            Some(false)
        );
        assert_eq!(credentialed_checks("nothing here"), None);
    }
}
