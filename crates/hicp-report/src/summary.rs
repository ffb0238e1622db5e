//! The evaluation as a short document for a terminal or as Markdown: tier, overall score,
//! threats, practices, the top gaps with their reasons, the plan by period and the 12-month
//! view. One outline ([`Block`]s), two renderings, so the text and the Markdown never disagree.
//! Every name carries the mark of [`crate::titles`], explained at the end.

use hicp_catalog::Catalog;
use hicp_engine::{Evaluation, Warning};

use crate::EvidenceMetric;
use crate::model::dollars;
use crate::titles::{LEGEND, Title};

/// The summary for a terminal: wrapped at 100 columns, tables aligned, numbers to the right.
/// Warnings are not included (a terminal shows them apart, on standard error).
/// `evidence` (metrics from the organization's own tools) gets a section when there is any.
pub fn text(evaluation: &Evaluation, catalog: &Catalog, evidence: &[EvidenceMetric]) -> String {
    render_text(&blocks(evaluation, catalog, evidence, &[]))
}

/// The summary as a Markdown document, with `warnings` in a section of their own at the end.
pub fn markdown(
    evaluation: &Evaluation,
    catalog: &Catalog,
    evidence: &[EvidenceMetric],
    warnings: &[Warning],
) -> String {
    render_markdown(&blocks(evaluation, catalog, evidence, warnings))
}

enum Block {
    Title(String),
    Heading(String),
    Subheading(String),
    Para(String),
    Bullets(Vec<String>),
    Table {
        header: Vec<&'static str>,
        rows: Vec<Vec<String>>,
    },
}

/// How many gaps the text and Markdown summaries explain (JSON has them all).
const GAPS_SHOWN: usize = 10;

