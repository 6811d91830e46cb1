//! DigitalOcean: scale a node pool to a fixed size, then let it auto-scale between two sizes,
//! and read it back.
//!
//! Runs offline against an in-process stand-in (`examples/support/`) whose cluster has one
//! pool of three nodes. `KAAS_EXAMPLES_LIVE=1` with `DIGITALOCEAN_TOKEN` and
//! `DIGITALOCEAN_CLUSTER_ID` scales the first pool of that real cluster instead (nodes are
//! billed).
//!
//! ```sh
//! cargo run --example digitalocean_scale_node_pool
//! ```

mod support;

use anyhow::Context as _;
use futures::TryStreamExt as _;
use kaas::digitalocean::types;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // Against the real API: `kaas::digitalocean::Client::new(token)?`.
    let target = support::digitalocean::node_pool_target().await?;
    println!("scaling a node pool {}", target.describe());
    let client = &target.client;
    // The cluster to work on: `DIGITALOCEAN_CLUSTER_ID` against the real API.
    let cluster_id = support::digitalocean::cluster_id(&target)?;

    let pools: Vec<types::NodePool> = client.node_pools(cluster_id).try_collect().await?;
    let pool = pools
        .into_iter()
        .next()
        .context("the cluster has no node pool")?;
    let pool_id = pool.id.context("the pool has no id")?;
    println!("{}: {}", pool.name, size(&pool));

    // A fixed size: `count` is required in every update, as is `name`.
    let fixed = types::NodePoolUpdate::builder()
        .name(pool.name.clone())
        .count(4)
        .auto_scale(false);
    client
        .update_node_pool()
        .cluster_id(cluster_id)
        .node_pool_id(pool_id)
        .body(fixed)
        .send()
        .await?;
    let pool = read_back(client, cluster_id, pool_id).await?;
    println!("fixed:       {}", size(&pool));

    // Auto-scaling between 2 and 6 nodes, starting from the current count.
    let auto = types::NodePoolUpdate::builder()
        .name(pool.name.clone())
        .count(pool.count)
        .auto_scale(true)
        .min_nodes(2)
        .max_nodes(6);
    client
        .update_node_pool()
        .cluster_id(cluster_id)
        .node_pool_id(pool_id)
        .body(auto)
        .send()
        .await?;
    let pool = read_back(client, cluster_id, pool_id).await?;
    println!("auto-scaled: {}", size(&pool));
    Ok(())
}

/// The pool as the API has it now.
async fn read_back(
    client: &kaas::digitalocean::Client,
    cluster_id: kaas::uuid::Uuid,
    pool_id: kaas::uuid::Uuid,
) -> kaas::Result<types::NodePool> {
    let answer = client
        .get_node_pool()
        .cluster_id(cluster_id)
        .node_pool_id(pool_id)
        .send()
        .await?;
    Ok(answer.node_pool)
}

/// The pool's size, and its bounds when it auto-scales.
fn size(pool: &types::NodePool) -> String {
    match (pool.auto_scale, pool.min_nodes, pool.max_nodes) {
        (Some(true), Some(min), Some(max)) => {
            format!("{} × {}, auto-scaling {min}–{max}", pool.count, pool.size)
        }
        _ => format!("{} × {}", pool.count, pool.size),
    }
}
