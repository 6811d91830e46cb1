//! OUTSCALE OKS: create a project, wait for it, create a cluster, wait for it, and fetch its
//! kubeconfig encrypted with a fresh NaCl key pair, opened in memory.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures::TryStreamExt as _;
use httpmock::{HttpMockRequest, HttpMockResponse, MockServer};
use kaas::oks::mock::MockServerExt as _;
use kaas::oks::{Client, Region, nacl, types};

use crate::{fixture, heading, step};

pub async fn tour() -> anyhow::Result<()> {
    match (
        std::env::var("OKS_ACCESS_KEY"),
        std::env::var("OKS_SECRET_KEY"),
    ) {
        (Ok(access), Ok(secret)) if !access.is_empty() && !secret.is_empty() => {
            live(access, secret).await
        }
        _ => offline().await,
    }
}

/// Read-only calls against the real API.
async fn live(access_key: String, secret_key: String) -> anyhow::Result<()> {
    let region: Region = std::env::var("OKS_REGION")
        .ok()
        .map(|r| r.parse())
        .transpose()?
        .unwrap_or_default();
    heading(
        "OUTSCALE OKS",
        &format!(
            "live, read-only, region {} (OKS_ACCESS_KEY is set)",
            region.name()
        ),
    );
    let client = Client::builder()
        .access_key(access_key, secret_key)
        .region(region)
        .build()?;
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

fn json(status: u16, body: &impl serde::Serialize) -> HttpMockResponse {
    http::Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(serde_json::to_string(body).expect("serializable"))
        .expect("a response")
        .into()
}

/// A response whose `status` is `pending` for the first reads, then `ready`.
fn becomes_ready<T: serde::Serialize + Clone + Send + Sync + 'static>(
    pending: T,
    ready: T,
    reads: Arc<AtomicUsize>,
) -> impl Fn(&HttpMockRequest) -> HttpMockResponse + Send + Sync + 'static {
    move |_| {
        if reads.fetch_add(1, Ordering::SeqCst) < 2 {
            json(200, &pending)
        } else {
            json(200, &ready)
        }
    }
}

/// A page of the project list: the first points at the second with a cursor, the second ends.
fn project_list_page(
    project: &types::ProjectResponse,
) -> impl Fn(bool) -> serde_json::Value + Send + Sync + 'static {
    let project = serde_json::to_value(&project.project).expect("serializable");
    move |second| {
        let mut other = project.clone();
        other["id"] = "second-project-id".into();
        other["name"] = "second-project".into();
        let (item, next) = if second {
            (other, serde_json::Value::Null)
        } else {
            (project.clone(), "page-2".into())
        };
        serde_json::json!({
            "ResponseContext": {"RequestId": "tour"},
            "Pagination": {"cursor": {"next_cursor": next}},
            "Projects": [item],
        })
    }
}

