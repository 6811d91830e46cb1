//! The OKS contract: every example of the document parses into the generated types, every
//! operation sends the documented request (insta wire shapes), and the operation inventory.
#![cfg(feature = "oks")]

mod common;

use std::collections::BTreeMap;

use kaas::RetryPolicy;
use kaas::oks::{Client, OPERATIONS, contract, types};

const PROVIDER: &str = "oks";

fn typed<T: serde::de::DeserializeOwned>(operation: &str) -> T {
    common::fixture_as(PROVIDER, &format!("{operation}.request.json"))
}

fn bodies() -> Vec<common::OperationBodies> {
    common::contract_bodies!(contract::BODIES)
}

#[test]
fn the_30_examples_parse() {
    let report = common::check_contract(PROVIDER, &bodies());
    // 4 request bodies and 21 success bodies from the document; 2 documented error bodies and
    // 3 of the live error shape.
    assert_eq!(
        (report.requests, report.responses, report.errors),
        (4, 21, 5),
        "{report:?}"
    );
    assert!(report.other.is_empty(), "{:?}", report.other);
}

#[test]
fn statuses_are_open_enums() {
    let mut cluster = common::fixture(PROVIDER, "get_cluster.response.json");
    cluster["Cluster"]["statuses"]["status"] = "ready".into();
    let parsed: types::ClusterResponse = serde_json::from_value(cluster.clone()).unwrap();
    assert_eq!(
        parsed.cluster.unwrap().statuses.unwrap().status,
        Some(types::ResourceStatus::Ready)
    );
    cluster["Cluster"]["statuses"]["status"] = "hibernating".into();
    let parsed: types::ClusterResponse = serde_json::from_value(cluster).unwrap();
    let status = parsed.cluster.unwrap().statuses.unwrap().status.unwrap();
    assert_eq!(status, types::ResourceStatus::Unknown("hibernating".into()));
    assert_eq!(serde_json::to_value(&status).unwrap(), "hibernating");
}

#[test]
fn operation_inventory() {
    assert_eq!(OPERATIONS.len(), 21);
    let inventory = common::inventory("oks", OPERATIONS);
    insta::assert_yaml_snapshot!("oks_operations", inventory);
}

#[tokio::test]
async fn wire_shape_of_every_operation() {
    let (server, seen) = common::recording_server(200, "{}").await;
    let client = Client::builder()
        .access_key("AK-SENTINEL", "SK-SENTINEL")
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
    let cluster = "cluster-1";
    let project = "project-1";
    wire!(
        "create_cluster",
        client
            .create_cluster()
            .body(typed::<types::ClusterInput>("create_cluster"))
    );
    wire!(
        "list_project_clusters",
        client
            .list_project_clusters()
            .project_id(project)
            .name("awesome-cluster")
            .status("ready")
            .version("1.30")
            .deleted(true)
    );
    wire!(
        "list_clusters",
        client
            .list_clusters()
            .name("awesome-cluster")
            .status("ready")
            .version("1.30")
            .deleted(false)
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
        "get_cluster_kubeconfig",
        client
            .get_cluster_kubeconfig()
            .cluster_id(cluster)
            .user("admin")
            .group("admins")
            .ttl("1h")
    );
    wire!(
        "get_cluster_kubeconfig_encrypted",
        client
            .get_cluster_kubeconfig_encrypted()
            .cluster_id(cluster)
            .x_encrypt_nacl("9MLkzprVzQ3uVxZlmLxflvMD0GhTioQHSUQVUTeFIBI=")
    );
    wire!(
        "upgrade_cluster",
        client.upgrade_cluster().cluster_id(cluster)
    );
    wire!(
        "list_kubernetes_versions",
        client.list_kubernetes_versions()
    );
    wire!("list_cp_subregions", client.list_cp_subregions());
    wire!(
        "list_control_plane_plans",
        client.list_control_plane_plans()
    );
    wire!(
        "create_project",
        client
            .create_project()
            .body(typed::<types::ProjectInput>("create_project"))
    );
    wire!(
        "list_projects",
        client
            .list_projects()
            .name("my-project")
            .status("ready")
            .cidr("10.50.0.0/16")
            .deleted(false)
    );
    wire!("get_project", client.get_project().project_id(project));
    wire!(
        "update_project",
        client
            .update_project()
            .project_id(project)
            .body(typed::<types::ProjectUpdate>("update_project"))
    );
    wire!(
        "delete_project",
        client.delete_project().project_id(project)
    );
    wire!(
        "get_project_quotas",
        client.get_project_quotas().project_id(project)
    );
    wire!("get_project_template", client.get_project_template());
    wire!("get_cluster_template", client.get_cluster_template());
    wire!("get_nodepool_template", client.get_nodepool_template());

    common::assert_every_operation_recorded(&shapes, OPERATIONS, &["accesskey", "secretkey"]);
    insta::assert_yaml_snapshot!("oks_wire_shapes", shapes);
}
