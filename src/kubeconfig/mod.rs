//! [`Kubeconfig`]: a cluster's kubeconfig, held as a secret.

use std::fmt;

use secrecy::{ExposeSecret as _, SecretString};
use serde::Deserialize;

use crate::error::{Error, Result};

mod credential;
mod file;
mod lock;
mod paths_on_disk;
mod splice;

#[cfg_attr(
    not(feature = "oks"),
    allow(unused_imports, reason = "OKS is its one user here")
)]
pub(crate) use credential::earliest;
pub use credential::{Credential, EXEC_API_VERSION, REFRESH_MARGIN, refresh_margin};
pub use file::{KubeconfigFile, Removed, SaveOptions, Saved};

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
    expires_at: Option<std::time::SystemTime>,
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

/// The largest kubeconfig accepted, in bytes. Real ones are a few kilobytes (certificates
/// included); a larger document is refused before it is parsed.
pub const MAX_KUBECONFIG_BYTES: usize = 1024 * 1024;

/// The deepest nesting of YAML flow collections (`[`, `{`) accepted. Kubeconfigs nest a few
/// levels; thousands of brackets only make the parser slow.
const MAX_FLOW_DEPTH: usize = 64;

impl Kubeconfig {
    /// Takes a kubeconfig's YAML. It must be a YAML mapping, not blank (nor only comments or
    /// `---`), at most
    /// [`MAX_KUBECONFIG_BYTES`], without absurdly deep nesting; the string is moved, not copied.
    pub fn from_yaml(yaml: String) -> Result<Self> {
        let secret = SecretString::from(yaml);
        check_shape(secret.expose_secret())?;
        // A document of comments only, a bare `---` or `null` is as empty as "".
        let outline: Option<Outline> =
            serde_yaml_ng::from_str(secret.expose_secret()).map_err(|e| {
                Error::Kubeconfig(format!("not a kubeconfig document ({})", location_only(&e)))
            })?;
        let outline = outline.ok_or_else(empty)?;
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
            expires_at: None,
        })
    }

    /// When the credentials in this kubeconfig expire, when kaas knows: for a kubeconfig a
    /// provider helper fetched with a lifetime (DigitalOcean's `expiry_seconds`, 7 days by
    /// default) whose user holds a token, the moment the request was sent plus that lifetime,
    /// which is never later than the provider's own expiry; for an OKS kubeconfig, its client
    /// certificate's `notAfter`, or the moment the request was sent plus the `ttl` asked for
    /// when that is sooner. `None` for a kubeconfig read from text, and for one whose user
    /// logs in by itself (DigitalOcean's `sso` kubeconfig runs doctl, whichever call fetched
    /// it).
    pub fn expires_at(&self) -> Option<std::time::SystemTime> {
        self.expires_at
    }

    /// The same kubeconfig, with its credentials' expiry known.
    pub(crate) fn expiring_at(mut self, at: std::time::SystemTime) -> Self {
        self.expires_at = Some(at);
        self
    }

    /// The same kubeconfig, expiring at `at` when its current user holds a token (what a
    /// provider's lifetime applies to); unchanged for a user that logs in by itself (`exec`).
    #[cfg_attr(
        not(feature = "digitalocean"),
        allow(dead_code, reason = "DigitalOcean is its one user")
    )]
    pub(crate) fn with_token_expiring_at(self, at: std::time::SystemTime) -> Self {
        if self
            .credential()
            .is_ok_and(|credential| credential.expose_token().is_some())
        {
            self.expiring_at(at)
        } else {
            self
        }
    }

    /// The same kubeconfig, expiring when its current user's client certificate does (OKS
    /// kubeconfigs authenticate with one); unchanged for a user without one.
    #[cfg_attr(not(feature = "oks"), allow(dead_code, reason = "OKS is its one user"))]
    pub(crate) fn with_certificate_expiry(self) -> Self {
        match self.credential().ok().and_then(|c| c.expires_at()) {
            Some(at) => self.expiring_at(at),
            None => self,
        }
    }

    /// Takes a kubeconfig's bytes, which must be UTF-8 YAML. The bytes are moved, not copied.
    pub fn from_bytes(mut bytes: Vec<u8>) -> Result<Self> {
        if bytes.len() > MAX_KUBECONFIG_BYTES {
            zeroize::Zeroize::zeroize(&mut bytes);
            return Err(too_large());
        }
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
            expires_at: self.expires_at,
        }
    }
}

