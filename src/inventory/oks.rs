//! OKS clusters as inventory entries.

use futures::stream::{BoxStream, StreamExt};

use super::{ClusterState, ClusterSummary, Provider, ProviderCluster};
use crate::oks::{Client, types};

/// Every cluster of every project, summarised.
pub(super) fn clusters(client: &Client) -> BoxStream<'static, crate::Result<ClusterSummary>> {
    client.clusters().map(|item| item.map(summary)).boxed()
}

/// The cluster whose id is `id`, read directly; `None` when `id` is no UUID (OKS answers 400
/// to those) or OKS has no such cluster.
pub(super) async fn by_id(client: &Client, id: &str) -> crate::Result<Option<ClusterSummary>> {
    if id.parse::<uuid::Uuid>().is_err() {
        return Ok(None);
    }
    let read = client.get_cluster().cluster_id(id).send().await;
    Ok(super::absent_if_not_found(read)?.map(|answer| summary(answer.cluster)))
}

/// `statuses.status`: `pending` and `deploying` (provisioning), `ready` (running), `updating`
/// and `upgrading`, `failed`, `deleting`. OKS answers no node count (node pools live in the
/// cluster) and no endpoint; the location is the control planes' subregions.
pub(super) fn summary(cluster: types::Cluster) -> ClusterSummary {
    let (state, raw_state) = match cluster.statuses.status.clone() {
        None => (ClusterState::Unknown, String::new()),
        Some(status) => (
            match &status {
                types::ResourceStatus::Pending | types::ResourceStatus::Deploying => {
                    ClusterState::Provisioning
                }
                types::ResourceStatus::Ready => ClusterState::Running,
                types::ResourceStatus::Updating | types::ResourceStatus::Upgrading => {
                    ClusterState::Upgrading
                }
                types::ResourceStatus::Failed => ClusterState::Failed,
                types::ResourceStatus::Deleting => ClusterState::Deleting,
                _ => ClusterState::Unknown,
            },
            status.to_string(),
        ),
    };
    let state = match (state, cluster.statuses.deleted_at) {
        (ClusterState::Unknown, Some(_)) => ClusterState::Deleted,
        (state, _) => state,
    };
    ClusterSummary {
        provider: Provider::Oks,
        // Set by the inventory, which knows the account.
        account: String::new(),
        id: cluster.id.clone(),
        name: cluster.name.clone(),
        location: (!cluster.cp_subregions.is_empty()).then(|| cluster.cp_subregions.join(",")),
        kubernetes_version: Some(cluster.version.clone()),
        state,
        raw_state,
        node_count: None,
        api_endpoint: None,
        created_at: Some(cluster.statuses.created_at),
        object: ProviderCluster::Oks(Box::new(cluster)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summarised(status: Option<&str>, deleted: bool) -> ClusterSummary {
        let mut cluster: serde_json::Value = serde_json::from_str(include_str!(
            "../../tests/fixtures/oks/get_cluster.response.json"
        ))
        .unwrap();
        let mut cluster = cluster["Cluster"].take();
        match status {
            Some(status) => cluster["statuses"]["status"] = status.into(),
            None => {
                cluster["statuses"]
                    .as_object_mut()
                    .unwrap()
                    .remove("status");
            }
        }
        let statuses = cluster["statuses"].as_object_mut().unwrap();
        if deleted {
            statuses.insert("deleted_at".into(), "2025-01-01T00:00:00Z".into());
        } else {
            statuses.remove("deleted_at");
        }
        summary(serde_json::from_value(cluster).unwrap())
    }

    #[test]
    fn statuses_map_to_the_one_vocabulary() {
        for (raw, state) in [
            ("pending", ClusterState::Provisioning),
            ("deploying", ClusterState::Provisioning),
            ("ready", ClusterState::Running),
            ("updating", ClusterState::Upgrading),
            ("upgrading", ClusterState::Upgrading),
            ("failed", ClusterState::Failed),
            ("deleting", ClusterState::Deleting),
            ("string", ClusterState::Unknown),
        ] {
            let summary = summarised(Some(raw), false);
            assert_eq!((summary.state, summary.raw_state.as_str()), (state, raw));
        }
        assert_eq!(summarised(None, true).state, ClusterState::Deleted);
        assert_eq!(
            summarised(Some("deleting"), true).state,
            ClusterState::Deleting
        );
        assert_eq!(summarised(None, false).state, ClusterState::Unknown);
    }
}
