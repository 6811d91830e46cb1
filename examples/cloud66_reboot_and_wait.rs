//! Cloud66: reboot a cluster's servers, then wait for the asynchronous stack action, with a
//! deadline of its own.
//!
//! Runs offline against an in-process mock server whose action is running for two reads, then
//! finished.
//!
//! ```sh
//! cargo run --example cloud66_reboot_and_wait
//! ```

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use httpmock::MockServer;
use kaas::cloud66::mock::MockServerExt as _;
use kaas::cloud66::{Client, types};

/// The cluster's stack, as `get_cluster()` tells it (`uid`).
const STACK_ID: &str = "5999b763474b0eafa5fafb64bff0ba80";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let server = MockServer::start_async().await;
    let started: types::StackActionResponse = serde_json::from_str(include_str!(
        "../tests/fixtures/cloud66/reboot_cluster_servers.response.json"
    ))?;
    let running: types::StackActionResponse = serde_json::from_str(include_str!(
        "../tests/fixtures/cloud66/get_stack_action.response.live.json"
    ))?;
    let finished: types::StackActionResponse = serde_json::from_str(include_str!(
        "../tests/fixtures/cloud66/get_stack_action.response.finished.json"
    ))?;
    let request = types::RebootRequest {
        strategy: Some(types::RebootStrategy::Serial),
        group: Some("web".into()),
    };

    server.reboot_cluster_servers(|when, then| {
        when.id(123).body(&request);
        then.ok(&started);
    });
    // The first two reads find the action running, the next ones finished.
    static READS: AtomicUsize = AtomicUsize::new(0);
    let running_mock = server.get_stack_action(|when, then| {
        when.stack_id(STACK_ID)
            .id(789)
            .is_true(|_| READS.fetch_add(1, Ordering::SeqCst) < 2);
        then.ok(&running);
    });
    let finished_mock = server.get_stack_action(|when, then| {
        when.stack_id(STACK_ID).id(789);
        then.ok(&finished);
    });

    let client = Client::builder()
        .token("offline-example-token")
        .base_url(server.base_url())
        .wait_policy(kaas::WaitPolicy::default().with_initial_interval(Duration::from_millis(100)))
        .build()?;

    let action = client
        .reboot_cluster_servers()
        .id(123)
        .body(request)
        .send()
        .await?
        .response;
    println!(
        "reboot started: action {} {}",
        action.id,
        action.status.as_deref().unwrap_or("running")
    );

    let done = client
        .wait_until_action_finished(STACK_ID, action.id)
        .deadline(Duration::from_secs(10))
        .await?;
    println!(
        "{} reads running, {} finished: done at {} (success: {:?}): {}",
        running_mock.calls(),
        finished_mock.calls(),
        done.finished_at.as_deref().unwrap_or("?"),
        done.finished_success,
        done.finished_message.as_deref().unwrap_or("")
    );
    Ok(())
}
