//! DigitalOcean Kubernetes (API v2).
//!
//! [`Client`] is the generated client for `specs/digitalocean.yaml`, configured: every one of
//! the spec's operations is a method on it (`client.get_cluster().cluster_id(id).send()`), and
//! the conveniences below walk pages, wait and fetch kubeconfigs.
//!
//! ```no_run
//! # async fn demo() -> kaas::Result<()> {
//! use futures::TryStreamExt as _;
//! let client = kaas::digitalocean::Client::new(std::env::var("DIGITALOCEAN_TOKEN").unwrap_or_default())?;
//! let clusters: Vec<_> = client.clusters().try_collect().await?;
//! for cluster in &clusters {
//!     println!("{} {:?}", cluster.name, cluster.status.as_ref().and_then(|s| s.state.clone()));
//! }
//! # Ok(()) }
//! ```

use std::time::Duration;

use crate::error::{DecodedErrorBody, Result};
use crate::kubeconfig::Kubeconfig;
use crate::transport::{ClientBuilder, ProviderProfile};
use crate::wait::{self, Progress, Wait};

crate::generated_provider!("digitalocean");

mod ids;
mod labels;
mod options;
mod pages;

pub use ids::IntoUuid;
pub use labels::labels;
pub use options::KubeconfigOptions;

/// The documented base URL.
pub const DEFAULT_BASE_URL: &str = "https://api.digitalocean.com";

/// How long DigitalOcean's kubeconfig credentials last when no expiry is asked for.
pub const DEFAULT_CREDENTIAL_LIFETIME: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// The largest page the cluster list serves.
pub const MAX_PER_PAGE: u32 = 200;

pub(crate) static PROFILE: ProviderProfile = ProviderProfile {
    name: "digitalocean",
    default_base_url: Some(DEFAULT_BASE_URL),
    api_root: crate::transport::ApiRoot::InPaths { version: "/v2" },
    decode_error,
    operations: OPERATIONS,
};

/// DigitalOcean's one error shape: `{"id", "message", "request_id"}`.
fn decode_error(body: &[u8]) -> Option<DecodedErrorBody> {
    let error: types::Error = serde_json::from_slice(body).ok()?;
    Some(DecodedErrorBody {
        code: Some(error.id),
        message: Some(error.message),
        details: Vec::new(),
        request_id: error.request_id,
    })
}

/// The token of a credentials answer (clusters of client certificates only have none).
fn credential_token(credentials: &types::Credentials) -> Result<&crate::SecretText> {
    credentials.token.as_ref().ok_or_else(|| {
        crate::Error::decode(
            "the credentials carry no `token` (a cluster of client certificates only)",
            b"",
        )
    })
}

crate::bearer_token_client!("DigitalOcean");

impl Client {
    /// A client for `https://api.digitalocean.com` with this API token and default settings.
    ///
    /// ```no_run
    /// let client = kaas::digitalocean::Client::new("dop_v1_...")?;
    /// # Ok::<(), kaas::Error>(())
    /// ```
    pub fn new(token: impl Into<String>) -> Result<Self> {
        Self::builder().token(token).build()
    }

    /// A builder for a client with other settings (base URL, timeouts, retries, waits).
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// let client = kaas::digitalocean::Client::builder()
    ///     .token("dop_v1_...")
    ///     .timeout(Duration::from_secs(20))
    ///     .build()?;
    /// # Ok::<(), kaas::Error>(())
    /// ```
    pub fn builder() -> ClientBuilder<Self> {
        ClientBuilder::default()
    }

    /// The cluster's kubeconfig with the cluster's default credentials (`sso` for clusters with
    /// SSO enabled, a token otherwise) and the default expiry (7 days): its
    /// [`Kubeconfig::expires_at`] is 7 days on for a token, `None` for `sso`.
    ///
    /// Like every helper here, it takes the cluster's id as a `Uuid` (`cluster.id`) or as its
    /// text ([`IntoUuid`]); text that is not a UUID fails before anything is sent.
    ///
    /// ```no_run
    /// # async fn demo(client: kaas::digitalocean::Client, cluster_id: kaas::uuid::Uuid) -> kaas::Result<()> {
    /// let kubeconfig = client.kubeconfig(cluster_id).await?;
    /// println!("contexts: {:?}", kubeconfig.context_names());
    /// let same = client.kubeconfig("bd5f5959-5e1e-4205-a714-a914373942af").await?;
    /// # Ok(()) }
    /// ```
    pub async fn kubeconfig(&self, cluster_id: impl IntoUuid) -> Result<Kubeconfig> {
        self.kubeconfig_with(cluster_id, KubeconfigOptions::default())
            .await
    }

