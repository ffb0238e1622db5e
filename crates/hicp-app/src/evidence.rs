//! Evidence files from the tools an organization already runs, read in one streaming pass
//! each: summarized with no database, or kept for an organization in the store with the HICP
//! metrics and suggested answers they support.
//!
//! Reading is blocking file I/O ([`summarize_files`], [`read_for_keeping`]); a face on an async
//! executor runs those with `spawn_blocking` and then awaits [`keep`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use hicp_catalog::SubPracticeId;
use hicp_engine::{Answer, Status};
use hicp_evidence::{
    Asset, Format, Host, HostIdentity, ImportError, InventoryMapping, KevCatalog, MetricSettings,
    MetricValue, Metrics, MetricsBuilder, Options, Record, SinkResult, SpillError, Suggestion,
    Summary, SummaryBuilder,
};
use hicp_store::{
    Actor, AnswerChange, AnswerRecord, AnswerRules, Entity, EvidenceImportRecord, HostToRecord,
    ImportHostRecord, ImportedHost, NewEvidenceImport, NewMetric, NewSuggestionDecision, Store,
    StoreError, SuggestionChoice, SuggestionDecisionRecord,
};
use serde::Serialize;
use time::Date;
use uuid::Uuid;

use crate::{AppError, AppResult};

/// What the files are and what to read them with.
#[derive(Clone, Copy)]
pub struct Request<'a> {
    pub format: Format,
    /// Findings are counted against it (KEV matches) and the metrics use it.
    pub kev: Option<&'a KevCatalog>,
    /// For inventories: which columns hold what.
    pub mapping: Option<&'a InventoryMapping>,
}

/// One file that was read in full.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReadFile {
    pub file: String,
    pub format: Format,
    /// SHA-256 of the bytes: the same file imported twice is recognized by it.
    pub sha256: String,
    pub bytes: u64,
}

/// What `hicp import ... --format json` prints: the normalized summary over every file, and
/// each file's identity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FilesSummary {
    #[serde(flatten)]
    pub summary: Summary,
    pub files: Vec<ReadFile>,
}

/// Called as a file is read: the file, the bytes read so far and the file's size.
pub type ProgressFn<'a> = dyn FnMut(&Path, u64, Option<u64>) + 'a;

/// Loads a CISA KEV catalog from a file (hospitals are often offline, so never from the net).
pub fn load_kev(path: &Path) -> AppResult<KevCatalog> {
    KevCatalog::load(path, Options::default()).map_err(AppError::Evidence)
}

/// Loads an inventory column mapping (TOML; docs/evidence.md).
pub fn load_mapping(path: &Path) -> AppResult<InventoryMapping> {
    InventoryMapping::load(path)
        .map_err(|problems| AppError::Evidence(ImportError::Input(problems)))
}

fn read_file(
    request: Request<'_>,
    path: &Path,
    progress: &mut ProgressFn<'_>,
    on_record: &mut dyn FnMut(Record) -> SinkResult,
) -> AppResult<ReadFile> {
    let mut report = |read: u64, total: Option<u64>| progress(path, read, total);
    let options = Options {
        progress: Some(&mut report),
        mapping: request.mapping,
        ..Options::default()
    };
    let imported = hicp_evidence::import_path(request.format, path, options, on_record)
        .map_err(AppError::Evidence)?;
    Ok(ReadFile {
        file: path.display().to_string(),
        format: imported.format,
        sha256: imported.sha256,
        bytes: imported.bytes,
    })
}

/// Reads every file and sums them into one summary, in memory that does not grow with the
/// files' size. The first unusable file stops the run with its problems.
pub fn summarize_files(
    request: Request<'_>,
    paths: &[PathBuf],
    progress: &mut ProgressFn<'_>,
) -> AppResult<FilesSummary> {
    let mut builder = SummaryBuilder::new(request.kev);
    let mut files = Vec::with_capacity(paths.len());
    for path in paths {
        files.push(read_file(request, path, progress, &mut |record| {
            builder.add(&record);
            Ok(())
        })?);
    }
    Ok(FilesSummary {
        summary: builder.summary(),
        files,
    })
}

