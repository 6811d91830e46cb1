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
//! - every path parameter is checked and percent-encoded ([`encode_path`]) before the URL is
//!   formatted: an empty, `.` or `..` value (raw or percent-encoded, however often) is refused,
//!   naming the operation and the parameter, and nothing is sent; a request whose final path
//!   still holds such a segment is refused too;
//! - the whole body of every answer is read inside the attempt, so a connection reset or a body
//!   cut short is retried like any other transport error; a success body larger than the
//!   configured cap is refused ([`crate::Error::BodyTooLarge`]) without being read whole;
//! - transport errors and 429/502/503/504 are retried for idempotent operations (the spec's
//!   `x-idempotent` decides for POSTs that only read and PUTs that create) with jittered
//!   exponential backoff, honouring `Retry-After` (seconds or HTTP date), `ratelimit-reset` and
//!   `x-ratelimit-reset`, within bounded attempts and total delay; every number a server sends
//!   is clamped, never trusted in arithmetic;
//! - a request that provably never reached the server (its connection could not be made, or
//!   hyper gave it back unwritten because its pooled connection had closed) is sent again even
//!   for an operation that may not be retried (a create); one that lost its connection after it
//!   was taken to be written may have reached the server, and is not. A transport error says
//!   which it was, when that is known, and names its causes down to the root one;
//! - an error answer is read once (at most 64 KiB), decoded with the provider's error shapes into
//!   [`ApiError`](crate::ApiError), and surfaces as [`crate::Error::Api`] (or [`crate::Error::RateLimited`]).

mod answer;
mod builder;
mod paths;
mod retry;

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::{Method, Request, Response, StatusCode};
use tokio::time::Instant;

use crate::auth::Authenticate;
use crate::error::{DecodedErrorBody, Error};

pub use answer::DEFAULT_MAX_RESPONSE_BYTES;
#[cfg_attr(
    not(any(feature = "digitalocean", feature = "oks", feature = "commissaire")),
    allow(
        unused_imports,
        reason = "only providers whose answers hold secrets call it"
    )
)]
pub use answer::decode_secret_json;
#[cfg_attr(
    not(feature = "digitalocean"),
    allow(
        unused_imports,
        reason = "only DigitalOcean answers a non-JSON body (its kubeconfig)"
    )
)]
pub use answer::finish_bytes;
use answer::{BodyBuffer, MAX_ERROR_BODY, ReadBody, refusal_response, without_credentials};
pub(crate) use answer::{Refusal, carries_credential, decode_api_error, refusal};
pub use answer::{body_stream, decode_json, finish, finish_body};
pub(crate) use builder::Connection;
pub use builder::{BuildClient, ClientBuilder, DEFAULT_PAGE_CONCURRENCY, MAX_PAGE_CONCURRENCY};
pub(crate) use paths::check_path;
pub(crate) use paths::quoted;
pub use paths::{encode_path, pattern_mismatch};
pub use crate::rate_limit::RateLimit;
pub(crate) use crate::rate_limit::server_delay;
use retry::RETRY_STATUSES;
pub use retry::RetryPolicy;

/// The user agent every request carries, before any caller-supplied suffix.
pub const USER_AGENT: &str = concat!("kaas/", env!("CARGO_PKG_VERSION"));

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
    /// `None`: the default, which grows while a walk waits on the network.
    page_concurrency: Option<usize>,
    max_response_bytes: u64,
    rate_limit: Mutex<Option<RateLimit>>,
    /// The client's (request, connect) timeouts, for clients kaas builds beside it.
    #[cfg_attr(
        not(feature = "kube"),
        allow(dead_code, reason = "the kube client is their one reader")
    )]
    timeouts: (Option<std::time::Duration>, Option<std::time::Duration>),
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

    /// The client's (request, connect) timeouts; `(None, None)` after `no_timeouts`.
    #[cfg(feature = "kube")]
    #[cfg_attr(
        not(any(feature = "digitalocean", feature = "oks")),
        allow(dead_code, reason = "the providers' kube_client helpers are its users")
    )]
    pub(crate) fn timeouts(&self) -> (Option<std::time::Duration>, Option<std::time::Duration>) {
        self.inner.timeouts
    }

    /// How many pages a list walk fetches at once when it starts.
    pub fn page_concurrency(&self) -> usize {
        self.inner
            .page_concurrency
            .unwrap_or(DEFAULT_PAGE_CONCURRENCY)
    }

    /// The most pages a list walk may have in flight: the fixed concurrency the caller set,
    /// else [`MAX_PAGE_CONCURRENCY`].
    pub fn max_page_concurrency(&self) -> usize {
        self.inner.page_concurrency.unwrap_or(MAX_PAGE_CONCURRENCY)
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
        let profile = self.inner.profile;
        let may_retry = profile.may_retry(operation, request.method());
        let method = request.method().clone();
        // The path is copied for the log lines only, and only when someone listens.
        let path = if tracing::enabled!(tracing::Level::INFO) {
            request.url().path().to_owned()
        } else {
            String::new()
        };
        let started = Instant::now();
        let mut attempt = 1;
        loop {
            // Kept for an operation that may not be retried too: a request that never reached
            // the server may be sent again whatever it does.
            let next = if attempt < self.inner.retry.max_attempts {
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
                Some(_) => self.retry_delay(&result, may_retry, attempt, started.elapsed()),
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
        let mut body = BodyBuffer::default();
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
                        body.push(chunk.slice(..room));
                        break;
                    }
                    body.push(chunk);
                }
                Ok(None) => break,
                Err(error) if success => return Err(error),
                // An error page cut short still says something: keep what arrived.
                Err(_) => break,
            }
        }
        let body = body.into_bytes();
        if !success {
            let mut api = decode_api_error(self.inner.profile, status, response.headers(), &body);
            api.url = Some(shown_url(response.url()));
            tracing::debug!(
                provider = self.inner.profile.name,
                status = api.status,
                code = api.code.as_deref(),
                request_id = api.request_id.as_deref(),
                "error answer"
            );
            response
                .extensions_mut()
                .insert(Refusal::Api(Arc::new(api)));
        }
        // The body stays with the answer; its own stream is spent.
        response.extensions_mut().insert(ReadBody(body));
        Ok(response)
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
    /// `max_backoff` for one wait or `max_elapsed` in all. An operation that may not be
    /// retried (`may_retry` false: a create) is sent again only when the failed attempt
    /// provably never reached the server ([`never_sent`]).
    fn retry_delay(
        &self,
        result: &reqwest::Result<Response>,
        may_retry: bool,
        attempt: u32,
        elapsed: Duration,
    ) -> Option<Duration> {
        let policy = &self.inner.retry;
        let asked = match result {
            Err(error) if !may_retry && never_sent(error) => None,
            _ if !may_retry => return None,
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
            // The error already holds what the body says; the copy does not keep the body.
            extensions.remove::<ReadBody>();
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

fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
    )
}

