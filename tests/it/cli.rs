//! The `kaas` command, run as a process with a cleared environment against mock servers of
//! the four providers: what it prints on stdout and stderr, its exit codes, the kubeconfig
//! file it writes and the credential cache it keeps. No provider secret ever appears in its
//! output.
#![cfg(all(
    feature = "digitalocean",
    feature = "oks",
    feature = "cloud66",
    feature = "commissaire"
))]

use crate::common;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use httpmock::{HttpMockRequest, MockServer};
use serde_json::Value;

/// The DigitalOcean cluster of the fixtures.
const DO_ID: &str = "bd5f5959-5e1e-4205-a714-a914373942af";

/// The providers' API credentials: none may appear in anything kaas prints.
const DO_TOKEN: &str = "dop_v1_SENTINEL-api-token";
const OKS_SECRET_KEY: &str = "SK-SENTINEL";
const CLOUD66_TOKEN: &str = "c66-SENTINEL";
const COMMISSAIRE_PASSWORD: &str = "SENTINEL-password";

/// The token DigitalOcean's credentials endpoint hands out for the cluster (printed by
/// `kaas credential`, by design).
const CLUSTER_TOKEN: &str = "cluster-token-for-kubectl";

/// A fresh folder of this test's own: HOME, the cache (`cache/`) and the kubeconfig
/// (`kube/config`).
fn folder(test: &str) -> PathBuf {
    crate::common::scratch_folder("cli", test)
}

/// The arguments of `kaas wait <cluster> --until <until>`, then `extra`.
fn wait_args<'a>(cluster: &'a str, until: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["wait", cluster, "--until", until];
    args.extend_from_slice(extra);
    args
}

/// What one run of `kaas` printed, and its exit code.
#[derive(Debug)]
pub(crate) struct Run {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

/// The four providers' mock servers, and the environment that points kaas at them.
struct Providers {
    digitalocean: MockServer,
    oks: MockServer,
    cloud66: MockServer,
    commissaire: MockServer,
}

impl Providers {
    /// Four servers, with no mock yet.
    async fn start() -> Self {
        Providers {
            digitalocean: MockServer::start_async().await,
            oks: MockServer::start_async().await,
            cloud66: MockServer::start_async().await,
            commissaire: MockServer::start_async().await,
        }
    }

    /// Four servers listing their clusters (DigitalOcean's in `state`), Cloud66's refusing
    /// the token.
    async fn listing(state: &str) -> Self {
        let providers = Self::start().await;
        digitalocean_clusters(&providers.digitalocean, &[state]);
        oks_clusters(&providers.oks);
        cloud66_refusing(&providers.cloud66);
        commissaire_clusters(&providers.commissaire);
        providers
    }

    /// Every provider's variables, as a user sets them.
    fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("DIGITALOCEAN_TOKEN", DO_TOKEN.into()),
            ("DIGITALOCEAN_API_URL", self.digitalocean.base_url()),
            ("OKS_ACCESS_KEY", "AK".into()),
            ("OKS_SECRET_KEY", OKS_SECRET_KEY.into()),
            ("OKS_API_URL", self.oks.base_url()),
            ("CLOUD66_TOKEN", CLOUD66_TOKEN.into()),
            ("CLOUD66_API_URL", self.cloud66.base_url()),
            ("COMMISSAIRE_URL", self.commissaire.base_url()),
            ("COMMISSAIRE_USER", "admin".into()),
            ("COMMISSAIRE_PASSWORD", COMMISSAIRE_PASSWORD.into()),
        ]
    }

    /// DigitalOcean's variables only.
    fn digitalocean_env(&self) -> Vec<(&'static str, String)> {
        self.env()
            .into_iter()
            .filter(|(name, _)| name.starts_with("DIGITALOCEAN_"))
            .collect()
    }
}

/// Runs `kaas args..` with only `env`, HOME, XDG_CACHE_HOME and KUBECONFIG (under `home`) set,
/// and checks that no provider secret (nor any text holding `SENTINEL`) is in its output.
pub(crate) async fn kaas(home: &Path, env: &[(&str, String)], args: &[&str]) -> Run {
    kaas_in(home, None, env, args).await
}

/// [`kaas`], run in the folder `working` when given.
async fn kaas_in(
    home: &Path,
    working: Option<&Path>,
    env: &[(&str, String)],
    args: &[&str],
) -> Run {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_kaas"));
    if let Some(folder) = working {
        command.current_dir(folder);
    }
    let output = command
        .args(args)
        .env_clear()
        .env("HOME", home)
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("KUBECONFIG", home.join("kube/config"))
        .envs(env.iter().map(|(name, value)| (name, value)))
        .output()
        .await
        .unwrap();
    let run = Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    };
    for secret in [
        DO_TOKEN,
        OKS_SECRET_KEY,
        CLOUD66_TOKEN,
        COMMISSAIRE_PASSWORD,
        "SENTINEL",
    ] {
        assert!(
            !run.stdout.contains(secret) && !run.stderr.contains(secret),
            "{args:?} printed a secret: {run:?}"
        );
    }
    run
}

