//! Saving kubeconfigs into a kubeconfig file: merged (other entries and unknown fields kept
//! byte for byte), replaced by name, 0600, atomic, and safe under concurrent saves.

use std::path::PathBuf;

use kaas::Kubeconfig;
use kaas::kubeconfig::{KubeconfigFile, SaveOptions};

/// A fresh folder of this test's own under the system's temporary folder.
fn folder(test: &str) -> PathBuf {
    crate::common::scratch_folder("kubeconfig", test)
}

/// A provider's kubeconfig for one cluster, as DigitalOcean answers it.
fn fetched(server: &str, token: &str) -> Kubeconfig {
    Kubeconfig::from_yaml(format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    certificate-authority-data: LS0tCg==\n    server: {server}\n  name: do-nyc1-prod\ncontexts:\n- context:\n    cluster: do-nyc1-prod\n    user: do-nyc1-prod-admin\n  name: do-nyc1-prod\ncurrent-context: do-nyc1-prod\nusers:\n- name: do-nyc1-prod-admin\n  user:\n    token: {token}\n"
    ))
    .unwrap()
}

/// A kubeconfig file as kubectl leaves it, with a comment and fields kaas does not model.
const EXISTING: &str = "\
apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: T1RIRVI=
    server: https://other.example.com
    extensions:
    - extension: {last-update: 'Mon, 01 Jan 2024'}
      name: cluster_info
  name: other
contexts:
- context:
    cluster: other
    namespace: team-a   # kept with its comment
    user: other-admin
  name: other
current-context: other
kind: Config
preferences: {}
users:
- name: other-admin
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: other-login
      interactiveMode: IfAvailable
";

fn read(path: &std::path::Path) -> serde_yaml_ng::Value {
    serde_yaml_ng::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[cfg(unix)]
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn a_first_save_creates_the_file_and_its_folder_with_mode_0600() {
    let path = folder("first").join("nested/.kube/config");
    let file = KubeconfigFile::new(&path);
    let saved = file
        .save(
            &fetched("https://prod.example.com", "SENTINEL-token"),
            &SaveOptions::default(),
        )
        .unwrap();
    assert_eq!(saved.contexts, ["do-nyc1-prod"]);
    assert!(saved.replaced.is_empty());
    let written = read(&path);
    assert_eq!(written["kind"], "Config");
    assert_eq!(written["contexts"][0]["name"], "do-nyc1-prod");
    assert_eq!(written["users"][0]["user"]["token"], "SENTINEL-token");
    assert!(
        written.get("current-context").is_none(),
        "not asked to set it"
    );
    #[cfg(unix)]
    assert_eq!(mode(&path), 0o600);
}

#[test]
fn a_save_keeps_other_entries_byte_for_byte_and_replaces_its_own_by_name() {
    let path = folder("merge").join("config");
    std::fs::write(&path, EXISTING).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let file = KubeconfigFile::new(&path);
    let saved = file
        .save(
            &fetched("https://prod.example.com", "first-token"),
            &SaveOptions::default().set_current(true),
        )
        .unwrap();
    assert!(saved.text_preserved);
    let text = std::fs::read_to_string(&path).unwrap();
    // Every line of the old file is still there, in order, except the current context.
    let kept = EXISTING.replace("current-context: other\n", "");
    let mut rest = text.as_str();
    for line in kept.lines() {
        let at = rest
            .find(line)
            .unwrap_or_else(|| panic!("lost {line:?} in\n{text}"));
        rest = &rest[at + line.len()..];
    }
    assert!(text.contains("current-context: do-nyc1-prod\n"), "{text}");
    #[cfg(unix)]
    assert_eq!(
        mode(&path),
        0o600,
        "a file with credentials is made private"
    );

    // Saving the same cluster again replaces its three entries; nothing is added.
    let saved = file
        .save(
            &fetched("https://prod2.example.com", "second-token"),
            &SaveOptions::default(),
        )
        .unwrap();
    assert_eq!(
        saved.replaced,
        [
            "clusters/do-nyc1-prod",
            "contexts/do-nyc1-prod",
            "users/do-nyc1-prod-admin"
        ]
    );
    let written = read(&path);
    assert_eq!(written["clusters"].as_sequence().unwrap().len(), 2);
    assert_eq!(
        written["clusters"][1]["cluster"]["server"],
        "https://prod2.example.com"
    );
    assert_eq!(written["users"][1]["user"]["token"], "second-token");
    assert!(
        !std::fs::read_to_string(&path)
            .unwrap()
            .contains("first-token")
    );
    assert_eq!(
        written["users"][0]["user"]["exec"]["interactiveMode"],
        "IfAvailable"
    );
}

#[test]
fn a_context_name_renames_the_context_its_cluster_and_its_user() {
    let path = folder("rename").join("config");
    let file = KubeconfigFile::new(&path);
    file.save(
        &fetched("https://prod.example.com", "t"),
        &SaveOptions::default()
            .context_name("do-ams3-analytics")
            .set_current(true),
    )
    .unwrap();
    let written = read(&path);
    assert_eq!(written["contexts"][0]["name"], "do-ams3-analytics");
    assert_eq!(
        written["contexts"][0]["context"]["cluster"],
        "do-ams3-analytics"
    );
    assert_eq!(
        written["contexts"][0]["context"]["user"],
        "do-ams3-analytics-admin"
    );
    assert_eq!(written["clusters"][0]["name"], "do-ams3-analytics");
    assert_eq!(written["users"][0]["name"], "do-ams3-analytics-admin");
    assert_eq!(written["current-context"], "do-ams3-analytics");
}

#[test]
fn removing_a_context_takes_its_entries_and_leaves_the_rest_as_it_was() {
    let path = folder("remove").join("config");
    std::fs::write(&path, EXISTING).unwrap();
    let file = KubeconfigFile::new(&path);
    file.save(
        &fetched("https://prod.example.com", "t"),
        &SaveOptions::default().set_current(true),
    )
    .unwrap();
    assert!(file.remove("do-nyc1-prod").unwrap());
    assert!(!file.remove("do-nyc1-prod").unwrap(), "gone already");
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        text,
        EXISTING.replace("current-context: other\n", "current-context: ''\n")
    );
}

