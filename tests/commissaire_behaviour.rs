//! Commissaire behaviour: credentials up front, no default base URL, text/html errors (403 on a
//! failed login), the 200/404 membership test, 201 on create, and the operation waits.
#![cfg(feature = "commissaire")]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use base64::Engine as _;
use httpmock::{HttpMockRequest, HttpMockResponse, Method, MockServer};
use kaas::commissaire::{Client, types};
use kaas::{Error, RetryPolicy, WaitPolicy};
use serde_json::{Value, json};

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.base_url())
        .basic_auth("admin", "SENTINEL-password")
        .retry_policy(RetryPolicy::none())
        .wait_policy(
            WaitPolicy::default()
                .initial_interval(Duration::from_secs(5))
                .timeout(Duration::from_secs(300)),
        )
        .no_timeouts()
        .build()
        .unwrap()
}

fn text(status: u16, body: &str) -> HttpMockResponse {
    http::Response::builder()
        .status(status)
        .header("content-type", "text/html")
        .body(body.to_string())
        .unwrap()
        .into()
}

fn json_response(status: u16, body: &Value) -> HttpMockResponse {
    http::Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(body.to_string())
        .unwrap()
        .into()
}

#[tokio::test]
async fn basic_credentials_go_up_front_and_a_create_answers_201() {
    let server = MockServer::start_async().await;
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("admin:SENTINEL-password")
    );
    let create = server
        .mock_async(|when, then| {
            when.method(Method::PUT)
                .path("/api/v0/cluster/mycluster")
                .header("authorization", expected)
                .json_body(common::fixture(
                    "commissaire",
                    "create_cluster.request.json",
                ));
            then.status(201);
        })
        .await;
    let body: types::ClusterCreate =
        common::fixture_as("commissaire", "create_cluster.request.json");
    let response = client(&server)
        .create_cluster()
        .name("mycluster")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    create.assert_async().await;

    let token = server
        .mock_async(|when, then| {
            when.path("/api/v0/clusters")
                .header("authorization", "Bearer SENTINEL-token");
            then.status(200).json_body(json!(["mycluster"]));
        })
        .await;
    let client = Client::builder()
        .base_url(server.base_url())
        .token("SENTINEL-token")
        .build()
        .unwrap();
    assert_eq!(
        client.list_clusters().send().await.unwrap().into_inner().0,
        ["mycluster"]
    );
    token.assert_async().await;
}

#[test]
fn a_base_url_and_credentials_are_required() {
    assert!(
        matches!(Client::builder().basic_auth("a", "b").build(), Err(Error::InvalidInput(m)) if m.contains("base URL"))
    );
    assert!(matches!(
        Client::builder()
            .base_url("https://c.example.com:8000")
            .build(),
        Err(Error::InvalidInput(_))
    ));
    assert!(
        matches!(Client::new("http://c.example.com:8000", "a", "b"), Err(Error::InvalidInput(m)) if m.contains("http://"))
    );
    assert!(Client::new("http://127.0.0.1:8000", "a", "b").is_ok());
    assert!(matches!(
        Client::builder().base_url("https://c.example.com").basic_auth("a", "b").root_certificate_pem("not a certificate").build(),
        Err(Error::InvalidInput(m)) if m.contains("PEM")
    ));
    let ca = common::fixture_text("commissaire", "tls/test-ca.pem");
    assert!(
        Client::builder()
            .base_url("https://c.example.com:8000")
            .basic_auth("a", "b")
            .root_certificate_pem(ca)
            .build()
            .is_ok()
    );
}

#[tokio::test]
async fn text_html_errors_become_api_errors_with_the_reason() {
    for (status, reason) in [
        (403, "Forbidden"),
        (404, "Not Found"),
        (409, "Conflict"),
        (500, "Internal Server Error"),
    ] {
        let server = MockServer::start_async().await;
        server
            .mock_async(move |when, then| {
                when.any_request();
                then.respond_with(move |_: &HttpMockRequest| text(status, reason));
            })
            .await;
        let error: Error = client(&server)
            .get_cluster()
            .name("mycluster")
            .send()
            .await
            .unwrap_err()
            .into();
        let api = error.api().unwrap_or_else(|| panic!("{status}: {error:?}"));
        assert_eq!((api.status, api.message.as_str()), (status, reason));
        assert_eq!(api.body_excerpt.as_deref(), Some(reason));
        assert_eq!(
            error.to_string(),
            format!("commissaire answered {status}: {reason}")
        );
    }
}

