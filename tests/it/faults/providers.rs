//! The four providers as the fault table sees them: how to build a client against a fault
//! server, the read and the create each cell calls, the success bodies, and each provider's
//! documented error shapes.

use std::time::Duration;

use kaas::BuildClient;
use kaas::{ClientBuilder, RetryPolicy};
use serde_json::{Value, json};

use super::server::Reply;
#[allow(
    unused_imports,
    reason = "fixture_as is unused when only Cloud66 is compiled in"
)]
use crate::common::{fixture, fixture_as};

/// The name every success body carries, so a success proves the right body was decoded.
pub const CLUSTER_NAME: &str = "fault-cluster";

/// A provider compiled into this test binary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Provider {
    #[cfg(feature = "digitalocean")]
    DigitalOcean,
    #[cfg(feature = "oks")]
    Oks,
    #[cfg(feature = "cloud66")]
    Cloud66,
    #[cfg(feature = "commissaire")]
    Commissaire,
}

/// Every provider compiled in.
pub const PROVIDERS: &[Provider] = &[
    #[cfg(feature = "digitalocean")]
    Provider::DigitalOcean,
    #[cfg(feature = "oks")]
    Provider::Oks,
    #[cfg(feature = "cloud66")]
    Provider::Cloud66,
    #[cfg(feature = "commissaire")]
    Provider::Commissaire,
];

/// The two calls of each provider: an idempotent read and a create (never repeated).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Read,
    Create,
}

/// How a cell's client is configured.
#[derive(Clone, Debug)]
pub struct ClientSettings {
    /// `None`: no network timers (`no_timeouts`), for a paused clock.
    pub timeout: Option<Duration>,
    pub retry: RetryPolicy,
    /// `Some`: `.max_response_bytes(..)`; `None`: the default cap.
    pub max_response_bytes: Option<u64>,
}

/// What a successful call returned, in a provider-neutral form.
#[derive(Debug)]
pub struct Decoded {
    /// The typed value re-encoded as JSON.
    pub json: Value,
    /// The typed value's `Debug`, which names enum variants (`Unknown("..")`).
    pub debug: String,
}

impl Decoded {
    fn of<T: serde::Serialize + std::fmt::Debug>(value: &T) -> Self {
        Decoded {
            json: serde_json::to_value(value).unwrap_or(Value::Null),
            debug: format!("{value:?}"),
        }
    }
}

/// Sets `pointer` in `value`, creating the objects on the way.
pub fn set(value: &mut Value, pointer: &str, new: Value) {
    let mut at = value;
    for key in pointer.trim_start_matches('/').split('/') {
        if !at.is_object() {
            *at = json!({});
        }
        at = at
            .as_object_mut()
            .expect("an object")
            .entry(key.to_string())
            .or_insert(Value::Null);
    }
    *at = new;
}

/// Applies the shared settings to any provider's builder.
fn configure<C: BuildClient>(
    builder: ClientBuilder<C>,
    settings: &ClientSettings,
) -> ClientBuilder<C> {
    let mut builder = builder.retry_policy(settings.retry.clone());
    if let Some(cap) = settings.max_response_bytes {
        builder = builder.max_response_bytes(cap);
    }
    match settings.timeout {
        Some(timeout) => builder.timeout(timeout).connect_timeout(timeout),
        None => builder.no_timeouts(),
    }
}

#[cfg(feature = "digitalocean")]
const DO_CLUSTER_ID: &str = "bd5f5959-5e1e-4205-a714-a914373942af";

