//! Gaps: every in-scope sub-practice that is not implemented, ranked by the residual risk it
//! would remove per cost unit, each with a consultant's reasons.
//!
//! risk_reduction = Σ over its threats of the residual risk removed if it were implemented
//! remaining      = max(1 − status value, min_remaining_work)
//! cost_units     = (cost units of its cost band + effort units of its effort band) × remaining
//! priority       = risk_reduction ÷ cost_units
//! Order: priority, then risk_reduction (both descending), then cost_units (ascending), then id.

use std::cmp::Ordering;

use hicp_catalog::{SubPracticeId, ThreatId};

use crate::context::{Context, Item};
use crate::model::{Gap, Status, ThreatReduction};
use crate::risk::ThreatState;
use crate::text::{dec1, join_and, thousands};

/// Compares floats after rounding to a millionth, so that sums done in a different order cannot
/// flip a tie.
fn quantize(x: f64) -> i64 {
    (x * 1e6).round() as i64
}

fn number_word(n: usize) -> String {
    const WORDS: [&str; 11] = [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    ];
    WORDS
        .get(n)
        .map_or_else(|| n.to_string(), |w| w.to_string())
}

/// "5.M.A (IT Asset Inventory)".
pub fn label(context: &Context<'_>, id: &SubPracticeId) -> String {
    match context.catalog.sub_practice(id) {
        Some(sub) => format!("{id} ({})", sub.title),
        None => id.to_string(),
    }
}

/// Share of the work still to do for an item at this status.
pub fn remaining_work(context: &Context<'_>, status: Status) -> f64 {
    let value = context
        .methodology
        .status_values
        .value(status)
        .unwrap_or(0.0);
    (1.0 - value).max(context.methodology.cost.min_remaining_work)
}

fn estimates(context: &Context<'_>, item: &Item<'_>, remaining: f64) -> (u64, u32) {
    let cost = &context.methodology.cost;
    let dollars = cost.dollars.get(context.tier).get(item.sub.cost) as f64 * remaining;
    let days = f64::from(cost.staff_days.get(context.tier).get(item.sub.effort)) * remaining;
    // Staff-days are whole days; the small subtraction keeps 3.0000000001 from becoming 4.
    (dollars.round() as u64, ((days - 1e-9).ceil() as u32).max(1))
}

/// Ranked gaps with their reasons.
pub fn rank(context: &Context<'_>, threats: &[ThreatState]) -> Vec<Gap> {
    let methodology = context.methodology;
    let mut gaps: Vec<Gap> = context
        .items
        .iter()
        .filter(|item| item.in_scope() && item.status != Status::Implemented)
        .map(|item| {
            let value = context.value(item).unwrap_or(0.0);
            let threat_reductions: Vec<ThreatReduction> = threats
                .iter()
                .filter(|t| item.sub.threats.contains(&t.id))
                .map(|t| ThreatReduction {
                    threat: t.id,
                    risk: t.reduction_if_implemented(value, methodology),
                })
                .collect();
            let risk_reduction: f64 = threat_reductions.iter().map(|r| r.risk).sum();
            let remaining = remaining_work(context, item.status);
            let cost_units = (methodology.cost.cost_units.get(item.sub.cost)
                + methodology.cost.effort_units.get(item.sub.effort))
                * remaining;
            let (estimated_cost, estimated_staff_days) = estimates(context, item, remaining);
            Gap {
                id: item.sub.id.clone(),
                title: item.sub.title.clone(),
                rank: 0,
                priority: risk_reduction / cost_units,
                risk_reduction,
                status: item.status,
                cost: item.sub.cost,
                effort: item.sub.effort,
                threats: item.sub.threats.clone(),
                prerequisites: item.sub.prerequisites.clone(),
                reasons: Vec::new(),
                threat_reductions,
                cost_units,
                estimated_cost,
                estimated_staff_days,
                unblocks: Vec::new(),
            }
        })
        .collect();
    gaps.sort_by(compare);
    let gap_ids: Vec<SubPracticeId> = gaps.iter().map(|g| g.id.clone()).collect();
    for (i, gap) in gaps.iter_mut().enumerate() {
        gap.rank = i + 1;
        gap.unblocks = context
            .items
            .iter()
            .filter(|item| {
                item.sub.prerequisites.contains(&gap.id) && gap_ids.contains(&item.sub.id)
            })
            .map(|item| item.sub.id.clone())
            .collect();
    }
    let reasons: Vec<Vec<String>> = (0..gaps.len())
        .map(|i| reasons_for(context, threats, &gaps, &gap_ids, i))
        .collect();
    for (gap, reasons) in gaps.iter_mut().zip(reasons) {
        gap.reasons = reasons;
    }
    gaps
}

