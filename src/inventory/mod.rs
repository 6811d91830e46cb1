//! One inventory across providers and accounts: every cluster of every account as one stream
//! of [`ClusterSummary`], each with its account, its state normalised and the provider's typed
//! object kept. An inventory holds any number of accounts per provider, each under a unique
//! name: the environment's ([`Inventory::from_env`], `env:<provider>`), every account the user
//! keeps (`Inventory::from_config`, with the `accounts` feature), or clients of the caller's
//! ([`Inventory::with_account`]). A cluster is named `<account>/<cluster>`, or
//! `<provider>/<cluster>` when the provider has one account ([`ClusterRef`]).
//!
//! ```no_run
//! # async fn demo() -> kaas::Result<()> {
//! use futures::StreamExt as _;
//! let inventory = kaas::inventory::Inventory::from_env()?;
//! let mut clusters = inventory.clusters();
//! while let Some(item) = clusters.next().await {
//!     match item {
//!         Ok(cluster) => println!("{} {} {}", cluster.account, cluster.name, cluster.state),
//!         // One account failing (a bad token, an outage) does not stop the others.
//!         Err(failure) => eprintln!("{failure}"),
//!     }
//! }
//! # Ok(()) }
//! ```

#[cfg(feature = "cloud66")]
mod cloud66;
#[cfg(feature = "commissaire")]
mod commissaire;
#[cfg(feature = "accounts")]
mod configured;
#[cfg(feature = "digitalocean")]
mod digitalocean;
mod environment;
mod failure;
mod lookup;
#[cfg(feature = "oks")]
mod oks;
mod reference;
mod summary;

use futures::stream::{self, BoxStream, StreamExt};

pub use account::AccountClient;
#[cfg(feature = "commissaire")]
pub use commissaire::MAX_NAMED_READS;
pub use failure::ProviderFailure;
pub use reference::ClusterRef;
pub use summary::{ClusterState, ClusterSummary, Provider, ProviderCluster};

mod account;

use account::Entry;

/// How many accounts [`Inventory::clusters`] lists at the same time, unless
/// [`Inventory::max_concurrent_accounts`] says otherwise.
pub const DEFAULT_MAX_CONCURRENT_ACCOUNTS: usize = 8;

/// The accounts an inventory lists, any number per provider, each with a unique name.
#[derive(Clone, Debug)]
pub struct Inventory {
    accounts: Vec<Entry>,
    max_concurrent_accounts: usize,
}

impl Default for Inventory {
    fn default() -> Self {
        Inventory {
            accounts: Vec::new(),
            max_concurrent_accounts: DEFAULT_MAX_CONCURRENT_ACCOUNTS,
        }
    }
}

impl Inventory {
    /// An inventory of no account yet; add clients with [`with_account`](Self::with_account)
    /// or the `with_<provider>` methods.
    pub fn new() -> Self {
        Self::default()
    }

    /// An inventory of every provider compiled in whose credentials the environment holds,
    /// one account each, named `env:<provider>` (as [`crate::accounts`] names them):
    /// `DIGITALOCEAN_TOKEN`; `OKS_ACCESS_KEY` + `OKS_SECRET_KEY` (+ `OKS_REGION`);
    /// `CLOUD66_TOKEN`; `COMMISSAIRE_URL` + `COMMISSAIRE_USER`/`COMMISSAIRE_PASSWORD` or
    /// `COMMISSAIRE_TOKEN`. `DIGITALOCEAN_API_URL`, `OKS_API_URL` and `CLOUD66_API_URL` replace
    /// a provider's base URL (a proxy, a test server), by the one rule of
    /// [`ClientBuilder::base_url`](crate::ClientBuilder::base_url), as `COMMISSAIRE_URL` does. A provider whose variables are half set (a key without its secret,
    /// an unknown region) is [`crate::Error::InvalidInput`], naming the variable.
    pub fn from_env() -> crate::Result<Self> {
        environment::inventory(|name| std::env::var(name).ok())
    }

    /// An inventory of every account of `accounts` whose provider is compiled in, under the
    /// account's name. No credential is read here: each account's is read the first time the
    /// account is listed or looked up (once), so a credential that cannot be had (a variable
    /// unset, a command that fails or hangs past its timeout) fails that account alone, as an
    /// error naming it (in [`clusters`](Self::clusters), a [`ProviderFailure`] item).
    #[cfg(feature = "accounts")]
    #[cfg_attr(docsrs, doc(cfg(feature = "accounts")))]
    pub fn from_accounts(accounts: &crate::accounts::Accounts) -> Self {
        Inventory {
            accounts: configured::entries(accounts),
            ..Inventory::default()
        }
    }

    /// The inventory of every account the user keeps:
    /// [`from_accounts`](Self::from_accounts) of the accounts
    /// [`Sources::system`](crate::accounts::Sources::system) loads, with the warnings of
    /// doctl's and oks-cli's files (for the caller to show; the library prints nothing).
    #[cfg(feature = "accounts")]
    #[cfg_attr(docsrs, doc(cfg(feature = "accounts")))]
    pub fn from_config()
    -> Result<(Self, Vec<crate::accounts::Warning>), crate::accounts::AccountsError> {
        let accounts = crate::accounts::Accounts::load(&crate::accounts::Sources::system())?;
        Ok((Self::from_accounts(&accounts), accounts.warnings().to_vec()))
    }

