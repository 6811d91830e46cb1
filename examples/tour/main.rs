//! The kaas tour: each provider's client driven through a typical session.
//!
//! Offline (the default), every provider talks to an in-process mock server built from the
//! typed mocks that kaas generates from its specs (`mock` feature), with the examples' stand-ins
//! (`examples/support/`). With a provider's credentials in the environment, that part runs
//! read-only calls against the real API instead:
//!
//! | provider | environment |
//! |---|---|
//! | DigitalOcean | `DIGITALOCEAN_TOKEN` |
//! | Cloud66 | `CLOUD66_TOKEN` |
//! | OUTSCALE OKS | `OKS_ACCESS_KEY`, `OKS_SECRET_KEY` (and `OKS_REGION`: `eu-west-2` or `cloudgouv-eu-west-1`) |
//!
//! ```sh
//! cargo run --all-features --example tour
//! ```
//!
//! The last step, a `kube::Client`, needs the `kube` feature; without it the tour says so.

mod cloud66;
mod commissaire;
mod digitalocean;
mod inventory;
#[cfg(feature = "kube")]
mod kube_client;
mod oks;
#[path = "../support/mod.rs"]
mod support;

/// Prints one step of the tour: what was called and what came back.
pub fn step(call: &str, outcome: impl std::fmt::Display) {
    println!("  ✔ {call:<24} {outcome}");
}

/// Prints a provider's heading.
pub fn heading(title: &str, mode: &str) {
    println!("\n{title} — {mode}");
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    println!("kaas {} tour", env!("CARGO_PKG_VERSION"));
    digitalocean::tour().await?;
    oks::tour().await?;
    cloud66::tour().await?;
    commissaire::tour().await?;
    inventory::tour().await?;
    #[cfg(feature = "kube")]
    kube_client::tour().await?;
    #[cfg(not(feature = "kube"))]
    println!("\nkube::Client — skipped: run the tour with `--all-features` (or `--features kube`)");
    println!(
        "\nThe tour is over: every call above went through the same typed clients your code uses."
    );
    Ok(())
}