impl Provider {
    pub fn name(self) -> &'static str {
        match self {
            #[cfg(feature = "digitalocean")]
            Provider::DigitalOcean => "digitalocean",
            #[cfg(feature = "oks")]
            Provider::Oks => "oks",
            #[cfg(feature = "cloud66")]
            Provider::Cloud66 => "cloud66",
            #[cfg(feature = "commissaire")]
            Provider::Commissaire => "commissaire",
        }
    }

    /// The client's base URL below the server's root, as the provider's documented one has.
    fn base_path(self) -> &'static str {
        match self {
            #[cfg(feature = "digitalocean")]
            Provider::DigitalOcean => "",
            #[cfg(feature = "oks")]
            Provider::Oks => "/api/v2",
            #[cfg(feature = "cloud66")]
            Provider::Cloud66 => "/api/3",
            #[cfg(feature = "commissaire")]
            Provider::Commissaire => "",
        }
    }

    /// The method and path (from the server's root) the call sends.
    pub fn request(self, kind: Kind) -> (&'static str, String) {
        let (read, create, create_method) = match self {
            #[cfg(feature = "digitalocean")]
            Provider::DigitalOcean => (
                format!("/v2/kubernetes/clusters/{DO_CLUSTER_ID}"),
                "/v2/kubernetes/clusters".to_string(),
                "POST",
            ),
            #[cfg(feature = "oks")]
            Provider::Oks => (
                "/clusters/ck-fault".to_string(),
                "/clusters".to_string(),
                "POST",
            ),
            #[cfg(feature = "cloud66")]
            Provider::Cloud66 => ("/clusters/123".to_string(), "/clusters".to_string(), "POST"),
            #[cfg(feature = "commissaire")]
            Provider::Commissaire => (
                "/api/v0/cluster/mycluster".to_string(),
                "/api/v0/cluster/mycluster".to_string(),
                "PUT",
            ),
        };
        match kind {
            Kind::Read => ("GET", format!("{}{read}", self.base_path())),
            Kind::Create => (create_method, format!("{}{create}", self.base_path())),
        }
    }

    /// The success status of the call, as the spec documents it.
    pub fn success_status(self, kind: Kind) -> u16 {
        match (self, kind) {
            (_, Kind::Read) => 200,
            #[cfg(feature = "oks")]
            (Provider::Oks, Kind::Create) => 200,
            #[allow(unreachable_patterns)]
            (_, Kind::Create) => 201,
        }
    }

    /// A documented success body, with [`CLUSTER_NAME`] as the cluster's name.
    pub fn success_body(self, kind: Kind) -> Value {
        let (fixture_provider, file) = match (self, kind) {
            #[cfg(feature = "digitalocean")]
            (Provider::DigitalOcean, Kind::Read) => ("digitalocean", "get_cluster.response.json"),
            #[cfg(feature = "digitalocean")]
            (Provider::DigitalOcean, Kind::Create) => {
                ("digitalocean", "create_cluster.response.json")
            }
            #[cfg(feature = "oks")]
            (Provider::Oks, Kind::Read) => ("oks", "get_cluster.response.json"),
            #[cfg(feature = "oks")]
            (Provider::Oks, Kind::Create) => ("oks", "create_cluster.response.json"),
            #[cfg(feature = "cloud66")]
            (Provider::Cloud66, _) => ("cloud66", "get_cluster.response.json"),
            #[cfg(feature = "commissaire")]
            (Provider::Commissaire, _) => ("commissaire", "get_cluster.response.json"),
        };
        let mut body = fixture(fixture_provider, file);
        set(&mut body, self.name_pointer(), json!(CLUSTER_NAME));
        body
    }

    /// The success answer of the call.
    pub fn success(self, kind: Kind) -> Reply {
        Reply::json(self.success_status(kind), &self.success_body(kind))
    }

    /// Where the cluster's name is in a success body.
    pub fn name_pointer(self) -> &'static str {
        match self {
            #[cfg(feature = "digitalocean")]
            Provider::DigitalOcean => "/kubernetes_cluster/name",
            #[cfg(feature = "oks")]
            Provider::Oks => "/Cluster/name",
            #[cfg(feature = "cloud66")]
            Provider::Cloud66 => "/response/name",
            #[cfg(feature = "commissaire")]
            Provider::Commissaire => "/name",
        }
    }

    /// Where the cluster object is in a success body (for extra fields inside it).
    pub fn cluster_pointer(self) -> &'static str {
        match self {
            #[cfg(feature = "digitalocean")]
            Provider::DigitalOcean => "/kubernetes_cluster",
            #[cfg(feature = "oks")]
            Provider::Oks => "/Cluster",
            #[cfg(feature = "cloud66")]
            Provider::Cloud66 => "/response",
            #[cfg(feature = "commissaire")]
            Provider::Commissaire => "",
        }
    }

    /// An open-enum field of the cluster, a value no spec lists, and how its `Debug` reads
    /// once kept in the `Unknown` variant.
    pub fn unknown_enum(self) -> (&'static str, Value, &'static str) {
        match self {
            #[cfg(feature = "digitalocean")]
            Provider::DigitalOcean => (
                "/kubernetes_cluster/status/state",
                json!("hibernating"),
                r#"Unknown("hibernating")"#,
            ),
            #[cfg(feature = "oks")]
            Provider::Oks => (
                "/Cluster/statuses/status",
                json!("hibernating"),
                r#"Unknown("hibernating")"#,
            ),
            #[cfg(feature = "cloud66")]
            Provider::Cloud66 => ("/response/status", json!(42), "Unknown(42)"),
            #[cfg(feature = "commissaire")]
            Provider::Commissaire => ("/status", json!("rebalancing"), r#"Unknown("rebalancing")"#),
        }
    }

    /// An error answer in the provider's everyday shape, with this code and message.
    pub fn error_reply(self, status: u16, code: &str, message: &str) -> Reply {
        match self {
            #[cfg(feature = "digitalocean")]
            Provider::DigitalOcean => Reply::json(
                status,
                &json!({"id": code, "message": message, "request_id": "fault-request"}),
            ),
            #[cfg(feature = "oks")]
            Provider::Oks => Reply::json(
                status,
                &json!({"Errors": [{"Type": code, "Details": message, "Code": status.to_string()}], "ResponseContext": {"RequestId": "fault-request"}}),
            ),
            #[cfg(feature = "cloud66")]
            Provider::Cloud66 => Reply::json(
                status,
                &json!({"error": code, "error_description": message, "details": null}),
            ),
            #[cfg(feature = "commissaire")]
            Provider::Commissaire => {
                // Its error bodies carry no code or message, only the reason phrase.
                let _ = (code, message);
                let reason = http::StatusCode::from_u16(status)
                    .ok()
                    .and_then(|s| s.canonical_reason())
                    .unwrap_or("Error");
                Reply::new(status, "text/html", reason)
            }
        }
    }

    /// A 401, 403 or 404 in one of the provider's documented shapes (see
    /// `tests/fixtures/<provider>/*.error.*` and the seeds README), and the message a client
    /// must decode from it.
    pub fn documented_error(self, status: u16) -> (Reply, &'static str) {
        match (self, status) {
            #[cfg(feature = "digitalocean")]
            (Provider::DigitalOcean, 401) => (
                Reply::json(401, &fixture("digitalocean", "common.error.401.json")),
                "Unable to authenticate you.",
            ),
            #[cfg(feature = "digitalocean")]
            (Provider::DigitalOcean, 403) => (
                Reply::json(
                    403,
                    &json!({"id": "forbidden", "message": "You do not have access for the attempted action.", "request_id": "4d9d8375-3c56-4925-a3e7-eb137fed17e9"}),
                ),
                "You do not have access for the attempted action.",
            ),
            #[cfg(feature = "digitalocean")]
            (Provider::DigitalOcean, _) => (
                Reply::json(status, &fixture("digitalocean", "common.error.404.json")),
                "The resource you requested could not be found.",
            ),
            // The live service's answer to an invalid token.
            #[cfg(feature = "oks")]
            (Provider::Oks, 401) => (
                Reply::json(401, &json!({"message": "Unauthorized: Invalid JWT."})),
                "Unauthorized: Invalid JWT.",
            ),
            // The document's FastAPI shape.
            #[cfg(feature = "oks")]
            (Provider::Oks, 403) => (
                Reply::json(
                    403,
                    &json!({"ResponseContext": {"RequestId": "fault-request"}, "detail": "Not enough permissions"}),
                ),
                "Not enough permissions",
            ),
            // The live service's `Errors` shape.
            #[cfg(feature = "oks")]
            (Provider::Oks, _) => (
                Reply::json(status, &fixture("oks", "common.error.404.live.json")),
                "Cluster not found",
            ),
            #[cfg(feature = "cloud66")]
            (Provider::Cloud66, 401) => (
                Reply::json(401, &fixture("cloud66", "common.error.401.live.json")),
                "The access token is invalid",
            ),
            #[cfg(feature = "cloud66")]
            (Provider::Cloud66, 403) => (
                Reply::json(
                    403,
                    &json!({"error": "access_denied", "error_description": "You don't have permission to access this stack", "details": null}),
                ),
                "You don't have permission to access this stack",
            ),
            // The document's `{"response": {"message", "status"}}` shape.
            #[cfg(feature = "cloud66")]
            (Provider::Cloud66, _) => (
                Reply::json(
                    status,
                    &json!({"response": {"message": "Cluster not found", "status": "not_found"}}),
                ),
                "Cluster not found",
            ),
            // Commissaire's bodies are reason phrases as text/html.
            #[cfg(feature = "commissaire")]
            (Provider::Commissaire, 401) => {
                (Reply::new(401, "text/html", "Unauthorized"), "Unauthorized")
            }
            #[cfg(feature = "commissaire")]
            (Provider::Commissaire, 403) => {
                (Reply::new(403, "text/html", "Forbidden"), "Forbidden")
            }
            #[cfg(feature = "commissaire")]
            (Provider::Commissaire, _) => {
                (Reply::new(status, "text/html", "Not Found"), "Not Found")
            }
        }
    }

    /// A client of this provider for the server at `server_url`.
    pub fn connect(self, server_url: &str, settings: &ClientSettings) -> kaas::Result<Connected> {
        let base_url = format!("{server_url}{}", self.base_path());
        Ok(match self {
            #[cfg(feature = "digitalocean")]
            Provider::DigitalOcean => Connected::DigitalOcean(
                configure(kaas::digitalocean::Client::builder().token("t"), settings)
                    .base_url(base_url)
                    .build()?,
            ),
            #[cfg(feature = "oks")]
            Provider::Oks => Connected::Oks(
                configure(
                    kaas::oks::Client::builder().access_key("AK", "SK"),
                    settings,
                )
                .base_url(base_url)
                .build()?,
            ),
            #[cfg(feature = "cloud66")]
            Provider::Cloud66 => Connected::Cloud66(
                configure(kaas::cloud66::Client::builder().token("t"), settings)
                    .base_url(base_url)
                    .build()?,
            ),
            #[cfg(feature = "commissaire")]
            Provider::Commissaire => Connected::Commissaire(
                configure(
                    kaas::commissaire::Client::builder().basic_auth("admin", "pw"),
                    settings,
                )
                .base_url(base_url)
                .build()?,
            ),
        })
    }
}

