//! `kaas accounts` and `--account`, run as a process on a home folder holding doctl's,
//! oks-cli's and kaas's own files (as each tool writes them): where every account came from,
//! warnings naming file and line, the switch that turns the foreign files off, and never a
//! credential: every credential source holds a `SENTINEL`, which `kaas` (the helper) checks
//! appears in no output.
#![cfg(all(
    feature = "digitalocean",
    feature = "oks",
    feature = "cloud66",
    feature = "commissaire"
))]

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::cli::{Run, kaas};

/// Where each configured account is reached: loopback stand-ins (or unused addresses when
/// nothing is requested).
pub(crate) struct Urls {
    /// doctl's `api-url`, for both its contexts.
    pub(crate) digitalocean: String,
    /// The endpoint of oks-cli's profile `prod` (eu-west-2).
    pub(crate) oks_prod: String,
    /// The endpoint of oks-cli's profile `gouv` (cloudgouv-eu-west-1).
    pub(crate) oks_gouv: String,
    /// The `base_url` of kaas's Cloud66 account.
    pub(crate) cloud66: String,
    /// The `base_url` of kaas's Commissaire account.
    pub(crate) commissaire: String,
}

impl Urls {
    /// Addresses nothing listens on (for commands that send no request).
    fn unused() -> Self {
        let url = "http://127.0.0.1:9".to_owned();
        Urls {
            digitalocean: url.clone(),
            oks_prod: url.clone(),
            oks_gouv: url.clone(),
            cloud66: url.clone(),
            commissaire: url,
        }
    }
}

/// The secrets of each source: every one holds `SENTINEL`.
pub(crate) const DOCTL_TEAM_A: &str = "dop_v1_SENTINEL-team-a";
pub(crate) const DOCTL_TEAM_B: &str = "dop_v1_SENTINEL-team-b";
pub(crate) const OKS_PROD_SECRET_KEY: &str = "SENTINEL-oks-prod-sk";
pub(crate) const OKS_GOUV_PASSWORD: &str = "SENTINEL-oks-gouv-password";
pub(crate) const CLOUD66_TOKEN: &str = "SENTINEL-cloud66-from-a-command";
pub(crate) const COMMISSAIRE_PASSWORD: &str = "SENTINEL-commissaire-from-a-file";

/// doctl's `config.yaml`, as doctl writes it: two auth contexts, the current one, `api-url`.
fn doctl_config(urls: &Urls) -> String {
    format!(
        "auth-contexts:\n  team-a: {DOCTL_TEAM_A}\n  team-b: {DOCTL_TEAM_B}\ncontext: team-a\napi-url: {}\n",
        urls.digitalocean
    )
}

/// oks-cli's `config.json`, as oks-cli writes it: two profiles in two regions, one with an
/// access key, one with a login; and one broken profile (no secret key), on line 4.
fn oks_cli_config(urls: &Urls) -> String {
    format!(
        r#"{{
  "prod": {{"type": "ak/sk", "access_key": "AK-PROD", "secret_key": "{OKS_PROD_SECRET_KEY}", "region_name": "eu-west-2", "endpoint": "{}"}},
  "gouv": {{"type": "username/password", "username": "ops", "password": "{OKS_GOUV_PASSWORD}", "region_name": "cloudgouv-eu-west-1", "endpoint": "{}"}},
  "broken": {{"type": "ak/sk", "access_key": "AK", "region_name": "eu-west-2"}}
}}
"#,
        urls.oks_prod, urls.oks_gouv
    )
}

/// kaas's `config.toml`: a Cloud66 account whose token a command prints, a Commissaire
/// account whose password is in a file.
fn kaas_config(urls: &Urls) -> String {
    format!(
        r#"# the team's accounts
[accounts.stacks]
provider = "cloud66"
base_url = "{}"
token = {{ command = ["printf", "%s", "{CLOUD66_TOKEN}"] }}

[accounts.lab]
provider = "commissaire"
base_url = "{}"
username = "admin"
password = {{ file = "lab-password" }}
"#,
        urls.cloud66, urls.commissaire
    )
}

