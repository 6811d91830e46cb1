//! OUTSCALE OKS: create a cluster, then wait until it is ready, with a deadline of its own.
//!
//! Runs offline against an in-process mock server whose cluster is `deploying` for two reads,
//! then `ready`.
//!
//! ```sh
//! cargo run --example oks_create_and_wait
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use httpmock::{HttpMockRequest, HttpMockResponse, MockServer};
use kaas::oks::mock::MockServerExt as _;
use kaas::oks::{Client, types};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let server = MockServer::start_async().await;
    let request: types::ClusterInput = serde_json::from_str(include_str!(
        "../tests/fixtures/oks/create_cluster.request.json"
    ))?;
    let mut deploying: types::ClusterResponse = serde_json::from_str(include_str!(
        "../tests/fixtures/oks/create_cluster.response.json"
    ))?;
    let id = "66666666-7777-8888-9999-000000000000";
    // The document's example says "string"; answer with what was asked for.
    deploying.cluster.id = id.into();
    deploying.cluster.name = request.name.to_string();
    deploying.cluster.version.clone_from(&request.version);
    deploying.cluster.statuses.status = Some(types::ResourceStatus::Deploying);
    let mut ready = deploying.clone();
    ready.cluster.statuses.status = Some(types::ResourceStatus::Ready);

    server.create_cluster(|when, then| {
        when.body(&request);
        then.ok(&deploying);
    });
    let reads = Arc::new(AtomicUsize::new(0));
    let counter = reads.clone();
    let answer = deploying.clone();
    server.get_cluster(|when, then| {
        when.cluster_id(id);
        then.respond_with(move |_: &HttpMockRequest| {
            let body = if counter.fetch_add(1, Ordering::SeqCst) < 2 {
                &answer
            } else {
                &ready
            };
            let response = http::Response::builder()
                .status(200)
                .header("content-type", "application/json")
                .body(serde_json::to_string(body).expect("serializable"))
                .expect("a response");
            HttpMockResponse::from(response)
        });
    });

    let client = Client::builder()
        .access_key("example-access-key", "example-secret-key")
        .base_url(server.base_url())
        .wait_policy(kaas::WaitPolicy::default().with_initial_interval(Duration::from_millis(100)))
        .build()?;

    let created = client.create_cluster().body(request).send().await?.cluster;
    println!("created {} (Kubernetes {})", created.name, created.version);

    // A deadline for this call only; a timeout is `Error::WaitTimeout`, whose
    // `last_reading::<types::Cluster>()` is the cluster as it was last read.
    let cluster = client
        .wait_until_ready(id)
        .deadline(Duration::from_secs(10))
        .await?;
    let status = cluster
        .statuses
        .status
        .map(|s| s.to_string())
        .unwrap_or_default();
    println!(
        "{} is {status} after {} reads",
        cluster.name,
        reads.load(Ordering::SeqCst)
    );
    Ok(())
}
