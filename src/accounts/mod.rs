//! Every account a user has, from kaas's own file, the environment, doctl's contexts and
//! oks-cli's profiles: each with its provider, where to reach it, where its credential comes
//! from and where kaas found it. Credentials are read only when asked for
//! ([`Accounts::credential`]), and never shown by `Debug`, `Display` or an error.
//!
//! The sources, merged in this order (the first to name an account wins):
//!
//! 1. kaas's own file, `$XDG_CONFIG_HOME/kaas/config.toml` or the platform's configuration
//!    folder (see [`ConfigPaths`]): accounts named as the user likes (see the file's format
//!    below); a broken file is an error.
//! 2. The environment variables of [`Inventory::from_env`](crate::inventory::Inventory::from_env),
//!    one account per provider, named `env:<provider>`; half-set variables are an error.
//! 3. doctl's auth contexts, `do:<context>` (and `do:default` for its `access-token`).
//! 4. oks-cli's profiles, `oks:<profile>`, each with its region and endpoint.
//!
//! doctl's and oks-cli's files are only read, and are skipped when `KAAS_NO_FOREIGN_CONFIG`
//! is set (to anything but `0`, `false`, `no`) or kaas's file says `foreign_config = false`.
//! A broken foreign file, or a broken entry of one, is a [`Warning`] naming the file and line:
//! the other accounts still load.
//!
//! kaas's file names accounts as the user likes; a secret is text (on Unix, only in a file
//! that group and others cannot read, as ssh requires of keys), or comes from a variable, a file (`~/`
//! is the home folder, a relative path is relative to kaas's file) or a command (its
//! trimmed output, run without a shell, bounded by `credential_timeout_seconds`):
//!
//! ```toml
//! foreign_config = true              # read doctl's and oks-cli's files (the default)
//! credential_timeout_seconds = 30    # the default
//!
//! [accounts.team-a]
//! provider = "digitalocean"          # or cloud66: `token` too
//! token = { env = "TEAM_A_DIGITALOCEAN_TOKEN" }
//!
//! [accounts.prod-eu]
//! provider = "oks"
//! region = "eu-west-2"               # or base_url = "https://..."
//! access_key = { file = "~/.secrets/oks-prod-ak" }
//! secret_key = { command = ["pass", "show", "oks/prod-eu"] }
//!
//! [accounts.lab]
//! provider = "commissaire"
//! base_url = "https://commissaire.lab.example.com:8000"
//! username = "ops"                   # and `password`; or `token`
//! password = { command = "lab-password" }
//! ```
//!
//! A name cannot be a provider's (`oks/<cluster>` names a provider's cluster) nor hold `/`;
//! a `:` is only allowed in `do:<name>` and `oks:<name>`, which replace doctl's context or
//! oks-cli's profile of that name.
//!
//! `DIGITALOCEAN_API_URL`, `OKS_API_URL` and `CLOUD66_API_URL` give the base URL of every
//! account of their provider that names none of its own (kaas's `base_url`, doctl's
//! `api-url`, an oks-cli profile's `endpoint`). doctl's and oks-cli's accounts follow their
//! tool's own rules first: `DIGITALOCEAN_API_URL` wins over doctl's `api-url`, and
//! `OKS_ENDPOINT` over every oks-cli profile's endpoint, as in those tools.
//!
//! ```
//! use kaas::accounts::{Accounts, ConfigPaths, Environment, Sources};
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let environment = Environment::from_pairs([("DIGITALOCEAN_TOKEN", "dop_v1_example")]);
//! // Tests point the files elsewhere; `Sources::system()` reads the real ones.
//! let sources = Sources::new(environment).with_paths(ConfigPaths::default());
//! let accounts = Accounts::load(&sources)?;
//! let account = accounts.get("env:digitalocean").expect("from DIGITALOCEAN_TOKEN");
//! assert_eq!(account.origin.to_string(), "$DIGITALOCEAN_TOKEN");
//! let credential = accounts.credential(account).await?;
//! assert!(!format!("{credential:?}").contains("dop_v1"));
//! # Ok(()) }
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(demo()).unwrap();
//! ```

mod account;
mod command;
mod credential;
mod doctl;
mod environment;
mod error;
mod kaas_file;
mod lines;
mod oks_cli;
mod sources;

use std::path::Path;
use std::time::Duration;

pub use account::{Account, Location, Origin, Source};
pub use credential::{
    Credential, CredentialCommand, CredentialSource, MAX_CREDENTIAL_BYTES, SecretSource,
};
pub use doctl::PREFIX as DOCTL_PREFIX;
pub use environment::PREFIX as ENVIRONMENT_PREFIX;
pub use error::{AccountsError, CredentialError, Warning};
pub use oks_cli::PREFIX as OKS_CLI_PREFIX;
pub use sources::{ConfigPaths, DEFAULT_CREDENTIAL_TIMEOUT, Environment, Sources};

