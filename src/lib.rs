//! Typed, async, trustworthy clients for the services that create and run Kubernetes
//! clusters: [DigitalOcean Kubernetes](digitalocean), [OUTSCALE OKS](oks),
//! [Cloud66](cloud66) and [Commissaire](commissaire), one module and one cargo feature each
//! (all four by default), plus an [inventory] of every cluster across them.
//!
//! Each client is generated at build time from a hand-curated OpenAPI file that describes the
//! provider's API as the live service answers it: every documented operation is a method
//! with a typed builder (`client.get_cluster().cluster_id(id).send().await?`). A thin
//! hand-written layer adds what a spec cannot say: authentication, retries, pagination,
//! waiting and kubeconfigs.
//!
//! ```toml
//! [dependencies]
//! kaas = "0.1"        # or { version = "0.1", default-features = false, features = ["oks"] }
//! tokio = { version = "1", features = ["macros", "rt-multi-thread"] }
//! futures = "0.3"
//! ```
//!
//! # Quickstart
//!
//! ```no_run
//! # #[cfg(not(feature = "digitalocean"))] fn main() {}
//! # #[cfg(feature = "digitalocean")]
//! #[tokio::main]
//! async fn main() -> kaas::Result<()> {
//!     use futures::TryStreamExt as _;
//!     let client = kaas::digitalocean::Client::new(std::env::var("DIGITALOCEAN_TOKEN").unwrap_or_default())?;
//!     // Every page of the cluster list as one stream; a wait; a kubeconfig (a secret).
//!     let clusters: Vec<_> = client.clusters().try_collect().await?;
//!     for cluster in &clusters {
//!         let cluster = client.wait_until_running(cluster.id).await?;
//!         let kubeconfig = client.kubeconfig(cluster.id).await?;
//!         println!("{}: contexts {:?}", cluster.name, kubeconfig.context_names());
//!     }
//!     Ok(())
//! }
//! ```
//!
//! # Making a client
//!
//! `Client::new(token)` (DigitalOcean, Cloud66) or `Client::builder()` for every provider: its
//! credentials, [`base_url`](ClientBuilder::base_url), timeouts, [`RetryPolicy`],
//! [`WaitPolicy`], the size cap of an answer. A client is cheap to clone and shares its
//! connections, credentials and rate-limit state. Base URLs follow one rule for every
//! provider: the API root as the provider's documentation writes it
//! (`https://api.digitalocean.com`, `https://api.<region>.oks.outscale.com/api/v2`,
//! `https://app.cloud66.com/api/3`, a Commissaire server), or the same URL with or without
//! its version path, which is normalized; the variables `DIGITALOCEAN_API_URL`,
//! `OKS_API_URL`, `CLOUD66_API_URL` and `COMMISSAIRE_URL` of [`inventory::Inventory::from_env`]
//! follow it too.
//!
//! # What a call promises
//!
//! - **Errors**: one [`Error`] to match on (`#[non_exhaustive]`): [`Error::Api`] keeps the
//!   status, the provider's code, message and request id ([`ApiError`]);
//!   [`Error::is_not_found`], [`Error::RateLimited`] with [`ApiError::retry_at`], and a
//!   variant each for timeouts, transport, decoding, invalid input. Never a panic, whatever a
//!   server sends.
//! - **Retries** in one place: transport errors and 429/502/503/504, for idempotent operations
//!   only, with jittered backoff honouring `Retry-After` and the rate-limit headers, bounded in
//!   attempts and time ([`RetryPolicy`]).
//! - **Walks** (`clusters()`, `.stream()` on a paged list request, [`paginate`]): every item
//!   once, in order, pages fetched concurrently within the rate limit, or a typed
//!   [`Error::IncompleteListing`]: never `Ok` with items missing.
//! - **Waits** ([`wait`]): a growing interval, an immediate [`Error::WaitFailed`] on a failed
//!   state, and [`Error::WaitTimeout`] with the last reading at the deadline.
//! - **Kubeconfig files** ([`kubeconfig::KubeconfigFile`]): merged into kubectl's file with
//!   other entries kept byte for byte, under kubectl's lock, written atomically with mode 0600;
//!   the saved context becomes current when the file has none.
//! - **Secrets**: tokens, kubeconfigs ([`Kubeconfig`]) and credentials found in answers
//!   ([`SecretText`]) are redacted in `Debug`, absent from errors and logs, and zeroized.
//! - **HTTPS only**, except to a loopback host; redirects are not followed.
//!
//! # Features
//!
//! `digitalocean`, `oks`, `cloud66`, `commissaire` (default): one client each. `mock`: typed
//! [httpmock](https://docs.rs/httpmock) helpers per provider (`kaas::digitalocean::mock`), to
//! test your code against the same types the client uses. `kube`: a `kube::Client` whose
//! credentials are refreshed before they expire ([`kubernetes`]); as kube-rs asks of
//! libraries, kaas chooses no Kubernetes version, so a program using it enables one of
//! `k8s-openapi`'s version features (`k8s-openapi = { version = "0.29", features =
//! ["latest"] }`). `accounts`: every account a user keeps ([`accounts`]: kaas's own file, the
//! environment, doctl's contexts, oks-cli's profiles). `cli`: the `kaas` command (its manual is `src/bin/kaas/manual.md` in the repository,
//! and `kaas --help`).
//!
//! The repository's README has more examples (OKS's encrypted kubeconfig, every provider's
//! clusters at once, saving into `~/.kube/config`, testing with the mocks) and the examples
//! folder one program per task.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]
// With no provider enabled, the shared modules have no user.
#![cfg_attr(
    not(any(
        feature = "digitalocean",
        feature = "oks",
        feature = "cloud66",
        feature = "commissaire"
    )),
    allow(
        dead_code,
        unused_imports,
        unused_macros,
        unused_variables,
        unreachable_code
    )
)]

