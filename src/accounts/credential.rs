//! Where an account's credential comes from ([`CredentialSource`]) and the credential itself
//! ([`Credential`]), read only when asked for.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use super::command;
use super::error::CredentialError;
use super::sources::Environment;
use crate::SecretText;

/// The most bytes a credential file or command's output may hold.
pub const MAX_CREDENTIAL_BYTES: usize = 64 * 1024;

/// Where one secret comes from.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum SecretSource {
    /// An environment variable, by name.
    Variable(String),
    /// A file whose content (trimmed) is the secret.
    File(PathBuf),
    /// A command whose standard output (trimmed) is the secret, as AWS's `credential_process`
    /// and kubectl's exec plugins work.
    Command(CredentialCommand),
    /// The secret itself, written in the file that describes the account.
    Inline(SecretText),
}

impl SecretSource {
    /// How the secret is kept, for listings: `variable NAME`, `file PATH`, `command PROGRAM`,
    /// `inline`.
    pub fn describe(&self) -> String {
        match self {
            SecretSource::Variable(name) => format!("variable {name}"),
            SecretSource::File(path) => format!("file {}", path.display()),
            SecretSource::Command(command) => format!("command {}", command.program),
            SecretSource::Inline(_) => "inline".to_owned(),
        }
    }

    /// Whether the secret is written in the account's file.
    pub fn is_inline(&self) -> bool {
        matches!(self, SecretSource::Inline(_))
    }

    /// Reads the secret: the variable from `environment`, the file, or the command's output
    /// (bounded by `timeout`).
    pub async fn resolve(
        &self,
        account: &str,
        environment: &Environment,
        timeout: Duration,
    ) -> Result<SecretText, CredentialError> {
        let text = match self {
            SecretSource::Inline(secret) => return Ok(secret.clone()),
            SecretSource::Variable(name) => {
                environment
                    .get(name)
                    .ok_or_else(|| CredentialError::VariableUnset {
                        account: account.to_owned(),
                        variable: name.clone(),
                    })?
            }
            SecretSource::File(path) => read_file(account, path)?,
            SecretSource::Command(command) => command::run(account, command, timeout).await?,
        };
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(CredentialError::Empty {
                account: account.to_owned(),
                what: self.describe(),
            });
        }
        Ok(SecretText::from(trimmed))
    }
}

/// The whole of a credential file, as text of bounded size.
fn read_file(account: &str, path: &std::path::Path) -> Result<String, CredentialError> {
    let bytes = std::fs::read(path).map_err(|error| CredentialError::FileUnreadable {
        account: account.to_owned(),
        path: path.to_owned(),
        kind: error.kind(),
    })?;
    let not_text = || CredentialError::NotText {
        account: account.to_owned(),
        what: format!("file {}", path.display()),
        limit: MAX_CREDENTIAL_BYTES,
    };
    if bytes.len() > MAX_CREDENTIAL_BYTES {
        return Err(not_text());
    }
    String::from_utf8(bytes).map_err(|_| not_text())
}

/// A command that prints a credential: a program and its arguments, run without a shell,
/// with no standard input and its standard error discarded.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CredentialCommand {
    /// The program (looked up in `PATH` when it has no `/`).
    pub program: String,
    /// Its arguments.
    pub args: Vec<String>,
}

impl CredentialCommand {
    /// `program` with `args`.
    pub fn new(
        program: impl Into<String>,
        args: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        CredentialCommand {
            program: program.into(),
            args: args.into_iter().map(Into::into).collect(),
        }
    }
}

/// Where an account's credential comes from, per the kind of credential its provider takes.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum CredentialSource {
    /// An API token (DigitalOcean, Cloud66, Commissaire).
    Token(SecretSource),
    /// An access key and its secret key (OKS).
    AccessKey {
        /// The access key.
        access_key: SecretSource,
        /// The secret key.
        secret_key: SecretSource,
    },
    /// A login and password (OKS, Commissaire).
    Login {
        /// The login, not secret.
        username: String,
        /// The password.
        password: SecretSource,
    },
}

impl CredentialSource {
    /// The kind of credential: `token`, `access key` or `login`.
    pub fn kind(&self) -> &'static str {
        match self {
            CredentialSource::Token(_) => "token",
            CredentialSource::AccessKey { .. } => "access key",
            CredentialSource::Login { .. } => "login",
        }
    }

    /// Its secrets' sources.
    pub fn secrets(&self) -> Vec<&SecretSource> {
        match self {
            CredentialSource::Token(token) => vec![token],
            CredentialSource::AccessKey {
                access_key,
                secret_key,
            } => vec![access_key, secret_key],
            CredentialSource::Login { password, .. } => vec![password],
        }
    }

    /// Reads the credential (see [`SecretSource::resolve`]).
    pub async fn resolve(
        &self,
        account: &str,
        environment: &Environment,
        timeout: Duration,
    ) -> Result<Credential, CredentialError> {
        Ok(match self {
            CredentialSource::Token(token) => {
                Credential::Token(token.resolve(account, environment, timeout).await?)
            }
            CredentialSource::AccessKey {
                access_key,
                secret_key,
            } => Credential::AccessKey {
                access_key: access_key.resolve(account, environment, timeout).await?,
                secret_key: secret_key.resolve(account, environment, timeout).await?,
            },
            CredentialSource::Login { username, password } => Credential::Login {
                username: username.clone(),
                password: password.resolve(account, environment, timeout).await?,
            },
        })
    }
}

