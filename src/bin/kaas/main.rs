//! The `kaas` command: every cluster of every configured provider in one list, kubeconfigs
//! saved into a kubeconfig file, short-lived credentials for kubectl, and waiting for a
//! cluster to reach a state. A thin layer over the `kaas` library.

mod accounts;
mod cache;
mod clusters;
mod credential;
mod duration;
mod failure;
mod kubeconfig;
mod manual;
mod output;
mod wait;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use kaas::inventory::{ClusterRef, ClusterState};

use crate::failure::{Code, Failure};

/// Every cluster of every account you keep at the Kubernetes-as-a-service providers
/// (DigitalOcean, OUTSCALE OKS, Cloud66, Commissaire; doctl's contexts and oks-cli's profiles
/// included): list them, save their kubeconfigs, hand kubectl their credentials, wait for them.
#[derive(Debug, Parser)]
#[command(name = "kaas", version, after_help = manual::SUMMARY, after_long_help = manual::MANUAL)]
struct Cli {
    /// Work with this account only (repeatable; `kaas accounts` lists them) [env: KAAS_ACCOUNT,
    /// comma-separated].
    #[arg(
        long = "account",
        value_name = "NAME",
        global = true,
        env = "KAAS_ACCOUNT",
        value_delimiter = ',',
        hide_env = true
    )]
    accounts: Vec<String>,
    /// What to do.
    #[command(subcommand)]
    command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
enum Command {
    /// List every cluster of every account.
    ///
    /// Sorted by account then name. `json` and `yaml` give a list of objects with account,
    /// provider, name, id, location, kubernetes_version, state, raw_state, node_count,
    /// api_endpoint and created_at (null when the provider does not say). An account that
    /// fails is one line on stderr naming it, and the exit code 3; the others are still
    /// listed.
    Clusters {
        /// How to print the list.
        #[arg(short, long, value_enum, default_value_t = output::Format::Table)]
        output: output::Format,
    },
    /// List every account: kaas's own file, the environment, doctl's contexts, oks-cli's
    /// profiles.
    ///
    /// In the order they are merged (the first to name an account wins): name, provider,
    /// region or base URL, source, origin (file:line or $VARIABLE), the kind of credential and
    /// where it is kept (a variable, a file, a command, inline), and whether doctl or oks-cli
    /// uses it now. Never the credential. A broken doctl or oks-cli file is a warning on
    /// stderr naming the file and line.
    Accounts {
        /// How to print the list.
        #[arg(short, long, value_enum, default_value_t = output::Format::Table)]
        output: output::Format,
    },
    /// Save a cluster's kubeconfig into a kubeconfig file, or remove it.
    #[command(subcommand)]
    Kubeconfig(KubeconfigCommand),
    /// Print a credential for the cluster as kubectl's credential plugins do (an
    /// ExecCredential, client.authentication.k8s.io/v1), from a cache while it is fresh.
    ///
    /// What kubectl runs for a user saved with `kaas kubeconfig save --exec`. The cache (see
    /// `kaas --help`) serves the credential until 5 minutes, or a fifth of its lifetime,
    /// before it expires.
    Credential {
        /// The cluster: <account>/<id or name>, e.g. do:team-a/prod-cluster-01, or
        /// <provider>/<id or name> when the provider has one account.
        #[arg(value_parser = cluster_ref)]
        cluster: ClusterRef,
        /// How long a newly fetched credential lasts (90s, 15m, 1h, 7d).
        #[arg(long, value_parser = duration::parse, default_value = "1h")]
        lifetime: Duration,
        /// Fetch a new credential even when the cache holds a fresh one (one the cluster
        /// refuses, say), and cache it.
        #[arg(long)]
        no_cache: bool,
    },
    /// Wait until a cluster reaches a state.
    ///
    /// Reads the cluster every interval (and once more at the timeout) until it is in the
    /// state: provisioning, running, upgrading, degraded, failed, deleting or deleted. Stops
    /// on `failed` (exit code 6) and on the timeout (5); waiting for `deleted`, a cluster no
    /// longer found is deleted. A spinner shows the time waited and the last state when
    /// stderr is a terminal.
    Wait {
        /// The cluster: <account>/<id or name> (or <provider>/<id or name>).
        #[arg(value_parser = cluster_ref)]
        cluster: ClusterRef,
        /// The state to wait for.
        #[arg(long, value_parser = wait::state_parser())]
        until: ClusterState,
        /// How long to wait at most.
        #[arg(long, value_parser = duration::parse, default_value = "30m")]
        timeout: Duration,
        /// How long between two reads of the cluster.
        #[arg(long, value_parser = duration::parse, default_value = "10s")]
        interval: Duration,
    },
}

