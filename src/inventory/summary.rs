//! What the inventory says of one cluster, whichever provider runs it.

use std::fmt;

/// A provider kaas has a client for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Provider {
    /// DigitalOcean Kubernetes.
    DigitalOcean,
    /// OUTSCALE OKS.
    Oks,
    /// Cloud66.
    Cloud66,
    /// Commissaire.
    Commissaire,
}

impl Provider {
    /// The provider's short name, as in module names and errors (`digitalocean`, `oks`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Provider::DigitalOcean => "digitalocean",
            Provider::Oks => "oks",
            Provider::Cloud66 => "cloud66",
            Provider::Commissaire => "commissaire",
        }
    }
}

impl Provider {
    /// Every provider compiled into this build (its cargo feature on), in the inventory's
    /// order.
    pub fn compiled() -> Vec<Provider> {
        [
            (cfg!(feature = "digitalocean"), Provider::DigitalOcean),
            (cfg!(feature = "oks"), Provider::Oks),
            (cfg!(feature = "cloud66"), Provider::Cloud66),
            (cfg!(feature = "commissaire"), Provider::Commissaire),
        ]
        .into_iter()
        .filter_map(|(compiled, provider)| compiled.then_some(provider))
        .collect()
    }

    /// The environment variables that configure it for
    /// [`Inventory::from_env`](super::Inventory::from_env), as a phrase for messages.
    pub fn environment_variables(self) -> &'static str {
        match self {
            Provider::DigitalOcean => "DIGITALOCEAN_TOKEN",
            Provider::Oks => "OKS_ACCESS_KEY and OKS_SECRET_KEY",
            Provider::Cloud66 => "CLOUD66_TOKEN",
            Provider::Commissaire => {
                "COMMISSAIRE_URL with COMMISSAIRE_TOKEN, or COMMISSAIRE_USER and COMMISSAIRE_PASSWORD"
            }
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

/// A cluster's state in one vocabulary across providers; [`ClusterSummary::raw_state`] keeps
/// the provider's own word.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ClusterState {
    /// Being created (or queued for it).
    Provisioning,
    /// Up and serving.
    Running,
    /// Being upgraded or reconfigured.
    Upgrading,
    /// Serving, but not in full health.
    Degraded,
    /// Failed: the provider says so.
    Failed,
    /// Being deleted.
    Deleting,
    /// Deleted.
    Deleted,
    /// A state kaas does not know, or none given.
    Unknown,
}

impl ClusterState {
    /// The state's name in the one vocabulary (`provisioning`, `running`, ...).
    pub fn name(self) -> &'static str {
        match self {
            ClusterState::Provisioning => "provisioning",
            ClusterState::Running => "running",
            ClusterState::Upgrading => "upgrading",
            ClusterState::Degraded => "degraded",
            ClusterState::Failed => "failed",
            ClusterState::Deleting => "deleting",
            ClusterState::Deleted => "deleted",
            ClusterState::Unknown => "unknown",
        }
    }
}

impl fmt::Display for ClusterState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

/// The provider's full typed object behind a [`ClusterSummary`].
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ProviderCluster {
    /// A DigitalOcean cluster.
    #[cfg(feature = "digitalocean")]
    DigitalOcean(Box<crate::digitalocean::types::Cluster>),
    /// An OKS cluster.
    #[cfg(feature = "oks")]
    Oks(Box<crate::oks::types::Cluster>),
    /// A Cloud66 cluster (a stack).
    #[cfg(feature = "cloud66")]
    Cloud66(Box<crate::cloud66::types::Cluster>),
    /// A Commissaire cluster, read by name.
    #[cfg(feature = "commissaire")]
    Commissaire(Box<crate::commissaire::types::Cluster>),
}

