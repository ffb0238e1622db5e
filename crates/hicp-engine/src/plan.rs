//! The action plan: ranked gaps scheduled into periods (quarters by default).
//!
//! Gaps are taken in rank order. Before an item is placed, each of its prerequisites that is itself
//! a gap is placed first (so a prerequisite inherits the urgency of what depends on it). An item
//! goes into the earliest period after all its prerequisites' periods whose remaining budget (money
//! and staff-days) can take it whole. An item larger than a whole period's budget, one whose
//! prerequisite was deferred, and one that finds no room within the periods planned are deferred,
//! each with the reason.

use std::collections::BTreeMap;

use hicp_catalog::SubPracticeId;
use time::{Date, Duration, Month};

use crate::context::Context;
use crate::gaps::label;
use crate::model::{Budget, DeferredItem, Gap, Milestone, Period, Plan, PlanItem, Status};
use crate::text::thousands;

/// Plans longer than this are cut to it (ten years of quarters).
pub const MAX_PERIODS: u32 = 40;

fn month_index(date: Date) -> i32 {
    date.year() * 12 + i32::from(u8::from(date.month())) - 1
}

fn first_day(month_index: i32) -> Option<Date> {
    let month = Month::try_from(u8::try_from(month_index.rem_euclid(12) + 1).ok()?).ok()?;
    Date::from_calendar_date(month_index.div_euclid(12), month, 1).ok()
}

fn period_label(start_month: i32, months: u32) -> String {
    let year = start_month.div_euclid(12);
    let month0 = start_month.rem_euclid(12);
    match months {
        3 => format!("{year}-Q{}", month0 / 3 + 1),
        6 => format!("{year}-H{}", month0 / 6 + 1),
        12 => format!("{year}"),
        _ => format!("{year}-{:02}", month0 + 1),
    }
}

/// What a period of this length is called in sentences.
pub fn period_noun(months: u32) -> &'static str {
    match months {
        3 => "quarter",
        6 => "half-year",
        12 => "year",
        _ => "month",
    }
}

/// The plan's periods. The first is the one containing `as_of` when at least
/// `min_days_left_in_first_period` days of it remain (it then starts on `as_of`); otherwise the
/// plan starts with the next one.
pub fn periods(as_of: Date, count: u32, months: u32, min_days_left: u32) -> Vec<Period> {
    let months = months.max(1);
    let step = i32::try_from(months).unwrap_or(12);
    let current = month_index(as_of).div_euclid(step) * step;
    let days_left = first_day(current + step).map_or(i64::MAX, |next| (next - as_of).whole_days());
    let mut start_month = if days_left >= i64::from(min_days_left) {
        current
    } else {
        current + step
    };
    let mut out = Vec::new();
    for index in 1..=count.min(MAX_PERIODS) {
        let (Some(nominal_start), Some(next_start)) =
            (first_day(start_month), first_day(start_month + step))
        else {
            break;
        };
        out.push(Period {
            index,
            label: period_label(start_month, months),
            start: nominal_start.max(as_of),
            end: next_start - Duration::days(1),
            money: 0,
            staff_days: 0,
        });
        start_month += step;
    }
    out
}

enum Placement {
    /// 0-based period index.
    Scheduled(usize),
    Deferred,
    Visiting,
}

struct Scheduler<'c, 'a> {
    context: &'c Context<'a>,
    gaps: BTreeMap<&'c SubPracticeId, &'c Gap>,
    budget: Budget,
    periods: Vec<Period>,
    noun: &'static str,
    placements: BTreeMap<SubPracticeId, Placement>,
    items: Vec<PlanItem>,
    deferred: Vec<DeferredItem>,
}

