//! Where accounts are read from: the environment (the process's, or a test's map) and the
//! files of kaas, doctl and oks-cli, each path found as its tool finds it, and replaceable.

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// How long a credential command may run by default.
pub const DEFAULT_CREDENTIAL_TIMEOUT: Duration = Duration::from_secs(30);

/// The environment variables kaas reads: the process's, or a map (tests). A variable set to
/// an empty or blank value counts as unset (`FOO= cmd` means "no FOO"). `Debug` shows no value.
#[derive(Clone)]
pub struct Environment(Arc<Lookup>);

/// How an [`Environment`] finds a variable.
type Lookup = dyn Fn(&str) -> Option<String> + Send + Sync;

impl Environment {
    /// The process's environment.
    pub fn system() -> Self {
        Environment::from_fn(|name| std::env::var(name).ok())
    }

    /// The variables `lookup` gives.
    pub fn from_fn(lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Self {
        Environment(Arc::new(lookup))
    }

    /// No variable at all.
    pub fn empty() -> Self {
        Environment::from_fn(|_| None)
    }

    /// Exactly these variables.
    pub fn from_pairs<I, K, V>(pairs: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        let map: HashMap<String, String> = pairs
            .into_iter()
            .map(|(name, value)| (name.into(), value.into()))
            .collect();
        Environment::from_fn(move |name| map.get(name).cloned())
    }

    /// The variable's value, `None` when unset, empty or blank.
    pub fn get(&self, name: &str) -> Option<String> {
        (self.0)(name).filter(|value| !value.trim().is_empty())
    }

    /// Whether a switch variable is on: set, and not `0`, `false` or `no`.
    pub fn is_on(&self, name: &str) -> bool {
        self.get(name).is_some_and(|value| {
            !matches!(
                value.trim().to_ascii_lowercase().as_str(),
                "0" | "false" | "no"
            )
        })
    }

    /// An absolute path from a variable (a relative one is ignored, as Go and the XDG spec do).
    fn absolute(&self, name: &str) -> Option<PathBuf> {
        self.get(name)
            .map(PathBuf::from)
            .filter(|path| path.is_absolute())
    }
}

impl fmt::Debug for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Environment(..)")
    }
}

/// The files accounts are read from; `None` skips a source. [`ConfigPaths::find`] finds them
/// as each tool does; tests point them at a temporary folder.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConfigPaths {
    /// kaas's file: `$XDG_CONFIG_HOME/kaas/config.toml`, else `kaas/config.toml` in the
    /// platform's configuration folder (`~/.config` on Linux and BSDs, `~/Library/Application
    /// Support` on macOS, `%APPDATA%` on Windows).
    pub kaas: Option<PathBuf>,
    /// doctl's file: `$DIGITALOCEAN_CONFIG` (doctl's `--config` through its environment
    /// prefix), else `doctl/config.yaml` in Go's `os.UserConfigDir()`: `$XDG_CONFIG_HOME` or
    /// `~/.config` on Linux and BSDs, `~/Library/Application Support` on macOS, `%APPDATA%` on
    /// Windows (digitalocean/doctl `commands/doit.go`: `defaultConfigHome`, `initConfig`).
    pub doctl: Option<PathBuf>,
    /// oks-cli's file: `~/.oks_cli/config.json` (outscale/oks-cli `oks_cli/utils.py`:
    /// `get_config_path`; it has no variable for another place).
    pub oks_cli: Option<PathBuf>,
    /// The home folder, for `~/` in kaas's file.
    pub home: Option<PathBuf>,
}

