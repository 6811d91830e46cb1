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
use httpmock::MockServer;
use kaas::RetryPolicy;
use kaas::cloud66::mock::MockServerExt as Cloud66Mock;
use kaas::commissaire::mock::MockServerExt as CommissaireMock;
use kaas::digitalocean::mock::MockServerExt as DigitalOceanMock;
use kaas::inventory::{ClusterState, Inventory, Provider, ProviderCluster};
use kaas::oks::mock::MockServerExt as OksMock;
use serde_json::json;

/// DigitalOcean's documented cluster list, served by `server`.
fn digitalocean_listing(server: &MockServer) -> httpmock::Mock<'_> {
    DigitalOceanMock::list_clusters(server, |_, then| {
        then.ok(&common::fixture_as(
            "digitalocean",
            "list_clusters.response.json",
        ));
    })
}

/// A DigitalOcean client of `server`.
fn digitalocean_client(server: &MockServer) -> kaas::digitalocean::Client {
    kaas::digitalocean::Client::builder()
        .token("dop_v1_SENTINEL")
        .base_url(server.base_url())
        .build()
        .unwrap()
}

/// An OKS client of `server`.
fn oks_client(server: &MockServer) -> kaas::oks::Client {
    kaas::oks::Client::builder()
        .access_key("AK", "SK-SENTINEL")
        .base_url(server.base_url())
        .build()
        .unwrap()
}

