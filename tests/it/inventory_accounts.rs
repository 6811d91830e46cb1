//! An inventory of several accounts per provider: each cluster carries its account, names
//! resolve to one account (or say which they could mean), context names stay unique and
//! stable, and configured accounts read their credentials when first used, a failing one
//! failing that account alone.
#![cfg(all(feature = "digitalocean", feature = "oks", feature = "accounts"))]

use crate::common;

use futures::StreamExt as _;
use httpmock::MockServer;
use kaas::digitalocean::mock::MockServerExt as DigitalOceanMock;
use kaas::inventory::{ClusterRef, ClusterSummary, Inventory, Provider};

const DO_ID: &str = "bd5f5959-5e1e-4205-a714-a914373942af";

/// A DigitalOcean stand-in serving the documented list (one cluster, `prod-cluster-01` in
/// nyc1) and its credentials, the token telling which account asked.
async fn digitalocean_account(token: &'static str) -> MockServer {
    let server = MockServer::start_async().await;
    DigitalOceanMock::list_clusters(&server, |_, then| {
        then.ok(&common::fixture_as(
            "digitalocean",
            "list_clusters.response.json",
        ));
    });
    DigitalOceanMock::get_credentials(&server, move |when, then| {
        when.cluster_id(&DO_ID.parse().unwrap());
        then.ok(&serde_json::from_value(serde_json::json!({
            "server": "https://bd5f5959.k8s.ondigitalocean.com",
            "token": format!("SENTINEL-{token}"),
            "expires_at": "2030-01-01T00:30:00Z"
        }))
        .unwrap());
    });
    server
}

fn digitalocean_client(server: &MockServer) -> kaas::digitalocean::Client {
    kaas::digitalocean::Client::builder()
        .token("dop_v1_SENTINEL")
        .base_url(server.base_url())
        .build()
        .unwrap()
}

/// Two DigitalOcean accounts whose stand-ins serve the same cluster name in the same region.
async fn two_teams() -> (Inventory, [MockServer; 2]) {
    let (a, b) = (
        digitalocean_account("team-a").await,
        digitalocean_account("team-b").await,
    );
    let inventory = Inventory::new()
        .with_account("do:team-a", digitalocean_client(&a))
        .unwrap()
        .with_account("do:team-b", digitalocean_client(&b))
        .unwrap();
    (inventory, [a, b])
}

async fn listed(inventory: &Inventory) -> Vec<ClusterSummary> {
    let mut listed: Vec<ClusterSummary> = inventory
        .clusters()
        .map(|item| item.expect("every account lists"))
        .collect()
        .await;
    listed.sort_by(|a, b| a.account.cmp(&b.account));
    listed
}

#[tokio::test]
async fn each_cluster_carries_its_account_and_a_context_name_unique_across_accounts() {
    let (inventory, _servers) = two_teams().await;
    assert_eq!(
        inventory.accounts(),
        [
            ("do:team-a", Provider::DigitalOcean),
            ("do:team-b", Provider::DigitalOcean)
        ]
    );
    assert_eq!(inventory.providers(), [Provider::DigitalOcean]);
    let listed = listed(&inventory).await;
    let seen: Vec<(&str, &str, String)> = listed
        .iter()
        .map(|c| (c.account.as_str(), c.name.as_str(), c.context_name()))
        .collect();
    assert_eq!(
        seen,
        [
            (
                "do:team-a",
                "prod-cluster-01",
                "do-nyc1-prod-cluster-01@do-team-a".to_string()
            ),
            (
                "do:team-b",
                "prod-cluster-01",
                "do-nyc1-prod-cluster-01@do-team-b".to_string()
            ),
        ]
    );
}

