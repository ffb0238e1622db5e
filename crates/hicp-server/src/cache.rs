//! Evaluations kept as their JSON, reused while the store's change marker is unchanged.
//!
//! Reading an evaluation is the API's most common request (every dashboard asks for it) and
//! its costliest: it loads the assessment and runs the engine. Every change the store makes
//! moves the audit chain's head, so a cached body is served only while the head is the one it
//! was computed under; several instances on one database stay correct because each compares
//! against the database, not against its own writes.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::body::Bytes;
use hicp_app::Planning;
use time::Date;
use uuid::Uuid;

/// Bodies kept at most; past it the cache starts again empty (a simple bound, not an LRU:
/// the working set of a team is a handful of assessments).
const CAPACITY: usize = 256;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EvaluationKey {
    assessment: Uuid,
    as_of: Option<Date>,
    budget: Option<u64>,
    staff_days: Option<u32>,
    periods: Option<u32>,
    /// The default "as of" date is today, so a body computed yesterday is not today's.
    today: Date,
}

impl EvaluationKey {
    pub fn new(assessment: Uuid, planning: &Planning, today: Date) -> EvaluationKey {
        EvaluationKey {
            assessment,
            as_of: planning.as_of,
            budget: planning.budget,
            staff_days: planning.staff_days,
            periods: planning.periods,
            today,
        }
    }
}

struct Entry {
    marker: String,
    body: Bytes,
}

#[derive(Default)]
pub struct EvaluationCache {
    entries: Mutex<HashMap<EvaluationKey, Entry>>,
}

impl EvaluationCache {
    /// The body kept for `key`, if it was computed under `marker`.
    pub fn get(&self, key: &EvaluationKey, marker: &str) -> Option<Bytes> {
        let entries = self
            .entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        entries
            .get(key)
            .filter(|entry| entry.marker == marker)
            .map(|entry| entry.body.clone())
    }

    /// Keeps `body`, computed from data at least as new as `marker`.
    pub fn put(&self, key: EvaluationKey, marker: String, body: Bytes) {
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if entries.len() >= CAPACITY && !entries.contains_key(&key) {
            entries.clear();
        }
        entries.insert(key, Entry { marker, body });
    }
}
