//! The CISA Known Exploited Vulnerabilities catalog (JSON), read from a file because hospitals
//! are often offline. Entries are streamed out of the `vulnerabilities` array one at a time.

use std::collections::HashMap;
use std::fmt;
use std::io::Read;
use std::path::Path;

use hicp_input::{Position, Problem};
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::import::{Failure, Format, ImportError, Options, Sink};
use crate::model::{KevEntry, Record, normalize_cve};
use crate::source::{Limits, StreamError, Tracked};

/// The catalog as a lookup by CVE id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KevCatalog {
    entries: HashMap<String, KevEntry>,
}

impl KevCatalog {
    pub fn from_entries(entries: impl IntoIterator<Item = KevEntry>) -> KevCatalog {
        KevCatalog {
            entries: entries.into_iter().map(|e| (e.cve.clone(), e)).collect(),
        }
    }

    /// Reads a KEV JSON file.
    pub fn load(path: &Path, options: Options<'_>) -> Result<KevCatalog, ImportError> {
        let mut entries = Vec::new();
        crate::import::import_path(Format::Kev, path, options, &mut |record| {
            if let Record::Kev(entry) = record {
                entries.push(entry);
            }
            Ok(())
        })?;
        Ok(KevCatalog::from_entries(entries))
    }

    pub fn contains(&self, cve: &str) -> bool {
        self.entries.contains_key(cve)
    }

    pub fn get(&self, cve: &str) -> Option<&KevEntry> {
        self.entries.get(cve)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawEntry {
    #[serde(rename = "cveID")]
    cve_id: String,
    vendor_project: String,
    product: String,
    vulnerability_name: String,
    date_added: String,
    due_date: String,
    #[serde(default)]
    known_ransomware_campaign_use: Option<String>,
}

/// Streams the top-level object, handing each vulnerability to the sink as it is parsed.
struct Catalog<'s, 'a> {
    sink: &'s mut Sink<'a>,
    limits: Limits,
    /// Where a sink error or a bad entry is kept, since serde carries only a message.
    failure: &'s mut Option<Failure>,
    file: &'s str,
}

impl<'de> DeserializeSeed<'de> for Catalog<'_, '_> {
    type Value = bool;
    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Catalog<'_, '_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a KEV catalog object with a `vulnerabilities` array")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        let mut found = false;
        let Catalog {
            sink,
            limits,
            failure,
            file,
        } = self;
        while let Some(key) = map.next_key::<String>()? {
            if key == "vulnerabilities" {
                found = true;
                map.next_value_seed(Entries {
                    sink: &mut *sink,
                    limits,
                    failure: &mut *failure,
                    file,
                })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }
}

struct Entries<'s, 'a> {
    sink: &'s mut Sink<'a>,
    limits: Limits,
    failure: &'s mut Option<Failure>,
    file: &'s str,
}

impl<'de> DeserializeSeed<'de> for Entries<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Entries<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of KEV entries")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0usize;
        while let Some(raw) = seq.next_element::<RawEntry>()? {
            let key = |field: &str| format!("vulnerabilities[{index}].{field}");
            let too_long = [
                &raw.cve_id,
                &raw.vendor_project,
                &raw.product,
                &raw.vulnerability_name,
            ]
            .iter()
            .any(|s| s.len() > self.limits.max_field_bytes);
            let problem = if too_long {
                Some(Problem::at(
                    self.file,
                    None,
                    key("vulnerabilityName"),
                    "a field is longer than the limit",
                ))
            } else {
                None
            };
            let entry = normalize_cve(&raw.cve_id).map(|cve| KevEntry {
                cve,
                vendor_project: raw.vendor_project,
                product: raw.product,
                name: raw.vulnerability_name,
                date_added: raw.date_added,
                due_date: raw.due_date,
                known_ransomware: raw
                    .known_ransomware_campaign_use
                    .is_some_and(|k| k.eq_ignore_ascii_case("known")),
            });
            let outcome = match (problem, entry) {
                (Some(problem), _) => Err(Failure::Problem(Box::new(problem))),
                (None, None) => Err(Failure::Problem(Box::new(Problem::at(
                    self.file,
                    None,
                    key("cveID"),
                    format!("`{}` is not a CVE id (CVE-YYYY-NNNN)", raw.cve_id),
                )))),
                (None, Some(entry)) => (self.sink)(Record::Kev(entry)).map_err(Failure::Sink),
            };
            if let Err(failure) = outcome {
                *self.failure = Some(failure);
                return Err(de::Error::custom("stopped"));
            }
            index += 1;
        }
        Ok(())
    }
}

pub(crate) fn read<'p, R: Read>(
    mut source: Tracked<'p, R>,
    file: &str,
    limits: Limits,
    sink: &mut Sink<'_>,
) -> (Result<(), Failure>, Tracked<'p, R>) {
    let mut failure = None;
    let outcome = {
        let mut deserializer = serde_json::Deserializer::from_reader(&mut source);
        let seed = Catalog {
            sink,
            limits,
            failure: &mut failure,
            file,
        };
        seed.deserialize(&mut deserializer)
            .and_then(|found| deserializer.end().map(|()| found))
    };
    let result = match (outcome, failure) {
        (_, Some(failure)) => Err(failure),
        (Ok(true), None) => Ok(()),
        (Ok(false), None) => Err(Failure::Problem(Box::new(Problem::whole(
            file,
            "this JSON has no `vulnerabilities` array: it is not the CISA KEV catalog \
             (known_exploited_vulnerabilities.json)",
        )))),
        (Err(error), None) => Err(Failure::Problem(Box::new(json_problem(file, error)))),
    };
    (result, source)
}

fn json_problem(file: &str, error: serde_json::Error) -> Problem {
    let position = Position {
        line: error.line().max(1),
        column: error.column().max(1),
    };
    if error.is_io() {
        let io: std::io::Error = error.into();
        return StreamError::problem(file, &io);
    }
    let message = if error.is_eof() {
        "the JSON ends early: the file is empty or truncated".to_string()
    } else {
        format!("not a valid KEV catalog: {error}")
    };
    Problem::at(file, Some(position), "", message)
}