/// DigitalOcean lists its one cluster in `states[n]` at the n-th listing (the last state from
/// then on); returns the count of listings.
fn digitalocean_clusters(server: &MockServer, states: &[&str]) -> Arc<AtomicUsize> {
    use kaas::digitalocean::mock::MockServerExt as _;
    let lists: Vec<Value> = states
        .iter()
        .map(|state| {
            let mut list = common::fixture("digitalocean", "list_clusters.response.json");
            list["kubernetes_clusters"][0]["status"]["state"] = (*state).into();
            // Decodes as the typed list, so the mock answers what the spec says.
            let typed: kaas::digitalocean::types::ClusterList =
                serde_json::from_value(list.clone()).unwrap();
            serde_json::to_value(typed).unwrap()
        })
        .collect();
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    server.list_clusters(|_, then| {
        then.respond_with(move |_: &HttpMockRequest| {
            let n = counter.fetch_add(1, Ordering::SeqCst).min(lists.len() - 1);
            common::json_response(200, &lists[n])
        });
    });
    calls
}

/// OKS lists one ready cluster, `analytics`.
fn oks_clusters(server: &MockServer) {
    use kaas::oks::mock::MockServerExt as _;
    let mut list: kaas::oks::types::ClusterResponseList =
        common::fixture_as("oks", "list_clusters.response.json");
    for cluster in &mut list.clusters {
        cluster.id = "oks-cluster-1".into();
        cluster.name = "analytics".into();
        cluster.version = "1.32".into();
        cluster.cp_subregions = vec!["eu-west-2a".into(), "eu-west-2b".into()];
        cluster.statuses.status = Some(kaas::oks::types::ResourceStatus::Ready);
    }
    server.list_clusters(|_, then| {
        then.ok(&list);
    });
}

