//! Sign-in throttling: after a few failed attempts for one account or from one address within
//! a window, further attempts are refused until the window has passed, so a password cannot be
//! guessed at speed. Kept in this process's memory: a second instance keeps its own count.

use std::collections::HashMap;
use std::sync::Mutex;

use time::{Duration, OffsetDateTime};

/// Failure times per key (`account:<email>` or `address:<ip>`).
pub struct Throttle {
    failures: u32,
    window: Duration,
    seen: Mutex<HashMap<String, Vec<OffsetDateTime>>>,
}

/// The most keys remembered; past it the oldest entries are dropped so that a flood of
/// made-up emails cannot grow the map without bound.
const MAX_KEYS: usize = 100_000;

impl Throttle {
    pub fn new(failures: u32, window: Duration) -> Throttle {
        Throttle {
            failures,
            window,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// `Some(seconds to wait)` when any of `keys` has used up its attempts.
    pub fn refused(&self, keys: &[String], now: OffsetDateTime) -> Option<u64> {
        let mut seen = self
            .seen
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        keys.iter()
            .filter_map(|key| {
                let times = seen.get_mut(key)?;
                times.retain(|at| now - *at < self.window);
                let oldest = *times.first()?;
                (times.len() as u32 >= self.failures)
                    .then(|| (self.window - (now - oldest)).whole_seconds().max(1) as u64)
            })
            .max()
    }

    pub fn failed(&self, keys: &[String], now: OffsetDateTime) {
        let mut seen = self
            .seen
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if seen.len() >= MAX_KEYS {
            let window = self.window;
            seen.retain(|_, times| times.last().is_some_and(|at| now - *at < window));
        }
        for key in keys {
            seen.entry(key.clone()).or_default().push(now);
        }
    }

    pub fn succeeded(&self, keys: &[String]) {
        let mut seen = self
            .seen
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        for key in keys {
            seen.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn attempts_past_the_limit_wait_for_the_window() {
        let throttle = Throttle::new(3, Duration::minutes(10));
        let keys = vec!["account:a@example.org".to_string()];
        let start = datetime!(2027-01-04 09:00 UTC);
        for minute in 0..3 {
            assert_eq!(
                throttle.refused(&keys, start + Duration::minutes(minute)),
                None
            );
            throttle.failed(&keys, start + Duration::minutes(minute));
        }
        assert_eq!(
            throttle.refused(&keys, start + Duration::minutes(3)),
            Some(7 * 60)
        );
        assert_eq!(throttle.refused(&keys, start + Duration::minutes(10)), None);
        let other = vec!["account:b@example.org".to_string()];
        assert_eq!(throttle.refused(&other, start + Duration::minutes(3)), None);
    }

    #[test]
    fn a_success_clears_the_count() {
        let throttle = Throttle::new(2, Duration::minutes(10));
        let keys = vec!["address:192.0.2.1".to_string()];
        let now = datetime!(2027-01-04 09:00 UTC);
        throttle.failed(&keys, now);
        throttle.succeeded(&keys);
        throttle.failed(&keys, now);
        assert_eq!(throttle.refused(&keys, now), None);
    }
}
