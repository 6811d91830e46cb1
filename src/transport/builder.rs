//! [`ClientBuilder`]: the settings every provider's client shares, checked when it is built.

use std::fmt;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::answer::DEFAULT_MAX_RESPONSE_BYTES;
use super::client::{Transport, TransportInner};
use super::failure::WithoutUrlRef as _;
use super::paths::leaves_its_segment;
use super::profile::ProviderProfile;
use super::retry::RetryPolicy;
use crate::auth::Authenticate;
use crate::error::{Error, Result};
use crate::wait::WaitPolicy;

/// The user agent every request carries, before any caller-supplied suffix.
pub const USER_AGENT: &str = concat!("kaas/", env!("CARGO_PKG_VERSION"));

/// Settings every provider's client takes, collected by [`ClientBuilder`].
#[derive(Clone)]
pub(crate) struct Settings {
    pub base_url: Option<String>,
    /// `None`: no timers at all while waiting on the network (see `no_timeouts`).
    pub timeout: Option<Duration>,
    pub connect_timeout: Option<Duration>,
    pub retry: RetryPolicy,
    pub user_agent_suffix: Option<String>,
    pub root_certificates: Vec<Vec<u8>>,
    /// `None`: the default, which starts at 16 and grows while the walk waits on the network.
    pub page_concurrency: Option<usize>,
    pub max_response_bytes: u64,
    pub wait: WaitPolicy,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            base_url: None,
            timeout: Some(Duration::from_secs(60)),
            connect_timeout: Some(Duration::from_secs(10)),
            retry: RetryPolicy::default(),
            user_agent_suffix: None,
            root_certificates: Vec::new(),
            page_concurrency: None,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            wait: WaitPolicy::default(),
        }
    }
}

/// What a provider's `build()` gets back: the checked base URL, the HTTP client and the transport.
pub(crate) struct Connection {
    pub base_url: String,
    pub http: reqwest::Client,
    pub transport: Transport,
}

impl Settings {
    /// Checks the settings and builds the HTTP client and transport for one provider.
    pub(crate) fn connect(
        self,
        profile: &'static ProviderProfile,
        auth: Arc<dyn Authenticate>,
    ) -> Result<Connection> {
        let base_url = match (self.base_url, profile.default_base_url) {
            (Some(url), _) => url,
            (None, Some(default)) => default.to_string(),
            (None, None) => {
                return Err(Error::InvalidInput(format!(
                    "{} has no default base URL; give one with `.base_url(..)`",
                    profile.name
                )));
            }
        };
        let (base_url, loopback) = check_base_url(&base_url)?;
        let base_url = profile.api_root.normalize(&base_url);
        let user_agent = match &self.user_agent_suffix {
            Some(suffix) => format!("{USER_AGENT} {suffix}"),
            None => USER_AGENT.to_string(),
        };
        if reqwest::header::HeaderValue::from_str(&user_agent).is_err() {
            return Err(Error::InvalidInput(
                "the user agent holds characters not allowed in an HTTP header (a line break?)"
                    .into(),
            ));
        }
        let mut certificates = Vec::new();
        for pem in &self.root_certificates {
            if !pem.windows(27).any(|w| w == b"-----BEGIN CERTIFICATE-----") {
                return Err(Error::InvalidInput(
                    "the root certificate is not a PEM certificate".into(),
                ));
            }
            let certificate = reqwest::Certificate::from_pem(pem).map_err(|e| {
                Error::InvalidInput(format!("the root certificate is not valid PEM: {e}"))
            })?;
            certificates.push(certificate);
        }
        let mut http = reqwest::Client::builder()
            .user_agent(user_agent)
            .redirect(reqwest::redirect::Policy::none())
            .https_only(!loopback)
            .tls_certs_merge(certificates);
        http = match (self.timeout, self.connect_timeout) {
            (None, None) => http.pool_idle_timeout(None),
            (timeout, connect) => {
                let http = if let Some(timeout) = timeout {
                    http.timeout(timeout)
                } else {
                    http
                };
                if let Some(connect) = connect {
                    http.connect_timeout(connect)
                } else {
                    http
                }
            }
        };
        // Building fails only on settings (a root certificate the TLS library refuses, say).
        let http = http.build().map_err(|e| {
            Error::InvalidInput(format!(
                "the HTTP client could not be built from these settings: {}",
                e.without_url_ref()
            ))
        })?;
        let transport = Transport {
            inner: Arc::new(TransportInner {
                profile,
                retry: self.retry,
                auth,
                page_concurrency: self.page_concurrency.map(|pages| pages.max(1)),
                max_response_bytes: self.max_response_bytes.max(1),
                rate_limit: Mutex::new(None),
                timeouts: (self.timeout, self.connect_timeout),
                wait: self.wait,
            }),
        };
        Ok(Connection {
            base_url,
            http,
            transport,
        })
    }
}

