//! The assessment resolved against the catalog: for every sub-practice, the status used, whether
//! the tier requires it, and whether it is "going further". Every later step reads this.

use std::collections::BTreeMap;

use hicp_catalog::{Catalog, SubPractice, SubPracticeId, Tier};

use crate::methodology::Methodology;
use crate::model::{Answer, Assessment, Status};
use crate::rollup::effective_status;

pub struct Item<'a> {
    pub sub: &'a SubPractice,
    pub answer: Option<&'a Answer>,
    /// Given directly or rolled up from questions; `unknown` when unanswered.
    pub status: Status,
    /// The tier requires it.
    pub applicable: bool,
    /// Outside the tier, answered, and not `not_applicable`.
    pub going_further: bool,
}

impl Item<'_> {
    pub fn id(&self) -> &SubPracticeId {
        &self.sub.id
    }

    /// Counts in the tier's score, coverage and gaps: required and not `not_applicable`.
    pub fn in_scope(&self) -> bool {
        self.applicable && self.status != Status::NotApplicable
    }
}

pub struct Context<'a> {
    pub catalog: &'a Catalog,
    pub methodology: &'a Methodology,
    pub tier: Tier,
    /// Every catalog sub-practice, in id order.
    pub items: Vec<Item<'a>>,
    index: BTreeMap<&'a SubPracticeId, usize>,
}

impl<'a> Context<'a> {
    pub fn new(
        catalog: &'a Catalog,
        assessment: &'a Assessment,
        methodology: &'a Methodology,
        tier: Tier,
    ) -> Context<'a> {
        let mut items: Vec<Item<'a>> = catalog
            .sub_practices
            .iter()
            .map(|sub| {
                let answer = assessment.answers.get(&sub.id);
                let status = answer.map_or(Status::Unknown, |a| {
                    effective_status(a, sub, &methodology.status_values)
                });
                let applicable = tier.requires(sub.tier);
                Item {
                    sub,
                    answer,
                    status,
                    applicable,
                    going_further: !applicable
                        && answer.is_some()
                        && !matches!(status, Status::NotApplicable | Status::Unknown),
                }
            })
            .collect();
        items.sort_by(|a, b| a.sub.id.cmp(&b.sub.id));
        let index = items
            .iter()
            .enumerate()
            .map(|(i, item)| (&item.sub.id, i))
            .collect();
        Context {
            catalog,
            methodology,
            tier,
            items,
            index,
        }
    }

    pub fn item(&self, id: &SubPracticeId) -> Option<&Item<'a>> {
        self.index.get(id).map(|&i| &self.items[i])
    }

    /// Implementation value of an item's status (`None` for not applicable).
    pub fn value(&self, item: &Item<'_>) -> Option<f64> {
        self.methodology.status_values.value(item.status)
    }
}
