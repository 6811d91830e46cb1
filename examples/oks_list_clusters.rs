//! OUTSCALE OKS: every cluster of the account, over all pages of the list (cursor-walked).
//!
//! With `OKS_ACCESS_KEY` and `OKS_SECRET_KEY` set (and `OKS_REGION`), it reads your account;
//! without them, an in-process stand-in that answers in two pages (`examples/support/oks.rs`).
//!
//! ```sh
//! cargo run --example oks_list_clusters
//! ```

mod support;

use futures::TryStreamExt as _;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let target = support::oks::reading_target(support::oks::clusters_in_two_pages).await?;
    println!("OKS, {}", target.describe());
    // Against the real API: `kaas::oks::Client::new(access_key, secret_key)?`.
    let client = &target.client;

    // `clusters()` asks for the largest pages and follows each page's cursor to the next.
    let clusters: Vec<_> = client.clusters().try_collect().await?;
    for cluster in &clusters {
        let status = cluster.statuses.status.as_ref().map(ToString::to_string);
        println!(
            "{:<12} Kubernetes {:<6} {}",
            cluster.name,
            cluster.version,
            status.as_deref().unwrap_or("-")
        );
    }
    println!("{} clusters, every page of the list", clusters.len());
    Ok(())
}
