//! The assessment engine: pure functions from a catalog, an assessment and options to an
//! [`Evaluation`]. No I/O, no clock, no randomness: everything is passed in.
//!
//! - [`evaluate`] runs the whole method: tier, scores, threat risk, ranked gaps, plan, history.
//! - [`input`] reads and writes the assessment file format; it and the methodology reader report
//!   problems as [`hicp_input::Problems`] (file, line, column, key path, message, hint).
//! - [`Methodology`] holds every weight and threshold; `docs/methodology.md` explains each.
//! - [`view`] is the documented, stable JSON shape of an evaluation.

mod context;
mod evaluate;
mod gaps;
mod history;
pub mod input;
pub mod methodology;
pub mod model;
mod options;
mod plan;
mod reading;
mod risk;
mod rollup;
mod rules;
mod text;
mod tier;
pub mod view;

pub use evaluate::evaluate;
pub use methodology::{Methodology, MethodologyResult};
pub use model::*;
pub use options::EvaluationOptions;
pub use rollup::{effective_status, roll_up};
pub use rules::{AnswerRejected, check_answer};
pub use tier::{decide as decide_tier, recommend as recommend_tier};
