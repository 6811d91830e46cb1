//! `kaas wait`: reads a cluster until it reaches a state.

use std::future::Future;
use std::io::IsTerminal as _;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use kaas::WaitPolicy;
use kaas::inventory::{ClusterRef, ClusterState};
use kaas::wait::Progress;

use crate::duration;
use crate::failure::{Code, Failure};
use crate::output;

/// The states `--until` takes (every state but `unknown`).
const STATES: [ClusterState; 7] = [
    ClusterState::Provisioning,
    ClusterState::Running,
    ClusterState::Upgrading,
    ClusterState::Degraded,
    ClusterState::Failed,
    ClusterState::Deleting,
    ClusterState::Deleted,
];

/// The parser of `--until`: a state's name, as [`ClusterState::name`] gives it.
pub fn state_parser() -> impl clap::builder::TypedValueParser<Value = ClusterState> {
    use clap::builder::TypedValueParser as _;
    clap::builder::PossibleValuesParser::new(STATES.map(ClusterState::name)).map(|name| {
        STATES
            .into_iter()
            .find(|state| state.name() == name)
            .unwrap_or(ClusterState::Unknown)
    })
}

/// What `kaas wait` was asked.
#[derive(Debug)]
pub struct Wait {
    /// The cluster.
    pub cluster: ClusterRef,
    /// The state waited for.
    pub until: ClusterState,
    /// The longest wait.
    pub timeout: Duration,
    /// The time between two reads.
    pub interval: Duration,
}

/// One read of the cluster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reading {
    /// The cluster, in this state (the provider's word beside it).
    Seen {
        /// Its name.
        name: String,
        /// Its state.
        state: ClusterState,
        /// The provider's own word for it.
        raw_state: String,
    },
    /// The provider has no such cluster any more (the end of a wait for `deleted`).
    Gone,
}

/// Reads the cluster every `interval` until it is in the wanted state (exit 0, the cluster
/// and its state on stdout), `failed` (exit 6, unless `failed` is what is waited for) or the
/// timeout passes (exit 5; the state is read once more at the timeout). Waiting for `deleted`, a cluster that is no longer found counts
/// as deleted; otherwise not found is exit 4. With stderr on a terminal, a spinner shows the
/// time waited and the last state.
pub async fn run(wait: Wait, selected: &[String]) -> Result<(), Failure> {
    let inventory = crate::accounts::inventory(selected, crate::accounts::Warnings::Show)?;
    let progress = Spinner::start(&wait);
    let reached = poll(
        &wait,
        || async {
            let summary = inventory.find(&wait.cluster).await?;
            Ok(Reading::Seen {
                name: summary.name,
                state: summary.state,
                raw_state: summary.raw_state,
            })
        },
        |reading| progress.show(reading),
    )
    .await;
    progress.finish();
    let text = match reached? {
        Reading::Seen { name, state, .. } => {
            format!(
                "{}/{} is {state}\n",
                wait.cluster.account,
                output::printable(&name)
            )
        }
        Reading::Gone => format!("{} is deleted (no longer found)\n", wait.cluster),
    };
    output::print(&text)
}

/// How much longer than `--timeout` a read that hangs is given before the wait ends without
/// an answer.
const HUNG_READ_GRACE: Duration = Duration::from_secs(10);

/// The wait itself, over any way to read the cluster: the library's wait loop
/// ([`kaas::wait::until`]) reading every `interval` until `timeout`, and a read that hangs
/// ended [`HUNG_READ_GRACE`] after that. Returns the reading in the wanted state, or the
/// failure that ended the wait. Time is tokio's, so tests can pause it.
pub async fn poll<R, F>(
    wait: &Wait,
    mut read: R,
    seen: impl Fn(&Reading),
) -> Result<Reading, Failure>
where
    R: FnMut() -> F,
    F: Future<Output = kaas::Result<Reading>>,
{
    let policy = WaitPolicy::default()
        .with_initial_interval(wait.interval)
        .with_max_interval(wait.interval)
        .with_multiplier(1.0)
        .with_deadline(wait.timeout);
    let what = wait.cluster.to_string();
    let waiting = kaas::wait::until(&what, &policy, || {
        let reading = read();
        let seen = &seen;
        async move {
            let reading = match reading.await {
                Ok(reading) => reading,
                Err(error) if wait.until == ClusterState::Deleted && error.is_not_found() => {
                    Reading::Gone
                }
                Err(error) => return Err(error),
            };
            seen(&reading);
            Ok(judge(wait.until, reading))
        }
    });
    // The loop itself gives up at `timeout`, naming the last state; this bound only ends a
    // read that hangs, so it leaves the loop room to finish its last read first.
    let bound = wait.timeout.saturating_add(HUNG_READ_GRACE);
    match tokio::time::timeout(bound, waiting).await {
        Ok(Ok(reading)) => Ok(reading),
        Ok(Err(error)) => Err(error.into()),
        Err(_elapsed) => Err(Failure::new(
            Code::TimedOut,
            format!(
                "gave up waiting for {what} to be {} after {}: no answer",
                wait.until,
                duration::show(bound)
            ),
        )),
    }
}

