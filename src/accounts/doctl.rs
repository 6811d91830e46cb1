//! doctl's auth contexts, read-only, as doctl reads them (digitalocean/doctl):
//!
//! - `config.yaml` holds `access-token` (the `default` context's token), `auth-contexts`
//!   (context name → token), `context` (the current one) and `api-url` (the API's base URL,
//!   for every context): `commands/auth.go`, `commands/command_config.go`
//!   (`getContextAccessToken`), `doit.go` (`api-url`), `args.go`.
//! - The context in use is `--context`, else `DIGITALOCEAN_CONTEXT` (doctl reads its settings
//!   through the `DIGITALOCEAN_` environment prefix), else the file's `context`, else
//!   `default`; names are lowercased (`commands/doit.go`: `initConfig`). Through the same
//!   prefix `DIGITALOCEAN_API_URL` wins over the file's `api-url`, as in doctl.
//!
//! Each context becomes the account `do:<context>`; the default token `do:default`.

use std::path::Path;

use serde_yaml_ng::Value;

use super::account::{Account, Location, Origin, Source, name_problem};
use super::credential::{CredentialSource, SecretSource};
use super::error::{Warning, without_values};
use super::lines::yaml_key_line;
use super::sources::Environment;
use super::{Found, read_foreign};
use crate::inventory::Provider;

/// The prefix of doctl's accounts.
pub const PREFIX: &str = "do:";

/// doctl's name of the context whose token is `access-token`.
const DEFAULT_CONTEXT: &str = "default";