/// A file read in full for [`keep`]: what the metrics need of it, accumulated as it streamed
/// past (not its findings), and its inventory assets.
pub struct ReadEvidence<'k> {
    pub file: ReadFile,
    pub summary: Summary,
    metrics: MetricsBuilder<'k>,
    /// An inventory's rows (an inventory is small next to a scan; the reconciliation needs
    /// them all).
    assets: Vec<Asset>,
    today: Date,
}

/// Reads one file for [`keep`], in memory that grows only by a host's key and scan facts, not with the findings or
/// the file's size: the metrics are accumulated as the records stream past, and what counting a
/// repeated finding once needs is sorted through a temporary file beyond 20 MiB. A failure of
/// that file stops the read with a message naming it. `today` is the import's date, from which
/// findings without a first-seen time are aged.
pub fn read_for_keeping<'k>(
    request: Request<'k>,
    path: &Path,
    today: Date,
    progress: &mut ProgressFn<'_>,
) -> AppResult<ReadEvidence<'k>> {
    collect_for_keeping(request, today, |on_record| {
        read_file(request, path, progress, on_record)
    })
}

/// Reads an upload (a request body) for [`keep`], as [`read_for_keeping`] reads a file.
pub fn read_upload_for_keeping<'k>(
    request: Request<'k>,
    file_name: &str,
    bytes: &[u8],
    today: Date,
) -> AppResult<ReadEvidence<'k>> {
    collect_for_keeping(request, today, |on_record| {
        let options = Options {
            mapping: request.mapping,
            ..Options::default()
        };
        let total = u64::try_from(bytes.len()).ok();
        let imported = hicp_evidence::import_reader(
            request.format,
            bytes,
            file_name,
            total,
            options,
            on_record,
        )
        .map_err(AppError::Evidence)?;
        Ok(ReadFile {
            file: file_name.to_string(),
            format: imported.format,
            sha256: imported.sha256,
            bytes: imported.bytes,
        })
    })
}

fn collect_for_keeping<'k>(
    request: Request<'k>,
    today: Date,
    read: impl FnOnce(&mut dyn FnMut(Record) -> SinkResult) -> AppResult<ReadFile>,
) -> AppResult<ReadEvidence<'k>> {
    if request.format == Format::Kev {
        return Err(AppError::NotKept(
            "a KEV catalog is the same for everyone, so it is not kept per organization; give it with --kev when importing scans",
        ));
    }
    let imported_at = today.midnight().assume_utc().unix_timestamp();
    // Formats without a first-seen time age their findings from the import that brought them.
    let mut metrics = MetricsBuilder::new(request.kev).with_default_time(imported_at);
    let mut assets = Vec::new();
    let file = read(&mut |record| {
        metrics.add(&record)?;
        if let Record::Asset(asset) = record {
            assets.push(asset);
        }
        Ok(())
    })?;
    Ok(ReadEvidence {
        file,
        summary: metrics.summary(),
        metrics,
        assets,
        today,
    })
}

/// An import as kept: the stored record, and what it showed.
#[derive(Debug, Clone, Serialize)]
pub struct Kept {
    pub import: EvidenceImportRecord,
    pub summary: Summary,
    pub metrics: Metrics,
    pub suggestions: Vec<Suggestion>,
}