#[test]
fn concurrent_saves_all_land() {
    let path = folder("concurrent").join("config");
    std::fs::write(&path, EXISTING).unwrap();
    let threads: Vec<_> = (0..8)
        .map(|n| {
            let file = KubeconfigFile::new(&path);
            std::thread::spawn(move || {
                file.save(
                    &fetched(&format!("https://c{n}.example.com"), "t"),
                    &SaveOptions::default().context_name(format!("ctx-{n}")),
                )
                .unwrap()
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let written = read(&path);
    let mut contexts: Vec<_> = written["contexts"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect();
    contexts.sort();
    let mut expected: Vec<_> = (0..8).map(|n| format!("ctx-{n}")).collect();
    expected.push("other".into());
    expected.sort();
    assert_eq!(contexts, expected);
    let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_file_that_is_not_a_kubeconfig_is_refused_and_left_alone() {
    let dir = folder("refused");
    let file = KubeconfigFile::new(dir.join("config"));
    for broken in [
        "- just\n- a list\n",
        "clusters: [unclosed\n",
        "token: SENTINEL\n: :\n",
    ] {
        std::fs::write(file.path(), broken).unwrap();
        let error = file
            .save(
                &fetched("https://prod.example.com", "t"),
                &SaveOptions::default(),
            )
            .unwrap_err();
        assert!(matches!(error, kaas::Error::Kubeconfig(_)), "{error:?}");
        assert!(!error.to_string().contains("SENTINEL"), "{error}");
        assert_eq!(std::fs::read_to_string(file.path()).unwrap(), broken);
    }
}

#[test]
fn a_layout_the_line_editor_does_not_know_is_rewritten_with_every_value_kept() {
    let path = folder("flow").join("config");
    std::fs::write(&path, "{apiVersion: v1, kind: Config, clusters: [{name: other, cluster: {server: 'https://o'}}], x-vendor: {keep: me}}\n").unwrap();
    let saved = KubeconfigFile::new(&path)
        .save(
            &fetched("https://prod.example.com", "t"),
            &SaveOptions::default(),
        )
        .unwrap();
    assert!(!saved.text_preserved);
    let written = read(&path);
    assert_eq!(written["x-vendor"]["keep"], "me");
    assert_eq!(written["clusters"][0]["name"], "other");
    assert_eq!(written["clusters"][1]["name"], "do-nyc1-prod");
}
