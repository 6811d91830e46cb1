//! A ready [`kube::Client`] whose credentials kaas refreshes in process before they expire
//! (feature `kube`): no exec plugin, no file.
//!
//! The client fetches a kubeconfig from a source (a provider's credentials endpoint, a
//! kubeconfig with a time to live) and talks to the cluster with it. Before the credential's
//! expiry (five minutes, or a fifth of its lifetime, early: by the tokio clock or the wall
//! clock, whichever gets there first, so a machine waking from sleep refreshes at once), the
//! request that finds it due fetches a new one, and requests made meanwhile wait for it. A 401
//! from the cluster makes the next request fetch one too, at most one fetch every ten seconds.
//! A refresh that fails while the current credential is still valid is logged and tried again
//! 30 seconds later; once it has expired, requests fail with the refresh's error.
//!
//! ```no_run
//! # async fn demo(client: kaas::digitalocean::Client, cluster_id: kaas::uuid::Uuid) -> kaas::Result<()> {
//! use std::time::Duration;
//! let kube = client.kube_client(cluster_id, Duration::from_secs(3600)).await?;
//! // A kube-rs error becomes `kaas::Error::Other`, the kube-rs error its source.
//! let version = kube.apiserver_version().await?;
//! println!("Kubernetes {}.{}", version.major, version.minor);
//! # Ok(()) }
//! ```
//!
//! kaas leaves the Kubernetes version to the program, as kube-rs asks of libraries: enable one
//! of `k8s-openapi`'s version features (`k8s-openapi = { version = "0.29", features =
//! ["latest"] }`) in the program that uses this feature.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use http::{Request, Response, StatusCode};
use tokio::time::Instant;

use crate::{Error, Kubeconfig, Result};

/// How long a failed refresh waits before the next try, while the current credential lasts.
const RETRY_AFTER_FAILED_REFRESH: Duration = Duration::from_secs(30);

/// The shortest time between two fetches of a credential.
const MIN_FETCH_GAP: Duration = Duration::from_secs(10);

/// A boxed future of a fresh kubeconfig.
type Fetching = Pin<Box<dyn Future<Output = Result<Kubeconfig>> + Send>>;

/// What fetches a fresh kubeconfig.
type Fetch = Arc<dyn Fn() -> Fetching + Send + Sync>;

/// A [`kube::Client`] whose credentials come from `fetch` and are fetched again before they
/// expire ([`Kubeconfig::expires_at`]; a kubeconfig without expiry is kept until the cluster
/// answers 401). The first kubeconfig is fetched now, so a bad source fails here. The client
/// has kube-rs's default timeouts.
///
/// The provider helpers (`digitalocean::Client::kube_client`, `oks::Client::kube_client`,
/// `inventory::Inventory::kube_client`) call this with their own source.
///
/// ```no_run
/// # async fn demo() -> kaas::Result<()> {
/// // A source of your own: a kubeconfig file, read again whenever the cluster refuses its
/// // credential (a kubeconfig read from text carries no expiry).
/// let kube = kaas::kubernetes::refreshing_client(|| async {
///     let yaml = std::fs::read("/etc/my-cluster/kubeconfig")
///         .map_err(|e| kaas::Error::other("reading the kubeconfig file", e))?;
///     kaas::Kubeconfig::from_bytes(yaml)
/// })
/// .await?;
/// # Ok(()) }
/// ```
pub async fn refreshing_client<F, Fut>(fetch: F) -> Result<kube::Client>
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Kubeconfig>> + Send + 'static,
{
    start(fetch, Timers::KubeDefaults).await
}

/// [`refreshing_client`] for a provider client: the kube client takes its connect timeout
/// (kube-rs's other timeouts stay), and a client without timers (`no_timeouts`) makes a kube
/// client without any.
#[cfg_attr(
    not(any(feature = "digitalocean", feature = "oks")),
    allow(dead_code, reason = "the providers' kube_client helpers are its users")
)]
pub(crate) async fn refreshing_client_beside<F, Fut>(
    provider: &crate::transport::Transport,
    fetch: F,
) -> Result<kube::Client>
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Kubeconfig>> + Send + 'static,
{
    let timers = match provider.timeouts() {
        (None, None) => Timers::None,
        (_, connect) => Timers::Connect(connect),
    };
    start(fetch, timers).await
}

