//! The Commissaire stand-in: a server that answers like a Commissaire server for the
//! Commissaire examples and the tour, each scenario a function that sets it up, every answer
//! built here in code.

use std::time::Duration;

use httpmock::MockServer;
use kaas::commissaire::mock::MockServerExt as _;
use kaas::commissaire::{Client, types};

use super::answers::{self, Kept, asked};
use super::{Reads, Target, credential, stand_in};

/// When the stand-in's deploys start and finish.
const STARTED_AT: &str = "2026-01-05T09:30:00.000000";
const FINISHED_AT: &str = "2026-01-05T09:41:12.000000";

/// The variable that holds the server's URL (Commissaire is self-hosted).
pub const URL: &str = "COMMISSAIRE_URL";

/// A client for the server at `url`, with `COMMISSAIRE_USER` and `COMMISSAIRE_PASSWORD`, or
/// `COMMISSAIRE_TOKEN`, as kaas reads them.
pub fn live(url: String) -> kaas::Result<Client> {
    let builder = Client::builder().base_url(url);
    match (
        credential("COMMISSAIRE_USER"),
        credential("COMMISSAIRE_PASSWORD"),
        credential("COMMISSAIRE_TOKEN"),
    ) {
        (Some(user), Some(password), _) => builder.basic_auth(user, password).build(),
        (None, None, Some(token)) => builder.token(token).build(),
        _ => Err(kaas::Error::InvalidInput(
            "COMMISSAIRE_URL is set, but not its credentials: set COMMISSAIRE_USER and COMMISSAIRE_PASSWORD, or COMMISSAIRE_TOKEN".into(),
        )),
    }
}

/// A client for a stand-in at `base_url`, polling every 50 ms so that waits end at once.
pub fn offline(base_url: &str) -> anyhow::Result<Client> {
    Ok(Client::builder()
        .basic_auth("admin", "offline-example-password")
        .base_url(base_url)
        .wait_policy(kaas::WaitPolicy::default().with_initial_interval(Duration::from_millis(50)))
        .build()?)
}

/// Commissaire for an example that only reads: the server `COMMISSAIRE_URL` names, else a
/// stand-in set up by `serve`.
pub async fn reading_target<S>(
    serve: impl FnOnce(&MockServer) -> S,
) -> anyhow::Result<Target<Client>> {
    Target::reading(URL, live, stand_in(serve, offline)).await
}

/// Commissaire for an example that changes things: a stand-in set up by `serve`, unless
/// `KAAS_EXAMPLES_LIVE=1`.
pub async fn changing_target<S>(
    serve: impl FnOnce(&MockServer) -> S,
) -> anyhow::Result<Target<Client>> {
    Target::changing(URL, live, stand_in(serve, offline)).await
}

/// A cluster as Commissaire describes it once it computed its status and host counts.
pub fn cluster(
    name: &str,
    status: types::ClusterState,
    (available, unavailable): (i64, i64),
) -> types::Cluster {
    types::Cluster {
        container_manager: Some("prod_openshift".into()),
        hosts: Some(types::HostCounts {
            total: available + unavailable,
            available,
            unavailable,
        }),
        hostset: Vec::new(),
        name: name.into(),
        network: "default".into(),
        status,
    }
}

/// A cluster name, as the typed mocks take it.
fn name(cluster: &str) -> types::ClusterName {
    cluster.parse().expect("a valid cluster name")
}

/// Two clusters: `mycluster` (ok, 2 of 3 hosts available) and `staging` (degraded, 1 of 2).
pub fn two_clusters(server: &MockServer) {
    listed(
        server,
        vec![
            cluster("mycluster", types::ClusterState::Ok, (2, 1)),
            cluster("staging", types::ClusterState::Degraded, (1, 1)),
        ],
    );
}

