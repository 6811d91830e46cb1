//! Cloud66 clusters (stacks) as inventory entries.

use futures::stream::{BoxStream, StreamExt};

use super::{ClusterState, ClusterSummary, Provider, ProviderCluster};
use crate::cloud66::{Client, types};

/// Every cluster the token sees, summarised.
pub(super) fn clusters(client: &Client) -> BoxStream<'static, crate::Result<ClusterSummary>> {
    client.clusters().map(|item| item.map(summary)).boxed()
}

/// The stack `status` says where a deployment is (queued, analysing, deploying, deployed,
/// failed); once deployed, `health` says how it runs (impaired is degraded, failed is failed).
pub(super) fn summary(cluster: types::Cluster) -> ClusterSummary {
    use types::{ClusterHealth as Health, ClusterStatus as Status};
    let state = match (&cluster.status, &cluster.health) {
        (Status::Deployed, Health::Healthy | Health::HealthUnknown) => ClusterState::Running,
        (Status::Deployed, Health::Impaired) => ClusterState::Degraded,
        (Status::Deployed, Health::Failed) => ClusterState::Failed,
        (Status::Deployed, Health::Building) => ClusterState::Provisioning,
        (Status::DeployFailed | Status::UnableToAnalyse, _) => ClusterState::Failed,
        (Status::Queued | Status::Analysing | Status::Analysed | Status::QueuedForDeploy, _) => {
            ClusterState::Provisioning
        }
        // A first deployment builds; a later one changes a running stack.
        (Status::Deploying, Health::Building) => ClusterState::Provisioning,
        (Status::Deploying, _) => ClusterState::Upgrading,
        _ => ClusterState::Unknown,
    };
    ClusterSummary {
        provider: Provider::Cloud66,
        // Set by the inventory, which knows the account.
        account: String::new(),
        id: cluster.uid.clone(),
        name: cluster.name.clone(),
        location: cluster.region.clone(),
        kubernetes_version: cluster.kubernetes_version.clone(),
        state,
        // The provider's own words are numbers: status, then health (`1/3`).
        raw_state: format!("{}/{}", cluster.status, cluster.health),
        node_count: cluster.node_count.and_then(|n| u64::try_from(n).ok()),
        api_endpoint: None,
        created_at: cluster.created_at_iso,
        object: ProviderCluster::Cloud66(Box::new(cluster)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(status: i64, health: i64) -> ClusterState {
        let cluster: types::Cluster = serde_json::from_value(serde_json::json!({
            "uid": "5999b763474b0eafa5fafb64bff0ba80", "name": "c", "status": status, "health": health
        }))
        .unwrap();
        summary(cluster).state
    }

    #[test]
    fn status_then_health_say_the_state() {
        assert_eq!(state(1, 3), ClusterState::Running);
        assert_eq!(state(1, 0), ClusterState::Running);
        assert_eq!(state(1, 2), ClusterState::Degraded);
        assert_eq!(state(1, 4), ClusterState::Failed);
        assert_eq!(state(1, 1), ClusterState::Provisioning);
        assert_eq!(state(2, 3), ClusterState::Failed);
        assert_eq!(state(7, 0), ClusterState::Failed);
        for queued in [0, 3, 4, 5] {
            assert_eq!(state(queued, 1), ClusterState::Provisioning);
        }
        assert_eq!(
            state(6, 1),
            ClusterState::Provisioning,
            "a first deployment"
        );
        assert_eq!(state(6, 3), ClusterState::Upgrading, "a redeployment");
        assert_eq!(
            state(9, 3),
            ClusterState::Unknown,
            "a status kaas does not know"
        );
        assert_eq!(
            state(1, 9),
            ClusterState::Unknown,
            "a health kaas does not know"
        );
    }
}
