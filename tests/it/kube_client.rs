//! The refreshing `kube::Client` (feature `kube`) against a loopback fake Kubernetes API that
//! accepts only the current token, on a paused clock across the credential's expiry.
#![cfg(all(feature = "kube", feature = "digitalocean", feature = "oks"))]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use httpmock::{HttpMockRequest, MockServer};
use kaas::digitalocean::Client;
use kaas::digitalocean::mock::MockServerExt as _;
use kaas::oks::mock::MockServerExt as _;
use serde_json::json;

const CLUSTER_ID: &str = "bd5f5959-5e1e-4205-a714-a914373942af";

/// [`CLUSTER_ID`], as the typed mocks take it.
fn cluster_id() -> uuid::Uuid {
    CLUSTER_ID.parse().unwrap()
}
const HOUR: Duration = Duration::from_secs(3600);

/// A fake API server: `GET /version` answers 200 to `Bearer <current>`, 401 to anything else.
struct FakeApiServer {
    server: MockServer,
    current: Arc<Mutex<String>>,
}

impl FakeApiServer {
    async fn start(token: &str) -> Self {
        let server = MockServer::start_async().await;
        let current = Arc::new(Mutex::new(token.to_string()));
        let accepted = {
            let current = Arc::clone(&current);
            move |request: &HttpMockRequest| bearer(request) == *current.lock().unwrap()
        };
        let accepted_too = accepted.clone();
        // Raw: a Kubernetes API server, no operation of a provider's spec.
        server
            .mock_async(|when, then| {
                when.path("/version").is_true(accepted);
                then.status(200).json_body(json!({
                    "major": "1", "minor": "33", "gitVersion": "v1.33.1",
                    "gitCommit": "", "gitTreeState": "", "buildDate": "",
                    "goVersion": "", "compiler": "", "platform": "linux/amd64"
                }));
            })
            .await;
        // Raw: a Kubernetes API server, no operation of a provider's spec.
        server
            .mock_async(|when, then| {
                when.path("/version").is_false(accepted_too);
                then.status(401).json_body(json!({
                    "kind": "Status", "apiVersion": "v1", "status": "Failure",
                    "message": "Unauthorized", "reason": "Unauthorized", "code": 401
                }));
            })
            .await;
        FakeApiServer { server, current }
    }

    /// From now on only `token` is accepted (the previous one has expired).
    fn accept_only(&self, token: &str) {
        *self.current.lock().unwrap() = token.to_string();
    }
}

/// The tokens a provider hands out in turn, the last one again once all are out.
struct Rotation {
    tokens: &'static [&'static str],
    served: Mutex<usize>,
}

impl Rotation {
    fn new(tokens: &'static [&'static str]) -> Self {
        Rotation {
            tokens,
            served: Mutex::new(0),
        }
    }

    fn next(&self) -> &'static str {
        let mut served = self.served.lock().unwrap();
        let token = self.tokens[(*served).min(self.tokens.len() - 1)];
        *served += 1;
        token
    }
}

fn bearer(request: &HttpMockRequest) -> String {
    request
        .headers()
        .iter()
        .find(|(name, _)| name.as_str().eq_ignore_ascii_case("authorization"))
        .and_then(|(_, value)| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .unwrap_or_default()
        .to_string()
}

/// DigitalOcean's `get_credentials` handing out `tokens` in turn, each lasting an hour
/// from the moment it is handed out (by the wall clock, which a paused tokio clock does
/// not move: the expiry the client sees is always an hour away from the real now).
fn get_credentials_in_turn<'a>(
    server: &'a MockServer,
    api: &FakeApiServer,
    tokens: &'static [&'static str],
) -> httpmock::Mock<'a> {
    let tokens = Rotation::new(tokens);
    let api_url = api.server.base_url();
    server.get_credentials(move |when, then| {
        when.cluster_id(&cluster_id()).expiry_seconds(3600);
        then.respond_with(move |_| {
            let token = tokens.next();
            let expires_at = chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now())
                + chrono::Duration::hours(1);
            let body = json!({
                "server": api_url,
                "token": token,
                "expires_at": expires_at.to_rfc3339(),
            });
            crate::common::json_response(200, &body)
        });
    })
}

fn client(server: &MockServer) -> Client {
    Client::builder()
        .token("dop_v1_SENTINEL")
        .base_url(server.base_url())
        .no_timeouts()
        .build()
        .unwrap()
}

#[tokio::test(start_paused = true)]
async fn the_token_is_replaced_before_it_expires_without_a_failed_request() {
    let api = FakeApiServer::start("token-1").await;
    let digitalocean = MockServer::start_async().await;
    let credentials = get_credentials_in_turn(&digitalocean, &api, &["token-1", "token-2"]);

    let kube = client(&digitalocean)
        .kube_client(CLUSTER_ID, HOUR)
        .await
        .unwrap();
    assert_eq!(credentials.calls_async().await, 1, "fetched once, up front");
    kube.apiserver_version().await.unwrap();

    // Fifty minutes on, the token has ten minutes left: it is still used, not replaced.
    tokio::time::advance(Duration::from_secs(50 * 60)).await;
    kube.apiserver_version().await.unwrap();
    assert_eq!(credentials.calls_async().await, 1);

    // Past the refresh point (five minutes before expiry), and past the expiry itself: the
    // server now takes only the new token, and the request that follows carries it.
    tokio::time::advance(Duration::from_secs(11 * 60)).await;
    api.accept_only("token-2");
    let version = kube.apiserver_version().await.unwrap();
    assert_eq!(version.git_version, "v1.33.1");
    assert_eq!(credentials.calls_async().await, 2, "one refresh");

    // The new token lasts its own hour: no further fetch before then.
    kube.apiserver_version().await.unwrap();
    assert_eq!(credentials.calls_async().await, 2);
}