/// Cloud66 refuses the token.
fn cloud66_refusing(server: &MockServer) {
    use kaas::cloud66::mock::MockServerExt as _;
    let refused: kaas::cloud66::types::Error =
        common::fixture_as("cloud66", "common.error.401.live.json");
    server.list_clusters(|_, then| {
        then.unauthorized(&refused);
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

/// DigitalOcean's credentials endpoint hands out [`CLUSTER_TOKEN`], expiring at `expires_at`.
fn digitalocean_credentials(server: &MockServer, expires_at: SystemTime) -> httpmock::Mock<'_> {
    use kaas::digitalocean::mock::MockServerExt as _;
    let mut credentials = common::fixture("digitalocean", "get_credentials.response.json");
    credentials["token"] = CLUSTER_TOKEN.into();
    credentials["expires_at"] = rfc3339(expires_at).into();
    let credentials: kaas::digitalocean::types::Credentials =
        serde_json::from_value(credentials).unwrap();
    let id = DO_ID.parse().unwrap();
    server.get_credentials(|when, then| {
        when.cluster_id(&id);
        then.ok(&credentials);
    })
}

/// DigitalOcean's kubeconfig endpoint hands out the documented kubeconfig.
fn digitalocean_kubeconfig(server: &MockServer) -> httpmock::Mock<'_> {
    use kaas::digitalocean::mock::MockServerExt as _;
    let yaml = common::fixture_text("digitalocean", "get_kubeconfig.response.yaml");
    let id = DO_ID.parse().unwrap();
    server.get_kubeconfig(|when, then| {
        when.cluster_id(&id);
        then.into_inner()
            .status(200)
            .header("content-type", "application/yaml")
            .body(yaml);
    })
}

/// A moment as kaas and the providers write it.
pub(crate) fn rfc3339(at: SystemTime) -> String {
    chrono::DateTime::<chrono::Utc>::from(at).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A file's permission bits.
#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// A YAML file, parsed.
pub(crate) fn yaml(path: &Path) -> serde_yaml_ng::Value {
    serde_yaml_ng::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

// --- kaas clusters -------------------------------------------------------------------------

#[tokio::test]
async fn clusters_lists_every_provider_in_a_table_and_a_failing_one_on_stderr_with_exit_3() {
    let home = folder("clusters-table");
    let providers = Providers::listing("running").await;
    let run = kaas(&home, &providers.env(), &["clusters"]).await;
    assert_eq!(run.code, 3, "{run:?}");
    assert_eq!(
        run.stdout,
        "\
ACCOUNT            PROVIDER       NAME              ID                                     LOCATION                VERSION       STATE     NODES   ENDPOINT                                                              CREATED
env:commissaire    commissaire    mycluster         mycluster                              -                       -             running   3       -                                                                     -
env:digitalocean   digitalocean   prod-cluster-01   bd5f5959-5e1e-4205-a714-a914373942af   nyc1                    1.18.6-do.0   running   5       https://bd5f5959-5e1e-4205-a714-a914373942af.k8s.ondigitalocean.com   2018-11-15T16:00:11Z
env:oks            oks            analytics         oks-cluster-1                          eu-west-2a,eu-west-2b   1.32          running   -       -                                                                     2019-08-24T14:15:22Z
"
    );
    assert_eq!(
        run.stderr,
        "kaas: env:cloud66: cloud66 answered 401 (invalid_token): The access token is invalid\n",
        "the account, then the provider once"
    );
}

#[tokio::test]
async fn clusters_as_json_and_yaml_are_lists_of_the_same_fields() {
    let home = folder("clusters-json");
    let providers = Providers::listing("provisioning").await;
    let run = kaas(&home, &providers.env(), &["clusters", "--output", "json"]).await;
    assert_eq!(run.code, 3, "{run:?}");
    let listed: Value = serde_json::from_str(&run.stdout).unwrap();
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 3, "{listed:?}");
    assert_eq!(
        listed[1],
        serde_json::json!({
            "account": "env:digitalocean",
            "provider": "digitalocean",
            "name": "prod-cluster-01",
            "id": DO_ID,
            "location": "nyc1",
            "kubernetes_version": "1.18.6-do.0",
            "state": "provisioning",
            "raw_state": "provisioning",
            "node_count": 5,
            "api_endpoint": "https://bd5f5959-5e1e-4205-a714-a914373942af.k8s.ondigitalocean.com",
            "created_at": "2018-11-15T16:00:11Z",
        })
    );
    assert_eq!(listed[2]["raw_state"], "ready");
    assert_eq!(listed[2]["state"], "running");
    assert!(
        run.stderr
            .starts_with("kaas: env:cloud66: cloud66 answered 401 "),
        "{run:?}"
    );

    let run = kaas(&home, &providers.env(), &["clusters", "-o", "yaml"]).await;
    assert_eq!(run.code, 3, "{run:?}");
    let from_yaml: Value = serde_yaml_ng::from_str(&run.stdout).unwrap();
    assert_eq!(from_yaml.as_array().unwrap(), listed);
    assert!(
        run.stdout
            .starts_with("- account: env:commissaire\n  provider: commissaire\n"),
        "{}",
        run.stdout
    );
}

#[tokio::test]
async fn clusters_exits_0_when_every_provider_answers() {
    let home = folder("clusters-ok");
    let providers = Providers::listing("running").await;
    let env: Vec<_> = providers
        .env()
        .into_iter()
        .filter(|(name, _)| !name.starts_with("CLOUD66"))
        .collect();
    let run = kaas(&home, &env, &["clusters"]).await;
    assert_eq!((run.code, run.stderr.as_str()), (0, ""), "{run:?}");
    assert_eq!(run.stdout.lines().count(), 4, "{}", run.stdout);
}

#[tokio::test]
async fn no_provider_configured_is_exit_2_naming_the_variables() {
    let home = folder("no-provider");
    let run = kaas(&home, &[], &["clusters"]).await;
    assert_eq!((run.code, run.stdout.as_str()), (2, ""), "{run:?}");
    assert_eq!(run.stderr.lines().count(), 1, "{run:?}");
    for variable in [
        "DIGITALOCEAN_TOKEN",
        "OKS_ACCESS_KEY",
        "OKS_SECRET_KEY",
        "CLOUD66_TOKEN",
        "COMMISSAIRE_URL",
    ] {
        assert!(run.stderr.contains(variable), "{run:?}");
    }
    // Half-set variables are a configuration error too, naming what is missing.
    let run = kaas(&home, &[("OKS_ACCESS_KEY", "AK".into())], &["clusters"]).await;
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("OKS_SECRET_KEY"), "{run:?}");
}

#[tokio::test]
async fn usage_errors_exit_2_and_help_lists_the_exit_codes() {
    let home = folder("usage");
    let run = kaas(&home, &[], &["credential", "prod"]).await;
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("names no provider"), "{run:?}");
    let run = kaas(
        &home,
        &[],
        &["wait", "do/prod", "--until", "running", "--timeout", "soon"],
    )
    .await;
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("not a duration"), "{run:?}");
    let run = kaas(&home, &[], &["--help"]).await;
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains("6  wait: the cluster reached `failed`"),
        "{}",
        run.stdout
    );
}

// --- kaas kubeconfig -----------------------------------------------------------------------

