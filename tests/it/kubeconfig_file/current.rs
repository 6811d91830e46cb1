//! The file's current context, as kubectl reads it: a save into a file that has none makes the
//! saved context current (else plain `kubectl get pods` would go to `localhost:8080`); one that
//! has one keeps it unless asked; removing the current context empties it and says so.

use kaas::kubeconfig::{KubeconfigFile, Removed, SaveOptions};

use super::{EXISTING, fetched, folder, read};

/// What `kubectl config current-context` says of the file: `Some(name)`, `Some("")` when it
/// refuses (no current context), `None` when kubectl is not on PATH.
fn kubectl_current(path: &std::path::Path) -> Option<String> {
    let path_text = path.display().to_string();
    let output = crate::common::kubectl(
        path,
        &["config", "current-context", "--kubeconfig", &path_text],
    )?;
    let stdout = String::from_utf8_lossy(&output.stdout).trim().to_string();
    if output.status.success() {
        Some(stdout)
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("current-context is not set"), "{stderr}");
        Some(String::new())
    }
}

#[test]
fn a_file_without_a_current_context_gets_the_saved_one() {
    for (case, before) in [
        ("new", None),
        (
            "empty",
            Some("apiVersion: v1\nkind: Config\ncurrent-context: \"\"\n"),
        ),
        (
            "absent",
            Some("apiVersion: v1\nkind: Config\nclusters: []\n"),
        ),
    ] {
        let path = folder(&format!("current-{case}")).join("config");
        if let Some(text) = before {
            std::fs::write(&path, text).unwrap();
        }
        let file = KubeconfigFile::new(&path);
        let saved = file
            .save(
                &fetched("https://prod.example.com", "t"),
                &SaveOptions::default(),
            )
            .unwrap();
        assert_eq!(
            saved.current_context.as_deref(),
            Some("do-nyc1-prod"),
            "{case}"
        );
        assert_eq!(read(&path)["current-context"], "do-nyc1-prod", "{case}");
        if let Some(current) = kubectl_current(&path) {
            assert_eq!(current, "do-nyc1-prod", "{case}");
        }
    }
}

#[test]
fn a_file_with_a_current_context_keeps_it_unless_asked_and_never_when_told_not_to() {
    let path = folder("current-kept").join("config");
    std::fs::write(&path, EXISTING).unwrap();
    let file = KubeconfigFile::new(&path);
    let saved = file
        .save(
            &fetched("https://prod.example.com", "t"),
            &SaveOptions::default(),
        )
        .unwrap();
    assert_eq!(saved.current_context, None);
    assert!(saved.text_preserved);
    if let Some(current) = kubectl_current(&path) {
        assert_eq!(current, "other");
    }
    let saved = file
        .save(
            &fetched("https://prod.example.com", "t"),
            &SaveOptions::default().set_current(true),
        )
        .unwrap();
    assert_eq!(saved.current_context.as_deref(), Some("do-nyc1-prod"));

    let untouched = folder("current-never").join("config");
    let saved = KubeconfigFile::new(&untouched)
        .save(
            &fetched("https://prod.example.com", "t"),
            &SaveOptions::default().set_current(false),
        )
        .unwrap();
    assert_eq!(saved.current_context, None);
    assert!(read(&untouched).get("current-context").is_none());
    if let Some(current) = kubectl_current(&untouched) {
        assert_eq!(current, "", "kubectl finds no current context");
    }
}

/// A kubeconfig of contexts `a` and `b` (each with its cluster and user) whose
/// `current-context` is `current`, or none.
fn two_contexts(current: Option<&str>) -> kaas::Kubeconfig {
    let mut yaml = String::from("apiVersion: v1\nkind: Config\nclusters:\n");
    for name in ["a", "b"] {
        yaml += &format!("- name: {name}\n  cluster: {{server: 'https://{name}.example.com'}}\n");
    }
    yaml += "contexts:\n";
    for name in ["a", "b"] {
        yaml += &format!("- name: {name}\n  context: {{cluster: {name}, user: {name}}}\n");
    }
    yaml += "users:\n";
    for name in ["a", "b"] {
        yaml += &format!("- name: {name}\n  user: {{token: t-{name}}}\n");
    }
    if let Some(current) = current {
        yaml += &format!("current-context: {current}\n");
    }
    kaas::Kubeconfig::from_yaml(yaml).unwrap()
}

