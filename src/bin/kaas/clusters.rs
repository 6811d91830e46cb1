//! `kaas clusters`: every cluster of every configured provider.

use futures::StreamExt as _;
use kaas::inventory::{Inventory, Provider, ProviderFailure};

use crate::failure::{Code, Failure};
use crate::output::{self, Format, Row};

/// Lists every cluster on stdout, sorted by provider then name. A provider that fails is one
/// line on stderr (`kaas: <error>`, naming the provider once) and exit code 3; the others are still listed.
pub async fn run(format: Format) -> Result<(), Failure> {
    let inventory = Inventory::from_env()?;
    if inventory.providers().is_empty() {
        return Err(Failure::new(Code::Usage, no_provider_message()));
    }
    let mut rows = Vec::new();
    let mut failures: Vec<ProviderFailure> = Vec::new();
    let mut items = inventory.clusters();
    while let Some(item) = items.next().await {
        match item {
            Ok(cluster) => rows.push(Row::from(&cluster)),
            Err(failure) => failures.push(failure),
        }
    }
    rows.sort_by(|a, b| (a.provider, &a.name, &a.id).cmp(&(b.provider, &b.name, &b.id)));
    output::print(&output::render(&rows, format)?)?;
    if failures.is_empty() {
        return Ok(());
    }
    failures.sort_by_key(|failure| failure.provider.name());
    for failure in &failures {
        output::warn(&failure.to_string());
    }
    Err(Failure::quiet(Code::ProviderFailed))
}

/// What to set, for the providers compiled in.
fn no_provider_message() -> String {
    let ways: Vec<String> = Provider::compiled()
        .into_iter()
        .map(|provider| format!("{} ({provider})", provider.environment_variables()))
        .collect();
    if ways.is_empty() {
        return "no provider is compiled in: build kaas with at least one provider feature".into();
    }
    format!("no provider is configured: set {}", ways.join("; or "))
}
