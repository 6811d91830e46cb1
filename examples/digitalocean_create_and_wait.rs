//! DigitalOcean: create a cluster, then wait until it is running, with a deadline of its own.
//!
//! Runs offline against an in-process stand-in (`examples/support/`) whose new cluster is
//! `provisioning` for two reads, then `running`. `KAAS_EXAMPLES_LIVE=1` with
//! `DIGITALOCEAN_TOKEN` creates a real cluster instead (it is billed; delete it afterwards).
//!
//! ```sh
//! cargo run --example digitalocean_create_and_wait
//! ```

mod support;

use std::time::Duration;

use kaas::digitalocean::types;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // Against the real API: `kaas::digitalocean::Client::new(token)?`.
    let target = support::digitalocean::creating_target().await?;
    println!("creating a cluster {}", target.describe());
    let client = &target.client;

    // The request, built with the generated builders: the required fields are checked when
    // it is sent (`try_into`), the others keep DigitalOcean's defaults.
    let worker_pool = types::NodePoolCreate::builder()
        .name("worker-pool")
        .size("s-1vcpu-2gb")
        .count(3);
    let request = types::ClusterCreate::builder()
        .name("prod-cluster-01")
        .region("nyc1")
        .version("1.18.6-do.0")
        .node_pools(vec![worker_pool.try_into()?]);

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

    let started = std::time::Instant::now();
    let wait = client
        .wait_until_running(created.id)
        .deadline(Duration::from_secs(15 * 60));
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
        "{} is running after {:.1} s, at {}",
        cluster.name,
        started.elapsed().as_secs_f64(),
        cluster.endpoint.unwrap_or_default()
    );
    Ok(())
}
