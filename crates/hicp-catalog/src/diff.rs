//! What changed between two catalogs, sub-practice by sub-practice: what an administrator
//! reviews before loading a newer edition.

use crate::Catalog;
use crate::model::{SubPractice, SubPracticeId};

/// Differences between two catalogs' sub-practices, each list in id order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CatalogDiff {
    /// In the new catalog only.
    pub added: Vec<SubPracticeId>,
    /// In the old catalog only.
    pub removed: Vec<SubPracticeId>,
    /// In both, with a different title.
    pub retitled: Vec<Retitled>,
    /// In both, with other fields changed (one entry per field). The practice and tier cannot
    /// change: the id encodes them, so a move shows as one id removed and another added.
    pub changed: Vec<Change>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retitled {
    pub id: SubPracticeId,
    pub old: String,
    pub new: String,
}

/// One changed field of a sub-practice, with both values as text (lists joined with `, `).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub id: SubPracticeId,
    pub field: &'static str,
    pub old: String,
    pub new: String,
}

impl Change {
    /// Whether the field is prose, better summarized as "reworded" than printed in full.
    pub fn is_prose(&self) -> bool {
        matches!(
            self.field,
            "summary" | "good_looks_like" | "metrics" | "question texts"
        )
    }
}

impl CatalogDiff {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.retitled.is_empty()
            && self.changed.is_empty()
    }
}

/// Compares `old` with `new`.
pub fn diff(old: &Catalog, new: &Catalog) -> CatalogDiff {
    let mut out = CatalogDiff::default();
    for s in &old.sub_practices {
        match new.sub_practice(&s.id) {
            None => out.removed.push(s.id.clone()),
            Some(n) => {
                if s.title != n.title {
                    out.retitled.push(Retitled {
                        id: s.id.clone(),
                        old: s.title.clone(),
                        new: n.title.clone(),
                    });
                }
                out.changed.extend(field_changes(s, n));
            }
        }
    }
    out.added = new
        .sub_practices
        .iter()
        .filter(|n| old.sub_practice(&n.id).is_none())
        .map(|n| n.id.clone())
        .collect();
    out
}

fn field_changes(old: &SubPractice, new: &SubPractice) -> Vec<Change> {
    fn joined<T: ToString>(items: &[T]) -> String {
        items
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }
    let question_keys =
        |s: &SubPractice| joined(&s.questions.iter().map(|q| &q.key).collect::<Vec<_>>());
    let question_texts =
        |s: &SubPractice| joined(&s.questions.iter().map(|q| &q.text).collect::<Vec<_>>());
    let title_source = |s: &SubPractice| {
        format!(
            "{}, edition {}, {}",
            s.title_label(),
            s.title_source.edition,
            s.title_source.source
        )
    };
    let aliases = |s: &SubPractice| {
        joined(
            &s.title_aliases
                .iter()
                .map(crate::model::Alias::describe)
                .collect::<Vec<_>>(),
        )
    };
    let fields: [(&'static str, String, String); 15] = [
        ("title_source", title_source(old), title_source(new)),
        ("title_aliases", aliases(old), aliases(new)),
        ("threats", joined(&old.threats), joined(&new.threats)),
        (
            "prerequisites",
            joined(&old.prerequisites),
            joined(&new.prerequisites),
        ),
        ("cost", old.cost.to_string(), new.cost.to_string()),
        ("effort", old.effort.to_string(), new.effort.to_string()),
        ("owner_role", old.owner_role.clone(), new.owner_role.clone()),
        ("csf11", joined(&old.csf11), joined(&new.csf11)),
        ("cpg", joined(&old.cpg), joined(&new.cpg)),
        ("questions", question_keys(old), question_keys(new)),
        ("question texts", question_texts(old), question_texts(new)),
        ("summary", old.summary.clone(), new.summary.clone()),
        (
            "good_looks_like",
            old.good_looks_like.clone(),
            new.good_looks_like.clone(),
        ),
        ("metrics", joined(&old.metrics), joined(&new.metrics)),
        ("provenance", provenance_text(old), provenance_text(new)),
    ];
    fields
        .into_iter()
        .filter(|(_, a, b)| a != b)
        .map(|(field, old_value, new_value)| Change {
            id: old.id.clone(),
            field,
            old: old_value,
            new: new_value,
        })
        .collect()
}

fn provenance_text(s: &SubPractice) -> String {
    let p = &s.provenance;
    format!(
        "{}, {}, edition {}",
        p.confidence.as_str(),
        if p.verified { "verified" } else { "unverified" },
        p.edition
    )
}
