//! OUTSCALE OKS: create a cluster in a project, then wait until it is ready, with a deadline
//! of its own.
//!
//! Runs against an in-process stand-in whose cluster is `deploying` for two reads, then
//! `ready` (`examples/support/oks.rs`). `KAAS_EXAMPLES_LIVE=1`, with `OKS_ACCESS_KEY` and
//! `OKS_SECRET_KEY` set, creates a real cluster in your account's first project instead.
//!
//! ```sh
//! cargo run --example oks_create_and_wait
//! ```

mod support;

use std::collections::HashMap;
use std::time::Duration;

use anyhow::Context as _;
use futures::TryStreamExt as _;
use kaas::oks::types;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let target = support::oks::changing_target(support::oks::new_cluster).await?;
    println!("OKS, {}", target.describe());
    let client = &target.client;

    // A cluster lives in a project: here the account's first (the tour creates one).
    let project = client
        .projects()
        .try_next()
        .await?
        .context("no OKS project: create one first")?;

    // The request body, built with the generated builder: the required fields (name, project,
    // version, the two CIDRs, who may reach the API), then what this cluster wants.
    let request = types::ClusterInput::builder()
        .name("awesome-cluster")
        .project_id(project.id.clone())
        .version("1.32")
        .cidr_pods("10.91.0.0/16")
        .cidr_service("10.92.0.0/16")
        .admin_whitelist(vec!["203.0.113.0/24".to_string()])
        .control_planes("cp.3.masters.small".to_string())
        .cp_subregions(vec!["2a".to_string()])
        .description("Analytics workloads".to_string())
        .tags(HashMap::from([("team".to_string(), "data".to_string())]));

    let created = client.create_cluster().body(request).send().await?.cluster;
    println!(
        "created {} (Kubernetes {}) in project {}: {}",
        created.name,
        created.version,
        project.name,
        status(&created)
    );

    // A deadline for this call only (OKS takes minutes); a timeout is `Error::WaitTimeout`,
    // whose `last_reading::<types::Cluster>()` is the cluster as it was last read.
    let cluster = client
        .wait_until_ready(&created.id)
        .deadline(Duration::from_secs(30 * 60))
        .await?;
    println!("{} is {}", cluster.name, status(&cluster));
    Ok(())
}

/// The cluster's status as OKS writes it.
fn status(cluster: &types::Cluster) -> String {
    cluster
        .statuses
        .status
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_else(|| "unknown".into())
}
