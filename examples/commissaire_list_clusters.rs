//! Commissaire: the names of every cluster, then each cluster's status and host counts.
//!
//! Runs offline against an in-process mock server that knows two clusters, built from the
//! documented example of `GET /api/v0/cluster/{name}`.
//!
//! ```sh
//! cargo run --example commissaire_list_clusters
//! ```

use httpmock::MockServer;
use kaas::commissaire::mock::MockServerExt as _;
use kaas::commissaire::{Client, types};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let server = MockServer::start_async().await;
    let example: types::Cluster = serde_json::from_str(include_str!(
        "../tests/fixtures/commissaire/get_cluster.response.json"
    ))?;
    let staging = types::Cluster {
        name: "staging".into(),
        status: types::ClusterState::Degraded,
        hosts: Some(types::HostCounts {
            total: 2,
            available: 1,
            unavailable: 1,
        }),
        ..example.clone()
    };

    server.list_clusters(|_, then| {
        then.ok(&types::Names(vec!["mycluster".into(), "staging".into()]));
    });
    for cluster in [&example, &staging] {
        let name: types::ClusterName = cluster.name.parse()?;
        server.get_cluster(|when, then| {
            when.name(&name);
            then.ok(cluster);
        });
    }

    // Commissaire is self-hosted: there is no default base URL.
    let client = Client::builder()
        .basic_auth("admin", "offline-example-password")
        .base_url(server.base_url())
        .build()?;

    let names = client.list_clusters().send().await?;
    println!("{} clusters: {}", names.len(), names.join(", "));
    for name in names.iter() {
        let cluster = client.get_cluster().name(name.as_str()).send().await?;
        // A cluster read just after its creation carries no host counts yet.
        let hosts = match &cluster.hosts {
            Some(hosts) => format!(
                "{}/{} available ({} unavailable)",
                hosts.available, hosts.total, hosts.unavailable
            ),
            None => "not counted yet".into(),
        };
        println!(
            "{name:<10} status {:<9} hosts {hosts}, network {}",
            cluster.status.to_string(),
            cluster.network
        );
    }
    Ok(())
}
