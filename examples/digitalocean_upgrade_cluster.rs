//! DigitalOcean: upgrade a cluster to the newest version it may go to, and wait until it runs
//! again.
//!
//! Versions are compared as numbers (`1.31.10` is newer than `1.31.9`, though it sorts first
//! as text). Runs offline against an in-process stand-in (`examples/support/`) whose cluster
//! runs 1.31.1. `KAAS_EXAMPLES_LIVE=1` with `DIGITALOCEAN_TOKEN` and `DIGITALOCEAN_CLUSTER_ID`
//! upgrades that real cluster instead.
//!
//! ```sh
//! cargo run --example digitalocean_upgrade_cluster
//! ```

mod support;

use std::time::Duration;

use kaas::digitalocean::types;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // Against the real API: `kaas::digitalocean::Client::new(token)?`.
    let target = support::digitalocean::upgrade_target().await?;
    println!("upgrading a cluster {}", target.describe());
    let client = &target.client;
    // The cluster to work on: `DIGITALOCEAN_CLUSTER_ID` against the real API.
    let cluster_id = support::digitalocean::cluster_id(&target)?;

    let cluster = client
        .get_cluster()
        .cluster_id(cluster_id)
        .send()
        .await?
        .kubernetes_cluster;
    println!("{} runs {}", cluster.name, cluster.version);

    // `available_upgrade_versions` is null when the cluster is up to date.
    let upgrades = client
        .get_available_upgrades()
        .cluster_id(cluster_id)
        .send()
        .await?
        .available_upgrade_versions
        .unwrap_or_default();
    let slugs: Vec<&str> = upgrades.iter().filter_map(|v| v.slug.as_deref()).collect();
    println!("available: {}", slugs.join(", "));
    let Some(newest) = slugs.into_iter().max_by_key(|slug| version_numbers(slug)) else {
        println!("{} is up to date", cluster.name);
        return Ok(());
    };

    client
        .upgrade_cluster()
        .cluster_id(cluster_id)
        .body(types::ClusterUpgrade {
            version: Some(newest.to_owned()),
        })
        .send()
        .await?;
    println!("upgrading to {newest}");

    // The cluster is `upgrading` until it runs the new version.
    let cluster = client
        .wait_until_running(cluster_id)
        .deadline(Duration::from_secs(30 * 60))
        .await?;
    if cluster.version == newest {
        println!("{} runs {}", cluster.name, cluster.version);
    } else {
        println!(
            "{} still runs {}: the upgrade had not started at the first read",
            cluster.name, cluster.version
        );
    }
    Ok(())
}

/// The numbers of a version slug, in order, to compare versions as numbers:
/// `1.31.10-do.0` is `[1, 31, 10, 0]`.
fn version_numbers(slug: &str) -> Vec<u64> {
    slug.split(|c: char| !c.is_ascii_digit())
        .filter_map(|part| part.parse().ok())
        .collect()
}
