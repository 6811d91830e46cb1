//! Saving kubeconfigs into a kubeconfig file: merged (other entries and unknown fields kept
//! byte for byte), replaced by name, 0600, atomic, and safe under concurrent saves; shared
//! with kubectl (its lock, symbolic links, read-only files and folders, CRLF line ends).

use std::path::PathBuf;

use kaas::Kubeconfig;
use kaas::kubeconfig::{KubeconfigFile, SaveOptions};

mod current;

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
    assert_eq!(
        written["current-context"], "do-nyc1-prod",
        "the new file had no current context"
    );
    assert_eq!(saved.current_context.as_deref(), Some("do-nyc1-prod"));
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

    // A name kubectl could not be given on one line is refused, and the file is left alone.
    let before = std::fs::read_to_string(&path).unwrap();
    for bad in ["", "  ", "two\nlines", "carriage\rreturn"] {
        let refused = file.save(
            &fetched("https://prod.example.com", "t"),
            &SaveOptions::default().context_name(bad),
        );
        assert!(
            matches!(refused, Err(kaas::Error::InvalidInput(_))),
            "{bad:?}: {refused:?}"
        );
    }
    assert_eq!(std::fs::read_to_string(&path).unwrap(), before);
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
    assert!(file.remove("do-nyc1-prod").unwrap().is_some());
    assert!(
        file.remove("do-nyc1-prod").unwrap().is_none(),
        "gone already"
    );
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

/// The largest file a save reads back and merges: 16 MiB exactly is merged (every byte of it
/// kept), one byte more is refused and left alone.
#[test]
fn a_file_of_16_mib_is_merged_whole_and_one_byte_more_is_refused() {
    const LIMIT: usize = 16 * 1024 * 1024;
    let path = folder("size-limit").join("config");
    let file = KubeconfigFile::new(&path);
    for size in [LIMIT, LIMIT + 1] {
        // A closing comment that brings the file to `size` bytes.
        let filler = "x".repeat(size - EXISTING.len() - "# \n".len());
        let text = format!("{EXISTING}# {filler}\n");
        assert_eq!(text.len(), size);
        std::fs::write(&path, &text).unwrap();
        let saved = file.save(
            &fetched("https://prod.example.com", "t"),
            &SaveOptions::default(),
        );
        let written = std::fs::read_to_string(&path).unwrap();
        if size == LIMIT {
            assert!(saved.unwrap().text_preserved);
            assert!(
                written.ends_with(&format!("\n# {filler}\n")),
                "the comment was cut"
            );
            assert_eq!(read(&path)["clusters"][1]["name"], "do-nyc1-prod");
        } else {
            match saved {
                Err(kaas::Error::Kubeconfig(message)) => {
                    assert!(message.contains("larger than 16 MiB"), "{message}")
                }
                other => panic!("{size} bytes: {other:?}"),
            }
            assert!(written == text, "a refused file is left as it was");
        }
    }
}

