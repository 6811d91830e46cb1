//! DigitalOcean: fetch a cluster's kubeconfig and look at it without printing the secret.
//!
//! With `DIGITALOCEAN_TOKEN` set, it fetches the kubeconfig of your account's first cluster
//! (read-only); without it, it runs offline against an in-process stand-in
//! (`examples/support/`).
//!
//! ```sh
//! cargo run --example digitalocean_kubeconfig
//! ```

mod support;

use std::time::Duration;

use anyhow::Context as _;
use futures::TryStreamExt as _;
use kaas::digitalocean::KubeconfigOptions;
use kaas::digitalocean::types::CredentialsType;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // Against the real API: `kaas::digitalocean::Client::new(token)?`.
    let target = support::digitalocean::reading_target().await?;
    println!("fetching a kubeconfig {}", target.describe());
    let client = &target.client;

    let cluster = client
        .clusters()
        .try_next()
        .await?
        .context("the account has no cluster")?;

    // Token credentials (for automation) that expire in an hour; `client.kubeconfig(id)`
    // takes the account's defaults instead.
    let options = KubeconfigOptions::default()
        .credentials(CredentialsType::Token)
        .expiry(Duration::from_secs(3600));
    let kubeconfig = client.kubeconfig_with(cluster.id, options).await?;

    println!("cluster  {} ({})", cluster.name, cluster.id);
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
