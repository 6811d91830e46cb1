//! DigitalOcean: create a cluster, then wait until it is running, with a deadline of its own.
//!
//! Runs offline against an in-process mock server whose cluster is `provisioning` for two
//! reads, then `running`.
//!
//! ```sh
//! cargo run --example digitalocean_create_and_wait
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use httpmock::MockServer;
use kaas::digitalocean::mock::MockServerExt as _;
use kaas::digitalocean::{Client, types};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let server = MockServer::start_async().await;
    let request: types::ClusterCreate = serde_json::from_str(include_str!(
        "../tests/fixtures/digitalocean/create_cluster.request.json"
    ))?;
    let provisioning: types::ClusterResponse = serde_json::from_str(include_str!(
        "../tests/fixtures/digitalocean/create_cluster.response.json"
    ))?;
    let running: types::ClusterResponse = serde_json::from_str(include_str!(
        "../tests/fixtures/digitalocean/get_cluster.response.single.json"
    ))?;
    let id = running.kubernetes_cluster.id;

    server.create_cluster(|when, then| {
        when.body(&request);
        then.created(&provisioning);
    });
    let reads = Arc::new(AtomicUsize::new(0));
    let counter = reads.clone();
    server.get_cluster(|when, then| {
        when.cluster_id(&id)
            .is_true(move |_| counter.fetch_add(1, Ordering::SeqCst) < 2);
        then.ok(&provisioning);
    });
    server.get_cluster(|when, then| {
        when.cluster_id(&id);
        then.ok(&running);
    });

    let client = Client::builder()
        .token("dop_v1_example-token")
        .base_url(server.base_url())
        .wait_policy(kaas::WaitPolicy::default().with_initial_interval(Duration::from_millis(100)))
        .build()?;

    let created = client
        .create_cluster()
        .body(request)
        .send()
        .await?
        .kubernetes_cluster;
    println!(
        "created {} in {} (Kubernetes {})",
        created.name, created.region, created.version
    );

    let wait = client
        .wait_until_running(id)
        .deadline(Duration::from_secs(10));
    let cluster = match wait.await {
        Ok(cluster) => cluster,
        // A timeout or a failed state keeps the cluster as it was last read.
        Err(error) => {
            if let Some(last) = error.last_reading::<types::Cluster>() {
                let state = last.status.as_ref().and_then(|s| s.state.as_ref());
                println!("{} was last seen in state {state:?}", last.name);
            }
            return Err(error.into());
        }
    };
    println!(
        "{} is running after {} reads, at {}",
        cluster.name,
        reads.load(Ordering::SeqCst),
        cluster.endpoint.unwrap_or_default()
    );
    Ok(())
}
