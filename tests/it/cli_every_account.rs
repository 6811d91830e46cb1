//! The command across six accounts from three sources, as a team has them: doctl's two
//! contexts, oks-cli's two profiles in two regions, and kaas's own file with a Cloud66 and a
//! Commissaire account, each reaching a loopback stand-in that answers only its own
//! credential. `kaas clusters` lists every cluster with its account, `kaas kubeconfig save
//! <account>/<cluster> --exec` writes a context kubectl accepts, `kaas credential` caches per
//! account, and no credential (each holds `SENTINEL`) is ever printed.
#![cfg(all(
    feature = "digitalocean",
    feature = "oks",
    feature = "cloud66",
    feature = "commissaire"
))]

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use httpmock::MockServer;
use serde_json::Value;

use crate::cli::{cache_file_name, kaas, rfc3339, yaml};
use crate::cli_accounts::{self as accounts, Urls};
use crate::common;

/// The id both doctl teams' clusters have (two accounts, one id: the cache must keep them
/// apart).
const DO_ID: &str = "bd5f5959-5e1e-4205-a714-a914373942af";

/// The stand-ins: one DigitalOcean API for doctl's `api-url`, one OKS API per oks-cli
/// profile, Cloud66 and Commissaire.
struct Servers {
    digitalocean: MockServer,
    oks_prod: MockServer,
    oks_gouv: MockServer,
    cloud66: MockServer,
    commissaire: MockServer,
}

impl Servers {
    /// Every server listing the clusters of its account(s), to that account's credential only.
    async fn start() -> Self {
        let servers = Servers {
            digitalocean: MockServer::start_async().await,
            oks_prod: MockServer::start_async().await,
            oks_gouv: MockServer::start_async().await,
            cloud66: MockServer::start_async().await,
            commissaire: MockServer::start_async().await,
        };
        digitalocean_team(
            &servers.digitalocean,
            accounts::DOCTL_TEAM_A,
            "prod-cluster-01",
        );
        digitalocean_team(
            &servers.digitalocean,
            accounts::DOCTL_TEAM_B,
            "staging-cluster",
        );
        oks_clusters(
            &servers.oks_prod,
            ("accesskey", "AK-PROD".to_owned()),
            ("oks-prod-1", "analytics"),
        );
        let login = base64::engine::general_purpose::STANDARD
            .encode(format!("ops:{}", accounts::OKS_GOUV_PASSWORD));
        oks_clusters(
            &servers.oks_gouv,
            ("authorization", format!("Basic {login}")),
            ("oks-gouv-1", "ledger"),
        );
        cloud66_clusters(&servers.cloud66);
        commissaire_clusters(&servers.commissaire);
        servers
    }

    /// Where the configuration files point each account.
    fn urls(&self) -> Urls {
        Urls {
            digitalocean: self.digitalocean.base_url(),
            oks_prod: self.oks_prod.base_url(),
            oks_gouv: self.oks_gouv.base_url(),
            cloud66: self.cloud66.base_url(),
            commissaire: self.commissaire.base_url(),
        }
    }
}

/// The `Authorization` a DigitalOcean team's token is sent as.
fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// The token a team's cluster credential is (printed by `kaas credential`, by design).
fn cluster_token(team_token: &str) -> String {
    format!("cluster-token-of-{}", &team_token[team_token.len() - 6..])
}

/// The DigitalOcean team whose API token is `token`: one cluster, `name`, of id [`DO_ID`];
/// its kubeconfig (with a CA kubectl can decode) and an hour-long credential.
fn digitalocean_team(server: &MockServer, token: &'static str, name: &str) {
    use kaas::digitalocean::mock::MockServerExt as _;
    let mut list = common::fixture("digitalocean", "list_clusters.response.json");
    list["kubernetes_clusters"][0]["name"] = name.into();
    let typed: kaas::digitalocean::types::ClusterList = serde_json::from_value(list).unwrap();
    server.list_clusters(|when, then| {
        when.into_inner().header("authorization", bearer(token));
        then.ok(&typed);
    });
    let id = DO_ID.parse().unwrap();
    let kubeconfig = common::fixture_text("digitalocean", "get_kubeconfig.response.yaml");
    let ca_line = kubeconfig
        .lines()
        .find(|line| line.contains("certificate-authority-data"))
        .unwrap();
    let kubeconfig = kubeconfig.replace(
        ca_line,
        "    certificate-authority-data: dGVzdCBDQQ==", // "test CA"
    );
    server.get_kubeconfig(|when, then| {
        when.cluster_id(&id)
            .into_inner()
            .header("authorization", bearer(token));
        then.into_inner()
            .status(200)
            .header("content-type", "application/yaml")
            .body(kubeconfig);
    });
    let mut credentials = common::fixture("digitalocean", "get_credentials.response.json");
    credentials["token"] = cluster_token(token).into();
    credentials["expires_at"] = rfc3339(SystemTime::now() + Duration::from_secs(3600)).into();
    let credentials: kaas::digitalocean::types::Credentials =
        serde_json::from_value(credentials).unwrap();
    server.get_credentials(|when, then| {
        when.cluster_id(&id)
            .into_inner()
            .header("authorization", bearer(token));
        then.ok(&credentials);
    });
}

