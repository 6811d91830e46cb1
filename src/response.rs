//! [`Response`]: a typed answer with its status and headers, from `send_with_response()`.

use std::fmt;

use reqwest::header::HeaderMap;

use crate::rate_limit::RateLimit;
use crate::secret::carries_credential;

/// A successful answer: the typed body with the status and headers it came with. Every
/// operation's `send_with_response()` returns one; `send()` returns the body alone.
///
/// Its `Debug` shows every header name, but `[redacted]` in place of the value of a header
/// that may carry a credential (`Authorization`, cookies, OKS's rotated `Access-Token` and
/// `Refresh-Token`, any name holding `token`, `secret`, `key`, `password`, `session`, ...).
#[derive(Clone)]
#[non_exhaustive]
pub struct Response<T> {
    status: u16,
    headers: HeaderMap,
    body: T,
}

impl<T> Response<T> {
    pub(crate) fn new(status: u16, headers: HeaderMap, body: T) -> Self {
        Response {
            status,
            headers,
            body,
        }
    }

    /// The HTTP status (a 2xx).
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The answer's headers. Headers that may carry a credential are kept here: this is the
    /// caller's own answer, not an error that may be logged.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The typed body.
    pub fn body(&self) -> &T {
        &self.body
    }

    /// The typed body, taken out.
    pub fn into_body(self) -> T {
        self.body
    }

    /// The request id the provider gave the answer (`x-request-id`), if any.
    pub fn request_id(&self) -> Option<&str> {
        self.headers.get("x-request-id")?.to_str().ok()
    }

    /// The rate-limit headers of the answer, if the provider sends them.
    pub fn rate_limit(&self) -> Option<RateLimit> {
        RateLimit::from_headers(&self.headers)
    }
}

impl<T: fmt::Debug> fmt::Debug for Response<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("status", &self.status)
            .field("headers", &RedactedHeaders(&self.headers))
            .field("body", &self.body)
            .finish()
    }
}

/// Headers as `Debug` shows them: a credential's value is replaced by `[redacted]`.
struct RedactedHeaders<'a>(&'a HeaderMap);

impl fmt::Debug for RedactedHeaders<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (name, value) in self.0 {
            if carries_credential(name) || value.is_sensitive() {
                map.entry(name, &format_args!("[redacted]"));
            } else {
                map.entry(name, value);
            }
        }
        map.finish()
    }
}
