//! The manual `kaas --help` prints after the commands: what `manual.md` beside this file says, as text
//! (`kaas -h` prints the exit codes and variables only).

/// The exit codes and the variables, for `-h` and at the end of `--help`.
macro_rules! exit_codes_and_environment {
    () => {
        "\
Exit codes:
  0  success
  1  error: a provider's error answer, the network, a file
  2  usage or configuration: bad arguments, no provider configured, the cluster's provider not
     configured, half-set variables, or a request the provider cannot serve
  3  clusters: some provider failed (the others are still listed)
  4  the cluster was not found (no cluster of that id or name, or the provider answered 404)
  5  wait: timed out
  6  wait: the cluster reached `failed`

Environment:
  DIGITALOCEAN_TOKEN              DigitalOcean
  OKS_ACCESS_KEY, OKS_SECRET_KEY  OUTSCALE OKS (OKS_REGION: its region, optional)
  CLOUD66_TOKEN                   Cloud66
  COMMISSAIRE_URL                 Commissaire, with COMMISSAIRE_TOKEN, or COMMISSAIRE_USER and
                                  COMMISSAIRE_PASSWORD
  DIGITALOCEAN_API_URL, OKS_API_URL, CLOUD66_API_URL
                                  another base URL (a proxy, a test server)
  KAAS_ACCOUNT                    the accounts to work with, comma-separated (as --account)
  KAAS_NO_FOREIGN_CONFIG          1: read neither doctl's nor oks-cli's file
  XDG_CONFIG_HOME                 kaas's file is its kaas/config.toml, else
                                  ~/.config/kaas/config.toml; doctl's is its doctl/config.yaml
  DIGITALOCEAN_CONFIG, DIGITALOCEAN_CONTEXT
                                  doctl's file and current context, as doctl reads them
  OKS_PROFILE, OKS_ENDPOINT       oks-cli's current profile and endpoint, as oks-cli reads them
  KUBECONFIG                      the kubeconfig file (its first path), else ~/.kube/config
  XDG_CACHE_HOME                  the credential cache is in its kaas/credentials/, else in
                                  ~/.cache/kaas/credentials/"
    };
}

/// `kaas -h`: the exit codes and the variables.
pub const SUMMARY: &str = exit_codes_and_environment!();

/// `kaas --help`: the manual, then the exit codes and the variables.
pub const MANUAL: &str = concat!(
    "\
Accounts, merged in this order (the first to name an account wins; `kaas accounts` lists them,
never their credentials):
  1. kaas's file, $XDG_CONFIG_HOME/kaas/config.toml (else ~/.config/kaas/config.toml): accounts
     named as you like, each secret from a variable, a file, a command (its stderr is never
     shown; 30s at most, credential_timeout_seconds) or inline (only in a file only you can read)
  2. the environment's variables below: env:digitalocean, env:oks, env:cloud66, env:commissaire
  3. doctl's contexts, do:<context> (do:default for its access-token), with its api-url
  4. oks-cli's profiles, oks:<profile>, with their region and endpoint
doctl's and oks-cli's files are only read; a broken one is a warning naming its file and line
(not from `kaas credential`, which kubectl runs for each of its commands).
KAAS_NO_FOREIGN_CONFIG=1 (or foreign_config = false in kaas's file) leaves them unread.
--account NAME (repeatable, comma-separated) or KAAS_ACCOUNT makes any command work with those
accounts only; an unknown name is a usage error listing the accounts.

Clusters are named <account>/<cluster>, or <provider>/<cluster> when that provider has one
account: <provider> is digitalocean (or do), oks, cloud66 or commissaire; <cluster> is an id,
else a name. Durations are written 90s, 15m, 1h, 7d, 500ms or
1h30m. Results go to stdout; errors and warnings go to stderr, one line each, `kaas: <error>`
(the provider named once, its message and request id included, never a credential); control
characters a server sends are shown escaped.

The kubeconfig file is --file, else $KUBECONFIG's first path, else ~/.kube/config: merged (other
entries keep their text), written atomically with mode 0600 under kubectl's lock. `kubeconfig
save` makes the saved context current with --set-current, and without it when the file has no
current context (plain kubectl would otherwise reach no cluster); `kubeconfig remove` of the
current context leaves the file without one. Both say so.

--exec saves a user that runs `kaas credential <account>/<id>` (the id: a cluster that takes the
name later is never reached by mistake) instead of the kubeconfig's own token. It runs plain
`kaas`, as aws and doctl users do, so the file survives a reinstall: kaas must be on kubectl's
PATH (save warns when it is not), finding the account's configuration there. Contexts of
accounts from kaas's file, doctl or oks-cli end with @<account>, so two accounts never clash.

The credential cache: `kaas credential` keeps what it printed in
$XDG_CACHE_HOME/kaas/credentials/<cluster id>@<account>.json (folder 0700, file 0600; never
served to another account) and prints it again, with no request, until 5 minutes (or a fifth of its lifetime) before it expires. A
file that is corrupt, expired, readable by others or not a regular file is replaced. A
credential revoked early is served until it expires: run `kaas credential <cluster> --no-cache`
once, or delete the file; deleting the folder is always safe.

Base URLs (DIGITALOCEAN_API_URL, OKS_API_URL, CLOUD66_API_URL, COMMISSAIRE_URL): the provider's
API root as its documentation writes it, or the same URL with or without its version path;
any other path (a proxy's) is used as given:
  digitalocean  https://api.digitalocean.com                  (or with /v2)
  oks           https://api.<region>.oks.outscale.com/api/v2  (or without /api/v2)
  cloud66       https://app.cloud66.com/api/3                 (or without /api/3)
  commissaire   https://<server>:8000                         (or with /api/v0)

Installing: cargo install --path . --features cli --locked (--locked: the dependency versions
the repository's tests passed with, not the newest ones resolved afresh). The manual is also
src/bin/kaas/manual.md in kaas's repository and package.

",
    exit_codes_and_environment!()
);

#[cfg(test)]
mod tests {
    use clap::CommandFactory as _;

    /// The words in backticks of `text` that are variable names (`KUBECONFIG`).
    fn variables(text: &str) -> Vec<&str> {
        text.split('`')
            .skip(1)
            .step_by(2)
            .filter(|word| {
                word.len() > 3 && word.chars().all(|c| c.is_ascii_uppercase() || c == '_')
            })
            .collect()
    }

    #[test]
    fn the_long_help_and_the_manual_page_tell_the_same_codes_and_variables() {
        let page = include_str!("manual.md");
        let help = crate::Cli::command().render_long_help().to_string();
        let named = variables(page);
        assert!(named.len() >= 12, "{named:?}");
        for variable in named {
            assert!(help.contains(variable), "--help lacks {variable}");
        }
        for code in 0..=6 {
            assert!(
                page.contains(&format!("\n| {code} | ")),
                "manual.md lacks {code}"
            );
            assert!(
                help.contains(&format!("\n  {code}  ")),
                "--help lacks {code}"
            );
        }
        for command in [
            "accounts",
            "clusters",
            "kubeconfig",
            "credential",
            "wait",
            "--locked",
            "--account",
        ] {
            assert!(page.contains(&format!("kaas {command}")) || page.contains(command));
            assert!(help.contains(command), "--help lacks {command}");
        }
        let short = crate::Cli::command().render_help().to_string();
        assert!(short.contains("Exit codes:") && !short.contains("credential cache:"));
    }
}