impl Scheduler<'_, '_> {
    fn place(&mut self, gap: &Gap) {
        if self.placements.contains_key(&gap.id) {
            return;
        }
        self.placements.insert(gap.id.clone(), Placement::Visiting);
        let mut earliest = 0;
        let mut blocked_by = None;
        for prerequisite in &gap.prerequisites {
            let Some(&pre_gap) = self.gaps.get(prerequisite) else {
                continue;
            };
            self.place(pre_gap);
            match self.placements.get(prerequisite) {
                Some(Placement::Scheduled(k)) => earliest = earliest.max(k + 1),
                // A cycle cannot come from a validated catalog; treat it like a deferral.
                _ => blocked_by = blocked_by.or(Some(prerequisite.clone())),
            }
        }
        let outcome = match blocked_by {
            Some(id) => Err(format!(
                "Waits for {}, which is itself deferred.",
                label(self.context, &id)
            )),
            None => self.fit(gap, earliest),
        };
        match outcome {
            Ok((k, money, staff_days)) => {
                self.placements
                    .insert(gap.id.clone(), Placement::Scheduled(k));
                let period = &mut self.periods[k];
                period.money = money;
                period.staff_days = staff_days;
                let item = self.plan_item(gap, k);
                self.items.push(item);
            }
            Err(reason) => {
                self.placements.insert(gap.id.clone(), Placement::Deferred);
                self.deferred.push(DeferredItem {
                    id: gap.id.clone(),
                    title: gap.title.clone(),
                    gap_rank: gap.rank,
                    reason,
                    estimated_cost: gap.estimated_cost,
                    estimated_staff_days: gap.estimated_staff_days,
                });
            }
        }
    }

    /// The first period from `earliest` with room for the whole item, with that period's new
    /// totals, or why there is none.
    fn fit(&self, gap: &Gap, earliest: usize) -> Result<(usize, u64, u32), String> {
        let mut too_big = Vec::new();
        if let Some(money) = self.budget.money.filter(|&m| gap.estimated_cost > m) {
            too_big.push(format!(
                "${} against ${} a {}",
                thousands(gap.estimated_cost),
                thousands(money),
                self.noun
            ));
        }
        if let Some(days) = self
            .budget
            .staff_days
            .filter(|&d| gap.estimated_staff_days > d)
        {
            too_big.push(format!(
                "{} staff-days against {} a {}",
                gap.estimated_staff_days, days, self.noun
            ));
        }
        if !too_big.is_empty() {
            return Err(format!(
                "Too big for any single {}'s budget ({}); split it into phases, fund it separately or raise the budget.",
                self.noun,
                too_big.join(", ")
            ));
        }
        // Checked sums: the methodology bounds each figure, but a methodology built in code
        // need not be validated, and a period whose total would overflow has no room.
        let totals = |p: &Period| {
            let money = p.money.checked_add(gap.estimated_cost)?;
            let staff_days = p.staff_days.checked_add(gap.estimated_staff_days)?;
            let within = self.budget.money.is_none_or(|m| money <= m)
                && self.budget.staff_days.is_none_or(|d| staff_days <= d);
            within.then_some((money, staff_days))
        };
        if let Some(placed) = (earliest..self.periods.len())
            .find_map(|k| totals(&self.periods[k]).map(|(money, days)| (k, money, days)))
        {
            return Ok(placed);
        }
        let planned = self.periods.len();
        Err(if planned == 0 {
            "No plan periods were requested, so nothing is scheduled.".to_string()
        } else if earliest >= planned {
            format!(
                "Its prerequisites take up to the last of the {planned} {}s planned, leaving no later {} for it; extend the plan to schedule it.",
                self.noun, self.noun
            )
        } else {
            format!(
                "Higher-ranked work fills the budget of the {planned} {}s planned; it is next in line when the budget grows or the plan is extended.",
                self.noun
            )
        })
    }

