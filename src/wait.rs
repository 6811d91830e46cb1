//! Polling a resource until it reaches the state the caller wants.
//!
//! A wait reads the resource, asks the caller's check what the reading means
//! ([`Progress`]), and sleeps with a growing interval until the check says done, says failed,
//! or the deadline passes. Time is `tokio::time`, so tests drive it with a paused clock.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use crate::error::{Error, Result};

/// How often and how long to poll.
///
/// ```
/// use std::time::Duration;
/// let policy = kaas::WaitPolicy::default().timeout(Duration::from_secs(600));
/// assert_eq!(policy.deadline(), Duration::from_secs(600));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct WaitPolicy {
    initial_interval: Duration,
    max_interval: Duration,
    multiplier: f64,
    timeout: Duration,
}

impl Default for WaitPolicy {
    /// Polls after 5 s, then 1.5× longer each time up to 30 s, for at most 30 minutes.
    fn default() -> Self {
        WaitPolicy {
            initial_interval: Duration::from_secs(5),
            max_interval: Duration::from_secs(30),
            multiplier: 1.5,
            timeout: Duration::from_secs(30 * 60),
        }
    }
}

impl WaitPolicy {
    /// The first interval between two reads.
    pub fn initial_interval(mut self, interval: Duration) -> Self {
        self.initial_interval = interval;
        self
    }

    /// The longest interval between two reads.
    pub fn max_interval(mut self, interval: Duration) -> Self {
        self.max_interval = interval;
        self
    }

    /// How much longer each interval is than the one before (at least 1).
    pub fn multiplier(mut self, multiplier: f64) -> Self {
        self.multiplier = if multiplier.is_finite() {
            multiplier.max(1.0)
        } else {
            1.0
        };
        self
    }

    /// How long to wait in all before giving up.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How long the wait lasts at most.
    pub fn deadline(&self) -> Duration {
        self.timeout
    }
}

/// The interval after `interval`: `multiplier` times longer, at most `max_interval`. Never
/// panics, whatever the policy holds (a multiplier of 1e300, an interval of `Duration::MAX`).
fn next_interval(interval: Duration, policy: &WaitPolicy) -> Duration {
    Duration::try_from_secs_f64(interval.as_secs_f64() * policy.multiplier)
        .unwrap_or(Duration::MAX)
        .min(policy.max_interval)
}

/// What one reading means to the waiter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Progress<T> {
    /// The resource is where the caller wants it; the wait returns this value.
    Done(T),
    /// Not yet; the state seen, for the timeout message.
    Pending(String),
    /// The resource failed; its state and the provider's message, if any.
    Failed {
        /// The failed state.
        state: String,
        /// The provider's explanation.
        message: Option<String>,
    },
}

/// Polls with `poll` until it reports [`Progress::Done`] (returning its value),
/// [`Progress::Failed`] ([`Error::WaitFailed`]) or the policy's deadline passes
/// ([`Error::WaitTimeout`], with the last state seen). An error from `poll` ends the wait.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> kaas::Result<()> {
/// use kaas::wait::{Progress, until};
/// let mut readings = vec!["running", "provisioning"];
/// let state = until("the demo", &kaas::WaitPolicy::default(), || {
///     let state = readings.pop().unwrap_or("running");
///     async move {
///         Ok(match state {
///             "running" => Progress::Done(state),
///             other => Progress::Pending(other.to_string()),
///         })
///     }
/// })
/// .await?;
/// assert_eq!(state, "running");
/// # Ok(()) }
/// ```
pub async fn until<T, F, Fut>(what: &str, policy: &WaitPolicy, mut poll: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Progress<T>>>,
{
    let started = Instant::now();
    let mut interval = policy.initial_interval;
    loop {
        match poll().await? {
            Progress::Done(value) => return Ok(value),
            Progress::Failed { state, message } => {
                return Err(Error::WaitFailed {
                    what: what.to_string(),
                    state,
                    message,
                });
            }
            Progress::Pending(state) => {
                let waited = started.elapsed();
                if waited.saturating_add(interval) > policy.timeout {
                    return Err(Error::WaitTimeout {
                        what: what.to_string(),
                        last_state: state,
                        waited,
                    });
                }
                tracing::debug!(
                    what,
                    state,
                    next_poll_ms = interval.as_millis() as u64,
                    "waiting"
                );
                tokio::time::sleep(interval).await;
                interval = next_interval(interval, policy);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extreme_policies_never_overflow() {
        let policy = WaitPolicy::default()
            .multiplier(1e300)
            .initial_interval(Duration::MAX)
            .max_interval(Duration::MAX);
        assert_eq!(next_interval(Duration::MAX, &policy), Duration::MAX);
        assert_eq!(
            next_interval(Duration::from_secs(1), &policy),
            Duration::MAX,
            "1e300 s does not fit a Duration: clamped"
        );
        let gentle = WaitPolicy::default();
        assert_eq!(
            next_interval(Duration::from_secs(10), &gentle),
            Duration::from_secs(15)
        );
        assert_eq!(
            next_interval(Duration::from_secs(25), &gentle),
            Duration::from_secs(30)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_huge_first_interval_times_out_instead_of_panicking() {
        let policy = WaitPolicy::default()
            .initial_interval(Duration::MAX)
            .multiplier(1e23)
            .timeout(Duration::from_secs(60));
        let outcome = until("the test", &policy, || async {
            Ok(Progress::<()>::Pending("pending".into()))
        })
        .await;
        assert!(
            matches!(outcome, Err(Error::WaitTimeout { .. })),
            "{outcome:?}"
        );
    }
}