/// The inventory's stand-in: a server whose one cluster, `mycluster`, is ok, 2 of its 3 hosts
/// available.
pub async fn inventory_target() -> anyhow::Result<Target<Client>> {
    let mycluster = cluster("mycluster", types::ClusterState::Ok, (2, 1));
    stand_in(|server| listed(server, vec![mycluster]), offline).await
}

/// Lists the names of `clusters`, and answers each when read.
fn listed(server: &MockServer, clusters: Vec<types::Cluster>) {
    let names = clusters
        .iter()
        .map(|cluster| cluster.name.clone())
        .collect();
    server.list_clusters(|_, then| {
        then.ok(&types::Names(names));
    });
    for cluster in clusters {
        server.get_cluster(|when, then| {
            when.name(&name(&cluster.name));
            then.ok(&cluster);
        });
    }
}

/// Cluster `cluster` created as asked; the host registered as asked and found in the cluster;
/// a deploy of the version asked, in process for two reads (one host deployed, one in
/// process), then finished on both. Returns how many reads of the deploy were answered.
pub fn cluster_deploys(server: &MockServer, cluster: &str) -> Reads {
    let named = name(cluster);
    let created = {
        let cluster = cluster.to_string();
        move |input: &types::ClusterCreate| types::Cluster {
            container_manager: input.container_manager.clone(),
            hosts: None,
            hostset: Vec::new(),
            name: cluster.clone(),
            network: input.network.clone().unwrap_or_else(|| "default".into()),
            // The create answer carries the stored cluster: its status is not computed.
            status: types::ClusterState::NotComputed,
        }
    };
    server.create_cluster(|when, then| {
        when.name(&named);
        then.respond_with(answers::creates(201, &Kept::default(), created));
    });
    server.get_cluster(|when, then| {
        when.name(&named);
        then.ok(&self::cluster(cluster, types::ClusterState::Ok, (2, 0)));
    });
    let registered = |input: &types::HostRegistration| types::Host {
        address: input.address.to_string(),
        cpus: None,
        last_check: None,
        memory: None,
        os: None,
        source: None,
        space: None,
        status: types::HostState::New,
    };
    server.register_host(|_, then| {
        then.respond_with(answers::creates(201, &Kept::default(), registered));
    });
    server.check_cluster_member(|when, then| {
        when.name(&named)
            .ip(&"192.168.100.50".parse().expect("a valid address"));
        then.ok(&types::Addresses(vec!["192.168.100.50".into()]));
    });
    deploy_finishes(server, cluster)
}

/// A deploy of `cluster` started with the version asked, in process for two reads, then
/// finished on both hosts.
fn deploy_finishes(server: &MockServer, cluster: &str) -> Reads {
    let named = name(cluster);
    let record = {
        let cluster = cluster.to_string();
        move |request: &types::DeployRequest, read: Option<usize>| {
            let (deployed, in_process, status, finished_at) = match read {
                None => (vec![], vec![], types::OperationState::InProcess, None),
                Some(0 | 1) => (
                    vec!["192.168.100.50".into()],
                    vec!["192.168.100.51".into()],
                    types::OperationState::InProcess,
                    None,
                ),
                Some(_) => (
                    vec!["192.168.100.50".into(), "192.168.100.51".into()],
                    vec![],
                    types::OperationState::Finished,
                    Some(FINISHED_AT.into()),
                ),
            };
            types::ClusterDeploy {
                deployed,
                finished_at,
                in_process,
                name: Some(cluster.clone()),
                started_at: Some(STARTED_AT.into()),
                status,
                version: Some(request.version.clone()),
            }
        }
    };
    let kept = Kept::default();
    let started = record.clone();
    server.start_cluster_deploy(|when, then| {
        when.name(&named);
        then.respond_with(answers::creates(201, &kept, move |request| {
            started(request, None)
        }));
    });
    let (responder, reads) = answers::by_read(move |read| record(&asked(&kept), Some(read)));
    server.get_cluster_deploy(|when, then| {
        when.name(&named);
        then.respond_with(responder);
    });
    reads
}
