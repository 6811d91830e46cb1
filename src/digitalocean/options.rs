//! What a kubeconfig request asks for.

use std::time::Duration;

use super::types::CredentialsType;

/// How [`Client::kubeconfig_with`](super::Client::kubeconfig_with) asks for a kubeconfig. The
/// default asks for the cluster's default credentials with the default expiry (7 days).
///
/// ```
/// use std::time::Duration;
/// use kaas::digitalocean::{KubeconfigOptions, types::CredentialsType};
/// let options = KubeconfigOptions::default()
///     .credentials(CredentialsType::Token)
///     .expiry(Duration::from_secs(3600));
/// assert_eq!(options.expiry_seconds(), Some(3600));
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct KubeconfigOptions {
    /// How long the credentials stay valid; `None` (or zero) means DigitalOcean's default.
    pub expiry: Option<Duration>,
    /// Which credentials the kubeconfig carries; `None` means the cluster's default (`sso` for
    /// clusters with SSO enabled, `token` otherwise).
    pub credentials: Option<CredentialsType>,
}

impl KubeconfigOptions {
    /// Credentials that expire after `expiry`, rounded up to whole seconds.
    pub fn expiry(mut self, expiry: Duration) -> Self {
        self.expiry = Some(expiry);
        self
    }

    /// The kind of credentials: `Token` for programs, `Sso` for people (the kubeconfig then
    /// runs `doctl` for the OAuth2 login).
    pub fn credentials(mut self, credentials: CredentialsType) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// The `expiry_seconds` query value: the expiry rounded up, so a sub-second expiry is
    /// one second rather than zero (which would mean the 7-day default).
    ///
    /// ```
    /// use std::time::Duration;
    /// use kaas::digitalocean::KubeconfigOptions;
    /// let options = KubeconfigOptions::default().expiry(Duration::from_millis(1500));
    /// assert_eq!(options.expiry_seconds(), Some(2));
    /// assert_eq!(KubeconfigOptions::default().expiry_seconds(), None);
    /// ```
    pub fn expiry_seconds(&self) -> Option<u64> {
        self.expiry.map(|expiry| {
            let whole = expiry.as_secs();
            if expiry.subsec_nanos() > 0 {
                whole.saturating_add(1)
            } else {
                whole
            }
        })
    }
}
