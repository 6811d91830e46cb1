//! OUTSCALE OKS (API v2): projects, clusters and their NaCl-encrypted kubeconfig.
//!
//! [`Client`] is the generated client for `specs/oks.yaml`, configured with one of the three
//! OKS authentication schemes (access key, HTTP Basic, rotating tokens; each with optional OTP); every operation of the spec is a method on it, and
//! the conveniences below fetch kubeconfigs (decrypted in memory), walk every page of the project
//! and cluster lists ([`Client::projects`], [`Client::clusters`], [`Client::project_clusters`]) and
//! wait for resources. Error answers of every OKS shape become [`crate::Error::Api`] with each
//! entry's text kept.
//!
//! ```no_run
//! # async fn demo() -> kaas::Result<()> {
//! use kaas::oks::{Client, Region};
//! let client = Client::builder()
//!     .access_key("AK...", "SK...")
//!     .region(Region::EuWest2)
//!     .build()?;
//! let kubeconfig = client.kubeconfig("cluster-id").await?; // sealed for a fresh key, opened here
//! println!("contexts: {:?}", kubeconfig.context_names());
//! # Ok(()) }
//! ```

mod auth;
mod errors;
pub mod nacl;
mod pages;

use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;

use crate::error::{CryptoError, Error, Result};
use crate::kubeconfig::Kubeconfig;
use crate::transport::{Build, ClientBuilder, ProviderProfile};
use crate::wait::{self, Progress, Wait};

pub use auth::OtpSource;
pub use nacl::KubeconfigKey;
pub use pages::MAX_PAGE_SIZE;

crate::generated_provider!("oks");

/// The regions of the OKS API, each with its documented endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Region {
    /// `eu-west-2` (the default).
    #[default]
    EuWest2,
    /// `cloudgouv-eu-west-1`.
    CloudgouvEuWest1,
}

impl Region {
    /// The region's base URL.
    pub fn base_url(self) -> &'static str {
        match self {
            Region::EuWest2 => "https://api.eu-west-2.oks.outscale.com/api/v2",
            Region::CloudgouvEuWest1 => "https://api.cloudgouv-eu-west-1.oks.outscale.com/api/v2",
        }
    }

    /// The region's name, e.g. `eu-west-2`.
    pub fn name(self) -> &'static str {
        match self {
            Region::EuWest2 => "eu-west-2",
            Region::CloudgouvEuWest1 => "cloudgouv-eu-west-1",
        }
    }
}

impl std::str::FromStr for Region {
    type Err = Error;

    fn from_str(name: &str) -> Result<Self> {
        match name {
            "eu-west-2" => Ok(Region::EuWest2),
            "cloudgouv-eu-west-1" => Ok(Region::CloudgouvEuWest1),
            other => Err(Error::InvalidInput(format!(
                "unknown OKS region `{other}`: use eu-west-2 or cloudgouv-eu-west-1, or give a base URL"
            ))),
        }
    }
}

pub(crate) static PROFILE: ProviderProfile = ProviderProfile {
    name: "oks",
    default_base_url: Some("https://api.eu-west-2.oks.outscale.com/api/v2"),
    api_root: crate::transport::ApiRoot::InBaseUrl {
        version: "/api/v2",
        host: "oks.outscale.com",
    },
    decode_error: errors::decode_error,
    // Retries follow each operation's `idempotent` flag; the spec marks the encrypted kubeconfig
    // POST `x-idempotent: true` (it only sends a key; it creates nothing).
    operations: OPERATIONS,
};

/// The credentials an OKS [`ClientBuilder`] collects: one scheme, and an optional OTP source.
/// In a private module: public for the sealed build trait, unnameable outside.
mod credentials {
    #[derive(Default)]
    pub struct Credentials {
        pub(super) scheme: Option<super::auth::SchemeChoice>,
        pub(super) otp: Option<super::OtpSource>,
    }
}
use credentials::Credentials;

impl ClientBuilder<Client> {
    /// Authenticates with an access key and its secret key (`AccessKey`/`SecretKey` headers).
    pub fn access_key(
        mut self,
        access_key: impl Into<String>,
        secret_key: impl Into<String>,
    ) -> Self {
        self.credentials.scheme = Some(auth::SchemeChoice::Keys(
            SecretString::from(access_key.into()),
            SecretString::from(secret_key.into()),
        ));
        self
    }

