//! How a command fails: the exit code, and the one line it prints on stderr.

use std::process::ExitCode;

/// The exit codes (see `EXIT_CODES` in `main.rs`, and the README).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Code {
    /// Any other error: a provider's error answer, the network, a file.
    Error = 1,
    /// Bad arguments or configuration, or a request the provider cannot serve.
    Usage = 2,
    /// `clusters`: at least one provider could not be listed.
    ProviderFailed = 3,
    /// The cluster was not found.
    NotFound = 4,
    /// `wait` reached its timeout.
    TimedOut = 5,
    /// `wait` saw the cluster reach `failed`.
    ClusterFailed = 6,
}

impl From<Code> for ExitCode {
    fn from(code: Code) -> Self {
        ExitCode::from(code as u8)
    }
}

/// A command's failure: its exit code, and its message unless it was printed already.
#[derive(Debug)]
pub struct Failure {
    /// The exit code.
    pub code: Code,
    /// The message for stderr, without the `kaas: ` prefix; `None` when the command printed
    /// its own lines.
    pub message: Option<String>,
}

impl Failure {
    /// A failure with its message.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Failure {
            code,
            message: Some(message.into()),
        }
    }

    /// A failure whose lines were printed already.
    pub fn quiet(code: Code) -> Self {
        Failure {
            code,
            message: None,
        }
    }
}

/// The exit code of a library error: not found (the provider answered 404, or no cluster has
/// that id or name: [`kaas::Error::is_not_found`]) is 4; invalid input (a provider not
/// configured, half-set variables, an operation the provider does not have, a provider
/// reference with several accounts: nothing was sent) is 2; a wait's timeout and failure are 5 and 6; anything else is 1.
pub fn code_of(error: &kaas::Error) -> Code {
    match error {
        error if error.is_not_found() => Code::NotFound,
        kaas::Error::InvalidInput(_) | kaas::Error::AmbiguousAccount { .. } => Code::Usage,
        kaas::Error::WaitTimeout { .. } => Code::TimedOut,
        kaas::Error::WaitFailed { .. } => Code::ClusterFailed,
        _ => Code::Error,
    }
}

impl From<kaas::Error> for Failure {
    fn from(error: kaas::Error) -> Self {
        Failure::new(code_of(&error), error.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn library_errors_map_to_their_exit_codes() {
        let not_found = kaas::Error::ClusterNotFound {
            provider: "oks".into(),
            cluster: "prod".into(),
        };
        assert_eq!(code_of(&not_found), Code::NotFound);
        assert_eq!(
            code_of(&kaas::Error::InvalidInput("oks is not configured".into())),
            Code::Usage
        );
        assert_eq!(
            code_of(&kaas::Error::Timeout {
                message: "read".into()
            }),
            Code::Error
        );
        assert_eq!(ExitCode::from(Code::ClusterFailed), ExitCode::from(6));
    }
}
