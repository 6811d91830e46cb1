//! One inventory across providers: every cluster of every configured provider as one stream
//! of [`ClusterSummary`], each with its state normalised and the provider's typed object kept.
//!
//! ```no_run
//! # async fn demo() -> kaas::Result<()> {
//! use futures::StreamExt as _;
//! let inventory = kaas::inventory::Inventory::from_env()?;
//! let mut clusters = inventory.clusters();
//! while let Some(item) = clusters.next().await {
//!     match item {
//!         Ok(cluster) => println!("{} {} {}", cluster.provider, cluster.name, cluster.state),
//!         // One provider failing (a bad token, an outage) does not stop the others.
//!         Err(failure) => eprintln!("{failure}"),
//!     }
//! }
//! # Ok(()) }
//! ```

#[cfg(feature = "cloud66")]
mod cloud66;
#[cfg(feature = "commissaire")]
mod commissaire;
#[cfg(feature = "digitalocean")]
mod digitalocean;
mod environment;
mod lookup;
#[cfg(feature = "oks")]
mod oks;
mod summary;

use futures::stream::{self, BoxStream, StreamExt};

#[cfg(feature = "commissaire")]
pub use commissaire::MAX_NAMED_READS;
pub use lookup::ClusterRef;
pub use summary::{ClusterState, ClusterSummary, Provider, ProviderCluster};

/// The error item of [`Inventory::clusters`]: one provider could not be listed (the others
/// still are). Its message names the provider once: `cloud66 answered 401 …`, `oks: transport
/// error: …`.
#[derive(Debug, thiserror::Error)]
#[error("{}{error}", provider_prefix(*.provider, .error))]
#[non_exhaustive]
pub struct ProviderFailure {
    /// The provider that failed.
    pub provider: Provider,
    /// Why.
    #[source]
    pub error: crate::Error,
}

/// `"<provider>: "` before an error, unless the error's message names the provider already
/// (`oks answered 401 …`): a failure names its provider once.
fn provider_prefix(provider: Provider, error: &crate::Error) -> String {
    if error.named_provider() == Some(provider.name()) {
        String::new()
    } else {
        format!("{provider}: ")
    }
}

/// The clients an inventory lists, at most one per provider.
#[derive(Clone, Debug, Default)]
pub struct Inventory {
    #[cfg(feature = "digitalocean")]
    digitalocean: Option<crate::digitalocean::Client>,
    #[cfg(feature = "oks")]
    oks: Option<crate::oks::Client>,
    #[cfg(feature = "cloud66")]
    cloud66: Option<crate::cloud66::Client>,
    #[cfg(feature = "commissaire")]
    commissaire: Option<crate::commissaire::Client>,
}

impl Inventory {
    /// An inventory of no provider yet; add clients with the `with_*` methods.
    pub fn new() -> Self {
        Self::default()
    }

    /// An inventory of every provider compiled in whose credentials the environment holds:
    /// `DIGITALOCEAN_TOKEN`; `OKS_ACCESS_KEY` + `OKS_SECRET_KEY` (+ `OKS_REGION`);
    /// `CLOUD66_TOKEN`; `COMMISSAIRE_URL` + `COMMISSAIRE_USER`/`COMMISSAIRE_PASSWORD` or
    /// `COMMISSAIRE_TOKEN`. `DIGITALOCEAN_API_URL`, `OKS_API_URL` and `CLOUD66_API_URL` replace
    /// a provider's base URL (a proxy, a test server), by the one rule of
    /// [`ClientBuilder::base_url`](crate::ClientBuilder::base_url), as `COMMISSAIRE_URL` does. A provider whose variables are half set (a key without its secret,
    /// an unknown region) is [`crate::Error::InvalidInput`], naming the variable.
    pub fn from_env() -> crate::Result<Self> {
        environment::inventory(|name| std::env::var(name).ok())
    }

    /// Lists DigitalOcean's clusters with this client.
    #[cfg(feature = "digitalocean")]
    pub fn with_digitalocean(mut self, client: crate::digitalocean::Client) -> Self {
        self.digitalocean = Some(client);
        self
    }

    /// Lists OKS's clusters with this client.
    #[cfg(feature = "oks")]
    pub fn with_oks(mut self, client: crate::oks::Client) -> Self {
        self.oks = Some(client);
        self
    }