#[tokio::test]
async fn kubeconfig_save_writes_the_context_with_mode_0600_and_remove_takes_it_out() {
    let home = folder("kubeconfig-save");
    let providers = Providers::start().await;
    digitalocean_clusters(&providers.digitalocean, &["running"]);
    let fetched = digitalocean_kubeconfig(&providers.digitalocean);
    let env = providers.digitalocean_env();
    let file = home.join("kube/config");

    let run = kaas(&home, &env, &["kubeconfig", "save", "do/prod-cluster-01"]).await;
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stdout,
        format!(
            "saved context do-nyc1-prod-cluster-01 in {}\n\
             current context is now do-nyc1-prod-cluster-01 (the file had none)\n",
            file.display()
        )
    );
    assert_eq!(run.stderr, "");
    assert_eq!(fetched.calls(), 1);
    let written = yaml(&file);
    assert_eq!(written["contexts"][0]["name"], "do-nyc1-prod-cluster-01");
    assert_eq!(
        written["users"][0]["user"]["token"].as_str().map(str::len),
        Some(64)
    );
    assert_eq!(written["current-context"], "do-nyc1-prod-cluster-01");
    #[cfg(unix)]
    assert_eq!(mode(&file), 0o600);
    assert!(!lock_of(&file).exists(), "a save leaves no lock");

    // Again, by id, into another file, made current: the entries are replaced, not added.
    let other = home.join("other/config");
    let other_text = other.display().to_string();
    let args = [
        "kubeconfig",
        "save",
        &format!("digitalocean/{DO_ID}"),
        "--set-current",
        "--file",
        &other_text,
    ];
    let first = kaas(&home, &env, &args).await;
    assert_eq!(first.code, 0, "{first:?}");
    let again = kaas(&home, &env, &args).await;
    assert_eq!(again.code, 0, "{again:?}");
    assert_eq!(
        again.stdout,
        format!(
            "saved context do-nyc1-prod-cluster-01 in {other_text}\n\
             replaced clusters/do-nyc1-prod-cluster-01, contexts/do-nyc1-prod-cluster-01, users/do-nyc1-prod-cluster-01-admin\n\
             current context is now do-nyc1-prod-cluster-01\n"
        )
    );
    let written = yaml(&other);
    assert_eq!(written["current-context"], "do-nyc1-prod-cluster-01");
    assert_eq!(written["contexts"].as_sequence().unwrap().len(), 1);

    let run = kaas(&home, &env, &["kubeconfig", "remove", "do/prod-cluster-01"]).await;
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stdout,
        format!(
            "removed context do-nyc1-prod-cluster-01 from {}\n{NONE_CURRENT}",
            file.display()
        )
    );
    let left = yaml(&file);
    assert!(
        left["contexts"].as_sequence().is_none_or(|c| c.is_empty()),
        "{left:?}"
    );
    kubectl_can_change(&file);
    let run = kaas(&home, &env, &["kubeconfig", "remove", "do/prod-cluster-01"]).await;
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("nothing removed"), "{run:?}");
}

/// Without `--file`, the file is kubectl's: `$KUBECONFIG`'s first path that is not empty, else
/// `~/.kube/config` (an empty `KUBECONFIG` names no file).
#[tokio::test]
async fn kubeconfig_save_without_a_file_goes_where_kubectl_looks() {
    let home = folder("kubeconfig-default-file");
    let providers = Providers::start().await;
    digitalocean_clusters(&providers.digitalocean, &["running"]);
    digitalocean_kubeconfig(&providers.digitalocean);
    let first = home.join("first/config");
    let listed = format!(
        ":{}:{}",
        first.display(),
        home.join("second/config").display()
    );
    for (kubeconfig, expected) in [(String::new(), home.join(".kube/config")), (listed, first)] {
        let mut env = providers.digitalocean_env();
        env.push(("KUBECONFIG", kubeconfig.clone()));
        let run = kaas(&home, &env, &["kubeconfig", "save", "do/prod-cluster-01"]).await;
        assert_eq!(run.code, 0, "KUBECONFIG={kubeconfig:?}: {run:?}");
        assert!(
            run.stdout.starts_with(&format!(
                "saved context do-nyc1-prod-cluster-01 in {}\n",
                expected.display()
            )),
            "KUBECONFIG={kubeconfig:?}: {run:?}"
        );
        assert_eq!(
            yaml(&expected)["current-context"],
            "do-nyc1-prod-cluster-01"
        );
    }
    assert!(!home.join("second/config").exists());
}

