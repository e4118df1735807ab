//! Rate limits counted in the database, so that every server shares them: hits are counted in
//! fixed windows per key, and read as a sliding window from the current and previous ones.

use chrono::{DateTime, Duration, Utc};

/// The fixed windows a hit at `at` concerns: the one holding it and the one before, as
/// (current start, previous start). Windows are aligned on the Unix epoch, so every server
/// puts a hit in the same window whatever process counts it.
pub fn windows(at: DateTime<Utc>, window: Duration) -> (DateTime<Utc>, DateTime<Utc>) {
    let length = window.num_microseconds().unwrap_or(i64::MAX).max(1);
    let micros = at.timestamp_micros();
    let start = micros - micros.rem_euclid(length);
    let current = DateTime::from_timestamp_micros(start).unwrap_or(at);
    (current, current - window)
}

/// When a window's row is no longer needed: once the window after it has ended too, no
/// estimate reads it.
pub fn expiry(window_start: DateTime<Utc>, window: Duration) -> DateTime<Utc> {
    window_start + window + window
}

/// How many expired windows one hit removes: more than one, so the table shrinks back after a
/// burst of new keys, and few enough that a hit never waits on a large delete.
pub const EXPIRED_WINDOWS_PER_HIT: i64 = 100;

/// One hit of a rate-limited key, counted in the fixed window of length `window` that holds
/// `at`.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub key: String,
    pub at: DateTime<Utc>,
    pub window: Duration,
}

impl Hit {
    /// The start of the window the hit counts in, the start of the one before, and when the
    /// hit's window's row expires.
    pub fn windows(&self) -> (DateTime<Utc>, DateTime<Utc>, DateTime<Utc>) {
        let (start, previous) = windows(self.at, self.window);
        (start, previous, expiry(start, self.window))
    }

    /// The counts a backend read back for this hit.
    pub fn counted(&self, current: i64, previous: i64) -> HitCounts {
        HitCounts {
            current,
            previous,
            window_start: windows(self.at, self.window).0,
            window: self.window,
        }
    }
}

/// What counting one hit found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HitCounts {
    /// Hits of the key in the current window, this one included.
    pub current: i64,
    /// Hits of the key in the window before.
    pub previous: i64,
    pub window_start: DateTime<Utc>,
    pub window: Duration,
}

impl HitCounts {
    /// Hits in the last `window` before `at`, estimated as the current window's count plus the
    /// previous window's weighted by how much of it still lies within one window of `at`.
    /// Fixed windows alone would let a burst at the end of one window and another at the
    /// start of the next pass twice the limit.
    pub fn estimate(&self, at: DateTime<Utc>) -> f64 {
        let length = self.window.num_microseconds().unwrap_or(i64::MAX).max(1) as f64;
        let elapsed = (at - self.window_start).num_microseconds().unwrap_or(0) as f64;
        let weight = (1.0 - elapsed / length).clamp(0.0, 1.0);
        self.current as f64 + self.previous as f64 * weight
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn windows_are_aligned_and_the_previous_one_weighs_less_as_the_window_goes_on() {
        let minute = Duration::minutes(1);
        let at = Utc.with_ymd_and_hms(2025, 12, 20, 12, 0, 45).unwrap();
        let (current, previous) = windows(at, minute);
        assert_eq!(
            current,
            Utc.with_ymd_and_hms(2025, 12, 20, 12, 0, 0).unwrap()
        );
        assert_eq!(previous, current - minute);
        assert_eq!(expiry(current, minute), current + Duration::minutes(2));
        let counts = HitCounts {
            current: 2,
            previous: 4,
            window_start: current,
            window: minute,
        };
        assert_eq!(counts.estimate(current), 6.0);
        assert_eq!(
            counts.estimate(at),
            3.0,
            "a quarter of the previous window is left"
        );
        assert_eq!(counts.estimate(current + minute), 2.0);
    }
}