/// "1 item", "3 items".
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn blocks(
    evaluation: &Evaluation,
    catalog: &Catalog,
    evidence: &[EvidenceMetric],
    warnings: &[Warning],
) -> Vec<Block> {
    let e = evaluation;
    let title_of = |id: &hicp_catalog::SubPracticeId, fallback: &str| {
        Title::sub_practice(catalog, id, fallback).to_string()
    };
    let threat_name = |t: &hicp_engine::ThreatRisk| Title::threat(catalog, t.id, &t.name);
    let mut doc = vec![
        Block::Title(format!("HICP assessment: {}", e.organization)),
        Block::Para(format!(
            "As of {} · catalog {} · tier {}",
            e.as_of, e.catalog_edition, e.tier.tier
        )),
        Block::Heading(format!(
            "Tier: {}{}",
            e.tier.tier,
            if e.tier.overridden {
                format!(" (recommended: {})", e.tier.recommended)
            } else {
                String::new()
            }
        )),
        Block::Bullets(e.tier.reasons.clone()),
    ];

    let implemented = e
        .sub_practices
        .iter()
        .filter(|s| !s.going_further && s.status == hicp_engine::Status::Implemented)
        .count();
    let inherent: f64 = e.threats.iter().map(|t| t.inherent_risk).sum();
    let mut overall = format!(
        "Score {:.0}/100 over the {} sub-practices your tier requires: {implemented} implemented, {} gaps, {} unanswered. Residual risk {:.1} of an inherent {:.1} (summed over the {} threats).",
        e.overall_score,
        e.applicable.len(),
        e.gaps.len(),
        e.unknown.len(),
        e.overall_risk,
        inherent,
        e.threats.len()
    );
    if !e.going_further.is_empty() {
        overall.push_str(&format!(
            " Going further: {} beyond your tier in place or under way.",
            count(e.going_further.len(), "sub-practice", "sub-practices")
        ));
    }
    doc.push(Block::Heading("Overall".into()));
    doc.push(Block::Para(overall));

    doc.push(Block::Heading("Threats".into()));
    let mut threats: Vec<_> = e.threats.iter().collect();
    threats.sort_by(|a, b| {
        b.residual_risk
            .total_cmp(&a.residual_risk)
            .then(a.id.cmp(&b.id))
    });
    doc.push(Block::Table {
        header: vec![
            "#",
            "Threat",
            "Likelihood",
            "Impact",
            "Coverage",
            "Residual risk",
        ],
        rows: threats
            .iter()
            .map(|t| {
                vec![
                    t.id.to_string(),
                    threat_name(t).to_string(),
                    format!("{:.1}", t.likelihood),
                    format!("{:.1}", t.impact),
                    format!("{:.0}%", t.coverage),
                    format!("{:.1}", t.residual_risk),
                ]
            })
            .collect(),
    });
    for t in &threats {
        doc.push(Block::Subheading(format!("Why {}", threat_name(t))));
        doc.push(Block::Bullets(t.reasons.clone()));
    }

    doc.push(Block::Heading("Practices".into()));
    doc.push(Block::Table {
        header: vec!["#", "Practice", "Score", "Implemented"],
        rows: e
            .practices
            .iter()
            .map(|p| {
                vec![
                    p.id.to_string(),
                    Title::practice(catalog, p.id, &p.title).to_string(),
                    p.score.map_or_else(|| "n/a".into(), |s| format!("{s:.0}")),
                    format!("{} of {}", p.implemented, p.applicable),
                ]
            })
            .collect(),
    });

    doc.push(Block::Heading(format!(
        "Top gaps ({} of {})",
        e.gaps.len().min(GAPS_SHOWN),
        e.gaps.len()
    )));
    if e.gaps.is_empty() {
        doc.push(Block::Para(
            "No gaps: everything your tier requires is implemented.".into(),
        ));
    }
    for gap in e.gaps.iter().take(GAPS_SHOWN) {
        doc.push(Block::Subheading(format!(
            "{}. {} {} — priority {:.2} ({}, {} cost, {} effort)",
            gap.rank,
            gap.id,
            title_of(&gap.id, &gap.title),
            gap.priority,
            gap.status.label().to_lowercase(),
            gap.cost,
            gap.effort
        )));
        doc.push(Block::Bullets(gap.reasons.clone()));
    }
    if e.gaps.len() > GAPS_SHOWN {
        doc.push(Block::Para(format!(
            "{} more gaps are ranked in the plan below and in `--format json`.",
            e.gaps.len() - GAPS_SHOWN
        )));
    }

    doc.push(Block::Heading("Action plan".into()));
    let budget = match (e.plan.budget.money, e.plan.budget.staff_days) {
        (None, None) => "no budget limit".to_string(),
        (m, d) => {
            let mut parts = Vec::new();
            if let Some(m) = m {
                parts.push(format!("{} per period", dollars(m)));
            }
            if let Some(d) = d {
                parts.push(format!("{d} staff-days per period"));
            }
            parts.join(" and ")
        }
    };
    doc.push(Block::Para(format!(
        "{} scheduled over {}, {} deferred; budget: {budget}.",
        count(e.plan.items.len(), "item", "items"),
        count(e.plan.periods.len(), "period", "periods"),
        e.plan.deferred.len()
    )));
    for period in &e.plan.periods {
        let items: Vec<_> = e
            .plan
            .items
            .iter()
            .filter(|i| i.period == period.index)
            .collect();
        if items.is_empty() {
            continue;
        }
        doc.push(Block::Subheading(format!(
            "{} ({} to {}): {}, {}, {} staff-days",
            period.label,
            period.start,
            period.end,
            count(items.len(), "item", "items"),
            dollars(period.money),
            period.staff_days
        )));
        doc.push(Block::Table {
            header: vec!["Rank", "Id", "Title", "Owner", "Cost", "Staff-days"],
            rows: items
                .iter()
                .map(|i| {
                    vec![
                        i.gap_rank.to_string(),
                        i.id.to_string(),
                        title_of(&i.id, &i.title),
                        i.owner.clone().unwrap_or_else(|| i.owner_role.clone()),
                        dollars(i.estimated_cost),
                        i.estimated_staff_days.to_string(),
                    ]
                })
                .collect(),
        });
    }
    if !e.plan.deferred.is_empty() {
        doc.push(Block::Subheading("Deferred".into()));
        doc.push(Block::Bullets(
            e.plan
                .deferred
                .iter()
                .map(|d| {
                    format!(
                        "{} {} (rank {}): {}",
                        d.id,
                        title_of(&d.id, &d.title),
                        d.gap_rank,
                        d.reason
                    )
                })
                .collect(),
        ));
    }

    doc.push(Block::Heading("In place for the last 12 months".into()));
    let covered: Vec<_> = e.in_place.iter().filter(|p| p.covers_12_months).collect();
    let recent: Vec<_> = e
        .in_place
        .iter()
        .filter(|p| p.since.is_some() && !p.covers_12_months)
        .collect();
    doc.push(Block::Para(format!(
        "{} of the {} sub-practices your tier requires have been in place (largely or fully) for at least 12 months; {} more are in place but for less time.",
        covered.len(),
        e.in_place.len(),
        recent.len()
    )));
    let since_line = |p: &&hicp_engine::InPlace| {
        format!(
            "{} {} — since {}",
            p.id,
            title_of(&p.id, ""),
            p.since.map_or_else(String::new, |d| d.to_string())
        )
    };
    if !covered.is_empty() {
        doc.push(Block::Subheading("12 months or more".into()));
        doc.push(Block::Bullets(covered.iter().map(since_line).collect()));
    }
    if !recent.is_empty() {
        doc.push(Block::Subheading("Less than 12 months".into()));
        doc.push(Block::Bullets(recent.iter().map(since_line).collect()));
    }

    if !evidence.is_empty() {
        doc.push(Block::Heading("Evidence from your own tools".into()));
        doc.push(Block::Para(
            "Measured from the scans and inventories kept for this organization (definitions in the reports and in docs/evidence.md).".into(),
        ));
        doc.push(Block::Table {
            header: vec!["Practice", "Metric", "Measured", "Source"],
            rows: evidence
                .iter()
                .map(|m| {
                    vec![
                        m.practice.to_string(),
                        m.title.clone(),
                        m.value.clone(),
                        m.source.clone(),
                    ]
                })
                .collect(),
        });
    }

    doc.push(Block::Heading("About the names".into()));
    doc.push(Block::Para(LEGEND.to_string()));

    if !warnings.is_empty() {
        doc.push(Block::Heading("Warnings".into()));
        doc.push(Block::Bullets(
            warnings.iter().map(|w| w.message.clone()).collect(),
        ));
    }
    doc
}