/// An OKS API answering one cluster `(id, name)` to the request carrying `header`.
fn oks_clusters(server: &MockServer, header: (&str, String), (id, name): (&str, &str)) {
    use kaas::oks::mock::MockServerExt as _;
    let mut list: kaas::oks::types::ClusterResponseList =
        common::fixture_as("oks", "list_clusters.response.json");
    list.clusters.truncate(1);
    for cluster in &mut list.clusters {
        cluster.id = id.into();
        cluster.name = name.into();
    }
    server.list_clusters(|when, then| {
        when.into_inner().header(header.0, header.1);
        then.ok(&list);
    });
}

/// Cloud66 lists the two clusters of its fixture to the token kaas's command prints.
fn cloud66_clusters(server: &MockServer) {
    use kaas::cloud66::mock::MockServerExt as _;
    let list = common::fixture("cloud66", "list_clusters.response.json");
    server.list_clusters(|when, then| {
        when.into_inner()
            .header("authorization", bearer(accounts::CLOUD66_TOKEN));
        common::answer_json(then.into_inner(), 200, list);
    });
}

/// Commissaire lists one cluster, `mycluster`.
fn commissaire_clusters(server: &MockServer) {
    use kaas::commissaire::mock::MockServerExt as _;
    let cluster: kaas::commissaire::types::Cluster =
        common::fixture_as("commissaire", "get_cluster.response.json");
    let name: kaas::commissaire::types::ClusterName = cluster.name.parse().unwrap();
    server.list_clusters(|_, then| {
        then.ok(&kaas::commissaire::types::Names(vec![cluster.name.clone()]));
    });
    server.get_cluster(|when, then| {
        when.name(&name);
        then.ok(&cluster);
    });
}

/// A home folder with the three tools' files pointing at `servers`.
fn home(test: &str, servers: &Servers) -> PathBuf {
    let home = common::scratch_folder("cli-every-account", test);
    accounts::write_configs(&home, &servers.urls());
    home
}

/// PATH: kaas's own folder (kubectl's `kaas credential`), then the system's (`printf`, the
/// Cloud66 account's credential command). No provider variable: every account is in a file.
fn env() -> Vec<(&'static str, String)> {
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_kaas")).parent().unwrap();
    let mut path = vec![bin_dir.to_owned()];
    path.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    vec![(
        "PATH",
        std::env::join_paths(path)
            .unwrap()
            .to_string_lossy()
            .into_owned(),
    )]
}

