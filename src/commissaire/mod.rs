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
//! let deploy = client.wait_for_deploy("prod").await?;
//! println!("deployed to {:?}", deploy.deployed);
//! # Ok(()) }
//! ```

use std::sync::Arc;

use secrecy::SecretString;

use crate::auth::{Authenticate, Basic, Bearer};
use crate::error::{DecodedErrorBody, Error, Result};
use crate::transport::{BuildClient, ClientBuilder, ProviderProfile};
use crate::wait::{self, Progress};

crate::generated_provider!("commissaire");

static PROFILE: ProviderProfile = ProviderProfile {
    name: "commissaire",
    default_base_url: None,
    decode_error,
    safe_posts: &[],
};

/// Commissaire's error bodies are not JSON: the transport keeps their text as the message.
fn decode_error(_body: &[u8]) -> Option<DecodedErrorBody> {
    None
}

/// The credentials a Commissaire [`ClientBuilder`] collects.
#[derive(Default)]
pub struct Credentials {
    scheme: Option<Scheme>,
}

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

impl BuildClient for Client {
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
    fn state(&self) -> Option<&types::OperationState>;
}

macro_rules! cluster_operation {
    ($($model:ident),*) => {$(
        impl ClusterOperation for types::$model {
            fn state(&self) -> Option<&types::OperationState> {
                self.status.as_ref()
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

    /// Whether the host is a member of the cluster (the membership test: 200 yes, 404 no).
    ///
    /// ```no_run
    /// # async fn demo(client: kaas::commissaire::Client) -> kaas::Result<()> {
    /// if client.host_in_cluster("prod", "192.168.100.50").await? {
    ///     println!("member");
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn host_in_cluster(&self, cluster: &str, ip: &str) -> Result<bool> {
        match self
            .api
            .check_cluster_member()
            .name(cluster)
            .ip(ip)
            .send()
            .await
        {
            Ok(_) => Ok(true),
            Err(error) => match Error::from(error) {
                error if error.is_not_found() => Ok(false),
                // A 2xx whose body is not the JSON list (the document shows a Python-style
                // `['192.168.100.50']`) still says "member".
                Error::Decode { .. } => Ok(true),
                error => Err(error),
            },
        }
    }

    /// Polls the cluster's deploy until `finished` (returned) or `failed` ([`Error::WaitFailed`]).
    ///
    /// ```no_run
    /// # async fn demo(client: kaas::commissaire::Client) -> kaas::Result<()> {
    /// let deploy = client.wait_for_deploy("prod").await?;
    /// # Ok(()) }
    /// ```
    pub async fn wait_for_deploy(&self, cluster: &str) -> Result<types::ClusterDeploy> {
        self.wait_for(format!("the deploy of cluster {cluster}"), || async {
            Ok(self
                .api
                .get_cluster_deploy()
                .name(cluster)
                .send()
                .await?
                .into_inner())
        })
        .await
    }

    /// Polls the cluster's upgrade until `finished` or `failed`.
    ///
    /// ```no_run
    /// # async fn demo(client: kaas::commissaire::Client) -> kaas::Result<()> {
    /// let upgrade = client.wait_for_upgrade("prod").await?;
    /// # Ok(()) }
    /// ```
    pub async fn wait_for_upgrade(&self, cluster: &str) -> Result<types::ClusterUpgrade> {
        self.wait_for(format!("the upgrade of cluster {cluster}"), || async {
            Ok(self
                .api
                .get_cluster_upgrade()
                .name(cluster)
                .send()
                .await?
                .into_inner())
        })
        .await
    }

    /// Polls the cluster's restart until `finished` or `failed`.
    ///
    /// ```no_run
    /// # async fn demo(client: kaas::commissaire::Client) -> kaas::Result<()> {
    /// let restart = client.wait_for_restart("prod").await?;
    /// # Ok(()) }
    /// ```
    pub async fn wait_for_restart(&self, cluster: &str) -> Result<types::ClusterRestart> {
        self.wait_for(format!("the restart of cluster {cluster}"), || async {
            Ok(self
                .api
                .get_cluster_restart()
                .name(cluster)
                .send()
                .await?
                .into_inner())
        })
        .await
    }

    async fn wait_for<T, F, Fut>(&self, what: String, mut read: F) -> Result<T>
    where
        T: ClusterOperation,
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T>>,
    {
        wait::until(&what, &self.wait, || {
            let reading = read();
            async move {
                let operation = reading.await?;
                Ok(match operation.state().cloned() {
                    Some(types::OperationState::Finished) => Progress::Done(operation),
                    Some(types::OperationState::Failed) => Progress::Failed {
                        state: "failed".into(),
                        message: None,
                    },
                    Some(other) => Progress::Pending(other.to_string()),
                    None => Progress::Pending("unknown".into()),
                })
            }
        })
        .await
    }
}
