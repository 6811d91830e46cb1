//! OUTSCALE OKS: the clusters that match a filter (`ready`, Kubernetes 1.32), over all pages
//! of the list: `stream()` on the list request sends its filters with every page.
//!
//! With `OKS_ACCESS_KEY` and `OKS_SECRET_KEY` set (and `OKS_REGION`), it reads your account;
//! without them, an in-process stand-in that answers in two pages and refuses any page asked
//! without the filters (`examples/support/oks.rs`).
//!
//! ```sh
//! cargo run --example oks_list_with_filter
//! ```

mod support;

use futures::TryStreamExt as _;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let target = support::oks::reading_target(support::oks::ready_clusters_of_1_32).await?;
    println!("OKS, {}", target.describe());
    let client = &target.client;

    // The list request takes the filters of `GET /clusters/all` (`name`, `status`, `version`,
    // `deleted`); `stream()` walks every page with them (leave `page` and `cursor` unset).
    let clusters: Vec<_> = client
        .list_clusters()
        .status("ready")
        .version("1.32")
        .stream()
        .try_collect()
        .await?;
    for cluster in &clusters {
        println!(
            "{:<10} {} (project {})",
            cluster.name, cluster.id, cluster.project_id
        );
    }
    println!("{} ready clusters of Kubernetes 1.32", clusters.len());

    // The clusters of one project take the same filters:
    // `client.list_project_clusters().project_id(id).status("ready").stream()`.
    Ok(())
}