#[tokio::test]
async fn the_environment_account_keeps_todays_context_name() {
    let server = digitalocean_account("env").await;
    let environment = kaas::accounts::Environment::from_pairs([
        ("DIGITALOCEAN_TOKEN", "dop_v1_SENTINEL".to_string()),
        ("DIGITALOCEAN_API_URL", server.base_url()),
    ]);
    let sources = kaas::accounts::Sources::new(environment)
        .with_paths(kaas::accounts::ConfigPaths::default());
    let accounts = kaas::accounts::Accounts::load(&sources).unwrap();
    let team = digitalocean_account("team-a").await;
    let inventory = Inventory::from_accounts(&accounts)
        .with_account("do:team-a", digitalocean_client(&team))
        .unwrap();
    let listed = listed(&inventory).await;
    let contexts: Vec<(&str, String)> = listed
        .iter()
        .map(|c| (c.account.as_str(), c.context_name()))
        .collect();
    assert_eq!(
        contexts,
        [
            ("do:team-a", "do-nyc1-prod-cluster-01@do-team-a".to_string()),
            ("env:digitalocean", "do-nyc1-prod-cluster-01".to_string()),
        ]
    );
}

#[tokio::test]
async fn a_provider_with_several_accounts_is_an_ambiguous_reference_listing_them() {
    let (inventory, _servers) = two_teams().await;
    let error = inventory
        .find(&"do/prod-cluster-01".parse().unwrap())
        .await
        .unwrap_err();
    let kaas::Error::AmbiguousAccount {
        reference,
        accounts,
    } = &error
    else {
        panic!("expected AmbiguousAccount, got {error:?}");
    };
    assert_eq!(reference, "digitalocean/prod-cluster-01");
    assert_eq!(accounts, &["do:team-a", "do:team-b"]);
    let message = error.to_string();
    assert!(
        message.contains("do:team-a, do:team-b"),
        "the message lists them: {message}"
    );

    let account = |text: &str| {
        inventory
            .account_of(&text.parse().unwrap())
            .map(str::to_owned)
    };
    assert_eq!(account("do:team-b/x").unwrap(), "do:team-b");
    assert!(matches!(
        account("digitalocean/x"),
        Err(kaas::Error::AmbiguousAccount { .. })
    ));
    let only_a = inventory.clone().only(&["do:team-a"]).unwrap();
    assert_eq!(
        only_a.account_of(&"do/x".parse().unwrap()).unwrap(),
        "do:team-a",
        "a provider's only account"
    );

    let found = inventory
        .find(&"do:team-b/prod-cluster-01".parse().unwrap())
        .await
        .unwrap();
    assert_eq!(
        (found.account.as_str(), found.id.as_str()),
        ("do:team-b", DO_ID)
    );
    let by_id = inventory
        .find(&ClusterRef::in_account("do:team-a", DO_ID))
        .await
        .unwrap();
    assert_eq!(by_id.account, "do:team-a");

    let unknown = inventory
        .find(&"team-z/prod".parse().unwrap())
        .await
        .unwrap_err();
    assert!(matches!(unknown, kaas::Error::InvalidInput(_)), "{unknown}");
    assert!(
        unknown.to_string().contains("do:team-a, do:team-b"),
        "{unknown}"
    );
    let absent = inventory
        .find(&"oks/prod".parse().unwrap())
        .await
        .unwrap_err();
    assert!(absent.to_string().contains("OKS_ACCESS_KEY"), "{absent}");
}

#[tokio::test]
async fn a_credential_comes_from_the_account_the_cluster_was_found_with() {
    let (inventory, _servers) = two_teams().await;
    for (account, token) in [
        ("do:team-b", "SENTINEL-team-b"),
        ("do:team-a", "SENTINEL-team-a"),
    ] {
        let cluster = inventory
            .find(&ClusterRef::in_account(account, "prod-cluster-01"))
            .await
            .unwrap();
        let credential = inventory.credential(&cluster, None).await.unwrap();
        assert_eq!(credential.expose_token(), Some(token), "{account}");
    }
}

