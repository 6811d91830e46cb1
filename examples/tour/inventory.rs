//! The inventory: every cluster of the four providers in one stream, one of them failing.

use futures::StreamExt as _;
use kaas::inventory::Inventory;

use crate::{heading, support};

pub async fn tour() -> anyhow::Result<()> {
    heading(
        "Inventory",
        "offline: four mock servers, Cloud66's refusing the token",
    );
    let digitalocean = support::digitalocean::inventory_target().await?;
    let oks = support::oks::inventory_target().await?;
    let cloud66 = support::cloud66::refusing_target().await?;
    let commissaire = support::commissaire::inventory_target().await?;

    let inventory = Inventory::new()
        .with_digitalocean(digitalocean.client.clone())
        .with_oks(oks.client.clone())
        .with_cloud66(cloud66.client.clone())
        .with_commissaire(commissaire.client.clone());
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
