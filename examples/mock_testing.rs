//! Testing your own code against kaas's typed mocks: a function of "user code" that takes a
//! client, exercised against an in-process `httpmock` server, with assertions on what it
//! returns and on how many requests it made.
//!
//! In your project this is a test; it needs httpmock and kaas's `mock` feature as
//! dev-dependencies:
//!
//! ```toml
//! [dev-dependencies]
//! kaas = { version = "0.1", features = ["mock"] }
//! httpmock = "0.8"
//! ```
//!
//! ```sh
//! cargo run --example mock_testing
//! ```

use futures::TryStreamExt as _;
use httpmock::MockServer;
use kaas::digitalocean::mock::MockServerExt as _;
use kaas::digitalocean::{Client, types};

/// The code under test: the names of the clusters that are running.
async fn running_clusters(client: &Client) -> kaas::Result<Vec<String>> {
    client
        .clusters()
        .try_filter(|c| {
            let running = c.status.as_ref().and_then(|s| s.state.as_ref())
                == Some(&types::ClusterState::Running);
            async move { running }
        })
        .map_ok(|c| c.name)
        .try_collect()
        .await
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // The answer the test serves, built with the generated types: only the fields the code
    // under test reads need values.
    let list = types::ClusterList {
        kubernetes_clusters: vec![
            cluster(1, "prod", types::ClusterState::Running)?,
            cluster(2, "staging", types::ClusterState::Provisioning)?,
            cluster(3, "dev", types::ClusterState::Running)?,
        ],
        links: None,
        meta: types::PageMeta { total: Some(3) },
    };

    // A working account: the function keeps the running clusters, in order, in one request.
    let server = MockServer::start_async().await;
    let mock = server.list_clusters(|_, then| {
        then.ok(&list);
    });
    let client = Client::builder()
        .token("test-token")
        .base_url(server.base_url())
        .build()?;
    let names = running_clusters(&client).await?;
    assert_eq!(names, ["prod", "dev"]);
    assert_eq!(mock.calls(), 1);
    println!("running clusters: {names:?} ({} request)", mock.calls());

    // A revoked token: the function hands the provider's error back, typed.
    let server = MockServer::start_async().await;
    let error = types::Error {
        id: "unauthorized".into(),
        message: "Unable to authenticate you.".into(),
        request_id: None,
    };
    server.list_clusters(|_, then| {
        then.unauthorized(&error);
    });
    let client = Client::builder()
        .token("revoked")
        .base_url(server.base_url())
        .build()?;
    let error = running_clusters(&client).await.expect_err("a 401 fails");
    assert_eq!(error.status(), Some(401));
    println!("revoked token: {error}");
    Ok(())
}

/// A cluster as the API lists it: the required fields and its state.
fn cluster(id: u128, name: &str, state: types::ClusterState) -> anyhow::Result<types::Cluster> {
    let cluster = types::Cluster::builder()
        .id(kaas::uuid::Uuid::from_u128(id))
        .name(name)
        .region("nyc1")
        .version("1.33.1-do.0")
        .node_pools(Vec::new())
        .status(types::ClusterStatus {
            state: Some(state),
            message: None,
        });
    Ok(cluster.try_into()?)
}
