//! The accounts of [`crate::accounts`] as an inventory's: each account's credential is read
//! the first time it is needed (once), so that a credential that cannot be had fails that
//! account alone; its client is built for each use and dropped after it, so that an account
//! listed keeps no connections (nor their buffers) once its listing ends, and the memory of a
//! listing stays that of the accounts being listed, however many there are.

use std::sync::Arc;

use super::Provider;
use super::account::{AccountClient, credential_error};
use crate::accounts::{Account, Accounts, Credential};
use crate::{Error, Result};

/// An account and the accounts it was loaded with (whose environment and credential timeout
/// its credential is read with); its credential once read.
#[derive(Debug)]
pub(super) struct Configured {
    account: Account,
    accounts: Arc<Accounts>,
    credential: tokio::sync::OnceCell<Credential>,
}

impl Configured {
    /// `account` of `accounts`, its credential not read yet.
    pub fn new(account: Account, accounts: Arc<Accounts>) -> Self {
        Configured {
            account,
            accounts,
            credential: tokio::sync::OnceCell::new(),
        }
    }

    /// A client of the account: its credential read on the first call that succeeds (a
    /// failure names the account; nothing is kept of it), a client built with it each call.
    pub async fn client(&self) -> Result<AccountClient> {
        let credential = self
            .credential
            .get_or_try_init(|| self.accounts.credential(&self.account))
            .await
            .map_err(credential_error)?;
        build(&self.account, credential.clone())
    }
}

/// The client of `account`, with `credential`, at the account's base URL (its own, else its
/// region's, else the provider's default).
fn build(account: &Account, credential: Credential) -> Result<AccountClient> {
    let base_url = account.location.effective_base_url(account.provider);
    let mismatch = |wanted: &str| {
        Error::InvalidInput(format!(
            "account `{}`: a {} account takes {wanted}",
            account.name, account.provider
        ))
    };
    #[allow(unused_variables, reason = "unused when no provider is compiled in")]
    let client: AccountClient = match (account.provider, credential) {
        #[cfg(feature = "digitalocean")]
        (Provider::DigitalOcean, Credential::Token(token)) => {
            let builder = crate::digitalocean::Client::builder().token(token.expose());
            with_base_url(builder, base_url).build()?.into()
        }
        #[cfg(feature = "digitalocean")]
        (Provider::DigitalOcean, _) => return Err(mismatch("a token")),
        #[cfg(feature = "oks")]
        (Provider::Oks, credential) => {
            let builder = crate::oks::Client::builder();
            let builder = match credential {
                Credential::AccessKey {
                    access_key,
                    secret_key,
                } => builder.access_key(access_key.expose(), secret_key.expose()),
                Credential::Login { username, password } => {
                    builder.basic_auth(username, password.expose())
                }
                _ => return Err(mismatch("an access key or a login")),
            };
            with_base_url(builder, base_url).build()?.into()
        }
        #[cfg(feature = "cloud66")]
        (Provider::Cloud66, Credential::Token(token)) => {
            let builder = crate::cloud66::Client::builder().token(token.expose());
            with_base_url(builder, base_url).build()?.into()
        }
        #[cfg(feature = "cloud66")]
        (Provider::Cloud66, _) => return Err(mismatch("a token")),
        #[cfg(feature = "commissaire")]
        (Provider::Commissaire, credential) => {
            let builder = crate::commissaire::Client::builder();
            let builder = match credential {
                Credential::Token(token) => builder.token(token.expose()),
                Credential::Login { username, password } => {
                    builder.basic_auth(username, password.expose())
                }
                _ => return Err(mismatch("a token or a login")),
            };
            with_base_url(builder, base_url).build()?.into()
        }
        #[allow(
            unreachable_patterns,
            reason = "reached only for providers not compiled in"
        )]
        (provider, _) => {
            return Err(Error::InvalidInput(format!(
                "account `{}`: {provider} is not compiled into this build",
                account.name
            )));
        }
    };
    Ok(client)
}

/// `builder` with `base_url`, when there is one.
#[allow(dead_code, reason = "unused when no provider is compiled in")]
fn with_base_url<C: crate::transport::BuildClient>(
    builder: crate::ClientBuilder<C>,
    base_url: Option<String>,
) -> crate::ClientBuilder<C> {
    match base_url {
        Some(url) => builder.base_url(url),
        None => builder,
    }
}

/// The inventory's accounts of `accounts`: every account whose provider is compiled in.
pub(super) fn entries(accounts: &Accounts) -> Vec<super::account::Entry> {
    let shared = Arc::new(accounts.clone());
    accounts
        .iter()
        .filter(|account| Provider::compiled().contains(&account.provider))
        .map(|account| super::account::Entry {
            name: account.name.clone(),
            provider: account.provider,
            client: super::account::Connect::Configured(Arc::new(Configured::new(
                account.clone(),
                shared.clone(),
            ))),
        })
        .collect()
}
