//! Commissaire (REST API v0): a self-hosted cluster manager.
//!
//! There is no default base URL: give your server's (often `https://host:8000`; plain
//! `http://` only to loopback), and a root certificate for a self-signed server. Credentials
//! are sent up front (HTTP Basic, or a bearer token); a failed login answers 403. Error bodies
//! are reason phrases (`Not Found`), which become [`crate::ApiError::message`].
//!
//! ```no_run
//! # async fn demo() -> kaas::Result<()> {
//! use kaas::commissaire::{Client, types};
//! let client = Client::builder()
//!     .base_url("https://commissaire.example.com:8000")
//!     .basic_auth("admin", "password")
//!     .build()?;
//! let body = types::DeployRequest { version: "7.2.6".into() };
//! client.start_cluster_deploy().name("prod").body(body).send().await?;
//! let deploy = client.wait_until_deployed("prod").await?;
//! println!("deployed to {:?}", deploy.deployed);
//! # Ok(()) }
//! ```
//!
//! # What the server does
//!
//! These facts come from the server's own source (projectatomic/commissaire-http), where the
//! REST document is silent or differs:
//!
//! - Every PUT that creates a record answers 201 with that record ([`types::Cluster`],
//!   [`types::Host`], [`types::Network`], [`types::ContainerManagerConfig`]); starting a deploy,
//!   upgrade or restart answers 201 with the operation's record. The membership PUTs answer 200:
//!   `set_cluster_members` with the cluster (its `hostset` included), `add_cluster_member` with
//!   the address in a list. Every DELETE answers 200 with `[]`.
//! - The create and membership answers carry the stored cluster, whose `status` is `""`
//!   ([`types::ClusterState::NotComputed`]); only `get_cluster` computes it.
//! - A cluster that does not exist is answered **500**, not 404, by `get_cluster` and by the
//!   membership test, with the same `Internal Server Error` page as any failure of the server.
//!   After such a 500 the facade's methods read the cluster list: a cluster it lacks is
//!   [`Error::ClusterNotFound`] ([`Error::is_not_found`]); otherwise the 500 stays an
//!   [`Error::Api`] ([`Client::cluster_missing`]). [`Client::host_in_cluster`] never answers
//!   `Ok(false)` for a missing cluster.
//! - A deploy started on a missing cluster is accepted (201) and its record stays
//!   `in_process` for ever, and the records of a deleted cluster's operations stay readable,
//!   so the waits read the cluster once, with the first record, and fail at once, naming it,
//!   when the server cannot find it (upgrade and restart are refused with 404 up front).
//! - `register_host` needs the host's `address` in its body ([`types::HostRegistration`]).
//! - The server routes only names matching `[A-Za-z0-9_-]+` ([`types::ClusterName`],
//!   [`types::NetworkName`], [`types::ContainerManagerName`]) and host addresses matching
//!   `[a-zA-Z0-9._-]+` ([`types::HostAddress`]; no IPv6): anything else would be answered 404
//!   by its router, so the client refuses it with [`Error::InvalidInput`] before sending.
//! - The PUTs that create a record or start an operation are never retried (a retried deploy
//!   would be a second deploy); the membership PUTs and every GET and DELETE are.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use secrecy::SecretString;

use crate::auth::{Authenticate, Basic, Bearer};
use crate::error::{DecodedErrorBody, Error, Result};
use crate::transport::{Build, ClientBuilder, ProviderProfile, quoted};
use crate::wait::{self, Progress, Wait};

crate::generated_provider!("commissaire");

pub(crate) static PROFILE: ProviderProfile = ProviderProfile {
    name: "commissaire",
    default_base_url: None,
    api_root: crate::transport::ApiRoot::InPaths { version: "/api/v0" },
    decode_error,
    operations: OPERATIONS,
};

/// Commissaire's error bodies are not JSON: the transport keeps their text as the message.
fn decode_error(_body: &[u8]) -> Option<DecodedErrorBody> {
    None
}

