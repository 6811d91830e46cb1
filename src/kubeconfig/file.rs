//! Saving a cluster's kubeconfig into a kubeconfig file, and removing it again.
//!
//! A save merges: entries of other clusters stay (every field, including ones kaas does not
//! model, and their lines byte for byte); an entry of the same name is replaced. The file is
//! written whole to a temporary file beside it and renamed over it, so no reader ever sees half
//! a file; saves and removals hold kubectl's lock, `<file>.lock` ([`super::lock`]), so kaas,
//! kubectl and other kaas processes saving at once all land. The file's mode is 0600 (it holds
//! credentials). A save into a file with no current context makes the saved context current
//! (kubectl would otherwise reach no cluster); removing the current context empties it, and
//! says so.
//!
//! As kubectl does, a path that is a symbolic link is written through: the file it leads to
//! changes (and is created when missing), the link stays. A file or folder its owner may not
//! write is refused, even for root (which kubectl would let replace it).

use std::fs::{self, OpenOptions};
use std::io::{ErrorKind, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_yaml_ng::{Mapping, Value};
use zeroize::Zeroizing;

use super::Kubeconfig;
use super::lock;
use super::paths_on_disk::{folder_of, io_error, read_only};
use super::splice::{self, Edit};
use crate::error::{Error, Result};

/// The largest kubeconfig file read back before a merge (many clusters, each with its
/// certificates, fit well within it).
const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// How long a save waits for another program's lock by default: kubectl holds it for the
/// moment of one write.
const LOCK_TIMEOUT: Duration = Duration::from_secs(3);

/// The most symbolic links followed from the path to the file (Linux's own limit).
const MAX_LINKS: usize = 40;

/// The three lists a kubeconfig merges by name.
const LISTS: [&str; 3] = ["clusters", "contexts", "users"];

/// A kubeconfig file on disk: `$KUBECONFIG`'s first path or `~/.kube/config`
/// ([`KubeconfigFile::from_env`]), or any path ([`KubeconfigFile::new`]).
///
/// ```no_run
/// # fn demo(kubeconfig: kaas::Kubeconfig) -> kaas::Result<()> {
/// use kaas::kubeconfig::{KubeconfigFile, SaveOptions};
/// let file = KubeconfigFile::from_env()?;
/// let saved = file.save(&kubeconfig, &SaveOptions::default().context_name("do-nyc1-prod").set_current(true))?;
/// println!("{} now has {:?}", file.path().display(), saved.contexts);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KubeconfigFile {
    path: PathBuf,
    lock_timeout: Duration,
}

/// How a kubeconfig is saved into a file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SaveOptions {
    context_name: Option<String>,
    /// `None`: only when the file has no current context.
    set_current: Option<bool>,
}

impl SaveOptions {
    /// Names the saved context `name`, its cluster `name` and its user `name-admin` (when the
    /// kubeconfig has one context, as the providers' kubeconfigs do), so that saving the same
    /// cluster again replaces its entries instead of adding new ones.
    pub fn context_name(mut self, name: impl Into<String>) -> Self {
        self.context_name = Some(name.into());
        self
    }

    /// `true`: makes the saved context the file's `current-context`; `false`: leaves the
    /// file's `current-context` as it is. Unset (the default), the saved context becomes
    /// current only when the file has none (no `current-context`, or an empty one), as in a
    /// new file: kubectl would otherwise have no cluster to talk to and try `localhost:8080`.
    /// [`Saved::current_context`] says whether it did.
    pub fn set_current(mut self, set_current: bool) -> Self {
        self.set_current = Some(set_current);
        self
    }
}

