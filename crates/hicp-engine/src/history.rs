//! "In place since": for each sub-practice the tier requires, the date it has been continuously at
//! `largely` or `implemented` (by default) up to "as of", and whether that covers the last 12 months.
//!
//! Rule: the dated statuses of a sub-practice (its `[[history]]` entries, then the current answer at
//! its `since` date, or at "as of" when it has none) form a step line: a status holds from its date
//! until the next recorded one, so a gap between entries means "unchanged". Walking back from the
//! current status, the run ends at the first entry that is not in place; `since` is the date of the
//! earliest entry of the unbroken run. History dated after the current answer's `since` (or after
//! "as of") is ignored with a warning: the current answer is authoritative from its date. An entry
//! on that very date is superseded by the answer.

use time::{Date, Month};

use crate::context::Context;
use crate::model::{Assessment, InPlace, Status, Warning};

/// Whether a status counts as "in place" when the threshold is `from`.
pub fn counts_in_place(status: Status, from: Status) -> bool {
    match from {
        Status::Implemented => status == Status::Implemented,
        _ => matches!(status, Status::Largely | Status::Implemented),
    }
}

/// The same day `months` months earlier (the last day of the month where that day does not exist).
pub fn months_before(date: Date, months: u32) -> Date {
    let total = date.year() * 12 + i32::from(u8::from(date.month())) - 1 - months as i32;
    let year = total.div_euclid(12);
    let month = Month::try_from((total.rem_euclid(12) + 1) as u8).unwrap_or(Month::January);
    let last_day = time::util::days_in_month(month, year);
    Date::from_calendar_date(year, month, date.day().min(last_day)).unwrap_or(Date::MIN)
}

pub fn in_place(
    context: &Context<'_>,
    assessment: &Assessment,
    as_of: Date,
    warnings: &mut Vec<Warning>,
) -> Vec<InPlace> {
    let rules = context.methodology.history;
    let cutoff = months_before(as_of, rules.months_required);
    context
        .items
        .iter()
        .filter(|item| item.applicable)
        .map(|item| {
            let id = item.id();
            let current_date = item
                .answer
                .and_then(|a| a.since)
                .map_or(as_of, |since| since.min(as_of));
            let mut entries: Vec<(Date, Status)> = Vec::new();
            let mut ignored = 0;
            for entry in assessment.history.iter().filter(|h| &h.id == id) {
                if entry.date > current_date {
                    ignored += 1;
                } else if entry.date < current_date {
                    entries.push((entry.date, entry.status));
                }
                // An entry on the current answer's own date is superseded by the answer.
            }
            if ignored > 0 {
                warnings.push(Warning {
                    id: Some(id.clone()),
                    message: format!(
                        "{id}: {ignored} history entr{} dated after the current answer's `since` (or after the assessment date) {} ignored; the current answer is taken as authoritative from its date.",
                        if ignored == 1 { "y" } else { "ies" },
                        if ignored == 1 { "is" } else { "are" }
                    ),
                });
            }
            // Stable: entries on the same day keep file order, so the last one listed wins.
            entries.sort_by_key(|(date, _)| *date);
            let since = counts_in_place(item.status, rules.in_place_from).then(|| {
                let mut since = current_date;
                for (date, status) in entries.iter().rev() {
                    if !counts_in_place(*status, rules.in_place_from) {
                        break;
                    }
                    since = *date;
                }
                since
            });
            InPlace {
                id: id.clone(),
                since,
                covers_12_months: since.is_some_and(|s| s <= cutoff),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn months_before_keeps_the_day_or_uses_the_month_end() {
        assert_eq!(
            months_before(date!(2027 - 03 - 15), 12),
            date!(2026 - 03 - 15)
        );
        assert_eq!(
            months_before(date!(2028 - 02 - 29), 12),
            date!(2027 - 02 - 28)
        );
        assert_eq!(
            months_before(date!(2027 - 01 - 31), 2),
            date!(2026 - 11 - 30)
        );
    }
}
