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
#[cfg(feature = "cloud66")]
pub mod cloud66;
#[cfg(feature = "commissaire")]
pub mod commissaire;
#[cfg(feature = "digitalocean")]
pub mod digitalocean;
#[cfg(feature = "kube")]
pub mod kubernetes;
#[cfg(feature = "oks")]
pub mod oks;

pub mod answers;

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
        Self {
            client,
            stand_in: None,
        }
    }

    /// A client for an in-process stand-in.
    pub fn offline(client: C, stand_in: httpmock::MockServer) -> Self {
        Self {
            client,
            stand_in: Some(stand_in),
        }
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

/// A provider's credential from the environment, when it is set and not empty.
pub fn credential(variable: &str) -> Option<String> {
    std::env::var(variable)
        .ok()
        .filter(|value| !value.is_empty())
}

impl<C> Target<C> {
    /// Where an example that only reads goes: the real API when `variable` holds a credential
    /// (`live` makes the client from it), `stand_in` otherwise.
    pub async fn reading(
        variable: &str,
        live: impl FnOnce(String) -> kaas::Result<C>,
        stand_in: impl Future<Output = anyhow::Result<Self>>,
    ) -> anyhow::Result<Self> {
        match credential(variable) {
            Some(token) => Ok(Self::live(live(token)?)),
            None => stand_in.await,
        }
    }

    /// Where an example that creates or changes things goes: `stand_in`, unless
    /// `KAAS_EXAMPLES_LIVE=1` asks for the real service (then `variable` must hold a
    /// credential).
    pub async fn changing(
        variable: &str,
        live: impl FnOnce(String) -> kaas::Result<C>,
        stand_in: impl Future<Output = anyhow::Result<Self>>,
    ) -> anyhow::Result<Self> {
        if !live_changes_requested() {
            return stand_in.await;
        }
        let token = credential(variable)
            .ok_or_else(|| anyhow::anyhow!("KAAS_EXAMPLES_LIVE=1 needs {variable}"))?;
        Ok(Self::live(live(token)?))
    }

    /// What the example works on (a cluster's id, say): `offline` against the stand-in; the
    /// value of the environment `variable` against the real API, where it must be set.
    pub fn input(&self, variable: &str, offline: &str) -> anyhow::Result<String> {
        match &self.stand_in {
            Some(_) => Ok(offline.to_owned()),
            None => credential(variable)
                .ok_or_else(|| anyhow::anyhow!("against the real API, set {variable}")),
        }
    }
}

/// Counts the requests a stand-in answered in a sequence ("provisioning for two reads, then
/// running"), so an offline run can say how many a wait took.
#[derive(Clone, Debug, Default)]
pub struct Reads(std::sync::Arc<std::sync::atomic::AtomicUsize>);

impl Reads {
    /// Counts one more read and says how many came before it.
    pub fn next(&self) -> usize {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
    }

    /// How many reads were answered.
    pub fn count(&self) -> usize {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// A stand-in's JSON answer.
pub fn json_answer(status: u16, body: &impl serde::Serialize) -> httpmock::HttpMockResponse {
    httpmock::HttpMockResponse::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(serde_json::to_vec(body).expect("the canned answers serialize"))
        .build()
}

/// A request's JSON body as `T`, or the 422 answer a stand-in gives when it is not one, so an
/// example whose request does not match the documented shape fails.
pub fn json_body<T: serde::de::DeserializeOwned>(
    request: &httpmock::HttpMockRequest,
) -> Result<T, httpmock::HttpMockResponse> {
    serde_json::from_slice(request.body_ref()).map_err(|error| {
        let message = format!("the stand-in cannot read the request body: {error}");
        eprintln!("{message}");
        httpmock::HttpMockResponse::builder()
            .status(422)
            .header("content-type", "text/plain")
            .body(message)
            .build()
    })
}

/// A fresh stand-in that `serve` sets up, with the client `connect` makes for its base URL.
pub async fn stand_in<C, S>(
    serve: impl FnOnce(&httpmock::MockServer) -> S,
    connect: impl FnOnce(&str) -> anyhow::Result<C>,
) -> anyhow::Result<Target<C>> {
    let server = httpmock::MockServer::start_async().await;
    serve(&server);
    Ok(Target::offline(connect(&server.base_url())?, server))
}
