//! DigitalOcean: clear a node pool's taints, and leave them alone.
//!
//! A node pool update is a whole `NodePoolUpdate`, but its `taints` is an `Option`:
//!
//! - `taints: None` leaves the key out of the request, and the pool keeps its taints;
//! - `taints: Some(vec![])` sends `"taints": []`, and the pool's taints are removed.
//!
//! Runs offline against an in-process stand-in (`examples/support/`) whose pool has one taint
//! and which reads the JSON each update sends, as DigitalOcean does. `KAAS_EXAMPLES_LIVE=1`
//! with `DIGITALOCEAN_TOKEN` and `DIGITALOCEAN_CLUSTER_ID` changes the first tainted pool of
//! that real cluster instead.
//!
//! ```sh
//! cargo run --example digitalocean_node_pool_taints
//! ```

mod support;

use anyhow::Context as _;
use futures::TryStreamExt as _;
use kaas::digitalocean::types;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // Against the real API: `kaas::digitalocean::Client::new(token)?`.
    let target = support::digitalocean::node_pool_target().await?;
    println!("changing a node pool {}", target.describe());
    let client = &target.client;
    // The cluster to work on: `DIGITALOCEAN_CLUSTER_ID` against the real API.
    let cluster_id = support::digitalocean::cluster_id(&target)?;

    let pools: Vec<types::NodePool> = client.node_pools(cluster_id).try_collect().await?;
    let pool = pools
        .into_iter()
        .find(|pool| !pool.taints.is_empty())
        .context("no node pool of this cluster has taints")?;
    let pool_id = pool.id.context("the pool has no id")?;
    println!("{}: taints {}", pool.name, taints(&pool.taints));

    // An update that leaves `taints` at `None`: the pool keeps them.
    let keep = types::NodePoolUpdate {
        name: pool.name.clone(),
        count: pool.count,
        tags: Some(vec!["batch".into()]),
        auto_scale: None,
        min_nodes: None,
        max_nodes: None,
        labels: None,
        taints: None,
    };
    let pool = client
        .update_node_pool()
        .cluster_id(cluster_id)
        .node_pool_id(pool_id)
        .body(keep.clone())
        .send()
        .await?
        .node_pool;
    println!("taints: None         → {}", taints(&pool.taints));
    anyhow::ensure!(!pool.taints.is_empty(), "`None` must keep the taints");

    // The same update with `Some(vec![])`: the taints are removed.
    let clear = types::NodePoolUpdate {
        taints: Some(vec![]),
        ..keep
    };
    let pool = client
        .update_node_pool()
        .cluster_id(cluster_id)
        .node_pool_id(pool_id)
        .body(clear)
        .send()
        .await?
        .node_pool;
    println!("taints: Some(vec![]) → {}", taints(&pool.taints));
    anyhow::ensure!(
        pool.taints.is_empty(),
        "`Some(vec![])` must clear the taints"
    );
    Ok(())
}

/// Taints as `kubectl` writes them: `key=value:Effect`.
fn taints(taints: &[types::Taint]) -> String {
    if taints.is_empty() {
        return "none".into();
    }
    let shown: Vec<String> = taints
        .iter()
        .map(|t| {
            let key = t.key.as_deref().unwrap_or_default();
            let effect = t.effect.as_ref().map(|e| e.as_str()).unwrap_or_default();
            match t.value.as_deref() {
                Some(value) => format!("{key}={value}:{effect}"),
                None => format!("{key}:{effect}"),
            }
        })
        .collect();
    shown.join(", ")
}
