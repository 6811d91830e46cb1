//! The inventory of the providers whose credentials the environment holds, one account each,
//! named `env:<provider>`.

use super::Inventory;
use super::account::{AccountClient, Entry};
use crate::{Error, Result};

/// `inventory` with `client` as its provider's environment account, `env:<provider>`.
#[allow(dead_code, reason = "unused when no provider is compiled in")]
fn with_environment(mut inventory: Inventory, client: AccountClient) -> Inventory {
    let name = format!("env:{}", client.provider().name());
    inventory.accounts.push(Entry::ready(name, client));
    inventory
}

/// Builds the inventory from `lookup` (the environment, or a test's map).
pub(super) fn inventory(lookup: impl Fn(&str) -> Option<String>) -> Result<Inventory> {
    // Unset and empty are the same: `FOO= cmd` means "no FOO".
    let lookup = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
    #[allow(unused_mut, reason = "unchanged when no provider is compiled in")]
    let mut inventory = Inventory::new();
    #[cfg(feature = "digitalocean")]
    if let Some(token) = lookup("DIGITALOCEAN_TOKEN") {
        let mut builder = crate::digitalocean::Client::builder().token(token);
        if let Some(url) = lookup("DIGITALOCEAN_API_URL") {
            builder = builder.base_url(url);
        }
        inventory = with_environment(inventory, builder.build()?.into());
    }
    #[cfg(feature = "oks")]
    match (lookup("OKS_ACCESS_KEY"), lookup("OKS_SECRET_KEY")) {
        (Some(access_key), Some(secret_key)) => {
            let mut builder = crate::oks::Client::builder().access_key(access_key, secret_key);
            if let Some(region) = lookup("OKS_REGION") {
                builder = builder.region(
                    region
                        .trim()
                        .parse()
                        .map_err(|error| Error::InvalidInput(format!("OKS_REGION: {error}")))?,
                );
            }
            if let Some(url) = lookup("OKS_API_URL") {
                builder = builder.base_url(url);
            }
            inventory = with_environment(inventory, builder.build()?.into());
        }
        (None, None) => {}
        (Some(_), None) => return Err(missing("OKS_SECRET_KEY", "OKS_ACCESS_KEY")),
        (None, Some(_)) => return Err(missing("OKS_ACCESS_KEY", "OKS_SECRET_KEY")),
    }
    #[cfg(feature = "cloud66")]
    if let Some(token) = lookup("CLOUD66_TOKEN") {
        let mut builder = crate::cloud66::Client::builder().token(token);
        if let Some(url) = lookup("CLOUD66_API_URL") {
            builder = builder.base_url(url);
        }
        inventory = with_environment(inventory, builder.build()?.into());
    }
    #[cfg(feature = "commissaire")]
    if let Some(url) = lookup("COMMISSAIRE_URL") {
        let builder = crate::commissaire::Client::builder().base_url(url);
        let builder = match (
            lookup("COMMISSAIRE_USER"),
            lookup("COMMISSAIRE_PASSWORD"),
            lookup("COMMISSAIRE_TOKEN"),
        ) {
            (Some(user), Some(password), _) => builder.basic_auth(user, password),
            (None, None, Some(token)) => builder.token(token),
            (Some(_), None, _) => return Err(missing("COMMISSAIRE_PASSWORD", "COMMISSAIRE_USER")),
            (None, Some(_), _) => return Err(missing("COMMISSAIRE_USER", "COMMISSAIRE_PASSWORD")),
            (None, None, None) => {
                return Err(Error::InvalidInput(
                    "COMMISSAIRE_URL is set but no credentials: set COMMISSAIRE_USER and COMMISSAIRE_PASSWORD, or COMMISSAIRE_TOKEN".into(),
                ));
            }
        };
        inventory = with_environment(inventory, builder.build()?.into());
    }
    Ok(inventory)
}

/// `wanted` is missing although `given` is set (never quoting either value).
#[allow(
    dead_code,
    reason = "unused when neither OKS nor Commissaire is compiled in"
)]
fn missing(wanted: &str, given: &str) -> Error {
    Error::InvalidInput(format!(
        "{given} is set but {wanted} is not: set both, or neither"
    ))
}

#[cfg(all(
    test,
    feature = "digitalocean",
    feature = "oks",
    feature = "cloud66",
    feature = "commissaire"
))]
mod tests {
    use super::*;
    use crate::inventory::Provider;