/// `--file config`, a bare file name, is the file `config` in the working folder.
#[tokio::test]
async fn kubeconfig_save_to_a_bare_file_name_writes_in_the_working_folder() {
    let home = folder("kubeconfig-bare-name");
    let working = home.join("work");
    std::fs::create_dir_all(&working).unwrap();
    let providers = Providers::start().await;
    digitalocean_clusters(&providers.digitalocean, &["running"]);
    digitalocean_kubeconfig(&providers.digitalocean);
    let env = providers.digitalocean_env();
    let args = [
        "kubeconfig",
        "save",
        "do/prod-cluster-01",
        "--file",
        "config",
    ];
    let run = kaas_in(&home, Some(&working), &env, &args).await;
    assert_eq!(run.code, 0, "{run:?}");
    let file = working.join("config");
    assert_eq!(yaml(&file)["current-context"], "do-nyc1-prod-cluster-01");
    assert!(!lock_of(&file).exists(), "a save leaves no lock");
}

/// What `kaas kubeconfig remove` adds when it removed the current context.
const NONE_CURRENT: &str = "it was the current context: the file has none now; choose one with `kubectl config use-context <name>`\n";

/// kubectl's lock on `file`, which kaas takes too and must never leave behind.
fn lock_of(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_os_string();
    name.push(".lock");
    PathBuf::from(name)
}

/// After a kaas command: no lock is left, and kubectl (when on PATH) can add a context to
/// the file. (Not while the documented kubeconfig is in it: kubectl refuses the example's
/// `certificate-authority-data`, which is not valid base64.)
fn kubectl_can_change(file: &Path) {
    assert!(
        !lock_of(file).exists(),
        "kaas left {}",
        lock_of(file).display()
    );
    let args = ["config", "set-context", "by-kubectl", "--namespace=n"];
    if let Some(output) = common::kubectl(file, &args) {
        assert!(
            output.status.success(),
            "kubectl: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let contexts = yaml(file)["contexts"].clone();
        assert_eq!(contexts[0]["name"], "by-kubectl", "{contexts:?}");
    }
}

#[cfg(unix)]
#[tokio::test]
async fn a_kubeconfig_in_a_read_only_folder_is_permission_denied_not_invalid() {
    use std::os::unix::fs::PermissionsExt as _;
    let home = folder("kubeconfig-read-only");
    let kube = home.join("kube");
    std::fs::create_dir_all(&kube).unwrap();
    std::fs::write(
        kube.join("config"),
        "apiVersion: v1\nkind: Config\ncontexts:\n- name: c\n  context: {cluster: c, user: u}\n",
    )
    .unwrap();
    std::fs::set_permissions(&kube, std::fs::Permissions::from_mode(0o500)).unwrap();
    let run = kaas(&home, &[], &["kubeconfig", "remove", "--context", "c"]).await;
    std::fs::set_permissions(&kube, std::fs::Permissions::from_mode(0o700)).unwrap();
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains("permission denied")
            && run.stderr.contains(&kube.display().to_string())
            && !run.stderr.contains("invalid kubeconfig"),
        "{run:?}"
    );
}

#[tokio::test]
async fn the_context_of_a_cluster_that_is_gone_is_removed_by_its_name() {
    let home = folder("kubeconfig-gone");
    let providers = Providers::start().await;
    digitalocean_clusters(&providers.digitalocean, &["running"]);
    digitalocean_kubeconfig(&providers.digitalocean);
    let env = providers.digitalocean_env();
    let file = home.join("kube/config");
    let run = kaas(&home, &env, &["kubeconfig", "save", "do/prod-cluster-01"]).await;
    assert_eq!(run.code, 0, "{run:?}");

    // The provider no longer has it: by cluster, not found (4), saying how to go on.
    let run = kaas(&home, &env, &["kubeconfig", "remove", "do/deleted-cluster"]).await;
    assert_eq!(run.code, 4, "{run:?}");
    assert!(run.stderr.contains("--context"), "{run:?}");
    let run = kaas(
        &home,
        &env,
        &[
            "kubeconfig",
            "remove",
            "--context",
            "do-nyc1-prod-cluster-01",
        ],
    )
    .await;
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stdout,
        format!(
            "removed context do-nyc1-prod-cluster-01 from {}\n{NONE_CURRENT}",
            file.display()
        )
    );
    // A cluster and a context at once, or neither, is a usage error.
    for args in [
        &["kubeconfig", "remove", "do/x", "--context", "c"][..],
        &["kubeconfig", "remove"][..],
    ] {
        let run = kaas(&home, &env, args).await;
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
    }
}

