//! The DigitalOcean stand-ins of the examples that change a cluster: a node pool that updates
//! change as their body says, and a cluster that upgrades.

use std::sync::{Arc, Mutex};

use httpmock::{HttpMockRequest, HttpMockResponse, MockServer};
use kaas::digitalocean::mock::MockServerExt as _;
use kaas::digitalocean::types;

use super::{
    CLUSTER_ID, NODE_POOL_ID, documented_cluster, error, nodes, pool, running, status, uuid,
};
use crate::support::{Reads, json_answer, json_body};

/// The versions the stand-in offers to upgrade to: `1.31.10` is the newest, though
/// `1.31.9-do.2` sorts last as text.
const UPGRADES: [(&str, &str); 2] = [("1.31.9", "1.31.9-do.2"), ("1.31.10", "1.31.10-do.0")];

/// A cluster with one tainted node pool, which updates change as their body says.
pub(super) fn serve_node_pool(server: &MockServer) {
    let (cluster_id, pool_id) = (uuid(CLUSTER_ID), uuid(NODE_POOL_ID));
    let taint = types::Taint {
        key: Some("workload".into()),
        value: Some("batch".into()),
        effect: Some(types::TaintEffect::NoSchedule),
    };
    let state = Arc::new(Mutex::new(types::NodePool {
        taints: vec![taint],
        ..pool(NODE_POOL_ID, "worker-pool", "s-2vcpu-4gb", 3)
    }));
    let current = state.clone();
    server.list_node_pools(|when, then| {
        when.cluster_id(&cluster_id);
        then.respond_with(move |_| {
            let node_pools = vec![current.lock().unwrap().clone()];
            json_answer(200, &types::NodePoolList { node_pools })
        });
    });
    let current = state.clone();
    server.get_node_pool(|when, then| {
        when.cluster_id(&cluster_id).node_pool_id(&pool_id);
        then.respond_with(move |_| {
            let node_pool = current.lock().unwrap().clone();
            json_answer(200, &types::NodePoolResponse { node_pool })
        });
    });
    server.update_node_pool(|when, then| {
        when.cluster_id(&cluster_id).node_pool_id(&pool_id);
        then.respond_with(move |request| {
            let mut pool = state.lock().unwrap();
            match update_pool(&mut pool, request) {
                Ok(()) => json_answer(
                    202,
                    &types::NodePoolResponse {
                        node_pool: pool.clone(),
                    },
                ),
                Err(message) => json_answer(422, &error("unprocessable_entity", &message)),
            }
        });
    });
}

/// Applies an update's body to the pool as DigitalOcean does. The body is read as JSON first,
/// so that a `taints` key that is absent and one that is `[]` are told apart.
fn update_pool(pool: &mut types::NodePool, request: &HttpMockRequest) -> Result<(), String> {
    let body: serde_json::Value = serde_json::from_slice(request.body_ref())
        .map_err(|e| format!("the body is not JSON: {e}"))?;
    match body.get("taints") {
        // Absent: the pool keeps its taints.
        None => {}
        Some(serde_json::Value::Array(_)) => {}
        Some(other) => return Err(format!("`taints` must be a list, not {other}")),
    }
    let update: types::NodePoolUpdate =
        serde_json::from_value(body).map_err(|e| format!("not a node pool update: {e}"))?;
    let count = update.count;
    *pool = types::NodePool {
        name: update.name,
        count,
        auto_scale: update.auto_scale.or(pool.auto_scale),
        min_nodes: update.min_nodes.or(pool.min_nodes),
        max_nodes: update.max_nodes.or(pool.max_nodes),
        tags: update.tags.unwrap_or_else(|| pool.tags.clone()),
        labels: update.labels.or_else(|| pool.labels.clone()),
        taints: update.taints.unwrap_or_else(|| pool.taints.clone()),
        nodes: nodes(&pool.name, count, types::NodeState::Running),
        ..pool.clone()
    };
    Ok(())
}

/// A cluster on 1.31.1 with two upgrades available.
pub(super) fn serve_upgrades(server: &MockServer) {
    let id = uuid(CLUSTER_ID);
    // The version asked for, once an upgrade was.
    let upgrade: Arc<Mutex<Option<String>>> = Arc::default();
    let reads = Reads::default();
    let asked = upgrade.clone();
    server.get_cluster(|when, then| {
        when.cluster_id(&id);
        then.respond_with(move |_| {
            let pools = vec![pool(NODE_POOL_ID, "worker-pool", "s-2vcpu-4gb", 3)];
            let mut cluster = running(documented_cluster(pools, types::ClusterState::Running));
            cluster.version = "1.31.1-do.5".into();
            if let Some(version) = asked.lock().unwrap().clone() {
                if reads.next() < 2 {
                    cluster.status = Some(status(types::ClusterState::Upgrading));
                } else {
                    cluster.version = version;
                }
            }
            json_answer(
                200,
                &types::ClusterResponse {
                    kubernetes_cluster: cluster,
                },
            )
        });
    });
    let versions = UPGRADES.map(|(version, slug)| types::KubernetesVersion {
        kubernetes_version: Some(version.into()),
        slug: Some(slug.into()),
        supported_features: vec!["cluster-autoscaler".into(), "token-authentication".into()],
    });
    server.get_available_upgrades(|when, then| {
        when.cluster_id(&id);
        then.ok(&types::AvailableUpgrades {
            available_upgrade_versions: Some(versions.to_vec()),
        });
    });
    server.upgrade_cluster(|when, then| {
        when.cluster_id(&id);
        then.respond_with(move |request| {
            let asked: types::ClusterUpgrade = match json_body(request) {
                Ok(asked) => asked,
                Err(refused) => return refused,
            };
            let version = asked.version.unwrap_or_default();
            if !UPGRADES.iter().any(|(_, slug)| *slug == version) {
                let message = format!("{version:?} is not an available upgrade");
                return json_answer(422, &error("unprocessable_entity", &message));
            }
            *upgrade.lock().unwrap() = Some(version);
            HttpMockResponse::builder().status(202).build()
        });
    });
}
