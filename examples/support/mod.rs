//! What the examples need besides the program itself: an in-process server standing in for
//! each provider, so that each example's `main` reads as the program a user writes against the
//! real service.
//!
//! Read-only examples run against the real API when the provider's credentials are set, and
//! against the stand-in otherwise. Examples that create or change things always use the
//! stand-in, unless `KAAS_EXAMPLES_LIVE=1` asks for the real service.

// Each example uses the part of this module it needs.
#![allow(dead_code)]

// One module a provider, each behind its feature, e.g.
// `#[cfg(feature = "digitalocean")] pub mod digitalocean;`

/// Where an example's requests go: the provider's real API, or an in-process stand-in that
/// lives as long as this value.
pub struct Target<C> {
    /// The client the example uses, pointed at the real API or at the stand-in.
    pub client: C,
    /// The stand-in, when there is one (dropping it stops it).
    pub stand_in: Option<httpmock::MockServer>,
}

impl<C> Target<C> {
    /// A client for the real API.
    pub fn live(client: C) -> Self {
        Self { client, stand_in: None }
    }

    /// A client for an in-process stand-in.
    pub fn offline(client: C, stand_in: httpmock::MockServer) -> Self {
        Self { client, stand_in: Some(stand_in) }
    }

    /// Says where the example's requests go, in one line.
    pub fn describe(&self) -> String {
        match &self.stand_in {
            None => "against the real API".to_owned(),
            Some(server) => format!("offline, against a stand-in at {}", server.base_url()),
        }
    }
}

/// Whether the user asked for the real service in an example that creates or changes things.
pub fn live_changes_requested() -> bool {
    std::env::var_os("KAAS_EXAMPLES_LIVE").is_some_and(|value| value == "1")
}
