//! Cloud66: reboot a cluster's servers and wait for the asynchronous action.

use futures::TryStreamExt as _;
use kaas::cloud66::{Client, types};

use crate::{heading, step, support};

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
    let (target, polls) = support::cloud66::tour_target().await?;
    let client = &target.client;
    let cluster_id: i64 = support::cloud66::CLUSTER_ID.parse()?;
    let cluster = client.get_cluster().id(cluster_id).send().await?.response;
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
        .id(cluster_id)
        .body(types::RebootRequest {
            strategy: Some(types::RebootStrategy::Serial),
            group: Some("web".into()),
        })
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
    let done = client
        .wait_until_action_finished(&cluster.uid, action.id)
        .await?;
    step(
        "wait_until_action_finished()",
        format!(
            "finished after {} polls: {}",
            polls.count(),
            done.finished_message.as_deref().unwrap_or("")
        ),
    );
    Ok(())
}
