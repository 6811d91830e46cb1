//! Commissaire clusters as inventory entries: the list answers names, so each cluster is
//! read by name (as many at once as the client's page concurrency).

use futures::stream::{self, BoxStream, StreamExt};
use progenitor_client::ClientInfo as _;

use super::{ClusterState, ClusterSummary, Provider, ProviderCluster};
use crate::commissaire::{Client, types};

/// The cluster named `name` (Commissaire's ids are names), read directly; `None` when the
/// server has none: a 404, or the 500 it answers for a missing cluster when its cluster list
/// lacks the name ([`Client::cluster_missing`]).
pub(super) async fn by_id(client: &Client, name: &str) -> crate::Result<Option<ClusterSummary>> {
    match client.get_cluster().name(name).send().await {
        Err(error) if error.status() == Some(500) => match client.cluster_missing(name).await {
            Some(true) => Ok(None),
            _ => Err(error),
        },
        read => Ok(super::absent_if_not_found(read)?.map(summary)),
    }
}

/// Every cluster of the server, summarised, in the order the server lists them.
pub(super) fn clusters(client: &Client) -> BoxStream<'static, crate::Result<ClusterSummary>> {
    let client = client.clone();
    stream::once(async move {
        let names = client.list_clusters().send().await?;
        Ok::<_, crate::Error>((client, names))
    })
    .flat_map(|listed| match listed {
        Err(error) => stream::iter([Err(error)]).boxed(),
        Ok((client, names)) => {
            let reads_at_once = client.inner().page_concurrency();
            stream::iter(names.0)
                .map(move |name| {
                    let client = client.clone();
                    async move {
                        let cluster = client.get_cluster().name(name.as_str()).send().await?;
                        Ok(summary(cluster))
                    }
                })
                .buffered(reads_at_once)
                .boxed()
        }
    })
    .boxed()
}

/// `status`: `ok` (running), `degraded`, `failed`, and `""` right after create (its health is
/// not computed yet: provisioning). The node count is the hosts' total.
pub(super) fn summary(cluster: types::Cluster) -> ClusterSummary {
    let state = match &cluster.status {
        types::ClusterState::Ok => ClusterState::Running,
        types::ClusterState::Degraded => ClusterState::Degraded,
        types::ClusterState::Failed => ClusterState::Failed,
        types::ClusterState::NotComputed => ClusterState::Provisioning,
        _ => ClusterState::Unknown,
    };
    ClusterSummary {
        provider: Provider::Commissaire,
        id: cluster.name.clone(),
        name: cluster.name.clone(),
        location: None,
        kubernetes_version: None,
        state,
        raw_state: cluster.status.to_string(),
        node_count: cluster
            .hosts
            .as_ref()
            .and_then(|hosts| u64::try_from(hosts.total).ok()),
        api_endpoint: None,
        created_at: None,
        object: ProviderCluster::Commissaire(Box::new(cluster)),
    }
}