use crate::inventory::Provider;

/// The accounts of every source, merged, with the warnings of the foreign files.
#[derive(Clone, Debug)]
pub struct Accounts {
    accounts: Vec<Account>,
    warnings: Vec<Warning>,
    environment: Environment,
    credential_timeout: Duration,
    foreign_config: bool,
}

impl Accounts {
    /// Reads every source of `sources` and merges them (see the [module](self) docs). The
    /// files are small and read at once, without an async runtime.
    pub fn load(sources: &Sources) -> Result<Self, AccountsError> {
        let environment = &sources.environment;
        let kaas = match &sources.paths.kaas {
            Some(path) => kaas_file::read(path, sources.paths.home.as_deref())?,
            None => kaas_file::KaasFile::default(),
        };
        let foreign_config =
            !environment.is_on("KAAS_NO_FOREIGN_CONFIG") && kaas.foreign_config != Some(false);
        let mut found = Found {
            accounts: kaas.accounts,
            warnings: Vec::new(),
        };
        found.accounts.extend(environment::read(environment)?);
        if foreign_config {
            if let Some(path) = &sources.paths.doctl {
                found.extend(doctl::read(path, environment));
            }
            if let Some(path) = &sources.paths.oks_cli {
                found.extend(oks_cli::read(path, environment));
            }
        }
        let mut accounts: Vec<Account> = Vec::with_capacity(found.accounts.len());
        for account in found.accounts {
            if !accounts.iter().any(|kept| kept.name == account.name) {
                accounts.push(account);
            }
        }
        for account in &mut accounts {
            if account.location.base_url.is_none() {
                account.location.base_url = base_url_variable(account.provider)
                    .and_then(|variable| environment.get(variable))
                    .map(|url| url.trim().to_owned());
            }
        }
        Ok(Accounts {
            accounts,
            warnings: found.warnings,
            environment: environment.clone(),
            credential_timeout: kaas
                .credential_timeout
                .unwrap_or(sources.credential_timeout),
            foreign_config,
        })
    }

    /// Every account, in the merge order.
    pub fn as_slice(&self) -> &[Account] {
        &self.accounts
    }

    /// Every account, in the merge order.
    pub fn iter(&self) -> std::slice::Iter<'_, Account> {
        self.accounts.iter()
    }

    /// The account named `name`.
    pub fn get(&self, name: &str) -> Option<&Account> {
        self.accounts.iter().find(|account| account.name == name)
    }

    /// The accounts of `provider`.
    pub fn of_provider(&self, provider: Provider) -> impl Iterator<Item = &Account> {
        self.accounts
            .iter()
            .filter(move |account| account.provider == provider)
    }

    /// What was skipped in doctl's and oks-cli's files, and why.
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// Whether doctl's and oks-cli's files were read.
    pub fn foreign_config(&self) -> bool {
        self.foreign_config
    }

    /// How long a credential command may run.
    pub fn credential_timeout(&self) -> Duration {
        self.credential_timeout
    }

    /// Reads `account`'s credential: from the environment the accounts were loaded from, a
    /// file, or a command run with [`credential_timeout`](Self::credential_timeout).
    pub async fn credential(&self, account: &Account) -> Result<Credential, CredentialError> {
        account
            .credential
            .resolve(&account.name, &self.environment, self.credential_timeout)
            .await
    }
}

impl<'a> IntoIterator for &'a Accounts {
    type Item = &'a Account;
    type IntoIter = std::slice::Iter<'a, Account>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// The variable that gives a provider's base URL to its accounts that name none.
fn base_url_variable(provider: Provider) -> Option<&'static str> {
    match provider {
        Provider::DigitalOcean => Some("DIGITALOCEAN_API_URL"),
        Provider::Oks => Some("OKS_API_URL"),
        Provider::Cloud66 => Some("CLOUD66_API_URL"),
        Provider::Commissaire => None,
    }
}

/// What a foreign file gave: accounts, and warnings for what it skipped.
#[derive(Debug, Default)]
struct Found {
    accounts: Vec<Account>,
    warnings: Vec<Warning>,
}

impl Found {
    fn warning(warning: Warning) -> Self {
        Found {
            accounts: Vec::new(),
            warnings: vec![warning],
        }
    }

    fn extend(&mut self, other: Found) {
        self.accounts.extend(other.accounts);
        self.warnings.extend(other.warnings);
    }
}

/// A foreign file's text: `None` when it does not exist, a warning when it cannot be read.
fn read_foreign(source: Source, path: &Path) -> Option<Result<String, Warning>> {
    match std::fs::read_to_string(path) {
        Ok(text) => Some(Ok(text)),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
        Err(error) => Some(Err(Warning {
            tool: source,
            path: path.to_owned(),
            line: None,
            message: format!("cannot be read: {}", error.kind()),
        })),
    }
}

#[cfg(test)]
#[path = "merge_tests.rs"]
pub(crate) mod tests;
