//! DigitalOcean stand-ins: in-process servers that answer as DigitalOcean's API does, with
//! answers built here from the documentation's examples, for the DigitalOcean examples and
//! the tour.
//!
//! Against the real API the examples need `DIGITALOCEAN_TOKEN`; those that change a cluster
//! also need `KAAS_EXAMPLES_LIVE=1` and the cluster's id in `DIGITALOCEAN_CLUSTER_ID`.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use httpmock::{HttpMockResponse, MockServer};
use kaas::digitalocean::mock::MockServerExt as _;
use kaas::digitalocean::{Client, types};
use kaas::uuid::Uuid;

use super::{Reads, Target, json_answer, json_body};

mod changes;

use changes::{serve_node_pool, serve_upgrades};

/// The environment variable that holds the API token.
pub const TOKEN: &str = "DIGITALOCEAN_TOKEN";
/// The environment variable that names the cluster an example changes, against the real API.
pub const CLUSTER: &str = "DIGITALOCEAN_CLUSTER_ID";
/// The stand-in's cluster: the documentation's `prod-cluster-01`.
pub const CLUSTER_ID: &str = "bd5f5959-5e1e-4205-a714-a914373942af";

/// The cluster an example that changes things works on: the stand-in's, or
/// `DIGITALOCEAN_CLUSTER_ID` against the real API.
pub fn cluster_id(target: &Target<Client>) -> anyhow::Result<Uuid> {
    Ok(target.input(CLUSTER, CLUSTER_ID)?.parse()?)
}
/// The stand-in cluster's first node pool.
pub const NODE_POOL_ID: &str = "cdda885e-7663-40c8-bc74-3a036c66545d";

/// For the examples that only read: the real API with `DIGITALOCEAN_TOKEN`, else an account of
/// five clusters (listed in pages of any size) that serves each cluster's kubeconfig.
pub async fn reading_target() -> anyhow::Result<Target<Client>> {
    Target::reading(TOKEN, Client::new, async {
        let server = MockServer::start_async().await;
        serve_list(&server, five_clusters());
        serve_kubeconfig(&server, five_clusters());
        offline(server)
    })
    .await
}

/// For the example that handles errors: the real API with `DIGITALOCEAN_TOKEN`, else an
/// account over its rate limit (the list answers 429, asking for 120 s) where no cluster is
/// found (404).
pub async fn failing_target() -> anyhow::Result<Target<Client>> {
    Target::reading(TOKEN, Client::new, async {
        let server = MockServer::start_async().await;
        let retry_at = SystemTime::now() + Duration::from_secs(120);
        let reset = retry_at.duration_since(SystemTime::UNIX_EPOCH)?.as_secs();
        let limited = error("too_many_requests", "API rate limit exceeded.");
        server.list_clusters(|_, then| {
            then.too_many_requests(&limited)
                .into_inner()
                .header("retry-after", "120")
                .header("ratelimit-limit", "5000")
                .header("ratelimit-remaining", "0")
                .header("ratelimit-reset", reset.to_string());
        });
        let missing = error(
            "not_found",
            "The resource you requested could not be found.",
        );
        server.get_cluster(|_, then| {
            then.not_found(&missing);
        });
        offline(server)
    })
    .await
}

/// For the example that creates a cluster: the stand-in unless `KAAS_EXAMPLES_LIVE=1`. A
/// created cluster is `provisioning` for two reads, then `running`.
pub async fn creating_target() -> anyhow::Result<Target<Client>> {
    Target::changing(TOKEN, Client::new, async {
        let server = MockServer::start_async().await;
        serve_lifecycle(&server);
        offline(server)
    })
    .await
}

