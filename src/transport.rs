//! What every provider shares on the wire: building the HTTP client, authentication, retries,
//! rate-limit tracking, error decoding and request logging.
//!
//! Each generated client runs its requests through [`Transport`] (its progenitor
//! `ClientHooks::exec`), so the rules below hold for every operation of every provider:
//!
//! - the user agent is `kaas/<version>` (plus what the caller adds);
//! - credentials are applied per attempt as *sensitive* headers and never logged;
//! - plain `http://` is refused unless the host is a loopback address; redirects are not followed
//!   (they could carry credentials to another host);
//! - transport errors and 429/502/503/504 are retried for idempotent methods (and the few POSTs
//!   a provider declares safe) with full-jitter exponential backoff, honouring `Retry-After`
//!   (seconds or HTTP date) and `ratelimit-reset`, within bounded attempts and total delay;
//! - an error answer is read once, decoded with the provider's error shapes into
//!   [`ApiError`], and surfaces as [`crate::Error::Api`].

use std::fmt;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use rand::Rng as _;
use reqwest::header::HeaderMap;
use reqwest::{Method, Request, Response, StatusCode};
use tokio::time::Instant;

use crate::auth::Authenticate;
use crate::error::{ApiError, DecodedErrorBody, Error, Result, excerpt, page_text};
use crate::wait::WaitPolicy;

/// The user agent every request carries, before any caller-supplied suffix.
pub const USER_AGENT: &str = concat!("kaas/", env!("CARGO_PKG_VERSION"));

/// Statuses retried for idempotent requests.
const RETRY_STATUSES: [u16; 4] = [429, 502, 503, 504];

/// The most of an error body read into memory; the rest is dropped.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// When and how often a failed request is tried again.
///
/// ```
/// use std::time::Duration;
/// let policy = kaas::RetryPolicy::default()
///     .max_attempts(6)
///     .initial_backoff(Duration::from_millis(200))
///     .max_elapsed(Duration::from_secs(60));
/// assert_eq!(policy.attempts(), 6);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_elapsed: Duration,
}

impl Default for RetryPolicy {
    /// 4 attempts, backoff from 500 ms doubling up to 30 s, at most 2 minutes in all.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            max_elapsed: Duration::from_secs(120),
        }
    }
}

impl RetryPolicy {
    /// Never retry: every request is sent once.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// How many times a request is sent at most (1 = no retry). Zero is treated as one.
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The cap of the first backoff; it doubles with each attempt.
    pub fn initial_backoff(mut self, delay: Duration) -> Self {
        self.initial_backoff = delay;
        self
    }

    /// The longest single wait. A server asking for a longer wait (`Retry-After`) is not retried:
    /// the error is returned with [`ApiError::retry_after`] set, so the caller decides.
    pub fn max_backoff(mut self, delay: Duration) -> Self {
        self.max_backoff = delay;
        self
    }

    /// The most time spent waiting between attempts of one request.
    pub fn max_elapsed(mut self, budget: Duration) -> Self {
        self.max_elapsed = budget;
        self
    }

    /// How many times a request is sent at most.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// Full jitter: a random wait between zero and `initial * 2^(attempt-1)`, capped.
    fn backoff(&self, attempt: u32) -> Duration {
        let exponent = attempt.saturating_sub(1).min(20);
        let cap = self
            .initial_backoff
            .saturating_mul(1 << exponent)
            .min(self.max_backoff);
        let cap_ms = u64::try_from(cap.as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(rand::rng().random_range(0..=cap_ms))
    }
}

/// The rate-limit headers of a response (`ratelimit-limit`, `ratelimit-remaining`,
/// `ratelimit-reset`), as DigitalOcean sends them on every answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests allowed in the window.
    pub limit: Option<u64>,
    /// Requests left in the window.
    pub remaining: Option<u64>,
    /// When the window resets.
    pub reset: Option<SystemTime>,
}

impl RateLimit {
    /// Reads the headers; `None` when the response carries none of them.
    pub fn from_headers(headers: &HeaderMap) -> Option<Self> {
        let number = |name: &str| headers.get(name)?.to_str().ok()?.trim().parse::<u64>().ok();
        let limit = number("ratelimit-limit");
        let remaining = number("ratelimit-remaining");
        let reset = number("ratelimit-reset")
            .map(|secs| SystemTime::UNIX_EPOCH + Duration::from_secs(secs));
        (limit.is_some() || remaining.is_some() || reset.is_some()).then_some(RateLimit {
            limit,
            remaining,
            reset,
        })
    }
}

