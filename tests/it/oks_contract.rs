//! The OKS contract: every example of the document parses into the generated types, every
//! operation sends the documented request (insta wire shapes), and the operation inventory.
#![cfg(feature = "oks")]

use crate::common;

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
fn the_68_examples_parse() {
    let report = common::check_contract(PROVIDER, &bodies());
    // 4 request bodies and 21 success bodies from the document, and the live project template
    // (`tags: null`); 2 documented error bodies, 35 upstream ones, and 5 of the live shapes
    // (one entry, several entries, not ready, validation, invalid token).
    assert_eq!(
        (report.requests, report.responses, report.errors),
        (4, 22, 42),
        "{report:?}"
    );
    assert!(report.other.is_empty(), "{:?}", report.other);
}

/// specs/README.md rule 9, both ways: every example of the spec's requests and responses
/// (operations and shared responses) is a fixture with the same JSON, and every fixture is an
/// example of the spec, named after its operation and status.
#[test]
fn every_example_of_the_spec_is_a_fixture_and_every_fixture_an_example() {
    assert_eq!(common::assert_examples_are_fixtures(PROVIDER), (72, 68));
}

#[test]
fn statuses_are_open_enums() {
    let mut cluster = common::fixture(PROVIDER, "get_cluster.response.json");
    cluster["Cluster"]["statuses"]["status"] = "ready".into();
    let parsed: types::ClusterResponse = serde_json::from_value(cluster.clone()).unwrap();
    assert_eq!(
        parsed.cluster.statuses.status,
        Some(types::ResourceStatus::Ready)
    );
    cluster["Cluster"]["statuses"]["status"] = "hibernating".into();
    let parsed: types::ClusterResponse = serde_json::from_value(cluster).unwrap();
    let status = parsed.cluster.statuses.status.unwrap();
    assert_eq!(status, types::ResourceStatus::Unknown("hibernating".into()));
    assert_eq!(serde_json::to_value(&status).unwrap(), "hibernating");
}

#[test]
fn operation_inventory() {
    assert_eq!(OPERATIONS.len(), 28);
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
            .page(2)
            .limit(100)
    );
    wire!(
        "list_clusters",
        client
            .list_clusters()
            .name("awesome-cluster")
            .status("ready")
            .version("1.30")
            .deleted(false)
            .cursor("cursor-2")
            .limit(50)
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
            .page(1)
            .limit(100)
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
    wire!(
        "list_project_snapshots",
        client.list_project_snapshots().project_id(project)
    );
    wire!(
        "list_project_public_ips",
        client.list_project_public_ips().project_id(project)
    );
    wire!(
        "list_project_nets",
        client.list_project_nets().project_id(project)
    );
    wire!(
        "get_cluster_template",
        client.get_cluster_template().x_real_ip("198.51.100.7")
    );
    wire!("get_nodepool_template", client.get_nodepool_template());
    wire!(
        "get_net_peering_request_template",
        client.get_net_peering_request_template()
    );
    wire!(
        "get_net_peering_acceptance_template",
        client.get_net_peering_acceptance_template()
    );
    wire!("get_quotas", client.get_quotas());
    wire!(
        "get_client_ip",
        client.get_client_ip().x_real_ip("198.51.100.7")
    );

    common::assert_every_operation_recorded(&shapes, OPERATIONS, &["accesskey", "secretkey"]);
    insta::assert_yaml_snapshot!("oks_wire_shapes", shapes);
}

