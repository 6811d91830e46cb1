//! The OKS stand-in: a server that answers like OUTSCALE OKS for the OKS examples and the
//! tour, each scenario a function that sets it up, every answer built here in code.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use httpmock::{HttpMockRequest, MockServer};
use kaas::oks::mock::MockServerExt as _;
use kaas::oks::{Client, MAX_PAGE_SIZE, nacl, types};

use super::answers::{self, Kept, asked};
use super::{Reads, Target, credential, json_answer, stand_in};

/// The id of the project the stand-in knows (and creates).
pub const PROJECT_ID: &str = "11111111-2222-3333-4444-555555555555";
/// The id of the cluster the stand-in hands a kubeconfig for (and creates).
pub const CLUSTER_ID: &str = "66666666-7777-8888-9999-000000000000";

/// The token of a user (`admin`, `viewer`) in the stand-in's kubeconfig.
fn token(role: &str) -> String {
    format!("offline-oks-{role}-token")
}

/// When the stand-in's resources were created.
const CREATED_AT: &str = "2026-01-05T09:30:00Z";

/// The variable that holds the access key; its secret key is in `OKS_SECRET_KEY`.
pub const ACCESS_KEY: &str = "OKS_ACCESS_KEY";

/// A client for the real API: `access_key` with `OKS_SECRET_KEY`, and `OKS_REGION` or
/// `OKS_API_URL` when set, as kaas reads them.
pub fn live(access_key: String) -> kaas::Result<Client> {
    let secret_key = credential("OKS_SECRET_KEY").ok_or_else(|| {
        kaas::Error::InvalidInput("OKS_ACCESS_KEY is set but OKS_SECRET_KEY is not".into())
    })?;
    let mut builder = Client::builder().access_key(access_key, secret_key);
    if let Some(region) = credential("OKS_REGION") {
        builder = builder.region(region.parse()?);
    }
    if let Some(url) = credential("OKS_API_URL") {
        builder = builder.base_url(url);
    }
    builder.build()
}

/// A client for a stand-in at `base_url`, polling every 50 ms so that waits end at once.
pub fn offline(base_url: &str) -> anyhow::Result<Client> {
    Ok(Client::builder()
        .access_key("offline-example-access-key", "offline-example-secret-key")
        .base_url(base_url)
        .wait_policy(kaas::WaitPolicy::default().with_initial_interval(Duration::from_millis(50)))
        .build()?)
}

/// OKS for an example that only reads: the real API with `OKS_ACCESS_KEY`, else a stand-in
/// set up by `serve`.
pub async fn reading_target<S>(
    serve: impl FnOnce(&MockServer) -> S,
) -> anyhow::Result<Target<Client>> {
    Target::reading(ACCESS_KEY, live, stand_in(serve, offline)).await
}

/// OKS for an example that creates things: a stand-in set up by `serve`, unless
/// `KAAS_EXAMPLES_LIVE=1`.
pub async fn changing_target<S>(
    serve: impl FnOnce(&MockServer) -> S,
) -> anyhow::Result<Target<Client>> {
    Target::changing(ACCESS_KEY, live, stand_in(serve, offline)).await
}

/// A cluster as OKS describes it, with the settings OKS gives by default.
pub fn cluster(
    id: &str,
    name: &str,
    version: &str,
    status: types::ResourceStatus,
) -> types::Cluster {
    types::Cluster {
        admin_lbu: false,
        admin_whitelist: vec!["0.0.0.0/0".into()],
        admission_flags: types::AdmissionFlags::default(),
        auth: None,
        auto_maintenances: None,
        cidr_pods: Some("10.91.0.0/16".into()),
        cidr_service: Some("10.92.0.0/16".into()),
        cluster_dns: Some("10.92.0.10".into()),
        cni: "cilium".into(),
        control_planes: "cp.3.masters.small".into(),
        cp_multi_az: Some(false),
        cp_subregions: vec!["2a".into()],
        description: None,
        disable_api_termination: Some(false),
        expected_control_planes: None,
        expected_version: None,
        id: id.into(),
        maintenance_window: None,
        name: name.into(),
        project_id: PROJECT_ID.into(),
        statuses: types::Statuses {
            available_upgrade: None,
            created_at: CREATED_AT.parse().expect("a valid date"),
            deleted_at: None,
            status: Some(status),
            updated_at: None,
        },
        tags: HashMap::new(),
        version: version.into(),
    }
}