impl fmt::Display for CredentialSource {
    /// The kind and where each secret is kept, e.g. `access key (variable A, command pass)`;
    /// secrets kept alike are said once (`access key (inline)`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut places: Vec<String> = self.secrets().iter().map(|s| s.describe()).collect();
        places.dedup();
        write!(f, "{} ({})", self.kind(), places.join(", "))
    }
}

/// A credential, read: secrets are [`SecretText`] (redacted in `Debug`, zeroized on drop).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Credential {
    /// An API token.
    Token(SecretText),
    /// An access key and its secret key.
    AccessKey {
        /// The access key.
        access_key: SecretText,
        /// The secret key.
        secret_key: SecretText,
    },
    /// A login and its password.
    Login {
        /// The login.
        username: String,
        /// The password.
        password: SecretText,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    const TIMEOUT: Duration = Duration::from_secs(5);

    fn environment() -> Environment {
        Environment::from_pairs([("TOKEN", "  SENTINEL-variable\n"), ("BLANK", " ")])
    }

    #[tokio::test]
    async fn variables_files_and_inline_secrets_resolve_trimmed() {
        let variable = SecretSource::Variable("TOKEN".into());
        let secret = variable
            .resolve("a", &environment(), TIMEOUT)
            .await
            .unwrap();
        assert_eq!(secret.expose(), "SENTINEL-variable");

        let folder = crate::accounts::tests::folder("credential-file");
        let path = folder.join("token");
        std::fs::write(&path, "SENTINEL-file\n").unwrap();
        let file = SecretSource::File(path.clone());
        let secret = file.resolve("a", &environment(), TIMEOUT).await.unwrap();
        assert_eq!(secret.expose(), "SENTINEL-file");

        let inline = SecretSource::Inline("SENTINEL-inline".into());
        assert!(inline.is_inline());
        assert!(!format!("{inline:?}").contains("SENTINEL"));
        let _ = std::fs::remove_dir_all(folder);
    }

    #[tokio::test]
    async fn a_missing_or_empty_secret_is_an_error_naming_the_account() {
        let folder = crate::accounts::tests::folder("credential-missing");
        let empty = folder.join("empty");
        std::fs::write(&empty, "\n").unwrap();
        let binary = folder.join("binary");
        std::fs::write(&binary, [0xff, 0xfe, b'S']).unwrap();
        for (source, expected) in [
            (
                SecretSource::Variable("UNSET".into()),
                "variable UNSET is not set",
            ),
            (
                SecretSource::Variable("BLANK".into()),
                "variable BLANK is not set",
            ),
            (
                SecretSource::File(folder.join("absent")),
                "cannot read the credential file",
            ),
            (SecretSource::File(empty), "is empty"),
            (SecretSource::File(binary), "is not text"),
        ] {
            let error = source
                .resolve("team-a", &environment(), TIMEOUT)
                .await
                .unwrap_err();
            let message = error.to_string();
            assert!(message.starts_with("account `team-a`: "), "{message}");
            assert!(message.contains(expected), "{message}");
            assert_eq!(error.account(), "team-a");
        }
        let _ = std::fs::remove_dir_all(folder);
    }

    #[tokio::test]
    async fn a_credential_resolves_each_of_its_secrets() {
        let source = CredentialSource::AccessKey {
            access_key: SecretSource::Inline("AK".into()),
            secret_key: SecretSource::Variable("TOKEN".into()),
        };
        assert_eq!(source.to_string(), "access key (inline, variable TOKEN)");
        // An oks-cli profile keeps both keys in its file: said once.
        let both_inline = CredentialSource::AccessKey {
            access_key: SecretSource::Inline("AK".into()),
            secret_key: SecretSource::Inline("SK".into()),
        };
        assert_eq!(both_inline.to_string(), "access key (inline)");
        let credential = source.resolve("a", &environment(), TIMEOUT).await.unwrap();
        assert_eq!(
            credential,
            Credential::AccessKey {
                access_key: "AK".into(),
                secret_key: "SENTINEL-variable".into()
            }
        );
        assert!(!format!("{credential:?}").contains("SENTINEL"));
        let login = CredentialSource::Login {
            username: "ops".into(),
            password: SecretSource::Variable("UNSET".into()),
        };
        assert_eq!(login.kind(), "login");
        assert!(login.resolve("a", &environment(), TIMEOUT).await.is_err());
    }
}