#[tokio::test(start_paused = true)]
async fn a_refused_token_is_replaced_by_the_next_request() {
    let api = FakeApiServer::start("token-1").await;
    let digitalocean = MockServer::start_async().await;
    let credentials = get_credentials_in_turn(&digitalocean, &api, &["token-1", "token-2"]);
    let kube = client(&digitalocean)
        .kube_client(CLUSTER_ID, HOUR)
        .await
        .unwrap();

    // The token is revoked early: the cluster answers 401, and a request made ten seconds on
    // (the shortest gap between two fetches) carries a new token.
    api.accept_only("token-2");
    let refused = kube.apiserver_version().await.unwrap_err();
    assert!(
        refused.to_string().contains("401") || refused.to_string().contains("Unauthorized"),
        "{refused}"
    );
    // At once, no new fetch: a credential the cluster keeps refusing must not make every
    // request call the provider.
    assert!(kube.apiserver_version().await.is_err());
    assert_eq!(credentials.calls_async().await, 1);
    tokio::time::advance(Duration::from_secs(10)).await;
    kube.apiserver_version().await.unwrap();
    assert_eq!(credentials.calls_async().await, 2);
}

#[tokio::test(start_paused = true)]
async fn a_failed_refresh_keeps_the_valid_token_and_fails_after_expiry() {
    let api = FakeApiServer::start("token-1").await;
    let digitalocean = MockServer::start_async().await;
    let credentials = get_credentials_in_turn(&digitalocean, &api, &["token-1"]);
    let kube = client(&digitalocean)
        .kube_client(CLUSTER_ID, HOUR)
        .await
        .unwrap();

    // The credentials endpoint goes down.
    credentials.delete_async().await;
    let outage = digitalocean.get_credentials(|when, then| {
        when.cluster_id(&cluster_id());
        then.client_error(
            403,
            &serde_json::from_value(json!({"id": "forbidden", "message": "You do not have access for the attempted action."}))
                .unwrap(),
        );
    });

    // Inside the refresh window but before expiry: the current token still serves.
    tokio::time::advance(Duration::from_secs(57 * 60)).await;
    kube.apiserver_version().await.unwrap();
    assert_eq!(outage.calls_async().await, 1, "the refresh was tried");

    // Retried no sooner than 30 s later, not on every request.
    kube.apiserver_version().await.unwrap();
    assert_eq!(outage.calls_async().await, 1);

    // Past the expiry, the refresh's own error comes back, with the provider's message.
    tokio::time::advance(Duration::from_secs(4 * 60)).await;
    let error = kube.apiserver_version().await.unwrap_err();
    let text = format!("{error} {error:?}");
    assert!(text.contains("You do not have access"), "{text}");
    assert!(
        !text.contains("SENTINEL") && !text.contains("token-1"),
        "{text}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_bad_source_fails_when_the_client_is_made() {
    let digitalocean = MockServer::start_async().await;
    digitalocean.get_credentials(|when, then| {
        when.cluster_id(&cluster_id());
        then.not_found(
            &serde_json::from_value(json!({"id": "not_found", "message": "The resource you were accessing could not be found."}))
                .unwrap(),
        );
    });
    let made = client(&digitalocean).kube_client(CLUSTER_ID, HOUR).await;
    let error = made.err().expect("no client from a source that fails");
    assert!(error.is_not_found(), "{error}");
}

/// OKS's `get_cluster_kubeconfig_encrypted`: a kubeconfig sealed for each request's key, its
/// token `tokens[n]` on the n-th fetch.
fn get_cluster_kubeconfig_encrypted_in_turn<'a>(
    server: &'a MockServer,
    api: &FakeApiServer,
    tokens: &'static [&'static str],
) -> httpmock::Mock<'a> {
    let tokens = Rotation::new(tokens);
    let api_url = api.server.base_url();
    server.get_cluster_kubeconfig_encrypted(move |when, then| {
        when.cluster_id("cluster-1").ttl("1h");
        then.respond_with(move |request| {
            let token = tokens.next();
            let yaml = format!(
                "apiVersion: v1\nkind: Config\ncurrent-context: admin@demo\nclusters:\n- name: demo\n  cluster: {{server: '{api_url}'}}\ncontexts:\n- name: admin@demo\n  context: {{cluster: demo, user: admin}}\nusers:\n- name: admin\n  user: {{token: {token}}}\n"
            );
            let sealed = kaas::oks::nacl::seal_for_request(request, yaml.as_bytes()).unwrap();
            crate::common::json_response(
                200,
                &json!({"ResponseContext": {"RequestId": "req-1"}, "Cluster": {"request_id": "req-1", "data": {"name": "demo", "kubeconfig": sealed}}}),
            )
        });
    })
}

#[tokio::test(start_paused = true)]
async fn oks_fetches_the_kubeconfig_again_with_its_ttl_before_it_expires() {
    let api = FakeApiServer::start("oks-token-1").await;
    let oks = MockServer::start_async().await;
    let kubeconfigs =
        get_cluster_kubeconfig_encrypted_in_turn(&oks, &api, &["oks-token-1", "oks-token-2"]);
    let client = kaas::oks::Client::builder()
        .access_key("AK", "SK-SENTINEL")
        .base_url(oks.base_url())
        .no_timeouts()
        .build()
        .unwrap();
    let kube = client.kube_client("cluster-1", HOUR).await.unwrap();
    kube.apiserver_version().await.unwrap();
    assert_eq!(kubeconfigs.calls_async().await, 1);

    tokio::time::advance(Duration::from_secs(61 * 60)).await;
    api.accept_only("oks-token-2");
    kube.apiserver_version().await.unwrap();
    assert_eq!(kubeconfigs.calls_async().await, 2);
}
