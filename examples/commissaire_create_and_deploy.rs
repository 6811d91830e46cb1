//! Commissaire: create a cluster, register a host in it, start a deploy and wait until it is
//! deployed, with a deadline of its own.
//!
//! Runs offline against an in-process mock server whose deploy is in process for two reads,
//! then finished.
//!
//! ```sh
//! cargo run --example commissaire_create_and_deploy
//! ```

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use httpmock::MockServer;
use kaas::commissaire::mock::MockServerExt as _;
use kaas::commissaire::{Client, types};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let server = MockServer::start_async().await;
    let create: types::ClusterCreate = serde_json::from_str(include_str!(
        "../tests/fixtures/commissaire/create_cluster.request.json"
    ))?;
    let created: types::Cluster = serde_json::from_str(include_str!(
        "../tests/fixtures/commissaire/create_cluster.response.json"
    ))?;
    let mut host: types::HostRegistration = serde_json::from_str(include_str!(
        "../tests/fixtures/commissaire/register_host.request.json"
    ))?;
    host.cluster = Some("mycluster".into());
    let registered: types::Host = serde_json::from_str(include_str!(
        "../tests/fixtures/commissaire/register_host.response.json"
    ))?;
    let deploying: types::ClusterDeploy = serde_json::from_str(include_str!(
        "../tests/fixtures/commissaire/get_cluster_deploy.response.json"
    ))?;
    let mut deployed = deploying.clone();
    deployed.status = types::OperationState::Finished;
    deployed.deployed.append(&mut deployed.in_process);
    deployed.finished_at = Some("2015-12-17T15:58:18.710454".into());
    let deploy = types::DeployRequest {
        version: "7.2.6".into(),
    };

    let name: types::ClusterName = "mycluster".parse().expect("a valid cluster name");
    server.create_cluster(|when, then| {
        when.name(&name).body(&create);
        then.created(&created);
    });
    server.get_cluster(|when, then| {
        when.name(&name);
        then.ok(&created);
    });
    server.register_host(|when, then| {
        when.body(&host);
        then.created(&registered);
    });
    server.start_cluster_deploy(|when, then| {
        when.name(&name).body(&deploy);
        then.created(&deploying);
    });
    // The first two reads find the deploy in process, the next ones finished.
    static READS: AtomicUsize = AtomicUsize::new(0);
    let in_process = server.get_cluster_deploy(|when, then| {
        when.name(&name)
            .is_true(|_| READS.fetch_add(1, Ordering::SeqCst) < 2);
        then.ok(&deploying);
    });
    server.get_cluster_deploy(|when, then| {
        when.name(&name);
        then.ok(&deployed);
    });

    let client = Client::builder()
        .basic_auth("admin", "offline-example-password")
        .base_url(server.base_url())
        .wait_policy(kaas::WaitPolicy::default().with_initial_interval(Duration::from_millis(100)))
        .build()?;

    let cluster = client
        .create_cluster()
        .name("mycluster")
        .body(create)
        .send()
        .await?;
    let host = client.register_host().body(host).send().await?;
    println!(
        "created {} (network {}), registered host {}",
        cluster.name, cluster.network, host.address
    );
    client
        .start_cluster_deploy()
        .name("mycluster")
        .body(deploy)
        .send()
        .await?;
    println!("deploy of 7.2.6 started");

    let done = client
        .wait_until_deployed("mycluster")
        .deadline(Duration::from_secs(10))
        .await?;
    println!(
        "{} after {} reads in process: version {} on {:?}",
        done.status,
        in_process.calls(),
        done.version.as_deref().unwrap_or("?"),
        done.deployed
    );
    Ok(())
}