    /// Lists Cloud66's clusters with this client.
    #[cfg(feature = "cloud66")]
    pub fn with_cloud66(mut self, client: crate::cloud66::Client) -> Self {
        self.cloud66 = Some(client);
        self
    }

    /// Lists Commissaire's clusters with this client.
    #[cfg(feature = "commissaire")]
    pub fn with_commissaire(mut self, client: crate::commissaire::Client) -> Self {
        self.commissaire = Some(client);
        self
    }

    /// The providers this inventory lists.
    pub fn providers(&self) -> Vec<Provider> {
        #[allow(unused_mut, reason = "empty when no provider is compiled in")]
        let mut providers = Vec::new();
        #[cfg(feature = "digitalocean")]
        if self.digitalocean.is_some() {
            providers.push(Provider::DigitalOcean);
        }
        #[cfg(feature = "oks")]
        if self.oks.is_some() {
            providers.push(Provider::Oks);
        }
        #[cfg(feature = "cloud66")]
        if self.cloud66.is_some() {
            providers.push(Provider::Cloud66);
        }
        #[cfg(feature = "commissaire")]
        if self.commissaire.is_some() {
            providers.push(Provider::Commissaire);
        }
        providers
    }

    /// Every cluster of every provider, the providers listed concurrently (each over all its
    /// pages), items interleaved as they arrive. A provider that fails yields one
    /// [`ProviderFailure`] and no more items; the others go on.
    pub fn clusters(&self) -> BoxStream<'static, Result<ClusterSummary, ProviderFailure>> {
        #[allow(unused_mut, reason = "empty when no provider is compiled in")]
        let mut listings: Vec<BoxStream<'static, Result<ClusterSummary, ProviderFailure>>> =
            Vec::new();
        #[cfg(feature = "digitalocean")]
        if let Some(client) = &self.digitalocean {
            listings.push(named(
                Provider::DigitalOcean,
                digitalocean::clusters(client),
            ));
        }
        #[cfg(feature = "oks")]
        if let Some(client) = &self.oks {
            listings.push(named(Provider::Oks, oks::clusters(client)));
        }
        #[cfg(feature = "cloud66")]
        if let Some(client) = &self.cloud66 {
            listings.push(named(Provider::Cloud66, cloud66::clusters(client)));
        }
        #[cfg(feature = "commissaire")]
        if let Some(client) = &self.commissaire {
            listings.push(named(Provider::Commissaire, commissaire::clusters(client)));
        }
        stream::select_all(listings).boxed()
    }
}

/// A read's answer, `None` when the provider answered 404 Not Found.
#[cfg_attr(
    not(any(feature = "digitalocean", feature = "oks", feature = "commissaire")),
    allow(dead_code, reason = "no provider with a read by id is compiled in")
)]
fn absent_if_not_found<T>(read: crate::Result<T>) -> crate::Result<Option<T>> {
    match read {
        Ok(found) => Ok(Some(found)),
        Err(error) if error.is_not_found() => Ok(None),
        Err(error) => Err(error),
    }
}

/// A provider's listing with its errors named after it, ended after its first error.
fn named(
    provider: Provider,
    listing: BoxStream<'static, crate::Result<ClusterSummary>>,
) -> BoxStream<'static, Result<ClusterSummary, ProviderFailure>> {
    crate::paginate::stop_after_error(listing)
        .map(move |item| item.map_err(|error| ProviderFailure { provider, error }))
        .boxed()
}

#[cfg(all(test, feature = "oks"))]
mod tests {
    use super::*;

    #[test]
    fn a_failure_names_its_provider_once() {
        let failure = |error| ProviderFailure {
            provider: Provider::Oks,
            error,
        };
        let not_found = crate::Error::ClusterNotFound {
            provider: "oks".into(),
            cluster: "prod".into(),
        };
        assert_eq!(
            failure(not_found).to_string(),
            "oks has no cluster with id or name `prod`"
        );
        let timeout = crate::Error::Timeout {
            message: "reading the answer".into(),
        };
        assert_eq!(
            failure(timeout).to_string(),
            "oks: timed out: reading the answer"
        );
    }
}
