//! Throughput of the hot paths a user meets at scale: decoding a full page of 200 clusters
//! into the generated DigitalOcean types, and opening an OKS sealed kubeconfig.
//!
//! `cargo bench --bench decode` prints the median time per operation over several rounds.
//! It asserts nothing about time (machines differ); the figures go into closing notes.

use std::hint::black_box;
use std::time::{Duration, Instant};

fn median_per_iteration(iterations: u32, mut work: impl FnMut()) -> Duration {
    let mut rounds: Vec<Duration> = (0..7)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..iterations {
                work();
            }
            start.elapsed() / iterations
        })
        .collect();
    rounds.sort();
    rounds[rounds.len() / 2]
}

fn main() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");

    let one: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("digitalocean/get_cluster.response.json")).unwrap(),
    )
    .unwrap();
    let page = serde_json::json!({
        "kubernetes_clusters": vec![one["kubernetes_cluster"].clone(); 200],
        "links": {"pages": {"next": "https://api.digitalocean.com/v2/kubernetes/clusters?page=2&per_page=200"}},
        "meta": {"total": 1000},
    })
    .to_string();
    let time = median_per_iteration(20, || {
        let list: kaas::digitalocean::types::ClusterList =
            serde_json::from_str(black_box(&page)).unwrap();
        black_box(list);
    });
    println!(
        "digitalocean: decode a page of 200 clusters ({} KiB): {:?} ({:.1} MiB/s)",
        page.len() / 1024,
        time,
        page.len() as f64 / time.as_secs_f64() / (1024.0 * 1024.0)
    );

    let vector: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("oks/nacl/vector.json")).unwrap())
            .unwrap();
    use base64::Engine as _;
    let secret: [u8; 32] = base64::engine::general_purpose::STANDARD
        .decode(vector["recipient_secret_key_b64"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let key = kaas::oks::KubeconfigKey::from_secret_bytes(secret);
    let sealed = vector["sealed_kubeconfig_b64"].as_str().unwrap();
    let time = median_per_iteration(200, || {
        black_box(key.open(black_box(sealed)).unwrap());
    });
    println!(
        "oks: open a sealed kubeconfig ({} bytes of base64): {time:?}",
        sealed.len()
    );
    let time = median_per_iteration(200, || {
        black_box(kaas::oks::KubeconfigKey::generate().public_key_base64());
    });
    println!("oks: make a fresh X25519 key pair: {time:?}");
}