#[tokio::test]
async fn kubeconfig_save_exec_writes_a_user_that_runs_kaas_credential() {
    let home = folder("kubeconfig-exec");
    let providers = Providers::start().await;
    digitalocean_clusters(&providers.digitalocean, &["running"]);
    // The kubeconfig's own token is dropped: it is asked to last a minute, not seven days.
    let skeleton = {
        use kaas::digitalocean::mock::MockServerExt as _;
        let yaml = common::fixture_text("digitalocean", "get_kubeconfig.response.yaml");
        let id = DO_ID.parse().unwrap();
        providers.digitalocean.get_kubeconfig(|when, then| {
            when.cluster_id(&id).expiry_seconds(60u64);
            then.into_inner()
                .status(200)
                .header("content-type", "application/yaml")
                .body(yaml);
        })
    };
    let credentials = digitalocean_credentials(
        &providers.digitalocean,
        SystemTime::now() + Duration::from_secs(3600),
    );
    let mut env = providers.digitalocean_env();
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_kaas")).parent().unwrap();
    env.push(("PATH", bin_dir.display().to_string()));

    let run = kaas(
        &home,
        &env,
        &[
            "kubeconfig",
            "save",
            "do/prod-cluster-01",
            "--exec",
            "--lifetime",
            "2h",
        ],
    )
    .await;
    assert_eq!((run.code, run.stderr.as_str()), (0, ""), "{run:?}");
    assert_eq!(skeleton.calls(), 1);
    assert!(
        run.stdout.contains(&format!(
            "its user runs `kaas credential env:digitalocean/{DO_ID} --lifetime 2h` for credentials\n"
        )),
        "{run:?}"
    );
    let written = yaml(&home.join("kube/config"));
    let user = &written["users"][0]["user"];
    assert_eq!(user.get("token"), None, "{user:?}");
    let exec = &user["exec"];
    assert_eq!(exec["apiVersion"], "client.authentication.k8s.io/v1");
    assert_eq!(exec["command"], "kaas");
    let args: Vec<&str> = exec["args"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!(
        args,
        [
            "credential",
            &format!("env:digitalocean/{DO_ID}"),
            "--lifetime",
            "2h"
        ]
    );

    // What kubectl then runs prints the credential.
    let run = kaas(&home, &env, &args).await;
    assert_eq!(run.code, 0, "{run:?}");
    let credential: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(credential["status"]["token"], CLUSTER_TOKEN);
    assert_eq!(credentials.calls(), 1);

    // Without kaas on PATH, the save still works and says kubectl will not find it.
    env.retain(|(name, _)| *name != "PATH");
    let run = kaas(
        &home,
        &env,
        &["kubeconfig", "save", "do/prod-cluster-01", "--exec"],
    )
    .await;
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("`kaas` is not on PATH"), "{run:?}");
}

#[tokio::test]
async fn kubeconfig_of_a_provider_without_one_is_exit_2() {
    let home = folder("kubeconfig-commissaire");
    let providers = Providers::listing("running").await;
    let run = kaas(
        &home,
        &providers.env(),
        &["kubeconfig", "save", "commissaire/mycluster"],
    )
    .await;
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("hands out no kubeconfig"), "{run:?}");
    assert!(!home.join("kube/config").exists());
}

// --- kaas credential -----------------------------------------------------------------------

/// The cache file of the DigitalOcean cluster of the environment's account
/// (`env:digitalocean`), under `home`'s XDG_CACHE_HOME.
fn cache_file(home: &Path) -> PathBuf {
    home.join("cache/kaas/credentials")
        .join(cache_file_name(DO_ID, "env:digitalocean"))
}

/// The name of the cache file of `account`'s cluster `id`, as kaas writes it:
/// `<id>@<account>.json`, an account name with a `:` written `_` and followed by the 64-bit
/// FNV-1a hash of the name.
pub(crate) fn cache_file_name(id: &str, account: &str) -> String {
    let hash = account
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
        });
    format!("{id}@{}-{hash:016x}.json", account.replace(':', "_"))
}

#[tokio::test]
async fn credential_prints_an_exec_credential_and_serves_the_next_from_a_private_cache() {
    let home = folder("credential");
    let providers = Providers::start().await;
    let listings = digitalocean_clusters(&providers.digitalocean, &["running"]);
    let expires_at = SystemTime::now() + Duration::from_secs(3600);
    let credentials = digitalocean_credentials(&providers.digitalocean, expires_at);
    let env = providers.digitalocean_env();
    let target = format!("digitalocean/{DO_ID}");

    let first = kaas(&home, &env, &["credential", &target]).await;
    assert_eq!((first.code, first.stderr.as_str()), (0, ""), "{first:?}");
    assert!(first.stdout.ends_with("}\n"), "{first:?}");
    let credential: Value = serde_json::from_str(&first.stdout).unwrap();
    assert_eq!(
        credential,
        serde_json::json!({
            "apiVersion": "client.authentication.k8s.io/v1",
            "kind": "ExecCredential",
            "status": {"token": CLUSTER_TOKEN, "expirationTimestamp": rfc3339(expires_at)},
        })
    );
    let cached = cache_file(&home);
    assert_eq!(
        std::fs::read_to_string(&cached).unwrap() + "\n",
        first.stdout
    );
    #[cfg(unix)]
    {
        assert_eq!(mode(&cached), 0o600);
        assert_eq!(mode(cached.parent().unwrap()), 0o700);
    }

    let second = kaas(&home, &env, &["credential", &target]).await;
    assert_eq!(second.code, 0, "{second:?}");
    assert_eq!(second.stdout, first.stdout);
    assert_eq!(
        credentials.calls(),
        1,
        "the second is served from the cache"
    );
    assert_eq!(listings.load(Ordering::SeqCst), 1, "without any request");

    // --no-cache fetches anew (a credential the cluster refuses) and caches what it got.
    let third = kaas(&home, &env, &["credential", &target, "--no-cache"]).await;
    assert_eq!(third.code, 0, "{third:?}");
    assert_eq!(credentials.calls(), 2, "fetched despite the fresh cache");
    assert_eq!(
        std::fs::read_to_string(&cached).unwrap() + "\n",
        third.stdout
    );
}

