//! Commissaire: create a cluster, register a host, deploy and wait.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use httpmock::MockServer;
use kaas::commissaire::mock::MockServerExt as _;
use kaas::commissaire::{Client, types};

use crate::{fixture, heading, step};

pub async fn tour() -> anyhow::Result<()> {
    heading(
        "Commissaire",
        "offline, against a mock server built from specs/commissaire.yaml (self-hosted: no live mode)",
    );
    let server = MockServer::start_async().await;
    let create: types::ClusterCreate = fixture(include_str!(
        "../../tests/fixtures/commissaire/create_cluster.request.json"
    ));
    let mut created: types::Cluster = fixture(include_str!(
        "../../tests/fixtures/commissaire/create_cluster.response.json"
    ));
    created.name = "prod".into();
    let cluster: types::Cluster = fixture(include_str!(
        "../../tests/fixtures/commissaire/get_cluster.response.json"
    ));
    let host: types::HostRegistration = fixture(include_str!(
        "../../tests/fixtures/commissaire/register_host.request.json"
    ));
    let registered: types::Host = fixture(include_str!(
        "../../tests/fixtures/commissaire/register_host.response.json"
    ));
    let mut started: types::ClusterDeploy = fixture(include_str!(
        "../../tests/fixtures/commissaire/start_cluster_deploy.response.json"
    ));
    started.name = Some("prod".into());
    let deploy: types::ClusterDeploy = fixture(include_str!(
        "../../tests/fixtures/commissaire/get_cluster_deploy.response.json"
    ));
    let mut finished = deploy.clone();
    finished.status = types::OperationState::Finished;
    finished.deployed.append(&mut finished.in_process);
    finished.finished_at = Some("2015-12-17T15:58:18.710454".into());

    server.create_cluster(|when, then| {
        when.name(&"prod".parse().expect("a valid name"))
            .body(&create);
        then.created(&created);
    });
    server.get_cluster(|when, then| {
        when.name(&"prod".parse().expect("a valid name"));
        then.ok(&cluster);
    });
    server.register_host(|when, then| {
        when.body(&host);
        then.created(&registered);
    });
    server.check_cluster_member(|when, then| {
        when.name(&"prod".parse().expect("a valid name"))
            .ip(&"192.168.100.50".parse().expect("a valid address"));
        then.ok(&types::Addresses(vec!["192.168.100.50".into()]));
    });
    server.start_cluster_deploy(|when, then| {
        when.name(&"prod".parse().expect("a valid name"))
            .body(&types::DeployRequest {
                version: "7.2.6".into(),
            });
        then.created(&started);
    });
    let reads = Arc::new(AtomicUsize::new(0));
    let counter = reads.clone();
    // The first two reads find the deploy in process, the next ones finished.
    let prod: types::ClusterName = "prod".parse()?;
    server.get_cluster_deploy(|when, then| {
        when.name(&prod)
            .is_true(move |_| counter.fetch_add(1, Ordering::SeqCst) < 2);
        then.ok(&deploy);
    });
    server.get_cluster_deploy(|when, then| {
        when.name(&prod);
        then.ok(&finished);
    });

    let client = Client::builder()
        .base_url(server.base_url())
        .basic_auth("admin", "offline-tour-password")
        .wait_policy(
            kaas::WaitPolicy::default()
                .with_initial_interval(Duration::from_millis(200))
                .with_deadline(Duration::from_secs(30)),
        )
        .build()?;
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
            reads.load(Ordering::SeqCst),
            done.version.as_deref().unwrap_or("?"),
            done.deployed
        ),
    );
    Ok(())
}
