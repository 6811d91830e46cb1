//! `kaas clusters`: every cluster of every account.

use futures::StreamExt as _;
use kaas::inventory::{Provider, ProviderFailure};

use crate::accounts;
use crate::failure::{Code, Failure};
use crate::output::{self, Format, Row};

/// Lists every cluster of the selected accounts (all when none is) on stdout, sorted by
/// account then name. An account that fails is one line on stderr (`kaas: <error>`, naming
/// the account and the provider once) and exit code 3; the others are still listed.
pub async fn run(format: Format, selected: &[String]) -> Result<(), Failure> {
    let inventory = accounts::inventory(selected, accounts::Warnings::Show)?;
    if inventory.accounts().is_empty() {
        return Err(Failure::new(Code::Usage, no_account_message()));
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
    rows.sort_by(|a, b| (&a.account, &a.name, &a.id).cmp(&(&b.account, &b.name, &b.id)));
    output::print(&output::render(&rows, format)?)?;
    if failures.is_empty() {
        return Ok(());
    }
    failures.sort_by(|a, b| a.account.cmp(&b.account));
    for failure in &failures {
        output::warn(&failure.to_string());
    }
    Err(Failure::quiet(Code::ProviderFailed))
}

/// What to set or write, for the providers compiled in.
fn no_account_message() -> String {
    let ways: Vec<String> = Provider::compiled()
        .into_iter()
        .map(|provider| format!("{} ({provider})", provider.environment_variables()))
        .collect();
    if ways.is_empty() {
        return "no provider is compiled in: build kaas with at least one provider feature".into();
    }
    format!(
        "no account is configured: set {}; or write kaas's config.toml, or doctl's or oks-cli's (see `kaas --help`)",
        ways.join("; or ")
    )
}