    fn plan_item(&self, gap: &Gap, k: usize) -> PlanItem {
        let period = &self.periods[k];
        let span = (period.end - period.start).whole_days();
        let milestones = self
            .context
            .methodology
            .plan
            .milestones
            .iter()
            .map(|rule| Milestone {
                title: rule.title.clone(),
                due: period.start
                    + Duration::days((span as f64 * rule.at.clamp(0.0, 1.0)).round() as i64),
            })
            .collect();
        let item = self.context.item(&gap.id);
        let mut notes = Vec::new();
        for prerequisite in &gap.prerequisites {
            if let Some(Placement::Scheduled(j)) = self.placements.get(prerequisite) {
                notes.push(format!(
                    "Starts after {}, planned for {}.",
                    label(self.context, prerequisite),
                    self.periods[*j].label
                ));
                continue;
            }
            match self.context.item(prerequisite) {
                Some(pre) if pre.status == Status::NotApplicable => notes.push(format!(
                    "Its prerequisite {} is marked not applicable; confirm the work can proceed without it.",
                    label(self.context, prerequisite)
                )),
                Some(pre) if !pre.applicable && pre.status != Status::Implemented => notes.push(format!(
                    "Its prerequisite {} is outside your tier and not scheduled; cover that groundwork as part of this item.",
                    label(self.context, prerequisite)
                )),
                _ => {}
            }
        }
        PlanItem {
            id: gap.id.clone(),
            title: gap.title.clone(),
            period: period.index,
            period_label: period.label.clone(),
            start: period.start,
            due: period.end,
            owner_role: item.map_or_else(String::new, |i| i.sub.owner_role.clone()),
            owner: item.and_then(|i| i.answer).and_then(|a| a.owner.clone()),
            cost: gap.cost,
            effort: gap.effort,
            estimated_cost: gap.estimated_cost,
            estimated_staff_days: gap.estimated_staff_days,
            prerequisites: gap.prerequisites.clone(),
            milestones,
            gap_rank: gap.rank,
            notes,
        }
    }
}

/// Schedules the ranked gaps (see the module documentation).
pub fn schedule(
    context: &Context<'_>,
    gaps: &[Gap],
    as_of: Date,
    budget: Budget,
    count: u32,
) -> Plan {
    let rules = &context.methodology.plan;
    let mut scheduler = Scheduler {
        context,
        gaps: gaps.iter().map(|g| (&g.id, g)).collect(),
        budget,
        periods: periods(
            as_of,
            count,
            rules.period_months,
            rules.min_days_left_in_first_period,
        ),
        noun: period_noun(rules.period_months),
        placements: BTreeMap::new(),
        items: Vec::new(),
        deferred: Vec::new(),
    };
    for gap in gaps {
        scheduler.place(gap);
    }
    let Scheduler {
        periods,
        mut items,
        mut deferred,
        ..
    } = scheduler;
    items.sort_by_key(|i| (i.period, i.gap_rank));
    deferred.sort_by_key(|d| d.gap_rank);
    Plan {
        periods,
        items,
        deferred,
        budget,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_plan_starts_this_quarter_only_when_enough_of_it_is_left() {
        // 2026-11-20: 42 days left in Q4 (< 45) → start 2027-Q1.
        let p = periods(date!(2026 - 11 - 20), 2, 3, 45);
        assert_eq!(p[0].label, "2027-Q1");
        assert_eq!(
            (p[0].start, p[0].end),
            (date!(2027 - 01 - 01), date!(2027 - 03 - 31))
        );
        assert_eq!(p[1].label, "2027-Q2");
        // 2026-11-16: 46 days left → this quarter, starting on as_of.
        let p = periods(date!(2026 - 11 - 16), 1, 3, 45);
        assert_eq!(p[0].label, "2026-Q4");
        assert_eq!(
            (p[0].start, p[0].end),
            (date!(2026 - 11 - 16), date!(2026 - 12 - 31))
        );
    }

    #[test]
    fn other_period_lengths_are_labelled() {
        assert_eq!(periods(date!(2027 - 07 - 01), 1, 6, 45)[0].label, "2027-H2");
        assert_eq!(periods(date!(2027 - 01 - 01), 1, 12, 45)[0].label, "2027");
        assert_eq!(periods(date!(2027 - 02 - 01), 1, 1, 20)[0].label, "2027-02");
        assert_eq!(
            periods(date!(2027 - 01 - 01), 100, 3, 45).len(),
            MAX_PERIODS as usize
        );
    }
}