/// Keeps a file read by [`read_for_keeping`] for an organization, in one audited transaction
/// with its hosts and metrics. A scan's metrics are reconciled with the organization's latest
/// inventory, an inventory's with its latest scan. The same file twice is refused
/// (`StoreError::AlreadyImported`), so nothing is counted twice.
pub async fn keep(
    store: &Store,
    actor: &Actor,
    organization_id: Uuid,
    read: ReadEvidence<'_>,
) -> AppResult<Kept> {
    let ReadEvidence {
        file,
        summary,
        mut metrics,
        mut assets,
        today,
    } = read;
    // The file brings one side of the reconciliation and the store the other: a scan meets the
    // latest inventory, an inventory the latest scan. The hosts kept are the file's own: a
    // scan's as the metrics saw them (read back as they are stored), an inventory's assets.
    let is_scan = file.format.is_scan();
    let inventory_hosts = if is_scan {
        Vec::new()
    } else {
        asset_hosts(&assets)
    };
    let spill_failed = |error| AppError::Evidence(ImportError::Sink(Box::new(error)));
    if is_scan {
        assets = store
            .latest_import_hosts(organization_id, Format::Inventory.as_str())
            .await?
            .map(|(_, hosts)| hosts.iter().map(asset_of).collect())
            .unwrap_or_default();
    } else {
        for host in latest_scanned_hosts(store, organization_id).await? {
            metrics.add_host(&host).map_err(spill_failed)?;
        }
    }
    // Before the transaction: a temporary file that cannot be read back stores nothing.
    let (metrics, mut scanned) = metrics
        .finish(&assets, &MetricSettings::default(), today)
        .map_err(spill_failed)?;
    let scanned_hosts = if is_scan {
        Some(scanned.read().map_err(spill_failed)?)
    } else {
        None
    };
    // Boxed: the server's handlers must be `Send` futures, and rustc cannot prove that of this
    // chain of iterators held across the store's awaits unless its type is erased.
    let hosts: Box<dyn Iterator<Item = HostToRecord> + Send + '_> = Box::new(
        scanned_hosts
            .into_iter()
            .flatten()
            .map(scanned_host)
            .chain(inventory_hosts.into_iter().map(HostToRecord::Ok)),
    );
    let suggestions = hicp_evidence::suggest(&metrics);
    let source = format!("{} {}", file.format.as_str(), file_name(&file.file));
    let observations = observations(&metrics);
    let record = store
        .record_evidence_import(
            actor,
            NewEvidenceImport {
                organization_id,
                format: file.format.as_str(),
                file_name: file_name(&file.file),
                size_bytes: file.bytes,
                sha256: &file.sha256,
                summary: serde_json::json!({ "summary": &summary, "metrics": &metrics }),
                metrics: observations
                    .iter()
                    .map(|(metric, value, unit)| NewMetric {
                        organization_id,
                        metric,
                        value: *value,
                        unit: Some(unit),
                        observed_on: today,
                        source: Some(&source),
                    })
                    .collect(),
            },
            hosts,
        )
        .await?;
    Ok(Kept {
        import: record,
        summary,
        metrics,
        suggestions,
    })
}

/// The metrics an organization's kept evidence shows: for each format, its latest import.
#[derive(Debug, Clone, Serialize)]
pub struct StoredMetrics {
    pub import: EvidenceImportRecord,
    pub metrics: Metrics,
    /// Every metric with its definition and its value in words.
    pub described: Vec<MetricValue>,
    pub suggestions: Vec<Suggestion>,
}

/// The latest import of each format kept for the organization, newest first, with the metrics
/// computed when it was imported and the answers they suggest.
pub async fn stored_metrics(store: &Store, organization_id: Uuid) -> AppResult<Vec<StoredMetrics>> {
    let mut latest: BTreeMap<String, EvidenceImportRecord> = BTreeMap::new();
    for import in store.evidence_imports(organization_id).await? {
        let newer = latest
            .get(&import.format)
            .is_none_or(|kept| kept.imported_at < import.imported_at);
        if newer {
            latest.insert(import.format.clone(), import);
        }
    }
    let mut shown: Vec<StoredMetrics> = latest
        .into_values()
        .filter_map(|import| {
            // An import's summary always carries its metrics (written by `keep`); one that
            // does not parse is from another writer and has none to show.
            let metrics: Metrics =
                serde_json::from_value(import.summary.get("metrics")?.clone()).ok()?;
            Some(StoredMetrics {
                described: metrics.described(),
                suggestions: hicp_evidence::suggest(&metrics),
                metrics,
                import,
            })
        })
        .collect();
    shown.sort_by_key(|stored| std::cmp::Reverse(stored.import.imported_at));
    Ok(shown)
}

