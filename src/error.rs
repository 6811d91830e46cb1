//! The one error type of the crate.
//!
//! Every fallible call returns [`Error`]. Its variants say *what kind* of failure happened, so
//! callers can `match` without reading strings:
//!
//! | variant | when |
//! |---|---|
//! | [`Error::Api`] | the provider answered with an error status (the decoded body is in [`ApiError`]) |
//! | [`Error::RateLimited`] | the provider's rate limit is reached, longer than retrying can wait; [`ApiError::retry_at`] says until when |
//! | [`Error::BodyTooLarge`] | a success answer larger than the client's cap (`max_response_bytes`) |
//! | [`Error::NotImplemented`] | the provider says the operation is not implemented (HTTP 501) |
//! | [`Error::Transport`] / [`Error::Timeout`] | the request never got a complete answer |
//! | [`Error::Decode`] | a success answer whose body does not match the spec |
//! | [`Error::InvalidInput`] | the caller gave something unusable (no request was sent) |
//! | [`Error::Crypto`] | an encrypted kubeconfig could not be opened |
//! | [`Error::WaitTimeout`] / [`Error::WaitFailed`] | a wait gave up, or the resource failed |
//! | [`Error::Kubeconfig`] | a kubeconfig is not valid YAML |
//! | [`Error::KubeconfigFile`] / [`Error::KubeconfigLocked`] | a kubeconfig file could not be read or written, or another program holds its lock |
//! | [`Error::ClusterNotFound`] | no cluster of that id or name (inventory, Commissaire facade) |
//! | [`Error::AmbiguousAccount`] | a cluster named by its provider (`oks/prod`) in an inventory that has several accounts of that provider (no request was sent) |
//! | [`Error::IncompleteListing`] | a list walk could not account for every item the provider listed |
//! | [`Error::Other`] | another crate's error (kube-rs, a file read in a kubeconfig source of your own), kept whole as the [`source`](std::error::Error::source) |
//!
//! No variant carries a credential, and the body excerpts kept for diagnosis are short.

use std::fmt;
use std::time::Duration;

use crate::rate_limit::RateLimit;

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// How many characters of an unexpected body are kept for diagnosis.
pub(crate) const BODY_EXCERPT_CHARS: usize = 512;