/// The four providers' mocks, Cloud66 answering 401 to everything.
async fn four_providers() -> (Inventory, [MockServer; 4]) {
    let digitalocean = MockServer::start_async().await;
    digitalocean_listing(&digitalocean);
    let oks = MockServer::start_async().await;
    let mut clusters = common::fixture("oks", "list_clusters.response.json");
    clusters["Clusters"][0]["name"] = "oks-prod".into();
    clusters["Clusters"][0]["statuses"]["status"] = "ready".into();
    OksMock::list_clusters(&oks, |_, then| {
        then.ok(&serde_json::from_value(clusters).unwrap());
    });
    let cloud66 = MockServer::start_async().await;
    Cloud66Mock::list_clusters(&cloud66, |_, then| {
        then.unauthorized(&common::fixture_as("cloud66", "common.error.401.live.json"));
    });
    let commissaire = MockServer::start_async().await;
    CommissaireMock::list_clusters(&commissaire, |_, then| {
        then.ok(&kaas::commissaire::types::Names(vec![
            "mycluster".into(),
            "staging".into(),
        ]));
    });
    for (name, status) in [("mycluster", "ok"), ("staging", "")] {
        let mut cluster = common::fixture("commissaire", "get_cluster.response.json");
        cluster["name"] = name.into();
        cluster["status"] = status.into();
        CommissaireMock::get_cluster(&commissaire, |when, then| {
            when.name(&name.parse().unwrap());
            then.ok(&serde_json::from_value(cluster).unwrap());
        });
    }
    let inventory = Inventory::new()
        .with_digitalocean(digitalocean_client(&digitalocean))
        .with_oks(oks_client(&oks))
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
    assert!(message.starts_with("cloud66 answered 401 "), "{message}");
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
    CommissaireMock::list_clusters(&commissaire, |_, then| {
        then.ok(&kaas::commissaire::types::Names(vec![
            "a".into(),
            "b".into(),
            "c".into(),
        ]));
    });
    let reads = CommissaireMock::get_cluster(&commissaire, |_, then| {
        // Commissaire's errors are HTML pages; the typed responders send JSON only.
        common::answer_text(then.into_inner(), 500, "text/html", "Internal Server Error");
    });
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

#[tokio::test]
async fn a_cluster_is_found_by_id_then_by_name_and_a_miss_is_not_found() {
    let (inventory, _servers) = four_providers().await;
    let by_id = inventory
        .find(
            &"digitalocean/bd5f5959-5e1e-4205-a714-a914373942af"
                .parse()
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(by_id.name, "prod-cluster-01");
    let by_name = inventory
        .find(&"do/prod-cluster-01".parse().unwrap())
        .await
        .unwrap();
    assert_eq!(by_name.id, by_id.id);
    let commissaire = inventory
        .find(&"commissaire/staging".parse().unwrap())
        .await
        .unwrap();
    assert_eq!(
        (commissaire.id.as_str(), commissaire.name.as_str()),
        ("staging", "staging")
    );

    let missing = inventory
        .find(&"oks/nowhere".parse().unwrap())
        .await
        .unwrap_err();
    assert!(missing.is_not_found(), "{missing}");
    assert_eq!(
        missing.to_string(),
        "oks has no cluster with id or name `nowhere`"
    );
    // A provider that fails to list fails the lookup with its own error.
    let refused = inventory
        .find(&"cloud66/anything".parse().unwrap())
        .await
        .unwrap_err();
    assert_eq!(refused.status(), Some(401), "{refused}");
}

#[tokio::test]
async fn two_clusters_of_one_name_ask_for_an_id_and_an_absent_provider_says_what_to_set() {
    let server = MockServer::start_async().await;
    let mut list = common::fixture("digitalocean", "list_clusters.response.json");
    let mut twin = list["kubernetes_clusters"][0].clone();
    twin["id"] = "0f9c1a8e-9a0b-4c55-9d3e-2d6f0e2d9c11".into();
    list["kubernetes_clusters"]
        .as_array_mut()
        .unwrap()
        .push(twin);
    list["meta"]["total"] = 2.into();
    DigitalOceanMock::list_clusters(&server, |_, then| {
        then.ok(&serde_json::from_value(list).unwrap());
    });
    let inventory = Inventory::new().with_digitalocean(digitalocean_client(&server));
    let ambiguous = inventory
        .find(&"digitalocean/prod-cluster-01".parse().unwrap())
        .await
        .unwrap_err();
    let message = ambiguous.to_string();
    assert!(
        matches!(ambiguous, kaas::Error::InvalidInput(_)),
        "{message}"
    );
    assert!(
        message.contains("bd5f5959-5e1e-4205-a714-a914373942af")
            && message.contains("0f9c1a8e-9a0b-4c55-9d3e-2d6f0e2d9c11"),
        "{message}"
    );
    let absent = inventory
        .find(&"oks/prod".parse().unwrap())
        .await
        .unwrap_err();
    assert!(absent.to_string().contains("OKS_ACCESS_KEY"), "{absent}");
}

#[tokio::test]
async fn digitalocean_credentials_carry_the_asked_lifetime_and_the_answered_expiry() {
    let (inventory, [digitalocean, ..]) = four_providers().await;
    let credentials = DigitalOceanMock::get_credentials(&digitalocean, |when, then| {
        when.cluster_id(&"bd5f5959-5e1e-4205-a714-a914373942af".parse().unwrap())
            .expiry_seconds(1800);
        then.ok(&serde_json::from_value(json!({
            "server": "https://bd5f5959.k8s.ondigitalocean.com",
            "token": "SENTINEL-cluster-token",
            "expires_at": "2030-01-01T00:30:00Z"
        }))
        .unwrap());
    });
    let cluster = inventory
        .find(&"digitalocean/prod-cluster-01".parse().unwrap())
        .await
        .unwrap();
    let credential = inventory
        .credential(&cluster, Some(std::time::Duration::from_secs(1800)))
        .await
        .unwrap();
    credentials.assert_async().await;
    assert_eq!(credential.expose_token(), Some("SENTINEL-cluster-token"));
    let json: serde_json::Value = serde_json::from_str(secrecy::ExposeSecret::expose_secret(
        &credential.exec_credential_json(),
    ))
    .unwrap();
    assert_eq!(
        json["status"]["expirationTimestamp"],
        "2030-01-01T00:30:00Z"
    );
    assert_eq!(json["status"]["token"], "SENTINEL-cluster-token");
    assert!(!format!("{credential:?}").contains("SENTINEL"));
}

#[tokio::test]
async fn commissaire_hands_out_no_kubeconfig() {
    let (inventory, _servers) = four_providers().await;
    let cluster = inventory
        .find(&"commissaire/mycluster".parse().unwrap())
        .await
        .unwrap();
    let error = inventory.kubeconfig(&cluster, None).await.unwrap_err();
    assert!(matches!(error, kaas::Error::InvalidInput(_)), "{error}");
    assert!(error.to_string().contains("no kubeconfig"), "{error}");
}

#[tokio::test]
async fn an_id_is_read_directly_and_only_a_name_lists() {
    const DO_ID: &str = "bd5f5959-5e1e-4205-a714-a914373942af";
    const OKS_ID: &str = "5f0c1c0e-8d4b-4c7e-9f39-2b1b0d6a6c11";
    let digitalocean = MockServer::start_async().await;
    let do_list = digitalocean_listing(&digitalocean);
    let do_read = DigitalOceanMock::get_cluster(&digitalocean, |when, then| {
        when.cluster_id(&DO_ID.parse().unwrap());
        then.ok(&common::fixture_as(
            "digitalocean",
            "get_cluster.response.json",
        ));
    });
    let oks = MockServer::start_async().await;
    let mut cluster = common::fixture("oks", "get_cluster.response.json");
    cluster["Cluster"]["id"] = OKS_ID.into();
    let oks_read = OksMock::get_cluster(&oks, |when, then| {
        when.cluster_id(OKS_ID);
        then.ok(&serde_json::from_value(cluster).unwrap());
    });
    let commissaire = MockServer::start_async().await;
    let commissaire_list = CommissaireMock::list_clusters(&commissaire, |_, then| {
        then.ok(&kaas::commissaire::types::Names(vec!["mycluster".into()]));
    });
    let commissaire_read = CommissaireMock::get_cluster(&commissaire, |when, then| {
        when.name(&"gone".parse().unwrap());
        // A bare 404 without a body; the typed `not_found` sends one.
        then.into_inner().status(404);
    });
    let inventory = Inventory::new()
        .with_digitalocean(digitalocean_client(&digitalocean))
        .with_oks(oks_client(&oks))
        .with_commissaire(
            kaas::commissaire::Client::builder()
                .token("SENTINEL-token")
                .base_url(commissaire.base_url())
                .build()
                .unwrap(),
        );

    let by_id = inventory
        .find(&format!("digitalocean/{DO_ID}").parse().unwrap())
        .await
        .unwrap();
    assert_eq!(by_id.id, DO_ID);
    assert_eq!(
        (do_read.calls_async().await, do_list.calls_async().await),
        (1, 0)
    );
    let by_name = inventory
        .find(&"digitalocean/prod-cluster-01".parse().unwrap())
        .await
        .unwrap();
    assert_eq!(by_name.id, DO_ID);
    assert_eq!(
        (do_read.calls_async().await, do_list.calls_async().await),
        (1, 1)
    );

    let oks_cluster = inventory
        .find(&format!("oks/{OKS_ID}").parse().unwrap())
        .await
        .unwrap();
    assert_eq!(
        (oks_cluster.id.as_str(), oks_read.calls_async().await),
        (OKS_ID, 1)
    );

    // Commissaire's ids are its names: a name it does not have is not found, without a list.
    let gone = inventory
        .find(&"commissaire/gone".parse().unwrap())
        .await
        .unwrap_err();
    assert!(gone.is_not_found(), "{gone}");
    assert_eq!(
        (
            commissaire_read.calls_async().await,
            commissaire_list.calls_async().await
        ),
        (1, 0)
    );
}

/// A Commissaire server listing `names`, whose every cluster read answers the documented
/// cluster under the name asked; returns the inventory and the read mock.
async fn commissaire_listing(
    server: &MockServer,
    names: serde_json::Value,
) -> (Inventory, httpmock::Mock<'_>) {
    CommissaireMock::list_clusters(server, |_, then| {
        then.ok(&serde_json::from_value(names).unwrap());
    });
    let reads = CommissaireMock::get_cluster(server, |_, then| {
        then.respond_with(|request: &httpmock::HttpMockRequest| {
            let name = request.uri().path().rsplit('/').next().unwrap().to_string();
            let mut cluster = common::fixture("commissaire", "get_cluster.response.json");
            cluster["name"] = name.into();
            common::json_response(200, &cluster)
        });
    });
    let inventory = Inventory::new().with_commissaire(
        kaas::commissaire::Client::builder()
            .basic_auth("admin", "pw")
            .base_url(server.base_url())
            .build()
            .unwrap(),
    );
    (inventory, reads)
}

#[tokio::test]
async fn a_name_listed_twice_is_read_and_listed_once() {
    let server = MockServer::start_async().await;
    let (inventory, reads) =
        commissaire_listing(&server, json!(["prod", "prod", "dev", "prod"])).await;
    let items: Vec<_> = inventory.clusters().collect().await;
    let names: Vec<String> = items.into_iter().map(|item| item.unwrap().name).collect();
    assert_eq!(
        names,
        ["prod", "dev"],
        "each cluster once, in the order first listed"
    );
    assert_eq!(reads.calls_async().await, 2, "one read a name");
}

#[tokio::test]
async fn a_listing_of_more_names_than_the_cap_ends_with_a_typed_error_and_no_reads() {
    let server = MockServer::start_async().await;
    let names: Vec<String> = (0..=kaas::inventory::MAX_NAMED_READS)
        .map(|n| format!("c{n}"))
        .collect();
    let (inventory, reads) = commissaire_listing(&server, json!(names)).await;
    let items: Vec<_> = inventory.clusters().collect().await;
    assert_eq!(items.len(), 1, "one failure and nothing else");
    let failure = items[0].as_ref().unwrap_err();
    assert!(
        matches!(failure.error, kaas::Error::IncompleteListing { got: 0, .. }),
        "{failure}"
    );
    assert_eq!(reads.calls_async().await, 0, "no cluster read past the cap");
}

/// Commissaire answers a missing cluster 500 (the page of any server failure): the lookup asks
/// the cluster list, and a cluster it lacks is not found.
#[tokio::test]
async fn a_commissaire_cluster_answered_500_and_not_listed_is_not_found() {
    let (inventory, servers) = four_providers().await;
    CommissaireMock::get_cluster(&servers[3], |when, then| {
        when.name(&"ghost".parse().unwrap());
        // Commissaire's errors are HTML pages; the typed responders send JSON only.
        common::answer_text(then.into_inner(), 500, "text/html", "Internal Server Error");
    });
    let missing = inventory
        .find(&"commissaire/ghost".parse().unwrap())
        .await
        .unwrap_err();
    assert!(missing.is_not_found(), "{missing:?}");
    assert_eq!(
        missing.to_string(),
        "commissaire has no cluster with id or name `ghost`"
    );
}