#[tokio::test]
async fn an_expired_expiring_corrupt_or_shared_cached_credential_is_replaced() {
    let home = folder("credential-stale");
    let providers = Providers::start().await;
    digitalocean_clusters(&providers.digitalocean, &["running"]);
    let credentials = digitalocean_credentials(
        &providers.digitalocean,
        SystemTime::now() + Duration::from_secs(3600),
    );
    let env = providers.digitalocean_env();
    let target = format!("digitalocean/{DO_ID}");
    let cached = cache_file(&home);
    std::fs::create_dir_all(cached.parent().unwrap()).unwrap();
    let stale_credential = |expires_at: SystemTime| {
        format!(
            r#"{{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{{"token":"old-token","expirationTimestamp":"{}"}}}}"#,
            rfc3339(expires_at)
        )
    };
    let now = SystemTime::now();
    for (n, case) in ["expired", "expiring", "corrupt", "shared", "a folder"]
        .into_iter()
        .enumerate()
    {
        let _ = std::fs::remove_file(&cached);
        match case {
            "expired" => {
                std::fs::write(&cached, stale_credential(now - Duration::from_secs(60))).unwrap()
            }
            "expiring" => {
                // Two minutes left of an hour-long credential: within the 5-minute margin.
                std::fs::write(&cached, stale_credential(now + Duration::from_secs(120))).unwrap();
                let file = std::fs::File::options().write(true).open(&cached).unwrap();
                file.set_modified(now - Duration::from_secs(3600)).unwrap();
            }
            "corrupt" => std::fs::write(&cached, b"{\"kind\": \"ExecCred\xff").unwrap(),
            "shared" => {
                // Fresh, but readable by others: not trusted.
                std::fs::write(&cached, stale_credential(now + Duration::from_secs(3600))).unwrap();
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt as _;
                    let shared = std::fs::Permissions::from_mode(0o644);
                    std::fs::set_permissions(&cached, shared).unwrap();
                }
            }
            _ => std::fs::create_dir_all(&cached).unwrap(),
        }
        #[cfg(unix)]
        if case != "shared" && cached.is_file() {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&cached, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        let run = kaas(&home, &env, &["credential", &target]).await;
        assert_eq!(credentials.calls(), n + 1, "{case}: {run:?}");
        assert_eq!(run.code, 0, "{case}: {run:?}");
        let credential: Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(credential["status"]["token"], CLUSTER_TOKEN, "{case}");
        if cached.is_dir() {
            // A folder in the way is not read, and cannot be replaced: warnings, not a failure.
            assert!(
                run.stderr.starts_with(&format!(
                    "kaas: warning: the cached credential {} is a folder, not a regular file: it is not read\nkaas: warning: the credential is not cached",
                    cached.display()
                )),
                "{case}: {run:?}"
            );
            std::fs::remove_dir(&cached).unwrap();
        } else {
            assert_eq!(run.stderr, "", "{case}");
            #[cfg(unix)]
            assert_eq!(mode(&cached), 0o600, "{case}");
            assert_eq!(
                std::fs::read_to_string(&cached).unwrap() + "\n",
                run.stdout,
                "{case}"
            );
        }
    }
}