/// The credentials a Commissaire [`ClientBuilder`] collects, in a private module: public for
/// the sealed build trait, unnameable outside.
mod credentials {
    #[derive(Default)]
    pub struct Credentials {
        pub(super) scheme: Option<super::Scheme>,
    }
}
use credentials::Credentials;

enum Scheme {
    Basic(String, SecretString),
    Token(SecretString),
}

impl ClientBuilder<Client> {
    /// Authenticates with a login and password (HTTP Basic, sent with every request).
    pub fn basic_auth(mut self, login: impl Into<String>, password: impl Into<String>) -> Self {
        self.credentials.scheme = Some(Scheme::Basic(
            login.into(),
            SecretString::from(password.into()),
        ));
        self
    }

    /// Authenticates with a bearer token.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.credentials.scheme = Some(Scheme::Token(SecretString::from(token.into())));
        self
    }
}

impl Build for Client {
    type Credentials = Credentials;

    fn build(builder: ClientBuilder<Self>) -> Result<Self> {
        let auth: Arc<dyn Authenticate> = match builder.credentials.scheme {
            Some(Scheme::Basic(login, password)) => Arc::new(Basic::new(&login, &password)?),
            Some(Scheme::Token(token)) => Arc::new(Bearer::new(&token)?),
            None => {
                return Err(Error::InvalidInput(
                    "Commissaire needs credentials: `.basic_auth(..)` or `.token(..)`".into(),
                ));
            }
        };
        let connection = builder.settings.connect(&PROFILE, auth)?;
        Ok(Client::from_connection(connection))
    }
}

/// One of the three cluster operations, as the waits read them.
trait ClusterOperation {
    fn state(&self) -> &types::OperationState;
}

macro_rules! cluster_operation {
    ($($model:ident),*) => {$(
        impl ClusterOperation for types::$model {
            fn state(&self) -> &types::OperationState {
                &self.status
            }
        }
    )*};
}
cluster_operation!(ClusterDeploy, ClusterUpgrade, ClusterRestart);

impl Client {
    /// A client for the server at `base_url` with HTTP Basic credentials.
    ///
    /// ```no_run
    /// let client = kaas::commissaire::Client::new("https://commissaire.example.com:8000", "admin", "password")?;
    /// # Ok::<(), kaas::Error>(())
    /// ```
    pub fn new(
        base_url: impl Into<String>,
        login: impl Into<String>,
        password: impl Into<String>,
    ) -> Result<Self> {
        Self::builder()
            .base_url(base_url)
            .basic_auth(login, password)
            .build()
    }

    /// A builder for other settings (token, root certificate, timeouts, retries, waits).
    ///
    /// ```no_run
    /// let client = kaas::commissaire::Client::builder()
    ///     .base_url("https://commissaire.internal:8000")
    ///     .root_certificate_pem(std::fs::read("ca.pem").unwrap_or_default())
    ///     .token("token")
    ///     .build()?;
    /// # Ok::<(), kaas::Error>(())
    /// ```
    pub fn builder() -> ClientBuilder<Self> {
        ClientBuilder::default()
    }

    /// Whether the host is a member of the cluster: the membership test answers 200 (yes) or
    /// 404 (no). A cluster that does not exist is answered 500 by the server, never `Ok(false)`:
    /// [`Error::ClusterNotFound`] when the cluster list lacks it (see [`Client::cluster_missing`]),
    /// else that [`Error::Api`], saying so. A name or address the server
    /// cannot route is refused with [`Error::InvalidInput`] before anything is sent.
    ///
    /// ```no_run
    /// # async fn demo(client: kaas::commissaire::Client) -> kaas::Result<()> {
    /// if client.host_in_cluster("prod", "192.168.100.50").await? {
    ///     println!("member");
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn host_in_cluster(&self, cluster: &str, ip: &str) -> Result<bool> {
        let name = cluster_name(cluster)?;
        let address = host_address(ip)?;
        match self
            .check_cluster_member()
            .name(name)
            .ip(address)
            .send()
            .await
        {
            Ok(_) => Ok(true),
            Err(error) => match error {
                error if error.is_not_found() => Ok(false),
                // A 2xx whose body is not the JSON list (the document shows a Python-style
                // `['192.168.100.50']`) still says "member".
                Error::Decode { .. } => Ok(true),
                error if error.status() == Some(500) => Err(self
                    .not_found_if_unlisted(
                        cluster,
                        explain(
                            error,
                            format!(
                                "Commissaire answers 500 to a membership test when cluster `{cluster}` does not exist"
                            ),
                        ),
                    )
                    .await),
                error => Err(error),
            },
        }
    }