const WIDTH: usize = 100;

/// Word-wraps `text` to `WIDTH`, prefixing the first line with `first` and the rest with `rest`.
fn wrap(text: &str, first: &str, rest: &str) -> String {
    let mut out = String::new();
    let mut line = first.to_string();
    let mut empty = true;
    // A no-break space (between a name and its mark) holds its words together.
    for word in text
        .split(|c: char| c.is_whitespace() && c != '\u{a0}')
        .filter(|w| !w.is_empty())
    {
        if !empty && line.chars().count() + 1 + word.chars().count() > WIDTH {
            out.push_str(line.trim_end());
            out.push('\n');
            line = rest.to_string();
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
    out
}

fn is_number(cell: &str) -> bool {
    let t = cell.trim_start_matches('$').trim_end_matches('%');
    !t.is_empty()
        && t.chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
}

fn render_text(doc: &[Block]) -> String {
    let mut out = String::new();
    for block in doc {
        match block {
            Block::Title(t) => {
                out.push_str(t);
                out.push('\n');
                out.push_str(&"=".repeat(t.chars().count()));
                out.push('\n');
            }
            Block::Heading(t) => {
                out.push('\n');
                out.push_str(t);
                out.push('\n');
                out.push_str(&"-".repeat(t.chars().count()));
                out.push('\n');
            }
            Block::Subheading(t) => {
                out.push('\n');
                out.push_str(&wrap(t, "", "    "));
            }
            Block::Para(t) => out.push_str(&wrap(t, "", "")),
            Block::Bullets(items) => {
                for item in items {
                    out.push_str(&wrap(item, "  - ", "    "));
                }
            }
            Block::Table { header, rows } => {
                let columns = header.len();
                let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
                for row in rows {
                    for (i, cell) in row.iter().enumerate().take(columns) {
                        widths[i] = widths[i].max(cell.chars().count());
                    }
                }
                let numeric: Vec<bool> = (0..columns)
                    .map(|i| {
                        !rows.is_empty()
                            && rows.iter().all(|r| r.get(i).is_some_and(|c| is_number(c)))
                    })
                    .collect();
                let line = |cells: Vec<&str>| {
                    let padded: Vec<String> = cells
                        .iter()
                        .enumerate()
                        .map(|(i, c)| {
                            if numeric[i] {
                                format!("{c:>w$}", w = widths[i])
                            } else {
                                format!("{c:<w$}", w = widths[i])
                            }
                        })
                        .collect();
                    format!("  {}\n", padded.join("  ").trim_end())
                };
                out.push_str(&line(header.clone()));
                out.push_str(&line(
                    widths
                        .iter()
                        .map(|w| "-".repeat(*w))
                        .collect::<Vec<_>>()
                        .iter()
                        .map(String::as_str)
                        .collect(),
                ));
                for row in rows {
                    out.push_str(&line(row.iter().map(String::as_str).collect()));
                }
            }
        }
    }
    out
}

fn escape_cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn render_markdown(doc: &[Block]) -> String {
    let mut out = String::new();
    for block in doc {
        match block {
            Block::Title(t) => out.push_str(&format!("# {t}\n\n")),
            Block::Heading(t) => out.push_str(&format!("## {t}\n\n")),
            Block::Subheading(t) => out.push_str(&format!("### {t}\n\n")),
            Block::Para(t) => out.push_str(&format!("{t}\n\n")),
            Block::Bullets(items) => {
                for item in items {
                    out.push_str(&format!("- {item}\n"));
                }
                out.push('\n');
            }
            Block::Table { header, rows } => {
                out.push_str(&format!("| {} |\n", header.join(" | ")));
                out.push_str(&format!("|{}\n", "---|".repeat(header.len())));
                for row in rows {
                    let cells: Vec<String> = row.iter().map(|c| escape_cell(c)).collect();
                    out.push_str(&format!("| {} |\n", cells.join(" | ")));
                }
                out.push('\n');
            }
        }
    }
    out
}
