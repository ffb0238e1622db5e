//! The choices a person makes about the plan — as of when, how much per period, how many
//! periods — and the evaluation options they become. The CLI's flags and the server's forms
//! both fill a [`Planning`].

use hicp_engine::{Budget, EvaluationOptions, Methodology};
use time::Date;

/// Planning choices; `None` keeps the default (today, no limit, the methodology's periods).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Planning {
    /// The assessment date, from which the plan and the 12-month view are counted.
    pub as_of: Option<Date>,
    /// Money available per plan period, in US dollars.
    pub budget: Option<u64>,
    /// Staff-days available per plan period.
    pub staff_days: Option<u32>,
    /// Number of plan periods before the rest is deferred.
    pub periods: Option<u32>,
}

impl Planning {
    /// The evaluation options these choices make under `methodology`, with `today` for a
    /// missing date.
    pub fn options(&self, methodology: Methodology, today: Date) -> EvaluationOptions {
        EvaluationOptions {
            as_of: self.as_of.unwrap_or(today),
            budget: Budget {
                money: self.budget,
                staff_days: self.staff_days,
            },
            periods: self.periods.unwrap_or(methodology.plan.periods),
            methodology,
        }
    }
}