/// One cluster of the inventory: what every provider can say of it, in one shape.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ClusterSummary {
    /// Who runs it.
    pub provider: Provider,
    /// The name of the inventory's account it was listed or found with.
    pub account: String,
    /// The id the provider's operations take (DigitalOcean's UUID, OKS's id, Cloud66's stack
    /// `uid`, Commissaire's name).
    pub id: String,
    /// Its name.
    pub name: String,
    /// Where it runs: region (DigitalOcean, Cloud66) or control-plane subregions (OKS), when
    /// the provider says.
    pub location: Option<String>,
    /// Its Kubernetes version, when the provider says.
    pub kubernetes_version: Option<String>,
    /// Its state in one vocabulary.
    pub state: ClusterState,
    /// The provider's own word for the state (`""` when it gave none).
    pub raw_state: String,
    /// How many nodes it has, when the provider says.
    pub node_count: Option<u64>,
    /// Its Kubernetes API endpoint, when the provider says.
    pub api_endpoint: Option<String>,
    /// When it was created, when the provider says.
    pub created_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The provider's full typed object.
    pub object: ProviderCluster,
}

impl ClusterSummary {
    /// The kubeconfig context name for this cluster, one rule per provider: DigitalOcean
    /// `do-<region>-<name>` (as doctl names it), OKS `oks-<name>`, Cloud66 `cloud66-<name>`,
    /// Commissaire `commissaire-<name>`; outside DigitalOcean, the name is lower-cased and every
    /// character other than `a-z`, `0-9`, `.` and `-` becomes `-`.
    ///
    /// Names are unique across accounts, and stable (adding an account renames no context): a
    /// cluster of an account named by the environment (`env:<provider>`) or after its provider
    /// (`Inventory::with_oks` and its siblings) keeps the name
    /// above; any other account's gets `@<account>` appended, the account's name made
    /// context-safe as above (`do-nyc1-prod@do-team-a` for the account `do:team-a`).
    pub fn context_name(&self) -> String {
        let name = match self.provider {
            Provider::DigitalOcean => format!(
                "do-{}-{}",
                self.location.as_deref().unwrap_or("unknown"),
                self.name
            ),
            provider => format!("{}-{}", provider.name(), slug(&self.name)),
        };
        if self.is_of_default_account() {
            name
        } else {
            format!("{name}@{}", slug(&self.account))
        }
    }

    /// Whether its account is its provider's default one: named by the environment or after
    /// the provider.
    fn is_of_default_account(&self) -> bool {
        let provider = self.provider.name();
        self.account == provider
            || self
                .account
                .strip_prefix("env:")
                .is_some_and(|rest| rest == provider)
    }

    /// The summary, as listed or found with the account named `account`.
    pub(super) fn in_account(mut self, account: &str) -> Self {
        account.clone_into(&mut self.account);
        self
    }
}

/// `name` lower-cased, with every character but `a-z`, `0-9`, `.` and `-` made `-`.
fn slug(name: &str) -> String {
    name.chars()
        .map(|c| match c.to_ascii_lowercase() {
            c @ ('a'..='z' | '0'..='9' | '.' | '-') => c,
            _ => '-',
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "commissaire")]
    #[test]
    fn context_names_keep_the_default_accounts_and_name_the_others() {
        let cluster: crate::commissaire::types::Cluster = serde_json::from_value(
            serde_json::json!({"name": "Lab One", "network": "default", "status": "ok"}),
        )
        .unwrap();
        let summary = crate::inventory::commissaire::summary(cluster);
        for (account, context) in [
            ("commissaire", "commissaire-lab-one"),
            ("env:commissaire", "commissaire-lab-one"),
            ("lab", "commissaire-lab-one@lab"),
            ("env:oks", "commissaire-lab-one@env-oks"),
            ("Team A", "commissaire-lab-one@team-a"),
        ] {
            assert_eq!(summary.clone().in_account(account).context_name(), context);
        }
    }

    #[test]
    fn names_become_context_safe() {
        assert_eq!(slug("Production Cluster"), "production-cluster");
        assert_eq!(slug("prod_eu.1"), "prod-eu.1");
        assert_eq!(slug("ÉTÉ/../x"), "-t--..-x");
    }
}
