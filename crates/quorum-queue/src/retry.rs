//! When a failed attempt runs again: exponential backoff with full jitter, so that workflows
//! that failed together (a flaky dependency) do not all retry in the same instant.

use std::time::Duration;

use rand::RngExt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    pub base: Duration,
    pub cap: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base: Duration::from_secs(1),
            cap: Duration::from_secs(300),
        }
    }
}

impl RetryPolicy {
    /// The wait before attempt `failed + 1`, or `None` when `failed` attempts are all there
    /// may be.
    pub fn backoff(&self, failed: u32) -> Option<Duration> {
        if failed >= self.max_attempts {
            return None;
        }
        Some(rand::rng().random_range(Duration::ZERO..=self.ceiling(failed)))
    }

    /// The longest wait after `failed` failures: base × 2^(failed − 1), capped.
    pub fn ceiling(&self, failed: u32) -> Duration {
        let doublings = failed.saturating_sub(1).min(31);
        self.base.saturating_mul(1 << doublings).min(self.cap)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_and_stops_after_the_last_attempt() {
        let policy = RetryPolicy {
            max_attempts: 4,
            base: Duration::from_millis(100),
            cap: Duration::from_millis(300),
        };
        assert_eq!(policy.ceiling(1), Duration::from_millis(100));
        assert_eq!(policy.ceiling(2), Duration::from_millis(200));
        assert_eq!(policy.ceiling(3), Duration::from_millis(300));
        assert_eq!(policy.ceiling(40), Duration::from_millis(300));
        for failed in 1..4 {
            let wait = policy.backoff(failed).expect("attempts remain");
            assert!(wait <= policy.ceiling(failed));
        }
        assert_eq!(policy.backoff(4), None);
    }

    #[test]
    fn jitter_spreads_the_waits() {
        let policy = RetryPolicy::default();
        let waits: std::collections::HashSet<Duration> =
            (0..50).filter_map(|_| policy.backoff(2)).collect();
        assert!(waits.len() > 40, "{} distinct waits of 50", waits.len());
    }
}
