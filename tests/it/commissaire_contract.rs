//! The Commissaire contract: every example parses into the generated types, every operation
//! sends what the document describes (insta wire shapes), and the operation inventory.
#![cfg(feature = "commissaire")]

use crate::common;

use std::collections::BTreeMap;

use kaas::RetryPolicy;
use kaas::commissaire::{Client, OPERATIONS, contract, types};

const PROVIDER: &str = "commissaire";

fn typed<T: serde::de::DeserializeOwned>(operation: &str) -> T {
    common::fixture_as(PROVIDER, &format!("{operation}.request.json"))
}

#[test]
fn the_33_examples_parse() {
    let report = common::check_contract(PROVIDER, &common::contract_bodies!(contract::BODIES));
    // The document's 15 examples, and 18 shapes of the server's own source (the records the
    // create PUTs answer, the membership answers, the operation records, the `trivial` type,
    // host credentials, the self-registration body, the 400/405/500 reason phrases).
    assert_eq!(
        (report.requests, report.responses, report.errors),
        (6, 22, 0),
        "{report:?}"
    );
    assert_eq!(
        report.other,
        [
            "common.error.400.html",
            "common.error.404.html",
            "common.error.405.html",
            "common.error.409.html",
            "common.error.500.html"
        ]
    );
}

/// specs/README.md rule 9, both ways: every example of the spec is a fixture with the same
/// content, and every fixture is an example of the spec, named after its operation and status.
#[test]
fn every_example_of_the_spec_is_a_fixture_and_every_fixture_an_example() {
    assert_eq!(common::assert_examples_are_fixtures(PROVIDER), (33, 33));
}

#[test]
fn host_status_and_types_are_open_enums() {
    let host: types::Host = common::fixture_as(PROVIDER, "get_host.response.json");
    assert_eq!(host.status, types::HostState::Active);
    let fresh: types::Host =
        serde_json::from_value(serde_json::json!({"address": "10.0.0.9", "status": ""})).unwrap();
    assert_eq!(fresh.status, types::HostState::New);
    let odd: types::Host =
        serde_json::from_value(serde_json::json!({"address": "10.0.0.9", "status": "rebooting"}))
            .unwrap();
    assert_eq!(odd.status, types::HostState::Unknown("rebooting".into()));
    // A host record without its address or status is refused: every answer carries both.
    let anonymous = serde_json::from_value::<types::Host>(serde_json::json!({"status": "active"}));
    assert!(anonymous.unwrap_err().to_string().contains("address"));
    let network: types::Network = common::fixture_as(PROVIDER, "get_network.response.json");
    assert_eq!(network.type_, types::NetworkType::FlannelServer);
    let trivial: types::ContainerManagerConfig =
        common::fixture_as(PROVIDER, "get_container_manager.response.trivial.json");
    assert_eq!(trivial.type_, types::ContainerManagerType::Trivial);
    assert_eq!(
        serde_json::to_value(types::ContainerManagerType::Trivial).unwrap(),
        "trivial"
    );
}

#[test]
fn create_and_membership_answers_carry_the_stored_cluster() {
    let created: types::Cluster = common::fixture_as(PROVIDER, "create_cluster.response.json");
    assert_eq!(created.name, "mycluster");
    assert_eq!(created.status, types::ClusterState::NotComputed);
    assert_eq!(created.hosts, None);
    assert!(created.hostset.is_empty());
    let swapped: types::Cluster = common::fixture_as(PROVIDER, "set_cluster_members.response.json");
    assert_eq!(swapped.status, types::ClusterState::NotComputed);
    assert_eq!(swapped.hostset, ["192.168.100.50", "192.168.100.51"]);
    // `""` round-trips as `""`, and the computed values keep their names.
    assert_eq!(serde_json::to_value(&swapped).unwrap()["status"], "");
    let read: types::Cluster = common::fixture_as(PROVIDER, "get_cluster.response.json");
    assert_eq!(read.status, types::ClusterState::Ok);
    assert_eq!(read.hosts.map(|h| h.total), Some(3));
}

