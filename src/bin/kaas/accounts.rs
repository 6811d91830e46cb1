//! The accounts the command works with (kaas's file, the environment, doctl's contexts,
//! oks-cli's profiles; see [`kaas::accounts`]), narrowed by `--account` / `KAAS_ACCOUNT`, and
//! `kaas accounts`, which lists them. Never a credential: the rows are built field by field
//! from where each secret is kept, not from the secret.

use kaas::accounts::{Account, Accounts, Sources};
use kaas::inventory::Inventory;
use serde::Serialize;

use crate::failure::{Code, Failure};
use crate::output::{self, Format};

/// Whether the foreign files' warnings are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Warnings {
    /// On stderr, one line each, naming the file and line.
    Show,
    /// Not at all: `kaas credential`, which kubectl runs for every command it runs, would
    /// repeat them under every kubectl command.
    Hide,
}

/// The accounts of the user's configuration, with the foreign files' warnings printed on
/// stderr as `warnings` says. `selected` (from `--account`) must name accounts that exist: an
/// unknown name is a usage error listing the known ones.
pub fn load(selected: &[String], warnings: Warnings) -> Result<Accounts, Failure> {
    let accounts = Accounts::load(&Sources::system())
        .map_err(|error| Failure::new(Code::Usage, error.to_string()))?;
    if warnings == Warnings::Show {
        for warning in accounts.warnings() {
            output::warn(&format!("warning: {warning}"));
        }
    }
    check_selected(&accounts, selected)?;
    Ok(accounts)
}

/// The inventory of the selected accounts (every account when none is selected), loaded as
/// [`load`] does. No credential is read here: each is read when its account is first used.
pub fn inventory(selected: &[String], warnings: Warnings) -> Result<Inventory, Failure> {
    let accounts = load(selected, warnings)?;
    let inventory = Inventory::from_accounts(&accounts);
    if selected.is_empty() {
        return Ok(inventory);
    }
    Ok(inventory.only(selected)?)
}

/// A usage error when a name of `selected` is no account's, listing the accounts there are.
pub fn check_selected(accounts: &Accounts, selected: &[String]) -> Result<(), Failure> {
    let unknown: Vec<&str> = selected
        .iter()
        .map(String::as_str)
        .filter(|name| accounts.get(name).is_none())
        .collect();
    if unknown.is_empty() {
        return Ok(());
    }
    let known: Vec<&str> = accounts
        .iter()
        .map(|account| account.name.as_str())
        .collect();
    let listed = if known.is_empty() {
        "no account is configured (see `kaas accounts`)".to_owned()
    } else {
        format!("the accounts are {}", known.join(", "))
    };
    let plural = if unknown.len() == 1 { "" } else { "s" };
    Err(Failure::new(
        Code::Usage,
        format!("unknown account{plural} {}: {listed}", unknown.join(", ")),
    ))
}

/// Whether `account` is one of `selected` (every account when none is).
pub fn is_selected(account: &str, selected: &[String]) -> bool {
    selected.is_empty() || selected.iter().any(|name| name == account)
}

/// `kaas accounts`: every account (or the selected ones) on stdout, in the order the sources
/// are merged.
pub fn run(format: Format, selected: &[String]) -> Result<(), Failure> {
    let accounts = load(selected, Warnings::Show)?;
    let rows: Vec<AccountRow> = accounts
        .iter()
        .filter(|account| is_selected(&account.name, selected))
        .map(AccountRow::from)
        .collect();
    output::print(&render(&rows, format)?)
}

/// One account as `kaas accounts` prints it: where things are, never a secret.
#[derive(Debug, PartialEq, Serialize)]
pub struct AccountRow {
    /// The account's name (`do:team-a`, `oks:prod`, `env:digitalocean`, or the user's own).
    pub name: String,
    /// `digitalocean`, `oks`, `cloud66` or `commissaire`.
    pub provider: &'static str,
    /// The OKS region.
    pub region: Option<String>,
    /// The account's own base URL, or the one its provider's variable gives.
    pub base_url: Option<String>,
    /// `kaas`, `environment`, `doctl` or `oks-cli`.
    pub source: &'static str,
    /// `<file>:<line>` or `$VARIABLE`.
    pub origin: String,
    /// `token`, `access key` or `login`.
    pub credential: &'static str,
    /// Where each of its secrets is kept: `variable NAME`, `file PATH`, `command PROGRAM`,
    /// `inline`.
    pub credential_from: Vec<String>,
    /// Whether doctl or oks-cli would use it right now.
    pub current: bool,
}