/// For the examples that change a node pool: the stand-in unless `KAAS_EXAMPLES_LIVE=1`. Its
/// cluster has one pool of three nodes, tainted `workload=batch:NoSchedule`; an update applies
/// what its body says, as the API does: a `taints` key absent keeps the taints, `[]` clears
/// them, anything else is refused.
pub async fn node_pool_target() -> anyhow::Result<Target<Client>> {
    Target::changing(TOKEN, Client::new, async {
        let server = MockServer::start_async().await;
        serve_node_pool(&server);
        offline(server)
    })
    .await
}

/// For the example that upgrades a cluster: the stand-in unless `KAAS_EXAMPLES_LIVE=1`. Its
/// cluster runs 1.31.1 and may go to 1.31.9 or 1.31.10; an upgrade is `upgrading` for two
/// reads, then `running` on the new version.
pub async fn upgrade_target() -> anyhow::Result<Target<Client>> {
    Target::changing(TOKEN, Client::new, async {
        let server = MockServer::start_async().await;
        serve_upgrades(&server);
        offline(server)
    })
    .await
}

/// The tour's stand-in: a cluster's whole life (create, wait, add a pool, delete), its
/// kubeconfig, and five clusters to list; with the reads the wait took.
pub async fn tour_target() -> anyhow::Result<(Target<Client>, Reads)> {
    let server = MockServer::start_async().await;
    let reads = serve_lifecycle(&server);
    let documented = documented_cluster(Vec::new(), types::ClusterState::Running);
    serve_kubeconfig(&server, vec![documented]);
    serve_list(&server, five_clusters());
    Ok((offline(server)?, reads))
}

/// The inventory's stand-in: an account whose one cluster is the documentation's
/// `prod-cluster-01`, still provisioning.
pub async fn inventory_target() -> anyhow::Result<Target<Client>> {
    let server = MockServer::start_async().await;
    let pools = vec![
        pool(NODE_POOL_ID, "frontend-pool", "s-1vcpu-2gb", 3),
        pool(
            "f49f4379-7e7f-4af5-aeb6-0354bd840778",
            "backend-pool",
            "g-4vcpu-16gb",
            2,
        ),
    ];
    let state = types::ClusterState::Provisioning;
    serve_list(&server, vec![documented_cluster(pools, state)]);
    offline(server)
}

/// A client for the stand-in, polling every 50 ms so that waits end at once.
fn offline(server: MockServer) -> anyhow::Result<Target<Client>> {
    let client = Client::builder()
        .token("dop_v1_offline-example-token")
        .base_url(server.base_url())
        .wait_policy(kaas::WaitPolicy::default().with_initial_interval(Duration::from_millis(50)))
        .build()?;
    Ok(Target::offline(client, server))
}

/// The cluster list, a page of `per_page` at a time, with the rate-limit headers DigitalOcean
/// sends on every answer.
fn serve_list(server: &MockServer, clusters: Vec<types::Cluster>) {
    server.list_clusters(|_, then| {
        then.respond_with(move |request| {
            let number = |name: &str, default: usize| {
                let query = request.query_params();
                let value = query.iter().find(|(key, _)| key == name);
                value.and_then(|(_, v)| v.parse().ok()).unwrap_or(default)
            };
            let (page, per_page) = (number("page", 1).max(1), number("per_page", 20).max(1));
            let list = types::ClusterList {
                kubernetes_clusters: clusters
                    .iter()
                    .skip((page - 1) * per_page)
                    .take(per_page)
                    .cloned()
                    .collect(),
                links: None,
                meta: types::PageMeta {
                    total: Some(clusters.len() as i64),
                },
            };
            let mut answer = json_answer(200, &list);
            answer.headers.get_or_insert_default().extend(
                [
                    ("ratelimit-limit", "5000"),
                    ("ratelimit-remaining", "4816"),
                    ("ratelimit-reset", "1444931833"),
                ]
                .map(|(name, value)| (name.to_owned(), value.to_owned())),
            );
            answer
        });
    });
}