/// The cluster OKS makes for `request`.
fn cluster_for(request: &types::ClusterInput, status: types::ResourceStatus) -> types::Cluster {
    types::Cluster {
        admin_whitelist: request.admin_whitelist.clone(),
        cidr_pods: Some(request.cidr_pods.clone()),
        cidr_service: Some(request.cidr_service.clone()),
        control_planes: request
            .control_planes
            .clone()
            .unwrap_or_else(|| "cp.3.masters.small".into()),
        cp_subregions: request.cp_subregions.clone().unwrap_or_default(),
        description: request.description.clone(),
        project_id: request.project_id.clone(),
        tags: request.tags.clone().unwrap_or_default(),
        ..cluster(CLUSTER_ID, &request.name, &request.version, status)
    }
}

/// A project as OKS describes it.
pub fn project(id: &str, name: &str, status: types::ResourceStatus) -> types::Project {
    let created_at = CREATED_AT.parse().expect("a valid date");
    types::Project {
        cidr: "10.50.0.0/18".into(),
        created_at,
        deleted_at: None,
        description: None,
        disable_api_termination: Some(false),
        id: id.into(),
        name: name.into(),
        region: "eu-west-2".into(),
        status,
        tags: HashMap::new(),
        updated_at: created_at,
    }
}

/// The project OKS makes for `request`.
fn project_for(request: &types::ProjectInput, status: types::ResourceStatus) -> types::Project {
    types::Project {
        cidr: request.cidr.clone(),
        description: request.description.clone(),
        region: request.region.clone(),
        tags: request.tags.clone().unwrap_or_default(),
        ..project(PROJECT_ID, &request.name, status)
    }
}

/// What OKS answers about one cluster.
fn cluster_answer(cluster: types::Cluster) -> types::ClusterResponse {
    types::ClusterResponse {
        cluster,
        response_context: types::ClusterResponseContext {
            request_id: "offline-example".into(),
        },
    }
}

/// What OKS answers about one project.
fn project_answer(project: types::Project) -> types::ProjectResponse {
    types::ProjectResponse {
        project,
        response_context: types::ProjectResponseContext {
            request_id: "offline-example".into(),
        },
    }
}

/// The `Pagination` of a page that points at `next_cursor` (none: the last page).
fn pagination(next_cursor: Option<&str>) -> Option<types::Pagination> {
    Some(types::Pagination {
        cursor: Some(types::Cursor {
            next_cursor: next_cursor.map(String::from),
        }),
        offset: None,
    })
}

/// A page of the cluster list.
fn cluster_page(
    clusters: Vec<types::Cluster>,
    next_cursor: Option<&str>,
) -> types::ClusterResponseList {
    types::ClusterResponseList {
        clusters,
        pagination: pagination(next_cursor),
        response_context: types::ClusterResponseContext {
            request_id: "offline-example".into(),
        },
    }
}

/// A page of the project list.
fn project_page(
    projects: Vec<types::Project>,
    next_cursor: Option<&str>,
) -> types::ProjectResponseList {
    types::ProjectResponseList {
        projects,
        pagination: pagination(next_cursor),
        response_context: types::ProjectResponseContext {
            request_id: "offline-example".into(),
        },
    }
}

/// An OKS error answer saying `message`.
fn refusal(message: impl Into<String>) -> types::ErrorResponse {
    types::ErrorResponse {
        detail: None,
        errors: Vec::new(),
        message: Some(message.into()),
        response_context: None,
    }
}

/// Every cluster of the account in two pages of the list, cursor-walked: staging and
/// production, then sandbox. Returns how many pages were served.
pub fn clusters_in_two_pages(server: &MockServer) -> Reads {
    use types::ResourceStatus::Ready;
    let (responder, pages) = answers::two_pages(
        cluster_page(
            vec![
                cluster("cluster-staging", "staging", "1.31", Ready),
                cluster("cluster-production", "production", "1.31", Ready),
            ],
            Some("page-2"),
        ),
        cluster_page(
            vec![cluster("cluster-sandbox", "sandbox", "1.32", Ready)],
            None,
        ),
        "page-2",
    );
    server.list_clusters(|when, then| {
        when.limit(i64::from(MAX_PAGE_SIZE));
        then.respond_with(responder);
    });
    pages
}

