//! DigitalOcean client behaviour against httpmock servers: auth, errors, retries, pagination,
//! open enums, waiting, kubeconfig, and the secret-leak sentinel. No real sleeps: tests that
//! wait run on a paused tokio clock with the client's network timers off (`no_timeouts`).
#![cfg(feature = "digitalocean")]

use crate::common;

use std::num::NonZeroU64;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures::TryStreamExt as _;
use httpmock::MockServer;
use kaas::digitalocean::mock::MockServerExt as _;
use kaas::digitalocean::{Client, types};
use kaas::{Error, RetryPolicy, WaitPolicy};
use serde_json::json;

const SENTINEL_TOKEN: &str = "dop_v1_SENTINEL0123456789abcdef";
const CLUSTER_ID: &str = "bd5f5959-5e1e-4205-a714-a914373942af";

fn cluster_id() -> uuid::Uuid {
    CLUSTER_ID.parse().unwrap()
}

fn client(server: &MockServer) -> Client {
    client_with(server, RetryPolicy::default())
}

fn client_with(server: &MockServer, retry: RetryPolicy) -> Client {
    Client::builder()
        .token(SENTINEL_TOKEN)
        .base_url(server.base_url())
        .retry_policy(retry)
        .wait_policy(
            WaitPolicy::default()
                .with_initial_interval(Duration::from_secs(10))
                .with_deadline(Duration::from_secs(600)),
        )
        .no_timeouts()
        .build()
        .unwrap()
}

fn cluster_json(state: &str) -> serde_json::Value {
    json!({"kubernetes_cluster": {"id": CLUSTER_ID, "name": "prod-cluster-01", "region": "nyc1", "version": "1.18.6-do.0", "node_pools": [], "status": {"state": state, "message": format!("the cluster is {state}")}}})
}

/// The cluster answer of [`cluster_json`], typed.
fn cluster(state: &str) -> types::ClusterResponse {
    serde_json::from_value(cluster_json(state)).unwrap()
}

/// The error body DigitalOcean sends, typed.
fn do_error(id: &str, message: &str) -> types::Error {
    serde_json::from_value(json!({"id": id, "message": message})).unwrap()
}

/// Answers `get_cluster` with `first` to the first `n` reads, then `rest`.
fn get_cluster_sequence(
    server: &MockServer,
    n: usize,
    first: (u16, serde_json::Value, Vec<(&str, &str)>),
    rest: (u16, serde_json::Value),
) -> Arc<AtomicUsize> {
    let count = Arc::new(AtomicUsize::new(0));
    let counter = count.clone();
    let (status, body, headers) = first;
    server.get_cluster(|when, then| {
        when.cluster_id(&cluster_id())
            .is_true(move |_| counter.fetch_add(1, Ordering::SeqCst) < n);
        // Any status with any headers, as each test asks: the raw responder.
        let then = common::answer_json(then.into_inner(), status, body);
        headers
            .into_iter()
            .fold(then, |then, (name, value)| then.header(name, value));
    });
    server.get_cluster(|when, then| {
        when.cluster_id(&cluster_id());
        common::answer_json(then.into_inner(), rest.0, rest.1);
    });
    count
}

#[tokio::test]
async fn sends_the_token_as_bearer_and_the_kaas_user_agent() {
    let server = MockServer::start_async().await;
    let mock = server.get_cluster(|when, then| {
        // Headers have no typed matcher: they are matched on the raw `When`.
        when.cluster_id(&cluster_id())
            .into_inner()
            .header("authorization", format!("Bearer {SENTINEL_TOKEN}"))
            .header("user-agent", format!("kaas/{}", env!("CARGO_PKG_VERSION")))
            .header_missing("api-version");
        then.ok(&cluster("running"));
    });
    let cluster = client(&server)
        .get_cluster()
        .cluster_id(cluster_id())
        .send()
        .await
        .unwrap();
    assert_eq!(cluster.kubernetes_cluster.name, "prod-cluster-01");
    mock.assert_async().await;
}