/// Which context a save makes current when the file has none, or when asked: the kubeconfig's
/// only context (whatever its own `current-context` says), else its `current-context` when
/// that is one of its contexts, else none (and asking for one is refused).
#[test]
fn the_context_made_current_is_the_only_one_or_the_kubeconfigs_own_current_one() {
    let one_without_current = kaas::Kubeconfig::from_yaml(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: solo\n  cluster: {server: 'https://solo.example.com'}\ncontexts:\n- name: solo\n  context: {cluster: solo, user: solo}\nusers:\n- name: solo\n  user: {token: t}\n"
            .to_string(),
    )
    .unwrap();
    for (case, kubeconfig, expected) in [
        ("only", one_without_current, Some("solo")),
        ("own-current", two_contexts(Some("b")), Some("b")),
        ("unknown-current", two_contexts(Some("c")), None),
        ("no-current", two_contexts(None), None),
    ] {
        let path = folder(&format!("chosen-{case}")).join("config");
        let file = KubeconfigFile::new(&path);
        let saved = file.save(&kubeconfig, &SaveOptions::default()).unwrap();
        assert_eq!(saved.current_context.as_deref(), expected, "{case}");
        let written = read(&path);
        assert_eq!(
            written.get("current-context").and_then(|c| c.as_str()),
            expected,
            "{case}"
        );

        let asked = file.save(&kubeconfig, &SaveOptions::default().set_current(true));
        match expected {
            Some(name) => assert_eq!(asked.unwrap().current_context.as_deref(), Some(name)),
            None => assert!(
                matches!(asked, Err(kaas::Error::InvalidInput(_))),
                "{case}: {asked:?}"
            ),
        }
    }
}

/// A kubeconfig whose only context has an empty name (a hostile or broken answer) makes no
/// context current, and a save does not say it did.
#[test]
fn a_context_with_an_empty_name_is_never_reported_current() {
    let nameless = kaas::Kubeconfig::from_yaml(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: 'https://c.example.com'}\ncontexts:\n- name: ''\n  context: {cluster: c, user: u}\nusers:\n- name: u\n  user: {token: t}\n"
            .to_string(),
    )
    .unwrap();
    let path = folder("current-nameless").join("config");
    let saved = KubeconfigFile::new(&path)
        .save(&nameless, &SaveOptions::default())
        .unwrap();
    assert_eq!(saved.current_context, None);
    let current = read(&path).get("current-context").cloned();
    assert!(current.as_ref().is_none_or(|c| c == ""), "{current:?}");
}

#[test]
fn removing_the_current_context_empties_it_and_says_so() {
    let path = folder("current-removed").join("config");
    std::fs::write(&path, EXISTING).unwrap();
    let file = KubeconfigFile::new(&path);
    file.save(
        &fetched("https://prod.example.com", "t"),
        &SaveOptions::default(),
    )
    .unwrap();
    assert_eq!(
        file.remove("do-nyc1-prod")
            .unwrap()
            .map(|removed| removed.was_current),
        Some(false),
        "`other` is current"
    );
    file.save(
        &fetched("https://prod.example.com", "t"),
        &SaveOptions::default().set_current(true),
    )
    .unwrap();
    let removed: Removed = file.remove("do-nyc1-prod").unwrap().unwrap();
    assert!(removed.was_current);
    assert_eq!(read(&path)["current-context"], "");
    if let Some(current) = kubectl_current(&path) {
        assert_eq!(current, "", "kubectl finds no current context");
    }
}
