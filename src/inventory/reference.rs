//! How a user names a cluster: `<account>/<cluster>` or `<provider>/<cluster>`, and a
//! provider's name as text.

use std::fmt;
use std::str::FromStr;

use super::Provider;
use crate::{Error, Result};

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

/// A cluster named by its account (or its provider) and its id or name:
/// `<account>/<id or name>`, as in `do:team-a/prod-eu`, or `<provider>/<id or name>`, as in
/// `digitalocean/prod-eu` or `oks/5f0c...`, which names the provider's only account of an
/// inventory ([`Error::AmbiguousAccount`] when it has several).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ClusterRef {
    /// What comes before the `/`: an account's name, or a provider's name (`do` is written
    /// `digitalocean` here), which stands for that provider's only account.
    pub account: String,
    /// Its id, or its name.
    pub cluster: String,
}

impl ClusterRef {
    /// The cluster `cluster` (an id or a name) of `provider`'s only account.
    pub fn new(provider: Provider, cluster: impl Into<String>) -> Self {
        ClusterRef {
            account: provider.name().to_owned(),
            cluster: cluster.into(),
        }
    }

    /// The cluster `cluster` (an id or a name) of the account named `account`.
    pub fn in_account(account: impl Into<String>, cluster: impl Into<String>) -> Self {
        ClusterRef {
            account: account.into(),
            cluster: cluster.into(),
        }
    }

    /// The provider the text before the `/` names, when it names one rather than an account.
    pub fn provider(&self) -> Option<Provider> {
        self.account.parse().ok()
    }
}

impl FromStr for ClusterRef {
    type Err = Error;

    /// `<account>/<cluster>` or `<provider>/<cluster>` (`do`, `digitalocean`, `oks`, ... in
    /// any case); the cluster part may hold `/` itself.
    fn from_str(text: &str) -> Result<Self> {
        const FORM: &str = "write <account or provider>/<cluster id or name>";
        let (account, cluster) = text.split_once('/').ok_or_else(|| {
            Error::InvalidInput(format!("`{text}` names no provider or account: {FORM}"))
        })?;
        if cluster.trim().is_empty() {
            return Err(Error::InvalidInput(format!(
                "`{text}` names no cluster: {FORM}"
            )));
        }
        if let Ok(provider) = account.parse::<Provider>() {
            return Ok(ClusterRef::new(provider, cluster));
        }
        if account.is_empty() || account.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(Error::InvalidInput(format!(
                "`{text}` names no provider or account: {FORM}"
            )));
        }
        Ok(ClusterRef::in_account(account, cluster))
    }
}

impl fmt::Display for ClusterRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.account, self.cluster)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_refs_read_provider_slash_cluster() {
        let parsed: ClusterRef = "do/prod-eu".parse().unwrap();
        assert_eq!(parsed, ClusterRef::new(Provider::DigitalOcean, "prod-eu"));
        assert_eq!(parsed.to_string(), "digitalocean/prod-eu");
        assert_eq!(parsed.provider(), Some(Provider::DigitalOcean));
        let with_slash: ClusterRef = "OKS/a/b".parse().unwrap();
        assert_eq!(with_slash, ClusterRef::new(Provider::Oks, "a/b"));
        for bad in ["prod", "do/", "do/  ", "/prod", " /prod", "a b/prod"] {
            let error = bad.parse::<ClusterRef>().unwrap_err();
            assert!(matches!(error, Error::InvalidInput(_)), "{bad}: {error}");
        }
    }

    #[test]
    fn cluster_refs_read_account_slash_cluster() {
        let parsed: ClusterRef = "do:team-a/prod-eu".parse().unwrap();
        assert_eq!(parsed, ClusterRef::in_account("do:team-a", "prod-eu"));
        assert_eq!(parsed.to_string(), "do:team-a/prod-eu");
        assert_eq!(parsed.provider(), None);
        let own: ClusterRef = "lab/a/b".parse().unwrap();
        assert_eq!((own.account.as_str(), own.cluster.as_str()), ("lab", "a/b"));
    }
}
