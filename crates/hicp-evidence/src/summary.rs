//! The normalized summary of one or more imports, built as records stream past.

use std::collections::HashSet;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::kev::KevCatalog;
use crate::model::{HostIdentity, Record, Severity};

/// Findings per severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BySeverity {
    pub critical: u64,
    pub high: u64,
    pub medium: u64,
    pub low: u64,
    pub info: u64,
}

impl BySeverity {
    pub fn add(&mut self, severity: Severity) {
        *self.get_mut(severity) += 1;
    }

    pub fn get(&self, severity: Severity) -> u64 {
        match severity {
            Severity::Critical => self.critical,
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Low => self.low,
            Severity::Info => self.info,
        }
    }

    fn get_mut(&mut self, severity: Severity) -> &mut u64 {
        match severity {
            Severity::Critical => &mut self.critical,
            Severity::High => &mut self.high,
            Severity::Medium => &mut self.medium,
            Severity::Low => &mut self.low,
            Severity::Info => &mut self.info,
        }
    }
}

/// What `hicp import ... --format json` prints.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Distinct hosts ([`HostIdentity::key`]) seen in findings or host records.
    pub hosts: u64,
    /// Every result the files report, informational ones included.
    pub findings: u64,
    pub by_severity: BySeverity,
    /// Findings with at least one CVE in the KEV catalog; absent when no catalog was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kev_matches: Option<u64>,
    /// Inventory rows read, when inventories were imported.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub assets: u64,
    /// KEV entries read, when a KEV catalog was imported.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub kev_entries: u64,
}

fn is_zero(count: &u64) -> bool {
    *count == 0
}

/// Accumulates a [`Summary`] in memory proportional to the number of distinct hosts.
#[derive(Debug, Default)]
pub struct SummaryBuilder<'k> {
    kev: Option<&'k KevCatalog>,
    host_keys: HashSet<Box<str>>,
    /// The identity last counted: findings of one host share it, so most lookups are skipped.
    last_identity: Option<Arc<HostIdentity>>,
    summary: Summary,
}

impl<'k> SummaryBuilder<'k> {
    pub fn new(kev: Option<&'k KevCatalog>) -> SummaryBuilder<'k> {
        SummaryBuilder {
            kev,
            summary: Summary {
                kev_matches: kev.map(|_| 0),
                ..Summary::default()
            },
            ..SummaryBuilder::default()
        }
    }

    pub fn add(&mut self, record: &Record) {
        match record {
            Record::Finding(finding) => self.count_host(&finding.host),
            Record::Host(host) => self.count_host(&host.identity),
            Record::Asset(_) | Record::Kev(_) => {}
        }
        self.add_counts(record);
    }

    /// Counts `record` but not its host: a [`crate::MetricsBuilder`] tells its hosts apart
    /// itself, and one set of host keys is enough.
    pub(crate) fn add_counts(&mut self, record: &Record) {
        match record {
            Record::Finding(finding) => {
                self.summary.findings += 1;
                self.summary.by_severity.add(finding.severity);
                if let (Some(kev), Some(matches)) = (self.kev, self.summary.kev_matches.as_mut())
                    && finding.cves.iter().any(|cve| kev.contains(cve))
                {
                    *matches += 1;
                }
            }
            Record::Host(_) => {}
            Record::Asset(_) => self.summary.assets += 1,
            Record::Kev(_) => self.summary.kev_entries += 1,
        }
    }

    fn count_host(&mut self, identity: &Arc<HostIdentity>) {
        if self
            .last_identity
            .as_ref()
            .is_some_and(|last| Arc::ptr_eq(last, identity))
        {
            return;
        }
        self.host_keys.insert(identity.key().into_boxed_str());
        self.summary.hosts = self.host_keys.len() as u64;
        self.last_identity = Some(identity.clone());
    }

    pub fn summary(&self) -> Summary {
        self.summary.clone()
    }

    /// The summary, its distinct hosts counted by the caller.
    pub(crate) fn summary_of_hosts(&self, hosts: u64) -> Summary {
        Summary {
            hosts,
            ..self.summary.clone()
        }
    }
}