/// The kubeconfig of each of `clusters`, in the documented shape.
fn serve_kubeconfig(server: &MockServer, clusters: Vec<types::Cluster>) {
    server.get_kubeconfig(|_, then| {
        then.respond_with(move |request| {
            // `/v2/kubernetes/clusters/{id}/kubeconfig`
            let path = request.uri();
            let id = path.path().split('/').nth(4).unwrap_or_default();
            let Some(cluster) = clusters.iter().find(|c| c.id.to_string() == id) else {
                return not_found();
            };
            let name = format!("do-{}-{}", cluster.region, cluster.name);
            let yaml = format!(
                "apiVersion: v1
kind: Config
clusters:
- cluster:
    server: https://{id}.k8s.ondigitalocean.com
  name: {name}
contexts:
- context:
    cluster: {name}
    user: {name}-admin
  name: {name}
current-context: {name}
users:
- name: {name}-admin
  user:
    token: offline-example-kubernetes-token
"
            );
            HttpMockResponse::builder()
                .status(200)
                .header("content-type", "application/yaml")
                .body(yaml)
                .build()
        });
    });
}

/// A cluster's life: created from the request's body, `provisioning` for two reads, then
/// `running`; node pools added from theirs; deleted. Returns the reads of the cluster.
fn serve_lifecycle(server: &MockServer) -> Reads {
    let id = uuid(CLUSTER_ID);
    let created: Arc<Mutex<Option<types::Cluster>>> = Arc::default();
    let reads = Reads::default();
    let store = created.clone();
    server.create_cluster(|_, then| {
        then.respond_with(move |request| {
            let create: types::ClusterCreate = match json_body(request) {
                Ok(create) => create,
                Err(refused) => return refused,
            };
            let pools = create.node_pools.iter().zip([NODE_POOL_ID]);
            let pools = pools
                .map(|(p, id)| pool(id, &p.name, &p.size, p.count))
                .collect();
            let cluster = types::Cluster {
                name: create.name,
                region: create.region,
                version: create.version,
                ..documented_cluster(pools, types::ClusterState::Provisioning)
            };
            *store.lock().unwrap() = Some(cluster.clone());
            json_answer(
                201,
                &types::ClusterResponse {
                    kubernetes_cluster: cluster,
                },
            )
        });
    });
    let counter = reads.clone();
    server.get_cluster(|when, then| {
        when.cluster_id(&id);
        then.respond_with(move |_| {
            let Some(mut cluster) = created.lock().unwrap().clone() else {
                return not_found();
            };
            if counter.next() >= 2 {
                cluster = running(cluster);
            }
            json_answer(
                200,
                &types::ClusterResponse {
                    kubernetes_cluster: cluster,
                },
            )
        });
    });
    server.add_node_pool(|when, then| {
        when.cluster_id(&id);
        then.respond_with(|request| {
            let create: types::NodePoolCreate = match json_body(request) {
                Ok(create) => create,
                Err(refused) => return refused,
            };
            let pool = types::NodePool {
                auto_scale: create.auto_scale,
                min_nodes: create.min_nodes,
                max_nodes: create.max_nodes,
                tags: create.tags.unwrap_or_default(),
                taints: create.taints.unwrap_or_default(),
                ..pool(
                    "3385619f-8ec3-42ba-bb23-8d21b8ba7518",
                    &create.name,
                    &create.size,
                    create.count,
                )
            };
            json_answer(201, &types::NodePoolResponse { node_pool: pool })
        });
    });
    server.delete_cluster(|when, then| {
        when.cluster_id(&id);
        then.no_content();
    });
    reads
}

/// Five clusters, one a region, each with a pool of three.
fn five_clusters() -> Vec<types::Cluster> {
    ["nyc1", "ams3", "fra1", "sgp1", "tor1"]
        .into_iter()
        .zip(1u128..)
        .map(|(region, n)| {
            let pools = vec![pool(NODE_POOL_ID, "worker-pool", "s-1vcpu-2gb", 3)];
            let cluster = running(documented_cluster(pools, types::ClusterState::Running));
            types::Cluster {
                // The first is the documented cluster; each has its own id.
                id: if n == 1 {
                    uuid(CLUSTER_ID)
                } else {
                    Uuid::from_u128(n)
                },
                name: format!("cluster-{n:02}"),
                region: region.into(),
                ..cluster
            }
        })
        .collect()
}

