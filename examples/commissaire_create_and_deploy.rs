//! Commissaire: create a cluster, register a host in it, start a deploy and wait until it is
//! deployed, with a deadline of its own.
//!
//! Runs against an in-process stand-in whose deploy is in process for two reads, then
//! finished (`examples/support/commissaire.rs`). `KAAS_EXAMPLES_LIVE=1`, with
//! `COMMISSAIRE_URL` and its credentials set, does it on your server instead (give your
//! host's address and key below).
//!
//! ```sh
//! cargo run --example commissaire_create_and_deploy
//! ```

mod support;

use std::time::Duration;

use base64::Engine as _;
use kaas::commissaire::types;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let target = support::commissaire::changing_target(|server| {
        support::commissaire::cluster_deploys(server, "mycluster")
    })
    .await?;
    println!("Commissaire, {}", target.describe());
    let client = &target.client;

    // The request bodies, as struct literals: every field of each is here.
    let cluster = types::ClusterCreate {
        container_manager: Some("prod_openshift".into()),
        network: Some("default".into()),
    };
    // Commissaire logs in to the host over SSH with this key, base64-encoded: read yours
    // from its file (`std::fs::read(path)?`).
    let private_key = b"-----BEGIN OPENSSH PRIVATE KEY-----\n(your key)\n";
    let host = types::HostRegistration {
        address: "192.168.100.50".parse()?,
        cluster: Some("mycluster".into()),
        remote_user: Some("root".into()),
        ssh_priv_key: Some(
            base64::engine::general_purpose::STANDARD
                .encode(private_key)
                .into(),
        ),
    };
    let deploy = types::DeployRequest {
        version: "7.2.6".into(),
    };

    let cluster = client
        .create_cluster()
        .name("mycluster")
        .body(cluster)
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
        .deadline(Duration::from_secs(30 * 60))
        .await?;
    println!(
        "{}: version {} on {:?}",
        done.status,
        done.version.as_deref().unwrap_or("?"),
        done.deployed
    );
    Ok(())
}
