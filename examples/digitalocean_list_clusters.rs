//! DigitalOcean: every cluster of the account as one stream, walked page by page.
//!
//! Runs offline against an in-process mock server that serves five clusters in pages of two.
//!
//! ```sh
//! cargo run --example digitalocean_list_clusters
//! ```

use std::num::NonZeroU64;

use futures::TryStreamExt as _;
use httpmock::MockServer;
use kaas::digitalocean::mock::MockServerExt as _;
use kaas::digitalocean::{Client, types};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let server = MockServer::start_async().await;
    let example: types::ClusterResponse = serde_json::from_str(include_str!(
        "../tests/fixtures/digitalocean/get_cluster.response.single.json"
    ))?;
    let template = example.kubernetes_cluster;

    // Five clusters in three pages of two; the first page tells the total.
    let regions = ["nyc1", "ams3", "fra1", "sgp1", "tor1"];
    for page in 1..=3u64 {
        let clusters = (page * 2 - 1..=(page * 2).min(5))
            .map(|n| types::Cluster {
                // Each cluster its own id: a walk yields each id once.
                id: kaas::uuid::Uuid::from_u128(u128::from(n)),
                name: format!("cluster-{n:02}"),
                region: regions[n as usize - 1].to_string(),
                ..template.clone()
            })
            .collect();
        let list = types::ClusterList {
            kubernetes_clusters: clusters,
            links: None,
            meta: types::PageMeta { total: Some(5) },
        };
        server.list_clusters(|when, then| {
            when.page(NonZeroU64::new(page))
                .per_page(NonZeroU64::new(2));
            then.ok(&list);
        });
    }

    let client = Client::builder()
        .token("dop_v1_example-token")
        .base_url(server.base_url())
        .build()?;

    // `clusters()` uses the largest page size; a small one shows the walk over pages.
    let mut clusters = client.clusters_with_page_size(2);
    let mut count = 0;
    while let Some(cluster) = clusters.try_next().await? {
        count += 1;
        let state = cluster
            .status
            .as_ref()
            .and_then(|s| s.state.as_ref())
            .map(|s| s.to_string())
            .unwrap_or_else(|| "unknown".into());
        println!("{:<12} {:<6} {state}", cluster.name, cluster.region);
    }
    println!("{count} clusters over 3 pages");
    Ok(())
}
