//! kaas's own file, `config.toml` (its format is in the [module](super) docs): named
//! accounts whose secrets come from a variable, a file, a command, or (only in a file no one
//! else may read) the file itself.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;
use zeroize::Zeroizing;

use super::account::{Account, Location, Origin, Source, name_problem, region_problem};
use super::credential::{CredentialCommand, CredentialSource, SecretSource};
use super::error::{AccountsError, without_values};
use super::lines::line_of_offset;
use super::{doctl, oks_cli};
use crate::inventory::Provider;

/// What kaas's file says.
#[derive(Debug, Default)]
pub(super) struct KaasFile {
    /// Its accounts, in the file's order.
    pub accounts: Vec<Account>,
    /// `foreign_config`: whether to read doctl's and oks-cli's files (default: yes).
    pub foreign_config: Option<bool>,
    /// `credential_timeout_seconds`.
    pub credential_timeout: Option<Duration>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    foreign_config: Option<bool>,
    credential_timeout_seconds: Option<u64>,
    #[serde(default)]
    accounts: BTreeMap<String, Spanned<RawAccount>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAccount {
    provider: String,
    region: Option<String>,
    base_url: Option<String>,
    token: Option<RawSecret>,
    access_key: Option<RawSecret>,
    secret_key: Option<RawSecret>,
    username: Option<String>,
    password: Option<RawSecret>,
}

/// A secret: text (inline), or `{ env = .. }`, `{ file = .. }`, `{ command = .. }`.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawSecret {
    Inline(String),
    From(RawSource),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    env: Option<String>,
    file: Option<String>,
    command: Option<RawCommand>,
}

/// `"program"` or `["program", "arg", ..]`.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawCommand {
    Program(String),
    Argv(Vec<String>),
}

/// Reads kaas's file at `path`; a missing file is an empty one. `home` expands `~/`.
pub(super) fn read(path: &Path, home: Option<&Path>) -> Result<KaasFile, AccountsError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => Zeroizing::new(text),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Ok(KaasFile::default());
        }
        Err(error) => {
            return Err(AccountsError::Read {
                path: path.to_owned(),
                kind: error.kind(),
            });
        }
    };
    let invalid = |offset: usize, message: String| AccountsError::Invalid {
        path: path.to_owned(),
        line: line_of_offset(&text, offset),
        message,
    };
    let raw: RawFile = toml::from_str(&text).map_err(|error| {
        let offset = error.span().map_or(0, |span| span.start);
        invalid(offset, without_values(error.message()))
    })?;
    let folder = path.parent().unwrap_or(Path::new("."));
    let places = Places { folder, home };
    let mut accounts = Vec::new();
    let mut entries: Vec<_> = raw.accounts.into_iter().collect();
    entries.sort_by_key(|(_, raw)| raw.span().start);
    for (name, raw) in entries {
        let offset = raw.span().start;
        let line = line_of_offset(&text, offset);
        let (provider, location, credential) = account(&name, raw.into_inner(), &places)
            .map_err(|why| invalid(offset, format!("account `{name}`: {why}")))?;
        if credential.secrets().iter().any(|secret| secret.is_inline()) {
            refuse_if_open(path, line, &name)?;
        }
        accounts.push(Account {
            name,
            provider,
            location,
            credential,
            origin: Origin::File {
                source: Source::Kaas,
                path: path.to_owned(),
                line,
            },
            current: false,
        });
    }
    Ok(KaasFile {
        accounts,
        foreign_config: raw.foreign_config,
        credential_timeout: raw.credential_timeout_seconds.map(Duration::from_secs),
    })
}

/// An inline secret is refused when group or others have any access to the file (ssh's rule
/// for private keys).
fn refuse_if_open(path: &Path, line: usize, account: &str) -> Result<(), AccountsError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(path)
            .map_err(|error| AccountsError::Read {
                path: path.to_owned(),
                kind: error.kind(),
            })?
            .permissions()
            .mode()
            & 0o777;
        if mode & 0o077 != 0 {
            return Err(AccountsError::InlineSecretInOpenFile {
                path: path.to_owned(),
                line,
                account: account.to_owned(),
                mode,
            });
        }
    }
    #[cfg(not(unix))]
    let _ = (path, line, account);
    Ok(())
}

/// What relative paths in the file are relative to.
struct Places<'a> {
    folder: &'a Path,
    home: Option<&'a Path>,
}