#[cfg(feature = "accounts")]
#[cfg_attr(docsrs, doc(cfg(feature = "accounts")))]
pub mod accounts;
mod auth;
#[allow(
    dead_code,
    reason = "the generated code of specs with date-time fields calls it; some have none"
)]
mod datetime;
mod error;
/// The decoders every answer goes through, for the crate's property tests (`mock` feature).
#[cfg(feature = "mock")]
#[doc(hidden)]
pub mod fuzzing;
/// The one contract between the generator and the crate: all the generated code may name.
mod generated_support;
pub mod inventory;
pub mod kubeconfig;
#[cfg(feature = "kube")]
#[cfg_attr(docsrs, doc(cfg(feature = "kube")))]
pub mod kubernetes;
mod open_enum;
pub mod paginate;
mod rate_limit;
mod response;
mod secret;
mod transport;
pub mod wait;

// The README's Rust blocks are tested too, as it shows them.
#[cfg(all(doctest, feature = "digitalocean"))]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

#[cfg(feature = "cloud66")]
pub mod cloud66;
#[cfg(feature = "commissaire")]
pub mod commissaire;
#[cfg(feature = "digitalocean")]
pub mod digitalocean;
#[cfg(feature = "oks")]
pub mod oks;

pub use error::{ApiError, CryptoError, Error, Result};
pub use kubeconfig::Kubeconfig;
pub use rate_limit::RateLimit;
pub use response::Response;
pub use secret::SecretText;
pub use transport::{
    BuildClient, ClientBuilder, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_PAGE_CONCURRENCY,
    MAX_PAGE_CONCURRENCY, RetryPolicy, USER_AGENT,
};
pub use wait::WaitPolicy;

// The crates whose types appear in kaas's public signatures (ids, timestamps, raw bodies,
// headers, JSON values), so callers can name them without a version-matched dependency.
#[doc(no_inline)]
pub use {bytes, chrono, http, serde_json, uuid};

/// One operation of a provider's spec, as generated: each provider module lists them in
/// `OPERATIONS`, in the spec's order. The Rust method on the client has the name `id`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Operation {
    /// The spec's `operationId`, which is also the client's method name.
    pub id: &'static str,
    /// The HTTP method, upper case.
    pub method: &'static str,
    /// The path template, relative to the base URL.
    pub path: &'static str,
    /// The spec's tag.
    pub tag: &'static str,
    /// The spec's one-line summary.
    pub summary: &'static str,
    /// Whether the provider marks the operation deprecated.
    pub deprecated: bool,
    /// Whether the transport may send it again after a failure: GET, PUT, DELETE (unless the
    /// spec says `x-idempotent: false`, e.g. a PUT that creates) and POSTs the spec declares
    /// `x-idempotent: true` (e.g. OKS's encrypted kubeconfig).
    pub idempotent: bool,
}