impl ConfigPaths {
    /// The paths the tools use, from `environment` (`HOME` or `USERPROFILE`,
    /// `XDG_CONFIG_HOME`, `APPDATA`, `DIGITALOCEAN_CONFIG`).
    pub fn find(environment: &Environment) -> Self {
        let home = if cfg!(windows) {
            environment.absolute("USERPROFILE")
        } else {
            environment.absolute("HOME")
        };
        // Go's os.UserConfigDir, which doctl uses.
        let go_config_dir = if cfg!(windows) {
            environment.absolute("APPDATA")
        } else if cfg!(target_os = "macos") {
            home.as_ref()
                .map(|home| home.join("Library").join("Application Support"))
        } else {
            environment
                .absolute("XDG_CONFIG_HOME")
                .or_else(|| home.as_ref().map(|home| home.join(".config")))
        };
        let kaas_dir = environment
            .absolute("XDG_CONFIG_HOME")
            .or_else(|| go_config_dir.clone());
        ConfigPaths {
            kaas: kaas_dir.map(|dir| dir.join("kaas").join("config.toml")),
            doctl: environment
                .get("DIGITALOCEAN_CONFIG")
                .map(PathBuf::from)
                .or_else(|| go_config_dir.map(|dir| dir.join("doctl").join("config.yaml"))),
            oks_cli: home
                .as_ref()
                .map(|home| home.join(".oks_cli").join("config.json")),
            home,
        }
    }
}

/// Everything [`Accounts::load`](super::Accounts::load) reads: an environment and the files.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Sources {
    /// The environment: its variables are a source of accounts, credentials and switches.
    pub environment: Environment,
    /// The files.
    pub paths: ConfigPaths,
    /// How long a credential command may run, unless kaas's file says otherwise.
    pub credential_timeout: Duration,
}

impl Sources {
    /// The process's environment and the files its variables point at.
    pub fn system() -> Self {
        Sources::new(Environment::system())
    }

    /// `environment` and the files its variables point at (see [`ConfigPaths::find`]).
    pub fn new(environment: Environment) -> Self {
        let paths = ConfigPaths::find(&environment);
        Sources {
            environment,
            paths,
            credential_timeout: DEFAULT_CREDENTIAL_TIMEOUT,
        }
    }

    /// The same environment, with these files.
    pub fn with_paths(mut self, paths: ConfigPaths) -> Self {
        self.paths = paths;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_variables_are_unset_and_switches_read_as_people_write_them() {
        let environment = Environment::from_pairs([
            ("BLANK", " "),
            ("ON", "1"),
            ("YES", "yes"),
            ("OFF", "0"),
            ("FALSE", "False"),
        ]);
        assert_eq!(environment.get("BLANK"), None);
        assert!(environment.is_on("ON") && environment.is_on("YES"));
        assert!(!environment.is_on("OFF") && !environment.is_on("FALSE"));
        assert!(!environment.is_on("BLANK") && !environment.is_on("UNSET"));
        assert_eq!(format!("{environment:?}"), "Environment(..)");
    }

    #[cfg(all(unix, not(target_os = "macos")))]
    #[test]
    fn the_files_are_found_where_each_tool_looks() {
        let home = Environment::from_pairs([("HOME", "/home/u")]);
        assert_eq!(
            ConfigPaths::find(&home),
            ConfigPaths {
                kaas: Some("/home/u/.config/kaas/config.toml".into()),
                doctl: Some("/home/u/.config/doctl/config.yaml".into()),
                oks_cli: Some("/home/u/.oks_cli/config.json".into()),
                home: Some("/home/u".into()),
            }
        );
        let xdg = Environment::from_pairs([
            ("HOME", "/home/u"),
            ("XDG_CONFIG_HOME", "/xdg"),
            ("DIGITALOCEAN_CONFIG", "/elsewhere/doctl.yaml"),
        ]);
        let paths = ConfigPaths::find(&xdg);
        assert_eq!(paths.kaas, Some("/xdg/kaas/config.toml".into()));
        assert_eq!(paths.doctl, Some("/elsewhere/doctl.yaml".into()));
        // A relative XDG_CONFIG_HOME is ignored, as the XDG spec and Go say.
        let relative = Environment::from_pairs([("HOME", "/home/u"), ("XDG_CONFIG_HOME", "rel")]);
        assert_eq!(
            ConfigPaths::find(&relative).kaas,
            Some("/home/u/.config/kaas/config.toml".into())
        );
        assert_eq!(
            ConfigPaths::find(&Environment::empty()),
            ConfigPaths::default()
        );
    }
}
