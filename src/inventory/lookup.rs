//! Finding one cluster of the inventory by id or name, and fetching its kubeconfig or
//! credential from whichever provider runs it.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use futures::StreamExt as _;

use super::{ClusterSummary, Inventory, Provider};
use crate::kubeconfig::Credential;
use crate::{Error, Kubeconfig, Result};

impl FromStr for Provider {
    type Err = Error;

    /// `digitalocean` (or `do`), `oks`, `cloud66`, `commissaire`, in any case.
    fn from_str(text: &str) -> Result<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "digitalocean" | "do" => Ok(Provider::DigitalOcean),
            "oks" => Ok(Provider::Oks),
            "cloud66" => Ok(Provider::Cloud66),
            "commissaire" => Ok(Provider::Commissaire),
            _ => Err(Error::InvalidInput(format!(
                "unknown provider `{text}`: expected digitalocean, oks, cloud66 or commissaire"
            ))),
        }
    }
}

/// A cluster named by its provider and its id or name: `<provider>/<id or name>`, as in
/// `digitalocean/prod-eu` or `oks/5f0c...`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ClusterRef {
    /// The provider that runs it.
    pub provider: Provider,
    /// Its id, or its name.
    pub cluster: String,
}

impl ClusterRef {
    /// The cluster `cluster` (an id or a name) of `provider`.
    pub fn new(provider: Provider, cluster: impl Into<String>) -> Self {
        ClusterRef {
            provider,
            cluster: cluster.into(),
        }
    }
}

impl FromStr for ClusterRef {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        let (provider, cluster) = text.split_once('/').ok_or_else(|| {
            Error::InvalidInput(format!(
                "`{text}` names no provider: write <provider>/<cluster id or name>"
            ))
        })?;
        if cluster.trim().is_empty() {
            return Err(Error::InvalidInput(format!(
                "`{text}` names no cluster: write <provider>/<cluster id or name>"
            )));
        }
        Ok(ClusterRef::new(provider.parse()?, cluster))
    }
}

impl fmt::Display for ClusterRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.provider, self.cluster)
    }
}