    /// Polls the cluster's deploy until `finished` (returned) or `failed` ([`Error::WaitFailed`]).
    ///
    /// Fails at once, naming the cluster, when the deploy's record cannot be read (none was
    /// started) or the cluster itself cannot be read (read once, with the first record): the
    /// server keeps the records of a deleted cluster's operations (a `finished` deploy of a
    /// cluster that is gone is not a finished deploy), and accepts a deploy of a missing
    /// cluster and leaves its record `in_process` for ever. A missing cluster is
    /// [`Error::ClusterNotFound`] when the cluster list confirms it ([`Client::cluster_missing`]).
    ///
    /// ```no_run
    /// # async fn demo(client: kaas::commissaire::Client) -> kaas::Result<()> {
    /// let deploy = client.wait_until_deployed("prod").await?;
    /// # Ok(()) }
    /// ```
    pub fn wait_until_deployed(&self, cluster: &str) -> Wait<'_, types::ClusterDeploy> {
        let cluster = cluster.to_string();
        Wait::new(self.inner.wait_policy().clone(), move |policy| {
            Box::pin(async move {
                self.wait_for(&cluster, "deploy", &policy, |name| async move {
                    self.get_cluster_deploy().name(name).send().await
                })
                .await
            })
        })
    }

    /// Polls the cluster's upgrade until `finished` or `failed`; fails at once as
    /// [`Client::wait_until_deployed`] does when the upgrade or the cluster cannot be read.
    ///
    /// ```no_run
    /// # async fn demo(client: kaas::commissaire::Client) -> kaas::Result<()> {
    /// let upgrade = client.wait_until_upgraded("prod").await?;
    /// # Ok(()) }
    /// ```
    pub fn wait_until_upgraded(&self, cluster: &str) -> Wait<'_, types::ClusterUpgrade> {
        let cluster = cluster.to_string();
        Wait::new(self.inner.wait_policy().clone(), move |policy| {
            Box::pin(async move {
                self.wait_for(&cluster, "upgrade", &policy, |name| async move {
                    self.get_cluster_upgrade().name(name).send().await
                })
                .await
            })
        })
    }

    /// Polls the cluster's restart until `finished` or `failed`; fails at once as
    /// [`Client::wait_until_deployed`] does when the restart or the cluster cannot be read.
    ///
    /// ```no_run
    /// # async fn demo(client: kaas::commissaire::Client) -> kaas::Result<()> {
    /// let restart = client.wait_until_restarted("prod").await?;
    /// # Ok(()) }
    /// ```
    pub fn wait_until_restarted(&self, cluster: &str) -> Wait<'_, types::ClusterRestart> {
        let cluster = cluster.to_string();
        Wait::new(self.inner.wait_policy().clone(), move |policy| {
            Box::pin(async move {
                self.wait_for(&cluster, "restart", &policy, |name| async move {
                    self.get_cluster_restart().name(name).send().await
                })
                .await
            })
        })
    }

    /// Reads the operation with `read` until it is finished or failed. A record that cannot be
    /// read (404 or 500) ends the wait with that error, explained; with the first record read,
    /// whatever its state, the cluster is read once to make sure it exists.
    async fn wait_for<T, F, Fut>(
        &self,
        cluster: &str,
        kind: &'static str,
        policy: &wait::WaitPolicy,
        mut read: F,
    ) -> Result<T>
    where
        T: ClusterOperation + Send + Sync + 'static,
        F: FnMut(types::ClusterName) -> Fut,
        Fut: std::future::Future<Output = Result<T>>,
    {
        let name = cluster_name(cluster)?;
        let what = format!("the {kind} of cluster {cluster}");
        let cluster_confirmed = AtomicBool::new(false);
        wait::until(&what, policy, || {
            let reading = read(name.clone());
            let name = name.clone();
            let cluster_confirmed = &cluster_confirmed;
            async move {
                let operation = match reading.await {
                    Ok(operation) => operation,
                    Err(error) if matches!(error.status(), Some(404 | 500)) => {
                        let explained = explain(
                            error,
                            format!(
                                "no {kind} of cluster `{cluster}` could be read: none was started, or the cluster does not exist"
                            ),
                        );
                        return Err(self.not_found_if_unlisted(cluster, explained).await);
                    }
                    Err(error) => return Err(error),
                };
                // The server keeps operation records after the cluster is deleted, and keeps
                // a deploy of a missing cluster `in_process`: whatever the record says, the
                // cluster must exist.
                if !cluster_confirmed.swap(true, Ordering::Relaxed) {
                    self.confirm_cluster(name, cluster, kind).await?;
                }
                Ok(judge(operation))
            }
        })
        .await
    }

    /// Whether cluster `name` is missing from the server's cluster list: `Some(true)` when the
    /// list answers without it, `Some(false)` when it names it, `None` when it cannot be read.
    ///
    /// Commissaire answers a cluster that does not exist with a bare 500 (`get_cluster`, the
    /// membership test), the same `Internal Server Error` page as any failure of the server, so
    /// the answer alone cannot tell them apart. The facade's methods ([`Client::host_in_cluster`],
    /// the waits) ask this after such a 500 and return [`Error::ClusterNotFound`] (whose
    /// [`Error::is_not_found`] is true) when the cluster is missing; otherwise the 500 stays an
    /// [`Error::Api`]. A generated operation's 500 is returned as the server sent it.
    pub async fn cluster_missing(&self, name: &str) -> Option<bool> {
        let names = self.list_clusters().send().await.ok()?;
        Some(!names.0.iter().any(|listed| listed == name))
    }

    /// `error` (a 404 or 500 answered for something of cluster `cluster`) as
    /// [`Error::ClusterNotFound`] when the cluster list lacks the cluster; unchanged otherwise.
    async fn not_found_if_unlisted(&self, cluster: &str, error: Error) -> Error {
        match self.cluster_missing(cluster).await {
            Some(true) => Error::ClusterNotFound {
                provider: PROFILE.name.to_string(),
                cluster: cluster.to_string(),
            },
            _ => error,
        }
    }

    /// Reads the cluster once; 404 or 500 (the server's answer for a missing cluster) is an
    /// error that says so: [`Error::ClusterNotFound`] when the cluster list lacks it.
    async fn confirm_cluster(
        &self,
        name: types::ClusterName,
        cluster: &str,
        kind: &str,
    ) -> Result<()> {
        match self.get_cluster().name(name).send().await {
            Ok(_) => Ok(()),
            Err(error) => match error.status() {
                Some(404 | 500) => {
                    let explained = explain(
                        error,
                        format!(
                            "cluster `{cluster}` could not be read while waiting for its {kind}: Commissaire answers 500 for a cluster that does not exist, keeps the records of a deleted cluster's operations, and keeps an operation started on a missing cluster `in_process`"
                        ),
                    );
                    Err(self.not_found_if_unlisted(cluster, explained).await)
                }
                _ => Err(error),
            },
        }
    }
}

