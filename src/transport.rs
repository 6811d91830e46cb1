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
//! - path parameters are percent-encoded ([`encode_path`]) and a request whose path holds an
//!   empty, `.` or `..` segment is refused before it is sent;
//! - the whole body of every answer is read inside the attempt, so a connection reset or a body
//!   cut short is retried like any other transport error; a success body larger than the
//!   configured cap is refused ([`crate::Error::BodyTooLarge`]) without being read whole;
//! - transport errors and 429/502/503/504 are retried for idempotent operations (the spec's
//!   `x-idempotent` decides for POSTs that only read and PUTs that create) with jittered
//!   exponential backoff, honouring `Retry-After` (seconds or HTTP date), `ratelimit-reset` and
//!   `x-ratelimit-reset`, within bounded attempts and total delay; every number a server sends
//!   is clamped, never trusted in arithmetic;
//! - an error answer is read once (at most 64 KiB), decoded with the provider's error shapes into
//!   [`ApiError`], and surfaces as [`crate::Error::Api`] (or [`crate::Error::RateLimited`]).

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

/// The default cap of a success body: far above the largest real answer (a page of 200
/// DigitalOcean clusters is about 600 KB), far below what would hurt a small machine.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 32 * 1024 * 1024;

/// The latest Unix time a rate-limit reset is taken at (9999-12-31T23:59:59Z); larger values
/// are clamped to it.
const LATEST_RESET_SECS: u64 = 253_402_300_799;

/// Rate-limit reset values below this are seconds from now (the IETF `RateLimit-Reset`
/// convention); from it on, Unix times (DigitalOcean's convention).
const RESET_IS_EPOCH_FROM: u64 = 1_000_000_000;

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

    /// The cap of the first backoff; it doubles with each attempt. Clamped to `max_backoff`.
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

    /// The longest single wait between attempts.
    pub fn backoff_cap(&self) -> Duration {
        self.max_backoff
    }

    /// The most time spent waiting between attempts of one request.
    pub fn elapsed_budget(&self) -> Duration {
        self.max_elapsed
    }

    /// Equal jitter: a random wait between half and all of `initial * 2^(attempt-1)`, capped
    /// by `max_backoff`. A retry always waits at least half the doubling step, so retries never
    /// come in a burst, and clients that failed together spread out.
    pub(crate) fn backoff(&self, attempt: u32) -> Duration {
        let exponent = attempt.saturating_sub(1).min(20);
        let cap = self
            .initial_backoff
            .saturating_mul(1 << exponent)
            .min(self.max_backoff);
        let cap_ms = u64::try_from(cap.as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(rand::rng().random_range(cap_ms / 2..=cap_ms))
    }
}