/// A file that holds no document (only comments, or `null`) is an empty kubeconfig to save
/// into, as kubectl reads it, not a file to refuse.
#[test]
fn a_file_without_a_document_is_an_empty_kubeconfig() {
    for (case, text) in [
        ("comments", "# kubeconfig, managed by hand\n"),
        ("null", "null\n"),
    ] {
        let path = folder(&format!("no-document-{case}")).join("config");
        std::fs::write(&path, text).unwrap();
        let saved = KubeconfigFile::new(&path)
            .save(
                &fetched("https://prod.example.com", "t"),
                &SaveOptions::default(),
            )
            .unwrap();
        assert_eq!(saved.contexts, ["do-nyc1-prod"], "{case}");
        let written = read(&path);
        assert_eq!(written["apiVersion"], "v1", "{case}");
        assert_eq!(written["kind"], "Config", "{case}");
        assert_eq!(written["clusters"][0]["name"], "do-nyc1-prod", "{case}");
        assert_eq!(written["current-context"], "do-nyc1-prod", "{case}");
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

// --- Sharing the file with kubectl -------------------------------------------------------------

/// The lock kubectl (client-go's clientcmd) takes on `path`: `<path>.lock`.
fn lock_of(path: &std::path::Path) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(".lock");
    PathBuf::from(name)
}

/// Takes kubectl's lock as clientcmd does: creates `<path>.lock` exclusively. `false` when it
/// exists.
fn take_lock(path: &std::path::Path) -> bool {
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(lock_of(path))
    {
        Ok(_) => true,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => false,
        Err(e) => panic!("{e}"),
    }
}

/// kubectl, given the file, switches context (which takes and releases its lock), or the
/// test says it skipped that part.
fn kubectl_can_switch_to(path: &std::path::Path, context: &str) {
    if let Some(output) = crate::common::kubectl(path, &["config", "use-context", context]) {
        assert!(
            output.status.success(),
            "kubectl: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(read(path)["current-context"], context);
    }
}

#[test]
fn no_lock_is_left_behind_so_kubectl_can_change_the_file_after_save_and_remove() {
    let path = folder("no-lock-left").join("config");
    std::fs::write(&path, EXISTING).unwrap();
    let file = KubeconfigFile::new(&path);
    file.save(
        &fetched("https://prod.example.com", "t"),
        &SaveOptions::default(),
    )
    .unwrap();
    assert!(!lock_of(&path).exists(), "a save leaves no lock");
    kubectl_can_switch_to(&path, "do-nyc1-prod");
    assert!(file.remove("do-nyc1-prod").unwrap().is_some());
    assert!(!lock_of(&path).exists(), "a removal leaves no lock");
    kubectl_can_switch_to(&path, "other");
    // A removal that finds nothing to remove leaves none either.
    assert!(file.remove("do-nyc1-prod").unwrap().is_none());
    assert!(!lock_of(&path).exists());
}

#[test]
fn a_lock_held_by_another_program_makes_kaas_wait_then_fail_naming_the_lock() {
    let path = folder("lock-held").join("config");
    std::fs::write(&path, EXISTING).unwrap();
    assert!(take_lock(&path));
    let file = KubeconfigFile::new(&path).lock_timeout(std::time::Duration::from_millis(40));
    let started = std::time::Instant::now();
    let error = file
        .save(
            &fetched("https://prod.example.com", "t"),
            &SaveOptions::default(),
        )
        .unwrap_err();
    assert!(started.elapsed() >= std::time::Duration::from_millis(40));
    match &error {
        kaas::Error::KubeconfigLocked { lock, .. } => assert_eq!(lock, &lock_of(&path)),
        other => panic!("{other:?}"),
    }
    let message = error.to_string();
    assert!(
        message.contains(&lock_of(&path).display().to_string()) && message.contains("remove it"),
        "{message}"
    );
    assert!(matches!(
        file.remove("other"),
        Err(kaas::Error::KubeconfigLocked { .. })
    ));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), EXISTING);
    assert!(
        lock_of(&path).exists(),
        "the other program's lock is not kaas's to remove"
    );

    // Released while kaas waits: the save goes ahead.
    let patient = KubeconfigFile::new(&path).lock_timeout(std::time::Duration::from_secs(10));
    let lock = lock_of(&path);
    let releaser = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(30));
        std::fs::remove_file(lock).unwrap();
    });
    patient
        .save(
            &fetched("https://prod.example.com", "t"),
            &SaveOptions::default(),
        )
        .unwrap();
    releaser.join().unwrap();
    assert_eq!(read(&path)["contexts"][1]["name"], "do-nyc1-prod");
    assert!(!lock_of(&path).exists());
}

