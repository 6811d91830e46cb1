//! The sources together: merge order, the switches, the base URL variables, secrets never
//! shown.

use std::path::PathBuf;

use super::*;

/// A fresh folder of this test process under the system's temporary folder, never the same
/// twice (tests run in parallel).
pub(crate) fn folder(test: &str) -> PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let folder =
        std::env::temp_dir().join(format!("kaas-accounts-{}-{test}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).unwrap();
    folder
}

/// The names of the accounts found that their tool would use now.
pub(super) fn current_names(found: &Found) -> Vec<&str> {
    found
        .accounts
        .iter()
        .filter(|account| account.current)
        .map(|account| account.name.as_str())
        .collect()
}

/// Whether every account found has `base_url`.
pub(super) fn all_at(found: &Found, base_url: &str) -> bool {
    found
        .accounts
        .iter()
        .all(|account| account.location.base_url.as_deref() == Some(base_url))
}

const KAAS: &str = r#"[accounts.team-a]
provider = "digitalocean"
token = { env = "TEAM_A_TOKEN" }

[accounts."do:next"]
provider = "digitalocean"
base_url = "http://127.0.0.1:7000"
# The command's text is not secret; its output is.
token = { command = ["sh", "-c", "printf %s%s SENT INEL-from-command"] }
"#;

const DOCTL: &str = "access-token: SENTINEL-doctl-default
auth-contexts:
  next: SENTINEL-doctl-next
  other: SENTINEL-doctl-other
context: other
api-url: http://127.0.0.1:8080
";

const OKS_CLI: &str = r#"{"default": {"region_name": "eu-west-2", "type": "ak/sk", "access_key": "SENTINEL-AK", "secret_key": "SENTINEL-SK"}, "gouv": {"region_name": "cloudgouv-eu-west-1", "endpoint": "http://127.0.0.1:9000/api/v2", "type": "username/password", "username": "ops", "password": "SENTINEL-PW"}}"#;

/// A home with the three tools' files, found as the tools find them, and an environment.
fn tools_home(
    test: &str,
    kaas: &str,
    doctl: &str,
    oks_cli: &str,
    variables: &[(&str, &str)],
) -> (PathBuf, Sources) {
    let home = folder(test);
    for (path, text) in [
        (".config/kaas/config.toml", kaas),
        (".config/doctl/config.yaml", doctl),
        (".oks_cli/config.json", oks_cli),
    ] {
        let path = home.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let mut pairs = vec![
        ("HOME".to_owned(), home.display().to_string()),
        (
            "XDG_CONFIG_HOME".to_owned(),
            home.join(".config").display().to_string(),
        ),
        (
            "APPDATA".to_owned(),
            home.join(".config").display().to_string(),
        ),
        ("USERPROFILE".to_owned(), home.display().to_string()),
    ];
    pairs.extend(
        variables
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string())),
    );
    let mut sources = Sources::new(Environment::from_pairs(pairs));
    // macOS has doctl's file elsewhere; these tests put it in one place for all platforms.
    sources.paths.doctl = Some(home.join(".config/doctl/config.yaml"));
    (home, sources)
}

fn names(accounts: &Accounts) -> Vec<&str> {
    accounts
        .iter()
        .map(|account| account.name.as_str())
        .collect()
}