async fn offline() -> anyhow::Result<()> {
    heading(
        "OUTSCALE OKS",
        "offline, against a mock server built from specs/oks.yaml",
    );
    let server = MockServer::start_async().await;

    let project_request: types::ProjectInput = fixture(include_str!(
        "../../tests/fixtures/oks/create_project.request.json"
    ));
    let mut project: types::ProjectResponse = fixture(include_str!(
        "../../tests/fixtures/oks/create_project.response.json"
    ));
    let cluster_request: types::ClusterInput = fixture(include_str!(
        "../../tests/fixtures/oks/create_cluster.request.json"
    ));
    let mut cluster: types::ClusterResponse = fixture(include_str!(
        "../../tests/fixtures/oks/create_cluster.response.json"
    ));
    let kubeconfig_yaml = include_str!("../../tests/fixtures/oks/nacl/kubeconfig.yaml");
    let (project_id, cluster_id) = (
        "11111111-2222-3333-4444-555555555555",
        "66666666-7777-8888-9999-000000000000",
    );

    // The document's examples say "string"; answer with what was asked for.
    let set_project_status = |p: &mut types::ProjectResponse, status: types::ResourceStatus| {
        p.project.id = project_id.into();
        p.project.name = project_request.name.to_string();
        p.project.region.clone_from(&project_request.region);
        p.project.status = status;
    };
    set_project_status(&mut project, types::ResourceStatus::Pending);
    let mut project_ready = project.clone();
    set_project_status(&mut project_ready, types::ResourceStatus::Ready);
    let set_cluster_status = |c: &mut types::ClusterResponse, status: types::ResourceStatus| {
        let c = &mut c.cluster;
        c.id = cluster_id.into();
        c.name = cluster_request.name.to_string();
        c.version.clone_from(&cluster_request.version);
        c.control_planes = cluster_request
            .control_planes
            .clone()
            .unwrap_or_else(|| "cp.3.masters.small".into());
        c.statuses.status = Some(status);
    };
    set_cluster_status(&mut cluster, types::ResourceStatus::Deploying);
    let mut cluster_ready = cluster.clone();
    set_cluster_status(&mut cluster_ready, types::ResourceStatus::Ready);

    server.create_project(|when, then| {
        when.body(&project_request);
        then.ok(&project);
    });
    let project_reads = Arc::new(AtomicUsize::new(0));
    let responder = becomes_ready(
        project.clone(),
        project_ready.clone(),
        project_reads.clone(),
    );
    server.get_project(|when, then| {
        when.project_id(project_id);
        then.respond_with(responder);
    });
    // The project list in two pages of one project each, walked by cursor.
    let project_pages = Arc::new(AtomicUsize::new(0));
    let pages = project_pages.clone();
    let listed = project_list_page(&project_ready);
    server.list_projects(|when, then| {
        when.limit(i64::from(kaas::oks::MAX_PAGE_SIZE));
        then.respond_with(move |request: &HttpMockRequest| {
            pages.fetch_add(1, Ordering::SeqCst);
            let second = request
                .query_params()
                .iter()
                .any(|(k, v)| k == "cursor" && v == "page-2");
            json(200, &listed(second))
        });
    });
    server.create_cluster(|when, then| {
        when.body(&cluster_request);
        then.ok(&cluster);
    });
    let cluster_reads = Arc::new(AtomicUsize::new(0));
    let responder = becomes_ready(cluster.clone(), cluster_ready, cluster_reads.clone());
    server.get_cluster(|when, then| {
        when.cluster_id(cluster_id);
        then.respond_with(responder);
    });
    // Like OKS: seal the kubeconfig for the public key the request carries.
    let keys_seen = Arc::new(AtomicUsize::new(0));
    let counter = keys_seen.clone();
    server.get_cluster_kubeconfig_encrypted(|when, then| {
        when.cluster_id(cluster_id);
        then.respond_with(move |request: &HttpMockRequest| {
            counter.fetch_add(1, Ordering::SeqCst);
            let sealed =
                nacl::seal_for_request(request, kubeconfig_yaml.as_bytes()).unwrap_or_default();
            json(
                200,
                &serde_json::json!({"Cluster": {"data": {"name": "demo", "kubeconfig": sealed}}}),
            )
        });
    });

    let client = Client::builder()
        .access_key("offline-tour-access-key", "offline-tour-secret-key")
        .base_url(server.base_url())
        .wait_policy(
            kaas::WaitPolicy::default()
                .with_initial_interval(Duration::from_millis(200))
                .with_deadline(Duration::from_secs(30)),
        )
        .build()?;

    let created = client
        .create_project()
        .body(project_request.clone())
        .send()
        .await?;
    let created = created.project;
    step(
        "create_project()",
        format!("{} in {}: {}", created.name, created.region, created.status),
    );
    let ready = client.wait_until_project_ready(project_id).await?;
    step(
        "wait_until_project_ready()",
        format!(
            "{} after {} reads",
            ready.status,
            project_reads.load(Ordering::SeqCst)
        ),
    );
    let projects: Vec<_> = client.projects().try_collect().await?;
    step(
        "projects()",
        format!(
            "{} project(s) over {} pages of the list",
            projects.len(),
            project_pages.load(Ordering::SeqCst)
        ),
    );

    let created = client
        .create_cluster()
        .body(cluster_request.clone())
        .send()
        .await?;
    let created = created.cluster;
    step(
        "create_cluster()",
        format!(
            "{} (Kubernetes {}, control planes {})",
            created.name, created.version, created.control_planes
        ),
    );
    let ready = client.wait_until_ready(cluster_id).await?;
    let status = ready
        .statuses
        .status
        .map(|s| s.to_string())
        .unwrap_or_default();
    step(
        "wait_until_ready()",
        format!(
            "{status} after {} reads",
            cluster_reads.load(Ordering::SeqCst)
        ),
    );

    let kubeconfig = client.kubeconfig(cluster_id).await?;
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
