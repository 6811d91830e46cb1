//! Commissaire behaviour: credentials up front, no default base URL, text/html errors (403 on a
//! failed login), the 200/404 membership test (500 for a missing cluster), 201 with the record
//! on create, the membership answers, names and addresses the server cannot route, which PUTs
//! are retried, and the operation waits (failing at once on a missing record or cluster).
#![cfg(feature = "commissaire")]

use crate::common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use base64::Engine as _;
use httpmock::{HttpMockRequest, HttpMockResponse, MockServer};
use kaas::commissaire::mock::MockServerExt as _;
use kaas::commissaire::{Client, types};
use kaas::{Error, RetryPolicy, WaitPolicy};
use serde_json::json;

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.base_url())
        .basic_auth("admin", "SENTINEL-password")
        .retry_policy(RetryPolicy::none())
        .wait_policy(
            WaitPolicy::default()
                .with_initial_interval(Duration::from_secs(5))
                .with_deadline(Duration::from_secs(300)),
        )
        .no_timeouts()
        .build()
        .unwrap()
}

/// A name or address a typed mock matches on (`ClusterName`, `HostAddress`, ...), from text.
fn named<T: std::str::FromStr>(text: &str) -> T
where
    T::Err: std::fmt::Debug,
{
    text.parse().unwrap()
}