#[test]
fn kaas_and_a_program_taking_kubectls_lock_never_write_at_once() {
    let path = folder("lock-shared").join("config");
    std::fs::write(&path, EXISTING).unwrap();
    const ROUNDS: usize = 24;
    // The other program: under kubectl's lock, reads the file and writes it back in place
    // (truncate, then two writes, as a non-atomic writer does) with one more comment line.
    let other = {
        let path = path.clone();
        std::thread::spawn(move || {
            for round in 0..ROUNDS {
                let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
                while !take_lock(&path) {
                    assert!(
                        std::time::Instant::now() < deadline,
                        "kubectl's lock was never released"
                    );
                    std::thread::yield_now();
                }
                let text = std::fs::read_to_string(&path).unwrap();
                let mut out = std::fs::File::create(&path).unwrap();
                use std::io::Write as _;
                let half = text.len() / 2;
                out.write_all(&text.as_bytes()[..half]).unwrap();
                std::thread::sleep(std::time::Duration::from_millis(1));
                out.write_all(&text.as_bytes()[half..]).unwrap();
                writeln!(out, "# other-{round}").unwrap();
                drop(out);
                std::fs::remove_file(lock_of(&path)).unwrap();
                std::thread::yield_now();
            }
        })
    };
    let file = KubeconfigFile::new(&path);
    for round in 0..ROUNDS {
        file.save(
            &fetched(&format!("https://c{round}.example.com"), "t"),
            &SaveOptions::default().context_name(format!("ctx-{round}")),
        )
        .unwrap();
    }
    other.join().unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    for round in 0..ROUNDS {
        assert!(
            text.contains(&format!("# other-{round}\n")),
            "lost the other program's write {round}:\n{text}"
        );
    }
    let contexts = read(&path)["contexts"].as_sequence().unwrap().len();
    assert_eq!(contexts, ROUNDS + 1, "lost a save of kaas:\n{text}");
}

#[cfg(unix)]
#[test]
fn a_symlinked_file_is_written_through_to_its_target() {
    let dir = folder("symlink");
    let target = dir.join("dotfiles/kubeconfig");
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    std::fs::write(&target, EXISTING).unwrap();
    let link = dir.join("home/.kube/config");
    std::fs::create_dir_all(link.parent().unwrap()).unwrap();
    // Relative, as dotfile managers write them: from the link's folder.
    std::os::unix::fs::symlink("../../dotfiles/kubeconfig", &link).unwrap();
    let file = KubeconfigFile::new(&link);
    file.save(
        &fetched("https://prod.example.com", "t"),
        &SaveOptions::default(),
    )
    .unwrap();
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(read(&target)["contexts"][1]["name"], "do-nyc1-prod");
    assert!(file.remove("do-nyc1-prod").unwrap().is_some());
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), EXISTING);
    for folder in [target.parent().unwrap(), link.parent().unwrap()] {
        let names: Vec<_> = std::fs::read_dir(folder)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    // A dangling link: its target is created.
    let dangling = dir.join("home/.kube/new-config");
    std::os::unix::fs::symlink("../../dotfiles/new/kubeconfig", &dangling).unwrap();
    KubeconfigFile::new(&dangling)
        .save(
            &fetched("https://prod.example.com", "t"),
            &SaveOptions::default(),
        )
        .unwrap();
    assert!(
        std::fs::symlink_metadata(&dangling)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        read(&dir.join("dotfiles/new/kubeconfig"))["contexts"][0]["name"],
        "do-nyc1-prod"
    );
}

/// A kubeconfig with comments about entries, blank lines between them and a closing comment.
const COMMENTED: &str = "\
apiVersion: v1
kind: Config
clusters:
# about a
- name: a
  cluster:
    server: https://a.example.com

# about b
- name: b
  cluster:
    server: https://b.example.com

contexts:
- name: a
  context: {cluster: a, user: a}
# about b
- name: b
  context: {cluster: b, user: b}
current-context: b
users:
- name: a
  user: {token: ta}
# about b
- name: b
  user: {token: tb}
# the end
";

#[test]
fn removing_an_entry_takes_its_own_lines_only() {
    let path = folder("comments").join("config");
    std::fs::write(&path, COMMENTED).unwrap();
    let file = KubeconfigFile::new(&path);
    assert!(file.remove("a").unwrap().is_some());
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "\
apiVersion: v1
kind: Config
clusters:
# about a

# about b
- name: b
  cluster:
    server: https://b.example.com

contexts:
# about b
- name: b
  context: {cluster: b, user: b}
current-context: b
users:
# about b
- name: b
  user: {token: tb}
# the end
"
    );
    assert!(file.remove("b").unwrap().is_some());
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.ends_with("users: []\n# about b\n# the end\n"),
        "{text}"
    );
}

