//! Reading catalog sources (embedded or from a directory) into a [`Catalog`].

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::error::{CatalogError, ValidationError};
use crate::model::*;
use crate::{Catalog, SourceFile};

macro_rules! embed {
    ($($name:literal),* $(,)?) => {
        vec![$(SourceFile { name: $name.to_string(), text: include_str!(concat!("../../../content/", $name)).to_string() }),*]
    };
}

pub(crate) fn embedded_sources() -> Vec<SourceFile> {
    embed!(
        "catalog.toml",
        "threats.toml",
        "practices/01-email.toml",
        "practices/02-endpoints.toml",
        "practices/03-identity-access.toml",
        "practices/04-data-protection.toml",
        "practices/05-asset-management.toml",
        "practices/06-network.toml",
        "practices/07-vulnerability.toml",
        "practices/08-security-operations.toml",
        "practices/09-medical-devices.toml",
        "practices/10-governance.toml",
        "crosswalks/csf11-to-csf2.toml",
        "crosswalks/csf2.toml",
        "crosswalks/hipaa-to-csf2.toml",
        "crosswalks/hph-cpg.toml",
    )
}

pub(crate) fn read_dir_sources(dir: &Path) -> Result<Vec<SourceFile>, CatalogError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| CatalogError::Io { path, source }
    };
    let read = |rel: &str| -> Result<SourceFile, CatalogError> {
        let path = dir.join(rel);
        let text = std::fs::read_to_string(&path).map_err(io(&path))?;
        Ok(SourceFile {
            name: path.display().to_string(),
            text,
        })
    };
    let mut sources = vec![read("catalog.toml")?, read("threats.toml")?];
    let practices_dir = dir.join("practices");
    let mut practice_files: Vec<_> = std::fs::read_dir(&practices_dir)
        .map_err(io(&practices_dir))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    practice_files.sort();
    for path in practice_files {
        let text = std::fs::read_to_string(&path).map_err(io(&path))?;
        sources.push(SourceFile {
            name: path.display().to_string(),
            text,
        });
    }
    for rel in [
        "crosswalks/csf11-to-csf2.toml",
        "crosswalks/csf2.toml",
        "crosswalks/hipaa-to-csf2.toml",
        "crosswalks/hph-cpg.toml",
    ] {
        sources.push(read(rel)?);
    }
    Ok(sources)
}

#[derive(Deserialize)]
struct RawMeta {
    edition: Edition,
}

#[derive(Deserialize)]
struct RawThreats {
    threats: Vec<Threat>,
}

#[derive(Deserialize)]
struct RawPracticeFile {
    number: PracticeId,
    title: String,
    #[serde(default)]
    aliases: Vec<String>,
    summary: String,
    threats: Vec<ThreatId>,
    #[serde(default)]
    metrics: Vec<String>,
    provenance: Provenance,
    #[serde(default)]
    sub_practices: Vec<RawSubPractice>,
}

#[derive(Deserialize)]
struct RawSubPractice {
    id: SubPracticeId,
    title: String,
    #[serde(default)]
    title_aliases: Vec<String>,
    summary: String,
    good_looks_like: String,
    owner_role: String,
    threats: Vec<ThreatId>,
    cost: Band,
    effort: Band,
    #[serde(default)]
    prerequisites: Vec<SubPracticeId>,
    #[serde(default)]
    csf11: Vec<String>,
    #[serde(default)]
    cpg: Vec<String>,
    #[serde(default)]
    metrics: Vec<String>,
    #[serde(default)]
    questions: Vec<Question>,
    provenance: Provenance,
}

#[derive(Deserialize)]
struct RawCsfMap {
    map: Vec<RawCsfPair>,
}

#[derive(Deserialize)]
struct RawCsfPair {
    csf11: String,
    csf2: Vec<String>,
}

#[derive(Deserialize)]
struct RawCsf2 {
    ids: Vec<Csf2Entry>,
}

#[derive(Deserialize)]
struct RawHipaa {
    standards: Vec<HipaaStandard>,
}

#[derive(Deserialize)]
struct RawCpg {
    goals: Vec<CpgGoal>,
}

fn parse<T: serde::de::DeserializeOwned>(
    source: &SourceFile,
    errors: &mut Vec<ValidationError>,
) -> Option<T> {
    match toml::from_str::<T>(&source.text) {
        Ok(value) => Some(value),
        Err(e) => {
            let line = e.span().map(|span| {
                source.text[..span.start.min(source.text.len())]
                    .lines()
                    .count()
                    .max(1)
            });
            errors.push(ValidationError {
                file: source.name.clone(),
                line,
                field: "(syntax)".to_string(),
                message: e.message().to_string(),
            });
            None
        }
    }
}