/// Everything that can go wrong in a kaas call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The provider answered with an error status.
    #[error("{0}")]
    Api(Box<ApiError>),

    /// The provider's rate limit is reached (a 429, or Cloud66's 503 `throttled`), and waiting
    /// for it is longer than the retry policy allows. [`ApiError::retry_at`] says when the
    /// window resets, when the provider tells.
    #[error("{api}: rate limit reached{hint}", api = .0, hint = .0.retry_hint())]
    RateLimited(Box<ApiError>),

    /// A success answer larger than the client's cap; it was not read whole.
    #[error("the answer is larger than the {limit}-byte cap (`max_response_bytes`)")]
    BodyTooLarge {
        /// The cap, in bytes.
        limit: u64,
    },

    /// The provider says this operation is not implemented yet (HTTP 501).
    #[error("{} does not implement this operation yet: {}", .0.provider, .0.message)]
    NotImplemented(Box<ApiError>),

    /// The request could not be sent, or its answer could not be read (connection refused,
    /// TLS failure, connection reset, a body cut short).
    #[error("transport error: {message}")]
    Transport {
        /// What failed, without credentials.
        message: String,
        /// The underlying error.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },

    /// The request or the retry budget ran out of time.
    #[error("timed out: {message}")]
    Timeout {
        /// What timed out.
        message: String,
    },

    /// A success answer whose body does not match the spec.
    #[error("could not decode the response: {message}")]
    Decode {
        /// What did not match, as serde says it.
        message: String,
        /// The start of the body, for diagnosis.
        body_excerpt: String,
    },

    /// The caller gave something unusable; nothing was sent.
    #[error("invalid input: {0}")]
    InvalidInput(String),

    /// An encrypted kubeconfig could not be opened.
    #[error("could not open the encrypted kubeconfig: {0}")]
    Crypto(#[from] CryptoError),

    /// A wait reached its deadline before the resource was ready.
    #[error("gave up waiting for {what} after {:?}; last state seen: {last_state}", whole_millis(*.waited))]
    WaitTimeout {
        /// What was waited for, e.g. `cluster 1234 to be running`.
        what: String,
        /// The last state the provider reported.
        last_state: String,
        /// How long the wait lasted.
        waited: Duration,
        /// The last reading, typed; see [`Error::last_reading`].
        reading: Option<Reading>,
    },

    /// The resource reached a failed state while being waited for.
    #[error("{what} failed: state {state}{}", message.as_deref().map(|m| format!(" ({m})")).unwrap_or_default())]
    WaitFailed {
        /// What was waited for.
        what: String,
        /// The failed state the provider reported.
        state: String,
        /// The provider's explanation, when it gives one.
        message: Option<String>,
        /// The reading that failed, typed; see [`Error::last_reading`].
        reading: Option<Reading>,
    },

    /// A kubeconfig that is not valid YAML.
    #[error("invalid kubeconfig: {0}")]
    Kubeconfig(String),

    /// A list walk ended without every item: fewer items came than the total the provider
    /// stated, the pagination contradicted itself (a cursor given twice, a link back to a page
    /// already read), or the list is longer than a walk reads. The items before it came out;
    /// none is lost silently.
    #[error("incomplete listing: {got} items{}; {reason}", expected.map(|e| format!(" of the {e} announced")).unwrap_or_default())]
    IncompleteListing {
        /// The number of items the provider said the list holds, when it said.
        expected: Option<u64>,
        /// The number of items that came out (each once).
        got: u64,
        /// Why the walk could not go on.
        reason: String,
    },

    /// A kubeconfig file (or its folder) could not be read or written: permission denied, a
    /// read-only file kaas will not replace, a full disk. The file is left as it was.
    #[error("cannot {action} {}: {reason}", path.display())]
    KubeconfigFile {
        /// What kaas was doing, e.g. `read`, `replace`, `create the lock`.
        action: String,
        /// The file or folder at fault.
        path: std::path::PathBuf,
        /// Why, e.g. `permission denied (the file is read-only, mode 0400)`.
        reason: String,
        /// The system's error, when there is one.
        #[source]
        source: Option<std::io::Error>,
    },

    /// Another program holds the kubeconfig file's lock, `<file>.lock` (the lock kubectl
    /// takes), for longer than kaas waits. Nothing was changed.
    #[error(
        "{} exists: another kubectl or kaas is changing the kubeconfig file (waited {:?}); if none is running, the lock is left over from one that was interrupted: remove it",
        lock.display(),
        whole_millis(*waited)
    )]
    KubeconfigLocked {
        /// The lock file.
        lock: std::path::PathBuf,
        /// How long kaas waited for it to go.
        waited: Duration,
    },

    /// An error from another crate, kept whole: a kube-rs call on a client kaas built (through
    /// `?`, with the `kube` feature), or what a kubeconfig source of the caller's own fails
    /// with (a file read, say). [`std::error::Error::source`] gives the original error, to
    /// `downcast_ref`; make one with [`Error::other`].
    #[error("{message}")]
    Other {
        /// What failed, then the original error's own message.
        message: String,
        /// The original error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },

    /// A cluster looked up by id or name does not exist: the inventory found none such, or
    /// Commissaire answered 500 for a cluster its cluster list lacks.
    #[error("{provider} has no cluster with id or name `{cluster}`")]
    ClusterNotFound {
        /// The provider asked (`digitalocean`, `oks`, ...).
        provider: String,
        /// The id or name looked for.
        cluster: String,
    },

    /// A cluster was named by its provider (`oks/prod`), and the inventory has several
    /// accounts of that provider: name it by its account (`oks:prod-eu/prod`). Nothing was
    /// sent.
    #[error(
        "`{reference}` is ambiguous: {} accounts could hold it ({}); write <account>/<cluster>",
        accounts.len(),
        accounts.join(", ")
    )]
    AmbiguousAccount {
        /// The reference as written (`oks/prod`).
        reference: String,
        /// The accounts it could mean, in the inventory's order.
        accounts: Vec<String>,
    },
}

/// A duration to the millisecond, for messages (`1.25s`, not `1.250318772s`).
fn whole_millis(duration: Duration) -> Duration {
    Duration::from_millis(u64::try_from(duration.as_millis()).unwrap_or(u64::MAX))
}

impl Error {
    /// The HTTP status of an API error, if this is one.
    pub fn status(&self) -> Option<u16> {
        self.api().map(|e| e.status)
    }

