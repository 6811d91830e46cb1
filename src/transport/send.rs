//! The attempt loop: one operation's request sent, its answer read whole within the attempt,
//! and sent again as the retry policy and the operation allow.
//!
//! Every generated `send_progenitor` hands its request to [`execute`] and gets back a success
//! answer or a [`crate::Error`]: an error is the error it is from the moment it is known (a
//! path refused, a credential that cannot be sent, an error answer, a body past the cap, a
//! failure on the wire), and goes to the caller as it is, through `?`.

use std::time::Duration;

use reqwest::{Request, Response, StatusCode};
use tokio::time::Instant;

use super::answer::{BodyBuffer, ReadBody};
use super::client::Transport;
use super::error_answer::{MAX_ERROR_BODY, decode_api_error, shown_url};
use super::failure::{
    WithoutUrlRef as _, classify_reqwest_error, is_retryable_transport_error, never_sent,
};
use super::paths::check_path;
use super::retry::RETRY_STATUSES;
use crate::error::{ApiError, Error, Result};
use crate::rate_limit::server_delay;

/// How one attempt ended without a usable answer. Each holds the kaas error it stands for
/// from the moment it is known, except a failure on the wire, which the retry loop reads first.
enum Failed {
    /// The request or its answer failed on the wire (no connection, a reset, a body cut short).
    Wire(reqwest::Error),
    /// The server answered an error status: the error it is, and what retrying needs of it.
    Answer {
        status: StatusCode,
        /// The delay the answer asked for (`Retry-After`, a rate-limit reset).
        asked: Option<Duration>,
        error: Error,
    },
    /// Refused on this side: a success body past the cap, a credential that cannot be sent.
    Refused(Error),
}

impl Failed {
    fn into_error(self) -> Error {
        match self {
            Failed::Wire(error) => classify_reqwest_error(error),
            Failed::Answer { error, .. } | Failed::Refused(error) => error,
        }
    }
}

/// The error an error answer is: not implemented (501), rate limited, or any other.
fn api_error(api: ApiError) -> Error {
    if api.status == 501 {
        Error::NotImplemented(Box::new(api))
    } else if api.is_rate_limited() {
        Error::RateLimited(Box::new(api))
    } else {
        Error::Api(Box::new(api))
    }
}

/// Sends one operation's request through `transport`: its final path checked (an empty, `.`
/// or `..` segment is refused before anything is sent), then the attempt loop. Every
/// generated `send_progenitor` calls it in place of progenitor's hooks.
pub async fn execute(
    transport: &Transport,
    http: &reqwest::Client,
    request: Request,
    operation: &'static str,
) -> Result<Response> {
    check_path(request.url(), operation).map_err(Error::InvalidInput)?;
    transport.execute(http, request, operation).await
}

impl Transport {
    /// Sends one operation's request, retrying as the policy allows: a success answer, with its
    /// body read whole (bounded), or the error it ended with.
    async fn execute(
        &self,
        http: &reqwest::Client,
        mut request: Request,
        operation: &'static str,
    ) -> Result<Response> {
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
                return Err(Error::InvalidInput(reason));
            }
            let sent = Instant::now();
            let result = match http.execute(request).await {
                Ok(response) => self.read_answer(response).await,
                Err(error) => Err(Failed::Wire(error)),
            };
            let latency_ms = u64::try_from(sent.elapsed().as_millis()).unwrap_or(u64::MAX);
            match &result {
                Ok(response) => {
                    tracing::debug!(provider = profile.name, operation, %method, path, status = response.status().as_u16(), attempt, latency_ms, "response");
                }
                Err(Failed::Answer { status, .. }) => {
                    tracing::debug!(provider = profile.name, operation, %method, path, status = status.as_u16(), attempt, latency_ms, "response");
                }
                Err(Failed::Wire(error)) => {
                    tracing::debug!(provider = profile.name, operation, %method, path, attempt, latency_ms, error = %error.without_url_ref(), "request failed");
                }
                Err(Failed::Refused(error)) => {
                    tracing::debug!(provider = profile.name, operation, %method, path, attempt, latency_ms, %error, "answer refused");
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
                _ => return result.map_err(Failed::into_error),
            }
        }
    }

    /// Reads an answer's whole body within the attempt: a success body up to the configured
    /// cap (a larger one is refused without being read whole), an error body up to 64 KiB
    /// (decoded into an [`ApiError`], the error the answer is). A success body that breaks off
    /// is a transport error, so the retry loop sees it.
    async fn read_answer(&self, mut response: Response) -> std::result::Result<Response, Failed> {
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
            return Err(Failed::Refused(Error::BodyTooLarge { limit }));
        }
        let mut body = BodyBuffer::default();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if (body.len() + chunk.len()) as u64 > limit {
                        if success {
                            return Err(Failed::Refused(Error::BodyTooLarge { limit }));
                        }
                        let room = MAX_ERROR_BODY - body.len();
                        body.push(chunk.slice(..room));
                        break;
                    }
                    body.push(chunk);
                }
                Ok(None) => break,
                Err(error) if success => return Err(Failed::Wire(error)),
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
            return Err(Failed::Answer {
                status,
                asked: server_delay(response.headers()),
                error: api_error(api),
            });
        }
        // The body stays with the answer; its own stream is spent.
        response.extensions_mut().insert(ReadBody(body));
        Ok(response)
    }

    /// How long to wait before the next attempt, or `None` to stop. Waits at least the backoff;
    /// longer when the server asks (`Retry-After`, a rate-limit window), but never past
    /// `max_backoff` for one wait or `max_elapsed` in all. An operation that may not be
    /// retried (`may_retry` false: a create) is sent again only when the failed attempt
    /// provably never reached the server ([`never_sent`]).
    fn retry_delay(
        &self,
        result: &std::result::Result<Response, Failed>,
        may_retry: bool,
        attempt: u32,
        elapsed: Duration,
    ) -> Option<Duration> {
        let policy = &self.inner.retry;
        let asked = match result {
            Err(Failed::Wire(error)) if !may_retry && never_sent(error) => None,
            _ if !may_retry => return None,
            Err(Failed::Wire(error)) if is_retryable_transport_error(error) => None,
            Err(Failed::Answer {
                status,
                asked,
                error,
            }) if RETRY_STATUSES.contains(&status.as_u16()) => {
                let throttled = error.api().is_some_and(ApiError::is_rate_limited);
                match asked {
                    Some(asked) => Some(*asked),
                    // Over a rate limit with no word on when it lifts: seconds of retrying
                    // cannot help.
                    None if throttled && *status != StatusCode::TOO_MANY_REQUESTS => {
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
}