    fn from(pairs: &[(&str, &str)]) -> Result<Inventory> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        inventory(move |name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        })
    }

    #[test]
    fn each_provider_whose_credentials_are_set_is_listed() {
        assert!(from(&[]).unwrap().providers().is_empty());
        let all = from(&[
            ("DIGITALOCEAN_TOKEN", "dop_v1_SENTINEL"),
            ("OKS_ACCESS_KEY", "AK"),
            ("OKS_SECRET_KEY", "SK-SENTINEL"),
            ("OKS_REGION", "cloudgouv-eu-west-1"),
            ("CLOUD66_TOKEN", "c66-SENTINEL"),
            ("COMMISSAIRE_URL", "https://commissaire.example.com:8000"),
            ("COMMISSAIRE_TOKEN", "SENTINEL-token"),
        ])
        .unwrap();
        assert_eq!(
            all.providers(),
            [
                Provider::DigitalOcean,
                Provider::Oks,
                Provider::Cloud66,
                Provider::Commissaire
            ]
        );
        assert_eq!(
            all.accounts(),
            [
                ("env:digitalocean", Provider::DigitalOcean),
                ("env:oks", Provider::Oks),
                ("env:cloud66", Provider::Cloud66),
                ("env:commissaire", Provider::Commissaire)
            ]
        );
        assert!(!format!("{all:?}").contains("SENTINEL"), "{all:?}");
        let empty_is_unset = from(&[("DIGITALOCEAN_TOKEN", " "), ("CLOUD66_TOKEN", "t")]).unwrap();
        assert_eq!(empty_is_unset.providers(), [Provider::Cloud66]);
    }

    #[test]
    fn half_set_credentials_are_an_error_naming_the_variable_not_its_value() {
        for (pairs, names) in [
            (&[("OKS_ACCESS_KEY", "AK-SENTINEL")][..], "OKS_SECRET_KEY"),
            (&[("OKS_SECRET_KEY", "SK-SENTINEL")][..], "OKS_ACCESS_KEY"),
            (
                &[
                    ("OKS_ACCESS_KEY", "AK"),
                    ("OKS_SECRET_KEY", "SK-SENTINEL"),
                    ("OKS_REGION", "mars-1"),
                ][..],
                "OKS_REGION",
            ),
            (
                &[("COMMISSAIRE_URL", "https://c.example.com")][..],
                "COMMISSAIRE_TOKEN",
            ),
            (
                &[
                    ("COMMISSAIRE_URL", "https://c.example.com"),
                    ("COMMISSAIRE_USER", "SENTINEL-user"),
                ][..],
                "COMMISSAIRE_PASSWORD",
            ),
        ] {
            let error = from(pairs).unwrap_err();
            let message = error.to_string();
            assert!(matches!(error, Error::InvalidInput(_)), "{message}");
            assert!(message.contains(names), "{message}");
            assert!(!message.contains("SENTINEL"), "{message}");
        }
    }

    /// The base URL a client of `provider` built with `url` uses: from the builder when
    /// `variable` is false, else from the provider's variables.
    fn base_url_used(provider: Provider, url: &str, variable: bool) -> String {
        if variable {
            let (url_variable, credentials): (&str, &[(&str, &str)]) = match provider {
                Provider::DigitalOcean => ("DIGITALOCEAN_API_URL", &[("DIGITALOCEAN_TOKEN", "t")]),
                Provider::Oks => (
                    "OKS_API_URL",
                    &[("OKS_ACCESS_KEY", "a"), ("OKS_SECRET_KEY", "s")],
                ),
                Provider::Cloud66 => ("CLOUD66_API_URL", &[("CLOUD66_TOKEN", "t")]),
                Provider::Commissaire => ("COMMISSAIRE_URL", &[("COMMISSAIRE_TOKEN", "t")]),
            };
            let mut pairs = credentials.to_vec();
            pairs.push((url_variable, url));
            let inventory = from(&pairs).unwrap();
            let [entry] = &inventory.accounts[..] else {
                panic!("one account: {inventory:?}");
            };
            assert_eq!(entry.name, format!("env:{provider}"));
            let super::super::account::Connect::Ready(client) = &entry.client else {
                panic!("a client built from the variables");
            };
            return match client {
                AccountClient::DigitalOcean(client) => client.base_url().to_string(),
                AccountClient::Oks(client) => client.base_url().to_string(),
                AccountClient::Cloud66(client) => client.base_url().to_string(),
                AccountClient::Commissaire(client) => client.base_url().to_string(),
            };
        }
        match provider {
            Provider::DigitalOcean => crate::digitalocean::Client::builder()
                .token("t")
                .base_url(url)
                .build()
                .unwrap()
                .base_url()
                .to_string(),
            Provider::Oks => crate::oks::Client::builder()
                .access_key("a", "s")
                .base_url(url)
                .build()
                .unwrap()
                .base_url()
                .to_string(),
            Provider::Cloud66 => crate::cloud66::Client::builder()
                .token("t")
                .base_url(url)
                .build()
                .unwrap()
                .base_url()
                .to_string(),
            Provider::Commissaire => crate::commissaire::Client::builder()
                .token("t")
                .base_url(url)
                .build()
                .unwrap()
                .base_url()
                .to_string(),
        }
    }

    #[test]
    fn one_base_url_rule_for_every_provider_from_the_builder_and_the_variables() {
        // provider, its API root as its documentation writes it, the other common form
        let table = [
            (
                Provider::DigitalOcean,
                "https://api.digitalocean.com",
                "https://api.digitalocean.com/v2",
            ),
            (
                Provider::Oks,
                "https://api.cloudgouv-eu-west-1.oks.outscale.com/api/v2",
                "https://api.cloudgouv-eu-west-1.oks.outscale.com",
            ),
            (
                Provider::Cloud66,
                "https://app.cloud66.com/api/3",
                "https://app.cloud66.com",
            ),
            (
                Provider::Commissaire,
                "https://commissaire.example.com:8000",
                "https://commissaire.example.com:8000/api/v0",
            ),
        ];
        for (provider, root, other) in table {
            for given in [root, &format!("{root}/"), other, &format!("{other}/")] {
                for variable in [false, true] {
                    assert_eq!(
                        base_url_used(provider, given, variable),
                        root,
                        "{provider} given {given} (variable: {variable})"
                    );
                }
            }
            // A server of the caller's: a test server serving the API at its root (as the
            // typed mocks do), a proxy with a path of its own.
            for own in ["http://127.0.0.1:8080", "https://proxy.example.com/kaas"] {
                for variable in [false, true] {
                    assert_eq!(base_url_used(provider, own, variable), own, "{provider}");
                }
            }
        }
    }
}
