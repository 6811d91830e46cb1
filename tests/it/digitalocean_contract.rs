//! The DigitalOcean contract: every example of the documents parses into the generated types,
//! every operation sends the documented request (wire shapes snapshotted with insta), and the
//! generated operation inventory is snapshotted so a spec change shows up as a reviewable diff.
#![cfg(feature = "digitalocean")]

use crate::common;

use std::collections::BTreeMap;

use kaas::RetryPolicy;
use kaas::digitalocean::{Client, OPERATIONS, contract, types};

const PROVIDER: &str = "digitalocean";
const CLUSTER: &str = "bd5f5959-5e1e-4205-a714-a914373942af";
const POOL: &str = "cdda885e-7663-40c8-bc74-3a036c66545d";
const NODE: &str = "478247f8-b1bb-4f7a-8db9-2a5f8d4b8f8f";

/// A documented request example as its generated type.
fn typed<T: serde::de::DeserializeOwned>(operation: &str) -> T {
    common::fixture_as(PROVIDER, &format!("{operation}.request.json"))
}

fn bodies() -> Vec<common::OperationBodies> {
    common::contract_bodies!(contract::BODIES)
}

#[test]
fn the_47_examples_of_the_documents_and_upstream_parse() {
    let report = common::check_contract(PROVIDER, &bodies());
    // 20 request bodies, 21 JSON success bodies, 5 error bodies, and the YAML kubeconfig.
    assert_eq!(
        (report.requests, report.responses, report.errors),
        (20, 21, 5),
        "{report:?}"
    );
    assert_eq!(report.other, ["get_kubeconfig.response.yaml"]);
    let kubeconfig = kaas::Kubeconfig::from_yaml(common::fixture_text(
        PROVIDER,
        "get_kubeconfig.response.yaml",
    ))
    .unwrap();
    assert_eq!(kubeconfig.context_names(), ["do-nyc1-prod-cluster-01"]);
    assert_eq!(
        kubeconfig.current_context(),
        Some("do-nyc1-prod-cluster-01")
    );
    println!(
        "{} examples parsed: {report:?}",
        report.requests + report.responses + report.errors + report.other.len()
    );
}

/// specs/README.md rule 9, both ways: every example of the spec is a fixture with the same
/// content, and every fixture is an example of the spec, named after its operation.
#[test]
fn every_example_of_the_spec_is_a_fixture_and_every_fixture_an_example() {
    assert_eq!(common::assert_examples_are_fixtures(PROVIDER), (47, 47));
}

#[test]
fn documented_states_are_known_and_new_ones_are_kept() {
    let cluster: types::ClusterResponse =
        common::fixture_as(PROVIDER, "create_cluster.response.json");
    let cluster = cluster.kubernetes_cluster;
    assert_eq!(
        cluster.status.unwrap().state,
        Some(types::ClusterState::Provisioning)
    );
    assert_eq!(
        cluster.maintenance_policy.unwrap().day,
        Some(types::MaintenanceDay::Any)
    );
    let node_state = &cluster.node_pools[0].nodes[0]
        .status
        .as_ref()
        .unwrap()
        .state;
    assert_eq!(node_state, &Some(types::NodeState::Provisioning));

    let mut pool = common::fixture("digitalocean", "get_node_pool.response.json");
    pool["node_pool"]["taints"][0]["effect"] = "NoScheduleSoon".into();
    let pool = serde_json::from_value::<types::NodePoolResponse>(pool)
        .unwrap()
        .node_pool;
    assert_eq!(
        pool.taints[0].effect,
        Some(types::TaintEffect::Unknown("NoScheduleSoon".into()))
    );
    assert_eq!(
        serde_json::to_value(&pool).unwrap()["taints"][0]["effect"],
        "NoScheduleSoon"
    );
}

#[test]
fn credentials_keep_their_token_secret() {
    let credentials: types::Credentials =
        common::fixture_as(PROVIDER, "get_credentials.response.json");
    assert_eq!(
        credentials.token.as_ref().unwrap().expose(),
        "$DIGITALOCEAN_TOKEN"
    );
    assert!(!format!("{credentials:?}").contains("$DIGITALOCEAN_TOKEN"));
}

#[test]
fn operation_inventory() {
    assert_eq!(OPERATIONS.len(), 28);
    let inventory = common::inventory("digitalocean", OPERATIONS);
    insta::assert_yaml_snapshot!("digitalocean_operations", inventory);
}