/// The ready clusters of Kubernetes 1.32, in two pages of the list. Every page must carry the
/// filters (`status=ready`, `version=1.32`): a page asked without them is answered 400, and
/// the example fails.
pub fn ready_clusters_of_1_32(server: &MockServer) -> Reads {
    use types::ResourceStatus::Ready;
    let (responder, pages) = answers::two_pages(
        cluster_page(
            vec![
                cluster("cluster-analytics", "analytics", "1.32", Ready),
                cluster("cluster-web", "web", "1.32", Ready),
            ],
            Some("page-2"),
        ),
        cluster_page(vec![cluster("cluster-batch", "batch", "1.32", Ready)], None),
        "page-2",
    );
    server.list_clusters(|when, then| {
        when.status("ready")
            .version("1.32")
            .limit(i64::from(MAX_PAGE_SIZE));
        then.respond_with(responder);
    });
    let filtered = |request: &HttpMockRequest| {
        let query = request.query_params();
        let has = |name: &str, value: &str| query.iter().any(|(n, v)| n == name && v == value);
        has("status", "ready") && has("version", "1.32")
    };
    server.list_clusters(|when, then| {
        when.is_true(move |request| !filtered(request));
        then.bad_request(&refusal(
            "the stand-in answers only status=ready&version=1.32: a page was asked without the filters",
        ));
    });
    pages
}

/// The projects of the account in two pages of the list: awesome-project, then
/// second-project. Returns how many pages were served.
pub fn projects_in_two_pages(server: &MockServer) -> Reads {
    use types::ResourceStatus::Ready;
    let (responder, pages) = answers::two_pages(
        project_page(
            vec![project(PROJECT_ID, "awesome-project", Ready)],
            Some("page-2"),
        ),
        project_page(
            vec![project("second-project-id", "second-project", Ready)],
            None,
        ),
        "page-2",
    );
    server.list_projects(|when, then| {
        when.limit(i64::from(MAX_PAGE_SIZE));
        then.respond_with(responder);
    });
    pages
}

/// Creates the project asked for, `pending` for two reads, then `ready`. Returns how many
/// reads were answered.
pub fn project_becomes_ready(server: &MockServer) -> Reads {
    use types::ResourceStatus::{Pending, Ready};
    let kept = Kept::default();
    let responder = answers::creates(200, &kept, |input: &types::ProjectInput| {
        project_answer(project_for(input, Pending))
    });
    server.create_project(|_, then| {
        then.respond_with(responder);
    });
    let (responder, reads) = answers::by_read(move |read| {
        let status = if read < 2 { Pending } else { Ready };
        project_answer(project_for(&asked(&kept), status))
    });
    server.get_project(|when, then| {
        when.project_id(PROJECT_ID);
        then.respond_with(responder);
    });
    reads
}

/// Creates the cluster asked for, `deploying` for two reads, then `ready`. Returns how many
/// reads were answered.
pub fn cluster_becomes_ready(server: &MockServer) -> Reads {
    use types::ResourceStatus::{Deploying, Ready};
    let kept = Kept::default();
    let responder = answers::creates(200, &kept, |input: &types::ClusterInput| {
        cluster_answer(cluster_for(input, Deploying))
    });
    server.create_cluster(|_, then| {
        then.respond_with(responder);
    });
    let (responder, reads) = answers::by_read(move |read| {
        let status = if read < 2 { Deploying } else { Ready };
        cluster_answer(cluster_for(&asked(&kept), status))
    });
    server.get_cluster(|when, then| {
        when.cluster_id(CLUSTER_ID);
        then.respond_with(responder);
    });
    reads
}

/// The account's projects in two pages, and the cluster asked for created in the first,
/// `deploying` for two reads, then `ready`: what `oks_create_and_wait` changes.
pub fn new_cluster(server: &MockServer) {
    projects_in_two_pages(server);
    cluster_becomes_ready(server);
}