/// What a save did.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Saved {
    /// The contexts saved.
    pub contexts: Vec<String>,
    /// The entries (`clusters/<name>`, `contexts/<name>`, `users/<name>`) that replaced ones of
    /// the same name.
    pub replaced: Vec<String>,
    /// Whether the untouched parts of the file kept their exact text. `false` when the file's
    /// layout (flow-style lists with entries, tabs, several documents) made kaas write the
    /// whole file anew: every value is kept, comments and formatting are not.
    pub text_preserved: bool,
    /// The context this save made the file's `current-context`, if it did (asked to, or
    /// because the file had none).
    pub current_context: Option<String>,
}

/// What a removal did, when the context was there.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Removed {
    /// Whether the context was the file's `current-context`, which is now empty: kubectl
    /// needs `kubectl config use-context <name>` (or `--context`) before it reaches a
    /// cluster again.
    pub was_current: bool,
}

impl KubeconfigFile {
    /// The file at `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        KubeconfigFile {
            path: path.into(),
            lock_timeout: LOCK_TIMEOUT,
        }
    }

    /// How long a save or removal waits for another program's lock on the file (kubectl's
    /// `<file>.lock`) to go before failing with [`Error::KubeconfigLocked`]; 3 seconds unless
    /// set.
    pub fn lock_timeout(mut self, timeout: Duration) -> Self {
        self.lock_timeout = timeout;
        self
    }

    /// The file kubectl uses: the first path of `$KUBECONFIG`, else `~/.kube/config`.
    pub fn from_env() -> Result<Self> {
        if let Some(list) = std::env::var_os("KUBECONFIG")
            && let Some(first) = std::env::split_paths(&list).find(|p| !p.as_os_str().is_empty())
        {
            return Ok(Self::new(first));
        }
        let home = std::env::var_os("HOME")
            .or_else(|| std::env::var_os("USERPROFILE"))
            .filter(|home| !home.is_empty())
            .ok_or_else(|| {
                Error::InvalidInput("no kubeconfig file: neither KUBECONFIG nor HOME is set".into())
            })?;
        Ok(Self::new(Path::new(&home).join(".kube").join("config")))
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Merges `kubeconfig` into the file (created, with its folder, if missing).
    pub fn save(&self, kubeconfig: &Kubeconfig, options: &SaveOptions) -> Result<Saved> {
        let incoming = parse_document(kubeconfig.expose_yaml(), "the kubeconfig to save")?;
        let incoming = match &options.context_name {
            Some(name) => renamed(incoming, name)?,
            None => incoming,
        };
        let contexts = names(&incoming, "contexts");
        let mut edits: Vec<Edit> = LISTS
            .iter()
            .flat_map(|list| {
                entries(&incoming, list)
                    .into_iter()
                    .map(move |entry| Edit::Upsert { list, entry })
            })
            .collect();
        // The context to make current: the only one, else the kubeconfig's own current one.
        let chosen = match contexts.as_slice() {
            [only] => Some(only.clone()),
            _ => incoming
                .get("current-context")
                .and_then(Value::as_str)
                .filter(|c| contexts.iter().any(|n| n == c))
                .map(str::to_string),
        };
        let if_none = match options.set_current {
            Some(true) => {
                let current = chosen.ok_or_else(|| {
                    Error::InvalidInput(
                        "set_current needs a kubeconfig with one context, or whose current-context is one of its contexts".into(),
                    )
                })?;
                edits.push(Edit::CurrentContext(current));
                None
            }
            Some(false) => None,
            None => chosen,
        };
        let outcome = self.edit(edits, if_none)?;
        Ok(Saved {
            contexts,
            replaced: outcome.replaced,
            text_preserved: outcome.text_preserved,
            current_context: outcome.current_context,
        })
    }

    /// Removes the context `context` and the cluster and user entries it uses (unless another
    /// context uses them too); a `current-context` naming it is emptied
    /// ([`Removed::was_current`]). `None` when the context was not there.
    pub fn remove(&self, context: &str) -> Result<Option<Removed>> {
        self.locked(|target| remove_from(target, context))
    }

    /// Makes `edits` under the lock: read, edit, check, write atomically; and makes `if_none`
    /// the current context when the file has none.
    fn edit(&self, mut edits: Vec<Edit>, if_none: Option<String>) -> Result<Outcome> {
        self.locked(|target| {
            let text = read(target)?.unwrap_or_default();
            let document = if text.trim().is_empty() {
                new_document()
            } else {
                parse_document(&text, "the kubeconfig file")?
            };
            let has_current = document
                .get("current-context")
                .and_then(Value::as_str)
                .is_some_and(|name| !name.is_empty());
            if let Some(name) = if_none.filter(|_| !has_current) {
                edits.push(Edit::CurrentContext(name));
            }
            write_edited(target, &text, &document, &edits)
        })
    }

    /// Runs `change` on the file the path leads to (through its symbolic links), holding
    /// kubectl's locks on the path and on that file.
    fn locked<T>(&self, change: impl FnOnce(&Path) -> Result<T>) -> Result<T> {
        let target = resolve(&self.path)?;
        let _locks = lock::lock_all(&[&self.path, &target], self.lock_timeout)?;
        change(&target)
    }
}