    /// The cluster's kubeconfig with credentials that expire after `expiry` (rounded up to
    /// whole seconds). The cluster's default credentials are asked for: an `sso` kubeconfig
    /// (a cluster with SSO) does not expire, and its [`Kubeconfig::expires_at`] is `None`.
    ///
    /// ```no_run
    /// # async fn demo(client: kaas::digitalocean::Client, cluster_id: kaas::uuid::Uuid) -> kaas::Result<()> {
    /// use std::time::Duration;
    /// let kubeconfig = client.kubeconfig_expiring(cluster_id, Duration::from_secs(3600)).await?;
    /// # Ok(()) }
    /// ```
    pub async fn kubeconfig_expiring(
        &self,
        cluster_id: impl IntoUuid,
        expiry: Duration,
    ) -> Result<Kubeconfig> {
        self.kubeconfig_with(cluster_id, KubeconfigOptions::default().expiry(expiry))
            .await
    }

    /// The cluster's kubeconfig as `options` ask: which credentials (`token` for automation,
    /// `sso` for people, whose kubeconfig runs `doctl` to log in) and how long they last.
    ///
    /// ```no_run
    /// # async fn demo(client: kaas::digitalocean::Client, cluster_id: kaas::uuid::Uuid) -> kaas::Result<()> {
    /// use std::time::Duration;
    /// use kaas::digitalocean::{KubeconfigOptions, types::CredentialsType};
    /// let options = KubeconfigOptions::default()
    ///     .credentials(CredentialsType::Token)
    ///     .expiry(Duration::from_secs(900));
    /// let kubeconfig = client.kubeconfig_with(cluster_id, options).await?;
    /// # Ok(()) }
    /// ```
    pub async fn kubeconfig_with(
        &self,
        cluster_id: impl IntoUuid,
        options: KubeconfigOptions,
    ) -> Result<Kubeconfig> {
        let mut request = self.get_kubeconfig().cluster_id(cluster_id.into_uuid()?);
        let expiry_seconds = options.expiry_seconds();
        if let Some(seconds) = expiry_seconds {
            request = request.expiry_seconds(seconds);
        }
        if let Some(credentials) = options.credentials {
            request = request.type_(credentials);
        }
        let sent_at = std::time::SystemTime::now();
        let body = request.send().await?;
        // `Vec::from` takes the buffer over when nothing else holds it: no copy of the secret.
        let kubeconfig = Kubeconfig::from_bytes(Vec::from(body))?;
        // What expires is a token; which kind came back is read from the kubeconfig, not from
        // what was asked: without `type`, a cluster with SSO answers an `sso` kubeconfig,
        // whose user runs doctl to log in and holds no token.
        let lifetime = match expiry_seconds {
            Some(seconds) if seconds > 0 => Duration::from_secs(seconds),
            _ => DEFAULT_CREDENTIAL_LIFETIME,
        };
        Ok(match sent_at.checked_add(lifetime) {
            Some(at) => kubeconfig.with_token_expiring_at(at),
            None => kubeconfig,
        })
    }

    /// The credential a Kubernetes client presents to the cluster: the credentials endpoint's
    /// token, lasting `lifetime` (DigitalOcean's 7 days when `None`), with the `expires_at`
    /// DigitalOcean answers (the request's moment plus the lifetime when it answers none).
    ///
    /// ```no_run
    /// # async fn demo(client: kaas::digitalocean::Client, cluster_id: kaas::uuid::Uuid) -> kaas::Result<()> {
    /// use std::time::Duration;
    /// let credential = client.credential(cluster_id, Some(Duration::from_secs(3600))).await?;
    /// println!("expires at {:?}", credential.expires_at());
    /// # Ok(()) }
    /// ```
    pub async fn credential(
        &self,
        cluster_id: impl IntoUuid,
        lifetime: Option<Duration>,
    ) -> Result<crate::kubeconfig::Credential> {
        let (credentials, expires_at) = self.credentials_expiring(cluster_id, lifetime).await?;
        Ok(crate::kubeconfig::Credential::token(
            credential_token(&credentials)?.expose().into(),
            expires_at,
        ))
    }