fn compare(a: &Gap, b: &Gap) -> Ordering {
    quantize(b.priority)
        .cmp(&quantize(a.priority))
        .then(quantize(b.risk_reduction).cmp(&quantize(a.risk_reduction)))
        .then(quantize(a.cost_units).cmp(&quantize(b.cost_units)))
        .then(a.id.cmp(&b.id))
}

fn reasons_for(
    context: &Context<'_>,
    threats: &[ThreatState],
    gaps: &[Gap],
    gap_ids: &[SubPracticeId],
    index: usize,
) -> Vec<String> {
    let gap = &gaps[index];
    let mut reasons = vec![
        risk_sentence(context, threats, gap),
        status_sentence(context, gap),
    ];
    if let Some(sentence) = prerequisite_sentence(context, gap, gap_ids) {
        reasons.push(sentence);
    }
    if let Some(next) = gaps.get(index + 1) {
        reasons.push(comparison_sentence(context, gap, next));
    }
    if !gap.unblocks.is_empty() {
        let mut ids: Vec<String> = gap
            .unblocks
            .iter()
            .take(4)
            .map(ToString::to_string)
            .collect();
        if gap.unblocks.len() > 4 {
            ids.push(format!("{} more", gap.unblocks.len() - 4));
        }
        reasons.push(format!(
            "Finishing it unblocks {} other gap{}: {}.",
            number_word(gap.unblocks.len()),
            if gap.unblocks.len() == 1 { "" } else { "s" },
            join_and(&ids)
        ));
    }
    reasons.truncate(5);
    reasons
}

fn risk_sentence(context: &Context<'_>, threats: &[ThreatState], gap: &Gap) -> String {
    let methodology = context.methodology;
    let name = |id: ThreatId| {
        threats
            .iter()
            .find(|t| t.id == id)
            .map_or_else(|| format!("threat {id}"), |t| t.name.clone())
    };
    let most_exposed = threats
        .iter()
        .max_by(|a, b| {
            quantize(a.residual(methodology))
                .cmp(&quantize(b.residual(methodology)))
                .then(b.id.cmp(&a.id))
        })
        .map(|t| t.id);
    let top = gap.threat_reductions.iter().max_by(|a, b| {
        quantize(a.risk)
            .cmp(&quantize(b.risk))
            .then(b.threat.cmp(&a.threat))
    });
    let price = format!("for a {} cost and {} effort", gap.cost, gap.effort);
    let Some(top) = top else {
        return format!(
            "It mitigates none of the catalog's threats, so it removes no modelled risk; it is listed {price}."
        );
    };
    let exposed = if Some(top.threat) == most_exposed {
        format!(
            " (the largest of your {} threats)",
            number_word(threats.len())
        )
    } else {
        String::new()
    };
    if gap.threat_reductions.len() == 1 {
        format!(
            "Closing this gap removes about {} points of {} risk{exposed}, {price}.",
            dec1(gap.risk_reduction),
            name(top.threat)
        )
    } else {
        format!(
            "Closing this gap removes about {} points of risk across {} threats, {} of them from {}{exposed}, {price}.",
            dec1(gap.risk_reduction),
            number_word(gap.threat_reductions.len()),
            dec1(top.risk),
            name(top.threat)
        )
    }
}

fn status_sentence(context: &Context<'_>, gap: &Gap) -> String {
    let estimate = format!(
        "about ${} and {} staff-day{}",
        thousands(gap.estimated_cost),
        gap.estimated_staff_days,
        if gap.estimated_staff_days == 1 {
            ""
        } else {
            "s"
        }
    );
    let share = (remaining_work(context, gap.status) * 100.0).round();
    match gap.status {
        Status::Unknown => format!(
            "Nobody has answered for it yet, so it counts as not in place; confirm its status first, as it may rank lower once checked (a full implementation: {estimate})."
        ),
        Status::Planned => format!(
            "It is planned but not started, so almost all of the work and of the benefit is still ahead ({estimate})."
        ),
        Status::Partial => format!(
            "It is partly in place; finishing it is about {share}% of a full implementation ({estimate})."
        ),
        Status::Largely => format!(
            "It is largely in place; what is left ({share}% of the work, {estimate}) is mostly closing the last gaps and filing the evidence."
        ),
        _ => format!(
            "Nothing is in place yet; for an organization of your size a full implementation is estimated at {estimate}."
        ),
    }
}

