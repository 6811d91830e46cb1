//! One account of an inventory: its name, its provider, and its client (the caller's, or
//! built for each use from the account's source once its credential is read).

use futures::stream::{self, BoxStream, StreamExt};

use super::{ClusterSummary, Provider, ProviderFailure};
use crate::{Error, Result};

/// A client of one of the providers, as an inventory's account holds it: what
/// [`Inventory::with_account`](super::Inventory::with_account) takes (each provider's
/// `Client` converts into it with `into()`).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum AccountClient {
    /// A DigitalOcean client.
    #[cfg(feature = "digitalocean")]
    DigitalOcean(crate::digitalocean::Client),
    /// An OKS client.
    #[cfg(feature = "oks")]
    Oks(crate::oks::Client),
    /// A Cloud66 client.
    #[cfg(feature = "cloud66")]
    Cloud66(crate::cloud66::Client),
    /// A Commissaire client.
    #[cfg(feature = "commissaire")]
    Commissaire(crate::commissaire::Client),
}

impl AccountClient {
    /// The provider the client talks to.
    pub fn provider(&self) -> Provider {
        match *self {
            #[cfg(feature = "digitalocean")]
            AccountClient::DigitalOcean(_) => Provider::DigitalOcean,
            #[cfg(feature = "oks")]
            AccountClient::Oks(_) => Provider::Oks,
            #[cfg(feature = "cloud66")]
            AccountClient::Cloud66(_) => Provider::Cloud66,
            #[cfg(feature = "commissaire")]
            AccountClient::Commissaire(_) => Provider::Commissaire,
        }
    }

    /// Every cluster the client sees, summarised (without its account yet).
    pub(super) fn clusters(&self) -> BoxStream<'static, Result<ClusterSummary>> {
        match *self {
            #[cfg(feature = "digitalocean")]
            AccountClient::DigitalOcean(ref client) => super::digitalocean::clusters(client),
            #[cfg(feature = "oks")]
            AccountClient::Oks(ref client) => super::oks::clusters(client),
            #[cfg(feature = "cloud66")]
            AccountClient::Cloud66(ref client) => super::cloud66::clusters(client),
            #[cfg(feature = "commissaire")]
            AccountClient::Commissaire(ref client) => super::commissaire::clusters(client),
        }
    }
}

macro_rules! from_client {
    ($feature:literal, $provider:ident, $variant:ident) => {
        #[cfg(feature = $feature)]
        impl From<crate::$provider::Client> for AccountClient {
            fn from(client: crate::$provider::Client) -> Self {
                AccountClient::$variant(client)
            }
        }
    };
}

from_client!("digitalocean", digitalocean, DigitalOcean);
from_client!("oks", oks, Oks);
from_client!("cloud66", cloud66, Cloud66);
from_client!("commissaire", commissaire, Commissaire);

/// An account of the inventory.
#[derive(Clone, Debug)]
pub(super) struct Entry {
    /// Its name, unique in the inventory.
    pub name: String,
    /// Its provider.
    pub provider: Provider,
    /// Its client, or how to build it.
    pub client: Connect,
}

/// An account's client: given, or built from the account's source on first use.
#[derive(Clone, Debug)]
pub(super) enum Connect {
    /// A client the caller built.
    Ready(AccountClient),
    /// An account of [`crate::accounts`], its credential read when first needed and a client
    /// built for each use.
    #[cfg(feature = "accounts")]
    Configured(std::sync::Arc<super::configured::Configured>),
}

impl Entry {
    /// An account with a client the caller built.
    pub fn ready(name: impl Into<String>, client: AccountClient) -> Self {
        Entry {
            name: name.into(),
            provider: client.provider(),
            client: Connect::Ready(client),
        }
    }

    /// The account's client: for a configured account, built for this use with its credential
    /// (read the first time; an error naming the account when it cannot be).
    pub async fn client(&self) -> Result<AccountClient> {
        match &self.client {
            Connect::Ready(client) => Ok(client.clone()),
            #[cfg(feature = "accounts")]
            Connect::Configured(configured) => configured.client().await,
        }
    }

    /// The account's clusters, each carrying the account's name; a failure (its credential,
    /// its provider) is one item naming the account, and the last.
    pub fn clusters(self) -> BoxStream<'static, Result<ClusterSummary, ProviderFailure>> {
        let (account, provider) = (self.name.clone(), self.provider);
        let listing =
            stream::once(async move { self.client().await }).flat_map(|client| match client {
                Ok(client) => client.clusters(),
                Err(error) => stream::iter([Err(error)]).boxed(),
            });
        crate::paginate::stop_after_error(listing)
            .map(move |item| match item {
                Ok(summary) => Ok(summary.in_account(&account)),
                Err(error) => Err(ProviderFailure {
                    provider,
                    account: account.clone(),
                    error,
                }),
            })
            .boxed()
    }
}

/// A credential that could not be had, as an [`Error::Other`] whose message (the credential
/// error's own) names the account and whose source is the [`crate::accounts::CredentialError`].
#[cfg(feature = "accounts")]
pub(super) fn credential_error(error: crate::accounts::CredentialError) -> Error {
    Error::Other {
        message: error.to_string(),
        source: Box::new(error),
    }
}

/// Why `name` cannot name an account of an inventory, if it cannot: empty, holding `/`,
/// whitespace or a control character, or a provider's name (`<provider>/<cluster>` names a
/// provider's only account).
pub(super) fn name_problem(name: &str) -> Option<Error> {
    let problem = if name.is_empty() {
        "an account name cannot be empty"
    } else if name.contains('/') {
        "an account name cannot hold `/`"
    } else if name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        "an account name cannot hold spaces or control characters"
    } else if name.parse::<Provider>().is_ok() {
        "an account name cannot be a provider's name (use `with_<provider>` for that account)"
    } else {
        return None;
    };
    Some(Error::InvalidInput(format!("account `{name}`: {problem}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_would_break_a_cluster_reference_are_refused() {
        assert!(name_problem("do:team-a").is_none());
        for bad in ["", "a/b", "a b", "do", "OKS", "cloud66"] {
            assert!(
                matches!(name_problem(bad), Some(Error::InvalidInput(_))),
                "{bad:?}"
            );
        }
    }
}