/// The network timers of the kube clients made.
#[derive(Clone, Copy, Debug)]
#[cfg_attr(
    not(any(feature = "digitalocean", feature = "oks")),
    allow(dead_code, reason = "made by refreshing_client_beside")
)]
enum Timers {
    /// kube-rs's defaults.
    KubeDefaults,
    /// kube-rs's defaults, with this connect timeout.
    Connect(Option<Duration>),
    /// No timer at all (tests on a paused clock).
    None,
}

impl Timers {
    fn apply(self, config: &mut kube::Config) {
        match self {
            Timers::KubeDefaults => {}
            Timers::Connect(connect) => config.connect_timeout = connect,
            Timers::None => {
                config.connect_timeout = None;
                config.read_timeout = None;
                config.write_timeout = None;
            }
        }
    }
}

async fn start<F, Fut>(fetch: F, timers: Timers) -> Result<kube::Client>
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Kubeconfig>> + Send + 'static,
{
    let fetch: Fetch = Arc::new(move || Box::pin(fetch()) as Fetching);
    let first = Connection::open(fetch().await?, timers, 0).await?;
    let default_namespace = first.client.default_namespace().to_string();
    let service = Refreshing {
        shared: Arc::new(Shared {
            fetch,
            timers,
            current: tokio::sync::Mutex::new(first),
        }),
    };
    Ok(kube::Client::new(service, default_namespace))
}

/// A client for one credential, and when to replace it.
struct Connection {
    client: kube::Client,
    /// Which fetch made it: a 401 answered to an older connection does not condemn this one.
    generation: u64,
    /// When to fetch a new credential (`None`: only after a 401).
    refresh_at: Option<Moment>,
    /// When the credential stops working (`None`: unknown).
    expires_at: Option<Moment>,
    /// The cluster refused the credential: replace it before the next request.
    refused: bool,
    /// When its credential was fetched.
    fetched_at: Instant,
}

impl Connection {
    /// A kube-rs client for `kubeconfig`'s current context, with its refresh time.
    async fn open(kubeconfig: Kubeconfig, timers: Timers, generation: u64) -> Result<Connection> {
        let (now, wall_now) = (Instant::now(), SystemTime::now());
        let expires_at = kubeconfig
            .expires_at()
            .and_then(|at| Moment::at(at, now, wall_now));
        let refresh_at = kubeconfig
            .expires_at()
            .and_then(|at| Moment::refresh_for(at, now, wall_now));
        let mut config = kube::Config::from_custom_kubeconfig(
            kubeconfig.to_kube_config()?,
            &kube::config::KubeConfigOptions::default(),
        )
        .await
        .map_err(|_| {
            Error::Kubeconfig("kube-rs could not read the kubeconfig's current context".into())
        })?;
        timers.apply(&mut config);
        // kube-rs's own errors here are about TLS material; its messages do not quote it.
        let client = kube::Client::try_from(config)
            .map_err(|e| Error::other("kube-rs could not build a client", e))?;
        Ok(Connection {
            client,
            generation,
            refresh_at,
            expires_at,
            refused: false,
            fetched_at: now,
        })
    }
}

/// A moment on both clocks: the tokio clock (which tests pause) and the wall clock (which
/// goes on while a machine sleeps, when the monotonic one stops).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Moment {
    instant: Instant,
    wall: SystemTime,
}

impl Moment {
    /// The moment the wall clock reads `wall` (`None` if too far to represent).
    fn at(wall: SystemTime, now: Instant, wall_now: SystemTime) -> Option<Moment> {
        let left = wall.duration_since(wall_now).unwrap_or_default();
        Some(Moment {
            instant: now.checked_add(left)?,
            wall,
        })
    }

    /// When a credential expiring at `expires_at` should be replaced:
    /// [`crate::kubeconfig::refresh_margin`] of what is left of it before.
    fn refresh_for(expires_at: SystemTime, now: Instant, wall_now: SystemTime) -> Option<Moment> {
        let left = expires_at.duration_since(wall_now).unwrap_or_default();
        let early = left - crate::kubeconfig::refresh_margin(left);
        Some(Moment {
            instant: now.checked_add(early)?,
            wall: wall_now.checked_add(early)?,
        })
    }