/// A client of one provider.
pub enum Connected {
    #[cfg(feature = "digitalocean")]
    DigitalOcean(kaas::digitalocean::Client),
    #[cfg(feature = "oks")]
    Oks(kaas::oks::Client),
    #[cfg(feature = "cloud66")]
    Cloud66(kaas::cloud66::Client),
    #[cfg(feature = "commissaire")]
    Commissaire(kaas::commissaire::Client),
}

impl Connected {
    /// Makes the read or the create and returns what it decoded, or its error.
    pub async fn call(&self, kind: Kind) -> Result<Decoded, kaas::Error> {
        match self {
            #[cfg(feature = "digitalocean")]
            Connected::DigitalOcean(client) => {
                let answer = match kind {
                    Kind::Read => {
                        let id: uuid::Uuid = DO_CLUSTER_ID.parse().expect("a uuid");
                        client.get_cluster().cluster_id(id).send().await
                    }
                    Kind::Create => {
                        let body: kaas::digitalocean::types::ClusterCreate =
                            fixture_as("digitalocean", "create_cluster.request.json");
                        client.create_cluster().body(body).send().await
                    }
                };
                Ok(Decoded::of(&answer?))
            }
            #[cfg(feature = "oks")]
            Connected::Oks(client) => {
                let answer = match kind {
                    Kind::Read => client.get_cluster().cluster_id("ck-fault").send().await,
                    Kind::Create => {
                        let body: kaas::oks::types::ClusterInput =
                            fixture_as("oks", "create_cluster.request.json");
                        client.create_cluster().body(body).send().await
                    }
                };
                Ok(Decoded::of(&answer?))
            }
            #[cfg(feature = "cloud66")]
            Connected::Cloud66(client) => {
                let answer = match kind {
                    Kind::Read => client.get_cluster().id(123).send().await,
                    Kind::Create => {
                        let body: kaas::cloud66::types::ClusterCreate =
                            serde_json::from_value(json!({})).expect("an empty create body");
                        client.create_cluster().body(body).send().await
                    }
                };
                Ok(Decoded::of(&answer?))
            }
            #[cfg(feature = "commissaire")]
            Connected::Commissaire(client) => {
                let answer = match kind {
                    Kind::Read => client.get_cluster().name("mycluster").send().await,
                    Kind::Create => {
                        let body: kaas::commissaire::types::ClusterCreate =
                            fixture_as("commissaire", "create_cluster.request.json");
                        client
                            .create_cluster()
                            .name("mycluster")
                            .body(body)
                            .send()
                            .await
                    }
                };
                Ok(Decoded::of(&answer?))
            }
        }
    }
}
