//! [`Kubeconfig`]: a cluster's kubeconfig, held as a secret.

use std::fmt;

use secrecy::{ExposeSecret as _, SecretString};
use serde::Deserialize;

use crate::error::{Error, Result};

/// A kubeconfig file's YAML, held as a secret: zeroized on drop, redacted in `Debug`.
/// The names it holds (contexts, clusters, users) are not secret and can be read directly.
///
/// ```
/// let yaml = "apiVersion: v1\nkind: Config\ncurrent-context: demo\ncontexts:\n- name: demo\n  context: {cluster: demo, user: admin}\nusers:\n- name: admin\n  user: {token: s3cr3t}\n";
/// let config = kaas::Kubeconfig::from_yaml(yaml.to_string())?;
/// assert_eq!(config.context_names(), ["demo"]);
/// assert!(!format!("{config:?}").contains("s3cr3t"));
/// # Ok::<(), kaas::Error>(())
/// ```
pub struct Kubeconfig {
    yaml: SecretString,
    names: Names,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Names {
    current_context: Option<String>,
    contexts: Vec<String>,
    clusters: Vec<String>,
    servers: Vec<String>,
}

/// Only the non-secret parts of a kubeconfig; credentials are never parsed into this.
#[derive(Deserialize)]
struct Outline {
    #[serde(rename = "current-context", default)]
    current_context: Option<String>,
    #[serde(default)]
    contexts: Option<Vec<Named>>,
    #[serde(default)]
    clusters: Option<Vec<NamedCluster>>,
}

#[derive(Deserialize)]
struct Named {
    name: String,
}

#[derive(Deserialize)]
struct NamedCluster {
    name: String,
    #[serde(default)]
    cluster: Option<ClusterOutline>,
}

#[derive(Deserialize)]
struct ClusterOutline {
    #[serde(default)]
    server: Option<String>,
}

impl Kubeconfig {
    /// Takes a kubeconfig's YAML. It must be a YAML mapping; the string is moved, not copied.
    pub fn from_yaml(yaml: String) -> Result<Self> {
        let secret = SecretString::from(yaml);
        let outline: Outline = serde_yaml_ng::from_str(secret.expose_secret()).map_err(|e| {
            Error::Kubeconfig(format!("not a kubeconfig document ({})", location_only(&e)))
        })?;
        let (clusters, servers) = outline
            .clusters
            .unwrap_or_default()
            .into_iter()
            .map(|c| (c.name, c.cluster.and_then(|c| c.server).unwrap_or_default()))
            .unzip();
        let names = Names {
            current_context: outline.current_context.filter(|c| !c.is_empty()),
            contexts: outline
                .contexts
                .unwrap_or_default()
                .into_iter()
                .map(|c| c.name)
                .collect(),
            clusters,
            servers,
        };
        Ok(Kubeconfig {
            yaml: secret,
            names,
        })
    }

    /// Takes a kubeconfig's bytes, which must be UTF-8 YAML. The bytes are moved, not copied.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self> {
        let text = String::from_utf8(bytes).map_err(|e| {
            let mut bytes = e.into_bytes();
            zeroize::Zeroize::zeroize(&mut bytes);
            Error::Kubeconfig("not UTF-8 text".into())
        })?;
        Self::from_yaml(text)
    }

    /// The YAML, with its credentials. Write it to a file with mode 0600, or hand it to a
    /// Kubernetes client; do not log it.
    pub fn expose_yaml(&self) -> &str {
        self.yaml.expose_secret()
    }

    /// The names of the contexts, in file order.
    pub fn context_names(&self) -> &[String] {
        &self.names.contexts
    }

    /// The `current-context`, if set.
    pub fn current_context(&self) -> Option<&str> {
        self.names.current_context.as_deref()
    }

    /// The names of the clusters, in file order.
    pub fn cluster_names(&self) -> &[String] {
        &self.names.clusters
    }

    /// The API server URLs of the clusters, in file order.
    pub fn servers(&self) -> &[String] {
        &self.names.servers
    }

    /// Parses the YAML into kube-rs's kubeconfig type, for `kube::Config::from_custom_kubeconfig`.
    #[cfg(feature = "kube")]
    pub fn to_kube_config(&self) -> Result<kube::config::Kubeconfig> {
        kube::config::Kubeconfig::from_yaml(self.expose_yaml()).map_err(|e| {
            Error::Kubeconfig(format!(
                "kube-rs rejected the kubeconfig: {}",
                redact_kube_error(&e)
            ))
        })
    }
}

/// A YAML error's position without the offending text (which could be a credential).
fn location_only(error: &serde_yaml_ng::Error) -> String {
    match error.location() {
        Some(at) => format!("invalid YAML at line {}, column {}", at.line(), at.column()),
        None => "invalid YAML".into(),
    }
}

#[cfg(feature = "kube")]
fn redact_kube_error(error: &kube::config::KubeconfigError) -> &'static str {
    match error {
        kube::config::KubeconfigError::Parse(_) => "invalid YAML",
        _ => "invalid kubeconfig",
    }
}

impl fmt::Debug for Kubeconfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Kubeconfig")
            .field("current_context", &self.names.current_context)
            .field("contexts", &self.names.contexts)
            .field("clusters", &self.names.clusters)
            .field("yaml", &"[REDACTED]")
            .finish()
    }
}

impl Clone for Kubeconfig {
    fn clone(&self) -> Self {
        Kubeconfig {
            yaml: SecretString::from(self.yaml.expose_secret().to_string()),
            names: self.names.clone(),
        }
    }
}
