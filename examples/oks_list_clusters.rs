//! OUTSCALE OKS: every cluster of the account, over all pages of the list (cursor-walked).
//!
//! Runs offline against an in-process mock server that answers in two pages.
//!
//! ```sh
//! cargo run --example oks_list_clusters
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use futures::TryStreamExt as _;
use httpmock::{HttpMockRequest, HttpMockResponse, MockServer};
use kaas::oks::Client;
use kaas::oks::mock::MockServerExt as _;
use serde_json::{Value, json};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let server = MockServer::start_async().await;
    let example: Value = serde_json::from_str(include_str!(
        "../tests/fixtures/oks/list_clusters.response.json"
    ))?;
    let cluster = |name: &str, version: &str| {
        let mut c = example["Clusters"][0].clone();
        c["id"] = format!("cluster-{name}").into();
        c["name"] = name.into();
        c["version"] = version.into();
        c
    };
    // Page 1 points at page 2 with a cursor; page 2 has none: the walk ends.
    let first = json!({"ResponseContext": {"RequestId": "1"},
        "Pagination": {"cursor": {"next_cursor": "page-2"}},
        "Clusters": [cluster("staging", "1.30"), cluster("production", "1.30")]});
    let second = json!({"ResponseContext": {"RequestId": "2"},
        "Pagination": {"cursor": {"next_cursor": null}},
        "Clusters": [cluster("sandbox", "1.31")]});
    let pages = Arc::new(AtomicUsize::new(0));
    let counter = pages.clone();
    server.list_clusters(|when, then| {
        when.limit(i64::from(kaas::oks::MAX_PAGE_SIZE));
        then.respond_with(move |request: &HttpMockRequest| {
            counter.fetch_add(1, Ordering::SeqCst);
            let query = request.query_params();
            let page = if query.iter().any(|(k, v)| k == "cursor" && v == "page-2") {
                &second
            } else {
                &first
            };
            let response = http::Response::builder()
                .status(200)
                .header("content-type", "application/json")
                .body(page.to_string())
                .expect("a response");
            HttpMockResponse::from(response)
        });
    });

    let client = Client::builder()
        .access_key("example-access-key", "example-secret-key")
        .base_url(server.base_url())
        .build()?;

    let clusters: Vec<_> = client.clusters().try_collect().await?;
    for cluster in &clusters {
        println!("{:<12} Kubernetes {}", cluster.name, cluster.version);
    }
    println!(
        "{} clusters over {} pages",
        clusters.len(),
        pages.load(Ordering::SeqCst)
    );
    Ok(())
}
