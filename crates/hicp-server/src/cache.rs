//! Results computed from stored data, reused while the store's change marker is unchanged.
//!
//! Reading an evaluation is the most common request (every dashboard needs one) and the
//! costliest: it loads the assessment and runs the engine. Every change the store makes moves
//! the audit chain's head, so a kept result is served only while the head is the one it was
//! computed under; several instances on one database stay correct because each compares
//! against the database, not against its own writes.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use hicp_app::{Evaluated, Planning};
use time::Date;
use uuid::Uuid;

/// Results kept at most per cache; past it the cache starts again empty (a simple bound, not
/// an LRU: the working set of a team is a handful of assessments).
const CAPACITY: usize = 256;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EvaluationKey {
    assessment: Uuid,
    as_of: Option<Date>,
    budget: Option<u64>,
    staff_days: Option<u32>,
    periods: Option<u32>,
    /// The default "as of" date is today, so a result computed yesterday is not today's.
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

/// An evaluation as kept: the engine's result for pages, and the API's JSON of it.
pub struct KeptEvaluation {
    pub evaluated: Evaluated,
    pub json: Bytes,
}

pub type EvaluationCache = MarkedCache<EvaluationKey, Arc<KeptEvaluation>>;

struct Entry<V> {
    marker: String,
    value: V,
}

/// Values kept under the change marker they were computed under.
pub struct MarkedCache<K, V> {
    entries: Mutex<HashMap<K, Entry<V>>>,
}

impl<K, V> Default for MarkedCache<K, V> {
    fn default() -> Self {
        MarkedCache {
            entries: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: Eq + Hash, V: Clone> MarkedCache<K, V> {
    /// The value kept for `key`, if it was computed under `marker`.
    pub fn get(&self, key: &K, marker: &str) -> Option<V> {
        let entries = self
            .entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        entries
            .get(key)
            .filter(|entry| entry.marker == marker)
            .map(|entry| entry.value.clone())
    }

    /// Keeps `value`, computed from data at least as new as `marker`.
    pub fn put(&self, key: K, marker: String, value: V) {
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if entries.len() >= CAPACITY && !entries.contains_key(&key) {
            entries.clear();
        }
        entries.insert(key, Entry { marker, value });
    }
}
