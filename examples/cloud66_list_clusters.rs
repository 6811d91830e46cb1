//! Cloud66: every cluster the token can see, over all pages, with its status and health.
//!
//! With `CLOUD66_TOKEN` set, it lists your clusters (read-only); without it, it runs offline
//! against an in-process stand-in (`examples/support/`) with three clusters over two pages.
//!
//! ```sh
//! cargo run --example cloud66_list_clusters
//! ```

mod support;

use futures::TryStreamExt as _;
use kaas::cloud66::types;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // Against the real API: `kaas::cloud66::Client::new(token)?`.
    let target = support::cloud66::reading_target().await?;
    println!("listing {}", target.describe());
    let client = &target.client;

    // One stream over all pages; the pages after the first may be fetched concurrently but
    // the clusters come out in order.
    let clusters: Vec<types::Cluster> = client.clusters().try_collect().await?;
    for cluster in &clusters {
        println!(
            "{:<20} {:<13} status {:<10} health {:?}",
            cluster.name,
            cluster.cloud.as_deref().unwrap_or("?"),
            format!("{:?}", cluster.status),
            cluster.health,
        );
    }
    println!("{} clusters", clusters.len());
    Ok(())
}
