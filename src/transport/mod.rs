//! What every provider shares on the wire: building the HTTP client, authentication, retries,
//! rate-limit tracking, error decoding and request logging.
//!
//! Every generated `send_progenitor` hands its request to [`execute`] (the path check, then
//! [`Transport`]'s attempt loop) in place of progenitor's hooks, so the rules below hold for
//! every operation of every provider:
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
//!   [`ApiError`](crate::ApiError), and surfaces as [`crate::Error::Api`] (or [`crate::Error::RateLimited`]);
//! - an error is a [`crate::Error`] from the moment it is known, in the attempt loop and in the
//!   generated code alike (the generator rewrites progenitor's `send` to return
//!   [`crate::Result`]): no error rides in a response, and no response is made up.
//!
//! One job per file: [`ClientBuilder`] checks the settings and builds the HTTP client
//! (`builder`); [`Transport`] is the configured part every generated client holds (`client`),
//! with its provider's [`ProviderProfile`] (`profile`); `send` is where the generated code
//! hands a request over and the attempt loop, `retry` its policy and `failure` what a failed
//! attempt means; `error_answer` decodes an error answer, `answer` a success answer; `paths`
//! checks and encodes path parameters.
//!
//! The items below re-exported with `pub` are the ones the generated code names
//! (`crate::transport::…`) or the crate root re-exports.

mod answer;
mod api_root;
mod builder;
mod client;
mod error_answer;
mod failure;
mod paths;
mod profile;
mod retry;
mod send;

pub use answer::DEFAULT_MAX_RESPONSE_BYTES;
#[cfg_attr(
    not(feature = "digitalocean"),
    allow(
        unused_imports,
        reason = "only DigitalOcean answers a non-JSON success body (its kubeconfig)"
    )
)]
pub use answer::body_stream;
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
pub use answer::{decode_json, finish, finish_body, unexpected_answer};
pub(crate) use builder::Connection;
pub(crate) use builder::sealed::Build;
pub use builder::{BuildClient, ClientBuilder, USER_AGENT};
pub use client::{DEFAULT_PAGE_CONCURRENCY, MAX_PAGE_CONCURRENCY, Transport};
// For the property tests (`mock`) and the facades' unit tests; the attempt loop imports it itself.
pub(crate) use api_root::ApiRoot;
#[cfg(any(test, feature = "mock"))]
pub(crate) use error_answer::decode_api_error;
pub(crate) use failure::{classify_reqwest_error, invalid_header_value};
pub use paths::encode_path;
#[cfg_attr(
    not(any(feature = "oks", feature = "commissaire")),
    allow(
        unused_imports,
        reason = "only providers whose specs have patterns call it"
    )
)]
pub use paths::pattern_mismatch;
#[cfg_attr(
    not(any(feature = "digitalocean", feature = "commissaire")),
    allow(
        unused_imports,
        reason = "only the DigitalOcean and Commissaire facades quote caller input themselves"
    )
)]
pub(crate) use paths::quoted;
pub(crate) use profile::ProviderProfile;
pub use retry::RetryPolicy;
pub use send::execute;
