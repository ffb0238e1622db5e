//! The assessment engine: pure functions from a catalog, an assessment and options to an
//! [`Evaluation`]. No I/O, no clock, no randomness: everything is passed in.

pub mod model;

pub use model::*;
