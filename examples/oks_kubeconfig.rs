//! OUTSCALE OKS: fetch a cluster's kubeconfig, sealed by the server for a fresh X25519 key
//! pair and opened in memory; print its context names, never the YAML.
//!
//! With `OKS_ACCESS_KEY` and `OKS_SECRET_KEY` set (and `OKS_REGION`), it reads your account's
//! first cluster; without them, an in-process stand-in that seals the kubeconfig, like OKS,
//! for the public key each request carries, and refuses a key it has seen before
//! (`examples/support/oks.rs`).
//!
//! ```sh
//! cargo run --example oks_kubeconfig
//! ```

mod support;

use anyhow::Context as _;
use futures::TryStreamExt as _;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let target = support::oks::reading_target(support::oks::one_cluster).await?;
    println!("OKS, {}", target.describe());
    let client = &target.client;

    let cluster = client
        .clusters()
        .try_next()
        .await?
        .context("no cluster in this OKS account")?;

    // Each call makes a new key pair; the secret key never leaves memory and is zeroized.
    let kubeconfig = client.kubeconfig(&cluster.id).await?;
    println!("cluster  {}", cluster.name);
    println!("contexts {:?}", kubeconfig.context_names());
    println!("servers  {:?}", kubeconfig.servers());
    // A second call seals for a second key, and opens to the same file.
    let again = client.kubeconfig(&cluster.id).await?;
    println!(
        "same file both times: {}",
        kubeconfig.context_names() == again.context_names()
    );
    // Printing a kubeconfig never shows its YAML; `expose_yaml()` gives it, to save it.
    println!("debug    {kubeconfig:?}");
    Ok(())
}
