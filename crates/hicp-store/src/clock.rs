//! Time comes from a clock the caller passes in, so tests can pin it.

use std::sync::Mutex;

use time::{Duration, OffsetDateTime};

pub trait Clock: Send + Sync {
    fn now(&self) -> OffsetDateTime;
}

/// The system's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A clock that starts at a given instant and moves only when told: deterministic timestamps.
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<OffsetDateTime>,
}

impl ManualClock {
    pub fn new(start: OffsetDateTime) -> ManualClock {
        ManualClock {
            now: Mutex::new(start),
        }
    }

    pub fn advance(&self, by: Duration) {
        let mut now = self
            .now
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        *self
            .now
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// PostgreSQL keeps microseconds; truncating here makes a value read back equal to the value
/// written on both backends (and keeps audit hashes stable).
pub(crate) fn to_stored_precision(instant: OffsetDateTime) -> OffsetDateTime {
    let utc = instant.to_offset(time::UtcOffset::UTC);
    let micros = utc.microsecond();
    utc.replace_microsecond(micros).unwrap_or(utc)
}
