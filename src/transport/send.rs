//! The attempt loop: one operation's request sent, its answer read whole within the attempt,
//! and sent again as the retry policy and the operation allow.

use std::sync::Arc;
use std::time::Duration;

use reqwest::{Request, Response, StatusCode};
use tokio::time::Instant;

use super::answer::{BodyBuffer, ReadBody};
use super::client::Transport;
use super::error_answer::{MAX_ERROR_BODY, decode_api_error};
use super::failure::{WithoutUrlRef as _, is_retryable_transport_error, never_sent};
use super::refusal::{Refusal, refusal, refusal_response};
use super::retry::RETRY_STATUSES;
use super::sensitive::shown_url;
use crate::rate_limit::server_delay;

impl Transport {
    /// Sends one operation's request, retrying as the policy allows. Called from the generated
    /// client's `ClientHooks::exec`. The answer comes back with its body read whole (bounded);
    /// an error answer or a refusal carries a [`Refusal`] for [`error_hook`](super::error_hook).
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
}
