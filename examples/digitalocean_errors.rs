//! DigitalOcean: handle the errors a program meets, with `match` on `kaas::Error`.
//!
//! - a rate-limited answer is `Error::RateLimited`, with the wait the server asked for;
//! - a missing cluster is an error whose `is_not_found()` is true.
//!
//! With `DIGITALOCEAN_TOKEN` set, it asks the real API (read-only): the list then most likely
//! succeeds. Without it, it runs offline against an in-process stand-in (`examples/support/`)
//! that is over its rate limit and has no cluster.
//!
//! ```sh
//! cargo run --example digitalocean_errors
//! ```

mod support;

use kaas::digitalocean::Client;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // Against the real API: `kaas::digitalocean::Client::new(token)?`.
    let target = support::digitalocean::failing_target().await?;
    println!("asking {}", target.describe());
    let client = &target.client;

    list_clusters(client).await?;

    // No cluster has this id.
    let id = kaas::uuid::Uuid::from_u128(0x0bad_c0de);
    match client.get_cluster().cluster_id(id).send().await {
        Ok(found) => println!("found {}", found.kubernetes_cluster.name),
        Err(error) if error.is_not_found() => println!("no cluster {id}: {error}"),
        Err(error) => return Err(error.into()),
    }
    Ok(())
}

/// Lists the clusters, or says when to try again.
async fn list_clusters(client: &Client) -> anyhow::Result<()> {
    match client.list_clusters().send().await {
        Ok(list) => println!("{} clusters", list.kubernetes_clusters.len()),
        // The client retries short waits itself (its `RetryPolicy`); a longer one comes back
        // here, for the program to decide: wait, or give up.
        // `retry_after` is the server's `Retry-After`; `retry_at()` falls back on the rate-limit
        // window's reset when there is none.
        Err(kaas::Error::RateLimited(answer)) => {
            let wait = answer.retry_after.unwrap_or_default();
            println!(
                "rate limited: the server asks to wait {} s ({} of {} requests left)",
                wait.as_secs(),
                answer
                    .rate_limit
                    .and_then(|r| r.remaining)
                    .unwrap_or_default(),
                answer.rate_limit.and_then(|r| r.limit).unwrap_or_default(),
            );
        }
        Err(error) => return Err(error.into()),
    }
    Ok(())
}
