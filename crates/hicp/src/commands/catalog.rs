//! `hicp catalog`: browse, validate, export and compare HICP catalogs.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Subcommand, ValueEnum};
use hicp_catalog::{Catalog, CatalogDiff, CatalogError, SubPractice, SubPracticeId, Tier, export};

use hicp_app::inputs::load_catalog;

use super::CatalogArg;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// List sub-practices as a table, optionally filtered.
    List(ListArgs),
    /// Show everything about one sub-practice.
    Show(ShowArgs),
    /// Check a catalog directory or JSON export and list every error.
    Validate(ValidateArgs),
    /// Write the catalog as JSON, CSV, an OSCAL catalog or an OSCAL profile for one tier.
    Export(ExportArgs),
    /// Compare two catalogs: added, removed, retitled and changed sub-practices.
    Diff(DiffArgs),
}

/// Organization size, as the command line spells it.
#[derive(ValueEnum, Clone, Copy, Debug)]
enum TierArg {
    Small,
    Medium,
    Large,
}

impl From<TierArg> for Tier {
    fn from(tier: TierArg) -> Tier {
        match tier {
            TierArg::Small => Tier::Small,
            TierArg::Medium => Tier::Medium,
            TierArg::Large => Tier::Large,
        }
    }
}

#[derive(clap::Args, Debug)]
struct ListArgs {
    /// Only what an organization of this size is expected to do (large: all medium and large).
    #[arg(long)]
    tier: Option<TierArg>,
    /// Only this practice (1-10).
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=10))]
    practice: Option<u8>,
    /// Only sub-practices that mitigate this threat (1-5).
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=5))]
    threat: Option<u8>,
    #[command(flatten)]
    catalog: CatalogArg,
}

#[derive(clap::Args, Debug)]
struct ShowArgs {
    /// Sub-practice id, e.g. 7.M.D.
    id: String,
    #[command(flatten)]
    catalog: CatalogArg,
}

#[derive(clap::Args, Debug)]
struct ValidateArgs {
    /// Catalog directory (laid out like content/) or a .json catalog export.
    path: PathBuf,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    /// The whole catalog in hicp's JSON schema (loads back with --catalog).
    Json,
    /// One row per sub-practice.
    Csv,
    /// An OSCAL 1.1.2 catalog.
    Oscal,
    /// An OSCAL 1.1.2 profile selecting one tier's controls (needs --tier).
    OscalProfile,
}

/// The file name a profile refers to its catalog by, unless told otherwise: the name under
/// which `export --format oscal` is usually saved beside it.
const DEFAULT_CATALOG_HREF: &str = "hicp-catalog.json";

#[derive(clap::Args, Debug)]
struct ExportArgs {
    #[arg(long, value_enum)]
    format: Format,
    /// For json and csv: only this tier's required sub-practices. For oscal-profile: the tier selected.
    #[arg(long, required_if_eq("format", "oscal-profile"))]
    tier: Option<TierArg>,
    /// Where an OSCAL profile finds its catalog (relative to the profile, or a URL).
    #[arg(long, value_name = "HREF", default_value = DEFAULT_CATALOG_HREF)]
    catalog_href: String,
    /// Write to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    #[command(flatten)]
    catalog: CatalogArg,
}

#[derive(clap::Args, Debug)]
struct DiffArgs {
    /// The older catalog: a directory, a .json export, or `embedded`.
    old: String,
    /// The newer catalog: a directory, a .json export, or `embedded`.
    new: String,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        Command::List(a) => list(&a),
        Command::Show(a) => show(&a),
        Command::Validate(a) => validate(&a.path),
        Command::Export(a) => export(&a),
        Command::Diff(a) => diff(&a),
    }
}

