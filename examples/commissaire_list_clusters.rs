//! Commissaire: the names of every cluster, then each cluster's status and host counts.
//!
//! With `COMMISSAIRE_URL` set (and `COMMISSAIRE_USER` and `COMMISSAIRE_PASSWORD`, or
//! `COMMISSAIRE_TOKEN`), it reads your server; without it, an in-process stand-in that knows
//! two clusters (`examples/support/commissaire.rs`).
//!
//! ```sh
//! cargo run --example commissaire_list_clusters
//! ```

mod support;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let target = support::commissaire::reading_target(support::commissaire::two_clusters).await?;
    println!("Commissaire, {}", target.describe());
    // Commissaire is self-hosted: there is no default base URL. Against your server:
    // `Client::builder().base_url("https://commissaire.example.com:8000").basic_auth(user, password).build()?`.
    let client = &target.client;

    let names = client.list_clusters().send().await?;
    println!("{} clusters: {}", names.len(), names.join(", "));
    for name in names.iter() {
        let cluster = client.get_cluster().name(name.as_str()).send().await?;
        // A cluster read just after its creation carries no host counts yet.
        let hosts = match &cluster.hosts {
            Some(hosts) => format!(
                "{}/{} available ({} unavailable)",
                hosts.available, hosts.total, hosts.unavailable
            ),
            None => "not counted yet".into(),
        };
        println!(
            "{name:<10} status {:<9} hosts {hosts}, network {}",
            cluster.status.to_string(),
            cluster.network
        );
    }
    Ok(())
}
