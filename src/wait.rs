//! Polling a resource until it reaches the state the caller wants.
//!
//! A wait reads the resource, asks the caller's check what the reading means
//! ([`Progress`]), and sleeps with a growing interval until the check says done, says failed,
//! or the deadline passes (the last sleep ends at the deadline, for a last read there). Time
//! is `tokio::time`, so tests drive it with a paused clock.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::time::Duration;

use futures::future::BoxFuture;

use tokio::time::Instant;

pub use crate::error::Reading;
use crate::error::{Error, Result};

/// How often and how long to poll. Setters are `with_*`, getters the bare names, as in
/// [`RetryPolicy`](crate::RetryPolicy).
///
/// ```
/// use std::time::Duration;
/// let policy = kaas::WaitPolicy::default().with_deadline(Duration::from_secs(600));
/// assert_eq!(policy.deadline(), Duration::from_secs(600));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct WaitPolicy {
    initial_interval: Duration,
    max_interval: Duration,
    multiplier: f64,
    deadline: Duration,
}

impl Default for WaitPolicy {
    /// Polls after 5 s, then 1.5× longer each time up to 30 s, for at most 30 minutes.
    fn default() -> Self {
        WaitPolicy {
            initial_interval: Duration::from_secs(5),
            max_interval: Duration::from_secs(30),
            multiplier: 1.5,
            deadline: Duration::from_secs(30 * 60),
        }
    }
}

impl WaitPolicy {
    /// The first interval between two reads.
    pub fn with_initial_interval(mut self, interval: Duration) -> Self {
        self.initial_interval = interval;
        self
    }

    /// The longest interval between two reads.
    pub fn with_max_interval(mut self, interval: Duration) -> Self {
        self.max_interval = interval;
        self
    }

    /// How much longer each interval is than the one before (at least 1; not a number: 1).
    pub fn with_multiplier(mut self, multiplier: f64) -> Self {
        self.multiplier = if multiplier.is_finite() {
            multiplier.max(1.0)
        } else {
            1.0
        };
        self
    }

    /// How long to wait in all before giving up.
    pub fn with_deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// The first interval between two reads.
    pub fn initial_interval(&self) -> Duration {
        self.initial_interval
    }

    /// The longest interval between two reads.
    pub fn max_interval(&self) -> Duration {
        self.max_interval
    }

    /// How much longer each interval is than the one before.
    pub fn multiplier(&self) -> f64 {
        self.multiplier
    }

    /// How long a wait lasts at most.
    pub fn deadline(&self) -> Duration {
        self.deadline
    }
}

/// A wait a client method has set up, run by `.await`. Before awaiting, the policy can be
/// changed for this one call.
///
/// ```no_run
/// # #[cfg(feature = "digitalocean")]
/// # async fn demo(client: kaas::digitalocean::Client, id: uuid::Uuid) -> kaas::Result<()> {
/// use std::time::Duration;
/// let cluster = client
///     .wait_until_running(id)
///     .deadline(Duration::from_secs(600))
///     .await?;
/// # Ok(()) }
/// ```
#[must_use = "a wait does nothing until it is awaited"]
pub struct Wait<'a, T> {
    policy: WaitPolicy,
    run: Box<dyn FnOnce(WaitPolicy) -> BoxFuture<'a, Result<T>> + Send + 'a>,
}

impl<T> fmt::Debug for Wait<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Wait")
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl<'a, T> Wait<'a, T> {
    /// A wait that runs `run` with the policy in force when it is awaited.
    pub(crate) fn new(
        policy: WaitPolicy,
        run: impl FnOnce(WaitPolicy) -> BoxFuture<'a, Result<T>> + Send + 'a,
    ) -> Self {
        Wait {
            policy,
            run: Box::new(run),
        }
    }

    /// Gives up after `deadline` for this call (the client's policy otherwise).
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.policy = self.policy.with_deadline(deadline);
        self
    }

    /// Polls with `policy` for this call.
    pub fn policy(mut self, policy: WaitPolicy) -> Self {
        self.policy = policy;
        self
    }
}

