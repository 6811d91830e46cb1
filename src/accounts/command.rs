//! Running a credential command: no shell, no standard input, standard error discarded (it may
//! hold secrets), output bounded in size and the whole run bounded in time.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::AsyncReadExt as _;

use super::credential::{CredentialCommand, MAX_CREDENTIAL_BYTES};
use super::error::CredentialError;

/// Runs `command` for `account` and returns what it printed. A command that cannot start,
/// exits with an error, runs past `timeout` (it is killed) or prints more than
/// [`MAX_CREDENTIAL_BYTES`] or non-UTF-8 output is an error naming the account.
pub(super) async fn run(
    account: &str,
    command: &CredentialCommand,
    timeout: Duration,
) -> Result<String, CredentialError> {
    let program = command.program.clone();
    let mut child = tokio::process::Command::new(&command.program)
        .args(&command.args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|error| CredentialError::CommandNotStarted {
            account: account.to_owned(),
            program: program.clone(),
            kind: error.kind(),
        })?;
    let mut stdout = child.stdout.take().expect("stdout is piped");
    let limit = u64::try_from(MAX_CREDENTIAL_BYTES).unwrap_or(u64::MAX);
    let mut output = Vec::new();
    let outcome = tokio::time::timeout(timeout, async {
        let read = (&mut stdout).take(limit + 1).read_to_end(&mut output).await;
        if read.is_err() || output.len() > MAX_CREDENTIAL_BYTES {
            return None;
        }
        Some(child.wait().await)
    })
    .await;
    let not_text = || CredentialError::NotText {
        account: account.to_owned(),
        what: format!("command {program}"),
        limit: MAX_CREDENTIAL_BYTES,
    };
    let status = match outcome {
        Err(_elapsed) => {
            let _ = child.start_kill();
            return Err(CredentialError::CommandTimedOut {
                account: account.to_owned(),
                program,
                timeout,
            });
        }
        Ok(None) => {
            let _ = child.start_kill();
            return Err(not_text());
        }
        Ok(Some(status)) => status.map_err(|error| CredentialError::CommandNotStarted {
            account: account.to_owned(),
            program: program.clone(),
            kind: error.kind(),
        })?,
    };
    if !status.success() {
        return Err(CredentialError::CommandFailed {
            account: account.to_owned(),
            program,
            status: status.code(),
        });
    }
    String::from_utf8(output).map_err(|_| not_text())
}

#[cfg(all(test, unix))]
mod tests {
    use super::super::credential::SecretSource;
    use super::super::sources::Environment;
    use super::*;

    const SECRET_ON_STDERR: &str = "SENTINEL-stderr";

    async fn resolve(args: &[&str], timeout: Duration) -> Result<String, CredentialError> {
        let source = SecretSource::Command(CredentialCommand::new("sh", args.iter().copied()));
        source
            .resolve("team-a", &Environment::empty(), timeout)
            .await
            .map(|secret| secret.expose().to_owned())
    }

    #[tokio::test]
    async fn the_output_of_a_command_is_the_credential() {
        let secret = resolve(
            &["-c", "printf '  SENTINEL-out\\n'"],
            Duration::from_secs(5),
        )
        .await
        .unwrap();
        assert_eq!(secret, "SENTINEL-out");
    }

    #[tokio::test]
    async fn a_failing_command_is_an_error_that_does_not_echo_its_stderr() {
        let script = format!("echo {SECRET_ON_STDERR} >&2; exit 3");
        let error = resolve(&["-c", &script], Duration::from_secs(5))
            .await
            .unwrap_err();
        assert!(
            matches!(error, CredentialError::CommandFailed { status: Some(3), ref account, .. } if account == "team-a"),
            "{error:?}"
        );
        for shown in [error.to_string(), format!("{error:?}")] {
            assert!(!shown.contains("SENTINEL"), "{shown}");
        }
    }

    #[tokio::test]
    async fn a_command_that_prints_nothing_is_an_error() {
        let error = resolve(&["-c", "printf ''"], Duration::from_secs(5))
            .await
            .unwrap_err();
        assert!(matches!(error, CredentialError::Empty { .. }), "{error:?}");
        assert!(error.to_string().contains("team-a"), "{error}");
    }

    #[tokio::test]
    async fn a_command_that_cannot_start_is_an_error() {
        let source = SecretSource::Command(CredentialCommand::new(
            "/nonexistent/kaas-credential-helper",
            [] as [&str; 0],
        ));
        let error = source
            .resolve("team-a", &Environment::empty(), Duration::from_secs(5))
            .await
            .unwrap_err();
        assert!(
            matches!(
                error,
                CredentialError::CommandNotStarted {
                    kind: std::io::ErrorKind::NotFound,
                    ..
                }
            ),
            "{error:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_command_that_hangs_is_killed_at_the_timeout() {
        // Paused time: the timeout fires as soon as the runtime is idle, without waiting.
        let started = std::time::Instant::now();
        let error = resolve(&["-c", "exec sleep 30"], Duration::from_secs(20))
            .await
            .unwrap_err();
        assert!(
            matches!(error, CredentialError::CommandTimedOut { timeout, .. } if timeout == Duration::from_secs(20)),
            "{error:?}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{:?}",
            started.elapsed()
        );
    }

    #[tokio::test]
    async fn a_command_that_prints_too_much_is_an_error() {
        let error = resolve(
            &["-c", "yes SENTINEL | head -c 100000"],
            Duration::from_secs(5),
        )
        .await
        .unwrap_err();
        assert!(
            matches!(error, CredentialError::NotText { .. }),
            "{error:?}"
        );
        assert!(!error.to_string().contains("SENTINEL"));
    }
}