fn text(status: u16, body: &str) -> HttpMockResponse {
    http::Response::builder()
        .status(status)
        .header("content-type", "text/html")
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
    let create = server.create_cluster(|when, then| {
        // Headers have no typed matcher: they are matched on the raw `When`.
        when.name(&named("mycluster"))
            .body(&common::fixture_as(
                "commissaire",
                "create_cluster.request.json",
            ))
            .into_inner()
            .header("authorization", expected);
        then.created(&common::fixture_as(
            "commissaire",
            "create_cluster.response.json",
        ));
    });
    let body: types::ClusterCreate =
        common::fixture_as("commissaire", "create_cluster.request.json");
    let response = client(&server)
        .create_cluster()
        .name("mycluster")
        .body(body)
        .send_with_response()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let cluster = response.into_body();
    assert_eq!(
        (cluster.name.as_str(), cluster.status),
        ("mycluster", types::ClusterState::NotComputed)
    );
    create.assert_async().await;

    let token = server.list_clusters(|when, then| {
        // Headers have no typed matcher: they are matched on the raw `When`.
        when.into_inner()
            .header("authorization", "Bearer SENTINEL-token");
        then.ok(&types::Names(vec!["mycluster".into()]));
    });
    let client = Client::builder()
        .base_url(server.base_url())
        .token("SENTINEL-token")
        .build()
        .unwrap();
    assert_eq!(
        client.list_clusters().send().await.unwrap().0,
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
        (400, "Bad Request"),
        (403, "Forbidden"),
        (404, "Not Found"),
        (405, "Method Not Allowed"),
        (409, "Conflict"),
        (500, "Internal Server Error"),
    ] {
        let server = MockServer::start_async().await;
        server.get_cluster(|when, then| {
            when.name(&named("mycluster"));
            then.respond_with(move |_: &HttpMockRequest| text(status, reason));
        });
        let error: Error = client(&server)
            .get_cluster()
            .name("mycluster")
            .send()
            .await
            .unwrap_err();
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
    server.check_cluster_member(|when, then| {
        when.name(&named("mycluster")).ip(&named("192.168.100.50"));
        then.ok(&common::fixture_as(
            "commissaire",
            "check_cluster_member.response.json",
        ));
    });
    server.check_cluster_member(|when, then| {
        when.name(&named("mycluster")).ip(&named("192.168.100.52"));
        // The document's Python-style list is no JSON: the raw responder.
        then.into_inner().status(200).body("['192.168.100.52']");
    });
    let not_a_member = server.check_cluster_member(|when, then| {
        when.name(&named("mycluster")).ip(&named("192.168.100.51"));
        // Commissaire's errors are HTML pages; the typed responders send JSON only.
        common::answer_text(then.into_inner(), 404, "text/html", "Not Found");
    });
    server.check_cluster_member(|when, then| {
        when.name(&named("other")).ip(&named("192.168.100.50"));
        // Commissaire's errors are HTML pages; the typed responders send JSON only.
        common::answer_text(then.into_inner(), 403, "text/html", "Forbidden");
    });
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
    // The 404 was this mock's, not the server's answer to a request no mock matched.
    not_a_member.assert_async().await;
}

#[tokio::test]
async fn a_membership_test_on_a_missing_cluster_is_an_error_not_false() {
    let server = MockServer::start_async().await;
    // What the server's source does: the cluster lookup raises, the handler answers 500.
    let test = server.check_cluster_member(|when, then| {
        when.name(&named("ghost")).ip(&named("192.168.100.50"));
        // Commissaire's errors are HTML pages; the typed responders send JSON only.
        common::answer_text(
            then.into_inner(),
            500,
            "text/html",
            common::fixture_text("commissaire", "common.error.500.html"),
        );
    });
    let error = client(&server)
        .host_in_cluster("ghost", "192.168.100.50")
        .await
        .unwrap_err();
    let Error::Api(api) = &error else {
        panic!("expected an API error, got {error:?}")
    };
    assert_eq!(
        (api.status, api.message.as_str()),
        (500, "Internal Server Error")
    );
    assert_eq!(
        error.to_string(),
        "commissaire answered 500: Internal Server Error; Commissaire answers 500 to a membership test when cluster `ghost` does not exist"
    );
    test.assert_async().await;
}

#[tokio::test]
async fn names_and_addresses_the_server_cannot_route_are_refused_before_sending() {
    let server = MockServer::start_async().await;
    // Raw: a catch-all for any request of any operation, which must see none.
    let anything = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(404).body("Not Found");
        })
        .await;
    let client = client(&server);
    // The facade says what is wrong and what the server routes.
    for (cluster, ip, expected) in [
        ("prod", "fe80::1", "[a-zA-Z0-9._-]+"),
        ("prod", "10.0.0.1/24", "[a-zA-Z0-9._-]+"),
        ("prod cluster", "192.168.100.50", "[A-Za-z0-9_-]+"),
        ("", "192.168.100.50", "[A-Za-z0-9_-]+"),
    ] {
        let error = client.host_in_cluster(cluster, ip).await.unwrap_err();
        assert!(
            matches!(&error, Error::InvalidInput(m) if m.contains(expected)),
            "{cluster}/{ip}: {error:?}"
        );
    }
    for cluster in ["prod cluster", "prod.1", ""] {
        let error = client.wait_until_deployed(cluster).await.unwrap_err();
        assert!(
            matches!(&error, Error::InvalidInput(m) if m.contains("[A-Za-z0-9_-]+")),
            "{cluster}: {error:?}"
        );
    }
    // The generated operations refuse them too.
    let error: Error = client.get_host().ip("fe80::1").send().await.unwrap_err();
    assert!(
        matches!(&error, Error::InvalidInput(m) if m.contains("HostAddress")),
        "{error:?}"
    );
    let error: Error = client
        .get_network()
        .name("my network")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::InvalidInput(m) if m.contains("NetworkName")),
        "{error:?}"
    );
    let error: Error = client
        .delete_container_manager()
        .name("prod.openshift")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::InvalidInput(m) if m.contains("ContainerManagerName")),
        "{error:?}"
    );
    assert_eq!(anything.calls_async().await, 0, "nothing was sent");
}