/// The metrics an inventory import measures on its own: how it and the latest scan agree.
const RECONCILIATION: [&str; 2] = [
    "scanned_hosts_not_in_inventory",
    "assets_not_scanned_recently",
];

/// The measured metrics of the organization's kept evidence, as a report shows them: each
/// format's latest import, its metrics that were measured (not those whose data was missing).
pub async fn report_metrics(
    store: &Store,
    organization_id: Uuid,
) -> AppResult<Vec<hicp_report::EvidenceMetric>> {
    let shown = stored_metrics(store, organization_id).await?;
    Ok(shown
        .iter()
        .flat_map(|stored| {
            let import = &stored.import;
            let source = describe_import(import);
            stored
                .described
                .iter()
                .filter(|metric| {
                    let id = metric.definition.id;
                    // An inventory brings no findings: of its metrics only the reconciliation
                    // with the latest scan says something.
                    stored.metrics.measured(id)
                        && (import.format != Format::Inventory.as_str()
                            || RECONCILIATION.contains(&id))
                })
                .map(move |metric| hicp_report::EvidenceMetric {
                    practice: metric.definition.practice,
                    title: metric.definition.title.to_string(),
                    value: metric.value.clone(),
                    definition: metric.definition.definition.to_string(),
                    source: source.clone(),
                })
        })
        .collect())
}

fn file_name(path: &str) -> &str {
    Path::new(path)
        .file_name()
        .and_then(|name| name.to_str())
        .unwrap_or(path)
}

/// An inventory asset as kept, matched again by address and host name.
fn asset_of(host: &ImportHostRecord) -> Asset {
    Asset {
        asset_id: host.host_key.clone(),
        hostname: host.hostname.clone(),
        ip: host.address.clone(),
        medical_device: host.medical_device,
        ..Asset::default()
    }
}

/// The hosts of the organization's most recent scan of any format, as scanned on the day it
/// was imported.
async fn latest_scanned_hosts(store: &Store, organization_id: Uuid) -> AppResult<Vec<Host>> {
    let mut latest: Option<(EvidenceImportRecord, Vec<ImportHostRecord>)> = None;
    for format in Format::ALL.into_iter().filter(|format| format.is_scan()) {
        if let Some(found) = store
            .latest_import_hosts(organization_id, format.as_str())
            .await?
            && latest
                .as_ref()
                .is_none_or(|(kept, _)| kept.imported_at < found.0.imported_at)
        {
            latest = Some(found);
        }
    }
    let Some((import, hosts)) = latest else {
        return Ok(Vec::new());
    };
    let scanned_at = import.imported_at.unix_timestamp();
    Ok(hosts
        .into_iter()
        .map(|host| Host {
            identity: Arc::new(HostIdentity {
                name: host
                    .hostname
                    .clone()
                    .unwrap_or_else(|| host.host_key.clone()),
                ip: host.address,
                fqdn: host.hostname,
                ..HostIdentity::default()
            }),
            operating_system: None,
            credentialed: host.credentialed,
            scan_start: Some(scanned_at),
            scan_end: Some(scanned_at),
        })
        .collect())
}

/// A scanned host as kept, keyed as the readers key it (the metrics saw each key once).
fn scanned_host(host: Result<(HostIdentity, Option<bool>), SpillError>) -> HostToRecord {
    let (identity, credentialed) = host?;
    Ok(ImportedHost {
        host_key: identity.key(),
        address: identity.ip,
        hostname: identity.fqdn.or(Some(identity.name)),
        credentialed,
        medical_device: false,
    })
}

/// One row per distinct inventory asset, keyed by its address, else its host name, else its id.
fn asset_hosts(assets: &[Asset]) -> Vec<ImportedHost> {
    let mut hosts: BTreeMap<String, ImportedHost> = BTreeMap::new();
    for asset in assets {
        let key = asset
            .ip
            .clone()
            .or_else(|| {
                asset
                    .hostname
                    .as_ref()
                    .map(|name| name.to_ascii_lowercase())
            })
            .unwrap_or_else(|| asset.asset_id.clone());
        hosts.entry(key.clone()).or_insert_with(|| ImportedHost {
            host_key: key,
            address: asset.ip.clone(),
            hostname: asset.hostname.clone().or_else(|| asset.name.clone()),
            credentialed: None,
            medical_device: asset.medical_device,
        });
    }
    hosts.into_values().collect()
}

