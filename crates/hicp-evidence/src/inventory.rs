//! Asset inventory CSV (Snipe-IT-style exports and any other tool's), read through a column
//! mapping: a TOML file that says which header holds each field and which column marks a
//! network-connected medical device. Without a mapping, common header spellings are tried.

use std::io::Read;
use std::path::Path;

use hicp_input::{LineIndex, Problem, Problems, did_you_mean};
use serde::{Deserialize, Serialize};

use crate::dates::parse_timestamp;
use crate::import::{Failure, Sink};
use crate::model::{Asset, Record, normalize_mac};
use crate::source::{Limits, Tracked};
use crate::table::{Table, cell};

/// Which header holds each asset field. A field left out is looked for under its usual
/// spellings (see docs/evidence.md); a column named here must exist in the file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InventoryColumns {
    pub asset_id: Option<String>,
    pub name: Option<String>,
    pub hostname: Option<String>,
    pub ip: Option<String>,
    pub mac: Option<String>,
    pub serial: Option<String>,
    pub manufacturer: Option<String>,
    pub model: Option<String>,
    pub category: Option<String>,
    pub location: Option<String>,
    pub last_seen: Option<String>,
}

/// A column that marks assets: set when its cell says yes (`yes`, `y`, `true`, `1`, `x`), or,
/// when `values` is given, when the cell is one of them (ignoring case), e.g. the categories
/// that are medical devices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Marker {
    pub column: String,
    #[serde(default)]
    pub values: Vec<String>,
}

impl Marker {
    fn marks(&self, text: &str) -> bool {
        let text = text.trim();
        if self.values.is_empty() {
            matches!(
                text.to_ascii_lowercase().as_str(),
                "yes" | "y" | "true" | "1" | "x"
            )
        } else {
            self.values
                .iter()
                .any(|v| v.trim().eq_ignore_ascii_case(text))
        }
    }
}

/// How to read one inventory export (`--mapping FILE`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InventoryMapping {
    #[serde(default)]
    pub columns: InventoryColumns,
    /// Network-connected medical devices (HICP practice 9).
    pub medical_device: Option<Marker>,
    /// Systems reachable from the internet (the shorter remediation timeframes).
    pub internet_facing: Option<Marker>,
}

impl InventoryMapping {
    /// Parses a mapping file's text; `file` names it in problems.
    pub fn from_toml(text: &str, file: &str) -> Result<InventoryMapping, Problems> {
        toml::from_str(text).map_err(|error| {
            let at = error
                .span()
                .map(|span| LineIndex::new(text).position(span.start));
            let message = format!(
                "not a valid inventory mapping: {}. It has a [columns] table (asset_id, name, \
                 hostname, ip, mac, serial, manufacturer, model, category, location, last_seen) \
                 and optional [medical_device] and [internet_facing] tables (column, values)",
                error.message()
            );
            Problems::one("the inventory mapping", Problem::at(file, at, "", message))
        })
    }

    /// Reads a mapping file (at most 1 MiB).
    pub fn load(path: &Path) -> Result<InventoryMapping, Problems> {
        let file = path.display().to_string();
        let text =
            hicp_input::read_text(path, 1024 * 1024, "the inventory mapping").map_err(|e| {
                Problems::one(
                    "the inventory mapping",
                    Problem::whole(&file, e.to_string()),
                )
            })?;
        InventoryMapping::from_toml(&text, &file)
    }
}

const ASSET_ID: &[&str] = &[
    "Asset Tag",
    "asset_tag",
    "Asset ID",
    "AssetTag",
    "Tag",
    "Barcode",
];
const NAME: &[&str] = &[
    "Name",
    "Asset Name",
    "Item Name",
    "AssetName",
    "Device Name",
];
const HOSTNAME: &[&str] = &["Hostname", "Host Name", "FQDN", "DNS Name", "Computer Name"];
const IP: &[&str] = &["IP Address", "IP", "IPAddress", "IPv4", "IPv4 Address"];
const MAC: &[&str] = &["MAC Address", "MAC", "MACAddress"];
const SERIAL: &[&str] = &["Serial", "Serial Number", "SerialNumber"];
const MANUFACTURER: &[&str] = &["Manufacturer", "Vendor", "Make"];
const MODEL: &[&str] = &["Model", "Model Name", "Model Number"];
const CATEGORY: &[&str] = &["Category", "Device Type", "Type", "Asset Type"];
const LOCATION: &[&str] = &["Location", "Department", "Site"];
const LAST_SEEN: &[&str] = &["Last Seen", "Lastseen", "Last Checkin", "Last Audit"];
const MEDICAL: &[&str] = &[
    "Medical Device",
    "Medical",
    "Network-Connected Medical Device",
];
const INTERNET: &[&str] = &["Internet Facing", "Internet-Facing", "Internet"];

const WHAT: &str = "an asset inventory CSV export";