#[test]
fn save_then_remove_gives_back_the_file_byte_for_byte() {
    for original in [COMMENTED, EXISTING] {
        let path = folder("round-trip").join("config");
        std::fs::write(&path, original).unwrap();
        let file = KubeconfigFile::new(&path);
        file.save(
            &fetched("https://prod.example.com", "t"),
            &SaveOptions::default(),
        )
        .unwrap();
        assert!(file.remove("do-nyc1-prod").unwrap().is_some());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), original);
    }
}

#[test]
fn a_file_with_crlf_line_ends_keeps_its_comments_and_line_ends() {
    let path = folder("crlf").join("config");
    let original = COMMENTED.replace('\n', "\r\n");
    std::fs::write(&path, &original).unwrap();
    let file = KubeconfigFile::new(&path);
    let saved = file
        .save(
            &fetched("https://prod.example.com", "t"),
            &SaveOptions::default(),
        )
        .unwrap();
    assert!(saved.text_preserved);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("# about b\r\n") && text.ends_with("# the end\r\n"),
        "{text:?}"
    );
    assert!(!text.replace("\r\n", "").contains('\n'), "{text:?}");
    assert_eq!(read(&path)["contexts"][2]["name"], "do-nyc1-prod");
    assert!(file.remove("do-nyc1-prod").unwrap().is_some());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), original);
}

/// Sets `path`'s permission bits.
#[cfg(unix)]
fn chmod(path: &std::path::Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Whether the error is the typed file error saying "permission denied" and naming `path`.
fn denied(error: &kaas::Error, path: &std::path::Path) -> bool {
    let message = error.to_string();
    matches!(error, kaas::Error::KubeconfigFile { .. })
        && message.contains("permission denied")
        && message.contains(&path.display().to_string())
        && !message.contains("invalid kubeconfig")
}

// Root may write anything, so these check the permission bits kaas honours, not EACCES.
#[cfg(unix)]
#[test]
fn a_read_only_file_is_refused_not_replaced() {
    let path = folder("read-only-file").join("config");
    std::fs::write(&path, EXISTING).unwrap();
    chmod(&path, 0o400);
    let file = KubeconfigFile::new(&path);
    let error = file
        .save(
            &fetched("https://prod.example.com", "t"),
            &SaveOptions::default(),
        )
        .unwrap_err();
    assert!(denied(&error, &path), "{error}");
    assert!(error.to_string().contains("read-only"), "{error}");
    let error = file.remove("other").unwrap_err();
    assert!(denied(&error, &path), "{error}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), EXISTING);
    assert_eq!(mode(&path), 0o400);
    assert!(!lock_of(&path).exists());
}

#[cfg(unix)]
#[test]
fn a_read_only_folder_is_permission_denied_naming_it() {
    let dir = folder("read-only-folder").join("kube");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("config");
    std::fs::write(&path, EXISTING).unwrap();
    chmod(&dir, 0o500);
    let file = KubeconfigFile::new(&path);
    let saved = file.save(
        &fetched("https://prod.example.com", "t"),
        &SaveOptions::default(),
    );
    let fresh = KubeconfigFile::new(dir.join("fresh")).save(
        &fetched("https://prod.example.com", "t"),
        &SaveOptions::default(),
    );
    chmod(&dir, 0o700);
    let error = saved.unwrap_err();
    assert!(denied(&error, &dir), "{error}");
    let error = fresh.unwrap_err();
    assert!(denied(&error, &dir), "{error}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), EXISTING);
    let names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["config"]);
}

/// Runs `save` on another thread and gives up on it after 20 s (a safety bound: a fixed
/// kaas answers at once), so a file that blocks the read fails this test instead of hanging it.
#[cfg(unix)]
fn save_within_bound(file: KubeconfigFile) -> Option<kaas::Result<()>> {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let saved = file.save(
            &fetched("https://prod.example.com", "t"),
            &SaveOptions::default(),
        );
        let _ = sender.send(saved.map(|_| ()));
    });
    receiver
        .recv_timeout(std::time::Duration::from_secs(20))
        .ok()
}