    /// Authenticates with the account's login and password (HTTP Basic, sent up front).
    pub fn basic_auth(mut self, login: impl Into<String>, password: impl Into<String>) -> Self {
        self.credentials.scheme = Some(auth::SchemeChoice::Basic(
            login.into(),
            SecretString::from(password.into()),
        ));
        self
    }

    /// Authenticates with an access/refresh token pair, replaced whenever the server sends a
    /// new one (`Access-Token`/`Refresh-Token` response headers).
    pub fn tokens(
        mut self,
        access_token: impl Into<String>,
        refresh_token: impl Into<String>,
    ) -> Self {
        self.credentials.scheme = Some(auth::SchemeChoice::Tokens(
            SecretString::from(access_token.into()),
            SecretString::from(refresh_token.into()),
        ));
        self
    }

    /// Adds `X-OTP-Code` to each request from `source` (for accounts with MFA).
    pub fn otp(
        mut self,
        source: impl Fn() -> Option<SecretString> + Send + Sync + 'static,
    ) -> Self {
        self.credentials.otp = Some(Arc::new(source));
        self
    }

    /// Uses a documented region's endpoint (default: eu-west-2).
    pub fn region(self, region: Region) -> Self {
        self.base_url(region.base_url())
    }
}

impl Build for Client {
    type Credentials = Credentials;

    fn build(builder: ClientBuilder<Self>) -> Result<Self> {
        let Credentials { scheme, otp } = builder.credentials;
        let scheme = scheme.ok_or_else(|| {
            Error::InvalidInput(
                "OKS needs credentials: `.access_key(..)`, `.basic_auth(..)` or `.tokens(..)`"
                    .into(),
            )
        })?;
        let authenticator = scheme.into_auth()?.otp(otp);
        let connection = builder
            .settings
            .connect(&PROFILE, Arc::new(authenticator))?;
        Ok(Client::from_connection(connection))
    }
}

/// Options of a kubeconfig request: the user, group and time to live of its credentials.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KubeconfigOptions {
    /// The user of the kubeconfig file.
    pub user: Option<String>,
    /// The group of the kubeconfig file.
    pub group: Option<String>,
    /// The time to live of the kubeconfig file, as OKS writes it (e.g. `1h`).
    pub ttl: Option<String>,
}

/// Reads a `ttl` as [`ttl`] writes it, also taking minutes and seconds (`30m`, `90s`); `None`
/// for any other text.
fn ttl_duration(ttl: &str) -> Option<Duration> {
    let ttl = ttl.trim();
    let unit = ttl.chars().last()?;
    let count: u64 = ttl[..ttl.len() - unit.len_utf8()].parse().ok()?;
    let seconds = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        'w' => 7 * 86_400,
        _ => return None,
    };
    count.checked_mul(seconds).map(Duration::from_secs)
}

/// A lifetime as an OKS `ttl`: whole weeks, days or hours (`1w`, `2d`, `5h`), rounded up to the
/// hour (at least one hour), as OKS and oks-cli write it.
///
/// ```
/// use std::time::Duration;
/// assert_eq!(kaas::oks::ttl(Duration::from_secs(90 * 60)), "2h");
/// assert_eq!(kaas::oks::ttl(Duration::from_secs(2 * 86_400)), "2d");
/// assert_eq!(kaas::oks::ttl(Duration::from_secs(14 * 86_400)), "2w");
/// assert_eq!(kaas::oks::ttl(Duration::ZERO), "1h");
/// ```
pub fn ttl(lifetime: Duration) -> String {
    let hours = lifetime.as_secs().div_ceil(3600).max(1);
    match hours {
        h if h % (24 * 7) == 0 => format!("{}w", h / (24 * 7)),
        h if h % 24 == 0 => format!("{}d", h / 24),
        h => format!("{h}h"),
    }
}

impl Client {
    /// A client for eu-west-2 with an access key and secret key.
    ///
    /// ```no_run
    /// let client = kaas::oks::Client::new("AK...", "SK...")?;
    /// # Ok::<(), kaas::Error>(())
    /// ```
    pub fn new(access_key: impl Into<String>, secret_key: impl Into<String>) -> Result<Self> {
        Self::builder().access_key(access_key, secret_key).build()
    }

    /// A builder for other schemes, regions and settings.
    ///
    /// ```no_run
    /// let client = kaas::oks::Client::builder()
    ///     .basic_auth("login", "password")
    ///     .region(kaas::oks::Region::CloudgouvEuWest1)
    ///     .build()?;
    /// # Ok::<(), kaas::Error>(())
    /// ```
    pub fn builder() -> ClientBuilder<Self> {
        ClientBuilder::default()
    }