fn is_retryable_transport_error(error: &reqwest::Error) -> bool {
    !error.is_builder() && !error.is_redirect() && !error.is_status()
}

/// Whether a failed attempt provably never reached the server, so that sending it again is
/// safe even for an operation that creates something: the connection could not be made
/// (refused, no route, a failed TLS handshake: nothing is written before), or hyper gave the
/// request back unwritten (`is_canceled`: the connection, a pooled one most often, closed
/// before the request was taken to be written). A request that was taken to be written and
/// then lost its connection ("connection closed before message completed", a reset) may have
/// reached the server: it is not one of these.
fn never_sent(error: &reqwest::Error) -> bool {
    if error.is_builder() || error.is_redirect() || error.is_status() || error.is_body() {
        return false;
    }
    error.is_connect() || hyper_error(error).is_some_and(hyper::Error::is_canceled)
}

/// The hyper error in `error`'s source chain, if any.
fn hyper_error(error: &reqwest::Error) -> Option<&hyper::Error> {
    causes(error).find_map(|cause| cause.downcast_ref::<hyper::Error>())
}

/// The errors below `error` in its source chain, nearest first.
fn causes<'a>(
    error: &'a (dyn std::error::Error + 'static),
) -> impl Iterator<Item = &'a (dyn std::error::Error + 'static)> {
    std::iter::successors(error.source(), |cause| cause.source())
}

/// What the source chain below a `reqwest` error says, nearest cause first, down to the root
/// cause (`client error (SendRequest): connection closed before message completed`). Only the
/// top error names the URL; a cause that repeats the one above it is shown once.
fn cause_text(error: &reqwest::Error) -> String {
    let mut shown: Vec<String> = Vec::new();
    for cause in causes(error) {
        let text = cause.to_string();
        if !text.is_empty() && shown.last().is_none_or(|last| !last.contains(&text)) {
            shown.push(text);
        }
    }
    shown.join(": ")
}

/// A `reqwest` error as a kaas error: timeouts apart, everything else is a transport failure
/// whose message says whether the request reached the server, when that is known, and ends
/// with the source chain's causes, down to the root one.
pub(crate) fn classify_reqwest_error(error: reqwest::Error) -> Error {
    if error.is_timeout() {
        return Error::Timeout {
            message: format!(
                "no complete answer within the configured timeout ({})",
                error.without_url_ref()
            ),
        };
    }
    let what = if error.is_builder() {
        "the request could not be built"
    } else if error.is_connect() {
        "could not connect; the request was not sent"
    } else if never_sent(&error) {
        "the request was not sent: its connection closed before it was written"
    } else if error.is_body() || error.is_decode() {
        "the answer could not be read whole"
    } else {
        "the request failed, and whether the server received it cannot be known"
    };
    let causes = cause_text(&error);
    let message = if causes.is_empty() {
        what.to_string()
    } else {
        format!("{what} ({causes})")
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

/// A URL as errors show it: without userinfo, query or fragment.
fn shown_url(url: &reqwest::Url) -> String {
    let mut shown = url.clone();
    shown.set_query(None);
    shown.set_fragment(None);
    let _ = shown.set_password(None);
    let _ = shown.set_username("");
    shown.to_string()
}
