//! Checks that span entries and files: ids used once, references that resolve, the tier rule for
//! prerequisites, no prerequisite cycles, and crosswalk ids that exist in the CSF 2.0 list.
//! (Checks on a single field happen while decoding, in `decode`.)

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Display;
use std::hash::Hash;

use crate::diagnostics::{Diagnostics, Located};
use crate::model::*;
use crate::parts::Parts;

pub(crate) fn check(parts: &Parts, diagnostics: &mut Diagnostics) {
    let cw = &parts.crosswalks;
    unique(diagnostics, &parts.threats, "number", "threat", |t| {
        t.number
    });
    unique(diagnostics, &parts.practices, "number", "practice", |p| {
        p.number
    });
    unique(
        diagnostics,
        &parts.sub_practices,
        "id",
        "sub-practice id",
        |s| s.id.clone(),
    );
    unique(diagnostics, &cw.csf2, "id", "CSF 2.0 id", |c| c.id.clone());
    unique(diagnostics, &cw.csf11_to_csf2, "csf11", "CSF 1.1 id", |m| {
        m.csf11.clone()
    });
    unique(diagnostics, &cw.hipaa, "citation", "HIPAA citation", |h| {
        h.citation.clone()
    });
    unique(diagnostics, &cw.cpg_goals, "id", "CPG goal id", |g| {
        g.id.clone()
    });
    complete(parts, diagnostics);
    references(parts, diagnostics);
    crosswalk_ids(parts, diagnostics);
    cycles(parts, diagnostics);
}

/// Reports every entry whose key was already used, naming the first use.
fn unique<T, K: Eq + Hash + Display>(
    diagnostics: &mut Diagnostics,
    entries: &[Located<T>],
    field: &str,
    what: &str,
    key: impl Fn(&T) -> K,
) {
    let mut first: HashMap<K, usize> = HashMap::new();
    for (i, entry) in entries.iter().enumerate() {
        let k = key(&entry.item);
        match first.get(&k) {
            Some(&j) => {
                let other = &entries[j].origin;
                let message = format!(
                    "duplicate {what} `{k}`: also used by {} in {}",
                    if other.path.is_empty() {
                        "the file"
                    } else {
                        &other.path
                    },
                    other.file
                );
                diagnostics.at(&entry.origin, field, message);
            }
            None => {
                first.insert(k, i);
            }
        }
    }
}

/// HICP has exactly five threats and ten practices; a missing one is a lost file or a typo.
fn complete(parts: &Parts, diagnostics: &mut Diagnostics) {
    for number in 1..=5u8 {
        if !parts.threats.iter().any(|t| t.item.number == number) {
            diagnostics.at(
                &parts.threats_at,
                "",
                format!("threat {number} is not defined: HICP has five threats, numbered 1 to 5"),
            );
        }
    }
    for number in 1..=10u8 {
        if !parts.practices.iter().any(|p| p.item.number == number) {
            diagnostics.at(
                &parts.practices_at,
                "",
                format!(
                    "practice {number} is not defined: HICP has ten practices, numbered 1 to 10"
                ),
            );
        }
    }
}

fn references(parts: &Parts, diagnostics: &mut Diagnostics) {
    let threats: BTreeSet<ThreatId> = parts.threats.iter().map(|t| t.item.number).collect();
    let practices: BTreeSet<PracticeId> = parts.practices.iter().map(|p| p.item.number).collect();
    let tiers: BTreeMap<&SubPracticeId, Tier> = parts
        .sub_practices
        .iter()
        .map(|s| (&s.item.id, s.item.tier))
        .collect();
    let csf11: BTreeSet<&str> = parts
        .crosswalks
        .csf11_to_csf2
        .iter()
        .map(|m| m.item.csf11.as_str())
        .collect();
    let goals: BTreeSet<&str> = parts
        .crosswalks
        .cpg_goals
        .iter()
        .map(|g| g.item.id.as_str())
        .collect();

    for Located { item: p, origin } in &parts.practices {
        for (i, threat) in p.threats.iter().enumerate() {
            if !threats.contains(threat) {
                diagnostics.at(origin, &format!("threats[{i}]"), undefined_threat(*threat));
            }
        }
    }
    for Located { item: s, origin } in &parts.sub_practices {
        if !practices.contains(&s.practice) {
            diagnostics.at(
                origin,
                "id",
                format!(
                    "`{}` belongs to practice {}, which is not defined",
                    s.id, s.practice
                ),
            );
        }
        for (i, threat) in s.threats.iter().enumerate() {
            if !threats.contains(threat) {
                diagnostics.at(origin, &format!("threats[{i}]"), undefined_threat(*threat));
            }
        }
        for (i, prerequisite) in s.prerequisites.iter().enumerate() {
            let field = format!("prerequisites[{i}]");
            match tiers.get(prerequisite) {
                None => diagnostics.at(
                    origin,
                    &field,
                    format!("unknown sub-practice id {prerequisite}"),
                ),
                Some(&tier) => {
                    if let Some(size) = Tier::ALL
                        .into_iter()
                        .find(|size| size.requires(s.tier) && !size.requires(tier))
                    {
                        diagnostics.at(
                            origin,
                            &field,
                            format!(
                                "{prerequisite} is written for {tier} organizations, which a {size} organization doing {} is not expected to do: choose a prerequisite of a tier it does",
                                s.id
                            ),
                        );
                    }
                }
            }
        }
        for (i, id) in s.csf11.iter().enumerate() {
            if !csf11.contains(id.as_str()) {
                diagnostics.at(
                    origin,
                    &format!("csf11[{i}]"),
                    format!(
                        "CSF 1.1 id `{id}` has no row in the CSF 1.1 to 2.0 map: add the row or correct the id"
                    ),
                );
            }
        }
        for (i, goal) in s.cpg.iter().enumerate() {
            if !goals.contains(goal.as_str()) {
                diagnostics.at(
                    origin,
                    &format!("cpg[{i}]"),
                    format!("unknown HPH CPG goal `{goal}`"),
                );
            }
        }
    }
}