fn list(args: &ListArgs) -> anyhow::Result<ExitCode> {
    let catalog = args.catalog.load()?;
    let tier = args.tier.map(Tier::from);
    let rows: Vec<[String; 7]> = catalog
        .sub_practices
        .iter()
        .filter(|s| tier.is_none_or(|t| t.requires(s.tier)))
        .filter(|s| args.practice.is_none_or(|p| s.practice == p))
        .filter(|s| args.threat.is_none_or(|t| s.threats.contains(&t)))
        .map(|s| {
            [
                s.id.to_string(),
                s.tier.to_string(),
                s.title.clone(),
                s.title_label(),
                s.cost.to_string(),
                s.effort.to_string(),
                join(&s.threats, ","),
            ]
        })
        .collect();
    let header = [
        "ID",
        "TIER",
        "TITLE",
        "TITLE SOURCE",
        "COST",
        "EFFORT",
        "THREATS",
    ]
    .map(String::from);
    let mut out = table(&header, &rows);
    let _ = writeln!(
        out,
        "{} sub-practice(s) of {} in {}",
        rows.len(),
        catalog.sub_practices.len(),
        catalog.edition.id
    );
    emit(&out)?;
    Ok(ExitCode::SUCCESS)
}

/// Left-aligned columns separated by two spaces; the last column is not padded.
fn table<const N: usize>(header: &[String; N], rows: &[[String; N]]) -> String {
    let mut widths = header.clone().map(|h| h.chars().count());
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(header).chain(rows) {
        let mut line = String::new();
        for (i, (cell, width)) in row.iter().zip(widths).enumerate() {
            if i + 1 == row.len() {
                line.push_str(cell);
            } else {
                let _ = write!(line, "{cell:<width$}  ");
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn show(args: &ShowArgs) -> anyhow::Result<ExitCode> {
    let catalog = args.catalog.load()?;
    let id: SubPracticeId = args.id.trim().parse()?;
    let Some(s) = catalog.sub_practice(&id) else {
        bail!(
            "no sub-practice {id} in catalog {}: `hicp catalog list` shows the ids",
            catalog.edition.id
        );
    };
    emit(&describe(&catalog, s))?;
    Ok(ExitCode::SUCCESS)
}

/// Everything about one sub-practice, as readable text.
fn describe(catalog: &Catalog, s: &SubPractice) -> String {
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(w, "{}  {}  [{}]", s.id, s.title, s.title_label());
    if !s.title_aliases.is_empty() {
        let aliases: Vec<String> = s.title_aliases.iter().map(|a| a.describe()).collect();
        let _ = writeln!(w, "Also titled: {}", aliases.join("; "));
    }
    if !s.provenance.verified || s.title_source.is_unverified() {
        let _ = writeln!(w, "UNVERIFIED: {} (see Provenance)", s.title_label());
    }
    let practice_title = catalog.practice(s.practice).map_or_else(String::new, |p| {
        format!("{}  [{}]", p.title, p.title_label())
    });
    let sizes: Vec<&str> = Tier::ALL
        .into_iter()
        .filter(|size| size.requires(s.tier))
        .map(Tier::as_str)
        .collect();
    let _ = writeln!(w, "Practice:   {} {}", s.practice, practice_title);
    let _ = writeln!(
        w,
        "Tier:       {} (expected of {} organizations)",
        s.tier,
        sizes.join(" and ")
    );
    let _ = writeln!(w, "Cost:       {}    Effort: {}", s.cost, s.effort);
    let _ = writeln!(w, "Owner:      {}", s.owner_role);

    section(w, "Summary");
    paragraph(w, &s.summary);
    section(w, "What good looks like");
    paragraph(w, &s.good_looks_like);

    section(w, "Assessment questions");
    for (i, q) in s.questions.iter().enumerate() {
        let _ = writeln!(w, "  {}. [{}]", i + 1, q.key);
        wrap(w, &q.text, "     ");
    }

    section(w, "Threats mitigated");
    for t in &s.threats {
        let name = catalog
            .threat(*t)
            .map_or_else(String::new, |t| format!("{}  [{}]", t.name, t.name_label()));
        let _ = writeln!(w, "  {t}  {name}");
    }

    section(w, "Prerequisites");
    items_or_none(w, s.prerequisites.iter().map(|p| id_and_title(catalog, p)));
    section(w, "Prerequisite for");
    items_or_none(
        w,
        catalog
            .sub_practices
            .iter()
            .filter(|other| other.prerequisites.contains(&s.id))
            .map(|other| id_and_title(catalog, &other.id)),
    );

    section(w, "NIST CSF 1.1 (as published with HICP)");
    items_or_none(w, s.csf11.iter().cloned());
    section(
        w,
        "NIST CSF 2.0 (derived through NIST's CSF 1.1 to 2.0 mapping)",
    );
    items_or_none(w, s.csf2.iter().cloned());
    section(w, "HPH Cybersecurity Performance Goals (inferred by topic)");
    items_or_none(
        w,
        s.cpg.iter().map(|g| match catalog.cpg_goal(g) {
            Some(goal) => format!("{g}  {} ({})", goal.title, goal.kind.as_str()),
            None => g.clone(),
        }),
    );
    section(
        w,
        "HIPAA Security Rule (derived through CSF 2.0; not an official mapping)",
    );
    items_or_none(
        w,
        s.hipaa.iter().map(|c| match catalog.hipaa_standard(c) {
            Some(standard) => format!("45 CFR {c}  {}", standard.name),
            None => c.clone(),
        }),
    );

    section(w, "Suggested metrics");
    items_or_none(w, s.metrics.iter().cloned());

    section(w, "Provenance");
    let p = &s.provenance;
    let _ = writeln!(w, "  Source:     {}", p.source);
    let _ = writeln!(
        w,
        "  Confidence: {}    Edition: {}    {}",
        p.confidence.as_str(),
        p.edition,
        if p.verified { "verified" } else { "UNVERIFIED" }
    );
    if let Some(note) = &p.note {
        wrap(w, &format!("Note: {note}"), "  ");
    }
    out
}

fn id_and_title(catalog: &Catalog, id: &SubPracticeId) -> String {
    match catalog.sub_practice(id) {
        Some(s) => format!("{id}  {}  [{}]", s.title, s.title_label()),
        None => id.to_string(),
    }
}

fn section(out: &mut String, title: &str) {
    let _ = write!(out, "\n{title}\n");
}

fn paragraph(out: &mut String, text: &str) {
    wrap(out, text, "  ");
}

fn items_or_none(out: &mut String, items: impl Iterator<Item = String>) {
    let mut any = false;
    for item in items {
        any = true;
        wrap(out, &item, "  - ");
    }
    if !any {
        out.push_str("  (none)\n");
    }
}

/// Word-wraps `text` to 100 columns; the first line starts with `lead`, the rest are indented
/// to match it.
fn wrap(out: &mut String, text: &str, lead: &str) {
    const WIDTH: usize = 100;
    let indent = " ".repeat(lead.chars().count());
    let mut line = lead.to_string();
    let mut empty = true;
    for word in text.split_whitespace() {
        if !empty && line.chars().count() + 1 + word.chars().count() > WIDTH {
            out.push_str(&line);
            out.push('\n');
            line.clone_from(&indent);
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    out.push_str(line.trim_end());
    out.push('\n');
}

fn validate(path: &Path) -> anyhow::Result<ExitCode> {
    match Catalog::load_path(path) {
        Ok(catalog) => {
            let count = |tier: Tier| {
                catalog
                    .sub_practices
                    .iter()
                    .filter(|s| s.tier == tier)
                    .count()
            };
            emit(&format!(
                "{}: valid: edition {} (catalog version {}), {} threats, {} practices, {} sub-practices ({} small, {} medium, {} large)\n",
                path.display(),
                catalog.edition.id,
                catalog.edition.catalog_version,
                catalog.threats.len(),
                catalog.practices.len(),
                catalog.sub_practices.len(),
                count(Tier::Small),
                count(Tier::Medium),
                count(Tier::Large),
            ))?;
            Ok(ExitCode::SUCCESS)
        }
        Err(CatalogError::Invalid(problems)) => {
            for problem in &problems {
                eprintln!("{problem}");
            }
            eprintln!(
                "{}: {} error(s); the catalog cannot be used until they are fixed",
                path.display(),
                problems.len()
            );
            Ok(ExitCode::FAILURE)
        }
        Err(error) => {
            eprintln!("error: {error}");
            Ok(ExitCode::FAILURE)
        }
    }
}

fn export(args: &ExportArgs) -> anyhow::Result<ExitCode> {
    let catalog = args.catalog.load()?;
    let tier = args.tier.map(Tier::from);
    let text = match (args.format, tier) {
        (Format::Json, tier) => export::json(&catalog, tier)?,
        (Format::Csv, tier) => export::csv(&catalog, tier),
        (Format::Oscal, None) => pretty(&export::oscal_catalog(&catalog))?,
        (Format::Oscal, Some(_)) => bail!(
            "--tier does not apply to the OSCAL catalog, which holds every control: use --format oscal-profile --tier ... to select a tier"
        ),
        (Format::OscalProfile, Some(tier)) => {
            pretty(&export::oscal_profile(&catalog, tier, &args.catalog_href))?
        }
        (Format::OscalProfile, None) => {
            bail!("--format oscal-profile needs --tier small|medium|large")
        }
    };
    match &args.out {
        Some(path) => {
            std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?
        }
        None => emit(&text)?,
    }
    Ok(ExitCode::SUCCESS)
}

fn pretty(value: &serde_json::Value) -> anyhow::Result<String> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    Ok(text)
}

fn diff(args: &DiffArgs) -> anyhow::Result<ExitCode> {
    let load = |which: &str| -> anyhow::Result<Catalog> {
        let path = (which != "embedded").then(|| Path::new(which));
        Ok(load_catalog(path)?)
    };
    let old = load(&args.old)?;
    let new = load(&args.new)?;
    let changes = hicp_catalog::diff(&old, &new);
    emit(&describe_diff(&old, &new, &changes))?;
    Ok(ExitCode::SUCCESS)
}

fn describe_diff(old: &Catalog, new: &Catalog, d: &CatalogDiff) -> String {
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(
        w,
        "{} (catalog version {}) -> {} (catalog version {})",
        old.edition.id, old.edition.catalog_version, new.edition.id, new.edition.catalog_version
    );
    if d.is_empty() {
        let _ = writeln!(w, "No differences in sub-practices.");
        return out;
    }
    if !d.added.is_empty() {
        let _ = writeln!(w, "\nAdded ({}):", d.added.len());
        for id in &d.added {
            let _ = writeln!(w, "  + {}", id_and_title(new, id));
        }
    }
    if !d.removed.is_empty() {
        let _ = writeln!(w, "\nRemoved ({}):", d.removed.len());
        for id in &d.removed {
            let _ = writeln!(w, "  - {}", id_and_title(old, id));
        }
    }
    if !d.retitled.is_empty() {
        let _ = writeln!(w, "\nRetitled ({}):", d.retitled.len());
        for r in &d.retitled {
            let _ = writeln!(w, "  ~ {}  \"{}\" -> \"{}\"", r.id, r.old, r.new);
        }
    }
    if !d.changed.is_empty() {
        let _ = writeln!(w, "\nChanged ({} field(s)):", d.changed.len());
        for c in &d.changed {
            if c.is_prose() {
                let _ = writeln!(w, "  ~ {}  {} reworded", c.id, c.field);
            } else {
                let _ = writeln!(w, "  ~ {}  {}: [{}] -> [{}]", c.id, c.field, c.old, c.new);
            }
        }
    }
    out
}

/// Writes to standard output; a reader that stops early (`| head`) is not an error.
fn emit(text: &str) -> anyhow::Result<()> {
    crate::output::emit(None, text.as_bytes())
}

fn join<T: ToString>(items: &[T], separator: &str) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(separator)
}