/// The accounts of doctl's file at `path` (none when it does not exist).
pub(super) fn read(path: &Path, environment: &Environment) -> Found {
    let Some(text) = read_foreign(Source::Doctl, path) else {
        return Found::default();
    };
    let text = match text {
        Ok(text) => text,
        Err(warning) => return Found::warning(warning),
    };
    let warn = |line: Option<usize>, message: String| Warning {
        tool: Source::Doctl,
        path: path.to_owned(),
        line,
        message,
    };
    let document: Value = match serde_yaml_ng::from_str(&text) {
        Ok(document) => document,
        Err(error) => {
            let line = error.location().map(|location| location.line());
            return Found::warning(warn(
                line,
                format!("not YAML: {}", without_values(&error.to_string())),
            ));
        }
    };
    let mapping = match document {
        Value::Mapping(mapping) => mapping,
        Value::Null => return Found::default(),
        _ => return Found::warning(warn(Some(1), "not a mapping of settings".into())),
    };
    let text_of = |key: &str| -> Result<Option<String>, Warning> {
        match mapping.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(value)) => {
                Ok(Some(value.trim().to_owned()).filter(|v| !v.is_empty()))
            }
            Some(_) => Err(warn(
                yaml_key_line(&text, None, key),
                format!("`{key}` is not text"),
            )),
        }
    };
    let mut found = Found::default();
    let mut setting = |key: &str| {
        text_of(key).unwrap_or_else(|warning| {
            found.warnings.push(warning);
            None
        })
    };
    let base_url = environment
        .get("DIGITALOCEAN_API_URL")
        .map(|url| url.trim().to_owned())
        .or_else(|| setting("api-url"));
    let current = environment
        .get("DIGITALOCEAN_CONTEXT")
        .or_else(|| setting("context"))
        .unwrap_or_else(|| DEFAULT_CONTEXT.to_owned())
        .to_lowercase();
    let default_token = setting("access-token");

    let account = |context: &str, token: String, line: usize| Account {
        name: format!("{PREFIX}{context}"),
        provider: Provider::DigitalOcean,
        location: Location::new(None, base_url.clone()),
        credential: CredentialSource::Token(SecretSource::Inline(token.into())),
        origin: Origin::File {
            source: Source::Doctl,
            path: path.to_owned(),
            line,
        },
        current: context == current,
    };
    if let Some(token) = default_token {
        let line = yaml_key_line(&text, None, "access-token").unwrap_or(1);
        found.accounts.push(account(DEFAULT_CONTEXT, token, line));
    }
    let contexts_line = yaml_key_line(&text, None, "auth-contexts");
    match mapping.get("auth-contexts") {
        None | Some(Value::Null) => {}
        Some(Value::Mapping(contexts)) => {
            for (written, token) in contexts {
                let Some(written) = written.as_str() else {
                    found.warnings.push(warn(
                        contexts_line,
                        "an auth context's name is not text".into(),
                    ));
                    continue;
                };
                let name = written.to_lowercase();
                let line = yaml_key_line(&text, Some("auth-contexts"), written).or(contexts_line);
                let skip = |why: &str| warn(line, format!("auth context `{name}` skipped: {why}"));
                if name == DEFAULT_CONTEXT {
                    found
                        .warnings
                        .push(skip("doctl never uses it (`default` is `access-token`)"));
                } else if let Some(problem) = name_problem(&name) {
                    found.warnings.push(skip(problem));
                } else if found
                    .accounts
                    .iter()
                    .any(|a| a.name == format!("{PREFIX}{name}"))
                {
                    found.warnings.push(skip(
                        "another context has the same name (doctl ignores case)",
                    ));
                } else {
                    match token.as_str().map(str::trim) {
                        Some(token) if !token.is_empty() => {
                            let account = account(&name, token.to_owned(), line.unwrap_or(1));
                            found.accounts.push(account);
                        }
                        _ => found.warnings.push(skip("its token is empty or not text")),
                    }
                }
            }
        }
        Some(_) => found.warnings.push(warn(
            contexts_line,
            "`auth-contexts` is not a mapping".into(),
        )),
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::tests::{all_at, current_names, folder};

    /// Written as doctl's own integration tests write it (`integration/auth_test.go`).
    const DOCTL: &str = "access-token: SENTINEL-first-token
auth-contexts:
  next: SENTINEL-second-token
  test@example.com: SENTINEL-third-token
context: next
api-url: http://127.0.0.1:8080
";

    fn read_text(folder: &std::path::Path, text: &str, environment: &Environment) -> Found {
        let path = folder.join("config.yaml");
        std::fs::write(&path, text).unwrap();
        read(&path, environment)
    }

    fn none() -> Environment {
        Environment::empty()
    }

    #[test]
    fn every_context_and_the_default_token_is_an_account() {
        let folder = folder("doctl");
        let found = read_text(&folder, DOCTL, &none());
        assert_eq!(found.warnings, []);
        let summary: Vec<_> = found
            .accounts
            .iter()
            .map(|a| {
                (
                    a.name.as_str(),
                    a.current,
                    a.origin.to_string(),
                    a.location.base_url.as_deref(),
                )
            })
            .collect();
        let file = folder.join("config.yaml").display().to_string();
        assert_eq!(
            summary,
            [
                (
                    "do:default",
                    false,
                    format!("{file}:1"),
                    Some("http://127.0.0.1:8080")
                ),
                (
                    "do:next",
                    true,
                    format!("{file}:3"),
                    Some("http://127.0.0.1:8080")
                ),
                (
                    "do:test@example.com",
                    false,
                    format!("{file}:4"),
                    Some("http://127.0.0.1:8080")
                ),
            ]
        );
        assert!(!format!("{:?}", found.accounts).contains("SENTINEL"));
        // DIGITALOCEAN_CONTEXT wins over the file's `context`, DIGITALOCEAN_API_URL over its
        // `api-url`, as in doctl.
        let environment = Environment::from_pairs([
            ("DIGITALOCEAN_CONTEXT", "Test@Example.com"),
            ("DIGITALOCEAN_API_URL", "http://127.0.0.1:9999"),
        ]);
        let found = read_text(&folder, DOCTL, &environment);
        assert!(all_at(&found, "http://127.0.0.1:9999"));
        assert_eq!(current_names(&found), ["do:test@example.com"]);
        let _ = std::fs::remove_dir_all(folder);
    }

    #[test]
    fn a_removed_default_token_and_an_empty_file_give_no_account() {
        // `doctl auth remove --context default` leaves `access-token: ""`.
        let folder = folder("doctl");
        let found = read_text(&folder, "access-token: \"\"\ncontext: default\n", &none());
        assert!(found.accounts.is_empty() && found.warnings.is_empty());
        let found = read_text(&folder, "", &none());
        assert!(found.accounts.is_empty() && found.warnings.is_empty());
        assert_eq!(read(&folder.join("absent.yaml"), &none()).accounts.len(), 0);
        let _ = std::fs::remove_dir_all(folder);
    }

    #[test]
    fn a_broken_file_or_entry_is_a_warning_with_its_line_not_its_value() {
        let folder = folder("doctl");
        let found = read_text(
            &folder,
            "access-token: SENTINEL\nauth-contexts:\n  a: [SENTINEL\n",
            &none(),
        );
        assert!(found.accounts.is_empty());
        let [warning] = &found.warnings[..] else {
            panic!("{:?}", found.warnings)
        };
        assert_eq!(warning.line, Some(4), "{warning}");
        assert!(
            warning.to_string().contains("config.yaml:4: not YAML"),
            "{warning}"
        );
        assert!(!warning.to_string().contains("SENTINEL"), "{warning}");

        let text = "auth-contexts:\n  good: SENTINEL-1\n  Bad/Name: SENTINEL-2\n  empty: \"\"\n  default: SENTINEL-3\n  GOOD: SENTINEL-4\n";
        let found = read_text(&folder, text, &none());
        let names: Vec<_> = found.accounts.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["do:good"]);
        let lines: Vec<_> = found.warnings.iter().map(|w| w.line).collect();
        assert_eq!(
            lines,
            [Some(3), Some(4), Some(5), Some(6)],
            "{:?}",
            found.warnings
        );
        assert!(!format!("{:?}", found.warnings).contains("SENTINEL"));

        let found = read_text(&folder, "- a\n- b\n", &none());
        assert_eq!(found.warnings[0].message, "not a mapping of settings");
        let found = read_text(
            &folder,
            "access-token: [SENTINEL]\nauth-contexts: {x: SENTINEL-x}\n",
            &none(),
        );
        assert_eq!(
            found.accounts.len(),
            1,
            "the flow-style contexts still count"
        );
        assert_eq!(
            found.accounts[0].origin.to_string(),
            format!("{}:2", folder.join("config.yaml").display())
        );
        assert_eq!(found.warnings.len(), 1);
        assert_eq!(found.warnings[0].line, Some(1));
        let _ = std::fs::remove_dir_all(folder);
    }
}
