//! What a failed attempt means: whether it may be retried, whether it provably never reached
//! the server, and the kaas error it becomes, naming its causes down to the root one.

use crate::error::Error;

pub(super) fn is_retryable_transport_error(error: &reqwest::Error) -> bool {
    !error.is_builder() && !error.is_redirect() && !error.is_status()
}

/// Whether a failed attempt provably never reached the server, so that sending it again is
/// safe even for an operation that creates something: the connection could not be made
/// (refused, no route, a failed TLS handshake: nothing is written before), or hyper gave the
/// request back unwritten (`is_canceled`: the connection, a pooled one most often, closed
/// before the request was taken to be written). A request that was taken to be written and
/// then lost its connection ("connection closed before message completed", a reset) may have
/// reached the server: it is not one of these.
pub(super) fn never_sent(error: &reqwest::Error) -> bool {
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

/// A header value a caller gave that cannot be sent (a control character, a line break): the
/// generated `send_progenitor` refuses it with this before anything is sent.
#[cfg_attr(
    not(feature = "oks"),
    allow(dead_code, reason = "only OKS operations take a header parameter")
)]
pub(crate) fn invalid_header_value(error: reqwest::header::InvalidHeaderValue) -> Error {
    Error::InvalidInput(error.to_string())
}

/// `reqwest::Error` without its URL, for logs.
pub(super) trait WithoutUrlRef {
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