/// Checks a base URL: https, or http to a loopback host; no credentials in it. Returns it
/// without a trailing slash, and whether the host is loopback.
pub(crate) fn check_base_url(raw: &str) -> Result<(String, bool)> {
    let url = url::Url::parse(raw).map_err(|e| {
        Error::InvalidInput(format!(
            "base URL `{}` is not a URL: {e}",
            without_userinfo(raw)
        ))
    })?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::InvalidInput(
            "the base URL must not carry credentials; use the builder's credential methods".into(),
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::InvalidInput(format!(
            "base URL `{}` has a query or a fragment; every operation's path is appended to it, so give only scheme, host, port and path",
            without_userinfo(raw)
        )));
    }
    // Read as written: the URL parser has already removed the dot segments it knows
    // (`/a/b/..`, `/a/%2e%2e`), so the parsed path cannot show them.
    if raw_path(raw)
        .split(['/', '\\'])
        .skip(1)
        .any(|segment| !segment.is_empty() && leaves_its_segment(segment))
    {
        return Err(Error::InvalidInput(format!(
            "base URL `{}`: its path has a `.` or `..` segment (raw or percent-encoded), which would send every request elsewhere",
            without_userinfo(raw)
        )));
    }
    let loopback = match url.host() {
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => {
            return Err(Error::InvalidInput(format!(
                "refusing plain http:// to `{}`: credentials would travel unencrypted; use https:// (http is allowed only to loopback)",
                url.host_str().unwrap_or_default()
            )));
        }
        other => {
            return Err(Error::InvalidInput(format!(
                "base URL scheme `{other}` is not http(s)"
            )));
        }
    }
    Ok((raw.trim_end_matches('/').to_string(), loopback))
}

/// The path of a URL as written: after the scheme and authority, before any query or fragment.
fn raw_path(raw: &str) -> &str {
    let rest = raw.split_once("://").map_or(raw, |(_, rest)| rest);
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    rest.find(['/', '\\']).map_or("", |at| &rest[at..])
}

/// `raw` with anything between `://` and an `@` in its authority replaced by `***`, for
/// messages: a URL we refuse may still hold a password.
fn without_userinfo(raw: &str) -> String {
    let Some((scheme, rest)) = raw.split_once("://") else {
        return raw.chars().take(200).collect();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let authority = match authority.rfind('@') {
        Some(at) => format!("***{}", &authority[at..]),
        None => authority.to_string(),
    };
    format!("{scheme}://{authority}{tail}")
        .chars()
        .take(200)
        .collect()
}

/// Builds a provider's client. Shared settings are here; each provider adds its credential
/// methods (`.token(..)`, `.access_key(..)`, `.basic_auth(..)`, …).
///
/// ```no_run
/// # #[cfg(not(feature = "digitalocean"))] fn main() {}
/// # #[cfg(feature = "digitalocean")]
/// # fn main() -> kaas::Result<()> {
/// use std::time::Duration;
/// let client = kaas::digitalocean::Client::builder()
///     .token("dop_v1_example")
///     .timeout(Duration::from_secs(20))
///     .retry_policy(kaas::RetryPolicy::default().with_max_attempts(6))
///     .build()?;
/// # Ok(()) }
/// ```
pub struct ClientBuilder<C: BuildClient> {
    pub(crate) settings: Settings,
    pub(crate) credentials: C::Credentials,
}

/// A provider's `Client`, which [`ClientBuilder::build`] can make: name it to write code
/// over every provider's builder (`fn configure<C: BuildClient>(b: ClientBuilder<C>)`).
/// Sealed: kaas's clients are the only ones, so the trait can grow without breaking anyone.
pub trait BuildClient: sealed::Build {}

impl<C: sealed::Build> BuildClient for C {}

/// The private half of [`BuildClient`]: outside the crate it cannot be named, so it cannot
/// be implemented.
pub(crate) mod sealed {
    use super::ClientBuilder;
    use crate::error::Result;

    /// How a provider makes its client from a builder.
    pub trait Build: Sized {
        /// The credentials the provider's builder collects.
        type Credentials: Default;
        /// Checks the settings and credentials and makes the client.
        fn build(builder: ClientBuilder<Self>) -> Result<Self>
        where
            Self: super::BuildClient;
    }
}

impl<C: BuildClient> Default for ClientBuilder<C> {
    fn default() -> Self {
        ClientBuilder {
            settings: Settings::default(),
            credentials: C::Credentials::default(),
        }
    }
}

impl<C: BuildClient> fmt::Debug for ClientBuilder<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.settings.base_url)
            .field("timeout", &self.settings.timeout)
            .field("retry", &self.settings.retry)
            .finish_non_exhaustive()
    }
}