#[tokio::test]
async fn error_answers_are_decoded_with_id_message_and_request_id() {
    for (status, id) in [
        (401, "unauthorized"),
        (404, "not_found"),
        (422, "unprocessable_entity"),
        (429, "too_many_requests"),
        (500, "server_error"),
    ] {
        let server = MockServer::start_async().await;
        let body: types::Error = serde_json::from_value(json!({"id": id, "message": format!("message for {status}"), "request_id": format!("req-{status}")})).unwrap();
        server.get_cluster(|when, then| {
            when.cluster_id(&cluster_id());
            let then = if status < 500 {
                then.client_error(status, &body)
            } else {
                then.server_error(status, &body)
            };
            // Rate-limit headers have no typed responder: added on the raw `Then`.
            then.into_inner()
                .header("ratelimit-limit", "5000")
                .header("ratelimit-remaining", "4816")
                .header("ratelimit-reset", "1444931833");
        });
        let error: Error = client_with(&server, RetryPolicy::none())
            .get_cluster()
            .cluster_id(cluster_id())
            .send()
            .await
            .unwrap_err();
        // Over the rate limit with no retry left is its own variant; the rest are `Api`.
        let api = match (&error, status) {
            (Error::RateLimited(api), 429) => api,
            (Error::Api(api), status) if status != 429 => api,
            _ => panic!("{status}: unexpected variant {error:?}"),
        };
        assert_eq!(api.status, status);
        assert_eq!(api.provider, "digitalocean");
        assert_eq!(api.code.as_deref(), Some(id));
        assert_eq!(api.message, format!("message for {status}"));
        assert_eq!(
            api.request_id.as_deref(),
            Some(format!("req-{status}").as_str())
        );
        let limit = api.rate_limit.unwrap();
        assert_eq!((limit.limit, limit.remaining), (Some(5000), Some(4816)));
        assert_eq!(error.status(), Some(status));
        assert_eq!(error.is_not_found(), status == 404);
        assert!(
            error.to_string().starts_with(&format!(
                "digitalocean answered {status} ({id}): message for {status} [request id req-{status}]"
            )),
            "{error}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn a_429_with_retry_after_is_retried_to_success() {
    let server = MockServer::start_async().await;
    let limited = json!({"id": "too_many_requests", "message": "API Rate limit exceeded.", "request_id": "r1"});
    let count = get_cluster_sequence(
        &server,
        1,
        (429, limited, vec![("retry-after", "3")]),
        (200, cluster_json("running")),
    );
    let started = tokio::time::Instant::now();
    let cluster = client(&server)
        .get_cluster()
        .cluster_id(cluster_id())
        .send()
        .await
        .unwrap();
    assert_eq!(cluster.kubernetes_cluster.name, "prod-cluster-01");
    assert_eq!(count.load(Ordering::SeqCst), 2, "one 429, then the success");
    assert!(
        started.elapsed() >= Duration::from_secs(3),
        "Retry-After was not honoured: {:?}",
        started.elapsed()
    );
}

#[tokio::test(start_paused = true)]
async fn a_get_answered_503_is_retried_up_to_the_attempt_limit() {
    let server = MockServer::start_async().await;
    let mock = server.get_cluster(|when, then| {
        when.cluster_id(&cluster_id());
        then.server_error(503, &do_error("service_unavailable", "try later"));
    });
    let error: Error = client_with(&server, RetryPolicy::default().with_max_attempts(3))
        .get_cluster()
        .cluster_id(cluster_id())
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(503));
    assert_eq!(mock.calls_async().await, 3);
}

/// `max_elapsed` bounds the waiting of one request in all, inclusive: with a server that asks
/// for one second each time, a budget of 3 s allows three waits (four attempts) and 2.5 s two.
#[tokio::test(start_paused = true)]
async fn the_elapsed_budget_ends_the_retries_at_its_bound() {
    for (budget, attempts) in [
        (Duration::from_millis(2_500), 3),
        (Duration::from_secs(3), 4),
    ] {
        let server = MockServer::start_async().await;
        let mock = server.get_cluster(|when, then| {
            when.cluster_id(&cluster_id());
            then.server_error(503, &do_error("service_unavailable", "try later"))
                .into_inner()
                .header("retry-after", "1");
        });
        let policy = RetryPolicy::default()
            .with_max_attempts(10)
            .with_initial_backoff(Duration::from_millis(100))
            .with_max_backoff(Duration::from_secs(5))
            .with_max_elapsed(budget);
        let started = tokio::time::Instant::now();
        let error: Error = client_with(&server, policy)
            .get_cluster()
            .cluster_id(cluster_id())
            .send()
            .await
            .unwrap_err();
        assert_eq!(error.status(), Some(503));
        assert_eq!(mock.calls_async().await, attempts, "budget {budget:?}");
        assert_eq!(
            started.elapsed(),
            Duration::from_secs(attempts as u64 - 1),
            "one second asked before each retry"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn a_post_that_creates_is_not_retried() {
    let server = MockServer::start_async().await;
    let mock = server.create_cluster(|_, then| {
        then.server_error(503, &do_error("service_unavailable", "try later"));
    });
    let body: types::ClusterCreate =
        common::fixture_as("digitalocean", "create_cluster.request.json");
    let error: Error = client(&server)
        .create_cluster()
        .body(body)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(503));
    assert_eq!(
        mock.calls_async().await,
        1,
        "a create must never be sent twice"
    );
}

/// Three pages of clusters `c0`..`c4`, two a page, with or without `meta.total`.
async fn three_pages(server: &MockServer, tell_total: bool) {
    for page in 1..=3u32 {
        let names: Vec<_> = ((page - 1) * 2..(page * 2).min(5)).map(|i| json!({"id": format!("00000000-0000-0000-0000-{i:012}"), "name": format!("c{i}"), "region": "nyc1", "version": "1.18.6-do.0", "node_pools": []})).collect();
        let next = (page < 3).then(|| {
            format!(
                "https://api.digitalocean.com/v2/kubernetes/clusters?page={}&per_page=2",
                page + 1
            )
        });
        let mut body = json!({"kubernetes_clusters": names, "links": {"pages": {"next": next}}});
        body["meta"] = if tell_total {
            json!({"total": 5})
        } else {
            json!({})
        };
        let body: types::ClusterList = serde_json::from_value(body).unwrap();
        server.list_clusters(|when, then| {
            when.page(NonZeroU64::new(page.into()))
                .per_page(NonZeroU64::new(2));
            then.ok(&body);
        });
    }
}

#[tokio::test]
async fn all_clusters_over_three_pages_in_order_sequential_and_concurrent() {
    for (tell_total, concurrency) in [(false, 4), (true, 1), (true, 4)] {
        let server = MockServer::start_async().await;
        three_pages(&server, tell_total).await;
        let client = Client::builder()
            .token("t")
            .base_url(server.base_url())
            .page_concurrency(concurrency)
            .build()
            .unwrap();
        let names: Vec<String> = client
            .clusters_with_page_size(2)
            .map_ok(|c| c.name)
            .try_collect()
            .await
            .unwrap();
        assert_eq!(
            names,
            ["c0", "c1", "c2", "c3", "c4"],
            "total {tell_total}, concurrency {concurrency}"
        );
    }
}

#[tokio::test]
async fn an_unknown_cluster_state_parses_as_unknown_and_round_trips() {
    let server = MockServer::start_async().await;
    let mut body = cluster_json("hibernating");
    body["kubernetes_cluster"]["a_field_from_the_future"] = json!({"x": 1});
    server.get_cluster(|when, then| {
        when.cluster_id(&cluster_id());
        // A field from the future is dropped by the typed responder: the raw body keeps it.
        common::answer_json(then.into_inner(), 200, body);
    });
    let cluster = client(&server)
        .get_cluster()
        .cluster_id(cluster_id())
        .send()
        .await
        .unwrap()
        .kubernetes_cluster;
    let state = cluster.status.unwrap().state.unwrap();
    assert_eq!(state, types::ClusterState::Unknown("hibernating".into()));
    assert_eq!(serde_json::to_value(&state).unwrap(), json!("hibernating"));
    assert_eq!(
        "running".parse::<types::ClusterState>().unwrap(),
        types::ClusterState::Running
    );
}

#[tokio::test]
async fn an_html_502_page_from_a_proxy_is_a_typed_error() {
    let server = MockServer::start_async().await;
    server.get_cluster(|when, then| {
        when.cluster_id(&cluster_id());
        // A proxy's HTML page is no answer of the spec: the raw responder.
        common::answer_text(then.into_inner(), 502, "text/html", "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>");
    });
    let error: Error = client_with(&server, RetryPolicy::none())
        .get_cluster()
        .cluster_id(cluster_id())
        .send()
        .await
        .unwrap_err();
    let api = error.api().expect("an API error");
    assert_eq!(api.status, 502);
    assert_eq!(api.code, None);
    assert_eq!(api.message, "502 Bad Gateway 502 Bad Gateway nginx");
    assert!(
        api.body_excerpt
            .as_deref()
            .unwrap()
            .contains("<h1>502 Bad Gateway</h1>")
    );
}

#[tokio::test]
async fn a_success_body_that_does_not_match_is_a_decode_error() {
    let server = MockServer::start_async().await;
    server.get_cluster(|when, then| {
        when.cluster_id(&cluster_id());
        // Truncated JSON is no typed value: the raw responder.
        common::answer_text(
            then.into_inner(),
            200,
            "application/json",
            r#"{"kubernetes_cluster": {"name": "x", "status": {"state": "running"}"#,
        );
    });
    let error: Error = client(&server)
        .get_cluster()
        .cluster_id(cluster_id())
        .send()
        .await
        .unwrap_err();
    let Error::Decode { body_excerpt, .. } = &error else {
        panic!("expected Decode, got {error:?}")
    };
    assert!(body_excerpt.starts_with(r#"{"kubernetes_cluster""#));
}

#[tokio::test]
async fn plain_http_to_a_remote_host_is_refused() {
    let error = Client::builder()
        .token("t")
        .base_url("http://api.digitalocean.com")
        .build()
        .unwrap_err();
    assert!(
        matches!(&error, Error::InvalidInput(m) if m.contains("refusing plain http://")),
        "{error:?}"
    );
    assert!(
        Client::builder()
            .token("t")
            .base_url("http://127.0.0.1:1")
            .build()
            .is_ok()
    );
    assert!(
        matches!(Client::builder().build(), Err(Error::InvalidInput(_))),
        "a token is required"
    );
    assert!(
        matches!(Client::new(""), Err(Error::InvalidInput(_))),
        "an empty token is refused"
    );
}

#[tokio::test]
async fn kubeconfig_comes_back_as_a_secret_with_readable_context_names() {
    let server = MockServer::start_async().await;
    let yaml = "apiVersion: v1\nkind: Config\ncurrent-context: do-nyc1-prod\nclusters:\n- cluster:\n    server: https://bd5f5959.k8s.ondigitalocean.com\n  name: do-nyc1-prod\ncontexts:\n- context:\n    cluster: do-nyc1-prod\n    user: do-nyc1-prod-admin\n  name: do-nyc1-prod\nusers:\n- name: do-nyc1-prod-admin\n  user:\n    token: SENTINEL-kubeconfig-token\n";
    let mock = server.get_kubeconfig(|when, then| {
        when.cluster_id(&cluster_id()).expiry_seconds(3600);
        // The kubeconfig is YAML; the typed `ok` sends JSON only.
        common::answer_text(then.into_inner(), 200, "application/yaml", yaml);
    });
    let kubeconfig = client(&server)
        .kubeconfig_expiring(cluster_id(), Duration::from_secs(3600))
        .await
        .unwrap();
    assert_eq!(kubeconfig.context_names(), ["do-nyc1-prod"]);
    assert_eq!(kubeconfig.expose_yaml(), yaml);
    assert!(!format!("{kubeconfig:?}").contains("SENTINEL"));
    mock.assert_async().await;
}

#[tokio::test(start_paused = true)]
async fn wait_until_running_polls_until_the_state_is_running() {
    let server = MockServer::start_async().await;
    let count = get_cluster_sequence(
        &server,
        2,
        (200, cluster_json("provisioning"), vec![]),
        (200, cluster_json("running")),
    );
    let cluster = client(&server)
        .wait_until_running(cluster_id())
        .await
        .unwrap();
    assert_eq!(
        cluster.status.unwrap().state,
        Some(types::ClusterState::Running)
    );
    assert_eq!(count.load(Ordering::SeqCst), 3);
}

#[tokio::test(start_paused = true)]
async fn wait_until_running_fails_fast_on_error_and_times_out_with_the_last_state() {
    let server = MockServer::start_async().await;
    server.get_cluster(|when, then| {
        when.cluster_id(&cluster_id());
        then.ok(&cluster("error"));
    });
    let error = client(&server)
        .wait_until_running(cluster_id())
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::WaitFailed { state, message: Some(m), .. } if state == "error" && m == "the cluster is error"),
        "{error:?}"
    );

    let server = MockServer::start_async().await;
    server.get_cluster(|when, then| {
        when.cluster_id(&cluster_id());
        then.ok(&cluster("provisioning"));
    });
    let error = client(&server)
        .wait_until_running(cluster_id())
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::WaitTimeout { last_state, .. } if last_state == "provisioning"),
        "{error:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_wait_takes_its_own_deadline_and_keeps_the_last_typed_reading() {
    let server = MockServer::start_async().await;
    let reads = server.get_cluster(|when, then| {
        when.cluster_id(&cluster_id());
        then.ok(&cluster("provisioning"));
    });
    let started = tokio::time::Instant::now();
    // The client waits up to 600 s; this call, 30 s.
    let error = client(&server)
        .wait_until_running(cluster_id())
        .deadline(Duration::from_secs(30))
        .await
        .unwrap_err();
    assert!(
        started.elapsed() <= Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
    assert!(matches!(&error, Error::WaitTimeout { .. }), "{error:?}");
    let last = error
        .last_reading::<types::Cluster>()
        .expect("the last cluster read is kept, typed");
    assert_eq!(
        last.status.as_ref().and_then(|s| s.state.clone()),
        Some(types::ClusterState::Provisioning)
    );
    // Reads at 0, 10 and 25 s, then once more at the 30 s deadline (the next interval,
    // 22.5 s, is cut short there).
    assert_eq!(reads.calls_async().await, 4);
}

/// The library's wait loop: each sleep is cut short at the deadline, where the state is read
/// once more before the wait gives up. Reads are timed on the paused clock.
#[tokio::test(start_paused = true)]
async fn a_wait_reads_once_more_at_the_deadline_when_the_next_interval_would_pass_it() {
    let cases = [
        (30, 20, vec![0, 20]),
        (8, 20, vec![0, 8, 16, 20]),
        (10, 20, vec![0, 10, 20]),
    ];
    for (interval, deadline, expected) in cases {
        let server = MockServer::start_async().await;
        let mock = server.get_cluster(|when, then| {
            when.cluster_id(&cluster_id());
            then.ok(&cluster("provisioning"));
        });
        let client = client(&server);
        let policy = WaitPolicy::default()
            .with_initial_interval(Duration::from_secs(interval))
            .with_max_interval(Duration::from_secs(interval))
            .with_multiplier(1.0)
            .with_deadline(Duration::from_secs(deadline));
        let started = tokio::time::Instant::now();
        let mut read_at = Vec::new();
        let outcome = kaas::wait::until("the cluster", &policy, || {
            read_at.push(started.elapsed());
            let read = client.get_cluster().cluster_id(cluster_id()).send();
            async move {
                let cluster = read.await?;
                let state = format!("{:?}", cluster.kubernetes_cluster.status);
                Ok(kaas::wait::Progress::<()>::Pending {
                    state,
                    reading: None,
                })
            }
        })
        .await;
        let expected: Vec<Duration> = expected.into_iter().map(Duration::from_secs).collect();
        assert_eq!(
            read_at, expected,
            "interval {interval} s, deadline {deadline} s"
        );
        assert_eq!(mock.calls_async().await, expected.len());
        assert_eq!(started.elapsed(), Duration::from_secs(deadline));
        assert!(
            matches!(&outcome, Err(Error::WaitTimeout { waited, .. }) if *waited == Duration::from_secs(deadline)),
            "{outcome:?}"
        );
    }
}

/// A page of 200 clusters, built from upstream's list example; cluster `odd` has a node pool
/// whose labels hold a number and a boolean.
fn page_of_200(odd: usize) -> serde_json::Value {
    let example = common::fixture("digitalocean", "list_clusters.response.all.json");
    let template = &example["kubernetes_clusters"][0];
    let clusters: Vec<serde_json::Value> = (0..200)
        .map(|i| {
            let mut cluster = template.clone();
            cluster["name"] = json!(format!("cluster-{i:03}"));
            cluster["id"] = json!(format!("bd5f5959-5e1e-4205-a714-{i:012}"));
            if i == odd {
                cluster["node_pools"][1]["labels"] =
                    json!({"service": "backend", "replicas": 3, "canary": true, "weight": 0.5});
            }
            cluster
        })
        .collect();
    json!({"kubernetes_clusters": clusters, "links": {}, "meta": {"total": 200}})
}

#[tokio::test]
async fn a_label_that_is_a_number_or_a_boolean_does_not_fail_a_page_of_200() {
    let server = MockServer::start_async().await;
    let page = server.list_clusters(|when, then| {
        when.page(NonZeroU64::new(1)).per_page(NonZeroU64::new(200));
        // The labels as the provider sends them, not as the types would encode them again.
        common::answer_json(then.into_inner(), 200, page_of_200(137));
    });
    let clusters: Vec<types::Cluster> = client(&server).clusters().try_collect().await.unwrap();
    page.assert_async().await;
    assert_eq!(clusters.len(), 200);
    assert!(
        clusters
            .iter()
            .enumerate()
            .all(|(i, c)| c.name == format!("cluster-{i:03}")),
        "all 200, in order"
    );
    let pool = &clusters[137].node_pools[1];
    let labels = pool.labels.as_ref().unwrap();
    assert_eq!(
        labels["replicas"],
        json!(3),
        "the number is kept as a number"
    );
    assert_eq!(
        labels["canary"],
        json!(true),
        "the boolean is kept as a boolean"
    );
    assert_eq!(labels["weight"], json!(0.5));
    assert_eq!(labels["service"], json!("backend"));
    assert_eq!(
        pool.label_text().get("replicas").map(String::as_str),
        Some("3")
    );
    // The value goes back out unchanged (a cluster read, edited and re-sent keeps it).
    assert_eq!(
        serde_json::to_value(pool).unwrap()["labels"]["canary"],
        json!(true)
    );
    // The other 199 clusters read the example's own labels.
    assert_eq!(
        clusters[0].node_pools[1]
            .label_text()
            .get("service")
            .map(String::as_str),
        Some("backend")
    );
}

#[tokio::test]
async fn a_negative_total_is_ignored_and_the_walk_follows_the_links() {
    let server = MockServer::start_async().await;
    for page in 1..=2u32 {
        let next = (page == 1).then(|| {
            "https://api.digitalocean.com/v2/kubernetes/clusters?page=2&per_page=200".to_string()
        });
        let clusters: Vec<_> = (0..2)
            .map(|i| json!({"id": format!("00000000-0000-0000-{page:04}-{i:012}"), "name": format!("p{page}-c{i}"), "region": "nyc1", "version": "1.18.6-do.0", "node_pools": []}))
            .collect();
        let body = json!({"kubernetes_clusters": clusters, "links": {"pages": {"next": next}}, "meta": {"total": -1}});
        let body: types::ClusterList = serde_json::from_value(body).unwrap();
        server.list_clusters(|when, then| {
            when.page(NonZeroU64::new(page.into()));
            then.ok(&body);
        });
    }
    let list = client(&server)
        .list_clusters()
        .page(1u64)
        .send()
        .await
        .unwrap();
    assert_eq!(list.meta.total, Some(-1), "the raw value is kept");
    let names: Vec<String> = client(&server)
        .clusters()
        .map_ok(|c| c.name)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(names, ["p1-c0", "p1-c1", "p2-c0", "p2-c1"]);
}

/// A kubeconfig whose user holds a token, as DigitalOcean answers `type=token`.
const TOKEN_KUBECONFIG: &str = "apiVersion: v1\nkind: Config\ncontexts:\n- name: c\n  context: {cluster: c, user: u}\nusers:\n- name: u\n  user: {token: dok8s-token}\n";

/// DigitalOcean's kubeconfig with its token user replaced by `user`'s lines.
fn documented_kubeconfig_with_user(user: &str) -> String {
    let yaml = common::fixture_text("digitalocean", "get_kubeconfig.response.yaml");
    let at = yaml.find("  user:\n").unwrap();
    format!("{}  user:\n{user}", &yaml[..at])
}

#[tokio::test]
async fn the_kubeconfig_expiry_follows_what_it_holds_a_token_or_a_doctl_login() {
    // What a cluster with SSO answers when no `type` is asked: a user that runs doctl to log
    // in, and no token.
    let sso = documented_kubeconfig_with_user(&format!(
        "    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: doctl\n      args:\n      - kubernetes\n      - cluster\n      - kubeconfig\n      - exec-credential\n      - --version=v1beta1\n      - {CLUSTER_ID}\n      provideClusterInfo: false\n"
    ));
    let token = common::fixture_text("digitalocean", "get_kubeconfig.response.yaml");
    let seven_days = kaas::digitalocean::DEFAULT_CREDENTIAL_LIFETIME;
    let hour = Duration::from_secs(3600);
    for (body, expected) in [(&sso, None), (&token, Some((seven_days, hour)))] {
        let server = MockServer::start_async().await;
        let mock = server.get_kubeconfig(|when, then| {
            when.cluster_id(&cluster_id())
                .type_(None::<types::CredentialsType>);
            // The kubeconfig is YAML; the typed `ok` sends JSON only.
            common::answer_text(then.into_inner(), 200, "application/yaml", body.as_str());
        });
        let before = std::time::SystemTime::now();
        let default = client(&server).kubeconfig(cluster_id()).await.unwrap();
        let expiring = client(&server)
            .kubeconfig_expiring(cluster_id(), hour)
            .await
            .unwrap();
        let after = std::time::SystemTime::now();
        mock.assert_calls_async(2).await;
        let within = |at: Option<std::time::SystemTime>, lifetime: Duration| {
            at.is_some_and(|at| at >= before + lifetime && at <= after + lifetime)
        };
        match expected {
            None => {
                assert_eq!(
                    default.expires_at(),
                    None,
                    "an SSO kubeconfig holds no token"
                );
                assert_eq!(
                    expiring.expires_at(),
                    None,
                    "expiry_seconds has no effect on it"
                );
            }
            Some((default_lifetime, asked)) => {
                assert!(within(default.expires_at(), default_lifetime));
                assert!(within(expiring.expires_at(), asked));
            }
        }
    }
}

#[tokio::test]
async fn kubeconfig_with_asks_for_token_credentials_and_rounds_the_expiry_up() {
    let server = MockServer::start_async().await;
    let mock = server.get_kubeconfig(|when, then| {
        when.cluster_id(&cluster_id())
            .type_(types::CredentialsType::Token)
            .expiry_seconds(2);
        // The kubeconfig is YAML; the typed `ok` sends JSON only.
        common::answer_text(then.into_inner(), 200, "application/yaml", TOKEN_KUBECONFIG);
    });
    let options = kaas::digitalocean::KubeconfigOptions::default()
        .credentials(types::CredentialsType::Token)
        .expiry(Duration::from_millis(1500));
    let before = std::time::SystemTime::now();
    let kubeconfig = client(&server)
        .kubeconfig_with(cluster_id(), options)
        .await
        .unwrap();
    let after = std::time::SystemTime::now();
    // The lifetime asked for, counted from when the request was sent: never later than the
    // provider's own expiry.
    let expires_at = kubeconfig.expires_at().unwrap();
    assert!(
        expires_at >= before + Duration::from_secs(2)
            && expires_at <= after + Duration::from_secs(2)
    );
    assert_eq!(kubeconfig.context_names(), ["c"]);
    mock.assert_async().await;

    // The default asks for neither: the cluster's own credentials and expiry.
    let server = MockServer::start_async().await;
    let plain = server.get_kubeconfig(|when, then| {
        when.cluster_id(&cluster_id())
            .type_(None::<types::CredentialsType>)
            .expiry_seconds(None::<u64>);
        // The kubeconfig is YAML; the typed `ok` sends JSON only.
        common::answer_text(then.into_inner(), 200, "application/yaml", TOKEN_KUBECONFIG);
    });
    let before = std::time::SystemTime::now();
    let kubeconfig = client(&server).kubeconfig(cluster_id()).await.unwrap();
    plain.assert_async().await;
    let lifetime = kubeconfig
        .expires_at()
        .unwrap()
        .duration_since(before)
        .unwrap();
    let seven_days = kaas::digitalocean::DEFAULT_CREDENTIAL_LIFETIME;
    assert!(lifetime >= seven_days && lifetime < seven_days + Duration::from_secs(60));
    let read_from_text = kaas::Kubeconfig::from_yaml(kubeconfig.expose_yaml().to_string()).unwrap();
    assert_eq!(read_from_text.expires_at(), None);
    // An SSO kubeconfig logs in through doctl: no expiring token, so no expiry.
    server.get_kubeconfig(|when, then| {
        when.cluster_id(&cluster_id())
            .type_(types::CredentialsType::Sso);
        // The kubeconfig is YAML; the typed `ok` sends JSON only.
        common::answer_text(
            then.into_inner(),
            200,
            "application/yaml",
            "apiVersion: v1\nkind: Config\n",
        );
    });
    let sso = client(&server)
        .kubeconfig_with(
            cluster_id(),
            kaas::digitalocean::KubeconfigOptions::default()
                .credentials(types::CredentialsType::Sso),
        )
        .await
        .unwrap();
    assert_eq!(sso.expires_at(), None);
}

#[tokio::test]
async fn helpers_take_the_id_as_a_uuid_or_as_text_and_refuse_other_text_before_sending() {
    let server = MockServer::start_async().await;
    let kubeconfig = server.get_kubeconfig(|when, then| {
        when.cluster_id(&cluster_id());
        // The kubeconfig is YAML; the typed `ok` sends JSON only.
        common::answer_text(
            then.into_inner(),
            200,
            "application/yaml",
            "apiVersion: v1\nkind: Config\n",
        );
    });
    let pools = server.list_node_pools(|when, then| {
        when.cluster_id(&cluster_id());
        // `{"node_pools": []}` as sent; the typed list would leave the empty list out.
        common::answer_json(then.into_inner(), 200, json!({"node_pools": []}));
    });
    let client = client(&server);
    client.kubeconfig(cluster_id()).await.unwrap();
    client.kubeconfig(CLUSTER_ID).await.unwrap();
    client.kubeconfig(CLUSTER_ID.to_string()).await.unwrap();
    let pools_found: Vec<_> = client.node_pools(CLUSTER_ID).try_collect().await.unwrap();
    assert!(pools_found.is_empty());
    assert_eq!(kubeconfig.calls_async().await, 3);
    assert_eq!(pools.calls_async().await, 1);

    for bad in ["prod-cluster-01", "..", ""] {
        let error = client.kubeconfig(bad).await.unwrap_err();
        assert!(matches!(error, Error::InvalidInput(_)), "{error:?}");
        let error = client.wait_until_running(bad).await.unwrap_err();
        assert!(matches!(error, Error::InvalidInput(_)), "{error:?}");
        let error = client
            .node_pools(bad)
            .try_collect::<Vec<_>>()
            .await
            .unwrap_err();
        assert!(matches!(error, Error::InvalidInput(_)), "{error:?}");
    }
    assert_eq!(
        kubeconfig.calls_async().await,
        3,
        "nothing sent for a bad id"
    );
    assert_eq!(pools.calls_async().await, 1, "nothing sent for a bad id");
}

#[tokio::test]
async fn a_cluster_answer_without_its_envelope_is_a_decode_error() {
    let server = MockServer::start_async().await;
    server.get_cluster(|when, then| {
        when.cluster_id(&cluster_id());
        // A body without its envelope is no typed value: the raw responder.
        common::answer_json(then.into_inner(), 200, json!({"cluster": {"name": "x"}}));
    });
    let error = client(&server)
        .wait_until_running(cluster_id())
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Decode { .. }), "{error:?}");
}

#[test]
fn request_types_require_what_upstream_requires() {
    // A node pool to create needs name, size and count; an update needs name and count.
    let missing_size =
        serde_json::from_value::<types::NodePoolCreate>(json!({"name": "p", "count": 1}));
    assert!(missing_size.is_err());
    let update: types::NodePoolUpdate =
        serde_json::from_value(json!({"name": "p", "count": 2})).unwrap();
    assert_eq!(
        serde_json::to_value(&update).unwrap(),
        json!({"name": "p", "count": 2}),
        "nothing else is sent when nothing else is set"
    );
    assert!(
        types::NodePoolUpdate::builder()
            .name("p")
            .try_into()
            .map(|u: types::NodePoolUpdate| u)
            .is_err(),
        "the builder refuses an update without a count"
    );
    // New upstream fields of a cluster to create go on the wire as set.
    let create: types::ClusterCreate =
        common::fixture_as("digitalocean", "create_cluster.request.curl.json");
    assert_eq!(create.isolated_workers, Some(false));
    assert_eq!(
        create.worker_subnet_uuid.unwrap().to_string(),
        "cbd79771-23eb-49be-b5ea-59cc56222622"
    );
}