#[tokio::test]
async fn the_sources_merge_in_order_and_the_first_to_name_an_account_wins() {
    let variables = [
        ("DIGITALOCEAN_TOKEN", "SENTINEL-env-do"),
        ("CLOUD66_TOKEN", "SENTINEL-env-c66"),
        ("TEAM_A_TOKEN", "SENTINEL-team-a"),
        ("DIGITALOCEAN_API_URL", "http://127.0.0.1:6000"),
        ("OKS_API_URL", "http://127.0.0.1:6001"),
    ];
    let (home, sources) = tools_home("merge", KAAS, DOCTL, OKS_CLI, &variables);
    let accounts = Accounts::load(&sources).unwrap();
    assert_eq!(
        names(&accounts),
        [
            "team-a",
            "do:next",
            "env:digitalocean",
            "env:cloud66",
            "do:default",
            "do:other",
            "oks:default",
            "oks:gouv"
        ]
    );
    assert_eq!(accounts.warnings(), []);
    assert!(accounts.foreign_config());
    let sources: Vec<_> = accounts.iter().map(|a| a.origin.source()).collect();
    use Source::*;
    assert_eq!(
        sources,
        [
            Kaas,
            Kaas,
            Environment,
            Environment,
            Doctl,
            Doctl,
            OksCli,
            OksCli
        ]
    );
    let urls: Vec<_> = accounts
        .iter()
        .map(|a| {
            a.location
                .effective_base_url(a.provider)
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(
        urls,
        [
            "http://127.0.0.1:6000", // DIGITALOCEAN_API_URL: the account names none
            "http://127.0.0.1:7000", // its own
            "http://127.0.0.1:6000",
            "",                      // CLOUD66_API_URL unset: Cloud66's documented URL
            "http://127.0.0.1:6000", // DIGITALOCEAN_API_URL wins over doctl's api-url, as in doctl
            "http://127.0.0.1:6000",
            "http://127.0.0.1:6001", // OKS_API_URL: the profile names no endpoint
            "http://127.0.0.1:9000/api/v2", // the profile's endpoint
        ]
    );
    let current: Vec<_> = accounts
        .iter()
        .filter(|a| a.current)
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(current, ["do:other", "oks:default"]);
    assert_eq!(accounts.of_provider(Provider::DigitalOcean).count(), 5);

    // kaas's `do:next` replaced doctl's: its credential is the command's output.
    let next = accounts.get("do:next").unwrap();
    let Credential::Token(token) = accounts.credential(next).await.unwrap() else {
        panic!()
    };
    assert_eq!(token.expose(), "SENTINEL-from-command");
    let team_a = accounts
        .credential(accounts.get("team-a").unwrap())
        .await
        .unwrap();
    assert_eq!(team_a, Credential::Token("SENTINEL-team-a".into()));

    // Nothing shows a secret: Debug of everything, Display of what a listing shows.
    let mut shown = format!("{accounts:?}");
    for account in &accounts {
        shown += &format!(
            "{} {} {} {}",
            account.name, account.location, account.origin, account.credential
        );
        shown += &format!("{:?}", accounts.credential(account).await.unwrap());
    }
    assert!(!shown.contains("SENTINEL"), "{shown}");
    let _ = std::fs::remove_dir_all(home);
}

#[test]
fn the_foreign_files_can_be_turned_off() {
    for (kaas, variables, foreign) in [
        ("", &[("KAAS_NO_FOREIGN_CONFIG", "1")][..], false),
        ("foreign_config = false\n", &[][..], false),
        (
            "foreign_config = true\n",
            &[("KAAS_NO_FOREIGN_CONFIG", "yes")][..],
            false,
        ),
        ("", &[("KAAS_NO_FOREIGN_CONFIG", "0")][..], true),
        ("", &[][..], true),
    ] {
        let (home, sources) = tools_home("foreign-off", kaas, DOCTL, OKS_CLI, variables);
        let accounts = Accounts::load(&sources).unwrap();
        assert_eq!(accounts.foreign_config(), foreign, "{kaas} {variables:?}");
        assert_eq!(
            accounts.as_slice().len(),
            if foreign { 5 } else { 0 },
            "{kaas} {variables:?}"
        );
        let _ = std::fs::remove_dir_all(home);
    }
}

#[test]
fn a_broken_foreign_file_is_a_warning_and_the_other_accounts_still_load() {
    let broken_doctl = "access-token: SENTINEL\nauth-contexts:\n  a: [SENTINEL\n";
    let broken_oks = "{\"x\": {\"type\": \"ak/sk\", \"secret_key\": \"SENTINEL\"}}";
    let variables = [("CLOUD66_TOKEN", "SENTINEL")];
    let (home, sources) = tools_home("foreign-broken", KAAS, broken_doctl, broken_oks, &variables);
    let accounts = Accounts::load(&sources).unwrap();
    assert_eq!(names(&accounts), ["team-a", "do:next", "env:cloud66"]);
    let warnings: Vec<_> = accounts
        .warnings()
        .iter()
        .map(|w| (w.tool, w.line))
        .collect();
    assert_eq!(
        warnings,
        [(Source::Doctl, Some(4)), (Source::OksCli, Some(1))]
    );
    for warning in accounts.warnings() {
        let shown = format!("{warning} {warning:?}");
        assert!(
            shown.contains(&warning.path.display().to_string()),
            "{shown}"
        );
        assert!(!shown.contains("SENTINEL"), "{shown}");
    }
    let _ = std::fs::remove_dir_all(home);
}

#[test]
fn a_broken_kaas_file_or_environment_fails_the_load_without_showing_a_secret() {
    let (home, sources) = tools_home(
        "kaas-broken",
        "[accounts.x]\ntoken = \"SENTINEL\"\n",
        DOCTL,
        OKS_CLI,
        &[],
    );
    let error = Accounts::load(&sources).unwrap_err();
    let message = error.to_string();
    assert!(
        matches!(error, AccountsError::Invalid { line: 1, .. }),
        "{message}"
    );
    assert!(message.contains("missing field `provider`"), "{message}");
    assert!(!message.contains("SENTINEL") && !format!("{error:?}").contains("SENTINEL"));
    let _ = std::fs::remove_dir_all(home);

    let (home, sources) = tools_home(
        "env-broken",
        "",
        DOCTL,
        OKS_CLI,
        &[("OKS_ACCESS_KEY", "SENTINEL")],
    );
    let error = Accounts::load(&sources).unwrap_err();
    assert!(matches!(error, AccountsError::Environment(_)), "{error}");
    assert!(!error.to_string().contains("SENTINEL"));
    let _ = std::fs::remove_dir_all(home);
}

#[tokio::test(start_paused = true)]
async fn kaas_files_timeout_bounds_every_credential_command() {
    let kaas = "credential_timeout_seconds = 2\n[accounts.slow]\nprovider = \"cloud66\"\ntoken = { command = [\"sh\", \"-c\", \"exec sleep 30\"] }\n";
    let (home, sources) = tools_home("timeout", kaas, "", "{}", &[]);
    let accounts = Accounts::load(&sources).unwrap();
    assert_eq!(accounts.credential_timeout(), Duration::from_secs(2));
    let error = accounts
        .credential(&accounts.as_slice()[0])
        .await
        .unwrap_err();
    assert!(
        matches!(error, CredentialError::CommandTimedOut { .. }),
        "{error:?}"
    );
    assert_eq!(error.account(), "slow");
    let _ = std::fs::remove_dir_all(home);
}
