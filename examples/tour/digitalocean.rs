//! DigitalOcean Kubernetes: create a cluster, wait until it runs, add a node pool, fetch the
//! kubeconfig, list clusters across pages, delete.

use futures::TryStreamExt as _;
use kaas::digitalocean::{Client, types};

use crate::{heading, step, support};

pub async fn tour() -> anyhow::Result<()> {
    match std::env::var("DIGITALOCEAN_TOKEN") {
        Ok(token) if !token.is_empty() => live(token).await,
        _ => offline().await,
    }
}

/// Read-only calls against the real API.
async fn live(token: String) -> anyhow::Result<()> {
    heading(
        "DigitalOcean Kubernetes",
        "live, read-only (DIGITALOCEAN_TOKEN is set)",
    );
    let client = Client::new(token)?;
    let clusters: Vec<types::Cluster> = client.clusters().try_collect().await?;
    step(
        "clusters()",
        format!("{} cluster(s): {}", clusters.len(), names(&clusters)),
    );
    let options = client.list_options().send().await?.options;
    step(
        "list_options()",
        format!(
            "{} regions, {} node sizes, {} versions",
            options.regions.len(),
            options.sizes.len(),
            options.versions.len()
        ),
    );
    if let Some(limit) = client.rate_limit() {
        step(
            "rate_limit()",
            format!("{:?} of {:?} requests left", limit.remaining, limit.limit),
        );
    }
    Ok(())
}

fn names(clusters: &[types::Cluster]) -> String {
    clusters
        .iter()
        .map(|c| c.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The whole life of a cluster against a local stand-in (`examples/support/`).
async fn offline() -> anyhow::Result<()> {
    heading(
        "DigitalOcean Kubernetes",
        "offline, against a mock server built from specs/digitalocean.yaml",
    );
    let (target, reads) = support::digitalocean::tour_target().await?;
    let client = &target.client;

    let worker_pool = types::NodePoolCreate::builder()
        .name("worker-pool")
        .size("s-1vcpu-2gb")
        .count(3);
    let create_request = types::ClusterCreate::builder()
        .name("prod-cluster-01")
        .region("nyc1")
        .version("1.18.6-do.0")
        .node_pools(vec![worker_pool.try_into()?]);
    // An auto-scaling pool, as a struct literal: every field in view.
    let pool_request = types::NodePoolCreate {
        name: "new-pool".into(),
        size: "s-1vcpu-2gb".into(),
        count: 3,
        auto_scale: Some(true),
        min_nodes: Some(3),
        max_nodes: Some(6),
        tags: Some(vec!["frontend".into()]),
        labels: None,
        taints: None,
    };

    let created = client.create_cluster().body(create_request).send().await?;
    let created = created.kubernetes_cluster;
    let state = created
        .status
        .as_ref()
        .and_then(|s| s.state.clone())
        .map(|s| s.to_string())
        .unwrap_or_default();
    step(
        "create_cluster()",
        format!(
            "{} in {}, Kubernetes {}: {state}",
            created.name, created.region, created.version
        ),
    );

    let id = created.id;
    let ready = client.wait_until_running(id).await?;
    step(
        "wait_until_running()",
        format!(
            "{} is running after {} reads, at {} (SSO {}, isolated workers {})",
            ready.name,
            reads.count(),
            ready.endpoint.clone().unwrap_or_default(),
            ready.sso.as_ref().and_then(|s| s.enabled).unwrap_or(false),
            ready.isolated_workers.unwrap_or(false),
        ),
    );

    let pool = client
        .add_node_pool()
        .cluster_id(id)
        .body(pool_request)
        .send()
        .await?;
    let pool = pool.node_pool;
    step(
        "add_node_pool()",
        format!(
            "{}: {} × {} (autoscaling {}–{})",
            pool.name,
            pool.count,
            pool.size,
            pool.min_nodes.unwrap_or_default(),
            pool.max_nodes.unwrap_or_default()
        ),
    );

    let kubeconfig = client.kubeconfig(id).await?;
    step(
        "kubeconfig()",
        format!(
            "contexts {:?}, server {:?}; printed: {kubeconfig:?}",
            kubeconfig.context_names(),
            kubeconfig.servers()
        ),
    );

    let all: Vec<types::Cluster> = client.clusters_with_page_size(2).try_collect().await?;
    step(
        "clusters_with_page_size(2)",
        format!(
            "{} clusters over 3 pages, in order: {}",
            all.len(),
            names(&all)
        ),
    );
    if let Some(limit) = client.rate_limit() {
        step(
            "rate_limit()",
            format!(
                "{} of {} requests left this hour",
                limit.remaining.unwrap_or_default(),
                limit.limit.unwrap_or_default()
            ),
        );
    }

    client.delete_cluster().cluster_id(id).send().await?;
    step("delete_cluster()", format!("{} deleted", ready.name));
    Ok(())
}