#[tokio::test]
async fn names_are_unique_and_restricting_to_unknown_ones_lists_the_known() {
    let (inventory, [a, _b]) = two_teams().await;
    for bad in ["do:team-a", "", "a/b", "do", "oks"] {
        let error = inventory
            .clone()
            .with_account(bad, digitalocean_client(&a))
            .unwrap_err();
        assert!(
            matches!(error, kaas::Error::InvalidInput(_)),
            "{bad}: {error}"
        );
    }
    let only_b = inventory.clone().only(&["do:team-b"]).unwrap();
    assert_eq!(only_b.accounts(), [("do:team-b", Provider::DigitalOcean)]);
    let listed = listed(&only_b).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].account, "do:team-b");
    let error = inventory.only(&["do:team-b", "team-z"]).unwrap_err();
    assert!(matches!(error, kaas::Error::InvalidInput(_)), "{error}");
    let message = error.to_string();
    assert!(
        message.contains("team-z") && message.contains("do:team-a, do:team-b"),
        "{message}"
    );
}

#[tokio::test]
async fn with_provider_names_the_account_after_the_provider_and_replaces_it() {
    let (a, b) = (
        digitalocean_account("a").await,
        digitalocean_account("b").await,
    );
    let inventory = Inventory::new()
        .with_digitalocean(digitalocean_client(&a))
        .with_digitalocean(digitalocean_client(&b));
    assert_eq!(
        inventory.accounts(),
        [("digitalocean", Provider::DigitalOcean)]
    );
    let listed = listed(&inventory).await;
    assert_eq!(listed.len(), 1, "one account, replaced");
    assert_eq!(listed[0].context_name(), "do-nyc1-prod-cluster-01");
}

/// kaas's file with a DigitalOcean account on `server` and one whose token variable is unset.
fn configured(server: &MockServer, test: &str) -> kaas::accounts::Accounts {
    let folder = common::scratch_folder("inventory-accounts", test);
    let file = folder.join("config.toml");
    std::fs::write(
        &file,
        format!(
            r#"[accounts.good]
provider = "digitalocean"
base_url = "{}"
token = {{ env = "GOOD_TOKEN" }}

[accounts.broken]
provider = "digitalocean"
base_url = "{}"
token = {{ env = "BROKEN_TOKEN" }}
"#,
            server.base_url(),
            server.base_url()
        ),
    )
    .unwrap();
    let environment = kaas::accounts::Environment::from_pairs([("GOOD_TOKEN", "dop_v1_SENTINEL")]);
    let mut paths = kaas::accounts::ConfigPaths::default();
    paths.kaas = Some(file);
    kaas::accounts::Accounts::load(&kaas::accounts::Sources::new(environment).with_paths(paths))
        .unwrap()
}

#[tokio::test]
async fn a_configured_account_whose_credential_fails_is_one_failure_naming_it() {
    let server = digitalocean_account("good").await;
    let inventory = Inventory::from_accounts(&configured(&server, "credential-fails"));
    assert_eq!(
        inventory.accounts(),
        [
            ("good", Provider::DigitalOcean),
            ("broken", Provider::DigitalOcean)
        ]
    );
    let items: Vec<_> = inventory.clusters().collect().await;
    assert_eq!(items.len(), 2, "{items:?}");
    let good: Vec<_> = items.iter().flatten().collect();
    assert_eq!(good.len(), 1);
    assert_eq!(good[0].account, "good");
    let failure = items
        .iter()
        .find_map(|item| item.as_ref().err())
        .expect("the broken account's failure");
    assert_eq!(
        (failure.account.as_str(), failure.provider),
        ("broken", Provider::DigitalOcean)
    );
    assert_eq!(
        failure.to_string(),
        "account `broken`: the variable BROKEN_TOKEN is not set"
    );
    let credential = std::error::Error::source(&failure.error)
        .and_then(|source| source.downcast_ref::<kaas::accounts::CredentialError>())
        .expect("the credential error, kept whole");
    assert_eq!(credential.account(), "broken");

    let lookup = inventory
        .find(&"broken/prod-cluster-01".parse().unwrap())
        .await
        .unwrap_err();
    assert!(lookup.to_string().contains("account `broken`"), "{lookup}");
    let found = inventory
        .find(&"good/prod-cluster-01".parse().unwrap())
        .await
        .unwrap();
    assert_eq!(found.context_name(), "do-nyc1-prod-cluster-01@good");
}
