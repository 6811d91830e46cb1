//! The inventory: every cluster of the four providers in one stream, one of them failing.

use futures::StreamExt as _;
use httpmock::MockServer;
use kaas::inventory::Inventory;

use crate::{fixture, heading, support};

pub async fn tour() -> anyhow::Result<()> {
    heading(
        "Inventory",
        "offline: four mock servers, Cloud66's refusing the token",
    );
    let digitalocean = support::digitalocean::inventory_target().await?;
    let oks = MockServer::start_async().await;
    {
        use kaas::oks::mock::MockServerExt as _;
        let mut list: kaas::oks::types::ClusterResponseList = fixture(include_str!(
            "../../tests/fixtures/oks/list_clusters.response.json"
        ));
        for cluster in &mut list.clusters {
            cluster.name = "analytics".into();
            cluster.version = "1.32".into();
            cluster.cp_subregions = vec!["eu-west-2a".into(), "eu-west-2b".into()];
            cluster.statuses.status = Some(kaas::oks::types::ResourceStatus::Ready);
        }
        oks.list_clusters(|_, then| {
            then.ok(&list);
        });
    }
    let cloud66 = support::cloud66::refusing_target().await?;
    let commissaire = MockServer::start_async().await;
    {
        use kaas::commissaire::mock::MockServerExt as _;
        let cluster: kaas::commissaire::types::Cluster = fixture(include_str!(
            "../../tests/fixtures/commissaire/get_cluster.response.json"
        ));
        let name: kaas::commissaire::types::ClusterName = cluster.name.parse()?;
        commissaire.list_clusters(|_, then| {
            then.ok(&kaas::commissaire::types::Names(vec![cluster.name.clone()]));
        });
        commissaire.get_cluster(|when, then| {
            when.name(&name);
            then.ok(&cluster);
        });
    }

    let inventory = Inventory::new()
        .with_digitalocean(digitalocean.client.clone())
        .with_oks(
            kaas::oks::Client::builder()
                .access_key("AK", "offline-tour-secret")
                .base_url(oks.base_url())
                .build()?,
        )
        .with_cloud66(cloud66.client.clone())
        .with_commissaire(
            kaas::commissaire::Client::builder()
                .basic_auth("admin", "offline-tour-password")
                .base_url(commissaire.base_url())
                .build()?,
        );
    println!(
        "  {:<13} {:<16} {:<28} {:<12} {:>5}  LOCATION",
        "PROVIDER", "NAME", "STATE", "VERSION", "NODES"
    );
    let mut items = inventory.clusters();
    let (mut listed, mut failed) = (0, 0);
    while let Some(item) = items.next().await {
        match item {
            Ok(cluster) => {
                listed += 1;
                println!(
                    "  {:<13} {:<16} {:<28} {:<12} {:>5}  {}",
                    cluster.provider,
                    cluster.name,
                    format!("{} ({})", cluster.state, cluster.raw_state),
                    cluster.kubernetes_version.as_deref().unwrap_or("-"),
                    cluster.node_count.map_or("-".into(), |n| n.to_string()),
                    cluster.location.as_deref().unwrap_or("-"),
                );
            }
            Err(failure) => {
                failed += 1;
                println!("  ✘ {failure}");
            }
        }
    }
    crate::step(
        "Inventory::clusters()",
        format!(
            "{listed} clusters from 3 providers; {failed} provider failed, the others answered"
        ),
    );
    Ok(())
}