/// What a reading means to a wait for `until`.
fn judge(until: ClusterState, reading: Reading) -> Progress<Reading> {
    match &reading {
        Reading::Gone => Progress::Done(reading),
        Reading::Seen { state, .. } if *state == until => Progress::Done(reading),
        Reading::Seen {
            state: ClusterState::Failed,
            raw_state,
            ..
        } => Progress::Failed {
            state: format!("`{}`", output::printable(raw_state)),
            message: Some(format!("while waiting for it to be {until}")),
            reading: Some(reading),
        },
        Reading::Seen {
            state, raw_state, ..
        } => Progress::Pending {
            state: format!("{state} (`{}`)", output::printable(raw_state)),
            reading: Some(reading),
        },
    }
}

/// The spinner on stderr, when stderr is a terminal.
struct Spinner {
    /// The spinner, or `None` when stderr is not a terminal.
    bar: Option<ProgressBar>,
    /// What is waited for, e.g. `digitalocean/prod to be running`.
    what: String,
}

impl Spinner {
    /// Starts the spinner, if stderr is a terminal.
    fn start(wait: &Wait) -> Spinner {
        let what = format!("{} to be {}", wait.cluster, wait.until);
        if !std::io::stderr().is_terminal() {
            return Spinner { bar: None, what };
        }
        let bar = ProgressBar::new_spinner();
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
            bar.set_style(style);
        }
        bar.set_message(format!("waiting for {what}"));
        bar.enable_steady_tick(Duration::from_millis(120));
        Spinner {
            bar: Some(bar),
            what,
        }
    }

    /// Shows the last state read.
    fn show(&self, reading: &Reading) {
        if let (
            Some(bar),
            Reading::Seen {
                state, raw_state, ..
            },
        ) = (&self.bar, reading)
        {
            bar.set_message(format!(
                "waiting for {}: {state} (`{}`)",
                self.what,
                output::printable(raw_state)
            ));
        }
    }

    /// Clears the spinner.
    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kaas::inventory::Provider;
    use std::collections::VecDeque;
    use tokio::time::Instant;

    /// A wait for `oks/prod` of a minute, reading every 10 s.
    fn wait(until: ClusterState) -> Wait {
        Wait {
            cluster: ClusterRef::new(Provider::Oks, "prod"),
            until,
            timeout: Duration::from_secs(60),
            interval: Duration::from_secs(10),
        }
    }

    /// A reading of the cluster in `state`.
    fn seen(state: ClusterState) -> kaas::Result<Reading> {
        Ok(Reading::Seen {
            name: "prod".into(),
            state,
            raw_state: state.name().to_uppercase(),
        })
    }

    /// Polls with readings taken from `script` (the last one repeated), returning the result,
    /// the reads made and the time waited.
    async fn run_script(
        wait: &Wait,
        script: Vec<kaas::Result<Reading>>,
    ) -> (Result<Reading, Failure>, usize, Duration) {
        let mut script = VecDeque::from(script);
        let mut reads = 0;
        let start = Instant::now();
        let outcome = poll(
            wait,
            || {
                reads += 1;
                let next = match script.front() {
                    Some(Ok(reading)) if script.len() == 1 => Some(Ok(reading.clone())),
                    _ => script.pop_front(),
                };
                async move { next.unwrap_or_else(|| Err(kaas::Error::InvalidInput("none".into()))) }
            },
            |_| {},
        )
        .await;
        (outcome, reads, start.elapsed())
    }

    #[tokio::test(start_paused = true)]
    async fn a_wait_reads_every_interval_until_the_state_is_reached() {
        let (outcome, reads, waited) = run_script(
            &wait(ClusterState::Running),
            vec![
                seen(ClusterState::Provisioning),
                seen(ClusterState::Provisioning),
                seen(ClusterState::Running),
            ],
        )
        .await;
        assert_eq!(outcome.unwrap(), seen(ClusterState::Running).unwrap());
        assert_eq!((reads, waited), (3, Duration::from_secs(20)));
    }

    #[tokio::test(start_paused = true)]
    async fn failed_ends_the_wait_unless_it_is_what_is_waited_for() {
        let script = || vec![seen(ClusterState::Provisioning), seen(ClusterState::Failed)];
        let (outcome, reads, _) = run_script(&wait(ClusterState::Running), script()).await;
        let failure = outcome.unwrap_err();
        assert_eq!((failure.code, reads), (Code::ClusterFailed, 2));
        let message = failure.message.unwrap();
        assert!(
            message
                .contains("oks/prod failed: state `FAILED` (while waiting for it to be running)"),
            "{message}"
        );
        let (outcome, _, _) = run_script(&wait(ClusterState::Failed), script()).await;
        assert!(outcome.is_ok());
    }

    #[tokio::test(start_paused = true)]
    async fn the_timeout_ends_the_wait_on_time_naming_the_last_state() {
        let (outcome, reads, waited) = run_script(
            &wait(ClusterState::Running),
            vec![seen(ClusterState::Upgrading)],
        )
        .await;
        let failure = outcome.unwrap_err();
        assert_eq!(failure.code, Code::TimedOut);
        assert_eq!(waited, Duration::from_secs(60));
        assert_eq!(reads, 7, "at 0, 10, ..., 60 s");
        let message = failure.message.unwrap();
        assert!(
            message.contains("after 60s; last state seen: upgrading (`UPGRADING`)"),
            "{message}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn an_interval_longer_than_the_timeout_still_reads_at_the_timeout() {
        let mut wait = wait(ClusterState::Deleting);
        (wait.timeout, wait.interval) = (Duration::from_secs(20), Duration::from_secs(30));
        let (outcome, reads, waited) = run_script(&wait, vec![seen(ClusterState::Running)]).await;
        assert_eq!(outcome.unwrap_err().code, Code::TimedOut);
        assert_eq!(
            (reads, waited),
            (2, Duration::from_secs(20)),
            "at 0 and 20 s"
        );
        let (outcome, reads, waited) = run_script(
            &wait,
            vec![seen(ClusterState::Running), seen(ClusterState::Deleting)],
        )
        .await;
        assert_eq!(outcome.unwrap(), seen(ClusterState::Deleting).unwrap());
        assert_eq!((reads, waited), (2, Duration::from_secs(20)));
        wait.interval = Duration::from_secs(8);
        let (_, reads, waited) = run_script(&wait, vec![seen(ClusterState::Running)]).await;
        assert_eq!(
            (reads, waited),
            (4, Duration::from_secs(20)),
            "at 0, 8, 16, 20 s"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_read_that_hangs_past_the_deadline_is_a_timeout() {
        let wait = wait(ClusterState::Running);
        let started = Instant::now();
        let outcome = poll(&wait, std::future::pending::<kaas::Result<Reading>>, |_| {}).await;
        let failure = outcome.unwrap_err();
        assert_eq!(failure.code, Code::TimedOut);
        assert_eq!(started.elapsed(), Duration::from_secs(70));
        assert!(failure.message.unwrap().contains("after 1m10s: no answer"));
    }

    #[tokio::test(start_paused = true)]
    async fn not_found_is_deleted_when_waiting_for_deleted_and_exit_4_otherwise() {
        let gone = || {
            Err(kaas::Error::ClusterNotFound {
                provider: "oks".into(),
                cluster: "prod".into(),
            })
        };
        let (outcome, _, _) = run_script(
            &wait(ClusterState::Deleted),
            vec![seen(ClusterState::Deleting), gone()],
        )
        .await;
        assert_eq!(outcome.unwrap(), Reading::Gone);
        let (outcome, _, _) = run_script(&wait(ClusterState::Running), vec![gone()]).await;
        assert_eq!(outcome.unwrap_err().code, Code::NotFound);
    }

    #[test]
    fn until_takes_the_state_names() {
        use clap::builder::TypedValueParser as _;
        let command = clap::Command::new("t");
        let parser = state_parser();
        for state in STATES {
            let parsed = parser.parse_ref(&command, None, std::ffi::OsStr::new(state.name()));
            assert_eq!(parsed.unwrap(), state);
        }
        assert!(
            parser
                .parse_ref(&command, None, std::ffi::OsStr::new("unknown"))
                .is_err()
        );
    }
}
