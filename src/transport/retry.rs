//! When a failed request is sent again, and how long to wait before it.

use std::time::Duration;

/// Statuses retried for idempotent requests.
pub(super) const RETRY_STATUSES: [u16; 4] = [429, 502, 503, 504];

/// When and how often a failed request is tried again. Setters are `with_*`, getters the bare
/// names, as in [`WaitPolicy`](crate::WaitPolicy).
///
/// ```
/// use std::time::Duration;
/// let policy = kaas::RetryPolicy::default()
///     .with_max_attempts(6)
///     .with_initial_backoff(Duration::from_millis(200))
///     .with_max_elapsed(Duration::from_secs(60));
/// assert_eq!(policy.max_attempts(), 6);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    pub(super) max_attempts: u32,
    pub(super) initial_backoff: Duration,
    pub(super) max_backoff: Duration,
    pub(super) max_elapsed: Duration,
}

impl Default for RetryPolicy {
    /// 4 attempts, backoff from 500 ms doubling up to 30 s, at most 2 minutes in all.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            max_elapsed: Duration::from_secs(120),
        }
    }
}

impl RetryPolicy {
    /// Never retry: every request is sent once.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// How many times a request is sent at most (1 = no retry). Zero is treated as one.
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The cap of the first backoff; it doubles with each attempt. Clamped to `max_backoff`.
    pub fn with_initial_backoff(mut self, delay: Duration) -> Self {
        self.initial_backoff = delay;
        self
    }

    /// The longest single wait. A server asking for a longer wait (`Retry-After`) is not retried:
    /// the error is returned with [`ApiError::retry_after`](crate::ApiError::retry_after) set, so the caller decides.
    pub fn with_max_backoff(mut self, delay: Duration) -> Self {
        self.max_backoff = delay;
        self
    }

    /// The most time spent waiting between attempts of one request.
    pub fn with_max_elapsed(mut self, budget: Duration) -> Self {
        self.max_elapsed = budget;
        self
    }

    /// How many times a request is sent at most.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The cap of the first backoff.
    pub fn initial_backoff(&self) -> Duration {
        self.initial_backoff
    }

    /// The longest single wait between attempts.
    pub fn max_backoff(&self) -> Duration {
        self.max_backoff
    }

    /// The most time spent waiting between attempts of one request.
    pub fn max_elapsed(&self) -> Duration {
        self.max_elapsed
    }

    /// Equal jitter: a random wait between half and all of `initial * 2^(attempt-1)`, capped
    /// by `max_backoff`. A retry always waits at least half the doubling step, so retries never
    /// come in a burst, and clients that failed together spread out.
    pub(crate) fn backoff(&self, attempt: u32) -> Duration {
        let exponent = attempt.saturating_sub(1).min(20);
        let cap = self
            .initial_backoff
            .saturating_mul(1 << exponent)
            .min(self.max_backoff);
        let cap_ms = u64::try_from(cap.as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(fastrand::u64(cap_ms / 2..=cap_ms))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_equal_jitter_under_a_doubling_cap() {
        let policy = RetryPolicy::default()
            .with_initial_backoff(Duration::from_millis(100))
            .with_max_backoff(Duration::from_millis(1000));
        for attempt in 1..=8u32 {
            let cap =
                Duration::from_millis(100 * (1 << (attempt - 1))).min(Duration::from_millis(1000));
            for _ in 0..50 {
                let delay = policy.backoff(attempt);
                assert!(delay <= cap && delay >= cap / 2, "{attempt}: {delay:?}");
            }
        }
        let extreme = RetryPolicy::default()
            .with_initial_backoff(Duration::MAX)
            .with_max_backoff(Duration::MAX);
        // The cap saturates instead of overflowing; equal jitter still waits at least half.
        assert!(extreme.backoff(u32::MAX) >= Duration::from_millis(u64::MAX / 2));
        assert_eq!(RetryPolicy::none().max_attempts(), 1);
        assert_eq!(
            RetryPolicy::default().with_max_attempts(0).max_attempts(),
            1
        );
    }

    #[test]
    fn each_setting_is_read_back_as_set() {
        let policy = RetryPolicy::default()
            .with_max_attempts(6)
            .with_initial_backoff(Duration::from_millis(200))
            .with_max_backoff(Duration::from_secs(5))
            .with_max_elapsed(Duration::from_secs(60));
        assert_eq!(policy.max_attempts(), 6);
        assert_eq!(policy.initial_backoff(), Duration::from_millis(200));
        assert_eq!(policy.max_backoff(), Duration::from_secs(5));
        assert_eq!(policy.max_elapsed(), Duration::from_secs(60));
        let default = RetryPolicy::default();
        assert_eq!(
            (
                default.max_attempts(),
                default.initial_backoff(),
                default.max_backoff(),
                default.max_elapsed()
            ),
            (
                4,
                Duration::from_millis(500),
                Duration::from_secs(30),
                Duration::from_secs(120)
            )
        );
    }
}