/// The fields upstream adds to a cluster decode into their types, and what every cluster
/// answer carries is required: an answer without it is a decode error, not a silent `None`.
#[test]
fn upstream_cluster_fields_decode_and_required_fields_are_enforced() {
    let mut body = common::fixture(PROVIDER, "get_cluster.response.json");
    let cluster = &mut body["Cluster"];
    cluster["cp_multi_az"] = true.into();
    cluster["expected_version"] = "1.31".into();
    cluster["expected_control_planes"] = serde_json::Value::Null;
    cluster["maintenance_window"] =
        serde_json::json!({"duration_hours": 2, "start_hour": 3, "week_day": "Sun", "tz": "UTC"});
    cluster["auth"] = serde_json::json!({"oidc": {
        "issuer-url": "https://id.example.com", "client-id": "kaas",
        "groups-claim": ["groups"], "required-claim": {"aud": "kaas"}
    }});
    let parsed: types::ClusterResponse = serde_json::from_value(body.clone()).unwrap();
    let cluster = parsed.cluster;
    assert_eq!(cluster.cp_multi_az, Some(true));
    assert_eq!(cluster.expected_version.as_deref(), Some("1.31"));
    assert_eq!(cluster.expected_control_planes, None);
    let window = cluster.maintenance_window.unwrap();
    assert_eq!(
        (window.duration_hours, window.start_hour, window.week_day),
        (2, 3, types::WeekDay::Sun)
    );
    let oidc = cluster.auth.unwrap().oidc;
    assert_eq!(oidc.issuer_url, "https://id.example.com");
    assert_eq!(oidc.groups_claim, Some(vec!["groups".to_string()]));

    for field in ["id", "statuses", "tags", "cidr_pods"] {
        let mut broken = body.clone();
        broken["Cluster"].as_object_mut().unwrap().remove(field);
        let error = serde_json::from_value::<types::ClusterResponse>(broken).unwrap_err();
        assert!(error.to_string().contains(field), "{field}: {error}");
    }
}

/// A create request with upstream's newer fields sends them under their wire names.
#[test]
fn a_cluster_input_sends_maintenance_window_multi_az_and_oidc() {
    let input: types::ClusterInput = serde_json::from_value(serde_json::json!({
        "name": "awesome-cluster",
        "project_id": "p1",
        "version": "1.31",
        "cidr_pods": "10.91.0.0/16",
        "cidr_service": "10.92.0.0/16",
        "admin_whitelist": ["198.51.100.0/24"],
        "cp_multi_az": true,
        "cp_subregions": ["2a", "2b", "2c"],
        "maintenance_window": {"duration_hours": 1, "start_hour": 2, "week_day": "Mon"},
        "auth": {"oidc": {"issuer-url": "https://id.example.com", "client-id": "kaas"}}
    }))
    .unwrap();
    let sent = serde_json::to_value(&input).unwrap();
    assert_eq!(sent["cp_multi_az"], true);
    assert_eq!(sent["maintenance_window"]["week_day"], "Mon");
    assert_eq!(
        sent["auth"]["oidc"],
        serde_json::json!({"issuer-url": "https://id.example.com", "client-id": "kaas"})
    );
    assert!(
        sent.get("auto_maintenances").is_none(),
        "deprecated upstream, not sent"
    );
    for field in ["version", "cidr_pods", "cidr_service"] {
        let mut missing = sent.clone();
        missing.as_object_mut().unwrap().remove(field);
        assert!(
            serde_json::from_value::<types::ClusterInput>(missing).is_err(),
            "{field} is required upstream"
        );
    }
}

/// The live project template answers `"tags": null`; it decodes to `None`.
#[test]
fn the_live_project_template_with_null_tags_decodes() {
    let template: types::ProjectTemplateResponse =
        common::fixture_as(PROVIDER, "get_project_template.response.live.json");
    assert_eq!(template.template.tags, None);
    assert_eq!(template.template.name.to_string(), "awesome-project");
    let documented: types::ProjectTemplateResponse =
        common::fixture_as(PROVIDER, "get_project_template.response.json");
    assert_eq!(
        documented
            .template
            .tags
            .unwrap()
            .get("key")
            .map(String::as_str),
        Some("value")
    );
}

/// `QuotasData.subregions` (upstream) is read when sent and absent from the document's example.
#[test]
fn project_quotas_keep_their_subregions() {
    let mut body = common::fixture(PROVIDER, "get_project_quotas.response.json");
    let parsed: types::QuotasResponse = serde_json::from_value(body.clone()).unwrap();
    assert_eq!(parsed.project.data.subregions, Vec::new());
    body["Project"]["data"]["subregions"] = serde_json::json!([{
        "State": "available", "RegionName": "eu-west-2",
        "SubregionName": "eu-west-2a", "LocationCode": "PAR1"
    }]);
    let parsed: types::QuotasResponse = serde_json::from_value(body).unwrap();
    let subregion = &parsed.project.data.subregions[0];
    assert_eq!(
        (
            subregion.subregion_name.as_str(),
            subregion.location_code.as_str()
        ),
        ("eu-west-2a", "PAR1")
    );
}
