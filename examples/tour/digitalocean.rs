//! DigitalOcean Kubernetes: create a cluster, wait until it runs, add a node pool, fetch the
//! kubeconfig, list clusters across pages, delete.

use std::num::NonZeroU64;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures::TryStreamExt as _;
use httpmock::MockServer;
use kaas::digitalocean::mock::MockServerExt as _;
use kaas::digitalocean::{Client, types};

use crate::{fixture, heading, step};

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

/// The whole life of a cluster against a local mock server.
async fn offline() -> anyhow::Result<()> {
    heading(
        "DigitalOcean Kubernetes",
        "offline, against a mock server built from specs/digitalocean.yaml",
    );
    let server = MockServer::start_async().await;

    let create_request: types::ClusterCreate = fixture(include_str!(
        "../../tests/fixtures/digitalocean/create_cluster.request.json"
    ));
    let provisioning: types::ClusterResponse = fixture(include_str!(
        "../../tests/fixtures/digitalocean/create_cluster.response.json"
    ));
    let running: types::ClusterResponse = fixture(include_str!(
        "../../tests/fixtures/digitalocean/get_cluster.response.single.json"
    ));
    let pool_request: types::NodePoolCreate = fixture(include_str!(
        "../../tests/fixtures/digitalocean/add_node_pool.request.json"
    ));
    let pool_response: types::NodePoolResponse = fixture(include_str!(
        "../../tests/fixtures/digitalocean/add_node_pool.response.json"
    ));
    let kubeconfig_yaml =
        include_str!("../../tests/fixtures/digitalocean/get_kubeconfig.response.yaml");
    let cluster = running.kubernetes_cluster.clone();
    let id = cluster.id;

    server.create_cluster(|when, then| {
        when.body(&create_request);
        then.created(&provisioning);
    });
    // The cluster is provisioning for the first two reads, then running.
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
    server.add_node_pool(|when, then| {
        when.cluster_id(&id).body(&pool_request);
        then.created(&pool_response);
    });
    server.get_kubeconfig(|when, then| {
        when.cluster_id(&id);
        then.into_inner()
            .status(200)
            .header("content-type", "application/yaml")
            .body(kubeconfig_yaml);
    });
    for page in 1..=3u64 {
        let clusters = (page * 2 - 1..=(page * 2).min(5))
            .map(|n| types::Cluster {
                id: kaas::uuid::Uuid::from_u128(u128::from(n)),
                name: format!("cluster-{n:02}"),
                ..cluster.clone()
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
            then.ok(&list)
                .into_inner()
                .header("ratelimit-limit", "5000")
                .header("ratelimit-remaining", "4816")
                .header("ratelimit-reset", "1444931833");
        });
    }
    server.delete_cluster(|when, then| {
        when.cluster_id(&id);
        then.no_content();
    });

    let client = Client::builder()
        .token("dop_v1_offline-tour-token")
        .base_url(server.base_url())
        .wait_policy(
            kaas::WaitPolicy::default()
                .with_initial_interval(Duration::from_millis(200))
                .with_deadline(Duration::from_secs(30)),
        )
        .build()?;

    let created = client
        .create_cluster()
        .body(create_request.clone())
        .send()
        .await?;
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

    let ready = client.wait_until_running(id).await?;
    step(
        "wait_until_running()",
        format!(
            "{} is running after {} reads, at {} (SSO {}, isolated workers {})",
            ready.name,
            reads.load(Ordering::SeqCst),
            ready.endpoint.clone().unwrap_or_default(),
            ready.sso.as_ref().and_then(|s| s.enabled).unwrap_or(false),
            ready.isolated_workers.unwrap_or(false),
        ),
    );

    let pool = client
        .add_node_pool()
        .cluster_id(id)
        .body(pool_request.clone())
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