impl Inventory {
    /// The cluster `cluster` names: the one whose id it is, else the one whose name it is. An
    /// id is read in one request where the provider has such a read (DigitalOcean and OKS by
    /// UUID, Commissaire by name); a name, or a Cloud66 uid, walks the provider's list.
    /// [`Error::ClusterNotFound`] when there is none ([`Error::is_not_found`]), and
    /// [`Error::InvalidInput`] when the provider is not in the inventory or several clusters
    /// have that name (the message lists their ids).
    ///
    /// ```no_run
    /// # async fn demo(inventory: kaas::inventory::Inventory) -> kaas::Result<()> {
    /// let cluster = inventory.find(&"oks/analytics".parse()?).await?;
    /// println!("{} is {}", cluster.id, cluster.state);
    /// # Ok(()) }
    /// ```
    pub async fn find(&self, cluster: &ClusterRef) -> Result<ClusterSummary> {
        let mut listing = self
            .listing(cluster.provider)
            .ok_or_else(|| not_configured(cluster.provider))?;
        match self.read_by_id(cluster).await? {
            ByIdRead::Found(summary) => return Ok(summary),
            ByIdRead::Absent {
                ids_are_names: true,
            } => return Err(not_found(cluster)),
            ByIdRead::Absent {
                ids_are_names: false,
            }
            | ByIdRead::Unavailable => {}
        }
        let mut by_name = Vec::new();
        while let Some(summary) = listing.next().await {
            let summary = summary?;
            if summary.id == cluster.cluster {
                return Ok(summary);
            }
            if summary.name == cluster.cluster {
                by_name.push(summary);
            }
        }
        match by_name.len() {
            0 => Err(not_found(cluster)),
            1 => Ok(by_name.remove(0)),
            _ => Err(Error::InvalidInput(format!(
                "{} has {} clusters named `{}` (ids {}): name one by its id",
                cluster.provider,
                by_name.len(),
                cluster.cluster,
                by_name
                    .iter()
                    .map(|s| s.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }

    /// The cluster's kubeconfig, with credentials that last `lifetime` where the provider lets
    /// a client choose (DigitalOcean's `expiry_seconds`; OKS's `ttl`, rounded up to the hour),
    /// its default otherwise. DigitalOcean and OKS only: Cloud66 and Commissaire hand out no
    /// kubeconfig ([`Error::InvalidInput`]).
    ///
    /// ```no_run
    /// # async fn demo(inventory: kaas::inventory::Inventory, cluster: kaas::inventory::ClusterSummary) -> kaas::Result<()> {
    /// use std::time::Duration;
    /// let kubeconfig = inventory.kubeconfig(&cluster, Some(Duration::from_secs(3600))).await?;
    /// println!("contexts {:?}, expiring at {:?}", kubeconfig.context_names(), kubeconfig.expires_at());
    /// # Ok(()) }
    /// ```
    #[cfg_attr(
        not(any(feature = "digitalocean", feature = "oks")),
        allow(
            unused_variables,
            reason = "no provider with a kubeconfig is compiled in"
        )
    )]
    pub async fn kubeconfig(
        &self,
        cluster: &ClusterSummary,
        lifetime: Option<Duration>,
    ) -> Result<Kubeconfig> {
        match &cluster.object {
            #[cfg(feature = "digitalocean")]
            super::ProviderCluster::DigitalOcean(_) => {
                let client = self.digitalocean_client()?;
                let mut options = crate::digitalocean::KubeconfigOptions::default();
                if let Some(lifetime) = lifetime {
                    options = options.expiry(lifetime);
                }
                client.kubeconfig_with(cluster.id.as_str(), options).await
            }
            #[cfg(feature = "oks")]
            super::ProviderCluster::Oks(_) => {
                let client = self.oks_client()?;
                let options = crate::oks::KubeconfigOptions {
                    ttl: lifetime.map(crate::oks::ttl),
                    ..Default::default()
                };
                client.kubeconfig_with(&cluster.id, &options).await
            }
            #[allow(
                unreachable_patterns,
                reason = "every variant is handled above when only DigitalOcean and OKS are compiled in"
            )]
            _ => Err(no_kubeconfig(cluster.provider)),
        }
    }

    /// The credential a Kubernetes client presents to the cluster, with its expiry: for
    /// DigitalOcean the credentials endpoint's token and `expires_at`; for OKS the user of a
    /// kubeconfig fetched with `lifetime` as its ttl. Cloud66 and Commissaire hand out none.
    ///
    /// ```no_run
    /// # async fn demo(inventory: kaas::inventory::Inventory, cluster: kaas::inventory::ClusterSummary) -> kaas::Result<()> {
    /// use secrecy::ExposeSecret as _;
    /// let credential = inventory.credential(&cluster, None).await?;
    /// // What a kubectl credential plugin prints.
    /// println!("{}", credential.exec_credential_json().expose_secret());
    /// # Ok(()) }
    /// ```
    pub async fn credential(
        &self,
        cluster: &ClusterSummary,
        lifetime: Option<Duration>,
    ) -> Result<Credential> {
        match &cluster.object {
            #[cfg(feature = "digitalocean")]
            super::ProviderCluster::DigitalOcean(_) => {
                self.digitalocean_client()?
                    .credential(cluster.id.as_str(), lifetime)
                    .await
            }
            #[allow(
                unreachable_patterns,
                reason = "every variant is handled above when only DigitalOcean is compiled in"
            )]
            _ => self.kubeconfig(cluster, lifetime).await?.credential(),
        }
    }

    /// A [`kube::Client`] for the cluster whose credentials (lasting `lifetime`) are refreshed
    /// in process before they expire ([`crate::kubernetes`]). DigitalOcean and OKS only.
    ///
    /// ```no_run
    /// # async fn demo(inventory: kaas::inventory::Inventory, cluster: kaas::inventory::ClusterSummary) -> kaas::Result<()> {
    /// let kube = inventory.kube_client(&cluster, std::time::Duration::from_secs(3600)).await?;
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "kube")]
    #[cfg_attr(docsrs, doc(cfg(feature = "kube")))]
    pub async fn kube_client(
        &self,
        cluster: &ClusterSummary,
        lifetime: Duration,
    ) -> Result<kube::Client> {
        match &cluster.object {
            #[cfg(feature = "digitalocean")]
            super::ProviderCluster::DigitalOcean(_) => {
                self.digitalocean_client()?
                    .kube_client(cluster.id.as_str(), lifetime)
                    .await
            }
            #[cfg(feature = "oks")]
            super::ProviderCluster::Oks(_) => {
                self.oks_client()?.kube_client(&cluster.id, lifetime).await
            }
            #[allow(
                unreachable_patterns,
                reason = "every variant is handled above when only DigitalOcean and OKS are compiled in"
            )]
            _ => Err(no_kubeconfig(cluster.provider)),
        }
    }

    /// The cluster read by its id in one request, where the provider has such a read
    /// (DigitalOcean and OKS by UUID, Commissaire by name); Cloud66's reads take a number the
    /// summary does not carry.
    async fn read_by_id(&self, cluster: &ClusterRef) -> Result<ByIdRead> {
        Ok(match cluster.provider {
            #[cfg(feature = "digitalocean")]
            Provider::DigitalOcean => match &self.digitalocean {
                Some(client) => ByIdRead::of(
                    super::digitalocean::by_id(client, &cluster.cluster).await?,
                    false,
                ),
                None => ByIdRead::Unavailable,
            },
            #[cfg(feature = "oks")]
            Provider::Oks => match &self.oks {
                Some(client) => {
                    ByIdRead::of(super::oks::by_id(client, &cluster.cluster).await?, false)
                }
                None => ByIdRead::Unavailable,
            },
            #[cfg(feature = "commissaire")]
            Provider::Commissaire => match &self.commissaire {
                Some(client) => ByIdRead::of(
                    super::commissaire::by_id(client, &cluster.cluster).await?,
                    true,
                ),
                None => ByIdRead::Unavailable,
            },
            _ => ByIdRead::Unavailable,
        })
    }

    /// The provider's listing, if the inventory has its client.
    fn listing(
        &self,
        provider: Provider,
    ) -> Option<futures::stream::BoxStream<'static, Result<ClusterSummary>>> {
        match provider {
            #[cfg(feature = "digitalocean")]
            Provider::DigitalOcean => self
                .digitalocean
                .as_ref()
                .map(super::digitalocean::clusters),
            #[cfg(feature = "oks")]
            Provider::Oks => self.oks.as_ref().map(super::oks::clusters),
            #[cfg(feature = "cloud66")]
            Provider::Cloud66 => self.cloud66.as_ref().map(super::cloud66::clusters),
            #[cfg(feature = "commissaire")]
            Provider::Commissaire => self.commissaire.as_ref().map(super::commissaire::clusters),
            #[allow(
                unreachable_patterns,
                reason = "reached only for providers not compiled in"
            )]
            _ => None,
        }
    }

    #[cfg(feature = "digitalocean")]
    fn digitalocean_client(&self) -> Result<&crate::digitalocean::Client> {
        self.digitalocean
            .as_ref()
            .ok_or_else(|| not_configured(Provider::DigitalOcean))
    }

    #[cfg(feature = "oks")]
    fn oks_client(&self) -> Result<&crate::oks::Client> {
        self.oks
            .as_ref()
            .ok_or_else(|| not_configured(Provider::Oks))
    }
}

