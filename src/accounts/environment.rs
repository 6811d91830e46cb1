//! The accounts of the environment variables kaas has always read, one per provider, named
//! `env:<provider>`: the same variables, and the same errors for half-set ones, as
//! [`Inventory::from_env`](crate::inventory::Inventory::from_env). Secrets stay in their
//! variables until the credential is resolved.

use super::account::{Account, Location, Origin, region_problem};
use super::credential::{CredentialSource, SecretSource};
use super::error::AccountsError;
use super::sources::Environment;
use crate::inventory::Provider;

/// The prefix of the environment's accounts.
pub const PREFIX: &str = "env:";

/// The environment's accounts, in the providers' order.
pub(super) fn read(environment: &Environment) -> Result<Vec<Account>, AccountsError> {
    let set = |name: &str| environment.get(name);
    let variable = |name: &str| SecretSource::Variable(name.to_owned());
    let mut accounts = Vec::new();
    let mut add = |provider: Provider, first: &str, location, credential| {
        accounts.push(Account {
            name: format!("{PREFIX}{}", provider.name()),
            provider,
            location,
            credential,
            origin: Origin::Variable {
                name: first.to_owned(),
            },
            current: false,
        });
    };
    if set("DIGITALOCEAN_TOKEN").is_some() {
        let token = CredentialSource::Token(variable("DIGITALOCEAN_TOKEN"));
        add(
            Provider::DigitalOcean,
            "DIGITALOCEAN_TOKEN",
            Location::default(),
            token,
        );
    }
    match (set("OKS_ACCESS_KEY"), set("OKS_SECRET_KEY")) {
        (Some(_), Some(_)) => {
            let keys = CredentialSource::AccessKey {
                access_key: variable("OKS_ACCESS_KEY"),
                secret_key: variable("OKS_SECRET_KEY"),
            };
            let region = set("OKS_REGION").map(|region| region.trim().to_owned());
            if let Some(problem) = region.as_deref().and_then(region_problem) {
                return Err(AccountsError::Environment(format!("OKS_REGION: {problem}")));
            }
            add(
                Provider::Oks,
                "OKS_ACCESS_KEY",
                Location::new(region, None),
                keys,
            );
        }
        (None, None) => {}
        (Some(_), None) => return Err(missing("OKS_SECRET_KEY", "OKS_ACCESS_KEY")),
        (None, Some(_)) => return Err(missing("OKS_ACCESS_KEY", "OKS_SECRET_KEY")),
    }
    if set("CLOUD66_TOKEN").is_some() {
        let token = CredentialSource::Token(variable("CLOUD66_TOKEN"));
        add(
            Provider::Cloud66,
            "CLOUD66_TOKEN",
            Location::default(),
            token,
        );
    }
    if let Some(url) = set("COMMISSAIRE_URL") {
        let credential = match (
            set("COMMISSAIRE_USER"),
            set("COMMISSAIRE_PASSWORD"),
            set("COMMISSAIRE_TOKEN"),
        ) {
            (Some(username), Some(_), _) => CredentialSource::Login {
                username,
                password: variable("COMMISSAIRE_PASSWORD"),
            },
            (None, None, Some(_)) => CredentialSource::Token(variable("COMMISSAIRE_TOKEN")),
            (Some(_), None, _) => return Err(missing("COMMISSAIRE_PASSWORD", "COMMISSAIRE_USER")),
            (None, Some(_), _) => return Err(missing("COMMISSAIRE_USER", "COMMISSAIRE_PASSWORD")),
            (None, None, None) => {
                return Err(AccountsError::Environment(
                    "COMMISSAIRE_URL is set but no credentials: set COMMISSAIRE_USER and COMMISSAIRE_PASSWORD, or COMMISSAIRE_TOKEN".into(),
                ));
            }
        };
        let location = Location::new(None, Some(url.trim().to_owned()));
        add(
            Provider::Commissaire,
            "COMMISSAIRE_URL",
            location,
            credential,
        );
    }
    Ok(accounts)
}

/// `wanted` is missing although `given` is set (never quoting either value).
fn missing(wanted: &str, given: &str) -> AccountsError {
    AccountsError::Environment(format!(
        "{given} is set but {wanted} is not: set both, or neither"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_account_per_provider_whose_variables_are_set() {
        let environment = Environment::from_pairs([
            ("DIGITALOCEAN_TOKEN", "dop_v1_SENTINEL"),
            ("OKS_ACCESS_KEY", "AK"),
            ("OKS_SECRET_KEY", "SK-SENTINEL"),
            ("OKS_REGION", " cloudgouv-eu-west-1 "),
            ("CLOUD66_TOKEN", " "),
            ("COMMISSAIRE_URL", "https://commissaire.example.com:8000"),
            ("COMMISSAIRE_USER", "ops"),
            ("COMMISSAIRE_PASSWORD", "SENTINEL-pw"),
        ]);
        let accounts = read(&environment).unwrap();
        let summary: Vec<_> = accounts
            .iter()
            .map(|a| {
                (
                    a.name.as_str(),
                    a.location.to_string(),
                    a.origin.to_string(),
                    a.credential.to_string(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                (
                    "env:digitalocean",
                    "default".into(),
                    "$DIGITALOCEAN_TOKEN".into(),
                    "token (variable DIGITALOCEAN_TOKEN)".into()
                ),
                (
                    "env:oks",
                    "cloudgouv-eu-west-1".into(),
                    "$OKS_ACCESS_KEY".into(),
                    "access key (variable OKS_ACCESS_KEY, variable OKS_SECRET_KEY)".into()
                ),
                (
                    "env:commissaire",
                    "https://commissaire.example.com:8000".into(),
                    "$COMMISSAIRE_URL".into(),
                    "login (variable COMMISSAIRE_PASSWORD)".into()
                ),
            ]
        );
        assert!(!format!("{accounts:?}").contains("SENTINEL"));
    }

    #[test]
    fn half_set_variables_are_an_error_naming_the_variable_not_its_value() {
        for (pairs, named) in [
            (&[("OKS_ACCESS_KEY", "AK-SENTINEL")][..], "OKS_SECRET_KEY"),
            (&[("OKS_SECRET_KEY", "SK-SENTINEL")][..], "OKS_ACCESS_KEY"),
            (
                &[
                    ("OKS_ACCESS_KEY", "AK"),
                    ("OKS_SECRET_KEY", "SK-SENTINEL"),
                    ("OKS_REGION", "Mars 1"),
                ][..],
                "OKS_REGION",
            ),
            (
                &[("COMMISSAIRE_URL", "https://c.example.com")][..],
                "COMMISSAIRE_TOKEN",
            ),
            (
                &[
                    ("COMMISSAIRE_URL", "https://c"),
                    ("COMMISSAIRE_USER", "SENTINEL"),
                ][..],
                "COMMISSAIRE_PASSWORD",
            ),
            (
                &[
                    ("COMMISSAIRE_URL", "https://c"),
                    ("COMMISSAIRE_PASSWORD", "SENTINEL"),
                ][..],
                "COMMISSAIRE_USER",
            ),
        ] {
            let error = read(&Environment::from_pairs(pairs.iter().copied())).unwrap_err();
            let message = error.to_string();
            assert!(message.contains(named), "{message}");
            assert!(!message.contains("SENTINEL"), "{message}");
        }
    }
}
