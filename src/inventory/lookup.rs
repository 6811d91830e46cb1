//! Finding one cluster of the inventory by account and id or name, and fetching its
//! kubeconfig or credential from the account it was found with.

use std::time::Duration;

use futures::StreamExt as _;

use super::account::{AccountClient, Entry};
use super::{ClusterRef, ClusterSummary, Inventory, Provider};
use crate::kubeconfig::Credential;
use crate::{Error, Kubeconfig, Result};

impl Inventory {
    /// The cluster `cluster` names: in the account it names (or the only account of the
    /// provider it names), the one whose id it is, else the one whose name it is. An id is
    /// read in one request where the provider has such a read (DigitalOcean and OKS by UUID,
    /// Commissaire by name); a name, or a Cloud66 uid, walks the account's list.
    /// [`Error::ClusterNotFound`] when there is none ([`Error::is_not_found`]);
    /// [`Error::AmbiguousAccount`] when a provider is named and it has several accounts;
    /// [`Error::InvalidInput`] when the account or provider is not in the inventory (the
    /// message lists its accounts) or several clusters have that name (the message lists
    /// their ids). An account's credential that cannot be had is the error, naming the
    /// account.
    ///
    /// ```no_run
    /// # async fn demo(inventory: kaas::inventory::Inventory) -> kaas::Result<()> {
    /// let cluster = inventory.find(&"oks/analytics".parse()?).await?;
    /// println!("{} is {}", cluster.id, cluster.state);
    /// # Ok(()) }
    /// ```
    pub async fn find(&self, cluster: &ClusterRef) -> Result<ClusterSummary> {
        let entry = self.resolve(cluster)?;
        let client = entry.client().await?;
        Ok(find_with(&client, entry.provider, &cluster.cluster)
            .await?
            .in_account(&entry.name))
    }

    /// The name of the account `cluster` names, without a request: the account of that name,
    /// else its provider's only account. The errors of [`find`](Self::find) for a name that
    /// names none, or a provider with several ([`Error::AmbiguousAccount`]). A credential
    /// cache keyed by account and cluster asks this before any request.
    ///
    /// ```
    /// # #[cfg(feature = "digitalocean")]
    /// # fn main() -> kaas::Result<()> {
    /// let client = kaas::digitalocean::Client::new("dop_v1_example")?;
    /// let inventory = kaas::inventory::Inventory::new().with_account("do:team-a", client)?;
    /// assert_eq!(inventory.account_of(&"do/prod".parse()?)?, "do:team-a");
    /// # Ok(()) }
    /// # #[cfg(not(feature = "digitalocean"))]
    /// # fn main() {}
    /// ```
    pub fn account_of(&self, cluster: &ClusterRef) -> Result<&str> {
        Ok(&self.resolve(cluster)?.name)
    }

    /// The account `cluster` names: the account of that name, else the provider's only one.
    fn resolve(&self, cluster: &ClusterRef) -> Result<&Entry> {
        if let Some(entry) = self.entry(&cluster.account) {
            return Ok(entry);
        }
        let Some(provider) = cluster.provider() else {
            return Err(unknown_account(&cluster.account, self));
        };
        let mut of_provider = self.accounts.iter().filter(|e| e.provider == provider);
        match (of_provider.next(), of_provider.next()) {
            (Some(only), None) => Ok(only),
            (None, _) => Err(not_configured(provider)),
            (Some(_), Some(_)) => Err(Error::AmbiguousAccount {
                reference: cluster.to_string(),
                accounts: self
                    .accounts
                    .iter()
                    .filter(|e| e.provider == provider)
                    .map(|e| e.name.clone())
                    .collect(),
            }),
        }
    }

    /// The account a summary was listed or found with.
    fn listed_with(&self, cluster: &ClusterSummary) -> Result<&Entry> {
        self.entry(&cluster.account)
            .ok_or_else(|| unknown_account(&cluster.account, self))
    }
}

