//! DigitalOcean clusters as inventory entries.

use futures::stream::{BoxStream, StreamExt};

use super::{ClusterState, ClusterSummary, Provider, ProviderCluster};
use crate::digitalocean::{Client, types};

/// Every cluster of the account, summarised.
pub(super) fn clusters(client: &Client) -> BoxStream<'static, crate::Result<ClusterSummary>> {
    client.clusters().map(|item| item.map(summary)).boxed()
}

/// The cluster whose id is `id`, read directly; `None` when `id` is no UUID or DigitalOcean
/// has no such cluster.
pub(super) async fn by_id(client: &Client, id: &str) -> crate::Result<Option<ClusterSummary>> {
    let Ok(id) = id.parse::<uuid::Uuid>() else {
        return Ok(None);
    };
    let read = client.get_cluster().cluster_id(id).send().await;
    Ok(super::absent_if_not_found(read)?.map(|answer| summary(answer.kubernetes_cluster)))
}

/// `status.state`: `running`, `provisioning`, `degraded`, `error` (failed), `upgrading`,
/// `deleting`, `deleted`. The node count is the sum of the pools' counts.
pub(super) fn summary(cluster: types::Cluster) -> ClusterSummary {
    let state = cluster.status.as_ref().and_then(|s| s.state.clone());
    let (state, raw_state) = match state {
        None => (ClusterState::Unknown, String::new()),
        Some(state) => (
            match &state {
                types::ClusterState::Running => ClusterState::Running,
                types::ClusterState::Provisioning => ClusterState::Provisioning,
                types::ClusterState::Degraded => ClusterState::Degraded,
                types::ClusterState::Error => ClusterState::Failed,
                types::ClusterState::Upgrading => ClusterState::Upgrading,
                types::ClusterState::Deleting => ClusterState::Deleting,
                types::ClusterState::Deleted => ClusterState::Deleted,
                _ => ClusterState::Unknown,
            },
            state.to_string(),
        ),
    };
    let node_count = cluster
        .node_pools
        .iter()
        .map(|pool| u64::try_from(pool.count).unwrap_or(0))
        .fold(0u64, u64::saturating_add);
    ClusterSummary {
        provider: Provider::DigitalOcean,
        // Set by the inventory, which knows the account.
        account: String::new(),
        id: cluster.id.to_string(),
        name: cluster.name.clone(),
        location: Some(cluster.region.clone()),
        kubernetes_version: Some(cluster.version.clone()),
        state,
        raw_state,
        node_count: Some(node_count),
        api_endpoint: cluster.endpoint.clone().filter(|e| !e.is_empty()),
        created_at: cluster.created_at,
        object: ProviderCluster::DigitalOcean(Box::new(cluster)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summarised(state: Option<&str>, pools: &[i64]) -> ClusterSummary {
        let pools: Vec<_> = pools
            .iter()
            .map(|count| serde_json::json!({"name": "p", "size": "s-1vcpu-2gb", "count": count}))
            .collect();
        let mut cluster = serde_json::json!({
            "id": "bd5f5959-5e1e-4205-a714-a914373942af", "name": "c", "region": "nyc1",
            "version": "1.33.1-do.0", "node_pools": pools, "endpoint": ""
        });
        if let Some(state) = state {
            cluster["status"] = serde_json::json!({ "state": state });
        }
        summary(serde_json::from_value(cluster).unwrap())
    }

    #[test]
    fn states_map_to_the_one_vocabulary_and_keep_the_providers_word() {
        for (raw, state) in [
            ("running", ClusterState::Running),
            ("provisioning", ClusterState::Provisioning),
            ("degraded", ClusterState::Degraded),
            ("error", ClusterState::Failed),
            ("upgrading", ClusterState::Upgrading),
            ("deleting", ClusterState::Deleting),
            ("deleted", ClusterState::Deleted),
            ("invalid", ClusterState::Unknown),
        ] {
            let summary = summarised(Some(raw), &[1]);
            assert_eq!((summary.state, summary.raw_state.as_str()), (state, raw));
        }
        let none = summarised(None, &[]);
        assert_eq!(
            (none.state, none.raw_state.as_str()),
            (ClusterState::Unknown, "")
        );
    }

    #[test]
    fn nodes_are_counted_over_pools_and_an_empty_endpoint_is_none() {
        let summary = summarised(Some("running"), &[3, 2, -1, i64::MAX]);
        assert_eq!(
            summary.node_count,
            Some(u64::try_from(i64::MAX).unwrap() + 5)
        );
        assert_eq!(summary.api_endpoint, None);
    }
}
