//! DigitalOcean: every cluster of the account as one stream, walked page by page.
//!
//! With `DIGITALOCEAN_TOKEN` set, it lists your account's clusters (read-only); without it, it
//! runs offline against an in-process stand-in (`examples/support/`) with five clusters.
//!
//! ```sh
//! cargo run --example digitalocean_list_clusters
//! ```

mod support;

use futures::TryStreamExt as _;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // Against the real API: `kaas::digitalocean::Client::new(token)?`.
    let target = support::digitalocean::reading_target().await?;
    println!("listing {}", target.describe());
    let client = &target.client;

    // `clusters()` asks for the largest pages; a small page size shows the walk over pages.
    let per_page: u32 = 2;
    let mut clusters = client.clusters_with_page_size(per_page);
    let mut count: u32 = 0;
    while let Some(cluster) = clusters.try_next().await? {
        count += 1;
        let state = cluster
            .status
            .as_ref()
            .and_then(|s| s.state.as_ref())
            .map(|s| s.to_string())
            .unwrap_or_else(|| "unknown".into());
        println!("{:<16} {:<6} {state}", cluster.name, cluster.region);
    }
    println!(
        "{count} clusters over {} pages",
        count.div_ceil(per_page).max(1)
    );
    Ok(())
}
