//! Cloud66: reboot a cluster's servers and wait for the asynchronous action.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures::TryStreamExt as _;
use httpmock::MockServer;
use kaas::cloud66::mock::MockServerExt as _;
use kaas::cloud66::{Client, types};

use crate::{fixture, heading, step};

pub async fn tour() -> anyhow::Result<()> {
    match std::env::var("CLOUD66_TOKEN") {
        Ok(token) if !token.is_empty() => live(token).await,
        _ => offline().await,
    }
}

async fn live(token: String) -> anyhow::Result<()> {
    heading("Cloud66", "live, read-only (CLOUD66_TOKEN is set)");
    let client = Client::new(token)?;
    let clusters: Vec<types::Cluster> = client.clusters().try_collect().await?;
    step("clusters()", format!("{} cluster(s)", clusters.len()));
    Ok(())
}

async fn offline() -> anyhow::Result<()> {
    heading(
        "Cloud66",
        "offline, against a mock server built from specs/cloud66.yaml",
    );
    let server = MockServer::start_async().await;
    let cluster: types::ClusterResponse = fixture(include_str!(
        "../../tests/fixtures/cloud66/get_cluster.response.json"
    ));
    let reboot: types::RebootRequest = fixture(include_str!(
        "../../tests/fixtures/cloud66/reboot_cluster_servers.request.json"
    ));
    let started: types::StackActionResponse = fixture(include_str!(
        "../../tests/fixtures/cloud66/reboot_cluster_servers.response.json"
    ));
    let running: types::StackActionResponse = fixture(include_str!(
        "../../tests/fixtures/cloud66/get_stack_action.response.live.json"
    ));
    let finished: types::StackActionResponse = fixture(include_str!(
        "../../tests/fixtures/cloud66/get_stack_action.response.finished.json"
    ));
    let uid = cluster.response.uid.clone();

    server.get_cluster(|when, then| {
        when.id(123);
        then.ok(&cluster);
    });
    server.reboot_cluster_servers(|when, then| {
        when.id(123).body(&reboot);
        then.ok(&started);
    });
    let polls = Arc::new(AtomicUsize::new(0));
    let counter = polls.clone();
    // The first two reads find the action running, the next ones finished.
    server.get_stack_action(|when, then| {
        when.stack_id(uid.as_str())
            .id(789)
            .is_true(move |_| counter.fetch_add(1, Ordering::SeqCst) < 2);
        then.ok(&running);
    });
    server.get_stack_action(|when, then| {
        when.stack_id(uid.as_str()).id(789);
        then.ok(&finished);
    });

    let client = Client::builder()
        .token("offline-tour-token")
        .base_url(server.base_url())
        .wait_policy(
            kaas::WaitPolicy::default()
                .with_initial_interval(Duration::from_millis(200))
                .with_deadline(Duration::from_secs(30)),
        )
        .build()?;
    let cluster = client.get_cluster().id(123).send().await?.response;
    step(
        "get_cluster()",
        format!(
            "{} on {}: status {:?}, health {:?}",
            cluster.name,
            cluster.cloud.as_deref().unwrap_or("?"),
            cluster.status,
            cluster.health
        ),
    );
    let action = client
        .reboot_cluster_servers()
        .id(123)
        .body(reboot)
        .send()
        .await?
        .response;
    step(
        "reboot_cluster_servers()",
        format!(
            "action {} {}",
            action.id,
            action.status.as_deref().unwrap_or("running")
        ),
    );
    let done = client.wait_until_action_finished(&uid, action.id).await?;
    step(
        "wait_until_action_finished()",
        format!(
            "finished after {} polls: {}",
            polls.load(Ordering::SeqCst),
            done.finished_message.as_deref().unwrap_or("")
        ),
    );
    Ok(())
}