impl<C: BuildClient> ClientBuilder<C> {
    /// The API's base URL (default: the provider's documented one): its API root as the
    /// provider's documentation writes it (`https://api.digitalocean.com`,
    /// `https://api.<region>.oks.outscale.com/api/v2`, `https://app.cloud66.com/api/3`, a
    /// Commissaire server's `https://host:8000`). The same URL with or without its version
    /// path (`/v2`, `/api/v2`, `/api/3`, `/api/v0`) is accepted too and normalized;
    /// any other path (a proxy's) is used as given. `http://` is accepted only for loopback
    /// hosts.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.settings.base_url = Some(url.into());
        self
    }

    /// The timeout of one attempt, from sending to the end of the body (default 60 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.settings.timeout = Some(timeout);
        self
    }

    /// The timeout for establishing a connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.settings.connect_timeout = Some(timeout);
        self
    }

    /// No request, connect or idle-connection timer at all. For tests on a paused tokio clock
    /// (`tokio::time::pause`), where any pending timer fires at once while the runtime waits on
    /// the network; retry and wait deadlines still apply.
    pub fn no_timeouts(mut self) -> Self {
        self.settings.timeout = None;
        self.settings.connect_timeout = None;
        self
    }

    /// The retry policy (default: [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.settings.retry = policy;
        self
    }

    /// Appended to the user agent, after `kaas/<version>` (e.g. `my-app/1.2`).
    pub fn user_agent(mut self, product: impl Into<String>) -> Self {
        self.settings.user_agent_suffix = Some(product.into());
        self
    }

    /// Trusts one more root certificate (PEM), e.g. a self-hosted server's own CA.
    pub fn root_certificate_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.settings.root_certificates.push(pem.into());
        self
    }

    /// How many pages a list walk fetches at once when the total is known, fixed. Without
    /// it, a walk starts at [`DEFAULT_PAGE_CONCURRENCY`](crate::DEFAULT_PAGE_CONCURRENCY) (16)
    /// and adds pages in flight while it waits on the network, up to
    /// [`MAX_PAGE_CONCURRENCY`](crate::MAX_PAGE_CONCURRENCY) (64).
    pub fn page_concurrency(mut self, pages: usize) -> Self {
        self.settings.page_concurrency = Some(pages);
        self
    }

    /// The largest success body read, in bytes (default [`DEFAULT_MAX_RESPONSE_BYTES`],
    /// 32 MiB); a larger answer is [`Error::BodyTooLarge`], and is not read whole.
    pub fn max_response_bytes(mut self, bytes: u64) -> Self {
        self.settings.max_response_bytes = bytes;
        self
    }

    /// How the client's `wait_*` methods poll (default: [`WaitPolicy::default`]).
    pub fn wait_policy(mut self, policy: WaitPolicy) -> Self {
        self.settings.wait = policy;
        self
    }

    /// Checks the settings and makes the client.
    pub fn build(self) -> Result<C> {
        C::build(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_must_be_https_unless_loopback() {
        assert_eq!(
            check_base_url("https://api.example.com/").unwrap(),
            ("https://api.example.com".into(), false)
        );
        assert!(check_base_url("http://127.0.0.1:8000").unwrap().1);
        assert!(check_base_url("http://localhost:8000/api").unwrap().1);
        assert!(check_base_url("http://[::1]:9000").unwrap().1);
        for refused in [
            "http://api.example.com",
            "http://10.0.0.1:8000",
            "ftp://example.com",
            "not a url",
            "https://user:pw@example.com",
        ] {
            assert!(
                matches!(check_base_url(refused), Err(Error::InvalidInput(_))),
                "{refused}"
            );
        }
        let message = check_base_url("http://api.example.com")
            .unwrap_err()
            .to_string();
        assert!(message.contains("refusing plain http://"), "{message}");
    }
    #[test]
    fn refused_base_urls_never_echo_a_password() {
        for raw in [
            "https://admin:password@host:99999/",
            "https://admin:password@host/?x=1",
            "http://admin:password@example.com/",
        ] {
            let message = check_base_url(raw).unwrap_err().to_string();
            assert!(!message.contains("password"), "{raw}: {message}");
        }
        for refused in [
            "https://api.example.com/v2?token=1",
            "https://api.example.com/#frag",
            "https://api.example.com/a/../b",
            "http://127.0.0.1:8080/a/b/..",
            "http://127.0.0.1:8080/a/%2e%2e",
            "http://127.0.0.1:8080/a/.%2E/b",
            "http://127.0.0.1:8080/%252e",
            "https://api.example.com\\..\\b",
        ] {
            assert!(
                matches!(check_base_url(refused), Err(Error::InvalidInput(_))),
                "{refused}"
            );
        }
        assert_eq!(
            without_userinfo("https://u:p@h:1/x?q"),
            "https://***@h:1/x?q"
        );
    }
}