#[tokio::test]
async fn membership_is_200_or_404() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/api/v0/cluster/mycluster/hosts/192.168.100.50");
            then.status(200).json_body(common::fixture(
                "commissaire",
                "check_cluster_member.response.json",
            ));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/api/v0/cluster/mycluster/hosts/192.168.100.52");
            then.status(200).body("['192.168.100.52']");
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/api/v0/cluster/mycluster/hosts/192.168.100.51");
            then.status(404)
                .header("content-type", "text/html")
                .body("Not Found");
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/api/v0/cluster/other/hosts/192.168.100.50");
            then.status(403)
                .header("content-type", "text/html")
                .body("Forbidden");
        })
        .await;
    let client = client(&server);
    assert!(
        client
            .host_in_cluster("mycluster", "192.168.100.50")
            .await
            .unwrap()
    );
    assert!(
        client
            .host_in_cluster("mycluster", "192.168.100.52")
            .await
            .unwrap(),
        "the document's Python-style list still means member"
    );
    assert!(
        !client
            .host_in_cluster("mycluster", "192.168.100.51")
            .await
            .unwrap()
    );
    assert_eq!(
        client
            .host_in_cluster("other", "192.168.100.50")
            .await
            .unwrap_err()
            .status(),
        Some(403)
    );
}

/// The operation at `path` reads `states` one per poll, then stays at the last.
async fn operation(
    server: &MockServer,
    path: &'static str,
    states: Vec<&'static str>,
) -> Arc<AtomicUsize> {
    let reads = Arc::new(AtomicUsize::new(0));
    let counter = reads.clone();
    let template = common::fixture("commissaire", "get_cluster_deploy.response.json");
    server
        .mock_async(move |when, then| {
            when.method(Method::GET).path(path);
            then.respond_with(move |_: &HttpMockRequest| {
                let n = counter.fetch_add(1, Ordering::SeqCst).min(states.len() - 1);
                let mut body = template.clone();
                body["status"] = states[n].into();
                body["finished_at"] = if states[n] == "in_process" {
                    json!("")
                } else {
                    json!("2015-12-17T15:58:18.710454")
                };
                json_response(200, &body)
            });
        })
        .await;
    reads
}

#[tokio::test(start_paused = true)]
async fn deploy_upgrade_and_restart_are_waited_for() {
    let server = MockServer::start_async().await;
    let reads = operation(
        &server,
        "/api/v0/cluster/prod/deploy",
        vec!["in_process", "in_process", "finished"],
    )
    .await;
    server
        .mock_async(|when, then| {
            when.method(Method::PUT)
                .path("/api/v0/cluster/prod/deploy")
                .json_body(json!({"version": "7.2.6"}));
            then.status(201).json_body(common::fixture(
                "commissaire",
                "get_cluster_deploy.response.json",
            ));
        })
        .await;
    let client = client(&server);
    client
        .start_cluster_deploy()
        .name("prod")
        .body(types::DeployRequest {
            version: "7.2.6".into(),
        })
        .send()
        .await
        .unwrap();
    let deploy = client.wait_for_deploy("prod").await.unwrap();
    assert_eq!(deploy.status, Some(types::OperationState::Finished));
    assert_eq!(reads.load(Ordering::SeqCst), 3);

    operation(
        &server,
        "/api/v0/cluster/prod/upgrade",
        vec!["in_process", "failed"],
    )
    .await;
    let error = client.wait_for_upgrade("prod").await.unwrap_err();
    assert!(
        matches!(&error, Error::WaitFailed { state, .. } if state == "failed"),
        "{error:?}"
    );

    operation(&server, "/api/v0/cluster/prod/restart", vec!["in_process"]).await;
    let error = client.wait_for_restart("prod").await.unwrap_err();
    assert!(
        matches!(&error, Error::WaitTimeout { last_state, .. } if last_state == "in_process"),
        "{error:?}"
    );
}

#[tokio::test]
async fn host_credentials_keep_the_private_key_secret() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/api/v0/host/192.168.100.50/creds");
            then.status(200)
                .json_body(json!({"ssh_priv_key": "SENTINEL-private-key", "remote_user": "root"}));
        })
        .await;
    let creds = client(&server)
        .get_host_creds()
        .ip("192.168.100.50")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        creds.ssh_priv_key.as_ref().unwrap().expose(),
        "SENTINEL-private-key"
    );
    assert!(!format!("{creds:?}").contains("SENTINEL"));
}
