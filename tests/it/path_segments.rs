//! An id never leaves its path segment: every path parameter of every operation refuses `.`,
//! `..` and their percent-encoded forms before a URL is built (nothing reaches the server),
//! base URLs are checked as written, and ordinary ids with dots still go out. The table is
//! built from each provider's operation inventory, so a new operation is covered by itself.
#![cfg(all(
    feature = "mock",
    feature = "digitalocean",
    feature = "oks",
    feature = "cloud66",
    feature = "commissaire"
))]

use httpmock::MockServer;
use kaas::RetryPolicy;

/// The values each path parameter is tried with: dot segments, raw or percent-encoded.
const DOT_SEGMENTS: [&str; 5] = [".", "..", "%2e", "%2E%2e", ".%2e"];

/// A server that answers every request with an empty JSON object, and counts them.
async fn counting_server() -> (&'static MockServer, httpmock::Mock<'static>) {
    // Leaked: the mock borrows the server for the whole test.
    let server: &'static MockServer = Box::leak(Box::new(MockServer::start_async().await));
    // Raw: a catch-all for any request of any operation.
    let mock = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(200)
                .header("content-type", "application/json")
                .body("{}");
        })
        .await;
    (server, mock)
}

/// The path parameters of an operation, read from its path template.
fn path_parameters(path: &'static str) -> impl Iterator<Item = &'static str> {
    path.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
}

/// One provider's cells: every operation × path parameter × dot segment. Returns how many
/// cells were sent and the (operation, parameter) pairs the probe has no arm for.
async fn refuse_every_cell<'a>(
    operations: &'static [kaas::Operation],
    probe: impl Fn(&str, &str, &str) -> Option<futures::future::BoxFuture<'a, kaas::Result<()>>>,
) -> (usize, Vec<String>) {
    let mut cells = 0;
    let mut without_probe = Vec::new();
    for operation in operations {
        for parameter in path_parameters(operation.path) {
            for value in DOT_SEGMENTS {
                let Some(sent) = probe(operation.id, parameter, value) else {
                    without_probe.push(format!("{}.{parameter}", operation.id));
                    break;
                };
                cells += 1;
                match sent.await {
                    Err(kaas::Error::InvalidInput(message)) => assert!(
                        message.contains(parameter),
                        "{}.{parameter} = {value:?}: the message names the parameter: {message}",
                        operation.id
                    ),
                    other => panic!(
                        "{}.{parameter} = {value:?} was not refused: {other:?}",
                        operation.id
                    ),
                }
            }
        }
    }
    (cells, without_probe)
}

#[tokio::test]
async fn every_path_parameter_of_every_operation_refuses_dot_segments_before_sending() {
    let (server, mock) = counting_server().await;
    let base = server.base_url();
    // One provider's cells, sent through its contract probe with `client`.
    macro_rules! cells_of {
        ($provider:ident, $client:expr) => {{
            let client = $client.retry_policy(RetryPolicy::none()).build().unwrap();
            refuse_every_cell(kaas::$provider::OPERATIONS, |o, p, v| {
                kaas::$provider::contract::send_with_path_parameter(&client, o, p, v)
            })
            .await
        }};
    }
    let providers = [
        cells_of!(
            digitalocean,
            kaas::digitalocean::Client::builder()
                .token("t")
                .base_url(&base)
        ),
        cells_of!(
            oks,
            kaas::oks::Client::builder()
                .access_key("AK", "SK")
                .base_url(&base)
        ),
        cells_of!(
            cloud66,
            kaas::cloud66::Client::builder().token("t").base_url(&base)
        ),
        cells_of!(
            commissaire,
            kaas::commissaire::Client::builder()
                .base_url(&base)
                .basic_auth("admin", "password")
        ),
    ];
    let cells: usize = providers.iter().map(|(n, _)| n).sum();
    let without_probe: Vec<String> = providers.into_iter().flat_map(|(_, m)| m).collect();

    // Only Cloud66's cluster and action ids are integers, which cannot hold a dot.
    assert_eq!(
        without_probe,
        [
            "get_cluster.id",
            "reboot_cluster_servers.id",
            "get_stack_action.id"
        ]
    );
    assert_eq!(cells, 345, "operation × text path parameter × dot segment");
    assert_eq!(mock.calls_async().await, 0, "nothing may reach the server");
}

