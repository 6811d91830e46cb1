//! Cloud66 behaviour: bearer auth, all pages of clusters, the 501 create, reboot (a JSON body)
//! then wait for the action (both shapes, success and failure), throttling (retried until the
//! `X-RateLimit-Reset` window, else a typed rate-limit error), errors decoded.
#![cfg(feature = "cloud66")]

use crate::common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures::TryStreamExt as _;
use httpmock::{HttpMockRequest, MockServer};
use kaas::cloud66::mock::MockServerExt as _;
use kaas::cloud66::{Client, types};
use kaas::{Error, RetryPolicy, WaitPolicy};
use serde_json::{Value, json};

const UID: &str = "5999b763474b0eafa5fafb64bff0ba80";

fn client(server: &MockServer) -> Client {
    Client::builder()
        .token("c66-SENTINEL-token")
        .base_url(server.base_url())
        .wait_policy(WaitPolicy::default().with_deadline(Duration::from_secs(300)))
        .no_timeouts()
        .build()
        .unwrap()
}
/// A responder that answers `bodies[n]` to the n-th request (the last one from then on), and
/// the count of requests it answered.
fn in_turn(
    bodies: Vec<(u16, Value)>,
) -> (
    impl Fn(&HttpMockRequest) -> httpmock::HttpMockResponse + Send + Sync + 'static,
    Arc<AtomicUsize>,
) {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let respond = move |_: &HttpMockRequest| {
        let n = counter.fetch_add(1, Ordering::SeqCst).min(bodies.len() - 1);
        common::json_response(bodies[n].0, &bodies[n].1)
    };
    (respond, calls)
}

/// `get_stack_action` of action 789 of stack [`UID`] answers `bodies` in turn.
fn get_stack_action_in_turn(server: &MockServer, bodies: Vec<(u16, Value)>) -> Arc<AtomicUsize> {
    let (respond, calls) = in_turn(bodies);
    server.get_stack_action(|when, then| {
        when.stack_id(UID).id(789);
        then.respond_with(respond);
    });
    calls
}

/// `get_cluster` of cluster 123 answers `bodies` in turn.
fn get_cluster_in_turn(server: &MockServer, bodies: Vec<(u16, Value)>) -> Arc<AtomicUsize> {
    let (respond, calls) = in_turn(bodies);
    server.get_cluster(|when, then| {
        when.id(123);
        then.respond_with(respond);
    });
    calls
}

#[tokio::test]
async fn every_page_of_clusters_in_order_sequential_and_concurrent() {
    let one = common::fixture("cloud66", "list_clusters.response.json")["response"][0].clone();
    for (tell_pages, concurrency) in [(false, 4), (true, 1), (true, 4)] {
        let server = MockServer::start_async().await;
        for page in 1..=3 {
            let items: Vec<Value> = (0..2)
                .map(|i| {
                    let mut cluster = one.clone();
                    cluster["name"] = format!("cluster-{page}-{i}").into();
                    cluster["uid"] = format!("uid-{page}-{i}").into();
                    cluster
                })
                .collect();
            let mut pagination = json!({"previous": null, "next": if page < 3 { json!(page + 1) } else { Value::Null }, "current": page, "per_page": 2});
            if tell_pages {
                pagination["pages"] = 3.into();
                pagination["count"] = 6.into();
            }
            let body: types::ClusterList = serde_json::from_value(
                json!({"response": items, "count": 2, "pagination": pagination}),
            )
            .unwrap();
            server.list_clusters(|when, then| {
                // Headers have no typed matcher: they are matched on the raw `When`.
                when.page(std::num::NonZeroU64::new(page))
                    .into_inner()
                    .header("authorization", "Bearer c66-SENTINEL-token");
                then.ok(&body);
            });
        }
        // Without `pages` or `count`, a full last page is followed by one more: it is empty.
        let empty: types::ClusterList = serde_json::from_value(
            json!({"response": [], "count": 0, "pagination": {"current": 4, "per_page": 2}}),
        )
        .unwrap();
        server.list_clusters(|when, then| {
            when.page(std::num::NonZeroU64::new(4));
            then.ok(&empty);
        });
        let client = Client::builder()
            .token("c66-SENTINEL-token")
            .base_url(server.base_url())
            .page_concurrency(concurrency)
            .build()
            .unwrap();
        let names: Vec<String> = client
            .clusters()
            .map_ok(|c| c.name)
            .try_collect()
            .await
            .unwrap();
        assert_eq!(
            names,
            [
                "cluster-1-0",
                "cluster-1-1",
                "cluster-2-0",
                "cluster-2-1",
                "cluster-3-0",
                "cluster-3-1"
            ],
            "pages told {tell_pages}, concurrency {concurrency}"
        );
    }
}

