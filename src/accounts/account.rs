//! One account: its name, provider, where to reach it, where its credential comes from, and
//! where kaas found it.

use std::fmt;
use std::path::PathBuf;

use super::credential::CredentialSource;
use crate::inventory::Provider;

/// An account of one provider, as one of the [sources](super) describes it. Its `Debug` shows
/// where the credential comes from, never the credential.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Account {
    /// Unique among the loaded accounts: `do:<context>`, `oks:<profile>`, `env:<provider>`, or
    /// a name of the user's choosing in kaas's own file.
    pub name: String,
    /// The provider that serves it.
    pub provider: Provider,
    /// Where to reach it (region, base URL).
    pub location: Location,
    /// Where its credential comes from; resolve it with
    /// [`Accounts::credential`](super::Accounts::credential).
    pub credential: CredentialSource,
    /// Where kaas found the account.
    pub origin: Origin,
    /// Whether the foreign tool would use this account right now (doctl's current context,
    /// oks-cli's current profile). Always false for kaas's own accounts and the environment's.
    pub current: bool,
}

/// Where an account is reached: an OKS region, a base URL, both, or neither (the provider's
/// documented endpoint).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Location {
    /// The OKS region (`eu-west-2`, `cloudgouv-eu-west-1`, ...).
    pub region: Option<String>,
    /// A base URL of the account's own (a self-hosted Commissaire, doctl's `api-url`, an
    /// oks-cli profile's `endpoint`, a proxy, a test server).
    pub base_url: Option<String>,
}

impl Location {
    /// A location with a region and/or a base URL.
    pub fn new(region: Option<String>, base_url: Option<String>) -> Self {
        Location { region, base_url }
    }

    /// The base URL to send requests to: the account's own, else the region's endpoint built
    /// as oks-cli builds it (`https://api.<region>.oks.outscale.com/api/v2`, from
    /// `DEFAULT_API_URL` in outscale/oks-cli `oks_cli/utils.py`), else `None`: the provider's
    /// documented default.
    pub fn effective_base_url(&self, provider: Provider) -> Option<String> {
        match (&self.base_url, &self.region) {
            (Some(url), _) => Some(url.clone()),
            (None, Some(region)) if provider == Provider::Oks => {
                Some(format!("https://api.{region}.oks.outscale.com/api/v2"))
            }
            _ => None,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.region, &self.base_url) {
            (Some(region), Some(url)) => write!(f, "{region} ({url})"),
            (Some(region), None) => f.write_str(region),
            (None, Some(url)) => f.write_str(url),
            (None, None) => f.write_str("default"),
        }
    }
}

/// The sources accounts come from, in the order they are merged (the first to name an account
/// wins).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Source {
    /// kaas's own file, `config.toml`.
    Kaas,
    /// The environment variables of [`Inventory::from_env`](crate::inventory::Inventory::from_env).
    Environment,
    /// doctl's `config.yaml`: its auth contexts.
    Doctl,
    /// oks-cli's `config.json`: its profiles.
    OksCli,
}

impl Source {
    /// Its short name: `kaas`, `environment`, `doctl`, `oks-cli`.
    pub fn name(self) -> &'static str {
        match self {
            Source::Kaas => "kaas",
            Source::Environment => "environment",
            Source::Doctl => "doctl",
            Source::OksCli => "oks-cli",
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

/// Where an account was found: a line of a file, or an environment variable.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Origin {
    /// A line (1-based) of a configuration file.
    File {
        /// Which tool's file.
        source: Source,
        /// The file.
        path: PathBuf,
        /// The line the account starts on.
        line: usize,
    },
    /// An environment variable (the first of the account's variables).
    Variable {
        /// The variable's name.
        name: String,
    },
}

impl Origin {
    /// The source the account came from.
    pub fn source(&self) -> Source {
        match self {
            Origin::File { source, .. } => *source,
            Origin::Variable { .. } => Source::Environment,
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::File { path, line, .. } => write!(f, "{}:{line}", path.display()),
            Origin::Variable { name } => write!(f, "${name}"),
        }
    }
}

/// Why `name` cannot name an account, if it cannot: empty, or holding a `/` (it separates the
/// account from the cluster in `<account>/<cluster>`), whitespace or a control character.
pub(super) fn name_problem(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        Some("an account name cannot be empty")
    } else if name.contains('/') {
        Some("an account name cannot hold `/`")
    } else if name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Some("an account name cannot hold spaces or control characters")
    } else {
        None
    }
}

/// Why `region` cannot name an OKS region, if it cannot: it becomes part of a host name
/// (`api.<region>.oks.outscale.com`), so only lower-case letters, digits and `-` are allowed.
pub(super) fn region_problem(region: &str) -> Option<&'static str> {
    let valid = !region.is_empty()
        && region
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    (!valid).then_some("a region name has only lower-case letters, digits and `-`")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_oks_region_without_a_base_url_gets_the_endpoint_oks_cli_builds() {
        let region = Location::new(Some("cloudgouv-eu-west-1".into()), None);
        assert_eq!(
            region.effective_base_url(Provider::Oks).as_deref(),
            Some("https://api.cloudgouv-eu-west-1.oks.outscale.com/api/v2")
        );
        let own = Location::new(Some("eu-west-2".into()), Some("http://127.0.0.1:9".into()));
        assert_eq!(
            own.effective_base_url(Provider::Oks).as_deref(),
            Some("http://127.0.0.1:9")
        );
        assert_eq!(
            Location::default().effective_base_url(Provider::DigitalOcean),
            None
        );
        assert_eq!(own.to_string(), "eu-west-2 (http://127.0.0.1:9)");
        assert_eq!(Location::default().to_string(), "default");
    }

    #[test]
    fn names_that_would_break_a_cluster_reference_are_refused() {
        assert_eq!(name_problem("do:team-a"), None);
        assert_eq!(name_problem("test@example.com"), None);
        for bad in ["", "a/b", "a b", "a\tb", "a\u{7}"] {
            assert!(name_problem(bad).is_some(), "{bad:?}");
        }
        assert_eq!(region_problem("cloudgouv-eu-west-1"), None);
        for bad in ["", "EU", "x.evil.com/", "eu west"] {
            assert!(region_problem(bad).is_some(), "{bad:?}");
        }
    }
}
