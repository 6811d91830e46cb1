//! OUTSCALE OKS: create a project, wait for it, create a cluster, wait for it, and fetch its
//! kubeconfig encrypted with a fresh NaCl key pair, opened in memory.

use std::collections::HashMap;

use futures::TryStreamExt as _;
use httpmock::MockServer;
use kaas::oks::{Client, types};

use crate::{heading, step, support};

pub async fn tour() -> anyhow::Result<()> {
    match support::credential(support::oks::ACCESS_KEY) {
        Some(access_key) => live(support::oks::live(access_key)?).await,
        None => offline().await,
    }
}

/// Read-only calls against the real API.
async fn live(client: Client) -> anyhow::Result<()> {
    let region = support::credential("OKS_REGION").unwrap_or_else(|| "eu-west-2".into());
    heading(
        "OUTSCALE OKS",
        &format!("live, read-only, region {region} (OKS_ACCESS_KEY is set)"),
    );
    let projects: Vec<_> = client.projects().try_collect().await?;
    step(
        "projects()",
        format!("{} project(s), all pages", projects.len()),
    );
    let clusters: Vec<_> = client.clusters().try_collect().await?;
    step(
        "clusters()",
        format!("{} cluster(s), all pages", clusters.len()),
    );
    let versions = client.list_kubernetes_versions().send().await?.versions;
    step("list_kubernetes_versions()", versions.join(", "));
    Ok(())
}

async fn offline() -> anyhow::Result<()> {
    heading(
        "OUTSCALE OKS",
        "offline, against a mock server built from specs/oks.yaml",
    );
    let server = MockServer::start_async().await;
    let project_reads = support::oks::project_becomes_ready(&server);
    let project_pages = support::oks::projects_in_two_pages(&server);
    let cluster_reads = support::oks::cluster_becomes_ready(&server);
    support::oks::demo_kubeconfig(&server);
    let client = support::oks::offline(&server.base_url())?;

    let project_request = types::ProjectInput::builder()
        .name("awesome-project")
        .region("eu-west-2")
        .cidr("10.50.0.0/18")
        .description("The tour's project".to_string());
    let created = client
        .create_project()
        .body(project_request)
        .send()
        .await?
        .project;
    step(
        "create_project()",
        format!("{} in {}: {}", created.name, created.region, created.status),
    );
    let ready = client.wait_until_project_ready(&created.id).await?;
    step(
        "wait_until_project_ready()",
        format!("{} after {} reads", ready.status, project_reads.count()),
    );
    let projects: Vec<_> = client.projects().try_collect().await?;
    step(
        "projects()",
        format!(
            "{} project(s) over {} pages of the list",
            projects.len(),
            project_pages.count()
        ),
    );

    let cluster_request = types::ClusterInput::builder()
        .name("awesome-cluster")
        .project_id(ready.id.clone())
        .version("1.32")
        .cidr_pods("10.91.0.0/16")
        .cidr_service("10.92.0.0/16")
        .admin_whitelist(vec!["203.0.113.0/24".to_string()])
        .control_planes("cp.3.masters.small".to_string())
        .tags(HashMap::from([("tour".to_string(), "kaas".to_string())]));
    let created = client
        .create_cluster()
        .body(cluster_request)
        .send()
        .await?
        .cluster;
    step(
        "create_cluster()",
        format!(
            "{} (Kubernetes {}, control planes {})",
            created.name, created.version, created.control_planes
        ),
    );
    let ready = client.wait_until_ready(&created.id).await?;
    let status = ready
        .statuses
        .status
        .map(|s| s.to_string())
        .unwrap_or_default();
    step(
        "wait_until_ready()",
        format!("{status} after {} reads", cluster_reads.count()),
    );

    let kubeconfig = client.kubeconfig(&ready.id).await?;
    step(
        "kubeconfig()",
        format!(
            "sealed for a fresh X25519 key, opened in memory: contexts {:?}",
            kubeconfig.context_names()
        ),
    );
    step("(printed safely)", format!("{kubeconfig:?}"));
    Ok(())
}