#[tokio::test]
async fn create_is_a_typed_not_implemented_error() {
    let server = MockServer::start_async().await;
    server.create_cluster(|_, then| {
        then.not_implemented(&common::fixture_as(
            "cloud66",
            "create_cluster.error.501.json",
        ));
    });
    let error: Error = client(&server)
        .create_cluster()
        .body(types::ClusterCreate(Default::default()))
        .send()
        .await
        .unwrap_err();
    let Error::NotImplemented(api) = &error else {
        panic!("expected NotImplemented, got {error:?}")
    };
    assert_eq!(
        (api.status, api.code.as_deref(), api.message.as_str()),
        (501, Some("not_implemented"), "Not implemented yet")
    );
    assert_eq!(
        error.to_string(),
        "cloud66 does not implement this operation yet: Not implemented yet"
    );
}

#[tokio::test(start_paused = true)]
async fn reboot_then_wait_until_the_action_finishes() {
    let server = MockServer::start_async().await;
    server.reboot_cluster_servers(|when, then| {
        // Headers have no typed matcher: they are matched on the raw `When`.
        when.id(123)
            .body(&types::RebootRequest {
                strategy: Some(types::RebootStrategy::Parallel),
                group: Some("all".into()),
            })
            .into_inner()
            .header("content-type", "application/json");
        then.ok(&common::fixture_as(
            "cloud66",
            "reboot_cluster_servers.response.json",
        ));
    });
    let running = common::fixture("cloud66", "get_stack_action.response.live.json");
    let finished = common::fixture("cloud66", "get_stack_action.response.finished.json");
    let polls = get_stack_action_in_turn(
        &server,
        vec![(200, running.clone()), (200, running), (200, finished)],
    );
    let client = client(&server);
    let started = client
        .reboot_cluster_servers()
        .id(123)
        .body(types::RebootRequest {
            strategy: Some(types::RebootStrategy::Parallel),
            group: Some("all".into()),
        })
        .send()
        .await
        .unwrap();
    let action_id = started.response.id;
    let clock = tokio::time::Instant::now();
    let action = client
        .wait_until_action_finished(UID, action_id)
        .await
        .unwrap();
    assert_eq!(action.finished_success, Some(true));
    assert_eq!(action.finished_message.as_deref(), Some("Servers rebooted"));
    assert_eq!(polls.load(Ordering::SeqCst), 3);
    assert_eq!(
        clock.elapsed(),
        Duration::from_millis(12_500),
        "polled after 5 s, then 7.5 s (the default wait policy)"
    );
}