/// Sources are told apart by file name; any other file is a practice file.
fn kind_of(name: &str) -> &str {
    name.rsplit(['/', '\\']).next().unwrap_or(name)
}

pub(crate) fn from_sources(sources: Vec<SourceFile>) -> Result<Catalog, CatalogError> {
    let mut errors = Vec::new();
    let mut edition = None;
    let mut threats = Vec::new();
    let mut practices = Vec::new();
    let mut raw_subs = Vec::new();
    let mut csf_map: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut csf2 = Vec::new();
    let mut hipaa = Vec::new();
    let mut cpg_goals = Vec::new();
    for source in &sources {
        match kind_of(&source.name) {
            "catalog.toml" => edition = parse::<RawMeta>(source, &mut errors).map(|m| m.edition),
            "threats.toml" => {
                threats = parse::<RawThreats>(source, &mut errors)
                    .map(|t| t.threats)
                    .unwrap_or_default()
            }
            "csf11-to-csf2.toml" => {
                if let Some(raw) = parse::<RawCsfMap>(source, &mut errors) {
                    csf_map = raw.map.into_iter().map(|p| (p.csf11, p.csf2)).collect();
                }
            }
            "csf2.toml" => {
                csf2 = parse::<RawCsf2>(source, &mut errors)
                    .map(|r| r.ids)
                    .unwrap_or_default()
            }
            "hipaa-to-csf2.toml" => {
                hipaa = parse::<RawHipaa>(source, &mut errors)
                    .map(|r| r.standards)
                    .unwrap_or_default()
            }
            "hph-cpg.toml" => {
                cpg_goals = parse::<RawCpg>(source, &mut errors)
                    .map(|r| r.goals)
                    .unwrap_or_default()
            }
            _ => {
                if let Some(raw) = parse::<RawPracticeFile>(source, &mut errors) {
                    practices.push(Practice {
                        number: raw.number,
                        title: raw.title,
                        aliases: raw.aliases,
                        summary: raw.summary,
                        threats: raw.threats,
                        metrics: raw.metrics,
                        provenance: raw.provenance,
                    });
                    raw_subs.extend(raw.sub_practices);
                }
            }
        }
    }
    let sub_practices = raw_subs
        .into_iter()
        .map(|raw| {
            let csf2_ids = derive_csf2(&raw.csf11, &csf_map);
            let hipaa_ids = derive_hipaa(&csf2_ids, &hipaa);
            SubPractice {
                practice: raw.id.practice(),
                tier: raw.id.tier(),
                id: raw.id,
                title: raw.title,
                title_aliases: raw.title_aliases,
                summary: raw.summary,
                good_looks_like: raw.good_looks_like,
                owner_role: raw.owner_role,
                threats: raw.threats,
                cost: raw.cost,
                effort: raw.effort,
                prerequisites: raw.prerequisites,
                csf11: raw.csf11,
                csf2: csf2_ids,
                cpg: raw.cpg,
                hipaa: hipaa_ids,
                metrics: raw.metrics,
                questions: raw.questions,
                provenance: raw.provenance,
            }
        })
        .collect::<Vec<_>>();
    let Some(edition) = edition else {
        errors.push(ValidationError {
            file: "catalog.toml".into(),
            line: None,
            field: "edition".into(),
            message: "missing: the catalog needs a catalog.toml with an [edition] table".into(),
        });
        return Err(CatalogError::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(CatalogError::Invalid(errors));
    }
    let mut catalog = Catalog {
        edition,
        threats,
        practices,
        sub_practices,
        csf2,
        hipaa,
        cpg_goals,
    };
    catalog.threats.sort_by_key(|t| t.number);
    catalog.practices.sort_by_key(|p| p.number);
    catalog.sub_practices.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(catalog)
}

/// CSF 1.1 ids map to CSF 2.0 through NIST's table; a category-level reference (e.g. `PR.DS`)
/// maps through its own row where the table has one.
fn derive_csf2(csf11: &[String], map: &BTreeMap<String, Vec<String>>) -> Vec<String> {
    let mut out: Vec<String> = csf11
        .iter()
        .filter_map(|id| map.get(id))
        .flatten()
        .cloned()
        .collect();
    out.sort();
    out.dedup();
    out
}

fn derive_hipaa(csf2: &[String], standards: &[HipaaStandard]) -> Vec<String> {
    standards
        .iter()
        .filter(|s| s.csf2.iter().any(|id| csf2.contains(id)))
        .map(|s| s.citation.clone())
        .collect()
}