    /// Adds the account `name`, listed with `client` (any provider's client: `.into()`
    /// converts it), next to any other account of the same provider. A name already in the
    /// inventory, or one that cannot name an account (empty, holding `/` or spaces, or a
    /// provider's name: `oks/<cluster>` names the provider's only account), is
    /// [`crate::Error::InvalidInput`].
    ///
    /// ```
    /// # #[cfg(feature = "digitalocean")]
    /// # fn main() -> kaas::Result<()> {
    /// let team_a = kaas::digitalocean::Client::new("dop_v1_team_a")?;
    /// let team_b = kaas::digitalocean::Client::new("dop_v1_team_b")?;
    /// let inventory = kaas::inventory::Inventory::new()
    ///     .with_account("do:team-a", team_a)?
    ///     .with_account("do:team-b", team_b)?;
    /// assert_eq!(inventory.accounts().len(), 2);
    /// # Ok(()) }
    /// # #[cfg(not(feature = "digitalocean"))]
    /// # fn main() {}
    /// ```
    pub fn with_account(
        mut self,
        name: impl Into<String>,
        client: impl Into<AccountClient>,
    ) -> crate::Result<Self> {
        let name = name.into();
        if let Some(problem) = account::name_problem(&name) {
            return Err(problem);
        }
        if self.entry(&name).is_some() {
            return Err(crate::Error::InvalidInput(format!(
                "the inventory has an account `{name}` already"
            )));
        }
        self.accounts.push(Entry::ready(name, client.into()));
        Ok(self)
    }

    /// Adds `client` as the account named `name`, or replaces that account's client.
    #[allow(
        dead_code,
        unused_mut,
        reason = "unused when no provider is compiled in"
    )]
    fn with_named(mut self, name: &str, client: AccountClient) -> Self {
        let entry = Entry::ready(name, client);
        match self.accounts.iter_mut().find(|kept| kept.name == name) {
            Some(kept) => *kept = entry,
            None => self.accounts.push(entry),
        }
        self
    }

    /// Lists DigitalOcean's clusters with this client, as the account named `digitalocean`
    /// (replacing that account's client if there is one).
    #[cfg(feature = "digitalocean")]
    pub fn with_digitalocean(self, client: crate::digitalocean::Client) -> Self {
        self.with_named(Provider::DigitalOcean.name(), client.into())
    }

    /// Lists OKS's clusters with this client, as the account named `oks` (replacing that
    /// account's client if there is one).
    #[cfg(feature = "oks")]
    pub fn with_oks(self, client: crate::oks::Client) -> Self {
        self.with_named(Provider::Oks.name(), client.into())
    }

    /// Lists Cloud66's clusters with this client, as the account named `cloud66` (replacing
    /// that account's client if there is one).
    #[cfg(feature = "cloud66")]
    pub fn with_cloud66(self, client: crate::cloud66::Client) -> Self {
        self.with_named(Provider::Cloud66.name(), client.into())
    }

    /// Lists Commissaire's clusters with this client, as the account named `commissaire`
    /// (replacing that account's client if there is one).
    #[cfg(feature = "commissaire")]
    pub fn with_commissaire(self, client: crate::commissaire::Client) -> Self {
        self.with_named(Provider::Commissaire.name(), client.into())
    }

    /// Lists at most `accounts` accounts at the same time (at least 1; default
    /// [`DEFAULT_MAX_CONCURRENT_ACCOUNTS`]); the next starts as one ends.
    pub fn max_concurrent_accounts(mut self, accounts: usize) -> Self {
        self.max_concurrent_accounts = accounts.max(1);
        self
    }

    /// The inventory's accounts, name and provider, in the order they were added (for
    /// [`from_accounts`](Self::from_accounts), the accounts' merge order).
    pub fn accounts(&self) -> Vec<(&str, Provider)> {
        self.accounts
            .iter()
            .map(|entry| (entry.name.as_str(), entry.provider))
            .collect()
    }

    /// The inventory restricted to the accounts named in `names` (what a command's
    /// `--account` asks), in the inventory's order. A name the inventory lacks is
    /// [`crate::Error::InvalidInput`] listing the accounts it has.
    pub fn only<S: AsRef<str>>(mut self, names: &[S]) -> crate::Result<Self> {
        for name in names {
            let name = name.as_ref();
            if self.entry(name).is_none() {
                return Err(lookup::unknown_account(name, &self));
            }
        }
        self.accounts
            .retain(|entry| names.iter().any(|name| name.as_ref() == entry.name));
        Ok(self)
    }

    /// The providers this inventory lists, each once, in the providers' order.
    pub fn providers(&self) -> Vec<Provider> {
        let mut providers: Vec<Provider> = self.accounts.iter().map(|e| e.provider).collect();
        providers.sort();
        providers.dedup();
        providers
    }

    /// Every cluster of every account, at most
    /// [`max_concurrent_accounts`](Self::max_concurrent_accounts) accounts listed at the same
    /// time (each over all its pages, within its own client's rate-limit budget), items
    /// interleaved as they arrive, each carrying its account's name. An account that fails
    /// (its credential, its provider) yields one [`ProviderFailure`] and no more items; the
    /// others go on, and a slow one holds up only its own items.
    ///
    /// Memory stays that of the accounts being listed, however many there are, for accounts of
    /// [`from_accounts`](Self::from_accounts) (a client is built for each listing and dropped
    /// with it). A client the caller gave ([`with_account`](Self::with_account)) keeps its
    /// idle connections, and their buffers, after its listing, as any client does until they
    /// time out.
    pub fn clusters(&self) -> BoxStream<'static, Result<ClusterSummary, ProviderFailure>> {
        stream::iter(self.accounts.clone())
            .map(Entry::clusters)
            .flatten_unordered(self.max_concurrent_accounts)
            .boxed()
    }

    /// The account named `name`.
    fn entry(&self, name: &str) -> Option<&Entry> {
        self.accounts.iter().find(|entry| entry.name == name)
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