/// What a read by id found.
enum ByIdRead {
    /// The cluster.
    Found(ClusterSummary),
    /// No cluster has that id; when ids are names, none has that name either.
    Absent {
        /// Whether the provider's ids are its names (Commissaire).
        ids_are_names: bool,
    },
    /// The provider has no read by id (or the text cannot be one of its ids).
    Unavailable,
}

impl ByIdRead {
    /// What a read that found `found` says.
    #[cfg_attr(
        not(any(feature = "digitalocean", feature = "oks", feature = "commissaire")),
        allow(dead_code, reason = "no provider with a read by id is compiled in")
    )]
    fn of(found: Option<ClusterSummary>, ids_are_names: bool) -> Self {
        match found {
            Some(summary) => ByIdRead::Found(summary),
            None => ByIdRead::Absent { ids_are_names },
        }
    }
}

/// No cluster of that id or name.
fn not_found(cluster: &ClusterRef) -> Error {
    Error::ClusterNotFound {
        provider: cluster.provider.name().into(),
        cluster: cluster.cluster.clone(),
    }
}

/// `provider` is not in the inventory: what to set.
fn not_configured(provider: Provider) -> Error {
    Error::InvalidInput(format!(
        "{provider} is not configured: set {}",
        provider.environment_variables()
    ))
}

#[allow(
    dead_code,
    reason = "unused when only DigitalOcean and OKS are compiled in"
)]
fn no_kubeconfig(provider: Provider) -> Error {
    Error::InvalidInput(format!(
        "{provider} hands out no kubeconfig: only digitalocean and oks clusters have one"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_refs_read_provider_slash_cluster() {
        let parsed: ClusterRef = "do/prod-eu".parse().unwrap();
        assert_eq!(parsed, ClusterRef::new(Provider::DigitalOcean, "prod-eu"));
        assert_eq!(parsed.to_string(), "digitalocean/prod-eu");
        let with_slash: ClusterRef = "OKS/a/b".parse().unwrap();
        assert_eq!(with_slash, ClusterRef::new(Provider::Oks, "a/b"));
        for bad in ["prod", "do/", "do/  ", "aws/prod", "/prod"] {
            let error = bad.parse::<ClusterRef>().unwrap_err();
            assert!(matches!(error, Error::InvalidInput(_)), "{bad}: {error}");
        }
    }
}
