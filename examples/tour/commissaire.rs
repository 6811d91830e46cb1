//! Commissaire: create a cluster, register a host, deploy and wait.

use httpmock::MockServer;
use kaas::commissaire::types;

use crate::{heading, step, support};

pub async fn tour() -> anyhow::Result<()> {
    heading(
        "Commissaire",
        "offline, against a mock server built from specs/commissaire.yaml (self-hosted: no live mode)",
    );
    let server = MockServer::start_async().await;
    let reads = support::commissaire::cluster_deploys(&server, "prod");
    let client = support::commissaire::offline(&server.base_url())?;

    let create = types::ClusterCreate {
        container_manager: Some("prod_openshift".into()),
        network: Some("default".into()),
    };
    let created = client
        .create_cluster()
        .name("prod")
        .body(create)
        .send_with_response()
        .await?;
    let status = created.status();
    let created = created.into_body();
    step(
        "create_cluster()",
        format!("{status}: {} on network {}", created.name, created.network),
    );
    let host = types::HostRegistration {
        address: "192.168.100.50".parse()?,
        cluster: Some("prod".into()),
        remote_user: Some("root".into()),
        ssh_priv_key: None,
    };
    let registered = client
        .register_host()
        .body(host.clone())
        .send_with_response()
        .await?;
    let status = registered.status();
    let registered = registered.into_body();
    step(
        "register_host()",
        format!(
            "{status}: {} joins {}, host status {:?}",
            registered.address,
            host.cluster.as_deref().unwrap_or("no cluster"),
            registered.status
        ),
    );
    step(
        "host_in_cluster()",
        format!(
            "192.168.100.50 in prod: {}",
            client.host_in_cluster("prod", "192.168.100.50").await?
        ),
    );
    client
        .start_cluster_deploy()
        .name("prod")
        .body(types::DeployRequest {
            version: "7.2.6".into(),
        })
        .send()
        .await?;
    let done = client.wait_until_deployed("prod").await?;
    step(
        "wait_until_deployed()",
        format!(
            "{} after {} reads: version {} on {:?}",
            done.status,
            reads.count(),
            done.version.as_deref().unwrap_or("?"),
            done.deployed
        ),
    );
    Ok(())
}