#[cfg(unix)]
#[test]
fn a_fifo_or_a_folder_at_the_kubeconfig_path_is_refused_without_blocking() {
    let dir = folder("not-a-file");
    let fifo = dir.join("config");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success(), "mkfifo");
    let outcome = save_within_bound(KubeconfigFile::new(&fifo));
    if outcome.is_none() {
        // Release the blocked reader so the test process can end.
        let _ = std::fs::OpenOptions::new().write(true).open(&fifo);
        panic!("saving into a FIFO blocked");
    }
    let error = outcome.unwrap().unwrap_err();
    assert!(
        matches!(&error, kaas::Error::KubeconfigFile { path, .. } if *path == fifo),
        "{error:?}"
    );
    assert!(error.to_string().contains("not a regular file"), "{error}");
    assert!(!lock_of(&fifo).exists(), "no lock is left behind");

    let folder_in_the_way = dir.join("folder");
    std::fs::create_dir_all(&folder_in_the_way).unwrap();
    let error = save_within_bound(KubeconfigFile::new(&folder_in_the_way))
        .expect("a folder never blocks")
        .unwrap_err();
    assert!(error.to_string().contains("not a regular file"), "{error}");
}

/// A path kaas cannot open or look at, for a reason other than its absence, is an error that
/// names the path, never a missing file to create: a Unix socket there (which cannot be
/// opened) stays, and a path that goes through a regular file is refused when it is first
/// read.
#[cfg(unix)]
#[test]
fn a_path_that_cannot_be_read_is_an_error_not_a_missing_file() {
    use std::os::unix::fs::FileTypeExt as _;
    let dir = folder("unreadable");
    let socket = dir.join("config");
    let _listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    let error = save_within_bound(KubeconfigFile::new(&socket))
        .expect("a socket never blocks")
        .unwrap_err();
    match &error {
        kaas::Error::KubeconfigFile { action, path, .. } => {
            assert_eq!((action.as_str(), path), ("read", &socket), "{error}")
        }
        other => panic!("{other:?}"),
    }
    let kind = std::fs::symlink_metadata(&socket).unwrap().file_type();
    assert!(kind.is_socket(), "the socket was replaced: {kind:?}");

    let a_file = dir.join("a-file");
    std::fs::write(&a_file, "not a folder").unwrap();
    let through_a_file = a_file.join("config");
    let error = KubeconfigFile::new(&through_a_file)
        .remove("any")
        .unwrap_err();
    match &error {
        kaas::Error::KubeconfigFile { action, path, .. } => {
            assert_eq!(
                (action.as_str(), path),
                ("read", &through_a_file),
                "{error}"
            )
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(std::fs::read_to_string(&a_file).unwrap(), "not a folder");
}

/// A lock that cannot be created for a reason other than another program holding it (here
/// its name is too long for the file system: 252 characters and `.lock`) fails at once,
/// naming the lock, instead of being waited for as if someone held it.
#[cfg(unix)]
#[test]
fn a_lock_that_cannot_be_created_is_an_error_not_a_wait() {
    let dir = folder("lock-name-too-long");
    let path = dir.join("k".repeat(252));
    let error = KubeconfigFile::new(&path)
        .lock_timeout(std::time::Duration::ZERO)
        .save(
            &fetched("https://prod.example.com", "t"),
            &SaveOptions::default(),
        )
        .unwrap_err();
    match &error {
        kaas::Error::KubeconfigFile {
            action, path: at, ..
        } => {
            assert_eq!(
                (action.as_str(), at),
                ("create the lock", &lock_of(&path)),
                "{error}"
            )
        }
        other => panic!("{other:?}"),
    }
    assert!(!path.exists());
}