    /// The decoded error answer, if the provider sent one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) | Error::NotImplemented(e) | Error::RateLimited(e) => Some(e),
            _ => None,
        }
    }

    /// The last reading of a wait that timed out or failed, as the type the wait returns
    /// (`types::Cluster` for `wait_until_running`, say): the resource as it last was.
    pub fn last_reading<T: 'static>(&self) -> Option<&T> {
        match self {
            Error::WaitTimeout { reading, .. } | Error::WaitFailed { reading, .. } => {
                reading.as_ref()?.get()
            }
            _ => None,
        }
    }

    /// The provider this error's own message names (`digitalocean answered 401 …`), so that
    /// a message naming the provider as well says it once.
    pub(crate) fn named_provider(&self) -> Option<&str> {
        match self {
            Error::Api(api) | Error::RateLimited(api) | Error::NotImplemented(api) => {
                Some(api.provider)
            }
            Error::ClusterNotFound { provider, .. } => Some(provider),
            _ => None,
        }
    }

    /// Whether the provider answered 404 Not Found, or a cluster was found missing
    /// ([`Error::ClusterNotFound`]: an inventory lookup, or a Commissaire 500 for a cluster
    /// its list lacks; a generated operation's bare 500 is not "not found", since Commissaire
    /// answers every failure so).
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404) || matches!(self, Error::ClusterNotFound { .. })
    }

    /// Another crate's error as an [`Error::Other`], its message saying what failed:
    ///
    /// ```
    /// let error = std::fs::read("/no/such/kubeconfig")
    ///     .map_err(|e| kaas::Error::other("reading the kubeconfig file", e))
    ///     .unwrap_err();
    /// assert!(error.to_string().starts_with("reading the kubeconfig file: "));
    /// let source = std::error::Error::source(&error).unwrap();
    /// assert!(source.downcast_ref::<std::io::Error>().is_some());
    /// ```
    pub fn other(
        what: impl fmt::Display,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Error::Other {
            message: format!("{what}: {source}"),
            source: Box::new(source),
        }
    }

    pub(crate) fn transport(
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Error::Transport {
            message: message.into(),
            source: Some(Box::new(source)),
        }
    }

    pub(crate) fn decode(message: impl fmt::Display, body: &[u8]) -> Self {
        Error::Decode {
            message: message.to_string(),
            body_excerpt: excerpt(body),
        }
    }
}

/// An error answer from a provider, decoded from whichever documented shape it came in.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ApiError {
    /// The provider (`digitalocean`, `oks`, `cloud66`, `commissaire`).
    pub provider: &'static str,
    /// The HTTP status.
    pub status: u16,
    /// The provider's machine-readable error code: DigitalOcean `id` (`not_found`), OKS
    /// `Type`/`Code`, Cloud66 `error`.
    pub code: Option<String>,
    /// The human-readable message (for a non-JSON body: its text, tags removed, shortened).
    pub message: String,
    /// Further details the provider gave (OKS validation errors, Cloud66 `details`).
    pub details: Vec<String>,
    /// The request id, from the body or the `x-request-id` header.
    pub request_id: Option<String>,
    /// How long the provider asked to wait before retrying (`Retry-After`).
    pub retry_after: Option<Duration>,
    /// The rate-limit headers of the answer, when the provider sends them.
    pub rate_limit: Option<RateLimit>,
    /// The decoded JSON body, when the body was JSON.
    pub body: Option<serde_json::Value>,
    /// The start of the body when it was not JSON (an HTML page from a proxy, say).
    pub body_excerpt: Option<String>,
    /// The URL the error answer came from, without userinfo, query or fragment.
    pub url: Option<String>,
}

impl ApiError {
    /// Whether this answer says the provider's rate limit is reached: a 429, or a 503 whose
    /// code is `throttled` (Cloud66).
    pub fn is_rate_limited(&self) -> bool {
        self.status == 429
            || (self.status == 503
                && self
                    .code
                    .as_deref()
                    .is_some_and(|code| code.eq_ignore_ascii_case("throttled")))
    }

    /// When the provider says a new request may succeed: `Retry-After`, else the rate-limit
    /// window's reset.
    pub fn retry_at(&self) -> Option<std::time::SystemTime> {
        self.retry_after
            .and_then(|after| std::time::SystemTime::now().checked_add(after))
            .or_else(|| self.rate_limit.and_then(|limit| limit.reset))
    }

    fn retry_hint(&self) -> String {
        match self.retry_at() {
            Some(at) => {
                let wait = at
                    .duration_since(std::time::SystemTime::now())
                    .unwrap_or_default();
                format!(
                    "; retry after {} (in {} s)",
                    httpdate::fmt_http_date(at),
                    wait.as_secs()
                )
            }
            None => String::new(),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} answered {}", self.provider, self.status)?;
        if let Some(code) = &self.code {
            write!(f, " ({code})")?;
        }
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        for detail in &self.details {
            write!(f, "; {detail}")?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " [request id {id}]")?;
        }
        Ok(())
    }
}

/// What a provider's error body says, as its decoder reads it.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct DecodedErrorBody {
    /// The machine-readable code.
    pub code: Option<String>,
    /// The message.
    pub message: Option<String>,
    /// Further details.
    pub details: Vec<String>,
    /// The request id, when the body carries one.
    pub request_id: Option<String>,
}