    /// Whether either clock has reached it.
    fn reached(&self, now: Instant, wall_now: SystemTime) -> bool {
        now >= self.instant || wall_now >= self.wall
    }
}

/// The state every clone of the service shares.
struct Shared {
    fetch: Fetch,
    timers: Timers,
    current: tokio::sync::Mutex<Connection>,
}

impl Shared {
    /// The client to send with, and its generation: the current one, replaced first when it
    /// is due. The request that finds it due waits for the new credential; the others wait
    /// for that request. At most one fetch every [`MIN_FETCH_GAP`], so a credential the
    /// cluster keeps refusing, or one already expired when it arrives, does not make every
    /// request call the provider.
    async fn client(&self) -> Result<(kube::Client, u64)> {
        let mut current = self.current.lock().await;
        let (now, wall_now) = (Instant::now(), SystemTime::now());
        let due = current.refused
            || current
                .refresh_at
                .is_some_and(|at| at.reached(now, wall_now));
        let may_fetch = now >= current.fetched_at + MIN_FETCH_GAP;
        if due && may_fetch {
            let generation = current.generation + 1;
            let fetched = match (self.fetch)().await {
                Ok(kubeconfig) => Connection::open(kubeconfig, self.timers, generation).await,
                Err(error) => Err(error),
            };
            match fetched {
                Ok(fresh) => *current = fresh,
                Err(error) => {
                    let expired = current
                        .expires_at
                        .is_some_and(|at| at.reached(now, wall_now));
                    if expired || current.refused {
                        return Err(error);
                    }
                    tracing::warn!(
                        error = %error,
                        "kaas: could not refresh the cluster credential; the current one is still valid"
                    );
                    current.refresh_at =
                        Moment::at(wall_now + RETRY_AFTER_FAILED_REFRESH, now, wall_now);
                }
            }
        }
        Ok((current.client.clone(), current.generation))
    }

    /// The cluster refused the credential of `generation`: if it is still the current one,
    /// the next request replaces it.
    async fn refused(&self, generation: u64) {
        let mut current = self.current.lock().await;
        if current.generation == generation {
            current.refused = true;
        }
    }
}

/// The tower service under the returned [`kube::Client`]: each request goes through the
/// client of the current credential.
#[derive(Clone)]
struct Refreshing {
    shared: Arc<Shared>,
}

impl tower::Service<Request<kube::client::Body>> for Refreshing {
    type Response = Response<kube::client::Body>;
    type Error = tower::BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<kube::client::Body>) -> Self::Future {
        let shared = Arc::clone(&self.shared);
        Box::pin(async move {
            let (client, generation) = shared.client().await?;
            let response = client.send(request).await?;
            if response.status() == StatusCode::UNAUTHORIZED {
                shared.refused(generation).await;
            }
            Ok(response)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: Duration = Duration::from_secs(3600);

    #[test]
    fn credentials_are_replaced_five_minutes_or_a_fifth_of_their_life_early() {
        let (now, wall_now) = (
            Instant::now(),
            SystemTime::UNIX_EPOCH + HOUR * 24 * 365 * 50,
        );
        let refresh = Moment::refresh_for(wall_now + HOUR, now, wall_now).unwrap();
        assert_eq!(refresh.instant - now, Duration::from_secs(3300));
        assert_eq!(refresh.wall, wall_now + Duration::from_secs(3300));
        let refresh =
            Moment::refresh_for(wall_now + Duration::from_secs(600), now, wall_now).unwrap();
        assert_eq!(refresh.instant - now, Duration::from_secs(480));
        // Already expired (a skewed clock): due at once.
        let refresh = Moment::refresh_for(wall_now - HOUR, now, wall_now).unwrap();
        assert!(refresh.reached(now, wall_now));
    }

    #[test]
    fn a_moment_is_reached_on_either_clock() {
        let (now, wall_now) = (
            Instant::now(),
            SystemTime::UNIX_EPOCH + HOUR * 24 * 365 * 50,
        );
        let moment = Moment::at(wall_now + HOUR, now, wall_now).unwrap();
        assert!(!moment.reached(now, wall_now));
        assert!(
            moment.reached(now + HOUR, wall_now),
            "the tokio clock (paused in tests)"
        );
        // The monotonic clock stood still while the machine slept; the wall clock went on.
        assert!(moment.reached(now, wall_now + HOUR), "the wall clock");
    }
}