/// How long a server asks the client to wait: `Retry-After` (seconds or HTTP date), else the
/// time until `ratelimit-reset` when no request is left in the window.
pub(crate) fn server_delay(headers: &HeaderMap) -> Option<Duration> {
    if let Some(value) = headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
    {
        let value = value.trim();
        if let Ok(secs) = value.parse::<u64>() {
            return Some(Duration::from_secs(secs));
        }
        if let Ok(when) = httpdate::parse_http_date(value) {
            return Some(when.duration_since(SystemTime::now()).unwrap_or_default());
        }
    }
    let limit = RateLimit::from_headers(headers)?;
    if limit.remaining == Some(0) {
        return Some(
            limit
                .reset?
                .duration_since(SystemTime::now())
                .unwrap_or_default(),
        );
    }
    None
}

/// What a provider module tells the transport about itself.
pub(crate) struct ProviderProfile {
    /// Short name, used in errors and logs.
    pub name: &'static str,
    /// The documented base URL, if the provider has one.
    pub default_base_url: Option<&'static str>,
    /// Reads the provider's error body shapes.
    pub decode_error: fn(&[u8]) -> Option<DecodedErrorBody>,
    /// POST operations that create nothing and may be retried.
    pub safe_posts: &'static [&'static str],
}

/// The shared part of every provider's client: retry policy, credentials, last rate limit.
/// Each generated client holds one and sends every request through it.
#[derive(Clone)]
pub struct Transport {
    inner: Arc<TransportInner>,
}

struct TransportInner {
    profile: &'static ProviderProfile,
    retry: RetryPolicy,
    auth: Arc<dyn Authenticate>,
    page_concurrency: usize,
    rate_limit: Mutex<Option<RateLimit>>,
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transport")
            .field("provider", &self.inner.profile.name)
            .field("auth", &self.inner.auth.scheme())
            .field("retry", &self.inner.retry)
            .field("page_concurrency", &self.inner.page_concurrency)
            .finish_non_exhaustive()
    }
}

impl Transport {
    /// The rate-limit headers of the last response, if the provider sends them.
    pub fn rate_limit(&self) -> Option<RateLimit> {
        *self
            .inner
            .rate_limit
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// How many pages a list walk fetches at once.
    pub fn page_concurrency(&self) -> usize {
        self.inner.page_concurrency
    }

    /// The retry policy in force.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    /// The provider's name.
    pub fn provider(&self) -> &'static str {
        self.inner.profile.name
    }

    /// Sends one operation's request, retrying as the policy allows. Called from the generated
    /// client's `ClientHooks::exec`. An error answer comes back fully read, with its decoded
    /// [`ApiError`] attached for [`Transport::error_hook`].
    pub(crate) async fn execute(
        &self,
        http: &reqwest::Client,
        mut request: Request,
        operation: &'static str,
    ) -> reqwest::Result<Response> {
        request.headers_mut().remove("api-version");
        let profile = self.inner.profile;
        let may_retry = is_idempotent(request.method()) || profile.safe_posts.contains(&operation);
        let method = request.method().clone();
        let path = request.url().path().to_string();
        let started = Instant::now();
        let mut attempt = 1;
        loop {
            let next = if may_retry && attempt < self.inner.retry.max_attempts {
                request.try_clone()
            } else {
                None
            };
            self.inner.auth.apply(request.headers_mut());
            let sent = Instant::now();
            let result = http.execute(request).await;
            let latency_ms = sent.elapsed().as_millis() as u64;
            match &result {
                Ok(response) => {
                    self.observe(response.headers());
                    tracing::debug!(provider = profile.name, operation, %method, path, status = response.status().as_u16(), attempt, latency_ms, "response");
                }
                Err(error) => {
                    tracing::debug!(provider = profile.name, operation, %method, path, attempt, latency_ms, error = %error.without_url_ref(), "request failed");
                }
            }
            let delay = match next {
                Some(_) => self.retry_delay(&result, attempt, started.elapsed()),
                None => None,
            };
            match (delay, next) {
                (Some(delay), Some(next)) => {
                    tracing::info!(provider = profile.name, operation, %method, path, attempt, delay_ms = delay.as_millis() as u64, "retrying");
                    drop(result);
                    tokio::time::sleep(delay).await;
                    request = next;
                    attempt += 1;
                }
                _ => return self.read_error_answer(result).await,
            }
        }
    }

