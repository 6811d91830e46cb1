//! [`Transport`]: the configured part of every provider's client (its profile, retry policy,
//! credentials, limits, wait policy and last rate limit) and what the rest of the crate may
//! read of it.

use std::fmt;
use std::sync::{Arc, Mutex};

use reqwest::header::HeaderMap;

use super::profile::ProviderProfile;
use super::retry::RetryPolicy;
use crate::auth::Authenticate;
use crate::rate_limit::RateLimit;
use crate::wait::WaitPolicy;

/// How many pages a list walk fetches at once when it starts, by default. While the walk
/// waits on the network (its pages come back about as fast as the fastest one did), it adds a
/// page in flight for each page it receives, up to [`MAX_PAGE_CONCURRENCY`]; where pages queue
/// for decoding, or the caller reads slower than pages arrive, it stays where it is. A walk
/// never has more in flight than half the requests the provider's rate-limit headers say
/// remain.
pub const DEFAULT_PAGE_CONCURRENCY: usize = 16;

/// The most pages a walk started with the default settings keeps in flight.
///
/// Measured with `cargo bench --bench list` (10,000 DigitalOcean clusters in 50 pages of 200
/// from a loopback server, pages decoded on every core of a 2-core machine), against raw
/// reqwest fetching page 1 and then the 49 others at once into the same types: the default
/// walk takes 0.70x that time at 20 ms an answer and 1.04x at 100 ms (a fixed 16: 0.82x and
/// 1.29x), and a streamed walk peaks at 19 MiB at 20 ms and 30 MiB at 100 ms (a fixed 50: 53
/// and 55 MiB).
pub const MAX_PAGE_CONCURRENCY: usize = 64;

/// The shared part of every provider's client: retry policy, credentials, last rate limit.
/// Each generated client holds one and sends every request through it. Public only because
/// progenitor's `ClientInfo::inner` returns it; nothing of it is callable outside the crate.
#[derive(Clone)]
pub struct Transport {
    pub(super) inner: Arc<TransportInner>,
}

/// What a [`Transport`] holds, shared by its clones.
pub(super) struct TransportInner {
    pub(super) profile: &'static ProviderProfile,
    pub(super) retry: RetryPolicy,
    pub(super) auth: Arc<dyn Authenticate>,
    /// `None`: the default, which grows while a walk waits on the network.
    pub(super) page_concurrency: Option<usize>,
    pub(super) max_response_bytes: u64,
    pub(super) rate_limit: Mutex<Option<RateLimit>>,
    /// The client's (request, connect) timeouts, for clients kaas builds beside it.
    #[cfg_attr(
        not(feature = "kube"),
        allow(dead_code, reason = "the kube client is their one reader")
    )]
    pub(super) timeouts: (Option<std::time::Duration>, Option<std::time::Duration>),
    /// How the client's `wait_until_*` methods poll.
    pub(super) wait: WaitPolicy,
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
    pub(crate) fn rate_limit(&self) -> Option<RateLimit> {
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

    /// How the client's `wait_until_*` methods poll, unless a call says otherwise.
    pub(crate) fn wait_policy(&self) -> &WaitPolicy {
        &self.inner.wait
    }

    /// How many pages a list walk fetches at once when it starts.
    pub(crate) fn page_concurrency(&self) -> usize {
        self.inner
            .page_concurrency
            .unwrap_or(DEFAULT_PAGE_CONCURRENCY)
    }

    /// The most pages a list walk may have in flight: the fixed concurrency the caller set,
    /// else [`MAX_PAGE_CONCURRENCY`].
    pub(crate) fn max_page_concurrency(&self) -> usize {
        self.inner.page_concurrency.unwrap_or(MAX_PAGE_CONCURRENCY)
    }

    /// Records what an answer's headers say: rotated credentials, the rate limit.
    pub(super) fn observe(&self, headers: &HeaderMap) {
        self.inner.auth.observe(headers);
        if let Some(limit) = RateLimit::from_headers(headers) {
            *self
                .inner
                .rate_limit
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(limit);
        }
    }
}
