//! The `kube` feature: a `kube::Client` for an OUTSCALE OKS cluster, its credentials fetched
//! (and fetched again before they expire) by kaas, then the pods of `kube-system` with
//! kube-rs's typed API.
//!
//! With `OKS_ACCESS_KEY` and `OKS_SECRET_KEY` set (and `OKS_REGION`), it reads your account's
//! first cluster; without them, an in-process stand-in for both OKS and the cluster's
//! Kubernetes API (`examples/support/oks.rs`, `examples/support/kubernetes.rs`).
//!
//! kaas leaves the Kubernetes version to the program: yours enables one of `k8s-openapi`'s
//! version features (`k8s-openapi = { version = "0.29", features = ["latest"] }`); this
//! example uses the one this package's tests choose.
//!
//! ```sh
//! cargo run --features kube --example kube_list_pods
//! ```

mod support;

use std::time::Duration;

use anyhow::Context as _;
use futures::TryStreamExt as _;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let target = support::oks::reading_target(support::oks::one_cluster_with_pods).await?;
    println!("OKS, {}", target.describe());
    let client = &target.client;

    let cluster = client
        .clusters()
        .try_next()
        .await?
        .context("no cluster in this OKS account")?;

    // The kubeconfig is fetched sealed with a one-hour ttl, and fetched again before it expires.
    let kube = client
        .kube_client(&cluster.id, Duration::from_secs(3600))
        .await?;
    let pods: Api<Pod> = Api::namespaced(kube, "kube-system");
    let list = pods.list(&ListParams::default()).await?;
    for pod in &list.items {
        let phase = pod
            .status
            .as_ref()
            .and_then(|status| status.phase.as_deref());
        let node = pod.spec.as_ref().and_then(|spec| spec.node_name.as_deref());
        println!(
            "{:<34} {:<8} {}",
            pod.metadata.name.as_deref().unwrap_or("?"),
            phase.unwrap_or("?"),
            node.unwrap_or("-")
        );
    }
    println!(
        "{} pods in kube-system of {}",
        list.items.len(),
        cluster.name
    );
    Ok(())
}