#[tokio::test]
async fn the_oks_kubeconfig_shortcut_refuses_a_dot_dot_id() {
    let (server, mock) = counting_server().await;
    let client = kaas::oks::Client::builder()
        .access_key("AK", "SK")
        .base_url(server.base_url())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let error = client.kubeconfig("..").await.unwrap_err();
    assert!(
        matches!(&error, kaas::Error::InvalidInput(m) if m.contains("cluster_id")),
        "{error:?}"
    );
    assert_eq!(mock.calls_async().await, 0, "nothing may reach the server");
}

#[test]
fn base_urls_with_dot_segments_are_refused_at_build() {
    for base in [
        "http://127.0.0.1:8080/a/b/..",
        "http://127.0.0.1:8080/a/%2e%2e",
        "http://127.0.0.1:8080/a/%2E/b",
        "http://127.0.0.1:8080/a/.%2e/",
    ] {
        let outcome = kaas::oks::Client::builder()
            .access_key("AK", "SK")
            .base_url(base)
            .build();
        assert!(
            matches!(outcome, Err(kaas::Error::InvalidInput(_))),
            "{base}: {outcome:?}"
        );
    }
    for base in [
        "http://127.0.0.1:8080/a/v1.2",
        "http://127.0.0.1:8080/.../b/",
    ] {
        let outcome = kaas::oks::Client::builder()
            .access_key("AK", "SK")
            .base_url(base)
            .build();
        assert!(outcome.is_ok(), "{base}: {outcome:?}");
    }
}

#[tokio::test]
async fn a_registered_host_address_obeys_the_path_address_rule() {
    let (server, mock) = counting_server().await;
    let client = kaas::commissaire::Client::builder()
        .base_url(server.base_url())
        .basic_auth("admin", "password")
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    for address in ["sp ace", "..", "."] {
        let error = client
            .register_host()
            .body_map(|host| host.address(address))
            .send()
            .await
            .unwrap_err();
        assert!(
            matches!(&error, kaas::Error::InvalidInput(m) if m.contains("address")),
            "{address:?}: {error:?}"
        );
    }
    assert_eq!(mock.calls_async().await, 0, "nothing may reach the server");
}

#[tokio::test]
async fn a_refused_builder_value_is_named_with_the_pattern_it_must_match() {
    let (server, mock) = counting_server().await;
    let client = kaas::commissaire::Client::builder()
        .base_url(server.base_url())
        .basic_auth("admin", "password")
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let error = client
        .get_cluster()
        .name("sp\u{1b}ace")
        .send()
        .await
        .unwrap_err();
    let kaas::Error::InvalidInput(message) = &error else {
        panic!("{error:?}")
    };
    assert!(message.contains("name"), "{message}");
    assert!(
        message.contains(r#""sp\u{1b}ace""#),
        "the value, escaped: {message}"
    );
    assert!(
        message.contains("^[A-Za-z0-9_-]+$"),
        "the pattern: {message}"
    );
    assert!(
        !message.contains('\u{1b}'),
        "no raw control character: {message}"
    );
    assert_eq!(mock.calls_async().await, 0);
}

#[tokio::test]
async fn ids_with_dots_that_stay_in_their_segment_still_go_out() {
    use kaas::oks::mock::MockServerExt as _;
    let server = MockServer::start_async().await;
    let client = kaas::oks::Client::builder()
        .access_key("AK", "SK")
        .base_url(server.base_url())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    for id in ["v1.2", "...", "a.b", ".a", "a..", "%2e%2e%2e"] {
        let encoded = id.replace('%', "%25");
        let mock = server.get_cluster(|when, then| {
            // The exact encoding is the test: the raw path (the typed setter takes the id).
            when.into_inner().path(format!("/clusters/{encoded}"));
            crate::common::answer_json(
                then.into_inner(),
                404,
                serde_json::json!({"detail": "no such cluster"}),
            );
        });
        let error = client
            .get_cluster()
            .cluster_id(id)
            .send()
            .await
            .unwrap_err();
        assert_eq!(error.status(), Some(404), "{id:?}: {error:?}");
        assert_eq!(mock.calls_async().await, 1, "{id:?} went out as is");
        mock.delete_async().await;
    }
}