#[tokio::test]
async fn reboot_sends_strategy_and_group_as_a_json_body_not_a_query() {
    let (server, seen) = common::recording_server(200, r#"{"response": {"id": 789}}"#).await;
    let client = Client::builder()
        .token("c66-SENTINEL-token")
        .base_url(server.base_url())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let cases = [
        (
            types::RebootRequest {
                strategy: Some(types::RebootStrategy::Serial),
                group: Some("mysql".into()),
            },
            json!({"strategy": "serial", "group": "mysql"}),
        ),
        (
            types::RebootRequest {
                strategy: None,
                group: Some("web".into()),
            },
            json!({"group": "web"}),
        ),
        (types::RebootRequest::default(), json!({})),
    ];
    for (body, expected) in cases {
        client
            .reboot_cluster_servers()
            .id(123)
            .body(body)
            .send()
            .await
            .unwrap();
        let sent = seen.lock().unwrap().pop().unwrap();
        assert_eq!(
            (sent.method.as_str(), sent.path.as_str()),
            ("POST", "/clusters/123/reboot_servers")
        );
        assert!(
            sent.query.is_empty(),
            "nothing in the query: {:?}",
            sent.query
        );
        assert_eq!(
            sent.headers.get("content-type").map(String::as_str),
            Some("application/json")
        );
        assert_eq!(sent.body, Some(expected));
    }
    // Without a body, the server's defaults apply: `{}` is sent.
    client
        .reboot_cluster_servers()
        .id(123)
        .send()
        .await
        .unwrap();
    let sent = seen.lock().unwrap().pop().unwrap();
    assert_eq!(sent.body, Some(json!({})));
}

#[tokio::test(start_paused = true)]
async fn a_failed_action_fails_the_wait_with_the_server_message() {
    let server = MockServer::start_async().await;
    get_stack_action_in_turn(
        &server,
        vec![(
            200,
            common::fixture("cloud66", "get_stack_action.response.failed.json"),
        )],
    );
    let error = client(&server)
        .wait_until_action_finished(UID, 789)
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::WaitFailed { message: Some(m), .. } if m == "Reboot failed on web1: host unreachable"),
        "{error:?}"
    );

    // The document's shape: no finished_* fields, a status.
    let server = MockServer::start_async().await;
    let mut failed = common::fixture("cloud66", "reboot_cluster_servers.response.json");
    failed["response"]["status"] = "failed".into();
    get_stack_action_in_turn(
        &server,
        vec![
            (
                200,
                common::fixture("cloud66", "reboot_cluster_servers.response.json"),
            ),
            (200, failed),
        ],
    );
    let error = client(&server)
        .wait_until_action_finished(UID, 789)
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::WaitFailed { state, .. } if state == "failed"),
        "{error:?}"
    );

    let server = MockServer::start_async().await;
    get_stack_action_in_turn(
        &server,
        vec![(
            200,
            common::fixture("cloud66", "get_stack_action.response.live.json"),
        )],
    );
    let error = client(&server)
        .wait_until_action_finished(UID, 789)
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::WaitTimeout { last_state, .. } if last_state == "running"),
        "{error:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn throttled_503_is_retried_until_the_window_and_errors_decode() {
    // Over the hourly limit: 503 `throttled`, with the `X-RateLimit-*` headers of the spec.
    let server = MockServer::start_async().await;
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    server.get_cluster(move |when, then| {
        when.id(123);
        then.respond_with(move |_: &HttpMockRequest| {
            if counter.fetch_add(1, Ordering::SeqCst) == 0 {
                http::Response::builder()
                    .status(503)
                    .header("content-type", "application/json")
                    .header("X-RateLimit-Limit", "3000")
                    .header("X-RateLimit-Remaining", "0")
                    .header("X-RateLimit-Reset", "3")
                    .body(common::fixture("cloud66", "common.error.503.live.json").to_string())
                    .unwrap()
                    .into()
            } else {
                common::json_response(
                    200,
                    &common::fixture("cloud66", "get_cluster.response.json"),
                )
            }
        });
    });
    let clock = tokio::time::Instant::now();
    let cluster = client(&server).get_cluster().id(123).send().await.unwrap();
    assert_eq!(cluster.response.name, "Production Cluster");
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    assert!(
        clock.elapsed() >= Duration::from_secs(2),
        "waited for the window: {:?}",
        clock.elapsed()
    );

    // Throttled with no word on when the window ends: no point retrying for seconds.
    let server = MockServer::start_async().await;
    let calls = get_cluster_in_turn(
        &server,
        vec![(
            503,
            common::fixture("cloud66", "common.error.503.live.json"),
        )],
    );
    let error: Error = client(&server)
        .get_cluster()
        .id(123)
        .send()
        .await
        .unwrap_err();
    let Error::RateLimited(api) = &error else {
        panic!("expected RateLimited, got {error:?}")
    };
    assert_eq!((api.status, api.code.as_deref()), (503, Some("throttled")));
    assert_eq!(calls.load(Ordering::SeqCst), 1);

    let server = MockServer::start_async().await;
    get_cluster_in_turn(
        &server,
        vec![(
            401,
            common::fixture("cloud66", "common.error.401.live.json"),
        )],
    );
    let error: Error = Client::builder()
        .token("t")
        .base_url(server.base_url())
        .retry_policy(RetryPolicy::none())
        .no_timeouts()
        .build()
        .unwrap()
        .get_cluster()
        .id(123)
        .send()
        .await
        .unwrap_err();
    let api = error.api().unwrap();
    assert_eq!(
        (api.status, api.code.as_deref(), api.message.as_str()),
        (401, Some("invalid_token"), "The access token is invalid")
    );
}