/// Why an encrypted kubeconfig could not be opened. Each case is distinct so a caller (or a
/// bug report) can say which.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CryptoError {
    /// The server's field is not standard base64.
    #[error("the sealed kubeconfig is not valid base64")]
    Base64,
    /// The sealed box is shorter than its 48 bytes of overhead.
    #[error("the sealed box is {len} bytes, shorter than the 48 bytes of a sealed box's overhead")]
    TooShort {
        /// Its length in bytes.
        len: usize,
    },
    /// The box does not open with this key: it was altered, or sealed for another key.
    /// (A sealed box cannot tell the two apart.)
    #[error("the sealed box does not open: it was altered or sealed for another key")]
    Unauthenticated,
    /// The server answered without the encrypted field.
    #[error("the response carries no encrypted kubeconfig")]
    Missing,
    /// The opened box is not UTF-8 text.
    #[error("the opened kubeconfig is not UTF-8 text")]
    NotUtf8,
}

/// The start of a body, lossily decoded, for diagnosis.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut out: String = text.chars().take(BODY_EXCERPT_CHARS).collect();
    if text.chars().count() > BODY_EXCERPT_CHARS {
        out.push('…');
    }
    out
}

/// Text of an HTML or plain-text error page: tags dropped, whitespace collapsed, shortened.
pub(crate) fn page_text(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut out = String::new();
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    let collapsed = out.split_whitespace().collect::<Vec<_>>().join(" ");
    excerpt(collapsed.as_bytes())
}

/// The last typed reading of a wait that failed or timed out; see [`Error::last_reading`].
pub struct Reading(Box<dyn std::any::Any + Send + Sync>);

impl Reading {
    pub(crate) fn new<T: Send + Sync + 'static>(reading: T) -> Self {
        Reading(Box::new(reading))
    }

    /// The reading, if it is a `T`.
    pub fn get<T: 'static>(&self) -> Option<&T> {
        self.0.downcast_ref()
    }
}

/// A kube-rs error, from a call on a client kaas built, as an [`Error::Other`]: `?` works in a
/// function that returns [`Result`].
#[cfg(feature = "kube")]
#[cfg_attr(docsrs, doc(cfg(feature = "kube")))]
impl From<kube::Error> for Error {
    fn from(error: kube::Error) -> Self {
        Error::other("kube-rs", error)
    }
}

impl fmt::Debug for Reading {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Reading(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ambiguous_account_lists_the_accounts_it_could_mean() {
        let error = Error::AmbiguousAccount {
            reference: "digitalocean/prod".into(),
            accounts: vec!["do:team-a".into(), "do:team-b".into()],
        };
        assert_eq!(
            error.to_string(),
            "`digitalocean/prod` is ambiguous: 2 accounts could hold it (do:team-a, do:team-b); write <account>/<cluster>"
        );
        assert!(!error.is_not_found());
        assert_eq!(error.status(), None);
    }

    #[test]
    fn a_wait_timeout_says_how_long_to_the_millisecond() {
        let error = Error::WaitTimeout {
            what: "cluster c to be running".into(),
            last_state: "provisioning".into(),
            waited: Duration::from_nanos(1_250_318_772),
            reading: None,
        };
        assert_eq!(
            error.to_string(),
            "gave up waiting for cluster c to be running after 1.25s; last state seen: provisioning"
        );
    }

    #[test]
    fn another_crates_error_is_kept_whole_as_the_source() {
        let io = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "denied");
        let error = Error::other("reading the kubeconfig file", io);
        assert_eq!(error.to_string(), "reading the kubeconfig file: denied");
        let source = std::error::Error::source(&error).expect("a source");
        let io = source
            .downcast_ref::<std::io::Error>()
            .expect("the io error");
        assert_eq!(io.kind(), std::io::ErrorKind::PermissionDenied);
    }

    #[cfg(feature = "kube")]
    #[test]
    fn a_kube_error_converts_with_its_whole_chain() {
        fn call() -> Result<()> {
            let inner = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset");
            Err(kube::Error::Service(Box::new(inner)))?;
            Ok(())
        }
        let error = call().unwrap_err();
        assert!(matches!(error, Error::Other { .. }), "{error:?}");
        assert_eq!(error.to_string(), "kube-rs: ServiceError: reset");
        let kube = std::error::Error::source(&error).expect("the kube error");
        assert!(matches!(
            kube.downcast_ref::<kube::Error>(),
            Some(kube::Error::Service(_))
        ));
        let root = kube.source().expect("the kube error's own source");
        let io = root.downcast_ref::<std::io::Error>().expect("the io error");
        assert_eq!(io.kind(), std::io::ErrorKind::ConnectionReset);
    }
}