impl From<&Account> for AccountRow {
    fn from(account: &Account) -> Self {
        AccountRow {
            name: account.name.clone(),
            provider: account.provider.name(),
            region: account.location.region.clone(),
            base_url: account.location.base_url.clone(),
            source: account.origin.source().name(),
            origin: account.origin.to_string(),
            credential: account.credential.kind(),
            credential_from: account
                .credential
                .secrets()
                .iter()
                .map(|secret| secret.describe())
                .collect(),
            current: account.current,
        }
    }
}

/// The table's columns.
const HEADER: [&str; 7] = [
    "NAME",
    "PROVIDER",
    "LOCATION",
    "SOURCE",
    "ORIGIN",
    "CREDENTIAL",
    "CURRENT",
];

/// The rows in `format`, ending with a newline.
pub fn render(rows: &[AccountRow], format: Format) -> Result<String, Failure> {
    output::render_with(rows, format, |rows| {
        let cells = rows.iter().map(|row| {
            let location = match (&row.region, &row.base_url) {
                (Some(region), Some(url)) => format!("{region} ({url})"),
                (Some(region), None) => region.clone(),
                (None, Some(url)) => url.clone(),
                (None, None) => "-".to_owned(),
            };
            vec![
                row.name.clone(),
                row.provider.to_owned(),
                location,
                row.source.to_owned(),
                row.origin.clone(),
                format!("{} ({})", row.credential, row.credential_from.join(", ")),
                if row.current { "*" } else { "" }.to_owned(),
            ]
        });
        output::table(&HEADER, cells)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use kaas::accounts::{ConfigPaths, Environment};

    /// The accounts of these variables alone (no file).
    fn loaded(pairs: &[(&str, &str)]) -> Accounts {
        let environment = Environment::from_pairs(pairs.iter().copied());
        Accounts::load(&Sources::new(environment).with_paths(ConfigPaths::default())).unwrap()
    }

    #[test]
    fn an_unknown_account_is_a_usage_error_listing_the_known_ones() {
        let accounts = loaded(&[
            ("DIGITALOCEAN_TOKEN", "SENTINEL-do"),
            ("CLOUD66_TOKEN", "SENTINEL-c66"),
        ]);
        assert!(check_selected(&accounts, &["env:cloud66".into()]).is_ok());
        let failure =
            check_selected(&accounts, &["env:cloud66".into(), "team-x".into()]).unwrap_err();
        assert_eq!(failure.code, Code::Usage);
        assert_eq!(
            failure.message.as_deref(),
            Some("unknown account team-x: the accounts are env:digitalocean, env:cloud66")
        );
        let failure = check_selected(&loaded(&[]), &["a".into(), "b".into()]).unwrap_err();
        assert_eq!(
            failure.message.as_deref(),
            Some("unknown accounts a, b: no account is configured (see `kaas accounts`)")
        );
        assert!(is_selected("x", &[]) && !is_selected("x", &["y".into()]));
    }

    #[test]
    fn a_row_says_where_the_credential_is_kept_never_what_it_is() {
        let accounts = loaded(&[
            ("OKS_ACCESS_KEY", "SENTINEL-ak"),
            ("OKS_SECRET_KEY", "SENTINEL-sk"),
            ("OKS_REGION", "eu-west-2"),
        ]);
        let rows: Vec<AccountRow> = accounts.iter().map(AccountRow::from).collect();
        assert_eq!(
            rows,
            [AccountRow {
                name: "env:oks".into(),
                provider: "oks",
                region: Some("eu-west-2".into()),
                base_url: None,
                source: "environment",
                origin: "$OKS_ACCESS_KEY".into(),
                credential: "access key",
                credential_from: vec![
                    "variable OKS_ACCESS_KEY".into(),
                    "variable OKS_SECRET_KEY".into()
                ],
                current: false,
            }]
        );
        for format in [Format::Table, Format::Json, Format::Yaml] {
            let text = render(&rows, format).unwrap();
            assert!(!text.contains("SENTINEL"), "{text}");
            assert!(
                text.contains("env:oks") && text.contains("eu-west-2"),
                "{text}"
            );
        }
        let table = render(&rows, Format::Table).unwrap();
        assert!(
            table.starts_with("NAME      PROVIDER   LOCATION    SOURCE        ORIGIN"),
            "{table}"
        );
    }
}