/// Removes `context` and the entries only it uses from the file `target`.
fn remove_from(target: &Path, context: &str) -> Result<Option<Removed>> {
    let Some(text) = read(target)? else {
        return Ok(None);
    };
    let document = parse_document(&text, "the kubeconfig file")?;
    let Some(removed) = entries(&document, "contexts")
        .into_iter()
        .find(|entry| entry_name(entry) == Some(context))
    else {
        return Ok(None);
    };
    let uses = |field: &str| {
        removed
            .get("context")
            .and_then(|c| c.get(field))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let still_used = |field: &str, name: &str| {
        entries(&document, "contexts").iter().any(|entry| {
            entry_name(entry) != Some(context)
                && entry
                    .get("context")
                    .and_then(|c| c.get(field))
                    .and_then(Value::as_str)
                    == Some(name)
        })
    };
    let mut edits = vec![Edit::Remove {
        list: "contexts",
        name: context.to_string(),
    }];
    for (list, field) in [("clusters", "cluster"), ("users", "user")] {
        if let Some(name) = uses(field).filter(|name| !still_used(field, name)) {
            edits.push(Edit::Remove { list, name });
        }
    }
    let was_current = document.get("current-context").and_then(Value::as_str) == Some(context);
    if was_current {
        edits.push(Edit::CurrentContext(String::new()));
    }
    write_edited(target, &text, &document, &edits)?;
    Ok(Some(Removed { was_current }))
}

/// Applies `edits` to the text when the line editor can and its result means exactly what
/// the edited document means; otherwise writes the edited document anew.
fn write_edited(target: &Path, text: &str, document: &Value, edits: &[Edit]) -> Result<Outcome> {
    let mut expected = document.clone();
    let replaced = edit_document(&mut expected, edits);
    let spliced = if text.trim().is_empty() {
        None
    } else {
        splice::apply(text, edits).map(Zeroizing::new)
    };
    let (output, text_preserved) = match spliced {
        Some(spliced)
            if serde_yaml_ng::from_str::<Value>(&spliced).ok().as_ref() == Some(&expected) =>
        {
            (spliced, true)
        }
        _ => {
            let whole = serde_yaml_ng::to_string(&expected).map_err(|_| {
                Error::Kubeconfig("the merged kubeconfig could not be written as YAML".into())
            })?;
            (Zeroizing::new(whole), text.trim().is_empty())
        }
    };
    write(target, &output)?;
    let current_context = edits.iter().find_map(|edit| match edit {
        Edit::CurrentContext(name) if !name.is_empty() => Some(name.clone()),
        _ => None,
    });
    Ok(Outcome {
        replaced,
        text_preserved,
        current_context,
    })
}

/// Where writes to `path` land: the path itself, or the file its symbolic links lead to
/// (kubectl's `os.WriteFile` writes through them), which may not exist yet.
fn resolve(path: &Path) -> Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match fs::symlink_metadata(&current) {
            Ok(metadata) if metadata.file_type().is_symlink() => {
                let leads_to = fs::read_link(&current)
                    .map_err(|e| io_error("follow the link", &current, e))?;
                // A relative target is relative to the link's folder.
                current = current.parent().unwrap_or(Path::new("")).join(leads_to);
            }
            Ok(_) => return Ok(current),
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(current),
            Err(e) => return Err(io_error("read", &current, e)),
        }
    }
    Err(Error::KubeconfigFile {
        action: "follow the symbolic links of".into(),
        path: path.into(),
        reason: format!("more than {MAX_LINKS} links in a row (a loop?)"),
        source: None,
    })
}