    fn observe(&self, headers: &HeaderMap) {
        self.inner.auth.observe(headers);
        if let Some(limit) = RateLimit::from_headers(headers) {
            *self
                .inner
                .rate_limit
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(limit);
        }
    }

    fn retry_delay(
        &self,
        result: &reqwest::Result<Response>,
        attempt: u32,
        elapsed: Duration,
    ) -> Option<Duration> {
        let policy = &self.inner.retry;
        let asked = match result {
            Err(error) if is_retryable_transport_error(error) => None,
            Ok(response) if RETRY_STATUSES.contains(&response.status().as_u16()) => {
                server_delay(response.headers())
            }
            _ => return None,
        };
        let delay = match asked {
            Some(asked) if asked > policy.max_backoff => return None,
            Some(asked) => asked,
            None => policy.backoff(attempt),
        };
        (elapsed + delay <= policy.max_elapsed).then_some(delay)
    }

    /// Reads an error answer's body (bounded) and attaches the decoded [`ApiError`].
    async fn read_error_answer(
        &self,
        result: reqwest::Result<Response>,
    ) -> reqwest::Result<Response> {
        let mut response = result?;
        if response.status().is_success() {
            return Ok(response);
        }
        let mut body = Vec::new();
        while body.len() < MAX_ERROR_BODY {
            match response.chunk().await {
                Ok(Some(chunk)) => body.extend_from_slice(&chunk),
                // An error page cut short still says something: keep what arrived.
                Ok(None) | Err(_) => break,
            }
        }
        body.truncate(MAX_ERROR_BODY);
        let api = decode_api_error(
            self.inner.profile,
            response.status(),
            response.headers(),
            &body,
        );
        tracing::debug!(
            provider = self.inner.profile.name,
            status = api.status,
            code = api.code.as_deref(),
            request_id = api.request_id.as_deref(),
            "error answer"
        );
        response
            .extensions_mut()
            .insert(DecodedError(Arc::new(api)));
        Ok(response)
    }

    /// Called from the generated client's `ClientHooks::post`: an error answer becomes
    /// progenitor's `UnexpectedResponse`, carrying the decoded [`ApiError`], which
    /// `kaas::Error::from` turns into [`Error::Api`].
    #[allow(
        clippy::result_large_err,
        reason = "the signature is progenitor's ClientHooks::post"
    )]
    pub(crate) fn error_hook<E>(
        result: &reqwest::Result<Response>,
    ) -> std::result::Result<(), progenitor_client::Error<E>> {
        let Ok(response) = result else { return Ok(()) };
        if response.status().is_success() {
            return Ok(());
        }
        use reqwest::ResponseBuilderExt as _;
        let mut copy = http::Response::builder()
            .status(response.status())
            .version(response.version())
            .url(response.url().clone());
        if let Some(headers) = copy.headers_mut() {
            *headers = response.headers().clone();
        }
        if let Some(extensions) = copy.extensions_mut() {
            *extensions = response.extensions().clone();
        }
        match copy.body(Vec::<u8>::new()) {
            Ok(copy) => Err(progenitor_client::Error::UnexpectedResponse(
                Response::from(copy),
            )),
            Err(e) => Err(progenitor_client::Error::Custom(format!(
                "could not read the error answer: {e}"
            ))),
        }
    }
}

/// The decoded error answer attached to a response by the transport.
#[derive(Clone)]
struct DecodedError(Arc<ApiError>);

/// The decoded error answer a response carries, if the transport read one.
pub(crate) fn decoded_error(response: &Response) -> Option<ApiError> {
    response
        .extensions()
        .get::<DecodedError>()
        .map(|d| (*d.0).clone())
}

/// Builds the [`ApiError`] of an error answer: the provider's own shapes first, then JSON of
/// any shape, then the text of an HTML or plain page.
pub(crate) fn decode_api_error(
    profile: &ProviderProfile,
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
) -> ApiError {
    let json = serde_json::from_slice::<serde_json::Value>(body).ok();
    let decoded = (profile.decode_error)(body).unwrap_or_default();
    let header_request_id = headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(String::from);
    let message = decoded.message.unwrap_or_else(|| {
        let text = if json.is_none() {
            page_text(body)
        } else {
            String::new()
        };
        if text.is_empty() {
            status.canonical_reason().unwrap_or_default().to_string()
        } else {
            text
        }
    });
    ApiError {
        provider: profile.name,
        status: status.as_u16(),
        code: decoded.code,
        message,
        details: decoded.details,
        request_id: decoded.request_id.or(header_request_id),
        retry_after: server_delay(headers)
            .filter(|_| headers.contains_key(reqwest::header::RETRY_AFTER)),
        rate_limit: RateLimit::from_headers(headers),
        body_excerpt: if json.is_none() && !body.is_empty() {
            Some(excerpt(body))
        } else {
            None
        },
        body: json,
    }
}

fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
    )
}

fn is_retryable_transport_error(error: &reqwest::Error) -> bool {
    !error.is_builder() && !error.is_redirect() && !error.is_status()
}

/// A `reqwest` error as a kaas error: timeouts apart, everything else is a transport failure.
pub(crate) fn classify_reqwest_error(error: reqwest::Error) -> Error {
    if error.is_timeout() {
        return Error::Timeout {
            message: format!(
                "no complete answer within the configured timeout ({})",
                error.without_url_ref()
            ),
        };
    }
    let message = if error.is_connect() {
        "could not connect".to_string()
    } else if error.is_builder() {
        "the request could not be built".to_string()
    } else {
        "the request failed".to_string()
    };
    Error::transport(message, error)
}

/// `reqwest::Error` without its URL, for logs.
trait WithoutUrlRef {
    fn without_url_ref(&self) -> String;
}

impl WithoutUrlRef for reqwest::Error {
    fn without_url_ref(&self) -> String {
        let mut text = self.to_string();
        if let Some(url) = self.url() {
            text = text.replace(url.as_str(), "<url>");
        }
        text
    }
}

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
    pub page_concurrency: usize,
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
            page_concurrency: 4,
            wait: WaitPolicy::default(),
        }
    }
}

/// What a provider's `build()` gets back: the checked base URL, the HTTP client and the transport.
pub(crate) struct Connection {
    pub base_url: String,
    pub http: reqwest::Client,
    pub transport: Transport,
    pub wait: WaitPolicy,
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
        let user_agent = match &self.user_agent_suffix {
            Some(suffix) => format!("{USER_AGENT} {suffix}"),
            None => USER_AGENT.to_string(),
        };
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
        let http = http
            .build()
            .map_err(|e| Error::transport("the HTTP client could not be built", e))?;
        let transport = Transport {
            inner: Arc::new(TransportInner {
                profile,
                retry: self.retry,
                auth,
                page_concurrency: self.page_concurrency.max(1),
                rate_limit: Mutex::new(None),
            }),
        };
        Ok(Connection {
            base_url,
            http,
            transport,
            wait: self.wait,
        })
    }
}

/// Checks a base URL: https, or http to a loopback host; no credentials in it. Returns it
/// without a trailing slash, and whether the host is loopback.
pub(crate) fn check_base_url(raw: &str) -> Result<(String, bool)> {
    let url = url::Url::parse(raw)
        .map_err(|e| Error::InvalidInput(format!("base URL `{raw}` is not a URL: {e}")))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::InvalidInput(
            "the base URL must not carry credentials; use the builder's credential methods".into(),
        ));
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
///     .retry_policy(kaas::RetryPolicy::default().max_attempts(6))
///     .build()?;
/// # Ok(()) }
/// ```
pub struct ClientBuilder<C: BuildClient> {
    pub(crate) settings: Settings,
    pub(crate) credentials: C::Credentials,
}

/// Implemented by each provider's `Client`, so [`ClientBuilder::build`] can make it.
pub trait BuildClient: Sized {
    /// The credentials the provider's builder collects.
    type Credentials: Default;
    #[doc(hidden)]
    fn build(builder: ClientBuilder<Self>) -> Result<Self>;
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
    /// The API's base URL (default: the provider's documented one). `http://` is accepted only
    /// for loopback hosts.
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