/// The rate-limit headers of a response: `ratelimit-limit`, `ratelimit-remaining`,
/// `ratelimit-reset` (as DigitalOcean sends them on every answer) or their `x-ratelimit-*`
/// spelling (Cloud66).
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
    /// Reads the headers; `None` when the response carries none of them. A reset below
    /// 10^9 is read as seconds from now, anything larger as a Unix time (clamped to the year
    /// 9999); a value that is not a number is ignored.
    pub fn from_headers(headers: &HeaderMap) -> Option<Self> {
        let number = |name: &str| {
            let value = headers
                .get(name)
                .or_else(|| headers.get(format!("x-{name}")))?;
            value.to_str().ok()?.trim().parse::<u64>().ok()
        };
        let limit = number("ratelimit-limit");
        let remaining = number("ratelimit-remaining");
        let reset = number("ratelimit-reset").map(|secs| {
            if secs < RESET_IS_EPOCH_FROM {
                SystemTime::now()
                    .checked_add(Duration::from_secs(secs))
                    .unwrap_or(SystemTime::now())
            } else {
                SystemTime::UNIX_EPOCH + Duration::from_secs(secs.min(LATEST_RESET_SECS))
            }
        });
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
    if limit.remaining == Some(0) || (limit.remaining.is_none() && limit.reset.is_some()) {
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
    /// The spec's operations: the transport reads whether each may be retried.
    pub operations: &'static [crate::Operation],
}

impl ProviderProfile {
    /// Whether `operation` may be sent again after a failure: the spec's verdict, else the
    /// method's (GET, HEAD, PUT, DELETE, OPTIONS).
    fn may_retry(&self, operation: &str, method: &Method) -> bool {
        self.operations
            .iter()
            .find(|op| op.id == operation)
            .map_or_else(|| is_idempotent(method), |op| op.idempotent)
    }
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
    max_response_bytes: u64,
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
    /// client's `ClientHooks::exec`. The answer comes back with its body read whole (bounded);
    /// an error answer or a refusal carries a [`Refusal`] for [`Transport::error_hook`].
    pub(crate) async fn execute(
        &self,
        http: &reqwest::Client,
        mut request: Request,
        operation: &'static str,
    ) -> reqwest::Result<Response> {
        request.headers_mut().remove("api-version");
        let profile = self.inner.profile;
        let may_retry = profile.may_retry(operation, request.method());
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
            if let Err(reason) = self.inner.auth.apply(request.headers_mut()) {
                return Ok(refusal_response(
                    request.url(),
                    Refusal::InvalidInput(reason.into()),
                ));
            }
            let sent = Instant::now();
            let result = match http.execute(request).await {
                Ok(response) => self.read_answer(response).await,
                Err(error) => Err(error),
            };
            let latency_ms = u64::try_from(sent.elapsed().as_millis()).unwrap_or(u64::MAX);
            match &result {
                Ok(response) => {
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
                    tracing::info!(provider = profile.name, operation, %method, path, attempt, delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX), "retrying");
                    drop(result);
                    tokio::time::sleep(delay).await;
                    request = next;
                    attempt += 1;
                }
                _ => return result,
            }
        }
    }

    /// Reads an answer's whole body within the attempt: a success body up to the configured
    /// cap (a larger one is refused without being read whole), an error body up to 64 KiB
    /// (decoded into an [`ApiError`]). A success body that breaks off is a transport error, so
    /// the retry loop sees it.
    async fn read_answer(&self, mut response: Response) -> reqwest::Result<Response> {
        self.observe(response.headers());
        let status = response.status();
        let success = status.is_success();
        let limit = if success {
            self.inner.max_response_bytes
        } else {
            MAX_ERROR_BODY as u64
        };
        if success
            && response
                .content_length()
                .is_some_and(|length| length > limit)
        {
            return Ok(refusal_response(
                response.url(),
                Refusal::TooLarge { limit },
            ));
        }
        let mut body = bytes::BytesMut::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if (body.len() + chunk.len()) as u64 > limit {
                        if success {
                            return Ok(refusal_response(
                                response.url(),
                                Refusal::TooLarge { limit },
                            ));
                        }
                        let room = MAX_ERROR_BODY - body.len();
                        body.extend_from_slice(&chunk[..room]);
                        break;
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(error) if success => return Err(error),
                // An error page cut short still says something: keep what arrived.
                Err(_) => break,
            }
        }
        let body = body.freeze();
        let mut refusal = None;
        if !success {
            let api = decode_api_error(self.inner.profile, status, response.headers(), &body);
            tracing::debug!(
                provider = self.inner.profile.name,
                status = api.status,
                code = api.code.as_deref(),
                request_id = api.request_id.as_deref(),
                "error answer"
            );
            refusal = Some(Refusal::Api(Arc::new(api)));
        }
        Ok(rebuild(response, body, refusal))
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

    /// How long to wait before the next attempt, or `None` to stop. Waits at least the backoff;
    /// longer when the server asks (`Retry-After`, a rate-limit window), but never past
    /// `max_backoff` for one wait or `max_elapsed` in all.
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
                let throttled = refusal(response).is_some_and(|r| match r {
                    Refusal::Api(api) => api.is_rate_limited(),
                    _ => false,
                });
                match server_delay(response.headers()) {
                    Some(asked) => Some(asked),
                    // Over a rate limit with no word on when it lifts: seconds of retrying
                    // cannot help.
                    None if throttled && response.status() != StatusCode::TOO_MANY_REQUESTS => {
                        return None;
                    }
                    None => None,
                }
            }
            _ => return None,
        };
        let backoff = policy.backoff(attempt);
        let delay = match asked {
            Some(asked) if asked > policy.max_backoff => return None,
            Some(asked) => asked.max(backoff),
            None => backoff,
        };
        (elapsed.saturating_add(delay) <= policy.max_elapsed).then_some(delay)
    }

    /// Called from the generated client's `ClientHooks::post`: an error answer or a refusal
    /// becomes progenitor's `UnexpectedResponse`, carrying the [`Refusal`], which
    /// `kaas::Error::from` turns into the matching variant. The copy keeps the status, the URL
    /// and the headers that hold no credential.
    #[allow(
        clippy::result_large_err,
        reason = "the signature is progenitor's ClientHooks::post"
    )]
    pub(crate) fn error_hook<E>(
        result: &reqwest::Result<Response>,
    ) -> std::result::Result<(), progenitor_client::Error<E>> {
        let Ok(response) = result else { return Ok(()) };
        if response.status().is_success() && refusal(response).is_none() {
            return Ok(());
        }
        use reqwest::ResponseBuilderExt as _;
        let mut copy = http::Response::builder()
            .status(response.status())
            .version(response.version());
        if let Some(headers) = copy.headers_mut() {
            *headers = without_credentials(response.headers());
        }
        if let Some(extensions) = copy.extensions_mut() {
            *extensions = response.extensions().clone();
        }
        // After the extensions: the URL is kept in them.
        let copy = copy.url(response.url().clone());
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

/// Why the transport turned an answer into an error, attached to the response it returns.
#[derive(Clone, Debug)]
pub(crate) enum Refusal {
    /// The provider answered with an error status; its body, decoded.
    Api(Arc<ApiError>),
    /// The success body is larger than the configured cap.
    TooLarge {
        /// The cap, in bytes.
        limit: u64,
    },
    /// A credential could not be applied (e.g. a one-time code with a line break).
    InvalidInput(Arc<str>),
}

/// The refusal a response carries, if the transport attached one.
pub(crate) fn refusal(response: &Response) -> Option<&Refusal> {
    response.extensions().get::<Refusal>()
}

/// A bodiless answer standing for a refusal made on this side, for the `post` hook to turn
/// into an error.
fn refusal_response(url: &reqwest::Url, refusal: Refusal) -> Response {
    use reqwest::ResponseBuilderExt as _;
    let mut response = http::Response::builder().status(StatusCode::OK);
    if let Some(extensions) = response.extensions_mut() {
        extensions.insert(refusal);
    }
    let response = response
        .url(url.clone())
        .body(bytes::Bytes::new())
        .unwrap_or_default();
    Response::from(response)
}

/// The answer again, with its body in memory and the refusal attached.
fn rebuild(mut response: Response, body: bytes::Bytes, refusal: Option<Refusal>) -> Response {
    use reqwest::ResponseBuilderExt as _;
    let mut rebuilt = http::Response::builder()
        .status(response.status())
        .version(response.version());
    if let Some(headers) = rebuilt.headers_mut() {
        *headers = std::mem::take(response.headers_mut());
    }
    if let Some(extensions) = rebuilt.extensions_mut() {
        *extensions = std::mem::take(response.extensions_mut());
        if let Some(refusal) = refusal {
            extensions.insert(refusal);
        }
    }
    let rebuilt = rebuilt.url(response.url().clone());
    Response::from(rebuilt.body(body).unwrap_or_default())
}

/// Response headers that may carry a credential (OKS rotates tokens through them); never
/// copied into an error.
fn carries_credential(name: &reqwest::header::HeaderName) -> bool {
    let name = name.as_str();
    matches!(
        name,
        "authorization" | "proxy-authorization" | "cookie" | "set-cookie" | "www-authenticate"
    ) || ["token", "secret", "password", "auth", "key", "otp"]
        .iter()
        .any(|word| name.contains(word))
}

/// The headers of an answer without those that may carry a credential.
fn without_credentials(headers: &HeaderMap) -> HeaderMap {
    let mut kept = HeaderMap::with_capacity(headers.len());
    for (name, value) in headers {
        if !carries_credential(name) && !value.is_sensitive() {
            kept.append(name.clone(), value.clone());
        }
    }
    kept
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
        if status.is_redirection() {
            return redirect_message(status, headers);
        }
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

/// What a redirect answer says: kaas never follows one (it could carry credentials elsewhere).
fn redirect_message(status: StatusCode, headers: &HeaderMap) -> String {
    let target = headers
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|location| url::Url::parse(location).ok())
        .map(|url| {
            format!(
                " to {}://{}",
                url.scheme(),
                url.host_str().unwrap_or_default()
            )
        })
        .unwrap_or_default();
    format!(
        "{} redirect{target} not followed: check the base URL",
        status.canonical_reason().unwrap_or("a")
    )
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
            page_concurrency: 4,
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
                page_concurrency: self.page_concurrency.max(1),
                max_response_bytes: self.max_response_bytes.max(1),
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
    if url
        .path()
        .split('/')
        .any(|segment| segment == "." || segment == "..")
        || raw.contains("/./")
        || raw.contains("/../")
    {
        return Err(Error::InvalidInput(
            "the base URL's path has `.` or `..` segments".into(),
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

/// Implements progenitor's `ClientHooks` for a generated client so that every request goes
/// through [`Transport::execute`] and every error answer through [`Transport::error_hook`].
macro_rules! transport_hooks {
    ($client:ty) => {
        impl progenitor_client::ClientHooks<$crate::transport::Transport> for $client {
            async fn pre<E>(
                &self,
                request: &mut reqwest::Request,
                info: &progenitor_client::OperationInfo,
            ) -> std::result::Result<(), progenitor_client::Error<E>> {
                $crate::transport::check_path(request.url(), info.operation_id)
                    .map_err(progenitor_client::Error::InvalidRequest)
            }

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

/// Characters percent-encoded in a path parameter: progenitor's set (controls, space,
/// `"#<>?`{}/%`) plus `\`, which some servers and the `url` crate read as `/`.
const PATH_SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'/')
    .add(b'%')
    .add(b'\\');

/// Encodes one path parameter. A whole `.` or `..` is encoded too, so that URL parsing cannot
/// remove it before [`check_path`] refuses it. The generated clients call this in place of
/// progenitor's `encode_path`.
pub fn encode_path(segment: &str) -> String {
    match segment {
        "." => "%2E".into(),
        ".." => "%2E%2E".into(),
        _ => percent_encoding::utf8_percent_encode(segment, PATH_SEGMENT).to_string(),
    }
}

/// Refuses a request whose path has an empty, `.` or `..` segment (percent-encoded or not):
/// an id like `..` would steer the request to another resource. Runs before every request
/// (the generated client's `pre` hook); the error names the operation, never the value.
pub(crate) fn check_path(url: &reqwest::Url, operation: &str) -> std::result::Result<(), String> {
    let Some(segments) = url.path_segments() else {
        return Ok(());
    };
    for segment in segments {
        let decoded = percent_encoding::percent_decode_str(segment).decode_utf8_lossy();
        if matches!(decoded.trim(), "" | "." | "..") {
            return Err(format!(
                "`{operation}`: a path parameter is empty, `.` or `..`; refused before sending"
            ));
        }
    }
    Ok(())
}

/// Decodes the JSON success body of an operation that answers a secret (a token, a
/// kubeconfig, a private key). On failure the error says where the body stopped matching but
/// quotes neither the body nor any value from it. The generated clients call this in place of
/// progenitor's `ResponseValue::from_response` for those operations.
pub async fn decode_secret_json<T: serde::de::DeserializeOwned, E>(
    response: Response,
) -> std::result::Result<progenitor_client::ResponseValue<T>, progenitor_client::Error<E>> {
    let status = response.status();
    let headers = response.headers().clone();
    let body = zeroize::Zeroizing::new(
        response
            .bytes()
            .await
            .map_err(progenitor_client::Error::ResponseBodyError)?
            .to_vec(),
    );
    match serde_json::from_slice::<T>(&body) {
        Ok(inner) => Ok(progenitor_client::ResponseValue::new(
            inner, status, headers,
        )),
        Err(error) => {
            let message = format!(
                "the answer holds a secret, so neither it nor its values are shown; it stopped matching the spec at line {} column {} ({:?} error)",
                error.line(),
                error.column(),
                error.classify()
            );
            Err(progenitor_client::Error::InvalidResponsePayload(
                bytes::Bytes::new(),
                <serde_json::Error as serde::de::Error>::custom(message),
            ))
        }
    }
}

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
    fn backoff_is_equal_jitter_under_a_doubling_cap() {
        let policy = RetryPolicy::default()
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(1000));
        for attempt in 1..=8u32 {
            let cap =
                Duration::from_millis(100 * (1 << (attempt - 1))).min(Duration::from_millis(1000));
            for _ in 0..50 {
                let delay = policy.backoff(attempt);
                assert!(delay <= cap && delay >= cap / 2, "{attempt}: {delay:?}");
            }
        }
        let extreme = RetryPolicy::default()
            .initial_backoff(Duration::MAX)
            .max_backoff(Duration::MAX);
        assert!(extreme.backoff(u32::MAX) <= Duration::MAX);
        assert_eq!(RetryPolicy::none().attempts(), 1);
        assert_eq!(RetryPolicy::default().max_attempts(0).attempts(), 1);
    }

    #[test]
    fn numbers_from_servers_never_overflow() {
        for huge in [
            "9223372036854775808",
            "18446744073709551615",
            "1000000000000000000000000000000",
        ] {
            let mut headers = HeaderMap::new();
            headers.insert("ratelimit-reset", huge.parse().unwrap());
            headers.insert("ratelimit-remaining", "0".parse().unwrap());
            let limit = RateLimit::from_headers(&headers);
            if let Some(reset) = limit.and_then(|l| l.reset) {
                assert!(reset <= SystemTime::UNIX_EPOCH + Duration::from_secs(LATEST_RESET_SECS));
            }
            let _ = server_delay(&headers);
            let mut headers = HeaderMap::new();
            headers.insert("retry-after", huge.parse().unwrap());
            let _ = server_delay(&headers);
        }
        let mut headers = HeaderMap::new();
        headers.insert("x-ratelimit-reset", "120".parse().unwrap());
        headers.insert("x-ratelimit-remaining", "0".parse().unwrap());
        let delay =
            server_delay(&headers).expect("x-ratelimit-* is read, a small reset as seconds");
        assert!(
            delay > Duration::from_secs(110) && delay <= Duration::from_secs(120),
            "{delay:?}"
        );
    }

    #[test]
    fn path_parameters_cannot_leave_their_segment() {
        assert_eq!(encode_path(".."), "%2E%2E");
        assert_eq!(encode_path("."), "%2E");
        assert_eq!(encode_path(r"..\projects\p1"), "..%5Cprojects%5Cp1");
        assert_eq!(encode_path("a/b?c#d"), "a%2Fb%3Fc%23d");
        assert_eq!(encode_path("v1.2_x-y"), "v1.2_x-y");
        let url =
            |path: &str| reqwest::Url::parse(&format!("https://api.example.com{path}")).unwrap();
        assert!(check_path(&url("/v2/clusters/abc"), "op").is_ok());
        for refused in [
            "/v2/clusters/%2E%2E",
            "/v2/clusters/%2e",
            "/v2/clusters//nodes",
            "/v2/clusters/",
            "/v2/clusters/%20",
        ] {
            let message = check_path(&url(refused), "delete_cluster").unwrap_err();
            assert!(message.contains("delete_cluster"), "{refused}: {message}");
        }
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

    #[test]
    fn credential_headers_are_not_copied_into_errors() {
        let mut headers = HeaderMap::new();
        for name in [
            "access-token",
            "refresh-token",
            "set-cookie",
            "authorization",
            "x-request-id",
            "ratelimit-remaining",
        ] {
            headers.insert(
                reqwest::header::HeaderName::from_static(name),
                "v".parse().unwrap(),
            );
        }
        let kept = without_credentials(&headers);
        let names: Vec<&str> = kept.keys().map(|k| k.as_str()).collect();
        assert_eq!(names, ["x-request-id", "ratelimit-remaining"]);
    }

    #[test]
    fn html_error_pages_become_their_text() {
        static PROFILE: ProviderProfile = ProviderProfile {
            name: "test",
            default_base_url: None,
            decode_error: |_| None,
            operations: &[],
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