/// The cluster `cluster` names (an id or a name) among `client`'s.
async fn find_with(
    client: &AccountClient,
    provider: Provider,
    cluster: &str,
) -> Result<ClusterSummary> {
    let not_found = || Error::ClusterNotFound {
        provider: provider.name().into(),
        cluster: cluster.to_owned(),
    };
    match read_by_id(client, cluster).await? {
        ByIdRead::Found(summary) => return Ok(*summary),
        ByIdRead::Absent {
            ids_are_names: true,
        } => return Err(not_found()),
        ByIdRead::Absent {
            ids_are_names: false,
        }
        | ByIdRead::Unavailable => {}
    }
    let mut listing = client.clusters();
    let mut by_name = Vec::new();
    while let Some(summary) = listing.next().await {
        let summary = summary?;
        if summary.id == cluster {
            return Ok(summary);
        }
        if summary.name == cluster {
            by_name.push(summary);
        }
    }
    match by_name.len() {
        0 => Err(not_found()),
        1 => Ok(by_name.remove(0)),
        _ => Err(Error::InvalidInput(format!(
            "{provider} has {} clusters named `{cluster}` (ids {}): name one by its id",
            by_name.len(),
            by_name
                .iter()
                .map(|s| s.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

impl Inventory {
    /// The cluster's kubeconfig, from the account it was listed or found with, with
    /// credentials that last `lifetime` where the provider lets a client choose
    /// (DigitalOcean's `expiry_seconds`; OKS's `ttl`, rounded up to the hour), its default
    /// otherwise. DigitalOcean and OKS only: Cloud66 and Commissaire hand out no kubeconfig
    /// ([`Error::InvalidInput`]), nor does an account the inventory lacks.
    ///
    /// ```no_run
    /// # async fn demo(inventory: kaas::inventory::Inventory, cluster: kaas::inventory::ClusterSummary) -> kaas::Result<()> {
    /// use std::time::Duration;
    /// let kubeconfig = inventory.kubeconfig(&cluster, Some(Duration::from_secs(3600))).await?;
    /// println!("contexts {:?}, expiring at {:?}", kubeconfig.context_names(), kubeconfig.expires_at());
    /// # Ok(()) }
    /// ```
    pub async fn kubeconfig(
        &self,
        cluster: &ClusterSummary,
        lifetime: Option<Duration>,
    ) -> Result<Kubeconfig> {
        let client = self.listed_with(cluster)?.client().await?;
        kubeconfig_with(&client, cluster, lifetime).await
    }

    /// The credential a Kubernetes client presents to the cluster, with its expiry, from the
    /// account it was listed or found with: for DigitalOcean the credentials endpoint's token
    /// and `expires_at`; for OKS the user of a kubeconfig fetched with `lifetime` as its ttl.
    /// Cloud66 and Commissaire hand out none.
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
        let client = self.listed_with(cluster)?.client().await?;
        match client {
            #[cfg(feature = "digitalocean")]
            AccountClient::DigitalOcean(client) => {
                client.credential(cluster.id.as_str(), lifetime).await
            }
            #[allow(
                unreachable_patterns,
                reason = "every variant is handled above when only DigitalOcean is compiled in"
            )]
            client => kubeconfig_with(&client, cluster, lifetime)
                .await?
                .credential(),
        }
    }

    /// A [`kube::Client`] for the cluster, from the account it was listed or found with, whose
    /// credentials (lasting `lifetime`) are refreshed in process before they expire
    /// ([`crate::kubernetes`]). DigitalOcean and OKS only.
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
        match self.listed_with(cluster)?.client().await? {
            #[cfg(feature = "digitalocean")]
            AccountClient::DigitalOcean(client) => {
                client.kube_client(cluster.id.as_str(), lifetime).await
            }
            #[cfg(feature = "oks")]
            AccountClient::Oks(client) => client.kube_client(&cluster.id, lifetime).await,
            #[allow(
                unreachable_patterns,
                reason = "every variant is handled above when only DigitalOcean and OKS are compiled in"
            )]
            _ => Err(no_kubeconfig(cluster.provider)),
        }
    }
}

/// The kubeconfig of `cluster` from `client` (see [`Inventory::kubeconfig`]).
#[cfg_attr(
    not(any(feature = "digitalocean", feature = "oks")),
    allow(
        unused_variables,
        reason = "no provider with a kubeconfig is compiled in"
    )
)]
async fn kubeconfig_with(
    client: &AccountClient,
    cluster: &ClusterSummary,
    lifetime: Option<Duration>,
) -> Result<Kubeconfig> {
    match client {
        #[cfg(feature = "digitalocean")]
        AccountClient::DigitalOcean(client) => {
            let mut options = crate::digitalocean::KubeconfigOptions::default();
            if let Some(lifetime) = lifetime {
                options = options.expiry(lifetime);
            }
            client.kubeconfig_with(cluster.id.as_str(), options).await
        }
        #[cfg(feature = "oks")]
        AccountClient::Oks(client) => {
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

/// The cluster read by its id in one request, where the provider has such a read
/// (DigitalOcean and OKS by UUID, Commissaire by name); Cloud66's reads take a number the
/// summary does not carry.
#[cfg_attr(
    not(any(feature = "digitalocean", feature = "oks", feature = "commissaire")),
    allow(
        unused_variables,
        reason = "no provider with a read by id is compiled in"
    )
)]
async fn read_by_id(client: &AccountClient, id: &str) -> Result<ByIdRead> {
    Ok(match client {
        #[cfg(feature = "digitalocean")]
        AccountClient::DigitalOcean(client) => {
            ByIdRead::of(super::digitalocean::by_id(client, id).await?, false)
        }
        #[cfg(feature = "oks")]
        AccountClient::Oks(client) => ByIdRead::of(super::oks::by_id(client, id).await?, false),
        #[cfg(feature = "commissaire")]
        AccountClient::Commissaire(client) => {
            ByIdRead::of(super::commissaire::by_id(client, id).await?, true)
        }
        #[allow(
            unreachable_patterns,
            reason = "reached only for providers without a read by id"
        )]
        _ => ByIdRead::Unavailable,
    })
}

/// What a read by id found.
enum ByIdRead {
    /// The cluster.
    Found(Box<ClusterSummary>),
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
            Some(summary) => ByIdRead::Found(Box::new(summary)),
            None => ByIdRead::Absent { ids_are_names },
        }
    }
}

/// `provider` has no account in the inventory: what to set.
fn not_configured(provider: Provider) -> Error {
    Error::InvalidInput(format!(
        "{provider} is not configured: set {}",
        provider.environment_variables()
    ))
}

/// The inventory has no account `name`: the accounts it has.
pub(super) fn unknown_account(name: &str, inventory: &Inventory) -> Error {
    let known: Vec<&str> = inventory.accounts.iter().map(|e| e.name.as_str()).collect();
    Error::InvalidInput(if known.is_empty() {
        format!("no account `{name}`: no account is configured")
    } else {
        format!("no account `{name}`: the accounts are {}", known.join(", "))
    })
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
