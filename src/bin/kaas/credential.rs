//! `kaas credential`: the credential plugin kubectl runs for a user saved with
//! `kaas kubeconfig save --exec`.

use std::time::{Duration, SystemTime};

use kaas::inventory::ClusterRef;
use secrecy::ExposeSecret as _;

use crate::accounts;
use crate::cache::{Cache, Key};
use crate::failure::Failure;
use crate::output;

/// Prints the cluster's credential as a `client.authentication.k8s.io/v1` ExecCredential on
/// stdout: the cached one while it is fresh (no request at all) unless `use_cache` is false,
/// else a new one lasting
/// `lifetime`, cached when it has an expiry. A cache that cannot be written, or a cache file
/// that is not a regular file (never read: a FIFO would block), is a warning on stderr, never
/// a failure.
pub async fn run(
    cluster: &ClusterRef,
    lifetime: Duration,
    use_cache: bool,
    selected: &[String],
) -> Result<(), Failure> {
    // Reads the configuration only: no credential, no request, before the cache is asked.
    // Quietly: kubectl would show a foreign file's warnings under each of its commands.
    let inventory = accounts::inventory(selected, accounts::Warnings::Hide)?;
    let account = inventory.account_of(cluster)?.to_owned();
    let cache = Cache::locate();
    let asked = Key {
        account: &account,
        cluster: &cluster.cluster,
    };
    match cache
        .as_ref()
        .filter(|_| use_cache)
        .map(|cache| cache.fresh(&asked, SystemTime::now()))
    {
        Some(Ok(Some(cached))) => return print_line(&cached),
        Some(Err(refused)) => output::warn(&format!("warning: {refused}")),
        Some(Ok(None)) | None => {}
    }
    let summary = inventory.find(cluster).await?;
    let credential = inventory.credential(&summary, Some(lifetime)).await?;
    let json = credential.exec_credential_json();
    // Under the cluster's id, whether it was named by id or by name.
    let key = Key {
        account: &account,
        cluster: &summary.id,
    };
    if credential.expires_at().is_some() {
        match &cache {
            Some(cache) => {
                if let Err(error) = cache.store(&key, json.expose_secret()) {
                    output::warn(&format!(
                        "warning: the credential is not cached ({}: {error})",
                        cache.path(&key).display()
                    ));
                }
            }
            None => output::warn("warning: the credential is not cached: no home folder"),
        }
    }
    print_line(json.expose_secret())
}

/// Prints the credential and a newline, leaving no copy behind.
fn print_line(credential: &str) -> Result<(), Failure> {
    let mut text = zeroize::Zeroizing::new(String::with_capacity(credential.len() + 1));
    text.push_str(credential);
    text.push('\n');
    output::print(&text)
}