/// The metrics kept as dated observations, so their trend can be drawn across imports.
fn observations(metrics: &Metrics) -> Vec<(&'static str, f64, &'static str)> {
    let mut kept = vec![
        ("hosts_scanned", metrics.hosts_scanned as f64, "hosts"),
        ("open_critical", metrics.open.critical as f64, "findings"),
        ("open_high", metrics.open.high as f64, "findings"),
        ("open_medium", metrics.open.medium as f64, "findings"),
        ("overdue", metrics.remediation.overdue as f64, "findings"),
    ];
    let mut share = |id, value: Option<f64>| {
        if let Some(value) = value {
            kept.push((id, value * 100.0, "percent"));
        }
    };
    share(
        "remediation_within_timeframe",
        metrics.remediation.within_timeframe_share,
    );
    share("credentialed_scans", metrics.credentialed.share);
    if let Some(inventory) = &metrics.inventory {
        share(
            "scanned_hosts_in_inventory",
            inventory.scanned_hosts_in_inventory_share,
        );
        share(
            "assets_scanned_recently",
            inventory.assets_scanned_recently_share,
        );
    }
    if let Some(kev) = &metrics.kev {
        kept.push(("kev_open_findings", kev.open_findings as f64, "findings"));
    }
    if let Some(devices) = &metrics.medical_devices {
        kept.push((
            "medical_devices_high_or_critical",
            devices.with_high_or_critical as f64,
            "devices",
        ));
    }
    kept
}

impl AppError {
    /// The problems of an evidence file the reader refused, where that is the error.
    pub fn evidence_problems(&self) -> Option<&hicp_input::Problems> {
        match self {
            AppError::Evidence(ImportError::Input(problems)) => Some(problems),
            _ => None,
        }
    }
}

/// A suggestion the organization's kept evidence makes now, with the import that made it, the
/// current answer and the latest decision taken on it.
#[derive(Debug, Clone, Serialize)]
pub struct ShownSuggestion {
    pub suggestion: Suggestion,
    /// The import whose metrics made the suggestion.
    pub import_id: Uuid,
    /// The import in words: file, format and day.
    pub source: String,
    /// The sub-practice's current answer status and version, when it is answered.
    pub answer_status: Option<Status>,
    pub answer_version: Option<i64>,
    /// The latest decision on this sub-practice's suggestion, if any was taken.
    pub decision: Option<SuggestionDecisionRecord>,
    /// Whether that decision was taken on this import's suggestion (not an older one).
    pub decided_on_this_evidence: bool,
}

/// For each sub-practice the kept evidence informs, the suggestion of the newest import that
/// makes one.
async fn current_suggestions(
    store: &Store,
    organization_id: Uuid,
) -> AppResult<Vec<(EvidenceImportRecord, Suggestion)>> {
    let mut seen: BTreeMap<&'static str, (EvidenceImportRecord, Suggestion)> = BTreeMap::new();
    // `stored_metrics` is newest first: the first suggestion for a sub-practice is the newest.
    for stored in stored_metrics(store, organization_id).await? {
        for suggestion in stored.suggestions {
            seen.entry(suggestion.sub_practice)
                .or_insert_with(|| (stored.import.clone(), suggestion));
        }
    }
    Ok(seen.into_values().collect())
}

fn describe_import(import: &EvidenceImportRecord) -> String {
    format!(
        "{} ({}, imported {})",
        import.file_name,
        import.format,
        import.imported_at.date()
    )
}

