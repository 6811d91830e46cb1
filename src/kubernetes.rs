//! A ready [`kube::Client`] whose credentials kaas refreshes in process before they expire
//! (feature `kube`): no exec plugin, no file.
//!
//! The client fetches a kubeconfig from a source (a provider's credentials endpoint, a
//! kubeconfig with a time to live) and talks to the cluster with it. Before the credential's
//! expiry, a request first fetches a new one; a 401 from the cluster makes the next request
//! fetch one too. A refresh that fails while the current credential is still valid is logged
//! and tried again later; once it has expired, requests fail with the refresh's error.
//!
//! ```no_run
//! # async fn demo(client: kaas::digitalocean::Client, cluster_id: kaas::uuid::Uuid) -> kaas::Result<()> {
//! use std::time::Duration;
//! let kube = client.kube_client(cluster_id, Duration::from_secs(3600)).await?;
//! let version = kube.apiserver_version().await.map_err(|e| kaas::Error::InvalidInput(e.to_string()))?;
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
pub async fn refreshing_client<F, Fut>(fetch: F) -> Result<kube::Client>
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Kubeconfig>> + Send + 'static,
{
    start(fetch, Timers::KubeDefaults).await
}

/// [`refreshing_client`] for a provider client: its connect timeout applies, and a client
/// without timers (`no_timeouts`) makes a kube client without any either.
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
    let first = Connection::open(fetch().await?, timers).await?;
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
    /// When to fetch a new credential (`None`: only after a 401).
    refresh_at: Option<Instant>,
    /// When the credential stops working (`None`: unknown).
    expires_at: Option<Instant>,
    /// The cluster refused the credential: replace it before the next request.
    refused: bool,
}

impl Connection {
    /// A kube-rs client for `kubeconfig`'s current context, with its refresh time.
    async fn open(kubeconfig: Kubeconfig, timers: Timers) -> Result<Connection> {
        let expires_at = kubeconfig.expires_at().map(until);
        let refresh_at = kubeconfig.expires_at().map(refresh_moment);
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
            .map_err(|e| Error::Kubeconfig(format!("kube-rs could not build a client: {e}")))?;
        Ok(Connection {
            client,
            refresh_at: refresh_at.flatten(),
            expires_at: expires_at.flatten(),
            refused: false,
        })
    }
}

/// The instant of the tokio clock when wall-clock time reaches `at` (`None` if too far).
fn until(at: SystemTime) -> Option<Instant> {
    let left = at.duration_since(SystemTime::now()).unwrap_or_default();
    Instant::now().checked_add(left)
}

/// When a credential expiring at `at` should be replaced.
fn refresh_moment(at: SystemTime) -> Option<Instant> {
    let left = at.duration_since(SystemTime::now()).unwrap_or_default();
    let margin = crate::kubeconfig::refresh_margin(left);
    Instant::now().checked_add(left - margin)
}

/// The state every clone of the service shares.
struct Shared {
    fetch: Fetch,
    timers: Timers,
    current: tokio::sync::Mutex<Connection>,
}

impl Shared {
    /// The client to send with: the current one, replaced first when it is due.
    async fn client(&self) -> Result<kube::Client> {
        let mut current = self.current.lock().await;
        let now = Instant::now();
        let due = current.refused || current.refresh_at.is_some_and(|at| now >= at);
        if due {
            let fetched = match (self.fetch)().await {
                Ok(kubeconfig) => Connection::open(kubeconfig, self.timers).await,
                Err(error) => Err(error),
            };
            match fetched {
                Ok(fresh) => *current = fresh,
                Err(error) => {
                    let expired = current.expires_at.is_some_and(|at| now >= at);
                    if expired || current.refused {
                        return Err(error);
                    }
                    tracing::warn!(
                        error = %error,
                        "kaas: could not refresh the cluster credential; the current one is still valid"
                    );
                    current.refresh_at = Some(now + RETRY_AFTER_FAILED_REFRESH);
                }
            }
        }
        Ok(current.client.clone())
    }

    /// The cluster refused the current credential: the next request replaces it.
    async fn refused(&self) {
        self.current.lock().await.refused = true;
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
            let client = shared.client().await?;
            let response = client.send(request).await?;
            if response.status() == StatusCode::UNAUTHORIZED {
                shared.refused().await;
            }
            Ok(response)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_replaced_five_minutes_or_a_fifth_of_their_life_early() {
        let now = Instant::now();
        let in_an_hour = SystemTime::now() + Duration::from_secs(3600);
        let at = refresh_moment(in_an_hour).unwrap();
        let early = at.duration_since(now);
        assert!(
            early.abs_diff(Duration::from_secs(3300)) < Duration::from_secs(5),
            "{early:?}"
        );
        let in_ten_minutes = SystemTime::now() + Duration::from_secs(600);
        let early = refresh_moment(in_ten_minutes).unwrap().duration_since(now);
        assert!(
            early.abs_diff(Duration::from_secs(480)) < Duration::from_secs(5),
            "{early:?}"
        );
        assert!(refresh_moment(SystemTime::UNIX_EPOCH).unwrap() <= Instant::now());
    }
}