fn empty() -> Error {
    Error::Kubeconfig("the kubeconfig is empty".into())
}

fn too_large() -> Error {
    Error::Kubeconfig(format!(
        "larger than {MAX_KUBECONFIG_BYTES} bytes, far more than any kubeconfig"
    ))
}

/// Refuses what no kubeconfig looks like before the YAML parser sees it: a blank document, an
/// oversized one, or flow collections nested deeper than [`MAX_FLOW_DEPTH`] (which would make
/// parsing slow). The scan skips quoted strings and comments; it never quotes the text.
fn check_shape(yaml: &str) -> Result<()> {
    if yaml.trim().is_empty() {
        return Err(empty());
    }
    if yaml.len() > MAX_KUBECONFIG_BYTES {
        return Err(too_large());
    }
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    let mut comment = false;
    let mut previous = '\n';
    for c in yaml.chars() {
        if comment {
            comment = c != '\n';
        } else if let Some(open) = quote {
            if escaped {
                escaped = false;
            } else if open == '"' && c == '\\' {
                escaped = true;
            } else if c == open {
                quote = None;
            }
        } else {
            match c {
                '"' | '\'' => quote = Some(c),
                '#' if previous.is_whitespace() => comment = true,
                '[' | '{' => {
                    depth += 1;
                    if depth > MAX_FLOW_DEPTH {
                        return Err(Error::Kubeconfig(format!(
                            "collections nested deeper than {MAX_FLOW_DEPTH} levels"
                        )));
                    }
                }
                ']' | '}' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        previous = c;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_documents_are_refused() {
        for blank in [
            "",
            "   ",
            "\n\t\n",
            "# nothing",
            "# nothing\n\n# still nothing\n",
            "---",
            "---\n",
            "--- # a comment\n...\n",
            "~\n",
            "null",
        ] {
            let error = Kubeconfig::from_yaml(blank.to_string()).unwrap_err();
            assert!(
                matches!(&error, Error::Kubeconfig(m) if m.contains("empty")),
                "{blank:?}: {error}"
            );
        }
        assert!(Kubeconfig::from_bytes(Vec::new()).is_err());
    }

    #[test]
    fn oversized_documents_are_refused_before_parsing() {
        let huge = format!(
            "apiVersion: v1\nkind: Config\n#{}\n",
            "x".repeat(MAX_KUBECONFIG_BYTES)
        );
        assert!(matches!(
            Kubeconfig::from_yaml(huge.clone()),
            Err(Error::Kubeconfig(m)) if m.contains("larger than")
        ));
        assert!(Kubeconfig::from_bytes(huge.into_bytes()).is_err());
    }

    #[test]
    fn deep_flow_nesting_is_refused_and_quoted_brackets_are_not_counted() {
        let deep = format!(
            "clusters: {}{}\n",
            "[".repeat(32 * 1024),
            "]".repeat(32 * 1024)
        );
        assert!(matches!(
            Kubeconfig::from_yaml(deep),
            Err(Error::Kubeconfig(m)) if m.contains("nested deeper")
        ));
        let quoted = format!(
            "apiVersion: v1\nkind: Config\ncurrent-context: \"{}\" # {}\ncontexts: [{{name: a}}]\n",
            "[".repeat(500),
            "{".repeat(500)
        );
        let config = Kubeconfig::from_yaml(quoted).expect("brackets in strings and comments");
        assert_eq!(config.context_names(), ["a"]);
    }
}