/// Calls every operation once against a recording server and snapshots what was sent.
/// Request bodies are the documents' examples, and must arrive exactly as documented.
#[tokio::test]
async fn wire_shape_of_every_operation() {
    let (server, seen) = common::recording_server(200, "{}").await;
    let client = Client::builder()
        .token("dop_v1_SENTINEL")
        .base_url(server.base_url())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let cluster: uuid::Uuid = CLUSTER.parse().unwrap();
    let pool: uuid::Uuid = POOL.parse().unwrap();
    let node: uuid::Uuid = NODE.parse().unwrap();
    let mut shapes: BTreeMap<&str, common::WireRequest> = BTreeMap::new();
    macro_rules! wire {
        ($op:literal, $call:expr) => {
            common::record_wire!(shapes, seen, PROVIDER, $op, $call)
        };
    }
    wire!(
        "list_clusters",
        client.list_clusters().per_page(2u64).page(1u64)
    );
    wire!(
        "create_cluster",
        client
            .create_cluster()
            .body(typed::<types::ClusterCreate>("create_cluster"))
    );
    wire!("get_cluster", client.get_cluster().cluster_id(cluster));
    wire!(
        "update_cluster",
        client
            .update_cluster()
            .cluster_id(cluster)
            .body(typed::<types::ClusterUpdate>("update_cluster"))
    );
    wire!(
        "delete_cluster",
        client.delete_cluster().cluster_id(cluster)
    );
    wire!(
        "list_associated_resources",
        client.list_associated_resources().cluster_id(cluster)
    );
    wire!(
        "destroy_associated_resources_selective",
        client
            .destroy_associated_resources_selective()
            .cluster_id(cluster)
            .body(typed::<types::DestroyAssociatedResources>(
                "destroy_associated_resources_selective"
            ))
    );
    wire!(
        "destroy_associated_resources_dangerous",
        client
            .destroy_associated_resources_dangerous()
            .cluster_id(cluster)
    );
    wire!(
        "get_kubeconfig",
        client
            .get_kubeconfig()
            .cluster_id(cluster)
            .expiry_seconds(300u64)
            .type_(types::CredentialsType::Token)
    );
    wire!(
        "get_credentials",
        client
            .get_credentials()
            .cluster_id(cluster)
            .expiry_seconds(300u64)
    );
    wire!(
        "get_available_upgrades",
        client.get_available_upgrades().cluster_id(cluster)
    );
    wire!(
        "upgrade_cluster",
        client
            .upgrade_cluster()
            .cluster_id(cluster)
            .body(typed::<types::ClusterUpgrade>("upgrade_cluster"))
    );
    wire!(
        "list_node_pools",
        client.list_node_pools().cluster_id(cluster)
    );
    wire!(
        "add_node_pool",
        client
            .add_node_pool()
            .cluster_id(cluster)
            .body(typed::<types::NodePoolCreate>("add_node_pool"))
    );
    wire!(
        "get_node_pool",
        client
            .get_node_pool()
            .cluster_id(cluster)
            .node_pool_id(pool)
    );
    wire!(
        "update_node_pool",
        client
            .update_node_pool()
            .cluster_id(cluster)
            .node_pool_id(pool)
            .body(typed::<types::NodePoolUpdate>("update_node_pool"))
    );
    wire!(
        "delete_node_pool",
        client
            .delete_node_pool()
            .cluster_id(cluster)
            .node_pool_id(pool)
    );
    wire!(
        "delete_node",
        client
            .delete_node()
            .cluster_id(cluster)
            .node_pool_id(pool)
            .node_id(node)
            .skip_drain(1u64)
            .replace(1u64)
    );
    wire!(
        "recycle_node_pool",
        client
            .recycle_node_pool()
            .cluster_id(cluster)
            .node_pool_id(pool)
            .body(typed::<types::NodeRecycle>("recycle_node_pool"))
    );
    wire!(
        "get_status_messages",
        client.get_status_messages().cluster_id(cluster).since(
            "2018-11-15T16:00:11Z"
                .parse::<chrono::DateTime<chrono::Utc>>()
                .unwrap()
        )
    );
    wire!(
        "run_cluster_lint",
        client
            .run_cluster_lint()
            .cluster_id(cluster)
            .body(typed::<types::ClusterlintRequest>("run_cluster_lint"))
    );
    wire!(
        "get_cluster_lint_results",
        client
            .get_cluster_lint_results()
            .cluster_id(cluster)
            .run_id(
                "50c2f44c-011d-493e-aee5-361a4a0d1844"
                    .parse::<uuid::Uuid>()
                    .unwrap()
            )
    );
    wire!(
        "get_cluster_user",
        client.get_cluster_user().cluster_id(cluster)
    );
    wire!("list_options", client.list_options());
    wire!(
        "add_registries",
        client
            .add_registries()
            .body(typed::<types::ClusterRegistries>("add_registries"))
    );
    wire!(
        "remove_registries",
        client
            .remove_registries()
            .body(typed::<types::ClusterRegistries>("remove_registries"))
    );
    wire!(
        "add_registry",
        client
            .add_registry()
            .body(typed::<types::ClusterRegistry>("add_registry"))
    );
    wire!(
        "remove_registry",
        client
            .remove_registry()
            .body(typed::<types::ClusterRegistry>("remove_registry"))
    );

    common::assert_every_operation_recorded(&shapes, OPERATIONS, &["authorization"]);
    insta::assert_yaml_snapshot!("digitalocean_wire_shapes", shapes);
}
