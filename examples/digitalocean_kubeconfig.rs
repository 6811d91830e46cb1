//! DigitalOcean: fetch a cluster's kubeconfig and look at it without printing the secret.
//!
//! Runs offline against an in-process mock server that serves the documented kubeconfig.
//!
//! ```sh
//! cargo run --example digitalocean_kubeconfig
//! ```

use std::time::Duration;

use httpmock::MockServer;
use kaas::digitalocean::mock::MockServerExt as _;
use kaas::digitalocean::types::CredentialsType;
use kaas::digitalocean::{Client, KubeconfigOptions, types};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let server = MockServer::start_async().await;
    let example: types::ClusterResponse = serde_json::from_str(include_str!(
        "../tests/fixtures/digitalocean/get_cluster.response.single.json"
    ))?;
    let id = example.kubernetes_cluster.id;
    let yaml = include_str!("../tests/fixtures/digitalocean/get_kubeconfig.response.yaml");
    server.get_kubeconfig(|when, then| {
        // Matches only the query the options below ask for.
        when.cluster_id(&id)
            .type_(CredentialsType::Token)
            .expiry_seconds(3600);
        then.into_inner()
            .status(200)
            .header("content-type", "application/yaml")
            .body(yaml);
    });

    let client = Client::builder()
        .token("dop_v1_example-token")
        .base_url(server.base_url())
        .build()?;

    // Token credentials (for automation) that expire in an hour; `client.kubeconfig(id)`
    // takes the account's defaults instead.
    let options = KubeconfigOptions::default()
        .credentials(CredentialsType::Token)
        .expiry(Duration::from_secs(3600));
    let kubeconfig = client.kubeconfig_with(id, options).await?;

    println!("cluster  {id}");
    println!("contexts {:?}", kubeconfig.context_names());
    println!("servers  {:?}", kubeconfig.servers());
    if let Some(at) = kubeconfig.expires_at() {
        let left = at
            .duration_since(std::time::SystemTime::now())
            .unwrap_or_default();
        println!(
            "expires  in {} min (at the latest)",
            left.as_secs().div_ceil(60)
        );
    }
    // The YAML holds credentials: `Debug` is redacted, `expose_yaml()` is for writing the file.
    println!("debug    {kubeconfig:?}");
    Ok(())
}