fn prerequisite_sentence(
    context: &Context<'_>,
    gap: &Gap,
    gap_ids: &[SubPracticeId],
) -> Option<String> {
    let mut waiting = Vec::new();
    let mut in_place = Vec::new();
    let mut not_applicable = Vec::new();
    let mut outside = Vec::new();
    for id in &gap.prerequisites {
        let item = context.item(id);
        if gap_ids.contains(id) {
            waiting.push(label(context, id));
        } else if item.is_some_and(|i| i.status == Status::NotApplicable) {
            not_applicable.push(label(context, id));
        } else if item.is_some_and(|i| i.status == Status::Implemented) {
            in_place.push(label(context, id));
        } else {
            outside.push(label(context, id));
        }
    }
    let plural = |v: &Vec<String>| v.len() > 1;
    if !waiting.is_empty() {
        return Some(format!(
            "Requires {}, which {} not yet in place, so it is scheduled after {}.",
            join_and(&waiting),
            if plural(&waiting) { "are" } else { "is" },
            if plural(&waiting) { "them" } else { "it" }
        ));
    }
    if !not_applicable.is_empty() {
        return Some(format!(
            "It normally builds on {}, which you marked not applicable; check that it can be done without {}.",
            join_and(&not_applicable),
            if plural(&not_applicable) {
                "them"
            } else {
                "it"
            }
        ));
    }
    if !outside.is_empty() {
        return Some(format!(
            "It builds on {}, which your tier does not require and which is not scheduled; cover that groundwork informally first.",
            join_and(&outside)
        ));
    }
    (!in_place.is_empty()).then(|| {
        format!(
            "It builds on {}, already in place, so work can start as soon as it is funded.",
            join_and(&in_place)
        )
    })
}

/// Two risk amounts written with just enough decimals to show that they differ.
fn pair(a: f64, b: f64) -> (String, String) {
    (1..=3)
        .map(|places| (format!("{a:.places$}"), format!("{b:.places$}")))
        .find(|(x, y)| x != y)
        .unwrap_or_else(|| (dec1(a), dec1(b)))
}

fn comparison_sentence(context: &Context<'_>, gap: &Gap, next: &Gap) -> String {
    let other = label(context, &next.id);
    let (p1, p2) = (gap.priority, next.priority);
    let (r1, r2) = (gap.risk_reduction, next.risk_reduction);
    let (c1, c2) = (gap.cost_units, next.cost_units);
    if quantize(p1) == quantize(p2) {
        let why = if quantize(r1) != quantize(r2) {
            "it removes more risk in absolute terms"
        } else if quantize(c1) != quantize(c2) {
            "it costs less"
        } else {
            "its id comes first"
        };
        return format!(
            "It ties with {other} on risk removed per cost unit ({:.2}) and is listed first because {why}.",
            p1
        );
    }
    if quantize(r1) >= quantize(r2) && quantize(c1) <= quantize(c2) {
        let cost = if quantize(c1) == quantize(c2) {
            "the same"
        } else {
            "less"
        };
        let risk = if quantize(r1) == quantize(r2) {
            format!("as much risk ({})", dec1(r1))
        } else {
            let (a, b) = pair(r1, r2);
            format!("more risk ({a} vs {b})")
        };
        format!("It ranks above {other} because it removes {risk} for {cost} cost.")
    } else if quantize(r1) < quantize(r2) {
        format!(
            "It ranks above {other}, which removes more risk ({} vs {}) but needs {:.1} times the cost and effort, so this one buys more protection per dollar ({:.2} vs {:.2} points per cost unit).",
            pair(r2, r1).0,
            pair(r2, r1).1,
            c2 / c1,
            p1,
            p2
        )
    } else {
        format!(
            "It ranks above {other}: it costs more, but removes enough extra risk ({} vs {}) to give more per cost unit ({:.2} vs {:.2}).",
            pair(r1, r2).0,
            pair(r1, r2).1,
            p1,
            p2
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn risk_pairs_show_the_difference() {
        assert_eq!(pair(0.21, 0.24), ("0.21".to_string(), "0.24".to_string()));
        assert_eq!(pair(1.6, 1.2), ("1.6".to_string(), "1.2".to_string()));
        assert_eq!(pair(0.5, 0.5), ("0.5".to_string(), "0.5".to_string()));
    }
}
