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