/// Includes a provider's generated code: the client, its types and builders, the open enums,
/// the operation inventory, and (with the `mock` feature) the typed httpmock helpers.
macro_rules! generated_provider {
    ($provider:literal) => {
        /// The code progenitor generated from the spec, included as is.
        #[allow(
            missing_docs,
            unused_imports,
            unreachable_patterns,
            clippy::all,
            clippy::pedantic,
            rustdoc::all
        )]
        mod generated {
            include!(concat!(env!("OUT_DIR"), "/", $provider, ".rs"));
        }

        /// Request and response types of the spec, and its open enums.
        pub mod types {
            pub use super::generated::extensible::*;
            pub use super::generated::types::*;
        }

        /// The per-operation request builders the client's methods return.
        pub mod builder {
            pub use super::generated::builder::*;
        }

        /// Every operation of the spec.
        pub mod operations {
            include!(concat!(env!("OUT_DIR"), "/", $provider, "_operations.rs"));
        }
        pub use operations::OPERATIONS;

        /// The JSON bodies of each operation as generated types, for the contract tests.
        #[cfg(feature = "mock")]
        #[doc(hidden)]
        #[allow(clippy::all)]
        pub mod contract {
            include!(concat!(env!("OUT_DIR"), "/", $provider, "_contract.rs"));
        }

        /// Typed httpmock helpers generated from the spec: `server.list_clusters(|when, then| ..)`.
        #[cfg(feature = "mock")]
        #[allow(
            missing_docs,
            unused_imports,
            clippy::all,
            clippy::pedantic,
            rustdoc::all
        )]
        pub mod mock {
            include!(concat!(env!("OUT_DIR"), "/", $provider, "_mock.rs"));
        }

        /// A client of this provider: every operation of the spec is a method
        /// (`client.list_clusters().send().await?`), beside the conveniences of this module.
        /// Make one with `Client::new(..)` or `Client::builder()`. Cheap to clone; clones
        /// share connections, credentials and rate-limit state. `Debug` shows no credential.
        pub use generated::Client;

        impl ::std::fmt::Debug for Client {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(concat!($provider, "::Client"))
                    .field("base_url", &self.baseurl)
                    .field("transport", &self.inner)
                    .finish_non_exhaustive()
            }
        }

        impl Client {
            fn from_connection(connection: $crate::transport::Connection) -> Self {
                Client::from_parts(&connection.base_url, connection.http, connection.transport)
            }

            /// The base URL requests go to: the one given (or the provider's default), in
            /// its one form (see [`ClientBuilder::base_url`](crate::ClientBuilder::base_url)).
            pub fn base_url(&self) -> &str {
                &self.baseurl
            }

            /// The rate-limit headers of the last response (`ratelimit-limit`, `-remaining`,
            /// `-reset`), when the provider sends them.
            pub fn rate_limit(&self) -> Option<$crate::RateLimit> {
                self.inner.rate_limit()
            }
        }
    };
}
pub(crate) use generated_provider;

/// Credentials, the `.token(..)` builder method and `build()` for a provider whose only
/// scheme is a bearer token. The provider module defines `PROFILE`.
#[cfg(any(feature = "digitalocean", feature = "cloud66"))]
macro_rules! bearer_token_client {
    ($provider:literal) => {
        /// The credentials this provider's [`ClientBuilder`](crate::ClientBuilder) collects,
        /// in a private module: public for the sealed build trait, unnameable outside.
        mod credentials {
            #[derive(Default)]
            pub struct Credentials {
                pub(super) token: Option<secrecy::SecretString>,
            }
        }
        use credentials::Credentials;

        impl $crate::ClientBuilder<Client> {
            /// The API token, sent as a bearer token.
            pub fn token(mut self, token: impl Into<String>) -> Self {
                self.credentials.token = Some(secrecy::SecretString::from(token.into()));
                self
            }
        }

        impl $crate::transport::Build for Client {
            type Credentials = Credentials;

            fn build(builder: $crate::ClientBuilder<Self>) -> $crate::Result<Self> {
                let token = builder.credentials.token.ok_or_else(|| {
                    $crate::Error::InvalidInput(
                        concat!("a ", $provider, " API token is required: `.token(..)`").into(),
                    )
                })?;
                let auth = ::std::sync::Arc::new($crate::auth::Bearer::new(&token)?);
                Ok(Client::from_connection(
                    builder.settings.connect(&PROFILE, auth)?,
                ))
            }
        }
    };
}
#[cfg(any(feature = "digitalocean", feature = "cloud66"))]
pub(crate) use bearer_token_client;
