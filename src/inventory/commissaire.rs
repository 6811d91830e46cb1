//! Commissaire clusters as inventory entries: the list answers names, so each cluster is
//! read by name (as many at once as the client's page concurrency), each name once and at
//! most [`MAX_NAMED_READS`] of them.

use futures::stream::{self, BoxStream, StreamExt};

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

/// The most clusters one listing reads by name: a server that lists more ends the listing with
/// [`crate::Error::IncompleteListing`] before any is read.
pub const MAX_NAMED_READS: usize = 10_000;

/// The names the server listed, each once, in the order it first listed them; an error when
/// there are more than [`MAX_NAMED_READS`].
fn names_to_read(listed: Vec<String>) -> crate::Result<Vec<String>> {
    let mut seen = std::collections::HashSet::new();
    let mut names = Vec::new();
    for name in listed {
        if seen.contains(&name) {
            continue;
        }
        if names.len() == MAX_NAMED_READS {
            return Err(crate::Error::IncompleteListing {
                expected: None,
                got: 0,
                reason: format!(
                    "the server lists more than {MAX_NAMED_READS} clusters; a listing reads at most that many by name"
                ),
            });
        }
        seen.insert(name.clone());
        names.push(name);
    }
    Ok(names)
}

/// Every cluster of the server, summarised, in the order the server lists them, each once.
pub(super) fn clusters(client: &Client) -> BoxStream<'static, crate::Result<ClusterSummary>> {
    let client = client.clone();
    stream::once(async move {
        let names = names_to_read(client.list_clusters().send().await?.0)?;
        Ok::<_, crate::Error>((client, names))
    })
    .flat_map(|listed| match listed {
        Err(error) => stream::iter([Err(error)]).boxed(),
        Ok((client, names)) => {
            let reads_at_once = client.inner.page_concurrency();
            stream::iter(names)
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
        // Set by the inventory, which knows the account.
        account: String::new(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_listed_name_is_read_once_in_the_order_first_listed() {
        let listed = ["prod", "dev", "prod", "qa", "dev"]
            .map(String::from)
            .to_vec();
        assert_eq!(names_to_read(listed).unwrap(), ["prod", "dev", "qa"]);
    }

    #[test]
    fn a_listing_longer_than_the_cap_is_refused_before_any_read() {
        let at_cap: Vec<String> = (0..MAX_NAMED_READS).map(|n| format!("c{n}")).collect();
        let mut doubled = at_cap.clone();
        doubled.extend(at_cap.iter().cloned());
        assert_eq!(names_to_read(doubled).unwrap().len(), MAX_NAMED_READS);
        let mut over = at_cap;
        over.push("one-more".into());
        let error = names_to_read(over).unwrap_err();
        assert!(
            matches!(error, crate::Error::IncompleteListing { got: 0, .. }),
            "{error}"
        );
    }
}
