//! OKS behaviour: the NaCl kubeconfig (a libsodium-made vector, a sealing mock server, every
//! bad input), the three auth schemes with token rotation and OTP, both error shapes, the
//! shared retry of 503 `ResourceIsNotReady`, and the waits. Paused clocks, no real sleeps.
#![cfg(feature = "oks")]

use crate::common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use httpmock::{HttpMockRequest, HttpMockResponse, MockServer};
use kaas::oks::mock::MockServerExt as _;
use kaas::oks::{Client, KubeconfigKey, Region, nacl};
use kaas::{CryptoError, Error, RetryPolicy, WaitPolicy};
use serde_json::{Value, json};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

fn vector() -> Value {
    common::fixture("oks", "nacl/vector.json")
}

fn kubeconfig_yaml() -> String {
    common::fixture_text("oks", "nacl/kubeconfig.yaml")
}

fn client(server: &MockServer) -> Client {
    Client::builder()
        .access_key("AK-SENTINEL", "SK-SENTINEL")
        .base_url(server.base_url())
        .wait_policy(
            WaitPolicy::default()
                .with_initial_interval(Duration::from_secs(10))
                .with_deadline(Duration::from_secs(600)),
        )
        .no_timeouts()
        .build()
        .unwrap()
}

fn kubeconfig_response(kubeconfig: &str) -> Value {
    json!({"ResponseContext": {"RequestId": "req-1"}, "Cluster": {"request_id": "req-1", "data": {"name": "demo", "kubeconfig": kubeconfig}}})
}

/// [`kubeconfig_response`], typed.
fn kubeconfig_answer(kubeconfig: &str) -> kaas::oks::types::KubeconfigResponse {
    serde_json::from_value(kubeconfig_response(kubeconfig)).unwrap()
}