/// The file's text, `None` when it does not exist. Anything but a regular file (a FIFO, a
/// device, a folder) is refused without blocking: the file is opened non-blocking and its type
/// read from the open file.
fn read(path: &Path) -> Result<Option<Zeroizing<String>>> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    let file = match options.open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error("read", path, e)),
    };
    let metadata = file.metadata().map_err(|e| io_error("read", path, e))?;
    if !metadata.is_file() {
        return Err(Error::KubeconfigFile {
            action: "read".into(),
            path: path.into(),
            reason: "not a regular file (a FIFO, a device or a folder): a kubeconfig is a file"
                .into(),
            source: None,
        });
    }
    let mut text = Zeroizing::new(String::new());
    file.take(MAX_FILE_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(|e| io_error("read", path, e))?;
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(Error::Kubeconfig(format!(
            "{} is larger than {} MiB: not merged",
            path.display(),
            MAX_FILE_BYTES / (1024 * 1024)
        )));
    }
    Ok(Some(text))
}

/// Writes `text` to a temporary file (mode 0600) beside `target`, then renames it over. A
/// `target` its owner may not write is left alone.
fn write(target: &Path, text: &str) -> Result<()> {
    if let Ok(metadata) = fs::metadata(target)
        && let Some(why) = read_only(&metadata, false)
    {
        return Err(Error::KubeconfigFile {
            action: "replace".into(),
            path: target.into(),
            reason: format!(
                "permission denied (the file is read-only, {why}; make it writable to let kaas change it)"
            ),
            source: None,
        });
    }
    let mut name = std::ffi::OsString::from(".");
    name.push(target.file_name().unwrap_or_default());
    name.push(format!(
        ".kaas-{}-{}.tmp",
        std::process::id(),
        fastrand::u64(..)
    ));
    let temporary = folder_of(target).join(name);
    let written = (|| {
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&temporary)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        fs::rename(&temporary, target)
    })();
    if let Err(e) = written {
        let _ = fs::remove_file(&temporary);
        return Err(io_error("write", target, e));
    }
    Ok(())
}

/// What [`KubeconfigFile::edit`] did.
struct Outcome {
    replaced: Vec<String>,
    text_preserved: bool,
    /// The context made current, if any.
    current_context: Option<String>,
}

/// A kubeconfig document: a YAML mapping. Errors say where, never what (it holds secrets).
fn parse_document(text: &str, what: &str) -> Result<Value> {
    let document: Value = serde_yaml_ng::from_str(text).map_err(|e| {
        Error::Kubeconfig(format!(
            "{what} is not YAML ({})",
            e.location().map_or("no position".into(), |l| format!(
                "line {}, column {}",
                l.line(),
                l.column()
            ))
        ))
    })?;
    match document {
        Value::Mapping(_) => Ok(document),
        Value::Null => Ok(new_document()),
        _ => Err(Error::Kubeconfig(format!(
            "{what} is not a kubeconfig (not a mapping)"
        ))),
    }
}

/// An empty kubeconfig, as kubectl writes one.
fn new_document() -> Value {
    let mut document = Mapping::new();
    document.insert("apiVersion".into(), "v1".into());
    document.insert("kind".into(), "Config".into());
    document.insert("preferences".into(), Value::Mapping(Mapping::new()));
    Value::Mapping(document)
}

