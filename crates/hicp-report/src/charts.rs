//! Hand-written SVG charts: practice score bars, a radar of the ten practices, and the threat heat
//! map. Output is deterministic (fixed geometry, one-decimal numbers, input order) so snapshot
//! tests can pin it, self-contained (no fonts, images or scripts fetched), and accessible: each
//! chart carries a `<title>` and a `<desc>` that states the same data in words.
//!
//! The same strings are inlined into the HTML report and embedded in the PDF.

use std::f64::consts::PI;
use std::fmt::Write;

use hicp_engine::{Evaluation, PracticeScore, ThreatRisk};

use crate::escape::{num, text as esc};
use crate::model::{RiskLevel, ScoreLevel};

/// Generic families only: nothing is fetched, and the PDF's embedded sans-serif is used there.
const FONT_FAMILY: &str = "Helvetica, Arial, sans-serif";
const INK: &str = "#1f2933";
const GRID: &str = "#cbd2d9";

/// A vertical gridline from just above `top` down to `bottom`, labelled above the bars.
fn gridline(out: &mut String, x: f64, top: f64, bottom: f64, label: &str) {
    let _ = writeln!(
        out,
        r#"<line x1="{x}" y1="{y1}" x2="{x}" y2="{y2}" stroke="{GRID}" stroke-width="1"/><text x="{x}" y="{ty}" text-anchor="middle" font-size="10">{label}</text>"#,
        x = num(x),
        y1 = num(top - 6.0),
        y2 = num(bottom),
        ty = num(top - 10.0),
    );
}

/// Opens an `<svg>` with its accessible name and description; `id` must be unique in a page.
fn open_svg(out: &mut String, id: &str, width: u32, height: u32, title: &str, desc: &str) {
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-labelledby="{id}-title {id}-desc" font-family="{FONT_FAMILY}" font-size="12" fill="{INK}"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        esc(title),
        esc(desc)
    );
}

fn score_words(score: Option<f64>) -> String {
    match score {
        Some(s) => format!("{} of 100", num(s)),
        None => "not applicable".to_string(),
    }
}

fn practice_label(p: &PracticeScore) -> String {
    format!("{}. {}", p.id, p.title)
}

fn practices_desc(practices: &[PracticeScore]) -> String {
    let parts: Vec<String> = practices
        .iter()
        .map(|p| format!("{}: {}", practice_label(p), score_words(p.score)))
        .collect();
    format!("Score per practice. {}.", parts.join("; "))
}

/// Horizontal bars, one per practice, scored 0–100.
pub fn practice_bars_svg(evaluation: &Evaluation) -> String {
    const LABEL_W: f64 = 330.0;
    const BAR_W: f64 = 300.0;
    const ROW_H: f64 = 26.0;
    const TOP: f64 = 28.0;
    let practices = &evaluation.practices;
    let width = (LABEL_W + BAR_W + 60.0) as u32;
    let height = (TOP + ROW_H * practices.len() as f64 + 12.0) as u32;

    let mut out = String::with_capacity(4096);
    open_svg(
        &mut out,
        "practice-bars",
        width,
        height,
        "Practice scores (0 to 100)",
        &practices_desc(practices),
    );
    // Scale: gridlines and tick labels every 25 points.
    for tick in [0u32, 25, 50, 75, 100] {
        let x = LABEL_W + BAR_W * f64::from(tick) / 100.0;
        gridline(
            &mut out,
            x,
            TOP,
            TOP + ROW_H * practices.len() as f64,
            &tick.to_string(),
        );
    }
    for (row, practice) in practices.iter().enumerate() {
        let y = TOP + ROW_H * row as f64;
        let _ = writeln!(
            out,
            r#"<text x="{lx}" y="{ty}" text-anchor="end">{label}</text>"#,
            lx = num(LABEL_W - 8.0),
            ty = num(y + ROW_H / 2.0 + 4.0),
            label = esc(&practice_label(practice)),
        );
        match practice.score {
            Some(score) => {
                let w = BAR_W * score.clamp(0.0, 100.0) / 100.0;
                let _ = writeln!(
                    out,
                    r#"<rect x="{LABEL_W}" y="{by}" width="{w}" height="{bh}" fill="{fill}"/><text x="{vx}" y="{ty}">{value}</text>"#,
                    by = num(y + 5.0),
                    w = num(w),
                    bh = num(ROW_H - 10.0),
                    fill = ScoreLevel::from_score(score).colour(),
                    vx = num(LABEL_W + w + 6.0),
                    ty = num(y + ROW_H / 2.0 + 4.0),
                    value = num(score),
                );
            }
            None => {
                let _ = writeln!(
                    out,
                    r#"<text x="{vx}" y="{ty}" font-style="italic">not applicable</text>"#,
                    vx = num(LABEL_W + 6.0),
                    ty = num(y + ROW_H / 2.0 + 4.0),
                );
            }
        }
    }
    out.push_str("</svg>");
    out
}