    /// The cluster's kubeconfig, fetched encrypted: a fresh X25519 key pair is made for this
    /// call, the server seals the kubeconfig for its public key, and it is opened in memory.
    ///
    /// ```no_run
    /// # async fn demo(client: kaas::oks::Client) -> kaas::Result<()> {
    /// let kubeconfig = client.kubeconfig("cluster-id").await?;
    /// std::fs::write("kubeconfig.yaml", kubeconfig.expose_yaml()).ok();
    /// # Ok(()) }
    /// ```
    pub async fn kubeconfig(&self, cluster_id: &str) -> Result<Kubeconfig> {
        self.kubeconfig_with(cluster_id, &KubeconfigOptions::default())
            .await
    }

    /// [`Client::kubeconfig`] with a user, group or time to live.
    ///
    /// ```no_run
    /// # async fn demo(client: kaas::oks::Client) -> kaas::Result<()> {
    /// let options = kaas::oks::KubeconfigOptions { ttl: Some("1h".into()), ..Default::default() };
    /// let kubeconfig = client.kubeconfig_with("cluster-id", &options).await?;
    /// # Ok(()) }
    /// ```
    pub async fn kubeconfig_with(
        &self,
        cluster_id: &str,
        options: &KubeconfigOptions,
    ) -> Result<Kubeconfig> {
        let key = KubeconfigKey::generate();
        let mut request = self
            .get_cluster_kubeconfig_encrypted()
            .cluster_id(cluster_id)
            .x_encrypt_nacl(key.public_key_base64());
        if let Some(user) = &options.user {
            request = request.user(user.clone());
        }
        if let Some(group) = &options.group {
            request = request.group(group.clone());
        }
        if let Some(ttl) = &options.ttl {
            request = request.ttl(ttl.clone());
        }
        let sent_at = std::time::SystemTime::now();
        let response = request.send().await?;
        let sealed = kubeconfig_field(response).ok_or(CryptoError::Missing)?;
        let kubeconfig = key.open(sealed.expose())?.with_certificate_expiry();
        // The ttl asked for bounds the credential too, when kaas can read it.
        let by_ttl = options
            .ttl
            .as_deref()
            .and_then(ttl_duration)
            .and_then(|ttl| sent_at.checked_add(ttl));
        Ok(
            match crate::kubeconfig::earliest(kubeconfig.expires_at(), by_ttl) {
                Some(at) => kubeconfig.expiring_at(at),
                None => kubeconfig,
            },
        )
    }

