//! The Commissaire contract: every example parses into the generated types, every operation
//! sends what the document describes (insta wire shapes), and the operation inventory.
#![cfg(feature = "commissaire")]

mod common;

use std::collections::BTreeMap;

use kaas::RetryPolicy;
use kaas::commissaire::{Client, OPERATIONS, contract, types};

const PROVIDER: &str = "commissaire";

fn typed<T: serde::de::DeserializeOwned>(operation: &str) -> T {
    common::fixture_as(PROVIDER, &format!("{operation}.request.json"))
}

#[test]
fn the_15_examples_parse() {
    let report = common::check_contract(PROVIDER, &common::contract_bodies!(contract::BODIES));
    assert_eq!(
        (report.requests, report.responses, report.errors),
        (3, 10, 0),
        "{report:?}"
    );
    assert_eq!(
        report.other,
        ["common.error.404.html", "common.error.409.html"]
    );
}

#[test]
fn host_status_and_types_are_open_enums() {
    let host: types::Host = common::fixture_as(PROVIDER, "get_host.response.json");
    assert_eq!(host.status, Some(types::HostState::Active));
    let fresh: types::Host =
        serde_json::from_value(serde_json::json!({"address": "10.0.0.9", "status": ""})).unwrap();
    assert_eq!(fresh.status, Some(types::HostState::New));
    let odd: types::Host =
        serde_json::from_value(serde_json::json!({"status": "rebooting"})).unwrap();
    assert_eq!(
        odd.status,
        Some(types::HostState::Unknown("rebooting".into()))
    );
    let network: types::Network = common::fixture_as(PROVIDER, "get_network.response.json");
    assert_eq!(network.type_, Some(types::NetworkType::FlannelServer));
}

#[test]
fn operation_inventory() {
    assert_eq!(OPERATIONS.len(), 30);
    let inventory = common::inventory("commissaire", OPERATIONS);
    insta::assert_yaml_snapshot!("commissaire_operations", inventory);
}

#[tokio::test]
async fn wire_shape_of_every_operation() {
    let (server, seen) = common::recording_server(200, "{}").await;
    let client = Client::builder()
        .basic_auth("admin", "SENTINEL")
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
    let ip = "192.168.100.50";
    let change = types::MembershipChange {
        old: vec![],
        new: vec![ip.into()],
    };
    wire!("get_cluster", client.get_cluster().name("mycluster"));
    wire!(
        "create_cluster",
        client
            .create_cluster()
            .name("mycluster")
            .body(typed::<types::ClusterCreate>("create_cluster"))
    );
    wire!("delete_cluster", client.delete_cluster().name("mycluster"));
    wire!("list_clusters", client.list_clusters());
    wire!(
        "list_cluster_members",
        client.list_cluster_members().name("mycluster")
    );
    wire!(
        "set_cluster_members",
        client.set_cluster_members().name("mycluster").body(change)
    );
    wire!(
        "check_cluster_member",
        client.check_cluster_member().name("mycluster").ip(ip)
    );
    wire!(
        "add_cluster_member",
        client.add_cluster_member().name("mycluster").ip(ip)
    );
    wire!(
        "remove_cluster_member",
        client.remove_cluster_member().name("mycluster").ip(ip)
    );
    wire!(
        "get_cluster_deploy",
        client.get_cluster_deploy().name("mycluster")
    );
    wire!(
        "start_cluster_deploy",
        client
            .start_cluster_deploy()
            .name("mycluster")
            .body(types::DeployRequest {
                version: "7.2.6".into()
            })
    );
    wire!(
        "get_cluster_upgrade",
        client.get_cluster_upgrade().name("mycluster")
    );
    wire!(
        "start_cluster_upgrade",
        client.start_cluster_upgrade().name("mycluster")
    );
    wire!(
        "get_cluster_restart",
        client.get_cluster_restart().name("mycluster")
    );
    wire!(
        "start_cluster_restart",
        client.start_cluster_restart().name("mycluster")
    );
    wire!("list_container_managers", client.list_container_managers());
    wire!(
        "get_container_manager",
        client.get_container_manager().name("prod_openshift")
    );
    wire!(
        "create_container_manager",
        client
            .create_container_manager()
            .name("prod_openshift")
            .body(typed::<types::ContainerManagerConfigCreate>(
                "create_container_manager"
            ))
    );
    wire!(
        "delete_container_manager",
        client.delete_container_manager().name("prod_openshift")
    );
    wire!("get_host", client.get_host().ip(ip));
    wire!(
        "create_host",
        client
            .create_host()
            .ip(ip)
            .body(typed::<types::HostCreate>("create_host"))
    );
    wire!("delete_host", client.delete_host().ip(ip));
    wire!(
        "register_host",
        client
            .register_host()
            .body(typed::<types::HostCreate>("create_host"))
    );
    wire!("get_host_creds", client.get_host_creds().ip(ip));
    wire!("get_host_status", client.get_host_status().ip(ip));
    wire!("list_hosts", client.list_hosts());
    wire!("list_networks", client.list_networks());
    wire!("get_network", client.get_network().name("mynetwork"));
    wire!(
        "create_network",
        client
            .create_network()
            .name("mynetwork")
            .body(types::NetworkCreate {
                name: None,
                type_: Some(types::NetworkType::FlannelServer),
                options: [(
                    "address".to_string(),
                    serde_json::json!("192.168.152.101:8080")
                )]
                .into_iter()
                .collect(),
            })
    );
    wire!("delete_network", client.delete_network().name("mynetwork"));

    common::assert_every_operation_recorded(&shapes, OPERATIONS, &["authorization"]);
    insta::assert_yaml_snapshot!("commissaire_wire_shapes", shapes);
}
