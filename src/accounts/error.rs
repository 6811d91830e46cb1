//! What can go wrong when loading accounts (an error of kaas's own file or of the environment;
//! a warning for a foreign file) or resolving a credential. No message quotes a value read
//! from a file, a variable or a command's output.

use std::io;
use std::path::PathBuf;
use std::time::Duration;

use super::account::Source;

/// Loading accounts failed: kaas's own file or the environment is wrong. (A broken doctl or
/// oks-cli file is a [`Warning`] instead.)
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AccountsError {
    /// kaas's file exists but cannot be read.
    #[error("cannot read {}: {kind}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        kind: io::ErrorKind,
    },
    /// kaas's file is not valid: a TOML error, an unknown key, an account that lacks or
    /// mixes credentials.
    #[error("{}:{line}: {message}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The line (1-based).
        line: usize,
        /// What is wrong (never a value of the file).
        message: String,
    },
    /// An account of kaas's file holds a secret inline, and the file may be read by group or
    /// others: refused, as ssh refuses such a key.
    #[error(
        "{}:{line}: account `{account}` holds a secret inline, but the file may be read by others (mode {mode:03o}): `chmod 600` it, or take the secret from a variable, a file or a command",
        path.display()
    )]
    InlineSecretInOpenFile {
        /// The file.
        path: PathBuf,
        /// The line of the account.
        line: usize,
        /// The account.
        account: String,
        /// The file's permission bits.
        mode: u32,
    },
    /// The environment's variables are half set (a key without its secret, a URL without
    /// credentials), as [`Inventory::from_env`](crate::inventory::Inventory::from_env) says.
    #[error("environment: {0}")]
    Environment(String),
}

/// A foreign file (doctl's, oks-cli's) that could not be read, or part of it: its accounts
/// (or that part's) are skipped, the others are loaded.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{tool} file {}{}: {message}", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
#[non_exhaustive]
pub struct Warning {
    /// Whose file.
    pub tool: Source,
    /// The file.
    pub path: PathBuf,
    /// The line, when known (1-based).
    pub line: Option<usize>,
    /// What was skipped and why (never a value of the file).
    pub message: String,
}

/// A credential could not be had. Each case names the account; none holds the credential or
/// what a command printed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CredentialError {
    /// The variable that holds it is unset or empty.
    #[error("account `{account}`: the variable {variable} is not set")]
    VariableUnset {
        /// The account.
        account: String,
        /// The variable.
        variable: String,
    },
    /// The file that holds it cannot be read.
    #[error("account `{account}`: cannot read the credential file {}: {kind}", path.display())]
    FileUnreadable {
        /// The account.
        account: String,
        /// The file.
        path: PathBuf,
        /// Why.
        kind: io::ErrorKind,
    },
    /// The command could not be started.
    #[error("account `{account}`: cannot run the credential command `{program}`: {kind}")]
    CommandNotStarted {
        /// The account.
        account: String,
        /// The command's program.
        program: String,
        /// Why.
        kind: io::ErrorKind,
    },
    /// The command failed (its standard error is not shown: it may hold secrets).
    #[error("account `{account}`: the credential command `{program}` failed ({})", status.map_or_else(|| "killed by a signal".to_owned(), |code| format!("exit status {code}")))]
    CommandFailed {
        /// The account.
        account: String,
        /// The command's program.
        program: String,
        /// Its exit code, `None` when a signal ended it.
        status: Option<i32>,
    },
    /// The command ran past the timeout, and was killed.
    #[error(
        "account `{account}`: the credential command `{program}` did not finish within {timeout:?}"
    )]
    CommandTimedOut {
        /// The account.
        account: String,
        /// The command's program.
        program: String,
        /// The timeout.
        timeout: Duration,
    },
    /// The variable, file or command gave nothing (or only whitespace).
    #[error("account `{account}`: the credential {what} is empty")]
    Empty {
        /// The account.
        account: String,
        /// `variable NAME`, `file PATH` or `command PROGRAM`.
        what: String,
    },
    /// The file or the command's output is not UTF-8 text, or is larger than a credential
    /// can be.
    #[error("account `{account}`: the credential {what} is not text of at most {limit} bytes")]
    NotText {
        /// The account.
        account: String,
        /// `file PATH` or `command PROGRAM`.
        what: String,
        /// The size limit.
        limit: usize,
    },
}

impl CredentialError {
    /// The account whose credential could not be had.
    pub fn account(&self) -> &str {
        match self {
            CredentialError::VariableUnset { account, .. }
            | CredentialError::FileUnreadable { account, .. }
            | CredentialError::CommandNotStarted { account, .. }
            | CredentialError::CommandFailed { account, .. }
            | CredentialError::CommandTimedOut { account, .. }
            | CredentialError::Empty { account, .. }
            | CredentialError::NotText { account, .. } => account,
        }
    }
}

impl From<AccountsError> for crate::Error {
    /// [`crate::Error::Other`], the accounts error kept whole as its source (to `downcast_ref`).
    fn from(error: AccountsError) -> Self {
        crate::Error::other("accounts", error)
    }
}

impl From<CredentialError> for crate::Error {
    /// [`crate::Error::Other`], the credential error kept whole as its source (to
    /// `downcast_ref`).
    fn from(error: CredentialError) -> Self {
        crate::Error::other("credential", error)
    }
}

/// A parser's message with every quoted value blanked: serde and TOML quote the offending
/// value (`invalid type: string "..."`), which may be a secret written in the wrong place.
pub(super) fn without_values(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut quoted = false;
    for c in message.chars() {
        if c == '"' {
            if quoted {
                out.push_str("…\"");
            } else {
                out.push('"');
            }
            quoted = !quoted;
        } else if !quoted {
            out.push(c);
        }
    }
    if quoted {
        out.push('…');
    }
    // One line: TOML's messages may span several.
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_values_are_blanked_from_parser_messages() {
        assert_eq!(
            without_values("invalid type: string \"SENTINEL\", expected a boolean"),
            "invalid type: string \"…\", expected a boolean"
        );
        assert_eq!(without_values("unclosed \"SENTINEL"), "unclosed \"…");
        assert_eq!(
            without_values("unknown field `tokn`,\n expected `token`"),
            "unknown field `tokn`, expected `token`"
        );
    }

    #[test]
    fn a_failed_command_says_how_it_ended() {
        let failed = CredentialError::CommandFailed {
            account: "a".into(),
            program: "sh".into(),
            status: Some(3),
        };
        assert_eq!(
            failed.to_string(),
            "account `a`: the credential command `sh` failed (exit status 3)"
        );
        assert_eq!(failed.account(), "a");
        let error = crate::Error::from(failed);
        assert_eq!(
            error.to_string(),
            "credential: account `a`: the credential command `sh` failed (exit status 3)"
        );
        let source = std::error::Error::source(&error).unwrap();
        assert!(source.downcast_ref::<CredentialError>().is_some());
    }
}