/// A radar (spider) chart of the practice scores, with a numbered key below it.
pub fn practice_radar_svg(evaluation: &Evaluation) -> String {
    const SIZE: f64 = 420.0;
    const CENTRE: f64 = SIZE / 2.0;
    const RADIUS: f64 = 150.0;
    const KEY_ROW_H: f64 = 15.0;
    let practices = &evaluation.practices;
    let height = (SIZE + KEY_ROW_H * practices.len() as f64 + 8.0) as u32;
    let axes = practices.len().max(3);
    let point = |index: usize, fraction: f64| -> (f64, f64) {
        // Start at twelve o'clock and go clockwise, the way people read a dial.
        let angle = -PI / 2.0 + 2.0 * PI * index as f64 / axes as f64;
        (
            CENTRE + RADIUS * fraction * angle.cos(),
            CENTRE + RADIUS * fraction * angle.sin(),
        )
    };
    let polygon = |fractions: &mut dyn Iterator<Item = f64>| -> String {
        fractions
            .enumerate()
            .map(|(i, f)| {
                let (x, y) = point(i, f);
                format!("{},{}", num(x), num(y))
            })
            .collect::<Vec<_>>()
            .join(" ")
    };

    let mut out = String::with_capacity(4096);
    open_svg(
        &mut out,
        "practice-radar",
        SIZE as u32,
        height,
        "Practice scores, radar view (centre 0, edge 100)",
        &practices_desc(practices),
    );
    for ring in [0.25, 0.5, 0.75, 1.0] {
        let _ = writeln!(
            out,
            r#"<polygon points="{}" fill="none" stroke="{GRID}" stroke-width="1"/>"#,
            polygon(&mut std::iter::repeat_n(ring, axes))
        );
    }
    for (i, practice) in practices.iter().enumerate() {
        let (x, y) = point(i, 1.0);
        let (lx, ly) = point(i, 1.12);
        let _ = writeln!(
            out,
            r#"<line x1="{c}" y1="{c}" x2="{x}" y2="{y}" stroke="{GRID}" stroke-width="1"/><text x="{lx}" y="{ly}" text-anchor="middle" font-weight="bold">{id}</text>"#,
            c = num(CENTRE),
            x = num(x),
            y = num(y),
            lx = num(lx),
            ly = num(ly + 4.0),
            id = practice.id,
        );
    }
    let _ = writeln!(
        out,
        r##"<polygon points="{}" fill="#2f6fb3" fill-opacity="0.25" stroke="#2f6fb3" stroke-width="2"/>"##,
        polygon(
            &mut practices
                .iter()
                .map(|p| p.score.unwrap_or(0.0).clamp(0.0, 100.0) / 100.0)
        )
    );
    for (i, practice) in practices.iter().enumerate() {
        if let Some(score) = practice.score {
            let (x, y) = point(i, score.clamp(0.0, 100.0) / 100.0);
            let _ = writeln!(
                out,
                r##"<circle cx="{}" cy="{}" r="3" fill="#2f6fb3"/>"##,
                num(x),
                num(y)
            );
        }
    }
    for (row, practice) in practices.iter().enumerate() {
        let score = practice.score.map_or_else(|| "n/a".to_string(), num);
        let _ = writeln!(
            out,
            r#"<text x="{x}" y="{y}" font-size="11">{label}: {score}</text>"#,
            x = num(CENTRE - RADIUS),
            y = num(SIZE + KEY_ROW_H * row as f64),
            label = esc(&practice_label(practice)),
        );
    }
    out.push_str("</svg>");
    out
}