/// The kubeconfig OKS hands out for cluster `name`, served at `server`: an admin and a
/// viewer context, each user with a token.
pub fn kubeconfig(name: &str, server: &str) -> String {
    let user = |role: &str| {
        serde_json::json!({
            "name": format!("oks-{role}"),
            "user": {"token": token(role)},
        })
    };
    let context = |role: &str| {
        serde_json::json!({
            "name": format!("oks-{role}@{name}"),
            "context": {"cluster": name, "user": format!("oks-{role}")},
        })
    };
    let kubeconfig = serde_json::json!({
        "apiVersion": "v1",
        "kind": "Config",
        "current-context": format!("oks-admin@{name}"),
        "clusters": [{"name": name, "cluster": {"server": server}}],
        "contexts": [context("admin"), context("viewer")],
        "users": [user("admin"), user("viewer")],
    });
    serde_yaml_ng::to_string(&kubeconfig).expect("a kubeconfig serializes")
}

/// Seals `yaml`, like OKS, for the public key each request carries (`x-encrypt-nacl`), as
/// cluster [`CLUSTER_ID`]'s kubeconfig. A key seen before is refused (each call of kaas makes
/// a fresh key pair).
pub fn sealed_kubeconfig(server: &MockServer, yaml: String) {
    let keys = Arc::new(Mutex::new(Vec::<String>::new()));
    let seen = Arc::clone(&keys);
    server.get_cluster_kubeconfig_encrypted(|when, then| {
        when.cluster_id(CLUSTER_ID).is_true(move |request| {
            let key = nacl::request_key(request);
            key.is_some_and(|key| !seen.lock().expect("not poisoned").contains(&key))
        });
        then.respond_with(move |request: &HttpMockRequest| {
            if let Some(key) = nacl::request_key(request) {
                keys.lock().expect("not poisoned").push(key);
            }
            let sealed = nacl::seal_for_request(request, yaml.as_bytes()).expect("a valid key");
            json_answer(
                200,
                &types::KubeconfigResponse {
                    cluster: Some(types::KubeconfigRpcResponse {
                        data: Some(types::KubeconfigData {
                            kubeconfig: Some(sealed.into()),
                            name: Some("demo".into()),
                        }),
                        request_id: None,
                    }),
                    response_context: None,
                },
            )
        });
    });
}

/// Lists `clusters` in one page.
fn one_page_of(server: &MockServer, clusters: Vec<types::Cluster>) {
    server.list_clusters(|_, then| {
        then.ok(&cluster_page(clusters, None));
    });
}

/// The inventory's stand-in: an account whose one cluster, `analytics`, is ready in two
/// Subregions.
pub async fn inventory_target() -> anyhow::Result<Target<Client>> {
    let analytics = types::Cluster {
        cp_subregions: vec!["eu-west-2a".into(), "eu-west-2b".into()],
        ..cluster(
            CLUSTER_ID,
            "analytics",
            "1.32",
            types::ResourceStatus::Ready,
        )
    };
    stand_in(|server| one_page_of(server, vec![analytics]), offline).await
}

/// Cluster `demo` ([`CLUSTER_ID`]), listed alone.
fn demo_listed(server: &MockServer) {
    let demo = cluster(CLUSTER_ID, "demo", "1.32", types::ResourceStatus::Ready);
    one_page_of(server, vec![demo]);
}

/// The kubeconfig of cluster `demo`, at its OKS endpoint, sealed for each request.
pub fn demo_kubeconfig(server: &MockServer) {
    let endpoint = "https://demo.eu-west-2.oks.outscale.com:6443";
    sealed_kubeconfig(server, kubeconfig("demo", endpoint))
}

/// One cluster, `demo`, whose kubeconfig is sealed for each request: what `oks_kubeconfig`
/// reads.
pub fn one_cluster(server: &MockServer) {
    demo_listed(server);
    demo_kubeconfig(server);
}

/// One cluster, `demo`, whose Kubernetes API is this same stand-in (its paths do not meet
/// OKS's), answering the pods of `kube-system` to the admin's token.
#[cfg(feature = "kube")]
pub fn one_cluster_with_pods(server: &MockServer) {
    demo_listed(server);
    sealed_kubeconfig(server, kubeconfig("demo", &server.base_url()));
    super::kubernetes::serve_pods(server, "kube-system", &token("admin"));
}
