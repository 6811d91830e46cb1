//! The inventory over all four providers' mocks: every cluster in one stream with its state
//! normalised, and one provider failing as an error item naming it while the others answer.
#![cfg(all(
    feature = "digitalocean",
    feature = "oks",
    feature = "cloud66",
    feature = "commissaire"
))]

use crate::common;

use futures::StreamExt as _;
use httpmock::{Method, MockServer};
use kaas::RetryPolicy;
use kaas::inventory::{ClusterState, Inventory, Provider, ProviderCluster};
use serde_json::json;

/// The four providers' mocks, Cloud66 answering 401 to everything.
async fn four_providers() -> (Inventory, [MockServer; 4]) {
    let digitalocean = MockServer::start_async().await;
    digitalocean
        .mock_async(|when, then| {
            when.method(Method::GET).path("/v2/kubernetes/clusters");
            then.status(200).json_body(common::fixture(
                "digitalocean",
                "list_clusters.response.json",
            ));
        })
        .await;
    let oks = MockServer::start_async().await;
    let mut clusters = common::fixture("oks", "list_clusters.response.json");
    clusters["Clusters"][0]["name"] = "oks-prod".into();
    clusters["Clusters"][0]["statuses"]["status"] = "ready".into();
    oks.mock_async(|when, then| {
        when.method(Method::GET).path("/clusters/all");
        then.status(200).json_body(clusters);
    })
    .await;
    let cloud66 = MockServer::start_async().await;
    cloud66
        .mock_async(|when, then| {
            when.any_request();
            then.status(401)
                .json_body(common::fixture("cloud66", "common.error.401.live.json"));
        })
        .await;
    let commissaire = MockServer::start_async().await;
    commissaire
        .mock_async(|when, then| {
            when.method(Method::GET).path("/api/v0/clusters");
            then.status(200).json_body(json!(["mycluster", "staging"]));
        })
        .await;
    for (name, status) in [("mycluster", "ok"), ("staging", "")] {
        let mut cluster = common::fixture("commissaire", "get_cluster.response.json");
        cluster["name"] = name.into();
        cluster["status"] = status.into();
        commissaire
            .mock_async(|when, then| {
                when.method(Method::GET)
                    .path(format!("/api/v0/cluster/{name}"));
                then.status(200).json_body(cluster);
            })
            .await;
    }
    let inventory = Inventory::new()
        .with_digitalocean(
            kaas::digitalocean::Client::builder()
                .token("dop_v1_SENTINEL")
                .base_url(digitalocean.base_url())
                .build()
                .unwrap(),
        )
        .with_oks(
            kaas::oks::Client::builder()
                .access_key("AK", "SK-SENTINEL")
                .base_url(oks.base_url())
                .build()
                .unwrap(),
        )
        .with_cloud66(
            kaas::cloud66::Client::builder()
                .token("c66-SENTINEL")
                .base_url(cloud66.base_url())
                .retry_policy(RetryPolicy::none())
                .build()
                .unwrap(),
        )
        .with_commissaire(
            kaas::commissaire::Client::builder()
                .basic_auth("admin", "SENTINEL-password")
                .base_url(commissaire.base_url())
                .build()
                .unwrap(),
        );
    (inventory, [digitalocean, oks, cloud66, commissaire])
}