/// The documentation's cluster (`prod-cluster-01`, `nyc1`, 1.18.6) in `state`, with `pools`.
fn documented_cluster(pools: Vec<types::NodePool>, state: types::ClusterState) -> types::Cluster {
    types::Cluster::builder()
        .id(uuid(CLUSTER_ID))
        .name("prod-cluster-01")
        .region("nyc1")
        .version("1.18.6-do.0")
        .node_pools(pools)
        .status(status(state))
        .cluster_subnet("10.244.0.0/16".to_owned())
        .service_subnet("10.245.0.0/16".to_owned())
        .tags(vec!["k8s".to_owned(), format!("k8s:{CLUSTER_ID}")])
        .maintenance_policy(types::MaintenancePolicy {
            day: Some(types::MaintenanceDay::Any),
            duration: Some("4h0m0s".into()),
            start_time: Some("00:00".into()),
        })
        .auto_upgrade(false)
        .ha(false)
        .try_into()
        .expect("a complete cluster")
}

/// The cluster once it runs: its endpoint and address set, SSO on, its nodes running.
fn running(cluster: types::Cluster) -> types::Cluster {
    let node_pools = cluster.node_pools.into_iter().map(|pool| types::NodePool {
        nodes: nodes(&pool.name, pool.count, types::NodeState::Running),
        ..pool
    });
    types::Cluster {
        endpoint: Some(format!("https://{}.k8s.ondigitalocean.com", cluster.id)),
        ipv4: Some("68.183.121.157".into()),
        status: Some(status(types::ClusterState::Running)),
        sso: Some(types::Sso {
            enabled: Some(true),
            required: Some(false),
            issuer_url: Some("https://sso.example.com".into()),
            client_id: Some("doks-cluster-client".into()),
        }),
        isolated_workers: Some(false),
        node_pools: node_pools.collect(),
        ..cluster
    }
}

/// A node pool of `count` nodes that are still provisioning.
fn pool(id: &str, name: &str, size: &str, count: i64) -> types::NodePool {
    types::NodePool::builder()
        .id(uuid(id))
        .name(name)
        .size(size)
        .count(count)
        .nodes(nodes(name, count, types::NodeState::Provisioning))
        .auto_scale(false)
        .tags(vec!["k8s".to_owned(), "k8s:worker".to_owned()])
        .try_into()
        .expect("a complete node pool")
}

/// A pool's `count` nodes, all in `state`.
fn nodes(pool: &str, count: i64, state: types::NodeState) -> Vec<types::Node> {
    (1..=count)
        .map(|n| types::Node {
            id: Some(Uuid::from_u128(n as u128)),
            name: Some(format!("{pool}-{n}")),
            status: Some(types::NodeStatus {
                state: Some(state.clone()),
            }),
            ..Default::default()
        })
        .collect()
}

/// A cluster status in `state`, without a message.
fn status(state: types::ClusterState) -> types::ClusterStatus {
    types::ClusterStatus {
        state: Some(state),
        message: None,
    }
}

/// DigitalOcean's error body.
fn error(id: &str, message: &str) -> types::Error {
    types::Error {
        id: id.into(),
        message: message.into(),
        request_id: None,
    }
}

/// DigitalOcean's 404 answer.
fn not_found() -> HttpMockResponse {
    let message = "The resource you requested could not be found.";
    json_answer(404, &error("not_found", message))
}

/// One of the stand-in's ids, as a `Uuid`.
fn uuid(text: &str) -> Uuid {
    text.parse().expect("the stand-in's ids are UUIDs")
}
