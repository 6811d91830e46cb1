//! The credential cache: one file per account and cluster,
//! `<cache dir>/kaas/credentials/<cluster id>@<account>.json`, holding the ExecCredential JSON
//! `kaas credential` printed, so that kubectl calling it on every command does not mint a
//! credential each time. Keyed by the account as well as the cluster: two accounts may hold
//! clusters of the same id (a Commissaire cluster's id is its name), and neither is ever
//! served the other's credential.
//!
//! A cached credential is reused while its `status.expirationTimestamp` is further away than
//! the margin the refreshing `kube::Client` keeps too ([`kaas::kubeconfig::refresh_margin`]:
//! 5 minutes, or a fifth of its lifetime when that is shorter; the lifetime is counted from
//! when the file was written, its modification time). A file that is unreadable,
//! not an ExecCredential, without an expiry, readable by others, or too large is ignored, and
//! replaced by the next credential fetched. A file that is not a regular file (a FIFO, a
//! symbolic link, a folder, ...) is refused ([`NotAFile`]) without being read or followed, and
//! replaced likewise.

use std::fs;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use zeroize::Zeroizing;

/// The largest cache file read (an ExecCredential with a client certificate and key is a few
/// kilobytes).
const MAX_FILE_BYTES: u64 = 64 * 1024;

/// The folder of cached credentials.
#[derive(Clone, Debug)]
pub struct Cache {
    dir: PathBuf,
}

impl Cache {
    /// The cache under the user's cache folder (`$XDG_CACHE_HOME`, else `~/.cache`, on Linux
    /// and macOS; the local app data folder on Windows); `None` when there is no home folder.
    pub fn locate() -> Option<Cache> {
        use etcetera::BaseStrategy as _;
        let strategy = etcetera::choose_base_strategy().ok()?;
        Some(Cache::at(
            strategy.cache_dir().join("kaas").join("credentials"),
        ))
    }

    /// The cache in `dir`.
    pub fn at(dir: impl Into<PathBuf>) -> Cache {
        Cache { dir: dir.into() }
    }

    /// The file of the credential of `account`'s cluster `cluster` (its id):
    /// `<cluster>@<account>.json`, each part made safe by [`file_name_part`], which never
    /// writes `@`, so two keys never share a file.
    pub fn path(&self, key: &Key<'_>) -> PathBuf {
        self.dir.join(format!(
            "{}@{}.json",
            file_name_part(key.cluster),
            file_name_part(key.account)
        ))
    }

    /// The cached credential of `key`, if there is one still fresh at `now`. A file that
    /// is not a regular file (a FIFO, a socket, a device, a folder, a symbolic link) is
    /// refused without being read or followed ([`NotAFile`]).
    pub fn fresh(
        &self,
        key: &Key<'_>,
        now: SystemTime,
    ) -> Result<Option<Zeroizing<String>>, NotAFile> {
        let path = self.path(key);
        let Some((file, metadata)) = open_regular(&path)? else {
            return Ok(None);
        };
        if metadata.len() > MAX_FILE_BYTES || shared(&metadata) {
            return Ok(None);
        }
        let mut text = Zeroizing::new(String::new());
        if file.take(MAX_FILE_BYTES).read_to_string(&mut text).is_err() {
            return Ok(None);
        }
        let fresh = expiration(&text)
            .zip(metadata.modified().ok())
            .is_some_and(|(expires_at, written_at)| is_fresh(expires_at, written_at, now));
        Ok(fresh.then_some(text))
    }

    /// Stores `json` as `key`'s credential: written to a temporary file of mode 0600 in a
    /// folder of mode 0700, then renamed over the old one, so a reader never sees half a file.
    pub fn store(&self, key: &Key<'_>, json: &str) -> std::io::Result<PathBuf> {
        create_private_dir(&self.dir)?;
        let path = self.path(key);
        let temporary = self.dir.join(format!(
            ".{}.{}.{:016x}.tmp",
            path.file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_default(),
            std::process::id(),
            fastrand::u64(..)
        ));
        let written = write_private(&temporary, json).and_then(|()| fs::rename(&temporary, &path));
        if let Err(error) = written {
            let _ = fs::remove_file(&temporary);
            return Err(error);
        }
        Ok(path)
    }
}

/// What a cached credential is kept under: the account's name and the cluster's id.
#[derive(Clone, Copy, Debug)]
pub struct Key<'a> {
    /// The account's name (`do:team-a`, `env:digitalocean`, ...).
    pub account: &'a str,
    /// The cluster's id (what `kaas kubeconfig save --exec` writes).
    pub cluster: &'a str,
}