    /// How many pages a list walk fetches at once when the total is known (default 4).
    pub fn page_concurrency(mut self, pages: usize) -> Self {
        self.settings.page_concurrency = pages;
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

/// Implements progenitor's `ClientHooks` for a generated client so that every request goes
/// through [`Transport::execute`] and every error answer through [`Transport::error_hook`].
macro_rules! transport_hooks {
    ($client:ty) => {
        impl progenitor_client::ClientHooks<$crate::transport::Transport> for $client {
            async fn exec(
                &self,
                request: reqwest::Request,
                info: &progenitor_client::OperationInfo,
            ) -> reqwest::Result<reqwest::Response> {
                use progenitor_client::ClientInfo as _;
                self.inner()
                    .execute(self.client(), request, info.operation_id)
                    .await
            }

            async fn post<E>(
                &self,
                result: &reqwest::Result<reqwest::Response>,
                _info: &progenitor_client::OperationInfo,
            ) -> std::result::Result<(), progenitor_client::Error<E>> {
                $crate::transport::Transport::error_hook(result)
            }
        }
    };
}
pub(crate) use transport_hooks;

/// Reads a raw (non-JSON) success body to the end. A body cut short is a transport error.
/// Each chunk is zeroized once copied, as such bodies are often secrets (kubeconfigs).
#[cfg_attr(not(feature = "digitalocean"), allow(dead_code))]
pub(crate) async fn collect_body(body: progenitor_client::ByteStream) -> Result<Vec<u8>> {
    use futures::TryStreamExt as _;
    let mut stream = body.into_inner();
    let mut out = zeroize::Zeroizing::new(Vec::new());
    while let Some(chunk) = stream.try_next().await.map_err(classify_reqwest_error)? {
        if out.capacity() - out.len() < chunk.len() {
            // Grow by hand so the old buffer is wiped rather than freed with the secret in it.
            let mut bigger = Vec::with_capacity((out.len() + chunk.len()).max(out.capacity() * 2));
            bigger.extend_from_slice(&out);
            out = zeroize::Zeroizing::new(bigger);
        }
        out.extend_from_slice(&chunk);
    }
    Ok(std::mem::take(&mut *out))
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
    fn retry_after_in_seconds_or_as_a_date_and_ratelimit_reset() {
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", "7".parse().unwrap());
        assert_eq!(server_delay(&headers), Some(Duration::from_secs(7)));

        let later = SystemTime::now() + Duration::from_secs(90);
        headers.insert(
            "retry-after",
            httpdate::fmt_http_date(later).parse().unwrap(),
        );
        let delay = server_delay(&headers).unwrap();
        assert!(
            delay > Duration::from_secs(85) && delay <= Duration::from_secs(90),
            "{delay:?}"
        );

        let mut headers = HeaderMap::new();
        let reset = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + 30;
        headers.insert("ratelimit-limit", "5000".parse().unwrap());
        headers.insert("ratelimit-remaining", "12".parse().unwrap());
        headers.insert("ratelimit-reset", reset.to_string().parse().unwrap());
        assert_eq!(
            server_delay(&headers),
            None,
            "requests left: no need to wait for the reset"
        );
        headers.insert("ratelimit-remaining", "0".parse().unwrap());
        let delay = server_delay(&headers).unwrap();
        assert!(
            delay > Duration::from_secs(25) && delay <= Duration::from_secs(30),
            "{delay:?}"
        );

        let limit = RateLimit::from_headers(&headers).unwrap();
        assert_eq!((limit.limit, limit.remaining), (Some(5000), Some(0)));
        assert_eq!(RateLimit::from_headers(&HeaderMap::new()), None);
    }

    #[test]
    fn backoff_is_full_jitter_under_a_doubling_cap() {
        let policy = RetryPolicy::default()
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(1000));
        for attempt in 1..=8u32 {
            let cap =
                Duration::from_millis(100 * (1 << (attempt - 1))).min(Duration::from_millis(1000));
            for _ in 0..50 {
                assert!(policy.backoff(attempt) <= cap);
            }
        }
        assert_eq!(RetryPolicy::none().attempts(), 1);
        assert_eq!(RetryPolicy::default().max_attempts(0).attempts(), 1);
    }

    #[test]
    fn html_error_pages_become_their_text() {
        static PROFILE: ProviderProfile = ProviderProfile {
            name: "test",
            default_base_url: None,
            decode_error: |_| None,
            safe_posts: &[],
        };
        let page = b"<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>";
        let api = decode_api_error(&PROFILE, StatusCode::BAD_GATEWAY, &HeaderMap::new(), page);
        assert_eq!(api.status, 502);
        assert_eq!(api.message, "502 Bad Gateway 502 Bad Gateway nginx");
        assert!(api.body.is_none());
        assert!(api.body_excerpt.as_deref().unwrap().starts_with("<html>"));
        let empty = decode_api_error(
            &PROFILE,
            StatusCode::SERVICE_UNAVAILABLE,
            &HeaderMap::new(),
            b"",
        );
        assert_eq!(empty.message, "Service Unavailable");
    }
}
