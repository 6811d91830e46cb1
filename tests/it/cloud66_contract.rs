//! The Cloud66 contract: every example parses into the generated types, every operation sends
//! what the document describes (insta wire shapes), and the operation inventory.
#![cfg(feature = "cloud66")]

use crate::common;

use std::collections::BTreeMap;

use kaas::RetryPolicy;
use kaas::cloud66::{Client, OPERATIONS, contract, types};

const PROVIDER: &str = "cloud66";

#[test]
fn the_10_examples_parse() {
    let report = common::check_contract(PROVIDER, &common::contract_bodies!(contract::BODIES));
    // The document: 3 success bodies and the 501 body. The live shapes of the seeds README:
    // 3 actions (running, finished, failed), 2 errors (401, 503 `throttled`), and the reboot
    // body Cloud66's Go SDK sends.
    assert_eq!(
        (report.requests, report.responses, report.errors),
        (1, 6, 3),
        "{report:?}"
    );
}

/// specs/README.md rule 9, both ways: every example of the spec is a fixture with the same
/// content, and every fixture is an example of the spec, named after its operation and status.
#[test]
fn every_example_of_the_spec_is_a_fixture_and_every_fixture_an_example() {
    assert_eq!(common::assert_examples_are_fixtures(PROVIDER), (10, 10));
}

#[test]
fn status_and_health_are_open_integer_enums() {
    let cluster: types::ClusterResponse = common::fixture_as(PROVIDER, "get_cluster.response.json");
    let cluster = cluster.response;
    assert_eq!(cluster.status, types::ClusterStatus::Deployed);
    assert_eq!(cluster.health, types::ClusterHealth::Healthy);
    let mut raw = common::fixture(PROVIDER, "get_cluster.response.json");
    raw["response"]["status"] = 9.into();
    let cluster: types::ClusterResponse = serde_json::from_value(raw).unwrap();
    let status = cluster.response.status;
    assert_eq!(status, types::ClusterStatus::Unknown(9));
    assert_eq!(serde_json::to_value(status).unwrap(), 9);
}

#[test]
fn the_action_accepts_both_shapes() {
    let documented: types::StackActionResponse =
        common::fixture_as(PROVIDER, "reboot_cluster_servers.response.json");
    let documented = documented.response;
    assert_eq!(
        (
            documented.status.as_deref(),
            documented.action_type.as_deref()
        ),
        (Some("queued"), Some("stack_reboot"))
    );
    assert_eq!(documented.resource_id, Some(serde_json::json!(123)));
    let live: types::StackActionResponse =
        common::fixture_as(PROVIDER, "get_stack_action.response.live.json");
    let live = live.response;
    assert_eq!(
        (live.action.as_deref(), live.finished_at.as_deref()),
        (Some("stack_reboot"), None)
    );
    assert_eq!(live.resource_id, Some(serde_json::json!("123")));
}

#[test]
fn operation_inventory() {
    assert_eq!(OPERATIONS.len(), 5);
    let inventory = common::inventory("cloud66", OPERATIONS);
    insta::assert_yaml_snapshot!("cloud66_operations", inventory);
}

#[tokio::test]
async fn wire_shape_of_every_operation() {
    let (server, seen) = common::recording_server(200, "{}").await;
    let client = Client::builder()
        .token("SENTINEL")
        .base_url(server.base_url())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let mut shapes: BTreeMap<&str, common::WireRequest> = BTreeMap::new();
    macro_rules! wire {
        ($op:literal, $call:expr) => {
            common::record_wire!(shapes, seen, PROVIDER, $op, $call)
        };
    }
    wire!("list_clusters", client.list_clusters().page(2u64));
    wire!(
        "create_cluster",
        client
            .create_cluster()
            .body(types::ClusterCreate(serde_json::Map::new()))
    );
    wire!("get_cluster", client.get_cluster().id(123).show_log(true));
    wire!(
        "reboot_cluster_servers",
        client
            .reboot_cluster_servers()
            .id(123)
            .body(common::fixture_as::<types::RebootRequest>(
                PROVIDER,
                "reboot_cluster_servers.request.json"
            ))
    );
    wire!(
        "get_stack_action",
        client
            .get_stack_action()
            .stack_id("5999b763474b0eafa5fafb64bff0ba80")
            .id(789)
    );

    common::assert_every_operation_recorded(&shapes, OPERATIONS, &["authorization"]);
    insta::assert_yaml_snapshot!("cloud66_wire_shapes", shapes);
}