/// A cache file that is not a regular file: never read (reading a FIFO would block, and
/// kubectl with it) and never followed (a link). The next credential stored replaces it.
#[derive(Debug)]
pub struct NotAFile {
    /// The cache file.
    pub path: PathBuf,
    /// What it is instead: `a FIFO`, `a folder`, `a symbolic link`, ...
    pub kind: &'static str,
}

impl std::fmt::Display for NotAFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the cached credential {} is {}, not a regular file: it is not read",
            self.path.display(),
            self.kind
        )
    }
}

impl std::error::Error for NotAFile {}

/// Opens `path` for reading if it is a regular file: without blocking (a FIFO would wait for
/// a writer) and without following a symbolic link, then checks the type of what was opened
/// (`fstat`), so nothing can be swapped in between. `None` when there is no file to read.
fn open_regular(path: &Path) -> Result<Option<(fs::File, fs::Metadata)>, NotAFile> {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(
        &mut options,
        libc::O_NONBLOCK | libc::O_NOFOLLOW,
    );
    let refused = |metadata: &fs::Metadata| NotAFile {
        path: path.to_path_buf(),
        kind: kind_of(&metadata.file_type()),
    };
    let file = match options.open(path) {
        Ok(file) => file,
        // A link refused by O_NOFOLLOW, or a file that cannot be opened: say which.
        Err(_) => {
            return match fs::symlink_metadata(path) {
                Ok(metadata) if !metadata.is_file() => Err(refused(&metadata)),
                _ => Ok(None),
            };
        }
    };
    match file.metadata() {
        Ok(metadata) if metadata.is_file() => Ok(Some((file, metadata))),
        Ok(metadata) => Err(refused(&metadata)),
        Err(_) => Ok(None),
    }
}

/// What a file that is not a regular file is, in words.
fn kind_of(file_type: &fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if file_type.is_fifo() {
            return "a FIFO";
        }
        if file_type.is_socket() {
            return "a socket";
        }
        if file_type.is_block_device() || file_type.is_char_device() {
            return "a device";
        }
    }
    if file_type.is_symlink() {
        "a symbolic link"
    } else if file_type.is_dir() {
        "a folder"
    } else {
        "not a regular file"
    }
}

/// Whether a credential expiring at `expires_at`, written at `written_at`, is still worth
/// handing out at `now`: its expiry is further away than [`kaas::kubeconfig::refresh_margin`]
/// of its lifetime.
pub fn is_fresh(expires_at: SystemTime, written_at: SystemTime, now: SystemTime) -> bool {
    let lifetime = expires_at
        .duration_since(written_at)
        .unwrap_or(Duration::MAX);
    let margin = kaas::kubeconfig::refresh_margin(lifetime);
    expires_at
        .duration_since(now)
        .is_ok_and(|left| left > margin)
}

/// The `status.expirationTimestamp` of an ExecCredential (`None` when the text is not one,
/// or has none).
pub fn expiration(json: &str) -> Option<SystemTime> {
    let document: serde_json::Value = serde_json::from_str(json).ok()?;
    if document.get("kind")?.as_str()? != "ExecCredential" {
        return None;
    }
    let status = document.get("status")?;
    if status.get("token").is_none() && status.get("clientKeyData").is_none() {
        return None;
    }
    let timestamp = status.get("expirationTimestamp")?.as_str()?;
    let at = chrono::DateTime::parse_from_rfc3339(timestamp).ok()?;
    Some(SystemTime::from(at.with_timezone(&chrono::Utc)))
}

/// A cluster id or name as part of a file name: kept as it is when it only has ASCII letters,
/// digits, `.`, `_` and `-` (and does not start with `.`); otherwise those characters are kept,
/// the others become `_`, and a hash of the whole text is added so that two names never share
/// a file.
fn file_name_part(cluster: &str) -> String {
    const MAX_CHARS: usize = 100;
    let plain = cluster
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if plain && !cluster.starts_with('.') && !cluster.is_empty() && cluster.len() <= MAX_CHARS {
        return cluster.to_string();
    }
    let kept: String = cluster
        .chars()
        .take(MAX_CHARS)
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{kept}-{:016x}", fnv1a(cluster.as_bytes()))
}

/// The 64-bit FNV-1a hash: stable across runs and platforms, unlike std's hasher.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Whether others than the owner may read the file (then it is not trusted, and replaced).
#[cfg(unix)]
fn shared(metadata: &fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt as _;
    metadata.permissions().mode() & 0o077 != 0
}