fn entries(document: &Value, list: &str) -> Vec<Value> {
    match document.get(list) {
        Some(Value::Sequence(entries)) => entries.clone(),
        _ => Vec::new(),
    }
}

fn entry_name(entry: &Value) -> Option<&str> {
    entry.get("name").and_then(Value::as_str)
}

fn names(document: &Value, list: &str) -> Vec<String> {
    entries(document, list)
        .iter()
        .filter_map(|entry| entry_name(entry).map(str::to_string))
        .collect()
}

/// The kubeconfig with its one context named `name`, the cluster it uses `name` and the user
/// it uses `name-admin`.
fn renamed(mut document: Value, name: &str) -> Result<Value> {
    if name.trim().is_empty() || name.contains(['\n', '\r']) {
        return Err(Error::InvalidInput(
            "a context name must be a non-empty single line".into(),
        ));
    }
    let [context] = entries(&document, "contexts").try_into().map_err(|_| {
        Error::InvalidInput("context_name needs a kubeconfig with exactly one context".into())
    })?;
    let field = |field: &str| {
        context
            .get("context")
            .and_then(|c| c.get(field))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let (old_cluster, old_user) = (field("cluster"), field("user"));
    let user = format!("{name}-admin");
    let Value::Mapping(map) = &mut document else {
        return Ok(document);
    };
    rename_entry(map, "clusters", old_cluster.as_deref(), name);
    rename_entry(map, "users", old_user.as_deref(), &user);
    if let Some(Value::Sequence(contexts)) = map.get_mut("contexts")
        && let Some(Value::Mapping(entry)) = contexts.first_mut()
    {
        entry.insert("name".into(), name.into());
        if let Some(Value::Mapping(inner)) = entry.get_mut("context") {
            if old_cluster.is_some() {
                inner.insert("cluster".into(), name.into());
            }
            if old_user.is_some() {
                inner.insert("user".into(), user.as_str().into());
            }
        }
    }
    if let Some(current) = map.get_mut("current-context") {
        *current = name.into();
    }
    Ok(document)
}

/// Renames the entry `old` of `list` to `new`.
fn rename_entry(map: &mut Mapping, list: &str, old: Option<&str>, new: &str) {
    let (Some(old), Some(Value::Sequence(entries))) = (old, map.get_mut(list)) else {
        return;
    };
    for entry in entries {
        if entry_name(entry) == Some(old)
            && let Value::Mapping(entry) = entry
        {
            entry.insert("name".into(), new.into());
        }
    }
}

/// Makes `edits` on the parsed document: what the file must mean afterwards. Returns the
/// entries replaced.
fn edit_document(document: &mut Value, edits: &[Edit]) -> Vec<String> {
    let mut replaced = Vec::new();
    let Value::Mapping(map) = document else {
        return replaced;
    };
    for edit in edits {
        match edit {
            Edit::Upsert { list, entry } => {
                let slot = map
                    .entry((*list).into())
                    .or_insert_with(|| Value::Sequence(Vec::new()));
                if !slot.is_sequence() {
                    *slot = Value::Sequence(Vec::new());
                }
                let Value::Sequence(entries) = slot else {
                    continue;
                };
                match entries
                    .iter_mut()
                    .find(|e| entry_name(e) == edit.entry_name())
                {
                    Some(existing) => {
                        *existing = entry.clone();
                        replaced.push(format!("{list}/{}", edit.entry_name().unwrap_or("")));
                    }
                    None => entries.push(entry.clone()),
                }
            }
            Edit::Remove { list, name } => {
                if let Some(Value::Sequence(entries)) = map.get_mut(*list) {
                    entries.retain(|e| entry_name(e) != Some(name.as_str()));
                }
            }
            Edit::CurrentContext(name) => {
                map.insert("current-context".into(), name.as_str().into());
            }
        }
    }
    replaced
}
