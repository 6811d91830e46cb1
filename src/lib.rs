// The README is the crate's front page; its quickstart (a doc-test) uses the DigitalOcean client.
#![cfg_attr(feature = "digitalocean", doc = include_str!("../README.md"))]
#![cfg_attr(
    not(feature = "digitalocean"),
    doc = "Typed, async clients for Kubernetes-as-a-service APIs. See the README for the whole picture."
)]
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
