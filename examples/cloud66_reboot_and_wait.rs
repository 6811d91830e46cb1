//! Cloud66: reboot a cluster's servers, then wait for the asynchronous stack action, with a
//! deadline of its own.
//!
//! Runs offline against an in-process stand-in (`examples/support/`) whose action is running
//! for two reads, then finished. `KAAS_EXAMPLES_LIVE=1` with `CLOUD66_TOKEN` and
//! `CLOUD66_CLUSTER_ID` reboots that real cluster's `web` servers instead.
//!
//! ```sh
//! cargo run --example cloud66_reboot_and_wait
//! ```

mod support;

use std::time::Duration;

use kaas::cloud66::types;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // Against the real API: `kaas::cloud66::Client::new(token)?`.
    let target = support::cloud66::reboot_target().await?;
    println!("rebooting {}", target.describe());
    let client = &target.client;
    let cluster_id: i64 = target
        .input(support::cloud66::CLUSTER, support::cloud66::CLUSTER_ID)?
        .parse()?;

    // The cluster's stack actions are found by its `uid`.
    let cluster = client.get_cluster().id(cluster_id).send().await?.response;

    // One server after the other, the `web` group only.
    let request = types::RebootRequest {
        strategy: Some(types::RebootStrategy::Serial),
        group: Some("web".into()),
    };
    let action = client
        .reboot_cluster_servers()
        .id(cluster_id)
        .body(request)
        .send()
        .await?
        .response;
    println!(
        "reboot of {} started: action {} {}",
        cluster.name,
        action.id,
        action.status.as_deref().unwrap_or("running")
    );

    let done = client
        .wait_until_action_finished(&cluster.uid, action.id)
        .deadline(Duration::from_secs(10 * 60))
        .await?;
    println!(
        "done at {} (success: {:?}): {}",
        done.finished_at.as_deref().unwrap_or("?"),
        done.finished_success,
        done.finished_message.as_deref().unwrap_or("")
    );
    Ok(())
}
