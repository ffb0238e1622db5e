//! What an evaluation is asked for besides the assessment: the clock, the budget and the method.
//!
//! Kept apart from [`crate::model`] so that the plain data types depend on nothing else in the
//! engine: the methodology reads the model's facts, and these options hold a methodology.

use time::Date;

use crate::methodology::Methodology;
use crate::model::Budget;

/// What the caller supplies besides the assessment: the clock, planning limits and the method.
#[derive(Debug, Clone, PartialEq)]
pub struct EvaluationOptions {
    /// "Today": the date the 12-month view and the plan start from.
    pub as_of: Date,
    pub budget: Budget,
    /// How many periods (quarters) the plan may use before the rest is deferred.
    pub periods: u32,
    /// Every weight and threshold; [`Methodology::default`] unless the organization overrides it.
    pub methodology: Methodology,
}

impl EvaluationOptions {
    /// No budget limit, the default methodology and its default number of periods.
    pub fn new(as_of: Date) -> EvaluationOptions {
        let methodology = Methodology::default();
        EvaluationOptions {
            as_of,
            budget: Budget::default(),
            periods: methodology.plan.periods,
            methodology,
        }
    }
}