/// A FIFO at the cache path is not read (reading it would block `kaas credential`, and
/// kubectl with it): a warning, a credential fetched anew, and the FIFO replaced by the file.
#[cfg(unix)]
#[tokio::test]
async fn a_fifo_at_the_cache_path_is_refused_at_once_and_replaced() {
    let home = folder("credential-fifo");
    let providers = Providers::start().await;
    digitalocean_clusters(&providers.digitalocean, &["running"]);
    let credentials = digitalocean_credentials(
        &providers.digitalocean,
        SystemTime::now() + Duration::from_secs(3600),
    );
    let env = providers.digitalocean_env();
    let cached = cache_file(&home);
    std::fs::create_dir_all(cached.parent().unwrap()).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(&cached)
        .status()
        .unwrap();
    assert!(made.success());
    let target = format!("digitalocean/{DO_ID}");
    // A real-time bound as a safety net only: the refusal is immediate.
    let run = tokio::time::timeout(
        Duration::from_secs(60),
        kaas(&home, &env, &["credential", &target]),
    )
    .await;
    let Ok(run) = run else {
        // Release the blocked reader (a writer opening the FIFO ends its wait), then fail.
        let _ = std::fs::OpenOptions::new().write(true).open(&cached);
        panic!("kaas credential blocked on the FIFO at the cache path");
    };
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stderr,
        format!(
            "kaas: warning: the cached credential {} is a FIFO, not a regular file: it is not read\n",
            cached.display()
        )
    );
    let credential: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(credential["status"]["token"], CLUSTER_TOKEN);
    assert_eq!(credentials.calls(), 1);
    assert!(cached.is_file(), "the FIFO is replaced by the credential");
    assert_eq!(std::fs::read_to_string(&cached).unwrap() + "\n", run.stdout);
}

#[tokio::test]
async fn credential_of_an_unknown_cluster_is_exit_4_and_an_unconfigured_provider_exit_2() {
    let home = folder("credential-missing");
    let providers = Providers::start().await;
    digitalocean_clusters(&providers.digitalocean, &["running"]);
    let env = providers.digitalocean_env();
    let run = kaas(&home, &env, &["credential", "digitalocean/nope"]).await;
    assert_eq!((run.code, run.stdout.as_str()), (4, ""), "{run:?}");
    assert_eq!(
        run.stderr,
        "kaas: digitalocean has no cluster with id or name `nope`\n"
    );
    let run = kaas(&home, &env, &["credential", "oks/analytics"]).await;
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("OKS_ACCESS_KEY"), "{run:?}");
}

// --- kaas wait -----------------------------------------------------------------------------

#[tokio::test]
async fn wait_reads_until_running_and_exits_0() {
    let home = folder("wait-running");
    let providers = Providers::start().await;
    let listings = digitalocean_clusters(
        &providers.digitalocean,
        &["provisioning", "provisioning", "running"],
    );
    let run = kaas(
        &home,
        &providers.digitalocean_env(),
        &wait_args("do/prod-cluster-01", "running", &["--interval", "10ms"]),
    )
    .await;
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, "digitalocean/prod-cluster-01 is running\n");
    assert_eq!(run.stderr, "", "no spinner when stderr is not a terminal");
    assert_eq!(listings.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn wait_stops_with_exit_6_when_the_cluster_fails() {
    let home = folder("wait-failed");
    let providers = Providers::start().await;
    digitalocean_clusters(&providers.digitalocean, &["provisioning", "error"]);
    let env = providers.digitalocean_env();
    let run = kaas(
        &home,
        &env,
        &wait_args("do/prod-cluster-01", "running", &["--interval", "10ms"]),
    )
    .await;
    assert_eq!((run.code, run.stdout.as_str()), (6, ""), "{run:?}");
    assert_eq!(
        run.stderr,
        "kaas: digitalocean/prod-cluster-01 failed: state `error` (while waiting for it to be running)\n"
    );
    // Waiting for `failed` is waiting for that.
    let run = kaas(
        &home,
        &env,
        &wait_args("do/prod-cluster-01", "failed", &["--interval", "10ms"]),
    )
    .await;
    assert_eq!(run.code, 0, "{run:?}");
}

#[tokio::test]
async fn wait_times_out_with_exit_5_and_a_missing_cluster_is_exit_4() {
    let home = folder("wait-timeout");
    let providers = Providers::start().await;
    digitalocean_clusters(&providers.digitalocean, &["provisioning"]);
    let env = providers.digitalocean_env();
    let run = kaas(
        &home,
        &env,
        &wait_args(
            "do/prod-cluster-01",
            "running",
            &["--timeout", "300ms", "--interval", "50ms"],
        ),
    )
    .await;
    assert_eq!((run.code, run.stdout.as_str()), (5, ""), "{run:?}");
    assert!(
        run.stderr
            .starts_with("kaas: gave up waiting for digitalocean/prod-cluster-01 after ")
            && run
                .stderr
                .ends_with("ms; last state seen: provisioning (`provisioning`)\n"),
        "{run:?}"
    );
    let run = kaas(
        &home,
        &env,
        &wait_args("do/nope", "running", &["--interval", "10ms"]),
    )
    .await;
    assert_eq!(run.code, 4, "{run:?}");
    // A cluster no longer found is what waiting for `deleted` waits for.
    let run = kaas(
        &home,
        &env,
        &wait_args("do/nope", "deleted", &["--interval", "10ms"]),
    )
    .await;
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stdout,
        "digitalocean/nope is deleted (no longer found)\n"
    );
}