#[tokio::test]
async fn every_create_answers_201_with_the_record_it_made() {
    let server = MockServer::start_async().await;
    fn fixture<T: serde::de::DeserializeOwned>(name: &str) -> T {
        common::fixture_as("commissaire", name)
    }
    let host = server.create_host(|when, then| {
        when.ip(&named("192.168.100.50"))
            .body(&fixture("create_host.request.json"));
        then.created(&fixture("create_host.response.json"));
    });
    let registration = server.register_host(|when, then| {
        when.body(&fixture("register_host.request.json"));
        then.created(&fixture("register_host.response.json"));
    });
    let network = server.create_network(|when, then| {
        when.name(&named("mynetwork"));
        then.created(&fixture("create_network.response.json"));
    });
    let manager = server.create_container_manager(|when, then| {
        when.name(&named("prod_openshift"))
            .body(&fixture("create_container_manager.request.json"));
        then.created(&fixture("create_container_manager.response.json"));
    });
    let upgrade = server.start_cluster_upgrade(|when, then| {
        when.name(&named("mycluster"));
        then.created(&fixture("start_cluster_upgrade.response.json"));
    });
    let restart = server.start_cluster_restart(|when, then| {
        when.name(&named("mycluster"));
        then.created(&fixture("start_cluster_restart.response.json"));
    });
    let client = client(&server);

    let new_host = client
        .create_host()
        .ip("192.168.100.50")
        .body(common::fixture_as::<types::HostCreate>(
            "commissaire",
            "create_host.request.json",
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(
        (new_host.address.as_str(), new_host.status),
        ("192.168.100.50", types::HostState::New)
    );
    // Self-registration carries the address the server requires.
    let registered = client
        .register_host()
        .body(common::fixture_as::<types::HostRegistration>(
            "commissaire",
            "register_host.request.json",
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(registered.address, "192.168.100.50");
    let mynetwork = client
        .create_network()
        .name("mynetwork")
        .body(types::NetworkCreate {
            type_: Some(types::NetworkType::FlannelServer),
            options: Some(
                [("address".to_string(), json!("192.168.152.101:8080"))]
                    .into_iter()
                    .collect(),
            ),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    assert_eq!(mynetwork.type_, types::NetworkType::FlannelServer);
    let openshift = client
        .create_container_manager()
        .name("prod_openshift")
        .body(common::fixture_as::<types::ContainerManagerConfigCreate>(
            "commissaire",
            "create_container_manager.request.json",
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(openshift.name, "prod_openshift");
    let upgrading = client
        .start_cluster_upgrade()
        .name("mycluster")
        .send()
        .await
        .unwrap();
    assert_eq!(
        (upgrading.name.as_deref(), upgrading.status),
        (Some("mycluster"), types::OperationState::InProcess)
    );
    let restarting = client
        .start_cluster_restart()
        .name("mycluster")
        .send()
        .await
        .unwrap();
    assert_eq!(restarting.name.as_deref(), Some("mycluster"));
    for mock in [host, registration, network, manager, upgrade, restart] {
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn membership_changes_answer_the_cluster_and_the_address() {
    let server = MockServer::start_async().await;
    let swap = server.set_cluster_members(|when, then| {
        when.name(&named("mycluster")).body(&common::fixture_as(
            "commissaire",
            "set_cluster_members.request.json",
        ));
        then.ok(&common::fixture_as(
            "commissaire",
            "set_cluster_members.response.json",
        ));
    });
    let add = server.add_cluster_member(|when, then| {
        when.name(&named("mycluster")).ip(&named("192.168.100.50"));
        then.ok(&common::fixture_as(
            "commissaire",
            "add_cluster_member.response.json",
        ));
    });
    let remove = server.remove_cluster_member(|when, then| {
        when.name(&named("mycluster")).ip(&named("192.168.100.50"));
        // The spec has no 200 body for a removal; the server sends `[]`: the raw responder.
        common::answer_json(then.into_inner(), 200, json!([]));
    });
    let client = client(&server);
    let cluster = client
        .set_cluster_members()
        .name("mycluster")
        .body(types::MembershipChange {
            old: vec!["192.168.100.50".into()],
            new: vec!["192.168.100.50".into(), "192.168.100.51".into()],
        })
        .send()
        .await
        .unwrap();
    assert_eq!(cluster.hostset, ["192.168.100.50", "192.168.100.51"]);
    assert_eq!(cluster.status, types::ClusterState::NotComputed);
    let added = client
        .add_cluster_member()
        .name("mycluster")
        .ip("192.168.100.50")
        .send_with_response()
        .await
        .unwrap();
    assert_eq!(added.status(), 200);
    assert_eq!(added.body().0, ["192.168.100.50"]);
    let removed = client
        .remove_cluster_member()
        .name("mycluster")
        .ip("192.168.100.50")
        .send_with_response()
        .await
        .unwrap();
    assert_eq!(removed.status(), 200);
    for mock in [swap, add, remove] {
        mock.assert_async().await;
    }
}

#[tokio::test(start_paused = true)]
async fn creating_puts_are_sent_once_and_membership_puts_are_retried() {
    let server = MockServer::start_async().await;
    // Commissaire's errors are HTML pages; the typed responders send JSON only.
    let busy = |then: httpmock::Then| {
        common::answer_text(then, 503, "text/html", "Service Unavailable");
    };
    let create = server.create_cluster(|when, then| {
        when.name(&named("mycluster"));
        busy(then.into_inner());
    });
    let deploy = server.start_cluster_deploy(|when, then| {
        when.name(&named("mycluster"));
        busy(then.into_inner());
    });
    let register = server.register_host(|_, then| busy(then.into_inner()));
    let client = Client::builder()
        .base_url(server.base_url())
        .basic_auth("admin", "SENTINEL-password")
        .retry_policy(RetryPolicy::default().with_max_attempts(3))
        .no_timeouts()
        .build()
        .unwrap();
    let error = client
        .create_cluster()
        .name("mycluster")
        .body(types::ClusterCreate::default())
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(503));
    let error = client
        .start_cluster_deploy()
        .name("mycluster")
        .body(types::DeployRequest {
            version: "7.2.6".into(),
        })
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(503));
    let error = client
        .register_host()
        .body(types::HostRegistration {
            address: "192.168.100.50".parse().unwrap(),
            cluster: None,
            remote_user: None,
            ssh_priv_key: None,
        })
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(503));
    for mock in [create, deploy, register] {
        assert_eq!(
            mock.calls_async().await,
            1,
            "a creating PUT is never retried"
        );
    }

    let attempts = Arc::new(AtomicUsize::new(0));
    let counter = attempts.clone();
    server.add_cluster_member(move |when, then| {
        when.name(&named("mycluster")).ip(&named("192.168.100.50"));
        then.respond_with(move |_: &HttpMockRequest| {
            if counter.fetch_add(1, Ordering::SeqCst) == 0 {
                text(503, "Service Unavailable")
            } else {
                common::json_response(200, &json!(["192.168.100.50"]))
            }
        });
    });
    let added = client
        .add_cluster_member()
        .name("mycluster")
        .ip("192.168.100.50")
        .send()
        .await
        .unwrap();
    assert_eq!(added.0, ["192.168.100.50"]);
    assert_eq!(
        attempts.load(Ordering::SeqCst),
        2,
        "a membership PUT is retried"
    );
}

/// The record read by `operation` (`get_cluster_deploy`, `get_cluster_upgrade` or
/// `get_cluster_restart`) of `cluster` reads `states` one per poll, then stays at the last.
fn operation(
    server: &MockServer,
    operation: &'static str,
    cluster: &'static str,
    states: Vec<&'static str>,
) -> Arc<AtomicUsize> {
    let reads = Arc::new(AtomicUsize::new(0));
    let counter = reads.clone();
    // The deploy record, with the host lists the upgrade and restart records name their own way.
    let mut template = common::fixture("commissaire", "get_cluster_deploy.response.json");
    template["upgraded"] = template["deployed"].clone();
    template["restarted"] = template["deployed"].clone();
    let respond = move |_: &HttpMockRequest| {
        let n = counter.fetch_add(1, Ordering::SeqCst).min(states.len() - 1);
        let mut body = template.clone();
        body["status"] = states[n].into();
        body["finished_at"] = if states[n] == "in_process" {
            json!("")
        } else {
            json!("2015-12-17T15:58:18.710454")
        };
        common::json_response(200, &body)
    };
    let name: types::ClusterName = named(cluster);
    match operation {
        "get_cluster_deploy" => server.get_cluster_deploy(|when, then| {
            when.name(&name);
            then.respond_with(respond);
        }),
        "get_cluster_upgrade" => server.get_cluster_upgrade(|when, then| {
            when.name(&name);
            then.respond_with(respond);
        }),
        "get_cluster_restart" => server.get_cluster_restart(|when, then| {
            when.name(&name);
            then.respond_with(respond);
        }),
        other => panic!("no operation record is read by `{other}`"),
    };
    reads
}

#[tokio::test(start_paused = true)]
async fn deploy_upgrade_and_restart_are_waited_for() {
    let server = MockServer::start_async().await;
    let reads = operation(
        &server,
        "get_cluster_deploy",
        "prod",
        vec!["in_process", "in_process", "finished"],
    );
    server.start_cluster_deploy(|when, then| {
        when.name(&named("prod")).body(&common::fixture_as(
            "commissaire",
            "start_cluster_deploy.request.json",
        ));
        then.created(&common::fixture_as(
            "commissaire",
            "start_cluster_deploy.response.json",
        ));
    });
    let cluster = server.get_cluster(|when, then| {
        when.name(&named("prod"));
        then.ok(&common::fixture_as(
            "commissaire",
            "get_cluster.response.json",
        ));
    });
    let client = client(&server);
    let started = client
        .start_cluster_deploy()
        .name("prod")
        .body(types::DeployRequest {
            version: "7.2.6".into(),
        })
        .send_with_response()
        .await
        .unwrap();
    assert_eq!(started.status(), 201);
    assert_eq!(started.body().status, types::OperationState::InProcess);
    let deploy = client.wait_until_deployed("prod").await.unwrap();
    assert_eq!(deploy.status, types::OperationState::Finished);
    assert_eq!(reads.load(Ordering::SeqCst), 3);
    assert_eq!(
        cluster.calls_async().await,
        1,
        "the cluster is read once, with the first record of the deploy"
    );

    operation(
        &server,
        "get_cluster_upgrade",
        "prod",
        vec!["in_process", "failed"],
    );
    let error = client.wait_until_upgraded("prod").await.unwrap_err();
    assert!(
        matches!(&error, Error::WaitFailed { state, .. } if state == "failed"),
        "{error:?}"
    );

    operation(&server, "get_cluster_restart", "prod", vec!["in_process"]);
    let error = client.wait_until_restarted("prod").await.unwrap_err();
    assert!(
        matches!(&error, Error::WaitTimeout { last_state, .. } if last_state == "in_process"),
        "{error:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_wait_on_a_record_that_cannot_be_read_fails_at_once_naming_the_cluster() {
    for (status, reason) in [(404, "Not Found"), (500, "Internal Server Error")] {
        let server = MockServer::start_async().await;
        let record = server.get_cluster_upgrade(|when, then| {
            when.name(&named("ghost"));
            then.respond_with(move |_: &HttpMockRequest| text(status, reason));
        });
        let clock = tokio::time::Instant::now();
        let error = client(&server)
            .wait_until_upgraded("ghost")
            .await
            .unwrap_err();
        assert_eq!(clock.elapsed(), Duration::ZERO, "no waiting");
        assert_eq!(error.status(), Some(status));
        assert_eq!(
            error.to_string(),
            format!(
                "commissaire answered {status}: {reason}; no upgrade of cluster `ghost` could be read: none was started, or the cluster does not exist"
            )
        );
        record.assert_calls_async(1).await;
    }
}

#[tokio::test(start_paused = true)]
async fn a_deploy_started_on_a_missing_cluster_fails_the_wait_at_once() {
    let server = MockServer::start_async().await;
    // What the server does: the deploy is accepted (201) and its record stays `in_process`,
    // while the cluster itself is answered 500.
    server.start_cluster_deploy(|when, then| {
        when.name(&named("ghost"));
        then.created(&common::fixture_as(
            "commissaire",
            "start_cluster_deploy.response.json",
        ));
    });
    let reads = operation(&server, "get_cluster_deploy", "ghost", vec!["in_process"]);
    let cluster = server.get_cluster(|when, then| {
        when.name(&named("ghost"));
        // Commissaire's errors are HTML pages; the typed responders send JSON only.
        common::answer_text(then.into_inner(), 500, "text/html", "Internal Server Error");
    });
    let client = client(&server);
    let started = client
        .start_cluster_deploy()
        .name("ghost")
        .body(types::DeployRequest {
            version: "7.2.6".into(),
        })
        .send_with_response()
        .await
        .unwrap();
    assert_eq!(started.status(), 201);
    let clock = tokio::time::Instant::now();
    let error = client.wait_until_deployed("ghost").await.unwrap_err();
    assert_eq!(
        clock.elapsed(),
        Duration::ZERO,
        "no wait until the deadline"
    );
    let Error::Api(api) = &error else {
        panic!("expected an API error, got {error:?}")
    };
    assert_eq!(api.status, 500);
    assert!(
        error
            .to_string()
            .contains("cluster `ghost` could not be read while waiting for its deploy"),
        "{error}"
    );
    assert_eq!(reads.load(Ordering::SeqCst), 1);
    cluster.assert_calls_async(1).await;
}

#[tokio::test]
async fn host_credentials_keep_the_private_key_secret() {
    let server = MockServer::start_async().await;
    let creds: types::HostCreds = serde_json::from_value(json!({"address": "192.168.100.50", "ssh_priv_key": "SENTINEL-private-key", "remote_user": "root"})).unwrap();
    server.get_host_creds(|when, then| {
        when.ip(&named("192.168.100.50"));
        then.ok(&creds);
    });
    let creds = client(&server)
        .get_host_creds()
        .ip("192.168.100.50")
        .send()
        .await
        .unwrap();
    assert_eq!(
        creds.ssh_priv_key.as_ref().unwrap().expose(),
        "SENTINEL-private-key"
    );
    assert!(!format!("{creds:?}").contains("SENTINEL"));
}

/// `list_clusters` answers `names`.
fn listing<'a>(server: &'a MockServer, names: &[&str]) -> httpmock::Mock<'a> {
    let names = types::Names(names.iter().map(|n| n.to_string()).collect());
    server.list_clusters(|_, then| {
        then.ok(&names);
    })
}

/// `get_cluster` of `ghost` is answered 500, as the server answers a cluster that does not
/// exist.
fn ghost_answered_500(server: &MockServer) -> httpmock::Mock<'_> {
    server.get_cluster(|when, then| {
        when.name(&named("ghost"));
        // Commissaire's errors are HTML pages; the typed responders send JSON only.
        common::answer_text(
            then.into_inner(),
            500,
            "text/html",
            common::fixture_text("commissaire", "common.error.500.html"),
        );
    })
}

#[tokio::test(start_paused = true)]
async fn a_wait_on_a_deleted_cluster_whose_last_deploy_finished_is_not_found() {
    let server = MockServer::start_async().await;
    // The server keeps the records of past operations after the cluster is deleted.
    let reads = operation(&server, "get_cluster_deploy", "ghost", vec!["finished"]);
    let cluster = ghost_answered_500(&server);
    let list = listing(&server, &["prod"]);
    let outcome = client(&server).wait_until_deployed("ghost").await;
    let error = outcome.expect_err("a deleted cluster's old deploy is not a finished deploy");
    assert!(error.is_not_found(), "{error:?}");
    assert!(
        matches!(&error, Error::ClusterNotFound { provider, cluster } if provider == "commissaire" && cluster == "ghost"),
        "{error:?}"
    );
    assert_eq!(reads.load(Ordering::SeqCst), 1);
    cluster.assert_calls_async(1).await;
    list.assert_calls_async(1).await;
}

/// Commissaire answers a missing cluster with a bare 500, the same page as any server failure;
/// kaas tells them apart by the cluster list: a name the list lacks is not found.
#[tokio::test(start_paused = true)]
async fn a_500_for_a_cluster_the_list_lacks_is_not_found_and_other_500s_stay_errors() {
    // The list lacks the cluster: not found, for a wait and for a membership test.
    let server = MockServer::start_async().await;
    operation(&server, "get_cluster_deploy", "ghost", vec!["in_process"]);
    ghost_answered_500(&server);
    listing(&server, &["prod", "ghost2"]);
    server.check_cluster_member(|when, then| {
        when.name(&named("ghost")).ip(&named("192.168.100.50"));
        // Commissaire's errors are HTML pages; the typed responders send JSON only.
        common::answer_text(then.into_inner(), 500, "text/html", "Internal Server Error");
    });
    let reader = client(&server);
    let waited = reader.wait_until_deployed("ghost").await.unwrap_err();
    let tested = reader
        .host_in_cluster("ghost", "192.168.100.50")
        .await
        .unwrap_err();
    for error in [waited, tested] {
        assert!(error.is_not_found(), "{error:?}");
        assert_eq!(
            error.to_string(),
            "commissaire has no cluster with id or name `ghost`"
        );
    }

    // The list names it, or cannot be read: the 500 is a server failure, not "not found".
    for names in [Some(vec!["ghost"]), None] {
        let server = MockServer::start_async().await;
        operation(&server, "get_cluster_deploy", "ghost", vec!["in_process"]);
        ghost_answered_500(&server);
        if let Some(names) = &names {
            listing(&server, names);
        }
        let error = client(&server)
            .wait_until_deployed("ghost")
            .await
            .unwrap_err();
        assert!(!error.is_not_found(), "{names:?}: {error:?}");
        assert_eq!(error.status(), Some(500), "{names:?}");
    }
}
