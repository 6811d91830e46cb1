//! `kaas kubeconfig save` and `kaas kubeconfig remove`: a cluster's entries in a kubeconfig
//! file.

use std::path::PathBuf;
use std::time::Duration;

use kaas::inventory::ClusterRef;
use kaas::kubeconfig::{KubeconfigFile, SaveOptions};

use crate::accounts;
use crate::duration;
use crate::failure::{self, Failure};
use crate::output;

/// The command an `--exec` user runs. A plain name, looked up on kubectl's PATH as `aws`,
/// `doctl` and `gke-gcloud-auth-plugin` users are, rather than this program's own path: the
/// kubeconfig keeps working when kaas is reinstalled elsewhere (another toolchain, another
/// `cargo install` root) and when the file is shared between machines; a path into
/// `target/debug` would break on the next `cargo clean`.
const EXEC_COMMAND: &str = "kaas";

/// The lifetime asked for the kubeconfig an `--exec` save takes its cluster entry from: its
/// own credential is dropped, so it should not outlive the save by much.
const EXEC_SKELETON_LIFETIME: Duration = Duration::from_secs(60);

/// What `kaas kubeconfig save` was asked.
#[derive(Debug)]
pub struct Save {
    /// The cluster.
    pub cluster: ClusterRef,
    /// Save a user running `kaas credential` instead of the kubeconfig's credentials.
    pub exec: bool,
    /// Make the context current.
    pub set_current: bool,
    /// The credentials' lifetime, when given.
    pub lifetime: Option<Duration>,
    /// The kubeconfig file, when given.
    pub file: Option<PathBuf>,
}

/// Fetches the cluster's kubeconfig and merges it into the kubeconfig file as context
/// [`kaas::inventory::ClusterSummary::context_name`], current when asked or when the file had
/// no current context; says on stdout what was saved.
pub async fn save(save: Save, selected: &[String]) -> Result<(), Failure> {
    let file = target(save.file)?;
    let inventory = accounts::inventory(selected, accounts::Warnings::Show)?;
    let summary = inventory.find(&save.cluster).await?;
    // With --exec the kubeconfig's own credential is thrown away: ask for the shortest one.
    let lifetime = if save.exec {
        Some(EXEC_SKELETON_LIFETIME)
    } else {
        save.lifetime
    };
    let mut kubeconfig = inventory.kubeconfig(&summary, lifetime).await?;
    let mut exec_line = None;
    if save.exec {
        // The account, not the provider: it stays this account's when another account of the
        // provider is added. The id, not the name: it stays the same cluster's when another
        // takes the name.
        let cluster = format!("{}/{}", summary.account, summary.id);
        let mut args = vec!["credential".to_string(), cluster];
        if let Some(lifetime) = save.lifetime {
            args.extend(["--lifetime".to_string(), duration::show(lifetime)]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        kubeconfig = kubeconfig.with_exec_user(EXEC_COMMAND, &args)?;
        exec_line = Some(format!(
            "its user runs `{EXEC_COMMAND} {}` for credentials\n",
            args.join(" ")
        ));
        if !on_path(EXEC_COMMAND) {
            output::warn(&format!(
                "warning: `{EXEC_COMMAND}` is not on PATH: kubectl will not find it until it is"
            ));
        }
    }
    let context = summary.context_name();
    let mut options = SaveOptions::default().context_name(context.as_str());
    // Without --set-current: current only when the file has no current context.
    if save.set_current {
        options = options.set_current(true);
    }
    let saved = file.save(&kubeconfig, &options)?;
    let mut text = format!(
        "saved context {} in {}\n",
        output::printable(&saved.contexts.join(", ")),
        file.path().display()
    );
    if !saved.replaced.is_empty() {
        text.push_str(&format!(
            "replaced {}\n",
            output::printable(&saved.replaced.join(", "))
        ));
    }
    if let Some(line) = exec_line {
        text.push_str(&line);
    }
    if let Some(current) = &saved.current_context {
        let current = output::printable(current);
        if save.set_current {
            text.push_str(&format!("current context is now {current}\n"));
        } else {
            text.push_str(&format!(
                "current context is now {current} (the file had none)\n"
            ));
        }
    }
    if !saved.text_preserved {
        output::warn(&format!(
            "note: {} was rewritten whole (its layout could not be edited in place): every value is kept, its comments and formatting are not",
            file.path().display()
        ));
    }
    output::print(&text)
}

/// Which context `kaas kubeconfig remove` takes out.
#[derive(Debug)]
pub enum Which {
    /// The context of this cluster, found at its provider.
    Cluster(ClusterRef),
    /// The context of this name (a cluster the provider no longer has).
    Context(String),
}

/// Removes the context, and the cluster and user entries only it used, from the kubeconfig
/// file; says on stdout what it did, and when the file is left without a current context. A
/// context that is not there is no error.
pub async fn remove(
    which: Which,
    file: Option<PathBuf>,
    selected: &[String],
) -> Result<(), Failure> {
    let file = target(file)?;
    let context = match which {
        Which::Context(context) => context,
        Which::Cluster(cluster) => {
            let inventory = accounts::inventory(selected, accounts::Warnings::Show)?;
            match inventory.find(&cluster).await {
                Ok(summary) => summary.context_name(),
                Err(error) if error.is_not_found() => {
                    return Err(Failure::new(
                        failure::code_of(&error),
                        format!(
                            "{error}; to remove the context of a cluster that is gone, name it: kaas kubeconfig remove --context <name>"
                        ),
                    ));
                }
                Err(error) => return Err(error.into()),
            }
        }
    };
    let shown = output::printable(&context);
    let text = match file.remove(&context)? {
        Some(removed) => {
            let mut text = format!("removed context {shown} from {}\n", file.path().display());
            if removed.was_current {
                text.push_str(
                    "it was the current context: the file has none now; choose one with `kubectl config use-context <name>`\n",
                );
            }
            text
        }
        None => format!(
            "no context {shown} in {}: nothing removed\n",
            file.path().display()
        ),
    };
    output::print(&text)
}

/// The kubeconfig file: `--file`, else `$KUBECONFIG`'s first path, else `~/.kube/config`.
fn target(file: Option<PathBuf>) -> Result<KubeconfigFile, Failure> {
    Ok(match file {
        Some(path) => KubeconfigFile::new(path),
        None => KubeconfigFile::from_env()?,
    })
}

/// Whether `command` is an executable file in one of PATH's folders.
fn on_path(command: &str) -> bool {
    let Some(path) = std::env::var_os("PATH") else {
        return false;
    };
    let names: &[String] = &[
        command.to_string(),
        format!("{command}{}", std::env::consts::EXE_SUFFIX),
    ];
    std::env::split_paths(&path).any(|dir| names.iter().any(|name| is_executable(&dir.join(name))))
}

/// Whether `path` is a file this user may run.
#[cfg(unix)]
fn is_executable(path: &std::path::Path) -> bool {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Whether `path` is a file (Windows has no execute bit).
#[cfg(not(unix))]
fn is_executable(path: &std::path::Path) -> bool {
    path.is_file()
}