    /// A [`kube::Client`] for the cluster, authenticated with the user of an encrypted
    /// kubeconfig fetched with `lifetime` as its ttl ([`ttl`]), fetched again in process before
    /// it expires ([`crate::kubernetes`]).
    ///
    /// ```no_run
    /// # async fn demo(client: kaas::oks::Client) -> kaas::Result<()> {
    /// let kube = client.kube_client("cluster-id", std::time::Duration::from_secs(3600)).await?;
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "kube")]
    #[cfg_attr(docsrs, doc(cfg(feature = "kube")))]
    pub async fn kube_client(&self, cluster_id: &str, lifetime: Duration) -> Result<kube::Client> {
        let client = self.clone();
        let cluster_id = cluster_id.to_string();
        let options = KubeconfigOptions {
            ttl: Some(ttl(lifetime)),
            ..Default::default()
        };
        crate::kubernetes::refreshing_client_beside(&self.inner, move || {
            let (client, cluster_id, options) =
                (client.clone(), cluster_id.clone(), options.clone());
            async move { client.kubeconfig_with(&cluster_id, &options).await }
        })
        .await
    }

    /// The cluster's kubeconfig fetched **unencrypted** (plain GET): it crosses the network
    /// inside TLS only. Prefer [`Client::kubeconfig`].
    ///
    /// ```no_run
    /// # async fn demo(client: kaas::oks::Client) -> kaas::Result<()> {
    /// let kubeconfig = client.kubeconfig_unencrypted("cluster-id").await?;
    /// # Ok(()) }
    /// ```
    pub async fn kubeconfig_unencrypted(&self, cluster_id: &str) -> Result<Kubeconfig> {
        let response = self
            .get_cluster_kubeconfig()
            .cluster_id(cluster_id)
            .send()
            .await?;
        let yaml = kubeconfig_field(response)
            .ok_or_else(|| Error::decode("the answer carries no `Cluster.data.kubeconfig`", b""))?;
        Ok(Kubeconfig::from_yaml(yaml.expose().to_string())?.with_certificate_expiry())
    }

    /// Polls the cluster until its status is `ready`; fails fast on `failed` (or `deleting`).
    /// The client's wait policy applies unless the call sets its own (`.deadline(..)`,
    /// `.policy(..)`); a failed or timed-out wait keeps the last `types::Cluster` read
    /// ([`Error::last_reading`]).
    ///
    /// ```no_run
    /// # async fn demo(client: kaas::oks::Client) -> kaas::Result<()> {
    /// let cluster = client.wait_until_ready("cluster-id").await?;
    /// # Ok(()) }
    /// ```
    pub fn wait_until_ready(&self, cluster_id: &str) -> Wait<'_, types::Cluster> {
        let cluster_id = cluster_id.to_string();
        Wait::new(self.inner.wait_policy().clone(), move |policy| {
            Box::pin(async move {
                let what = format!("cluster {cluster_id} to be ready");
                wait::until(&what, &policy, || async {
                    let cluster = self.read_cluster(&cluster_id).await?;
                    Ok(judge(cluster.statuses.status.clone(), cluster))
                })
                .await
            })
        })
    }

    /// Polls the project until its status is `ready`; fails fast on `failed` (or `deleting`).
    ///
    /// ```no_run
    /// # async fn demo(client: kaas::oks::Client) -> kaas::Result<()> {
    /// let project = client.wait_until_project_ready("project-id").await?;
    /// # Ok(()) }
    /// ```
    pub fn wait_until_project_ready(&self, project_id: &str) -> Wait<'_, types::Project> {
        let project_id = project_id.to_string();
        Wait::new(self.inner.wait_policy().clone(), move |policy| {
            Box::pin(async move {
                let what = format!("project {project_id} to be ready");
                wait::until(&what, &policy, || async {
                    let project = self
                        .get_project()
                        .project_id(project_id.as_str())
                        .send()
                        .await?
                        .project;
                    Ok(judge(Some(project.status.clone()), project))
                })
                .await
            })
        })
    }

    /// Polls the cluster until reading it answers 404.
    ///
    /// ```no_run
    /// # async fn demo(client: kaas::oks::Client) -> kaas::Result<()> {
    /// client.delete_cluster().cluster_id("cluster-id").send().await?;
    /// client.wait_until_deleted("cluster-id").await?;
    /// # Ok(()) }
    /// ```
    pub fn wait_until_deleted(&self, cluster_id: &str) -> Wait<'_, ()> {
        let cluster_id = cluster_id.to_string();
        Wait::new(self.inner.wait_policy().clone(), move |policy| {
            Box::pin(async move {
                let what = format!("cluster {cluster_id} to be deleted");
                wait::until(&what, &policy, || async {
                    match self.read_cluster(&cluster_id).await {
                        Ok(cluster) => Ok(Progress::Pending {
                            state: cluster
                                .statuses
                                .status
                                .map(|s| s.to_string())
                                .unwrap_or_else(|| "present".into()),
                            reading: None,
                        }),
                        Err(error) if error.is_not_found() => Ok(Progress::Done(())),
                        Err(error) => Err(error),
                    }
                })
                .await
            })
        })
    }

    async fn read_cluster(&self, cluster_id: &str) -> Result<types::Cluster> {
        Ok(self
            .get_cluster()
            .cluster_id(cluster_id)
            .send()
            .await?
            .cluster)
    }
}

/// `ready` is done, `failed` and `deleting` are failures, anything else is pending.
fn judge<T>(status: Option<types::ResourceStatus>, value: T) -> Progress<T> {
    use types::ResourceStatus as S;
    match status {
        Some(S::Ready) => Progress::Done(value),
        Some(state @ (S::Failed | S::Deleting)) => Progress::Failed {
            state: state.to_string(),
            message: None,
            reading: Some(value),
        },
        Some(other) => Progress::Pending {
            state: other.to_string(),
            reading: Some(value),
        },
        None => Progress::Pending {
            state: "unknown".into(),
            reading: Some(value),
        },
    }
}

fn kubeconfig_field(response: types::KubeconfigResponse) -> Option<crate::SecretText> {
    response.cluster?.data?.kubeconfig
}