/// Whether others than the owner may read the file (Unix modes only).
#[cfg(not(unix))]
fn shared(_metadata: &fs::Metadata) -> bool {
    false
}

/// Creates `dir` and its parents; `dir` and its parent (`kaas/`) get mode 0700.
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        for folder in [Some(dir), dir.parent()].into_iter().flatten() {
            let mode = fs::metadata(folder)?.permissions().mode() & 0o777;
            if mode != 0o700 {
                fs::set_permissions(folder, fs::Permissions::from_mode(0o700))?;
            }
        }
    }
    Ok(())
}

/// Writes a new file of mode 0600 (on Unix) with `text`, flushed to disk.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);

    /// A fresh folder of this test's own.
    fn folder(test: &str) -> PathBuf {
        let folder =
            std::env::temp_dir().join(format!("kaas-cli-cache-{}-{test}", std::process::id()));
        let _ = fs::remove_dir_all(&folder);
        folder
    }

    /// An ExecCredential expiring at `expires_at`.
    fn credential(expires_at: &str) -> String {
        format!(
            r#"{{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{{"token":"t","expirationTimestamp":"{expires_at}"}}}}"#
        )
    }

    #[test]
    fn the_margin_is_five_minutes_or_a_fifth_of_the_lifetime() {
        let written = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let day_long = written + 24 * 60 * MINUTE;
        assert!(is_fresh(day_long, written, day_long - 6 * MINUTE));
        assert!(!is_fresh(day_long, written, day_long - 5 * MINUTE));
        assert!(!is_fresh(day_long, written, day_long + MINUTE));
        let ten_minutes = written + 10 * MINUTE;
        assert!(is_fresh(ten_minutes, written, ten_minutes - 3 * MINUTE));
        assert!(!is_fresh(ten_minutes, written, ten_minutes - 2 * MINUTE));
        // A file written "after" its expiry (a clock set back) gets the full margin.
        assert!(!is_fresh(written, day_long, written - MINUTE));
    }

    #[test]
    fn only_an_exec_credential_with_a_secret_and_an_expiry_has_one() {
        assert_eq!(
            expiration(&credential("2030-01-02T03:04:05Z")),
            Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1_893_553_445))
        );
        for text in [
            "",
            "{",
            "[]",
            r#"{"kind":"ExecCredential","status":{"token":"t"}}"#,
            r#"{"kind":"ExecCredential","status":{"expirationTimestamp":"2030-01-02T03:04:05Z"}}"#,
            r#"{"kind":"Config","status":{"token":"t","expirationTimestamp":"2030-01-02T03:04:05Z"}}"#,
            &credential("tomorrow"),
        ] {
            assert_eq!(expiration(text), None, "{text}");
        }
    }

    #[test]
    fn odd_cluster_names_get_distinct_safe_file_names() {
        assert_eq!(
            file_name_part("bd5f5959-5e1e-4205-a714-a914373942af"),
            "bd5f5959-5e1e-4205-a714-a914373942af"
        );
        let names = ["a/b", "a_b/", "../x", ".x", "", "Été", &"x".repeat(500)];
        let parts: Vec<String> = names.iter().map(|n| file_name_part(n)).collect();
        for part in &parts {
            assert!(!part.contains('/') && !part.starts_with('.'), "{part}");
            assert!(part.len() <= 120, "{part}");
        }
        let mut unique = parts.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), parts.len(), "{parts:?}");
    }

    /// A FIFO (or any file that is not a regular file) at the cache path is refused at once,
    /// never read: reading a FIFO blocks until someone writes to it. The read runs in a
    /// thread so that, if it blocks, the test fails instead of hanging.
    #[cfg(unix)]
    #[test]
    fn a_fifo_or_a_link_at_the_cache_path_is_refused_without_blocking() {
        use std::sync::mpsc;
        let cache = Cache::at(folder("fifo").join("kaas/credentials"));
        let cluster = Key {
            account: "env:digitalocean",
            cluster: "prod",
        };
        let path = cache.path(&cluster);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        let made = std::process::Command::new("mkfifo")
            .arg(&path)
            .status()
            .unwrap();
        assert!(made.success());
        let (sender, receiver) = mpsc::channel();
        let reader = cache.clone();
        let reading = cluster;
        std::thread::spawn(move || {
            let _ = sender.send(reader.fresh(&reading, SystemTime::now()));
        });
        // A safety net only: a refusal is immediate.
        let outcome = receiver.recv_timeout(Duration::from_secs(20));
        if outcome.is_err() {
            // Release the blocked reader (a writer opening the FIFO ends its wait), then fail.
            let _ = fs::OpenOptions::new().write(true).open(&path);
            panic!("reading a FIFO at the cache path blocked");
        }
        let refused = outcome.unwrap().unwrap_err();
        assert_eq!(refused.kind, "a FIFO");
        assert_eq!(
            refused.to_string(),
            format!(
                "the cached credential {} is a FIFO, not a regular file: it is not read",
                path.display()
            )
        );
        // The next credential stored replaces it.
        let json = credential("2999-01-01T00:00:00Z");
        cache.store(&cluster, &json).unwrap();
        assert_eq!(
            cache
                .fresh(&cluster, SystemTime::now())
                .unwrap()
                .as_deref()
                .map(String::as_str),
            Some(json.as_str())
        );
        // A symbolic link is not followed, even to a good credential.
        let target = path.with_extension("target");
        fs::rename(&path, &target).unwrap();
        std::os::unix::fs::symlink(&target, &path).unwrap();
        let refused = cache.fresh(&cluster, SystemTime::now()).unwrap_err();
        assert_eq!(refused.kind, "a symbolic link");
        fs::remove_file(&path).unwrap();
        fs::create_dir(&path).unwrap();
        assert_eq!(
            cache.fresh(&cluster, SystemTime::now()).unwrap_err().kind,
            "a folder"
        );
        fs::remove_dir(&path).unwrap();
        assert!(
            cache.fresh(&cluster, SystemTime::now()).unwrap().is_none(),
            "no file"
        );
    }

    /// Two accounts with a cluster of the same id (two Commissaire servers' `prod`, say) get
    /// two files, and each is served its own credential, never the other's.
    #[test]
    fn two_accounts_with_the_same_cluster_id_never_share_a_credential() {
        let cache = Cache::at(folder("accounts").join("kaas/credentials"));
        let team_a = Key {
            account: "do:team-a",
            cluster: "prod",
        };
        let team_b = Key {
            account: "do:team-b",
            cluster: "prod",
        };
        assert_ne!(cache.path(&team_a), cache.path(&team_b));
        // Keys that would read alike once joined stay apart: `@` is never part of a part.
        let joined = |account, cluster| cache.path(&Key { account, cluster });
        assert_ne!(joined("b", "a@b"), joined("a@b", "b"));
        assert_ne!(joined("a-b", "c"), joined("a", "b-c"));
        let now = SystemTime::now();
        let credential_a = credential("2999-01-01T00:00:00Z").replace("\"t\"", "\"token-a\"");
        cache.store(&team_a, &credential_a).unwrap();
        assert!(
            cache.fresh(&team_b, now).unwrap().is_none(),
            "team-b is not served team-a's credential"
        );
        let credential_b = credential("2999-01-01T00:00:00Z").replace("\"t\"", "\"token-b\"");
        cache.store(&team_b, &credential_b).unwrap();
        let served = |key| cache.fresh(key, now).unwrap().unwrap().to_string();
        assert_eq!(served(&team_a), credential_a);
        assert_eq!(served(&team_b), credential_b);
        assert_eq!(
            cache.path(&team_a).file_name().unwrap(),
            format!("prod@do_team-a-{:016x}.json", fnv1a(b"do:team-a")).as_str()
        );
    }

    #[test]
    fn a_stored_credential_is_private_and_read_back_while_fresh() {
        let cache = Cache::at(folder("store").join("kaas/credentials"));
        let cluster = Key {
            account: "env:digitalocean",
            cluster: "a/b",
        };
        let now = SystemTime::now();
        assert!(cache.fresh(&cluster, now).unwrap().is_none());
        let json = credential("2999-01-01T00:00:00Z");
        let path = cache.store(&cluster, &json).unwrap();
        assert_eq!(path, cache.path(&cluster));
        assert_eq!(
            cache
                .fresh(&cluster, now)
                .unwrap()
                .as_deref()
                .map(String::as_str),
            Some(json.as_str())
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&path), 0o600);
            assert_eq!(mode(path.parent().unwrap()), 0o700);
            fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
            assert!(
                cache.fresh(&cluster, now).unwrap().is_none(),
                "readable by others"
            );
        }
        let stale = credential("2000-01-01T00:00:00Z");
        cache.store(&cluster, &stale).unwrap();
        assert!(cache.fresh(&cluster, now).unwrap().is_none());
        let leftovers = fs::read_dir(path.parent().unwrap()).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary file is left behind");
    }
}