#[tokio::test]
async fn every_provider_answers_in_one_stream_and_a_failing_one_is_an_item_naming_it() {
    let (inventory, _servers) = four_providers().await;
    assert_eq!(
        inventory.providers(),
        [
            Provider::DigitalOcean,
            Provider::Oks,
            Provider::Cloud66,
            Provider::Commissaire
        ]
    );
    let items: Vec<_> = inventory.clusters().collect().await;
    let mut listed: Vec<_> = items
        .iter()
        .filter_map(|item| item.as_ref().ok())
        .map(|c| (c.provider, c.name.as_str(), c.state, c.raw_state.as_str()))
        .collect();
    listed.sort_by_key(|(provider, name, _, _)| (*provider, name.to_string()));
    assert_eq!(
        listed,
        [
            (
                Provider::DigitalOcean,
                "prod-cluster-01",
                ClusterState::Provisioning,
                "provisioning"
            ),
            (Provider::Oks, "oks-prod", ClusterState::Running, "ready"),
            (
                Provider::Commissaire,
                "mycluster",
                ClusterState::Running,
                "ok"
            ),
            (
                Provider::Commissaire,
                "staging",
                ClusterState::Provisioning,
                ""
            ),
        ]
    );
    let failures: Vec<_> = items
        .iter()
        .filter_map(|item| item.as_ref().err())
        .collect();
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert_eq!(failures[0].provider, Provider::Cloud66);
    assert_eq!(failures[0].error.status(), Some(401));
    let message = failures[0].to_string();
    assert!(
        message.starts_with("cloud66: cloud66 answered 401"),
        "{message}"
    );
    assert!(!message.contains("SENTINEL"), "{message}");
}

#[tokio::test]
async fn a_summary_carries_what_each_provider_says_and_its_typed_object() {
    let (inventory, _servers) = four_providers().await;
    let items: Vec<_> = inventory.clusters().collect().await;
    let digitalocean = items
        .iter()
        .flatten()
        .find(|c| c.provider == Provider::DigitalOcean)
        .unwrap();
    assert_eq!(digitalocean.id, "bd5f5959-5e1e-4205-a714-a914373942af");
    assert_eq!(digitalocean.location.as_deref(), Some("nyc1"));
    assert_eq!(
        digitalocean.kubernetes_version.as_deref(),
        Some("1.18.6-do.0")
    );
    assert_eq!(digitalocean.node_count, Some(5), "3 + 2 nodes in two pools");
    assert_eq!(
        digitalocean.context_name(),
        "do-nyc1-prod-cluster-01",
        "as doctl names it"
    );
    assert!(digitalocean.created_at.is_some());
    assert!(
        matches!(&digitalocean.object, ProviderCluster::DigitalOcean(c) if c.name == "prod-cluster-01")
    );
    let commissaire = items
        .iter()
        .flatten()
        .find(|c| c.name == "mycluster")
        .unwrap();
    assert_eq!(commissaire.id, "mycluster");
    assert_eq!(commissaire.node_count, Some(3));
    assert_eq!(commissaire.kubernetes_version, None);
    assert_eq!(commissaire.context_name(), "commissaire-mycluster");
    let oks = items
        .iter()
        .flatten()
        .find(|c| c.provider == Provider::Oks)
        .unwrap();
    assert!(matches!(&oks.object, ProviderCluster::Oks(c) if c.name == "oks-prod"));
}

#[tokio::test]
async fn a_provider_whose_clusters_fail_to_read_ends_with_one_failure() {
    let commissaire = MockServer::start_async().await;
    commissaire
        .mock_async(|when, then| {
            when.method(Method::GET).path("/api/v0/clusters");
            then.status(200).json_body(json!(["a", "b", "c"]));
        })
        .await;
    let reads = commissaire
        .mock_async(|when, then| {
            when.method(Method::GET).path_prefix("/api/v0/cluster/");
            then.status(500)
                .header("content-type", "text/html")
                .body("Internal Server Error");
        })
        .await;
    let inventory = Inventory::new().with_commissaire(
        kaas::commissaire::Client::builder()
            .basic_auth("admin", "pw")
            .base_url(commissaire.base_url())
            .retry_policy(RetryPolicy::none())
            .build()
            .unwrap(),
    );
    let items: Vec<_> = inventory.clusters().collect().await;
    assert_eq!(items.len(), 1, "one failure, then nothing: {items:?}");
    let failure = items[0].as_ref().unwrap_err();
    assert_eq!(
        (failure.provider, failure.error.status()),
        (Provider::Commissaire, Some(500))
    );
    assert!(reads.calls_async().await >= 1);
}
