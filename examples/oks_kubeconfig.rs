//! OUTSCALE OKS: fetch a cluster's kubeconfig, sealed by the server for a fresh X25519 key
//! pair and opened in memory; print its context names, never the YAML.
//!
//! Runs offline against an in-process mock server that seals the kubeconfig, like OKS, for the
//! public key the request carries in its `x-encrypt-nacl` header.
//!
//! ```sh
//! cargo run --example oks_kubeconfig
//! ```

use std::sync::{Arc, Mutex};

use httpmock::{HttpMockRequest, HttpMockResponse, MockServer};
use kaas::oks::mock::MockServerExt as _;
use kaas::oks::{Client, nacl};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let server = MockServer::start_async().await;
    let id = "66666666-7777-8888-9999-000000000000";
    let yaml = include_str!("../tests/fixtures/oks/nacl/kubeconfig.yaml");
    let keys = Arc::new(Mutex::new(Vec::<String>::new()));
    let seen = keys.clone();
    server.get_cluster_kubeconfig_encrypted(|when, then| {
        when.cluster_id(id);
        then.respond_with(move |request: &HttpMockRequest| {
            let key = nacl::request_key(request).unwrap_or_default();
            let sealed = nacl::seal_for(&key, yaml.as_bytes()).unwrap_or_default();
            seen.lock().expect("not poisoned").push(key);
            let body =
                serde_json::json!({"Cluster": {"data": {"name": "demo", "kubeconfig": sealed}}});
            let response = http::Response::builder()
                .status(200)
                .header("content-type", "application/json")
                .body(body.to_string())
                .expect("a response");
            HttpMockResponse::from(response)
        });
    });

    let client = Client::builder()
        .access_key("example-access-key", "example-secret-key")
        .base_url(server.base_url())
        .build()?;

    // Each call makes a new key pair; the secret key never leaves memory and is zeroized.
    let kubeconfig = client.kubeconfig(id).await?;
    let again = client.kubeconfig(id).await?;
    let keys = keys.lock().expect("not poisoned");
    println!("contexts {:?}", kubeconfig.context_names());
    println!("servers  {:?}", kubeconfig.servers());
    println!(
        "{} calls, a different public key each time: {}",
        keys.len(),
        keys.first() != keys.last()
    );
    println!(
        "same file both times: {}",
        kubeconfig.context_names() == again.context_names()
    );
    println!("debug    {kubeconfig:?}");
    Ok(())
}