/// The five threats on a likelihood × impact grid, each marker coloured by its residual risk.
pub fn threat_heatmap_svg(evaluation: &Evaluation) -> String {
    const CELL: f64 = 64.0;
    const LEFT: f64 = 56.0;
    const TOP: f64 = 16.0;
    const GRID_SIZE: f64 = CELL * 5.0;
    const KEY_TOP: f64 = TOP + GRID_SIZE + 48.0;
    const KEY_ROW_H: f64 = 18.0;
    const MARKER_R: f64 = 13.0;
    let threats = &evaluation.threats;
    let width = 600u32;
    let height = (KEY_TOP + KEY_ROW_H * threats.len() as f64 + 4.0) as u32;

    let desc_parts: Vec<String> = threats.iter().map(threat_words).collect();
    let mut out = String::with_capacity(4096);
    open_svg(
        &mut out,
        "threat-heatmap",
        width,
        height,
        "Threat heat map: likelihood against impact, coloured by residual risk",
        &format!("{}.", desc_parts.join("; ")),
    );
    // Background cells tinted by inherent risk (likelihood × impact at the cell's centre).
    for row in 0..5u32 {
        for column in 0..5u32 {
            let likelihood = f64::from(column + 1);
            let impact = f64::from(5 - row);
            let _ = writeln!(
                out,
                r##"<rect x="{x}" y="{y}" width="{CELL}" height="{CELL}" fill="{fill}" stroke="#ffffff" stroke-width="2"/>"##,
                x = num(LEFT + CELL * f64::from(column)),
                y = num(TOP + CELL * f64::from(row)),
                fill = RiskLevel::from_residual(likelihood * impact).tint(),
            );
        }
    }
    for step in 1..=5u32 {
        let centre = CELL * (f64::from(step) - 0.5);
        let _ = writeln!(
            out,
            r#"<text x="{x}" y="{y}" text-anchor="middle" font-size="11">{step}</text><text x="{lx}" y="{ly}" text-anchor="end" font-size="11">{step}</text>"#,
            x = num(LEFT + centre),
            y = num(TOP + GRID_SIZE + 16.0),
            lx = num(LEFT - 8.0),
            ly = num(TOP + GRID_SIZE - centre + 4.0),
        );
    }
    let _ = writeln!(
        out,
        r#"<text x="{x}" y="{y}" text-anchor="middle">Likelihood</text><text x="16" y="{iy}" text-anchor="middle" transform="rotate(-90 16 {iy})">Impact</text>"#,
        x = num(LEFT + GRID_SIZE / 2.0),
        y = num(TOP + GRID_SIZE + 34.0),
        iy = num(TOP + GRID_SIZE / 2.0),
    );

    let mut placed: Vec<(f64, f64)> = Vec::with_capacity(threats.len());
    for threat in threats {
        let mut x = LEFT + CELL * (threat.likelihood.clamp(1.0, 5.0) - 0.5);
        let y = TOP + GRID_SIZE - CELL * (threat.impact.clamp(1.0, 5.0) - 0.5);
        // Threats with near-identical ratings would hide each other: shift right until clear.
        while placed
            .iter()
            .any(|&(px, py)| (px - x).hypot(py - y) < MARKER_R * 2.0)
        {
            x += MARKER_R * 2.0;
        }
        placed.push((x, y));
        let level = RiskLevel::from_residual(threat.residual_risk);
        let _ = writeln!(
            out,
            r##"<circle cx="{cx}" cy="{cy}" r="{MARKER_R}" fill="{fill}" stroke="#1f2933" stroke-width="1.5"/><text x="{cx}" y="{ty}" text-anchor="middle" font-weight="bold" fill="{ink}">{id}</text>"##,
            cx = num(x),
            cy = num(y),
            fill = level.colour(),
            ty = num(y + 4.0),
            ink = level.ink(),
            id = threat.id,
        );
    }
    for (row, threat) in threats.iter().enumerate() {
        let y = KEY_TOP + KEY_ROW_H * row as f64;
        let level = RiskLevel::from_residual(threat.residual_risk);
        let _ = writeln!(
            out,
            r##"<circle cx="16" cy="{cy}" r="6" fill="{fill}" stroke="#1f2933" stroke-width="1"/><text x="28" y="{ty}" font-size="11">{label}</text>"##,
            cy = num(y - 4.0),
            fill = level.colour(),
            ty = num(y),
            label = esc(&format!(
                "{}. {} — residual risk {} ({})",
                threat.id,
                threat.name,
                num(threat.residual_risk),
                level.label()
            )),
        );
    }
    out.push_str("</svg>");
    out
}

fn threat_words(threat: &ThreatRisk) -> String {
    format!(
        "{}. {}: likelihood {}, impact {}, coverage {}%, residual risk {} ({})",
        threat.id,
        threat.name,
        num(threat.likelihood),
        num(threat.impact),
        num(threat.coverage),
        num(threat.residual_risk),
        RiskLevel::from_residual(threat.residual_risk).label()
    )
}

/// Practice scores across assessments, oldest first: one group of bars per practice, one bar
/// per assessment. `points` pairs each assessment's label with its evaluation; a practice an
/// assessment did not score (not applicable, or outside its tier) shows no bar.
pub fn practice_trend_svg(points: &[(&str, &Evaluation)]) -> String {
    let mut rows: Vec<(String, Vec<Option<f64>>)> = Vec::new();
    for (column, (_, evaluation)) in points.iter().enumerate() {
        for practice in &evaluation.practices {
            let label = practice_label(practice);
            let row = match rows.iter().position(|(known, _)| *known == label) {
                Some(index) => index,
                None => {
                    rows.push((label, vec![None; points.len()]));
                    rows.len() - 1
                }
            };
            rows[row].1[column] = practice.score;
        }
    }
    grouped_bars(
        "practice-trend",
        "Practice scores over time (0 to 100)",
        "Score per practice in each assessment, oldest first",
        100.0,
        points,
        &rows,
    )
}