/// `kaas kubeconfig` commands.
#[derive(Debug, Subcommand)]
enum KubeconfigCommand {
    /// Save the cluster's kubeconfig into the kubeconfig file, as context
    /// do-<region>-<name>, oks-<name>, ... (followed by @<account> for an account of kaas's
    /// file, doctl or oks-cli)
    ///
    /// DigitalOcean and OKS clusters have one. The context becomes current with
    /// --set-current, and without it when the file has no current context (plain kubectl
    /// would otherwise reach no cluster); the output says so.
    Save {
        /// The cluster: <account>/<id or name> (or <provider>/<id or name>).
        #[arg(value_parser = cluster_ref)]
        cluster: ClusterRef,
        /// Save a user that runs `kaas credential <account>/<id>` for each new credential
        /// (kaas must be on kubectl's PATH, finding the account's configuration there) instead
        /// of the kubeconfig's own credentials.
        #[arg(long)]
        exec: bool,
        /// Make the saved context the current one (without it: only when the file has none).
        #[arg(long)]
        set_current: bool,
        /// How long the credentials last (90s, 15m, 1h, 7d); the provider's default when not
        /// given (DigitalOcean: 7 days). With --exec, passed on to `kaas credential`.
        #[arg(long, value_parser = duration::parse)]
        lifetime: Option<Duration>,
        /// The kubeconfig file [default: $KUBECONFIG's first path, else ~/.kube/config].
        #[arg(long)]
        file: Option<PathBuf>,
    },
    /// Remove the cluster's context (and the cluster and user entries only it used) from the
    /// kubeconfig file.
    ///
    /// A context that is not there is no error. Removing the current context leaves the file
    /// without one, which the output says.
    Remove {
        /// The cluster: <account>/<id or name> (or <provider>/<id or name>).
        #[arg(value_parser = cluster_ref, required_unless_present = "context", conflicts_with = "context")]
        cluster: Option<ClusterRef>,
        /// The context's name instead of the cluster (a cluster the provider no longer has).
        #[arg(long)]
        context: Option<String>,
        /// The kubeconfig file [default: $KUBECONFIG's first path, else ~/.kube/config].
        #[arg(long)]
        file: Option<PathBuf>,
    },
}

/// Reads `<provider>/<id or name>`, with the library's message when it is not one.
fn cluster_ref(text: &str) -> Result<ClusterRef, String> {
    text.parse().map_err(|error| match error {
        kaas::Error::InvalidInput(message) => message,
        other => other.to_string(),
    })
}

/// Parses the command line, runs the command on a tokio runtime, and exits with its code.
fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // `--help` and `--version` exit 0; a usage error exits 2 with clap's message.
        Err(error) => error.exit(),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            output::warn(&format!("cannot start the async runtime: {error}"));
            return failure::Code::Error.into();
        }
    };
    match runtime.block_on(run(cli.command, &cli.accounts)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => output::report(failure),
    }
}

/// Runs one command, with the accounts `--account` selected (all when none).
async fn run(command: Command, selected: &[String]) -> Result<(), Failure> {
    match command {
        Command::Accounts { output } => accounts::run(output, selected),
        Command::Clusters { output } => clusters::run(output, selected).await,
        Command::Kubeconfig(KubeconfigCommand::Save {
            cluster,
            exec,
            set_current,
            lifetime,
            file,
        }) => {
            kubeconfig::save(
                kubeconfig::Save {
                    cluster,
                    exec,
                    set_current,
                    lifetime,
                    file,
                },
                selected,
            )
            .await
        }
        Command::Kubeconfig(KubeconfigCommand::Remove {
            cluster,
            context,
            file,
        }) => {
            let which = match (cluster, context) {
                (_, Some(context)) => kubeconfig::Which::Context(context),
                (Some(cluster), None) => kubeconfig::Which::Cluster(cluster),
                // clap requires one of the two.
                (None, None) => {
                    return Err(Failure::new(Code::Usage, "name a cluster or --context"));
                }
            };
            kubeconfig::remove(which, file, selected).await
        }
        Command::Credential {
            cluster,
            lifetime,
            no_cache,
        } => credential::run(&cluster, lifetime, !no_cache, selected).await,
        Command::Wait {
            cluster,
            until,
            timeout,
            interval,
        } => {
            wait::run(
                wait::Wait {
                    cluster,
                    until,
                    timeout,
                    interval,
                },
                selected,
            )
            .await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_definition_is_consistent() {
        use clap::CommandFactory as _;
        Cli::command().debug_assert();
    }

    #[test]
    fn a_cluster_is_named_provider_slash_cluster() {
        let parsed = Cli::try_parse_from(["kaas", "wait", "do/prod", "--until", "running"]);
        let Ok(Cli {
            command:
                Command::Wait {
                    cluster,
                    until,
                    timeout,
                    interval,
                },
            ..
        }) = parsed
        else {
            panic!("{parsed:?}");
        };
        assert_eq!(cluster.to_string(), "digitalocean/prod");
        assert_eq!(until, ClusterState::Running);
        assert_eq!(timeout, Duration::from_secs(30 * 60));
        assert_eq!(interval, Duration::from_secs(10));
        let error = Cli::try_parse_from(["kaas", "credential", "prod"]).unwrap_err();
        assert!(error.to_string().contains("names no provider"), "{error}");
        assert_eq!(error.exit_code(), 2);
        let error = Cli::try_parse_from(["kaas", "wait", "do/x", "--until", "ready"]).unwrap_err();
        assert!(error.to_string().contains("running"), "{error}");
    }

    #[test]
    fn accounts_are_chosen_before_or_after_the_command_repeated_or_comma_separated() {
        let parsed =
            Cli::try_parse_from(["kaas", "--account", "do:team-a,lab", "clusters"]).unwrap();
        assert_eq!(parsed.accounts, ["do:team-a", "lab"]);
        let parsed = Cli::try_parse_from([
            "kaas",
            "clusters",
            "--account",
            "do:team-a,lab",
            "--account=oks:prod",
        ])
        .unwrap();
        assert_eq!(parsed.accounts, ["do:team-a", "lab", "oks:prod"]);
        let parsed = Cli::try_parse_from(["kaas", "accounts", "-o", "json"]).unwrap();
        assert!(matches!(
            parsed.command,
            Command::Accounts {
                output: output::Format::Json
            }
        ));
    }
}