/// OKS's 200 answer to an encrypted kubeconfig request: `yaml` sealed for the request's key.
fn sealed_for_request(request: &HttpMockRequest, yaml: &str) -> HttpMockResponse {
    common::json_response(
        200,
        &kubeconfig_response(&nacl::seal_for_request(request, yaml.as_bytes()).unwrap()),
    )
}
/// The vector was made by libsodium (PyNaCl's `SealedBox`, i.e. `crypto_box_seal`) with
/// `tests/fixtures/oks/nacl/make_vector.py`; kaas must open it to the exact plaintext.
#[test]
fn the_libsodium_vector_opens_to_the_expected_kubeconfig() {
    let vector = vector();
    let secret: [u8; 32] = B64
        .decode(vector["recipient_secret_key_b64"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let key = KubeconfigKey::from_secret_bytes(secret);
    assert_eq!(
        key.public_key_base64(),
        vector["recipient_public_key_b64"].as_str().unwrap()
    );
    let kubeconfig = key
        .open(vector["sealed_kubeconfig_b64"].as_str().unwrap())
        .unwrap();
    assert_eq!(kubeconfig.expose_yaml(), kubeconfig_yaml());
    assert_eq!(
        kubeconfig.context_names(),
        ["oks-admin@demo", "oks-viewer@demo"]
    );
    assert!(!format!("{key:?} {kubeconfig:?}").contains("SENTINEL"));
}

#[test]
fn every_bad_sealed_box_has_its_own_typed_error() {
    let vector = vector();
    let secret: [u8; 32] = B64
        .decode(vector["recipient_secret_key_b64"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let key = KubeconfigKey::from_secret_bytes(secret);
    let sealed = B64
        .decode(vector["sealed_kubeconfig_b64"].as_str().unwrap())
        .unwrap();

    let crypto = |result: kaas::Result<kaas::Kubeconfig>| match result {
        Err(Error::Crypto(e)) => e,
        other => panic!("expected a crypto error, got {other:?}"),
    };
    assert_eq!(crypto(key.open("not base64 at all!")), CryptoError::Base64);
    assert_eq!(
        crypto(key.open(&B64.encode(&sealed[..40]))),
        CryptoError::TooShort { len: 40 }
    );
    let mut tampered = sealed.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 0x01;
    assert_eq!(
        crypto(key.open(&B64.encode(&tampered))),
        CryptoError::Unauthenticated
    );
    let mut tampered_key = sealed.clone();
    tampered_key[0] ^= 0x80;
    assert_eq!(
        crypto(key.open(&B64.encode(&tampered_key))),
        CryptoError::Unauthenticated
    );
    assert_eq!(
        crypto(KubeconfigKey::generate().open(&B64.encode(&sealed))),
        CryptoError::Unauthenticated,
        "wrong key"
    );
    let not_text = nacl::seal_for(&key.public_key_base64(), &[0xff, 0xfe, 0xfd]).unwrap();
    assert_eq!(crypto(key.open(&not_text)), CryptoError::NotUtf8);
    // Line breaks in the base64 are tolerated.
    let wrapped: String = vector["sealed_kubeconfig_b64"]
        .as_str()
        .unwrap()
        .chars()
        .collect::<Vec<_>>()
        .chunks(60)
        .map(|c| c.iter().collect::<String>() + "\n")
        .collect();
    assert!(key.open(&wrapped).is_ok());
}

/// A mock OKS that seals the kubeconfig for whatever public key the request carries.
async fn sealing_server(keys_seen: Arc<Mutex<Vec<String>>>) -> MockServer {
    let server = MockServer::start_async().await;
    let yaml = kubeconfig_yaml();
    server.get_cluster_kubeconfig_encrypted(move |when, then| {
        when.cluster_id("cluster-1");
        then.respond_with(move |request: &HttpMockRequest| {
            let key = nacl::request_key(request).unwrap_or_default();
            keys_seen.lock().unwrap().push(key.clone());
            match nacl::seal_for(&key, yaml.as_bytes()) {
                Ok(sealed) => common::json_response(200, &kubeconfig_response(&sealed)),
                Err(_) => common::json_response(422, &json!({"detail": "bad key"})),
            }
        });
    });
    server
}

/// A kubeconfig whose user authenticates with a client certificate valid until
/// 2031-01-01T17:01:14Z, as OKS kubeconfigs do.
fn certificate_kubeconfig_yaml() -> String {
    let data = |text: &str| base64::engine::general_purpose::STANDARD.encode(text);
    format!(
        "apiVersion: v1\nkind: Config\ncurrent-context: admin@demo\nclusters:\n- name: demo\n  cluster: {{server: 'https://demo.eu-west-2.oks.outscale.com:6443'}}\ncontexts:\n- name: admin@demo\n  context: {{cluster: demo, user: admin}}\nusers:\n- name: admin\n  user:\n    client-certificate-data: {}\n    client-key-data: {}\n",
        data(&common::fixture_text(
            "kubeconfig",
            "client-certificate.pem"
        )),
        data("-----BEGIN PRIVATE KEY-----\nSENTINEL\n-----END PRIVATE KEY-----\n"),
    )
}

#[tokio::test]
async fn a_kubeconfig_expires_with_its_certificate_or_sooner_with_its_ttl() {
    let server = MockServer::start_async().await;
    let yaml = certificate_kubeconfig_yaml();
    let ttls = Arc::new(Mutex::new(Vec::new()));
    let seen = ttls.clone();
    server.get_cluster_kubeconfig_encrypted(move |when, then| {
        when.cluster_id("cluster-1");
        then.respond_with(move |request: &HttpMockRequest| {
            let ttl = request
                .query_params()
                .into_iter()
                .find(|(name, _)| name == "ttl")
                .map(|(_, value)| value);
            seen.lock().unwrap().push(ttl);
            sealed_for_request(request, &yaml)
        });
    });
    let client = client(&server);
    let not_after = std::time::UNIX_EPOCH + Duration::from_secs(1_925_053_274);

    let plain = client.kubeconfig("cluster-1").await.unwrap();
    assert_eq!(plain.expires_at(), Some(not_after));

    let before = std::time::SystemTime::now();
    let options = kaas::oks::KubeconfigOptions {
        ttl: Some(kaas::oks::ttl(Duration::from_secs(2 * 3600))),
        ..Default::default()
    };
    let short = client.kubeconfig_with("cluster-1", &options).await.unwrap();
    let expires = short.expires_at().unwrap();
    // The sooner of the certificate's notAfter and two hours after the request.
    if not_after < before + Duration::from_secs(7200) {
        assert_eq!(expires, not_after);
    } else {
        assert!(
            expires >= before + Duration::from_secs(7200)
                && expires <= std::time::SystemTime::now() + Duration::from_secs(7200),
            "{expires:?}"
        );
    }
    assert_eq!(*ttls.lock().unwrap(), [None, Some("2h".to_string())]);
    // The credential is the certificate and key, with the same expiry.
    let credential = short.credential().unwrap();
    assert_eq!(credential.expires_at(), Some(expires));
    assert!(credential.expose_client_certificate().is_some());
}

#[tokio::test]
async fn the_encrypted_kubeconfig_round_trips_with_a_fresh_key_per_call() {
    let keys = Arc::new(Mutex::new(Vec::new()));
    let server = sealing_server(keys.clone()).await;
    let client = client(&server);
    let first = client.kubeconfig("cluster-1").await.unwrap();
    let second = client.kubeconfig("cluster-1").await.unwrap();
    assert_eq!(first.expose_yaml(), kubeconfig_yaml());
    assert_eq!(
        second.context_names(),
        ["oks-admin@demo", "oks-viewer@demo"]
    );
    let keys = keys.lock().unwrap();
    assert_eq!(keys.len(), 2);
    assert_eq!(
        keys[0].len(),
        44,
        "32 bytes in standard base64 with padding"
    );
    assert!(keys[0].ends_with('='));
    assert_ne!(keys[0], keys[1], "every call makes a fresh key pair");
}

#[tokio::test]
async fn a_tampered_or_missing_sealed_kubeconfig_is_a_crypto_error() {
    let server = MockServer::start_async().await;
    let other = KubeconfigKey::generate();
    let sealed_for_someone_else =
        nacl::seal_for(&other.public_key_base64(), b"apiVersion: v1\n").unwrap();
    server.get_cluster_kubeconfig_encrypted(|when, then| {
        when.cluster_id("wrong-key");
        then.ok(&kubeconfig_answer(&sealed_for_someone_else));
    });
    server.get_cluster_kubeconfig_encrypted(|when, then| {
        when.cluster_id("missing");
        // Without its `ResponseContext`, as a broken answer comes: the raw responder.
        common::answer_json(
            then.into_inner(),
            200,
            json!({"Cluster": {"data": {"name": "demo"}}}),
        );
    });
    let client = client(&server);
    assert!(matches!(
        client.kubeconfig("wrong-key").await,
        Err(Error::Crypto(CryptoError::Unauthenticated))
    ));
    assert!(matches!(
        client.kubeconfig("missing").await,
        Err(Error::Crypto(CryptoError::Missing))
    ));
}

#[tokio::test]
async fn the_unencrypted_kubeconfig_is_available_under_its_own_name() {
    let server = MockServer::start_async().await;
    let mock = server.get_cluster_kubeconfig(|when, then| {
        when.cluster_id("cluster-1").ttl("1h");
        then.ok(&kubeconfig_answer(&kubeconfig_yaml()));
    });
    let client = client(&server);
    let kubeconfig = client.kubeconfig_unencrypted("cluster-1").await;
    assert!(kubeconfig.is_err(), "without ttl the mock does not match");
    // The helper itself: a plain GET without ttl, the YAML opened as it came.
    server.get_cluster_kubeconfig(|when, then| {
        when.cluster_id("cluster-1").ttl(None::<&str>);
        then.ok(&kubeconfig_answer(&kubeconfig_yaml()));
    });
    let plain = client.kubeconfig_unencrypted("cluster-1").await.unwrap();
    assert_eq!(plain.expose_yaml(), kubeconfig_yaml());
    let response = client
        .get_cluster_kubeconfig()
        .cluster_id("cluster-1")
        .ttl("1h")
        .send()
        .await
        .unwrap();
    assert_eq!(
        response
            .cluster
            .unwrap()
            .data
            .unwrap()
            .kubeconfig
            .unwrap()
            .expose(),
        kubeconfig_yaml()
    );
    mock.assert_async().await;
}

/// Answers `list_kubernetes_versions` and records the auth headers each request carried.
async fn list_kubernetes_versions_recorder() -> (MockServer, Arc<Mutex<Vec<http::HeaderMap>>>) {
    let server = MockServer::start_async().await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    server.list_kubernetes_versions(move |_, then| {
        then.respond_with(move |request: &HttpMockRequest| {
            sink.lock().unwrap().push(request.headers());
            common::json_response(
                200,
                &json!({"ResponseContext": {"RequestId": "r"}, "Versions": ["1.30"]}),
            )
        });
    });
    (server, seen)
}

#[tokio::test]
async fn access_key_and_basic_schemes_send_their_headers_with_an_otp() {
    let (server, seen) = list_kubernetes_versions_recorder().await;
    let codes = Arc::new(AtomicUsize::new(100_000));
    let counter = codes.clone();
    let keys = Client::builder()
        .access_key("AK-1", "SK-1")
        .otp(move || Some(counter.fetch_add(1, Ordering::SeqCst).to_string().into()))
        .base_url(server.base_url())
        .build()
        .unwrap();
    keys.list_kubernetes_versions().send().await.unwrap();
    let basic = Client::builder()
        .basic_auth("login", "pass word")
        .base_url(server.base_url())
        .build()
        .unwrap();
    basic.list_kubernetes_versions().send().await.unwrap();

    let seen = seen.lock().unwrap();
    assert_eq!(seen[0]["accesskey"], "AK-1");
    assert_eq!(seen[0]["secretkey"], "SK-1");
    assert_eq!(seen[0]["x-otp-code"], "100000");
    assert!(!seen[0].contains_key("authorization"));
    assert_eq!(
        seen[1]["authorization"],
        format!("Basic {}", B64.encode("login:pass word"))
    );
    assert!(!seen[1].contains_key("x-otp-code") && !seen[1].contains_key("accesskey"));
}

#[tokio::test]
async fn tokens_rotate_across_three_requests() {
    let server = MockServer::start_async().await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let turn = Arc::new(AtomicUsize::new(1));
    server.list_kubernetes_versions(move |_, then| {
        then.respond_with(move |request: &HttpMockRequest| {
            let headers = request.headers();
            sink.lock().unwrap().push((
                headers["accesstoken"].to_str().unwrap().to_string(),
                headers["refreshtoken"].to_str().unwrap().to_string(),
            ));
            let next = turn.fetch_add(1, Ordering::SeqCst) + 1;
            http::Response::builder()
                .status(200)
                .header("content-type", "application/json")
                .header("Access-Token", format!("access-{next}"))
                .header("Refresh-Token", format!("refresh-{next}"))
                .body(json!({"ResponseContext": {"RequestId": "r"}, "Versions": []}).to_string())
                .unwrap()
                .into()
        });
    });
    let client = Client::builder()
        .tokens("access-1", "refresh-1")
        .base_url(server.base_url())
        .build()
        .unwrap();
    for _ in 0..3 {
        client.list_kubernetes_versions().send().await.unwrap();
    }
    let seen = seen.lock().unwrap();
    let expected: Vec<(String, String)> = (1..=3)
        .map(|n| (format!("access-{n}"), format!("refresh-{n}")))
        .collect();
    assert_eq!(*seen, expected);
}

#[tokio::test]
async fn missing_or_empty_credentials_are_refused() {
    assert!(matches!(
        Client::builder().build(),
        Err(Error::InvalidInput(_))
    ));
    assert!(matches!(Client::new("", "sk"), Err(Error::InvalidInput(_))));
    assert!(matches!(
        Client::builder().basic_auth("a:b", "pw").build(),
        Err(Error::InvalidInput(_))
    ));
    assert!(matches!(
        Client::builder()
            .access_key("AK", "SK")
            .base_url("http://oks.example.com")
            .build(),
        Err(Error::InvalidInput(_))
    ));
}

#[test]
fn regions_have_their_documented_endpoints() {
    assert_eq!(
        Region::default().base_url(),
        "https://api.eu-west-2.oks.outscale.com/api/v2"
    );
    assert_eq!(
        "cloudgouv-eu-west-1".parse::<Region>().unwrap().base_url(),
        "https://api.cloudgouv-eu-west-1.oks.outscale.com/api/v2"
    );
    assert!("mars-1".parse::<Region>().is_err());
    let client = Client::builder()
        .access_key("AK", "SK")
        .region(Region::CloudgouvEuWest1)
        .build()
        .unwrap();
    assert!(format!("{client:?}").contains("cloudgouv-eu-west-1"));
}

#[tokio::test]
async fn both_error_shapes_decode_into_kaas_errors() {
    let cases = [
        (404, "common.error.404.json", None, Some("string")),
        (422, "common.error.422.json", None, None),
        (
            404,
            "common.error.404.live.json",
            Some("ResourceNotFound (404)"),
            Some("0f8c5d2e-3e8b-4c3a-9a51-6f0f0c9f2a11"),
        ),
        (
            422,
            "common.error.422.live.json",
            Some("InvalidParameterValue (422)"),
            Some("5b1f0c7e-9d0a-4a5e-8e0e-2a4f6c3d7b21"),
        ),
    ];
    for (status, fixture, code, request_id) in cases {
        let body = common::fixture("oks", fixture);
        let server = MockServer::start_async().await;
        server.get_cluster(|when, then| {
            when.cluster_id("c");
            // Both error shapes, documented and live, exactly as sent: the raw responder.
            common::answer_json(then.into_inner(), status, body.clone());
        });
        let error: Error = client(&server)
            .get_cluster()
            .cluster_id("c")
            .send()
            .await
            .unwrap_err();
        let api = error
            .api()
            .unwrap_or_else(|| panic!("{fixture}: {error:?}"));
        assert_eq!(api.status, status, "{fixture}");
        assert_eq!(api.code.as_deref(), code, "{fixture}");
        assert_eq!(api.request_id.as_deref(), request_id, "{fixture}");
        assert!(!api.message.is_empty(), "{fixture}");
        if status == 422 {
            assert!(
                !api.details.is_empty(),
                "{fixture}: the validation errors are kept"
            );
            assert!(
                api.details[0].contains(": "),
                "{fixture}: {:?}",
                api.details
            );
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_503_resource_is_not_ready_read_is_retried() {
    let server = MockServer::start_async().await;
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let not_ready = common::fixture("oks", "common.error.503.live.json");
    let project = common::fixture("oks", "get_project.response.json");
    server.get_project(move |when, then| {
        when.project_id("p1");
        then.respond_with(move |_: &HttpMockRequest| {
            if counter.fetch_add(1, Ordering::SeqCst) < 2 {
                common::json_response(503, &not_ready)
            } else {
                common::json_response(200, &project)
            }
        });
    });
    let response = client(&server)
        .get_project()
        .project_id("p1")
        .send_with_response()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(calls.load(Ordering::SeqCst), 3);
}

/// A server whose `operation` (`get_project` or `get_cluster`) of `id` answers a status that
/// follows `states`, one per read, then stays at the last.
async fn status_server(
    operation: &'static str,
    id: &'static str,
    states: Vec<&'static str>,
) -> MockServer {
    let server = MockServer::start_async().await;
    let key = if operation == "get_project" {
        "Project"
    } else {
        "Cluster"
    };
    let template = common::fixture("oks", &format!("{operation}.response.json"));
    let reads = AtomicUsize::new(0);
    let respond = move |_: &HttpMockRequest| {
        let n = reads.fetch_add(1, Ordering::SeqCst).min(states.len() - 1);
        let mut body = template.clone();
        match states[n] {
            "gone" => return common::json_response(404, &json!({"detail": "Not Found"})),
            state if key == "Project" => body["Project"]["status"] = state.into(),
            state => body["Cluster"]["statuses"]["status"] = state.into(),
        }
        common::json_response(200, &body)
    };
    match operation {
        "get_project" => server.get_project(|when, then| {
            when.project_id(id);
            then.respond_with(respond);
        }),
        "get_cluster" => server.get_cluster(|when, then| {
            when.cluster_id(id);
            then.respond_with(respond);
        }),
        other => panic!("no status read is `{other}`"),
    };
    server
}

#[tokio::test(start_paused = true)]
async fn waits_follow_status_to_ready_fail_fast_and_see_deletion() {
    let server = status_server("get_project", "p1", vec!["pending", "deploying", "ready"]).await;
    let project = client(&server)
        .wait_until_project_ready("p1")
        .await
        .unwrap();
    assert_eq!(project.status, kaas::oks::types::ResourceStatus::Ready);

    let server = status_server("get_cluster", "c1", vec!["deploying", "failed"]).await;
    let error = client(&server).wait_until_ready("c1").await.unwrap_err();
    assert!(
        matches!(&error, Error::WaitFailed { state, .. } if state == "failed"),
        "{error:?}"
    );

    let server = status_server("get_cluster", "c1", vec!["deploying", "ready"]).await;
    let cluster = client(&server).wait_until_ready("c1").await.unwrap();
    assert_eq!(
        cluster.statuses.status,
        Some(kaas::oks::types::ResourceStatus::Ready)
    );

    let server = status_server("get_cluster", "c1", vec!["deleting", "deleting", "gone"]).await;
    client(&server).wait_until_deleted("c1").await.unwrap();

    let server = status_server("get_cluster", "c1", vec!["deploying"]).await;
    let error = client(&server).wait_until_ready("c1").await.unwrap_err();
    assert!(
        matches!(&error, Error::WaitTimeout { last_state, .. } if last_state == "deploying"),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_create_answered_503_is_not_retried() {
    let server = MockServer::start_async().await;
    let unavailable: kaas::oks::types::ErrorResponse =
        common::fixture_as("oks", "common.error.503.live.json");
    let create = server.create_cluster(|_, then| {
        then.service_unavailable(&unavailable);
    });
    let body: kaas::oks::types::ClusterInput =
        common::fixture_as("oks", "create_cluster.request.json");
    let quick = Client::builder()
        .access_key("AK", "SK")
        .base_url(server.base_url())
        .retry_policy(
            RetryPolicy::default()
                .with_initial_backoff(Duration::from_millis(1))
                .with_max_backoff(Duration::from_millis(2)),
        )
        .build()
        .unwrap();
    let error: Error = quick.create_cluster().body(body).send().await.unwrap_err();
    assert_eq!(error.status(), Some(503));
    assert_eq!(create.calls_async().await, 1);
}

#[tokio::test(start_paused = true)]
async fn the_encrypted_kubeconfig_post_is_retried_as_it_creates_nothing() {
    let server = MockServer::start_async().await;
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let yaml = kubeconfig_yaml();
    server.get_cluster_kubeconfig_encrypted(move |when, then| {
        when.cluster_id("cluster-1");
        then.respond_with(move |request: &HttpMockRequest| {
            if counter.fetch_add(1, Ordering::SeqCst) == 0 {
                return common::json_response(503, &json!({"detail": "busy"}));
            }
            sealed_for_request(request, &yaml)
        });
    });
    let kubeconfig = client(&server).kubeconfig("cluster-1").await.unwrap();
    assert_eq!(kubeconfig.current_context(), Some("oks-admin@demo"));
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

// ---------------------------------------------------------------- all pages of the lists

/// What one list request asked for: `page`, `cursor` and `limit` as sent.
type Asked = (Option<String>, Option<String>, Option<String>);

fn asked(request: &HttpMockRequest) -> Asked {
    let query = request.query_params();
    let get = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    (get("page"), get("cursor"), get("limit"))
}

fn item(template: &Value, id: String) -> Value {
    let mut item = template.clone();
    item["id"] = id.into();
    item
}

/// A list answer: the items, and the `Pagination` given.
fn list_page(key: &str, items: Vec<Value>, pagination: Value) -> Value {
    json!({"ResponseContext": {"RequestId": "req-list"}, "Pagination": pagination, key: items})
}

fn project_template() -> Value {
    common::fixture("oks", "get_project.response.json")["Project"].clone()
}

fn cluster_template() -> Value {
    common::fixture("oks", "get_cluster.response.json")["Cluster"].clone()
}

/// A server whose list `operation` (`list_projects` or `list_clusters`) answers with
/// `answer(page, cursor)` and records what was asked.
async fn list_server(
    operation: &'static str,
    answer: impl Fn(&Asked) -> (u16, Value) + Send + Sync + 'static,
) -> (MockServer, Arc<Mutex<Vec<Asked>>>) {
    let server = MockServer::start_async().await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let respond = move |request: &HttpMockRequest| {
        let asked = asked(request);
        sink.lock().unwrap().push(asked.clone());
        let (status, body) = answer(&asked);
        common::json_response(status, &body)
    };
    match operation {
        "list_projects" => server.list_projects(|_, then| {
            then.respond_with(respond);
        }),
        "list_clusters" => server.list_clusters(|_, then| {
            then.respond_with(respond);
        }),
        other => panic!("no list walk is `{other}`"),
    };
    (server, seen)
}

#[tokio::test]
async fn projects_are_walked_by_page_number_in_order_when_the_total_is_known() {
    use futures::TryStreamExt as _;
    let template = project_template();
    let (server, seen) = list_server("list_projects", move |(page, _, _)| {
        let page: usize = page.as_deref().unwrap_or("1").parse().unwrap();
        let items = ((page - 1) * 100..(page * 100).min(250))
            .map(|n| item(&template, format!("p{n}")))
            .collect();
        // A cursor is given too (null on the last page): with a total the walk goes by number.
        let next = (page < 3).then(|| format!("after-{page}"));
        let pagination = json!({"cursor": {"next_cursor": next},
                                "offset": {"page": page, "limit": 100, "total": 250}});
        (200, list_page("Projects", items, pagination))
    })
    .await;
    let client = Client::builder()
        .access_key("AK", "SK")
        .base_url(server.base_url())
        .page_concurrency(3)
        .build()
        .unwrap();
    let projects: Vec<_> = client.projects().try_collect().await.unwrap();
    let ids: Vec<String> = projects.into_iter().map(|p| p.id).collect();
    let expected: Vec<String> = (0..250).map(|n| format!("p{n}")).collect();
    assert_eq!(ids, expected, "every project once, in page order");
    let mut seen = seen.lock().unwrap().clone();
    seen.sort();
    let by_number = |page: &str| (Some(page.to_string()), None, Some("100".to_string()));
    assert_eq!(seen, [by_number("1"), by_number("2"), by_number("3")]);
}

#[tokio::test]
async fn the_page_count_follows_the_page_size_the_service_serves() {
    use futures::TryStreamExt as _;
    let template = cluster_template();
    // Asked for 100 a page, the service serves 40: 90 clusters are 3 pages.
    let (server, seen) = list_server("list_clusters", move |(page, _, _)| {
        let page: usize = page.as_deref().unwrap_or("1").parse().unwrap();
        let items = ((page - 1) * 40..(page * 40).min(90))
            .map(|n| item(&template, format!("c{n}")))
            .collect();
        let pagination = json!({"offset": {"page": page, "limit": 40, "total": 90}});
        (200, list_page("Clusters", items, pagination))
    })
    .await;
    let clusters: Vec<_> = client(&server).clusters().try_collect().await.unwrap();
    assert_eq!(clusters.len(), 90);
    assert_eq!(clusters[89].id, "c89");
    assert_eq!(seen.lock().unwrap().len(), 3);
}

#[tokio::test]
async fn a_cursor_only_list_is_walked_one_page_after_another() {
    use futures::TryStreamExt as _;
    let template = cluster_template();
    let (server, seen) = list_server("list_clusters", move |(_, cursor, _)| {
        let (ids, next) = match cursor.as_deref() {
            None => (vec!["c0", "c1"], json!("k2")),
            Some("k2") => (vec!["c2", "c3"], json!("k3")),
            Some("k3") => (vec!["c4"], Value::Null),
            Some(other) => panic!("unexpected cursor {other}"),
        };
        let items = ids
            .into_iter()
            .map(|id| item(&template, id.into()))
            .collect();
        (
            200,
            list_page("Clusters", items, json!({"cursor": {"next_cursor": next}})),
        )
    })
    .await;
    let clusters: Vec<_> = client(&server).clusters().try_collect().await.unwrap();
    let ids: Vec<String> = clusters.into_iter().map(|c| c.id).collect();
    assert_eq!(ids, ["c0", "c1", "c2", "c3", "c4"]);
    let limit = Some("100".to_string());
    assert_eq!(
        *seen.lock().unwrap(),
        [
            (Some("1".into()), None, limit.clone()),
            (None, Some("k2".into()), limit.clone()),
            (None, Some("k3".into()), limit),
        ],
        "one page after another, each asked by the cursor the previous one gave"
    );
}

#[tokio::test]
async fn an_empty_page_ends_the_walk_of_a_projects_clusters() {
    use futures::TryStreamExt as _;
    let template = cluster_template();
    let server = MockServer::start_async().await;
    let page = |items, pagination| -> kaas::oks::types::ClusterResponseList {
        serde_json::from_value(list_page("Clusters", items, pagination)).unwrap()
    };
    let first = server.list_project_clusters(|when, then| {
        when.project_id("p1").page(1).limit(100);
        then.ok(&page(
            vec![item(&template, "c0".into())],
            json!({"cursor": {"next_cursor": "k2"}}),
        ));
    });
    let empty = server.list_project_clusters(|when, then| {
        when.project_id("p1").cursor("k2");
        then.ok(&page(vec![], json!({"cursor": {"next_cursor": "k3"}})));
    });
    let never = server.list_project_clusters(|when, then| {
        when.cursor("k3");
        then.ok(&page(vec![], json!({})));
    });
    let clusters: Vec<_> = client(&server)
        .project_clusters("p1")
        .try_collect()
        .await
        .unwrap();
    assert_eq!(clusters.len(), 1);
    assert_eq!(
        (
            first.calls_async().await,
            empty.calls_async().await,
            never.calls_async().await
        ),
        (1, 1, 0)
    );
}

#[tokio::test]
async fn an_error_during_a_walk_is_yielded_and_ends_it() {
    use futures::StreamExt as _;
    let template = project_template();
    let not_found = common::fixture("oks", "common.error.404.live.json");
    let (server, seen) = list_server("list_projects", move |(_, cursor, _)| match cursor {
        None => (
            200,
            list_page(
                "Projects",
                vec![item(&template, "p0".into())],
                json!({"cursor": {"next_cursor": "k2"}}),
            ),
        ),
        Some(_) => (404, not_found.clone()),
    })
    .await;
    let results: Vec<_> = client(&server).projects().collect().await;
    assert_eq!(results.len(), 2);
    assert_eq!(results[0].as_ref().unwrap().id, "p0");
    let error = results[1].as_ref().unwrap_err();
    assert_eq!(error.status(), Some(404));
    assert_eq!(seen.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn a_list_without_pagination_is_the_whole_list() {
    use futures::TryStreamExt as _;
    let documented = common::fixture("oks", "list_projects.response.json");
    let (server, seen) = list_server("list_projects", move |_| (200, documented.clone())).await;
    let projects: Vec<_> = client(&server).projects().try_collect().await.unwrap();
    assert_eq!(projects.len(), 1);
    assert_eq!(seen.lock().unwrap().len(), 1);
}

// ---------------------------------------------------------------- error answers, in full

async fn api_error_for(status: u16, body: &Value) -> kaas::ApiError {
    let server = MockServer::start_async().await;
    server.get_cluster(|when, then| {
        when.cluster_id("c");
        // Each error file exactly as OKS sends it: the raw responder.
        common::answer_json(then.into_inner(), status, body.clone());
    });
    let client = Client::builder()
        .access_key("AK", "SK")
        .base_url(server.base_url())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let error: Error = client
        .get_cluster()
        .cluster_id("c")
        .send()
        .await
        .unwrap_err();
    error.api().cloned().expect("an API error")
}

#[tokio::test]
async fn several_errors_keep_every_entry_in_the_api_error() {
    let body = common::fixture("oks", "common.error.404.several.live.json");
    let api = api_error_for(404, &body).await;
    assert_eq!(api.provider, "oks");
    assert_eq!(api.status, 404);
    assert_eq!(api.code.as_deref(), Some("NotFoundError (404)"));
    assert_eq!(
        api.message,
        "Cluster 7d2b1c4e-0a9f-4e55-8f3e-2c6b9a1d0e47 not found."
    );
    assert_eq!(
        api.details,
        ["Project 0b8e6f2a-5c1d-4d7e-9a3b-6f4c2e1d8a90 not found"]
    );
    assert_eq!(
        api.request_id.as_deref(),
        Some("3c9e7a51-2f4b-4d8e-b6a0-9e1f5c7d2b84")
    );
    assert_eq!(api.body.as_ref(), Some(&body));
    assert!(
        api.to_string()
            .contains("; Project 0b8e6f2a-5c1d-4d7e-9a3b-6f4c2e1d8a90 not found"),
        "{api}"
    );
}

#[tokio::test]
async fn an_invalid_token_answer_is_read_as_the_message() {
    let body = common::fixture("oks", "common.error.401.live.json");
    let api = api_error_for(401, &body).await;
    assert_eq!(api.status, 401);
    assert_eq!(api.code, None);
    assert_eq!(api.message, "Unauthorized: Invalid JWT.");
    assert!(api.details.is_empty());
    assert_eq!(api.request_id, None);
}

/// Every error example of the upstream description (and every live one): the first entry
/// gives the code and the message, and the text of every entry reaches the error.
#[tokio::test]
async fn every_error_example_keeps_the_text_of_all_its_entries() {
    let mut checked = 0;
    for file in common::fixture_names("oks") {
        let name = common::parse_fixture_name(&file);
        if name.kind != "error" {
            continue;
        }
        let body = common::fixture("oks", &file);
        let Some(entries) = body["Errors"].as_array() else {
            continue;
        };
        // `<operation>.error.<status>[.<variant>].json`
        let status: u16 = file.split('.').nth(2).unwrap().parse().unwrap();
        let api = api_error_for(status, &body).await;
        let first = &entries[0];
        assert_eq!(
            api.code,
            Some(format!(
                "{} ({})",
                first["Type"].as_str().unwrap(),
                first["Code"].as_str().unwrap()
            )),
            "{file}"
        );
        match first["Details"].as_str() {
            Some(text) => assert_eq!(api.message, text, "{file}"),
            None => assert_eq!(api.message, "the request is not valid", "{file}"),
        }
        let shown = api.to_string();
        for entry in entries {
            match &entry["Details"] {
                Value::String(text) => assert!(shown.contains(text.as_str()), "{file}: {text}"),
                Value::Array(items) => {
                    for item in items {
                        let msg = item["msg"].as_str().unwrap();
                        assert!(shown.contains(msg), "{file}: {msg}");
                    }
                }
                other => panic!("{file}: {other}"),
            }
        }
        assert_eq!(
            api.request_id.as_deref(),
            body["ResponseContext"]["RequestId"].as_str(),
            "{file}"
        );
        checked += 1;
    }
    assert_eq!(checked, 39, "35 upstream examples and 4 live ones");
}

// ---------------------------------------------------------------- the upstream-only operations

#[tokio::test]
async fn the_operations_upstream_adds_answer_typed_bodies() {
    use kaas::oks::types;
    let server = MockServer::start_async().await;
    let context = json!({"RequestId": "req-up"});
    let tag = json!({"Key": "OscK8sClusterID/c1", "Value": "owned"});
    let quotas = json!({"ResponseContext": context, "Quotas": {"Projects": 2, "ClustersPerProject": 5,
           "KubeVersions": ["1.30", "1.31"], "CPSubregions": ["2a", "2b"]}});
    let snapshots = json!({"ResponseContext": context, "Snapshots": [{
        "VolumeSize": 10, "AccountId": "123456789012", "VolumeId": "vol-1",
        "CreationDate": "2026-01-02T03:04:05.000Z", "Progress": 100, "SnapshotId": "snap-1",
        "State": "completed", "Description": "etcd", "Tags": [tag],
        "PermissionsToCreateVolume": {"GlobalPermission": 0, "AccountIds": []}}]});
    let public_ips = json!({"ResponseContext": context, "PublicIps": [
        {"Tags": [tag], "PublicIp": "192.0.2.10", "PublicIpId": "eipalloc-1"}]});
    let nets = json!({"ResponseContext": context, "Nets": [{"DhcpOptionsSetId": "dopt-1",
           "IpRange": "10.50.0.0/16", "NetId": "vpc-1", "State": "hibernating", "Tenancy": "default"}]});
    let peering_request = json!({"ResponseContext": context, "Template": {"apiVersion": "oks.dev/v1beta", "kind": "NetPeeringRequest",
           "metadata": {"name": "peering"}, "spec": {"accepterNetId": "vpc-2", "accepterOwnerId": "210987654321"}}});
    let peering_acceptance = json!({"ResponseContext": context, "Template": {"apiVersion": "oks.dev/v1beta", "kind": "NetPeeringAcceptance",
           "metadata": {"name": "peering"}, "spec": {"netPeeringId": "pcx-1"}}});
    // Upstream's bodies exactly as sent (that they decode is the test): raw responders.
    server.get_quotas(|_, then| {
        common::answer_json(then.into_inner(), 200, quotas);
    });
    server.list_project_snapshots(|when, then| {
        when.project_id("p1");
        common::answer_json(then.into_inner(), 200, snapshots);
    });
    server.list_project_public_ips(|when, then| {
        when.project_id("p1");
        common::answer_json(then.into_inner(), 200, public_ips);
    });
    server.list_project_nets(|when, then| {
        when.project_id("p1");
        common::answer_json(then.into_inner(), 200, nets);
    });
    server.get_net_peering_request_template(|_, then| {
        common::answer_json(then.into_inner(), 200, peering_request);
    });
    server.get_net_peering_acceptance_template(|_, then| {
        common::answer_json(then.into_inner(), 200, peering_acceptance);
    });
    let my_ip = server.get_client_ip(|when, then| {
        when.x_real_ip("198.51.100.7");
        common::answer_json(
            then.into_inner(),
            200,
            json!({"ResponseContext": {"RequestId": "req-ip"}, "IP": {"x_real_ip": "198.51.100.7"}}),
        );
    });
    let client = client(&server);

    let quotas = client.get_quotas().send().await.unwrap();
    assert_eq!(
        (quotas.quotas.projects, quotas.quotas.clusters_per_project),
        (2, 5)
    );
    assert_eq!(quotas.response_context.request_id, "req-up");
    let snapshots = client
        .list_project_snapshots()
        .project_id("p1")
        .send()
        .await
        .unwrap()
        .snapshots;
    assert_eq!(snapshots[0].state, types::SnapshotState::Completed);
    assert_eq!(snapshots[0].tags[0].value, "owned");
    let ips = client
        .list_project_public_ips()
        .project_id("p1")
        .send()
        .await
        .unwrap()
        .public_ips;
    assert_eq!(ips[0].public_ip, "192.0.2.10");
    let nets = client
        .list_project_nets()
        .project_id("p1")
        .send()
        .await
        .unwrap()
        .nets;
    assert_eq!(
        nets[0].state,
        types::NetState::Unknown("hibernating".into()),
        "a state kaas does not know is kept"
    );
    let request = client
        .get_net_peering_request_template()
        .send()
        .await
        .unwrap()
        .template;
    assert_eq!(request.spec.accepter_owner_id, "210987654321");
    let acceptance = client
        .get_net_peering_acceptance_template()
        .send()
        .await
        .unwrap()
        .template;
    assert_eq!(acceptance.spec.net_peering_id, "pcx-1");
    let ip = client
        .get_client_ip()
        .x_real_ip("198.51.100.7")
        .send()
        .await
        .unwrap();
    assert_eq!(ip.ip.x_real_ip.as_deref(), Some("198.51.100.7"));
    my_ip.assert_async().await;
}

#[tokio::test]
async fn the_cluster_template_sends_x_real_ip() {
    let server = MockServer::start_async().await;
    let template = server.get_cluster_template(|when, then| {
        when.x_real_ip("198.51.100.7");
        then.ok(&common::fixture_as(
            "oks",
            "get_cluster_template.response.json",
        ));
    });
    let answer = client(&server)
        .get_cluster_template()
        .x_real_ip("198.51.100.7")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.template.admin_whitelist, ["string"]);
    template.assert_async().await;
}