impl<'a, T: 'a> IntoFuture for Wait<'a, T> {
    type Output = Result<T>;
    type IntoFuture = BoxFuture<'a, Result<T>>;

    fn into_future(self) -> Self::IntoFuture {
        (self.run)(self.policy)
    }
}

/// The interval after `interval`: `multiplier` times longer, at most `max_interval`. Never
/// panics, whatever the policy holds (a multiplier of 1e300, an interval of `Duration::MAX`).
fn next_interval(interval: Duration, policy: &WaitPolicy) -> Duration {
    Duration::try_from_secs_f64(interval.as_secs_f64() * policy.multiplier)
        .unwrap_or(Duration::MAX)
        .min(policy.max_interval)
}

/// What one reading means to the waiter. Each variant keeps the typed reading, so a wait that
/// fails or times out still hands it to the caller ([`Error::last_reading`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Progress<T> {
    /// The resource is where the caller wants it; the wait returns this value.
    Done(T),
    /// Not yet.
    Pending {
        /// The state seen, for messages.
        state: String,
        /// The reading, when there is one.
        reading: Option<T>,
    },
    /// The resource failed.
    Failed {
        /// The failed state.
        state: String,
        /// The provider's explanation.
        message: Option<String>,
        /// The reading, when there is one.
        reading: Option<T>,
    },
}

/// Polls with `poll` until it reports [`Progress::Done`] (returning its value),
/// [`Progress::Failed`] ([`Error::WaitFailed`]) or the policy's deadline passes
/// ([`Error::WaitTimeout`], with the last state and reading). An error from `poll` ends the wait.
/// A sleep that would pass the deadline is cut short there and the state is read once more,
/// so a wait always reads at its deadline (with an interval of 8 s and a deadline of 20 s:
/// at 0, 8, 16 and 20 s).
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
///             other => Progress::Pending { state: other.to_string(), reading: Some(state) },
///         })
///     }
/// })
/// .await?;
/// assert_eq!(state, "running");
/// # Ok(()) }
/// ```
pub async fn until<T, F, Fut>(what: &str, policy: &WaitPolicy, mut poll: F) -> Result<T>
where
    T: Send + Sync + 'static,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Progress<T>>>,
{
    let started = Instant::now();
    let mut interval = policy.initial_interval;
    loop {
        match poll().await? {
            Progress::Done(value) => return Ok(value),
            Progress::Failed {
                state,
                message,
                reading,
            } => {
                return Err(Error::WaitFailed {
                    what: what.to_string(),
                    state,
                    message,
                    reading: reading.map(crate::error::Reading::new),
                });
            }
            Progress::Pending { state, reading } => {
                let waited = started.elapsed();
                let left = policy.deadline.saturating_sub(waited);
                if left.is_zero() {
                    return Err(Error::WaitTimeout {
                        what: what.to_string(),
                        last_state: state,
                        waited,
                        reading: reading.map(crate::error::Reading::new),
                    });
                }
                // The last sleep ends at the deadline, where the state is read once more.
                let pause = interval.min(left);
                tracing::debug!(
                    what,
                    state,
                    next_poll_ms = u64::try_from(pause.as_millis()).unwrap_or(u64::MAX),
                    "waiting"
                );
                tokio::time::sleep(pause).await;
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
            .with_multiplier(1e300)
            .with_initial_interval(Duration::MAX)
            .with_max_interval(Duration::MAX);
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
            .with_initial_interval(Duration::MAX)
            .with_multiplier(1e23)
            .with_deadline(Duration::from_secs(60));
        let outcome = until("the test", &policy, || async {
            Ok(Progress::<()>::Pending {
                state: "pending".into(),
                reading: None,
            })
        })
        .await;
        assert!(
            matches!(outcome, Err(Error::WaitTimeout { .. })),
            "{outcome:?}"
        );
    }
}