/// The suggestions for an assessment of the organization, in sub-practice order, each with its
/// current answer and its latest decision.
pub async fn suggestions(
    store: &Store,
    organization_id: Uuid,
    assessment_id: Uuid,
) -> AppResult<Vec<ShownSuggestion>> {
    let answers = store.answers(assessment_id).await?;
    let decisions = store.suggestion_decisions(assessment_id).await?;
    Ok(current_suggestions(store, organization_id)
        .await?
        .into_iter()
        .map(|(import, suggestion)| {
            let answer = answers
                .iter()
                .find(|answer| answer.sub_practice.to_string() == suggestion.sub_practice);
            // Decisions are oldest first: the last for the sub-practice is the latest.
            let decision = decisions
                .iter()
                .rev()
                .find(|decision| decision.sub_practice.to_string() == suggestion.sub_practice)
                .cloned();
            ShownSuggestion {
                import_id: import.id,
                source: describe_import(&import),
                answer_status: answer.map(|answer| answer.answer.status),
                answer_version: answer.map(|answer| answer.version),
                decided_on_this_evidence: decision
                    .as_ref()
                    .is_some_and(|decision| decision.import_id == Some(import.id)),
                decision,
                suggestion,
            }
        })
        .collect())
}

/// What the assessor does with a suggested answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// The answer takes the suggested status.
    Accept,
    /// The answer keeps its status (`status: None`) or takes the one given, with an optional
    /// reason (which also serves as the justification of a `not_applicable`).
    Override {
        status: Option<Status>,
        reason: Option<String>,
    },
}

/// A decision recorded, and the answer as it now stands.
#[derive(Debug, Clone, Serialize)]
pub struct Decided {
    pub decision: SuggestionDecisionRecord,
    pub answer: AnswerRecord,
}

/// Records the assessor's decision on the current suggestion for `sub_practice` and applies the
/// answer it brings, through the store's answer checks, in one audited transaction. `current`
/// is the sub-practice's answer as the caller read it (to check who may change it); `version`
/// is required when it exists, as for any answer change.
#[allow(clippy::too_many_arguments)]
pub async fn decide_suggestion(
    store: &Store,
    rules: AnswerRules<'_>,
    actor: &Actor,
    organization_id: Uuid,
    assessment_id: Uuid,
    sub_practice: &SubPracticeId,
    current: Option<&AnswerRecord>,
    choice: Choice,
    version: Option<i64>,
) -> AppResult<Decided> {
    let id = sub_practice.to_string();
    let (import, suggestion) = current_suggestions(store, organization_id)
        .await?
        .into_iter()
        .find(|(_, suggestion)| suggestion.sub_practice == id)
        .ok_or_else(|| StoreError::NotFound {
            entity: Entity::Suggestion,
            key: id.clone(),
        })?;
    if current.is_some() && version.is_none() {
        return Err(StoreError::Invalid(format!(
            "{id} is answered already: send the version of the answer you read"
        ))
        .into());
    }
    let mut answer = current.map_or_else(
        || Answer::with_status(suggestion.status),
        |current| current.answer.clone(),
    );
    let (decision, status, reason) = match choice {
        Choice::Accept => (SuggestionChoice::Accept, suggestion.status, None),
        Choice::Override { status, reason } => {
            let status = status.or(current.map(|c| c.answer.status)).ok_or_else(|| {
                StoreError::Invalid(format!(
                    "{id} has no answer yet: say which status it should have instead of the suggested {}",
                    suggestion.status.as_str()
                ))
            })?;
            (SuggestionChoice::Override, status, reason)
        }
    };
    if answer.status != status {
        // The new status is reached today; the store dates it.
        answer.since = None;
    }
    answer.status = status;
    if status == Status::NotApplicable && answer.justification.is_none() {
        answer.justification = reason.clone();
    }
    let (decision, answer) = store
        .decide_suggestion(
            actor,
            rules,
            NewSuggestionDecision {
                assessment_id,
                sub_practice,
                import_id: import.id,
                suggested_status: suggestion.status,
                rule: suggestion.rule,
                evidence: &suggestion.evidence,
                decision,
                reason: reason.as_deref(),
            },
            AnswerChange {
                answer: &answer,
                version: current.and(version),
            },
        )
        .await?;
    Ok(Decided { decision, answer })
}