    /// A [`kube::Client`] for the cluster, authenticated with the credentials endpoint's token
    /// (lasting `lifetime`), which is replaced in process before it expires
    /// ([`crate::kubernetes`]).
    ///
    /// ```no_run
    /// # async fn demo(client: kaas::digitalocean::Client, cluster_id: kaas::uuid::Uuid) -> kaas::Result<()> {
    /// let kube = client.kube_client(cluster_id, std::time::Duration::from_secs(3600)).await?;
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "kube")]
    #[cfg_attr(docsrs, doc(cfg(feature = "kube")))]
    pub async fn kube_client(
        &self,
        cluster_id: impl IntoUuid,
        lifetime: Duration,
    ) -> Result<kube::Client> {
        let client = self.clone();
        let cluster_id = cluster_id.into_uuid()?;
        crate::kubernetes::refreshing_client_beside(&self.inner, move || {
            let client = client.clone();
            async move {
                let (credentials, expires_at) = client
                    .credentials_expiring(cluster_id, Some(lifetime))
                    .await?;
                let token = credential_token(&credentials)?;
                let server = credentials.server.as_deref().ok_or_else(|| {
                    crate::Error::decode("the credentials carry no `server`", b"")
                })?;
                Kubeconfig::for_token(
                    server,
                    credentials.certificate_authority_data.as_deref(),
                    token.expose(),
                    expires_at,
                )
            }
        })
        .await
    }

    /// The credentials endpoint's answer for `lifetime`, and when they expire.
    pub(crate) async fn credentials_expiring(
        &self,
        cluster_id: impl IntoUuid,
        lifetime: Option<Duration>,
    ) -> Result<(types::Credentials, Option<std::time::SystemTime>)> {
        let options = KubeconfigOptions {
            expiry: lifetime,
            credentials: None,
        };
        let mut request = self.get_credentials().cluster_id(cluster_id.into_uuid()?);
        if let Some(seconds) = options.expiry_seconds() {
            request = request.expiry_seconds(seconds);
        }
        let sent_at = std::time::SystemTime::now();
        let credentials = request.send().await?;
        let lifetime = lifetime
            .filter(|l| !l.is_zero())
            .unwrap_or(DEFAULT_CREDENTIAL_LIFETIME);
        let expires_at = credentials
            .expires_at
            .map(std::time::SystemTime::from)
            .or_else(|| sent_at.checked_add(lifetime));
        Ok((credentials, expires_at))
    }

    /// Polls the cluster until its state is `running` and returns it. Fails fast with
    /// [`Error::WaitFailed`](crate::Error::WaitFailed) on `error`, `deleting` or `deleted`, and with
    /// [`Error::WaitTimeout`](crate::Error::WaitTimeout) (naming the last state) when the wait
    /// policy's deadline passes; both keep the last `types::Cluster` read
    /// ([`Error::last_reading`](crate::Error::last_reading)). The call can set its own deadline:
    /// `client.wait_until_running(id).deadline(Duration::from_secs(600)).await`.
    ///
    /// ```no_run
    /// # async fn demo(client: kaas::digitalocean::Client, cluster_id: kaas::uuid::Uuid) -> kaas::Result<()> {
    /// let cluster = client.wait_until_running(cluster_id).await?;
    /// println!("{} is running at {:?}", cluster.name, cluster.endpoint);
    /// # Ok(()) }
    /// ```
    pub fn wait_until_running(&self, cluster_id: impl IntoUuid) -> Wait<'_, types::Cluster> {
        let cluster_id = cluster_id.into_uuid();
        Wait::new(self.inner.wait_policy().clone(), move |policy| {
            Box::pin(async move {
                let cluster_id = cluster_id?;
                let what = format!("cluster {cluster_id} to be running");
                wait::until(&what, &policy, || async {
                    let cluster = self.get_cluster().cluster_id(cluster_id).send().await?;
                    let cluster = cluster.kubernetes_cluster;
                    let status = cluster.status.clone().unwrap_or_default();
                    let state = status
                        .state
                        .clone()
                        .unwrap_or(types::ClusterState::Unknown(String::new()));
                    Ok(match state {
                        types::ClusterState::Running => Progress::Done(cluster),
                        types::ClusterState::Error
                        | types::ClusterState::Deleting
                        | types::ClusterState::Deleted => Progress::Failed {
                            state: state.to_string(),
                            message: status.message,
                            reading: Some(cluster),
                        },
                        other => Progress::Pending {
                            state: other.to_string(),
                            reading: Some(cluster),
                        },
                    })
                })
                .await
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn the_client_keeps_its_wait_policy_and_debug_shows_only_its_summary() {
        let policy = crate::WaitPolicy::default().with_deadline(Duration::from_secs(7));
        let client = Client::builder()
            .token("dop_v1_not-shown")
            .base_url("http://127.0.0.1:1/api")
            .wait_policy(policy.clone())
            .build()
            .unwrap();
        assert_eq!(client.inner.wait_policy(), &policy);
        let shown = format!("{client:?}");
        assert!(
            shown.starts_with(r#"digitalocean::Client { base_url: "http://127.0.0.1:1/api", transport: Transport {"#),
            "{shown}"
        );
        assert!(!shown.contains("not-shown"), "{shown}");
        assert!(!shown.contains("accepts"), "reqwest's own fields: {shown}");
    }
}