/// Residual risk per threat across assessments, oldest first, on the 0–25 scale.
pub fn threat_trend_svg(points: &[(&str, &Evaluation)]) -> String {
    let mut rows: Vec<(String, Vec<Option<f64>>)> = Vec::new();
    for (column, (_, evaluation)) in points.iter().enumerate() {
        for threat in &evaluation.threats {
            let label = format!("{}. {}", threat.id, threat.name);
            let row = match rows.iter().position(|(known, _)| *known == label) {
                Some(index) => index,
                None => {
                    rows.push((label, vec![None; points.len()]));
                    rows.len() - 1
                }
            };
            rows[row].1[column] = Some(threat.residual_risk);
        }
    }
    grouped_bars(
        "threat-trend",
        "Residual risk per threat over time (0 to 25)",
        "Residual risk per threat in each assessment, oldest first",
        25.0,
        points,
        &rows,
    )
}

/// The fill of series `index` of `count`: light for the oldest, dark for the newest, so the
/// order reads without a legend and survives greyscale print.
fn series_fill(index: usize, count: usize) -> String {
    let step = if count > 1 {
        index as f64 / (count - 1) as f64
    } else {
        1.0
    };
    format!("hsl(212, 55%, {}%)", num(72.0 - 47.0 * step))
}

fn grouped_bars(
    id: &str,
    title: &str,
    intro: &str,
    max: f64,
    points: &[(&str, &Evaluation)],
    rows: &[(String, Vec<Option<f64>>)],
) -> String {
    const LABEL_W: f64 = 330.0;
    const BAR_W: f64 = 300.0;
    const BAR_H: f64 = 9.0;
    const GAP: f64 = 2.0;
    const ROW_PAD: f64 = 10.0;
    const KEY_ROW_H: f64 = 16.0;
    let series = points.len().max(1);
    let row_h = ROW_PAD + (BAR_H + GAP) * series as f64;
    let key_h = KEY_ROW_H * points.len() as f64 + 8.0;
    let top = key_h + 22.0;
    let width = (LABEL_W + BAR_W + 60.0) as u32;
    let height = (top + row_h * rows.len() as f64 + 8.0) as u32;

    let desc_rows: Vec<String> = rows
        .iter()
        .map(|(label, values)| {
            let parts: Vec<String> = points
                .iter()
                .zip(values)
                .map(|((name, _), value)| {
                    format!("{name} {}", value.map_or_else(|| "n/a".to_string(), num))
                })
                .collect();
            format!("{label}: {}", parts.join(", "))
        })
        .collect();
    let mut out = String::with_capacity(8192);
    open_svg(
        &mut out,
        id,
        width,
        height,
        title,
        &format!("{intro}. {}.", desc_rows.join("; ")),
    );
    for (index, (name, _)) in points.iter().enumerate() {
        let y = KEY_ROW_H * index as f64 + 4.0;
        let _ = writeln!(
            out,
            r#"<rect x="{LABEL_W}" y="{y}" width="12" height="{BAR_H}" fill="{fill}"/><text x="{tx}" y="{ty}" font-size="11">{name}</text>"#,
            y = num(y),
            fill = series_fill(index, points.len()),
            tx = num(LABEL_W + 18.0),
            ty = num(y + BAR_H),
            name = esc(name),
        );
    }
    for tick in 0..=4u32 {
        let value = max * f64::from(tick) / 4.0;
        let x = LABEL_W + BAR_W * f64::from(tick) / 4.0;
        gridline(
            &mut out,
            x,
            top,
            top + row_h * rows.len() as f64,
            &num(value),
        );
    }
    for (row, (label, values)) in rows.iter().enumerate() {
        let y = top + row_h * row as f64;
        let _ = writeln!(
            out,
            r#"<text x="{lx}" y="{ty}" text-anchor="end">{label}</text>"#,
            lx = num(LABEL_W - 8.0),
            ty = num(y + row_h / 2.0 + 4.0),
            label = esc(label),
        );
        for (index, value) in values.iter().enumerate() {
            let Some(value) = value else { continue };
            let by = y + ROW_PAD / 2.0 + (BAR_H + GAP) * index as f64;
            let w = BAR_W * value.clamp(0.0, max) / max;
            let _ = writeln!(
                out,
                r#"<rect x="{LABEL_W}" y="{by}" width="{w}" height="{BAR_H}" fill="{fill}"/><text x="{vx}" y="{ty}" font-size="9">{value}</text>"#,
                by = num(by),
                w = num(w),
                fill = series_fill(index, points.len()),
                vx = num(LABEL_W + w + 4.0),
                ty = num(by + BAR_H - 1.0),
                value = num(*value),
            );
        }
    }
    out.push_str("</svg>");
    out
}