/// The paths of the three files under `home` (HOME; no XDG_CONFIG_HOME): kaas's, doctl's,
/// oks-cli's.
pub(crate) fn config_paths(home: &Path) -> [PathBuf; 3] {
    [
        home.join(".config/kaas/config.toml"),
        home.join(".config/doctl/config.yaml"),
        home.join(".oks_cli/config.json"),
    ]
}

/// Writes doctl's, oks-cli's and kaas's files (and the Commissaire password file) into `home`.
pub(crate) fn write_configs(home: &Path, urls: &Urls) {
    let [kaas_file, doctl, oks_cli] = config_paths(home);
    for (path, text) in [
        (&kaas_file, kaas_config(urls)),
        (&doctl, doctl_config(urls)),
        (&oks_cli, oks_cli_config(urls)),
    ] {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    std::fs::write(
        kaas_file.with_file_name("lab-password"),
        format!("{COMMISSAIRE_PASSWORD}\n"),
    )
    .unwrap();
}

/// A fresh home folder with the three files written.
fn configured_home(test: &str) -> PathBuf {
    let home = crate::common::scratch_folder("cli-accounts", test);
    write_configs(&home, &Urls::unused());
    home
}

/// The environment every run gets: a DigitalOcean token of its own (the environment's
/// account), and the PATH the credential command (`printf`) is found on.
fn env() -> Vec<(&'static str, String)> {
    vec![
        ("DIGITALOCEAN_TOKEN", "dop_v1_SENTINEL-environment".into()),
        ("PATH", std::env::var("PATH").unwrap_or_default()),
    ]
}

/// The `name` of each object of a JSON list.
fn names(json: &Value) -> Vec<&str> {
    json.as_array()
        .unwrap()
        .iter()
        .map(|account| account["name"].as_str().unwrap())
        .collect()
}

/// `kaas accounts -o json`, parsed.
async fn accounts_json(home: &Path, env: &[(&str, String)], extra: &[&str]) -> (Run, Value) {
    let mut args = vec!["accounts", "-o", "json"];
    args.extend_from_slice(extra);
    let run = kaas(home, env, &args).await;
    let json = serde_json::from_str(&run.stdout).unwrap_or(Value::Null);
    (run, json)
}

#[tokio::test]
async fn accounts_lists_every_source_with_where_it_came_from_and_never_a_credential() {
    let home = configured_home("list");
    let [kaas_file, doctl, oks_cli] = config_paths(&home);
    let (run, json) = accounts_json(&home, &env(), &[]).await;
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        names(&json),
        [
            "stacks",
            "lab",
            "env:digitalocean",
            "do:team-a",
            "do:team-b",
            "oks:prod",
            "oks:gouv"
        ],
        "in the merge order: kaas's file, the environment, doctl, oks-cli"
    );
    // The broken profile is a warning naming oks-cli's file and line, not a failure.
    assert_eq!(
        run.stderr.lines().collect::<Vec<_>>(),
        [format!(
            "kaas: warning: oks-cli file {}:4: profile `broken` skipped: `secret_key` is missing",
            oks_cli.display()
        )],
        "{run:?}"
    );
    let by_name = |name: &str| {
        json.as_array()
            .unwrap()
            .iter()
            .find(|account| account["name"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(
        by_name("stacks"),
        serde_json::json!({
            "name": "stacks", "provider": "cloud66", "region": null,
            "base_url": "http://127.0.0.1:9", "source": "kaas",
            "origin": format!("{}:2", kaas_file.display()),
            "credential": "token", "credential_from": ["command printf"], "current": false,
        })
    );
    assert_eq!(
        by_name("lab")["credential_from"],
        serde_json::json!([format!(
            "file {}",
            kaas_file.with_file_name("lab-password").display()
        )])
    );
    assert_eq!(by_name("env:digitalocean")["origin"], "$DIGITALOCEAN_TOKEN");
    assert_eq!(by_name("env:digitalocean")["source"], "environment");
    let team_a = by_name("do:team-a");
    assert_eq!(
        (&team_a["source"], &team_a["origin"], &team_a["current"]),
        (
            &Value::from("doctl"),
            &Value::from(format!("{}:2", doctl.display())),
            &Value::from(true)
        )
    );
    assert_eq!(by_name("do:team-b")["current"], false);
    let gouv = by_name("oks:gouv");
    assert_eq!(gouv["region"], "cloudgouv-eu-west-1");
    assert_eq!(gouv["credential"], "login");
    assert_eq!(gouv["origin"], format!("{}:3", oks_cli.display()));
    assert_eq!(by_name("oks:prod")["credential"], "access key");

    // The table and YAML say the same, and hold no secret either (the helper checks).
    let table = kaas(&home, &env(), &["accounts"]).await;
    assert_eq!(table.code, 0, "{table:?}");
    let lines: Vec<&str> = table.stdout.lines().collect();
    assert_eq!(lines.len(), 8, "{table:?}");
    assert!(
        lines[0].starts_with("NAME ") && lines[0].trim_end().ends_with("CURRENT"),
        "{table:?}"
    );
    let team_a_line = lines.iter().find(|l| l.starts_with("do:team-a ")).unwrap();
    assert!(
        team_a_line.contains("doctl") && team_a_line.trim_end().ends_with('*'),
        "{team_a_line}"
    );
    let yaml = kaas(&home, &env(), &["accounts", "--output", "yaml"]).await;
    assert_eq!(yaml.code, 0, "{yaml:?}");
    let parsed: Value = serde_yaml_ng::from_str(&yaml.stdout).unwrap();
    assert_eq!(parsed, json);
}

#[tokio::test]
async fn account_and_kaas_account_narrow_the_accounts_and_an_unknown_one_lists_the_known() {
    let home = configured_home("select");
    let (run, json) = accounts_json(&home, &env(), &["--account", "lab,oks:gouv"]).await;
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(names(&json), ["lab", "oks:gouv"]);

    let mut with_variable = env();
    with_variable.push(("KAAS_ACCOUNT", "do:team-b".into()));
    let (run, json) = accounts_json(&home, &with_variable, &[]).await;
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(names(&json), ["do:team-b"]);

    // An unknown name, in any command, is a usage error listing the known accounts.
    for args in [
        &["accounts", "--account", "team-x"][..],
        &["--account", "team-x", "clusters"][..],
    ] {
        let run = kaas(&home, &env(), args).await;
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
        assert!(
            run.stderr.contains(
                "kaas: unknown account team-x: the accounts are stacks, lab, env:digitalocean, do:team-a, do:team-b, oks:prod, oks:gouv\n"
            ),
            "{args:?}: {run:?}"
        );
        assert_eq!(run.stdout, "", "{args:?}");
    }
}

#[tokio::test]
async fn the_foreign_files_are_skipped_by_the_variable_or_by_kaas_file() {
    let home = configured_home("no-foreign");
    let mut off = env();
    off.push(("KAAS_NO_FOREIGN_CONFIG", "1".into()));
    let (run, json) = accounts_json(&home, &off, &[]).await;
    assert_eq!((run.code, run.stderr.as_str()), (0, ""), "{run:?}");
    assert_eq!(names(&json), ["stacks", "lab", "env:digitalocean"]);

    let [kaas_file, ..] = config_paths(&home);
    let text = std::fs::read_to_string(&kaas_file).unwrap();
    std::fs::write(&kaas_file, format!("foreign_config = false\n{text}")).unwrap();
    let (run, json) = accounts_json(&home, &env(), &[]).await;
    assert_eq!((run.code, run.stderr.as_str()), (0, ""), "{run:?}");
    assert_eq!(names(&json), ["stacks", "lab", "env:digitalocean"]);
}

#[tokio::test]
async fn a_broken_kaas_file_is_exit_2_naming_its_line_and_no_value() {
    let home = configured_home("broken");
    let [kaas_file, ..] = config_paths(&home);
    // A secret written where a table belongs: the error quotes no value.
    std::fs::write(
        &kaas_file,
        "[accounts.x]\nprovider = \"cloud66\"\ntoken = 42\nsecret = \"SENTINEL-misplaced\"\n",
    )
    .unwrap();
    let run = kaas(&home, &env(), &["accounts"]).await;
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr
            .starts_with(&format!("kaas: {}:", kaas_file.display())),
        "{run:?}"
    );
    assert_eq!(run.stdout, "");
}