/// `(account, name)` of each cluster of a `kaas clusters -o json` list, in its order.
fn listed(json: &Value) -> Vec<(String, String)> {
    json.as_array()
        .unwrap()
        .iter()
        .map(|cluster| {
            (
                cluster["account"].as_str().unwrap().to_owned(),
                cluster["name"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn clusters_lists_every_cluster_of_all_six_accounts_with_its_account() {
    let servers = Servers::start().await;
    let home = home("clusters", &servers);
    let run = kaas(&home, &env(), &["clusters", "-o", "json"]).await;
    assert_eq!(run.code, 0, "{run:?}");
    // The broken oks-cli profile is the one warning.
    assert_eq!(run.stderr.lines().count(), 1, "{run:?}");
    assert!(run.stderr.contains("profile `broken` skipped"), "{run:?}");
    let json: Value = serde_json::from_str(&run.stdout).unwrap();
    let pair = |account: &str, name: &str| (account.to_owned(), name.to_owned());
    assert_eq!(
        listed(&json),
        [
            pair("do:team-a", "prod-cluster-01"),
            pair("do:team-b", "staging-cluster"),
            pair("lab", "mycluster"),
            pair("oks:gouv", "ledger"),
            pair("oks:prod", "analytics"),
            pair("stacks", "Production Cluster"),
            pair("stacks", "Staging Cluster"),
        ],
        "sorted by account then name"
    );
    assert_eq!(json[0]["provider"], "digitalocean");
    assert_eq!(json[0]["id"], DO_ID);

    // The table has an ACCOUNT column; --account narrows the listing.
    let table = kaas(&home, &env(), &["clusters"]).await;
    assert_eq!(table.code, 0, "{table:?}");
    assert!(table.stdout.starts_with("ACCOUNT "), "{table:?}");
    let run = kaas(
        &home,
        &env(),
        &["clusters", "-o", "json", "--account", "oks:gouv,lab"],
    )
    .await;
    assert_eq!(run.code, 0, "{run:?}");
    let json: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        listed(&json),
        [pair("lab", "mycluster"), pair("oks:gouv", "ledger")]
    );
}

#[tokio::test]
async fn a_failing_credential_command_is_its_accounts_one_line_and_the_others_list() {
    let servers = Servers::start().await;
    let home = home("failing-account", &servers);
    let [kaas_file, ..] = accounts::config_paths(&home);
    let text = std::fs::read_to_string(&kaas_file).unwrap();
    let printf_line = text.lines().find(|l| l.contains("printf")).unwrap();
    // The command fails after writing a secret to its stderr: never echoed.
    std::fs::write(
        &kaas_file,
        text.replace(
            printf_line,
            r#"token = { command = ["sh", "-c", "echo SENTINEL-on-stderr >&2; exit 7"] }"#,
        ),
    )
    .unwrap();
    let run = kaas(&home, &env(), &["clusters", "-o", "json"]).await;
    assert_eq!(run.code, 3, "{run:?}");
    let failures: Vec<&str> = run
        .stderr
        .lines()
        .filter(|line| !line.contains("warning:"))
        .collect();
    assert_eq!(failures.len(), 1, "{run:?}");
    assert!(
        failures[0] == "kaas: account `stacks`: the credential command `sh` failed (exit status 7)",
        "{run:?}"
    );
    let json: Value = serde_json::from_str(&run.stdout).unwrap();
    let listed = listed(&json);
    assert_eq!(listed.len(), 5, "{listed:?}");
    assert!(listed.iter().all(|(account, _)| account != "stacks"));
}

#[tokio::test]
async fn kubeconfig_save_exec_writes_a_context_kubectl_accepts_running_kaas_credential() {
    let servers = Servers::start().await;
    let home = home("kubeconfig-exec", &servers);
    let file = home.join("kube/config");
    let run = kaas(
        &home,
        &env(),
        &["kubeconfig", "save", "do:team-a/prod-cluster-01", "--exec"],
    )
    .await;
    assert_eq!(run.code, 0, "{run:?}");
    let context = run
        .stdout
        .lines()
        .find_map(|line| line.strip_prefix("saved context "))
        .and_then(|rest| rest.split(" in ").next())
        .unwrap()
        .to_owned();
    assert_eq!(context, "do-nyc1-prod-cluster-01@do-team-a", "{run:?}");
    assert!(
        run.stdout.contains(&format!(
            "its user runs `kaas credential do:team-a/{DO_ID}` for credentials"
        )),
        "{run:?}"
    );
    let written = yaml(&file);
    let exec = &written["users"][0]["user"]["exec"];
    assert_eq!(exec["command"], "kaas");
    let args: Vec<&str> = exec["args"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!(args, ["credential", &format!("do:team-a/{DO_ID}")]);

    if let Some(output) = common::kubectl(
        &file,
        &[
            "config",
            "view",
            "--kubeconfig",
            file.to_str().unwrap(),
            "--minify",
            "--context",
            &context,
            "-o",
            "json",
        ],
    ) {
        assert!(
            output.status.success(),
            "kubectl: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let view: Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(view["contexts"][0]["name"], context.as_str());
        assert_eq!(view["users"][0]["user"]["exec"]["command"], "kaas");
    }

    // What kubectl runs prints team-a's credential; team-b's cluster of the same id gets its
    // own, cached apart.
    for (team, token) in [
        ("do:team-a", accounts::DOCTL_TEAM_A),
        ("do:team-b", accounts::DOCTL_TEAM_B),
    ] {
        let target = format!("{team}/{DO_ID}");
        for _ in 0..2 {
            let run = kaas(&home, &env(), &["credential", &target]).await;
            // Without the broken oks-cli profile's warning: kubectl would show it each time.
            assert_eq!((run.code, run.stderr.as_str()), (0, ""), "{run:?}");
            let credential: Value = serde_json::from_str(&run.stdout).unwrap();
            assert_eq!(credential["status"]["token"], cluster_token(token));
        }
        let cached = home
            .join("cache/kaas/credentials")
            .join(cache_file_name(DO_ID, team));
        assert!(cached.is_file(), "{}", cached.display());
    }

    // With two DigitalOcean accounts, `do/<cluster>` is ambiguous: the error lists them.
    let run = kaas(&home, &env(), &["credential", &format!("do/{DO_ID}")]).await;
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("do:team-a") && run.stderr.contains("do:team-b"),
        "{run:?}"
    );
}

#[tokio::test]
async fn no_secret_of_any_source_is_in_help_or_accounts_in_any_format() {
    let servers = Servers::start().await;
    let home = home("sentinels", &servers);
    let mut env = env();
    env.push(("KAAS_ACCOUNT", "SENTINEL-as-an-account-name".into()));
    // `kaas` (the helper) fails the test if any output holds `SENTINEL`.
    for args in [&["--help"][..], &["-h"], &["clusters", "--help"]] {
        let run = kaas(&home, &env, args).await;
        assert_eq!(run.code, 0, "{run:?}");
    }
    let env = self::env();
    for format in ["table", "json", "yaml"] {
        let run = kaas(&home, &env, &["accounts", "-o", format]).await;
        assert_eq!(run.code, 0, "{run:?}");
        assert_eq!(run.stdout.matches("do:team-").count(), 2, "{run:?}");
    }
}