#[test]
fn operation_records_and_credentials_carry_their_keys() {
    let deploy: types::ClusterDeploy =
        common::fixture_as(PROVIDER, "start_cluster_deploy.response.json");
    assert_eq!(
        (deploy.name.as_deref(), deploy.finished_at.as_deref()),
        (Some("mycluster"), Some(""))
    );
    let upgrade: types::ClusterUpgrade =
        common::fixture_as(PROVIDER, "start_cluster_upgrade.response.json");
    assert_eq!(upgrade.name.as_deref(), Some("mycluster"));
    let restart: types::ClusterRestart =
        common::fixture_as(PROVIDER, "start_cluster_restart.response.json");
    assert_eq!(restart.name.as_deref(), Some("mycluster"));
    let creds: types::HostCreds = common::fixture_as(PROVIDER, "get_host_creds.response.json");
    assert_eq!(creds.address, "192.168.100.50");
    assert!(!format!("{creds:?}").contains("dGVzdAo"));
    let registration: types::HostRegistration =
        common::fixture_as(PROVIDER, "register_host.request.json");
    assert_eq!(registration.address.as_str(), "192.168.100.50");
    assert!(
        serde_json::from_value::<types::HostRegistration>(
            serde_json::json!({"cluster": "default"})
        )
        .is_err(),
        "the server answers 400 to a registration without `address`"
    );
}

#[test]
fn names_and_addresses_are_one_type_each_checked_against_the_server_routes() {
    // One Rust type per concept, whatever the operation.
    let cluster: types::ClusterName = "prod_1-a".parse().unwrap();
    let address: types::HostAddress = "node-1.example.com".parse().unwrap();
    let client = Client::new("http://127.0.0.1:1", "admin", "SENTINEL").unwrap();
    let _ = client.get_cluster().name(cluster.clone());
    let _ = client.start_cluster_deploy().name(cluster.clone());
    let _ = client
        .check_cluster_member()
        .name(cluster)
        .ip(address.clone());
    let _ = client.get_host_creds().ip(address);
    let _: types::NetworkName = "mynetwork".parse().unwrap();
    let _: types::ContainerManagerName = "prod_openshift".parse().unwrap();
    for bad in ["", "my cluster", "prod.1", "a/b"] {
        assert!(bad.parse::<types::ClusterName>().is_err(), "{bad}");
        assert!(bad.parse::<types::NetworkName>().is_err(), "{bad}");
        assert!(bad.parse::<types::ContainerManagerName>().is_err(), "{bad}");
    }
    for bad in ["", "fe80::1", "10.0.0.0/8", "host name"] {
        assert!(bad.parse::<types::HostAddress>().is_err(), "{bad}");
    }
}

#[test]
fn creating_puts_and_operation_starts_are_never_retried() {
    let once: Vec<&str> = OPERATIONS
        .iter()
        .filter(|op| !op.idempotent)
        .map(|op| op.id)
        .collect();
    assert_eq!(
        once,
        [
            "create_cluster",
            "start_cluster_deploy",
            "set_cluster_members",
            "start_cluster_restart",
            "start_cluster_upgrade",
            "create_container_manager",
            "register_host",
            "create_host",
            "create_network"
        ]
    );
    let membership: Vec<(&str, bool)> = OPERATIONS
        .iter()
        .filter(|op| op.method == "PUT" && op.path.contains("/hosts"))
        .map(|op| (op.id, op.idempotent))
        .collect();
    assert_eq!(
        membership,
        [("set_cluster_members", false), ("add_cluster_member", true)],
        "compare-and-swap is not repeated: a retry after a lost answer would get 409"
    );
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
        client
            .set_cluster_members()
            .name("mycluster")
            .body(typed::<types::MembershipChange>("set_cluster_members"))
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
            .body(typed::<types::DeployRequest>("start_cluster_deploy"))
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
            .body(typed::<types::HostRegistration>("register_host"))
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
                options: Some(
                    [(
                        "address".to_string(),
                        serde_json::json!("192.168.152.101:8080")
                    )]
                    .into_iter()
                    .collect()
                ),
            })
    );
    wire!("delete_network", client.delete_network().name("mynetwork"));

    common::assert_every_operation_recorded(&shapes, OPERATIONS, &["authorization"]);
    insta::assert_yaml_snapshot!("commissaire_wire_shapes", shapes);
}