pub(crate) fn read<'p, R: Read>(
    mapping: &InventoryMapping,
    source: Tracked<'p, R>,
    file: &str,
    limits: Limits,
    sink: &mut Sink<'_>,
) -> (Result<(), Failure>, Tracked<'p, R>) {
    let named: Vec<&str> = [
        &mapping.columns.asset_id,
        &mapping.columns.name,
        &mapping.columns.hostname,
        &mapping.columns.ip,
    ]
    .into_iter()
    .flatten()
    .map(String::as_str)
    .collect();
    let is_header = |row: &[String]| {
        let has = |names: &[&str]| {
            row.iter()
                .any(|h| names.iter().any(|n| h.eq_ignore_ascii_case(n)))
        };
        // A mapped column that is missing is reported by name once the header is found.
        has(&named) || has(ASSET_ID) || has(NAME) || has(HOSTNAME) || has(IP)
    };
    let expected = "an asset tag, name, host name or IP address column";
    let mut table = match Table::open(source, file, limits, WHAT, expected, is_header) {
        Ok(table) => table,
        Err(failed) => {
            let (problem, source) = *failed;
            return (Err(Box::new(problem).into()), source);
        }
    };
    let outcome = read_rows(mapping, &mut table, sink);
    (outcome, table.into_source())
}

fn read_rows<R: Read>(
    mapping: &InventoryMapping,
    table: &mut Table<'_, R>,
    sink: &mut Sink<'_>,
) -> Result<(), Failure> {
    let find = |configured: &Option<String>, field: &str, usual: &[&str]| match configured {
        Some(name) => match table.column(&[name.as_str()]) {
            Some(index) => Ok(Some(index)),
            None => {
                let hint = did_you_mean(name, table.header().iter().map(String::as_str))
                    .map(|h| format!("did you mean `{h}`?"));
                Err(Failure::Problem(Box::new(
                    table
                        .header_problem(
                            field.to_string(),
                            format!(
                                "the mapping names the column `{name}` for {field}, but the \
                                 header has no such column"
                            ),
                        )
                        .with_hint(hint),
                )))
            }
        },
        None => Ok(table.column(usual)),
    };
    let c = &mapping.columns;
    let asset_id = find(&c.asset_id, "columns.asset_id", ASSET_ID)?;
    let name = find(&c.name, "columns.name", NAME)?;
    let hostname = find(&c.hostname, "columns.hostname", HOSTNAME)?;
    let ip = find(&c.ip, "columns.ip", IP)?;
    let mac = find(&c.mac, "columns.mac", MAC)?;
    let serial = find(&c.serial, "columns.serial", SERIAL)?;
    let manufacturer = find(&c.manufacturer, "columns.manufacturer", MANUFACTURER)?;
    let model = find(&c.model, "columns.model", MODEL)?;
    let category = find(&c.category, "columns.category", CATEGORY)?;
    let location = find(&c.location, "columns.location", LOCATION)?;
    let last_seen = find(&c.last_seen, "columns.last_seen", LAST_SEEN)?;
    let marker = |configured: &Option<Marker>, field: &str, usual: &[&str]| {
        let column = configured.as_ref().map(|m| m.column.clone());
        let index = find(&column, &format!("{field}.column"), usual)?;
        let rule = configured.clone().unwrap_or(Marker {
            column: String::new(),
            values: Vec::new(),
        });
        Ok::<_, Failure>(index.map(|i| (i, rule)))
    };
    let medical = marker(&mapping.medical_device, "medical_device", MEDICAL)?;
    let internet = marker(&mapping.internet_facing, "internet_facing", INTERNET)?;
    while table.next_row()? {
        let record = table.record();
        let get = |index: Option<usize>| cell(record, index).map(str::to_string);
        let marked = |marker: &Option<(usize, Marker)>| {
            marker
                .as_ref()
                .is_some_and(|(i, rule)| rule.marks(cell(record, Some(*i)).unwrap_or_default()))
        };
        let asset_name = get(name);
        let host = get(hostname);
        let address = get(ip);
        let Some(id) = get(asset_id)
            .or_else(|| asset_name.clone())
            .or_else(|| host.clone())
            .or_else(|| address.clone())
        else {
            return Err(table
                .problem("the row has no asset tag, name, host name or IP address")
                .into());
        };
        let asset = Asset {
            asset_id: id,
            name: asset_name,
            hostname: host,
            ip: address,
            mac: get(mac).and_then(|m| normalize_mac(&m)),
            serial: get(serial),
            manufacturer: get(manufacturer),
            model: get(model),
            category: get(category),
            location: get(location),
            medical_device: marked(&medical),
            internet_facing: marked(&internet),
            last_seen: get(last_seen).and_then(|t| parse_timestamp(&t)),
        };
        sink(Record::Asset(asset)).map_err(Failure::Sink)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_take_yes_words_or_listed_values() {
        let flag = Marker {
            column: "Medical".into(),
            values: vec![],
        };
        assert!(flag.marks(" Yes "));
        assert!(flag.marks("1"));
        assert!(!flag.marks("no"));
        assert!(!flag.marks(""));
        let listed = Marker {
            column: "Category".into(),
            values: vec!["Infusion Pump".into()],
        };
        assert!(listed.marks("infusion pump"));
        assert!(!listed.marks("yes"));
    }

    #[test]
    fn a_bad_mapping_is_placed() {
        let problems =
            InventoryMapping::from_toml("[columns]\nasset_id = \"Tag\"\nipp = \"IP\"\n", "m.toml")
                .unwrap_err();
        let problem = &problems.problems[0];
        assert_eq!(problem.line, Some(3), "{problem}");
        assert!(problem.message.contains("ipp"), "{problem}");
    }
}