fn undefined_threat(number: ThreatId) -> String {
    format!("threat {number} is not defined in the threats list")
}

/// Every CSF 2.0 id a crosswalk table names must be in the CSF 2.0 list, so derived ids are too.
fn crosswalk_ids(parts: &Parts, diagnostics: &mut Diagnostics) {
    let cw = &parts.crosswalks;
    let known: BTreeSet<&str> = cw.csf2.iter().map(|c| c.item.id.as_str()).collect();
    let tables = cw
        .csf11_to_csf2
        .iter()
        .map(|m| (&m.item.csf2, &m.origin))
        .chain(cw.hipaa.iter().map(|h| (&h.item.csf2, &h.origin)));
    for (ids, origin) in tables {
        for (i, id) in ids.iter().enumerate() {
            if !known.contains(id.as_str()) {
                diagnostics.at(
                    origin,
                    &format!("csf2[{i}]"),
                    format!("`{id}` is not in the CSF 2.0 list"),
                );
            }
        }
    }
}

/// Reports each prerequisite cycle once, from its smallest id, at the edge that starts it.
fn cycles(parts: &Parts, diagnostics: &mut Diagnostics) {
    let by_id: BTreeMap<&SubPracticeId, &Located<SubPractice>> = parts
        .sub_practices
        .iter()
        .map(|s| (&s.item.id, s))
        .collect();
    let mut found: BTreeSet<Vec<&SubPracticeId>> = BTreeSet::new();
    let mut state: BTreeMap<&SubPracticeId, Visit> = BTreeMap::new();
    let mut stack: Vec<&SubPracticeId> = Vec::new();
    for id in by_id.keys() {
        visit(id, &by_id, &mut state, &mut stack, &mut found);
    }
    for cycle in found {
        let Some(start) = by_id.get(cycle[0]) else {
            continue;
        };
        let next = cycle.get(1).copied().unwrap_or(cycle[0]);
        let edge = start
            .item
            .prerequisites
            .iter()
            .position(|p| p == next)
            .unwrap_or(0);
        let path: Vec<String> = cycle
            .iter()
            .chain(std::iter::once(&cycle[0]))
            .map(|id| id.to_string())
            .collect();
        diagnostics.at(
            &start.origin,
            &format!("prerequisites[{edge}]"),
            format!(
                "prerequisite cycle {}: remove one of these prerequisites",
                path.join(" → ")
            ),
        );
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Visit {
    InProgress,
    Done,
}

fn visit<'a>(
    id: &'a SubPracticeId,
    by_id: &BTreeMap<&'a SubPracticeId, &'a Located<SubPractice>>,
    state: &mut BTreeMap<&'a SubPracticeId, Visit>,
    stack: &mut Vec<&'a SubPracticeId>,
    found: &mut BTreeSet<Vec<&'a SubPracticeId>>,
) {
    if state.contains_key(id) {
        return;
    }
    let Some(entry) = by_id.get(id) else {
        return;
    };
    state.insert(id, Visit::InProgress);
    stack.push(id);
    for prerequisite in &entry.item.prerequisites {
        match state.get(prerequisite) {
            Some(Visit::InProgress) => {
                if let Some(at) = stack.iter().position(|s| *s == prerequisite) {
                    found.insert(rotate_to_smallest(&stack[at..]));
                }
            }
            Some(Visit::Done) => {}
            None => {
                if let Some((key, _)) = by_id.get_key_value(prerequisite) {
                    visit(key, by_id, state, stack, found);
                }
            }
        }
    }
    stack.pop();
    state.insert(id, Visit::Done);
}

/// The same cycle found from different starting points compares equal once rotated.
fn rotate_to_smallest<'a>(cycle: &[&'a SubPracticeId]) -> Vec<&'a SubPracticeId> {
    let start = cycle
        .iter()
        .enumerate()
        .min_by_key(|(_, id)| **id)
        .map_or(0, |(i, _)| i);
    cycle[start..]
        .iter()
        .chain(&cycle[..start])
        .copied()
        .collect()
}
