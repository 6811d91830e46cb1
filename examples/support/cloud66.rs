//! Cloud66 stand-ins: in-process servers that answer as Cloud66's API does, with answers
//! built here from the documentation's examples, for the Cloud66 examples and the tour.
//!
//! Against the real API the examples need `CLOUD66_TOKEN`; the one that reboots servers also
//! needs `KAAS_EXAMPLES_LIVE=1` and the cluster's id in `CLOUD66_CLUSTER_ID`.

use std::time::Duration;

use httpmock::MockServer;
use kaas::cloud66::mock::MockServerExt as _;
use kaas::cloud66::{Client, types};

use super::{Reads, Target, json_answer, json_body};

/// The environment variable that holds the API token.
pub const TOKEN: &str = "CLOUD66_TOKEN";
/// The environment variable that names the cluster an example changes, against the real API.
pub const CLUSTER: &str = "CLOUD66_CLUSTER_ID";
/// The stand-in's cluster: the documentation's `Production Cluster`.
pub const CLUSTER_ID: &str = "123";

/// The stand-in's reboot action.
const ACTION_ID: i64 = 789;

/// For the examples that only read: the real API with `CLOUD66_TOKEN`, else an account of
/// three clusters over two pages.
pub async fn reading_target() -> anyhow::Result<Target<Client>> {
    Target::reading(TOKEN, Client::new, async {
        let server = MockServer::start_async().await;
        serve_list(&server);
        serve_cluster(&server);
        offline(server)
    })
    .await
}

/// For the example that reboots servers: the stand-in unless `KAAS_EXAMPLES_LIVE=1`. The
/// reboot's action is running for two reads, then finished.
pub async fn reboot_target() -> anyhow::Result<Target<Client>> {
    Target::changing(TOKEN, Client::new, async {
        let server = MockServer::start_async().await;
        serve_cluster(&server);
        serve_reboot(&server);
        offline(server)
    })
    .await
}

/// The tour's stand-in: the reboot's, with the reads of the action its wait took.
pub async fn tour_target() -> anyhow::Result<(Target<Client>, Reads)> {
    let server = MockServer::start_async().await;
    serve_cluster(&server);
    let reads = serve_reboot(&server);
    Ok((offline(server)?, reads))
}

/// The inventory's stand-in: an account that refuses the token (401).
pub async fn refusing_target() -> anyhow::Result<Target<Client>> {
    let server = MockServer::start_async().await;
    let refused = types::Error {
        error: Some("invalid_token".into()),
        error_description: Some("The access token is invalid".into()),
        details: None,
        response: None,
    };
    server.list_clusters(|_, then| {
        then.unauthorized(&refused);
    });
    offline(server)
}

/// A client for the stand-in, polling every 50 ms so that waits end at once.
fn offline(server: MockServer) -> anyhow::Result<Target<Client>> {
    let client = Client::builder()
        .token("offline-example-token")
        .base_url(server.base_url())
        .wait_policy(kaas::WaitPolicy::default().with_initial_interval(Duration::from_millis(50)))
        .build()?;
    Ok(Target::offline(client, server))
}

/// Three clusters: the documentation's two on page 1, one more on page 2.
fn serve_list(server: &MockServer) {
    let staging = types::Cluster {
        id: Some(124),
        uid: "6000c874585c1fbfb6gbc75cgg1cb91".into(),
        name: "Staging Cluster".into(),
        environment: Some("staging".into()),
        cloud: Some("DigitalOcean".into()),
        kubernetes_version: Some("1.28.1".into()),
        node_count: Some(3),
        ..production_cluster()
    };
    let edge = types::Cluster {
        id: Some(125),
        uid: "7000d985696d2gcgc7hcd86dhh2dc02".into(),
        name: "Edge Cluster".into(),
        cloud: Some("Hetzner".into()),
        health: types::ClusterHealth::Impaired,
        ..production_cluster()
    };
    let pages = [vec![production_cluster(), staging], vec![edge]];
    for (number, clusters) in (1i64..).zip(pages) {
        let list = types::ClusterList {
            count: Some(clusters.len() as i64),
            response: clusters,
            pagination: Some(types::Pagination {
                previous: (number > 1).then_some(number - 1),
                current: Some(number),
                next: (number < 2).then_some(number + 1),
                per_page: Some(2),
                count: Some(3),
                pages: Some(2),
            }),
        };
        server.list_clusters(|when, then| {
            when.page(std::num::NonZeroU64::new(number as u64));
            then.ok(&list);
        });
    }
}

/// The documentation's cluster, by its id.
fn serve_cluster(server: &MockServer) {
    let cluster = types::ClusterResponse {
        response: production_cluster(),
    };
    server.get_cluster(|when, then| {
        when.id(CLUSTER_ID.parse().expect("a number"));
        then.ok(&cluster);
    });
}

/// A reboot of the cluster's servers: its body read as a `RebootRequest`, its action running
/// for two reads, then finished. Returns the reads of the action.
fn serve_reboot(server: &MockServer) -> Reads {
    let cluster = production_cluster();
    server.reboot_cluster_servers(|when, then| {
        when.id(CLUSTER_ID.parse().expect("a number"));
        then.respond_with(|request| {
            if let Err(refused) = json_body::<types::RebootRequest>(request) {
                return refused;
            }
            let queued = types::StackAction {
                status: Some("queued".into()),
                action_type: Some("stack_reboot".into()),
                resource_type: Some("stack".into()),
                resource_id: Some(123.into()),
                created_at: Some("2023-01-15T10:30:00Z".into()),
                ..action()
            };
            json_answer(200, &types::StackActionResponse { response: queued })
        });
    });
    let reads = Reads::default();
    let counter = reads.clone();
    server.get_stack_action(|when, then| {
        when.stack_id(&cluster.uid).id(ACTION_ID);
        then.respond_with(move |_| {
            let mut action = action();
            if counter.next() >= 2 {
                action.finished_at = Some("2023-01-15T10:34:12Z".into());
                action.finished_success = Some(true);
                action.finished_message = Some("Servers rebooted".into());
            }
            json_answer(200, &types::StackActionResponse { response: action })
        });
    });
    reads
}

/// The documentation's `Production Cluster` on AWS, deployed and healthy.
fn production_cluster() -> types::Cluster {
    types::Cluster::builder()
        .id(123_i64)
        .uid("5999b763474b0eafa5fafb64bff0ba80")
        .name("Production Cluster")
        .environment("production".to_owned())
        .cloud("AWS".to_owned())
        .region("us-east-1".to_owned())
        .status(types::ClusterStatus::Deployed)
        .health(types::ClusterHealth::Healthy)
        .kubernetes_version("1.28.2".to_owned())
        .node_count(5_i64)
        .created_at("2023-01-15T10:30:00Z".to_owned())
        .try_into()
        .expect("a complete cluster")
}

/// The reboot's action as the live API shows it while it runs.
fn action() -> types::StackAction {
    types::StackAction::builder()
        .id(ACTION_ID)
        .user("sammy@example.com".to_owned())
        .action("stack_reboot".to_owned())
        .started_via("api".to_owned())
        .started_at("2023-01-15T10:30:05Z".to_owned())
        .try_into()
        .expect("a complete action")
}