impl Places<'_> {
    /// `~/x` under the home folder, a relative path under the file's folder.
    fn path(&self, text: &str) -> Result<PathBuf, String> {
        if let Some(rest) = text.strip_prefix("~/") {
            let home = self
                .home
                .ok_or("`~/` is used but the home folder is unknown")?;
            return Ok(home.join(rest));
        }
        Ok(self.folder.join(text))
    }
}

/// One account's provider, location and credential, or what is wrong with it.
fn account(
    name: &str,
    raw: RawAccount,
    places: &Places<'_>,
) -> Result<(Provider, Location, CredentialSource), String> {
    if let Some(problem) = name_problem(name) {
        return Err(problem.to_owned());
    }
    let provider: Provider = raw.provider.parse().map_err(|_| {
        "`provider` is not one of digitalocean, oks, cloud66, commissaire".to_owned()
    })?;
    if name.parse::<Provider>().is_ok() {
        return Err(
            "a provider's name cannot name an account (`<provider>/<cluster>` means the provider)"
                .into(),
        );
    }
    if let Some((prefix, _)) = name.split_once(':') {
        let allowed = match provider {
            Provider::DigitalOcean => doctl::PREFIX,
            Provider::Oks => oks_cli::PREFIX,
            _ => "",
        };
        if allowed.is_empty() || format!("{prefix}:") != allowed {
            return Err(format!(
                "a name with `:` must start with `{}` (DigitalOcean) or `{}` (OKS), for its provider",
                doctl::PREFIX,
                oks_cli::PREFIX
            ));
        }
    }
    if let Some(region) = &raw.region {
        if provider != Provider::Oks {
            return Err("`region` is for OKS accounts".into());
        }
        if let Some(problem) = region_problem(region) {
            return Err(problem.into());
        }
    }
    if provider == Provider::Commissaire && raw.base_url.is_none() {
        return Err("a Commissaire account needs its `base_url`".into());
    }
    let secret = |raw: RawSecret| secret(raw, places);
    let credential = match (
        raw.token,
        raw.access_key,
        raw.secret_key,
        raw.username,
        raw.password,
    ) {
        (Some(token), None, None, None, None)
            if matches!(
                provider,
                Provider::DigitalOcean | Provider::Cloud66 | Provider::Commissaire
            ) =>
        {
            CredentialSource::Token(secret(token)?)
        }
        (None, Some(access_key), Some(secret_key), None, None) if provider == Provider::Oks => {
            CredentialSource::AccessKey {
                access_key: secret(access_key)?,
                secret_key: secret(secret_key)?,
            }
        }
        (None, None, None, Some(username), Some(password))
            if matches!(provider, Provider::Oks | Provider::Commissaire) =>
        {
            CredentialSource::Login {
                username,
                password: secret(password)?,
            }
        }
        _ => {
            return Err(format!(
                "{provider} takes {}",
                match provider {
                    Provider::Oks => "`access_key` and `secret_key`, or `username` and `password`",
                    Provider::Commissaire => "`token`, or `username` and `password`",
                    _ => "`token`",
                }
            ));
        }
    };
    Ok((
        provider,
        Location::new(raw.region, raw.base_url),
        credential,
    ))
}

/// A secret's source from the file.
fn secret(raw: RawSecret, places: &Places<'_>) -> Result<SecretSource, String> {
    let source = match raw {
        RawSecret::Inline(text) => return Ok(SecretSource::Inline(text.into())),
        RawSecret::From(source) => source,
    };
    match (source.env, source.file, source.command) {
        (Some(name), None, None) if !name.trim().is_empty() => Ok(SecretSource::Variable(name)),
        (None, Some(file), None) if !file.trim().is_empty() => {
            Ok(SecretSource::File(places.path(&file)?))
        }
        (None, None, Some(command)) => {
            let mut argv = match command {
                RawCommand::Program(program) => vec![program],
                RawCommand::Argv(argv) => argv,
            };
            if argv.first().is_none_or(|program| program.trim().is_empty()) {
                return Err("a `command` needs a program".into());
            }
            let program = argv.remove(0);
            let program = if program.starts_with("~/") {
                places.path(&program)?.display().to_string()
            } else {
                program
            };
            Ok(SecretSource::Command(CredentialCommand::new(program, argv)))
        }
        _ => Err(
            "a secret is text, or one of `{ env = .. }`, `{ file = .. }`, `{ command = [..] }`"
                .into(),
        ),
    }
}

#[cfg(test)]
#[path = "kaas_file_tests.rs"]
mod tests;