/// What one reading of an operation means to a wait.
fn judge<T: ClusterOperation>(operation: T) -> Progress<T> {
    match operation.state() {
        types::OperationState::Finished => Progress::Done(operation),
        types::OperationState::Failed => Progress::Failed {
            state: "failed".into(),
            message: None,
            reading: Some(operation),
        },
        other => Progress::Pending {
            state: other.to_string(),
            reading: Some(operation),
        },
    }
}

/// The caller's cluster name, checked against what the server routes.
fn cluster_name(name: &str) -> Result<types::ClusterName> {
    name.parse().map_err(|_| {
        Error::InvalidInput(format!(
            "{} is not a cluster name Commissaire can route: names match `[A-Za-z0-9_-]+`",
            quoted(name)
        ))
    })
}

/// The caller's host address, checked against what the server routes.
fn host_address(address: &str) -> Result<types::HostAddress> {
    address.parse().map_err(|_| {
        Error::InvalidInput(format!(
            "{} is not a host address Commissaire can route: addresses match `[a-zA-Z0-9._-]+` (an IPv4 address or a host name), other than `.` and `..`",
            quoted(address)
        ))
    })
}

/// Adds what the server's answer means here to an API error; other errors pass unchanged.
fn explain(error: Error, meaning: String) -> Error {
    match error {
        Error::Api(mut api) => {
            api.details.push(meaning);
            Error::Api(api)
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_addresses_are_checked_against_the_server_routes() {
        assert!(cluster_name("prod_1-a").is_ok());
        assert!(host_address("192.168.100.50").is_ok());
        assert!(host_address("node-1.example.com").is_ok());
        for bad in ["", "prod cluster", "prod/../x", "prod.1", "é"] {
            let error = cluster_name(bad).unwrap_err();
            assert!(
                matches!(&error, Error::InvalidInput(m) if m.contains("[A-Za-z0-9_-]+")),
                "{bad}: {error}"
            );
        }
        for bad in ["", "fe80::1", "10.0.0.1/24", "host%eth0"] {
            let error = host_address(bad).unwrap_err();
            assert!(
                matches!(&error, Error::InvalidInput(m) if m.contains("[a-zA-Z0-9._-]+")),
                "{bad}: {error}"
            );
        }
        let long = "x".repeat(200) + "/";
        let Error::InvalidInput(message) = cluster_name(&long).unwrap_err() else {
            panic!("not InvalidInput")
        };
        assert!(message.len() < 200, "{message}");
        assert!(message.contains('…'));
    }

    #[test]
    fn explain_adds_to_api_errors_only() {
        let api = crate::transport::decode_api_error(
            &PROFILE,
            reqwest::StatusCode::INTERNAL_SERVER_ERROR,
            &reqwest::header::HeaderMap::new(),
            b"Internal Server Error",
        );
        let error = explain(Error::Api(Box::new(api)), "the cluster is missing".into());
        assert_eq!(error.status(), Some(500));
        assert_eq!(
            error.to_string(),
            "commissaire answered 500: Internal Server Error; the cluster is missing"
        );
        let other = explain(Error::InvalidInput("x".into()), "ignored".into());
        assert!(matches!(other, Error::InvalidInput(m) if m == "x"));
    }

    #[test]
    fn operations_are_judged_by_status() {
        let mut deploy: types::ClusterDeploy = serde_json::from_value(serde_json::json!({
            "status": "rebooting", "deployed": [], "in_process": ["10.0.0.9"]
        }))
        .unwrap();
        assert_eq!(
            judge(deploy.clone()),
            Progress::Pending {
                state: "rebooting".into(),
                reading: Some(deploy.clone())
            }
        );
        deploy.status = types::OperationState::InProcess;
        assert_eq!(
            judge(deploy.clone()),
            Progress::Pending {
                state: "in_process".into(),
                reading: Some(deploy.clone())
            }
        );
        deploy.status = types::OperationState::Failed;
        assert!(matches!(judge(deploy.clone()), Progress::Failed { .. }));
        deploy.status = types::OperationState::Finished;
        assert!(matches!(judge(deploy), Progress::Done(_)));
    }
}
