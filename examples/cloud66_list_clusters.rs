//! Cloud66: every cluster the token can see, over all pages, with its status and health.
//!
//! Runs offline against an in-process mock server that serves the documented example list as
//! page 1 of 2, and one more cluster on page 2.
//!
//! ```sh
//! cargo run --example cloud66_list_clusters
//! ```

use std::num::NonZeroU64;

use futures::TryStreamExt as _;
use httpmock::MockServer;
use kaas::cloud66::mock::MockServerExt as _;
use kaas::cloud66::{Client, types};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let server = MockServer::start_async().await;
    let mut first: types::ClusterList = serde_json::from_str(include_str!(
        "../tests/fixtures/cloud66/list_clusters.response.json"
    ))?;
    // The example is a single page; say there is a second one.
    first.pagination = Some(types::Pagination {
        current: Some(1),
        next: Some(2),
        pages: Some(2),
        ..first.pagination.unwrap_or_default()
    });
    let second = types::ClusterList {
        response: vec![types::Cluster {
            id: Some(125),
            uid: "7000d985696d2gcgc7hcd86dhh2dc02".into(),
            name: "Edge Cluster".into(),
            cloud: Some("Hetzner".into()),
            health: types::ClusterHealth::Impaired,
            ..first.response[0].clone()
        }],
        count: Some(1),
        pagination: Some(types::Pagination {
            previous: Some(1),
            current: Some(2),
            pages: Some(2),
            ..Default::default()
        }),
    };
    for (page, list) in [(1, &first), (2, &second)] {
        server.list_clusters(|when, then| {
            when.page(NonZeroU64::new(page));
            then.ok(list);
        });
    }

    let client = Client::builder()
        .token("offline-example-token")
        .base_url(server.base_url())
        .build()?;

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
    println!("{} clusters over 2 pages", clusters.len());
    Ok(())
}
