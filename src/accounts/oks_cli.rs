//! oks-cli's profiles, read-only, as oks-cli reads them (outscale/oks-cli):
//!
//! - `~/.oks_cli/config.json` maps a profile name to `{"type": "ak/sk", "access_key",
//!   "secret_key"}` or `{"type": "username/password", "username", "password"}`, with
//!   `region_name` and an optional `endpoint` (`oks_cli/profile.py`: `add_profile`).
//! - The endpoint is `OKS_ENDPOINT`, else the profile's `endpoint`, else
//!   `https://api.<region_name>.oks.outscale.com/api/v2/`; the profile in use is `--profile`,
//!   else `OKS_PROFILE`, else `default` (`oks_cli/utils.py`: `DEFAULT_API_URL`,
//!   `login_profile`).
//!
//! Each profile becomes the account `oks:<profile>`.

use std::path::Path;

use serde_json::{Map, Value};

use super::account::{Account, Location, Origin, Source, name_problem, region_problem};
use super::credential::{CredentialSource, SecretSource};
use super::error::{Warning, without_values};
use super::lines::json_top_level_keys;
use super::sources::Environment;
use super::{Found, read_foreign};
use crate::inventory::Provider;

/// The prefix of oks-cli's accounts.
pub const PREFIX: &str = "oks:";

/// The accounts of oks-cli's file at `path` (none when it does not exist).
pub(super) fn read(path: &Path, environment: &Environment) -> Found {
    let Some(text) = read_foreign(Source::OksCli, path) else {
        return Found::default();
    };
    let text = match text {
        Ok(text) => text,
        Err(warning) => return Found::warning(warning),
    };
    let warn = |line: Option<usize>, message: String| Warning {
        tool: Source::OksCli,
        path: path.to_owned(),
        line,
        message,
    };
    let profiles: Map<String, Value> = match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(profiles)) => profiles,
        Ok(_) => return Found::warning(warn(Some(1), "not an object of profiles".into())),
        Err(error) => {
            let message = format!("not JSON: {}", without_values(&error.to_string()));
            return Found::warning(warn(Some(error.line()), message));
        }
    };
    let lines = json_top_level_keys(&text);
    let current = environment
        .get("OKS_PROFILE")
        .unwrap_or_else(|| "default".to_owned());
    let forced_endpoint = environment
        .get("OKS_ENDPOINT")
        .map(|url| url.trim().to_owned());
    let mut found = Found::default();
    // In the file's order; a key the line finder missed comes last, with no line.
    let mut ordered: Vec<(&String, Option<usize>)> = Vec::new();
    for (key, line) in &lines {
        if let Some((name, _)) = profiles.get_key_value(key)
            && !ordered.iter().any(|(seen, _)| *seen == name)
        {
            ordered.push((name, Some(*line)));
        }
    }
    for name in profiles.keys() {
        if !ordered.iter().any(|(seen, _)| *seen == name) {
            ordered.push((name, None));
        }
    }
    for (name, line) in ordered {
        let profile = &profiles[name];
        match account(name, profile) {
            Ok((credential, mut location)) => found.accounts.push(Account {
                location: {
                    location.base_url = forced_endpoint.clone().or(location.base_url);
                    location
                },
                name: format!("{PREFIX}{name}"),
                provider: Provider::Oks,
                credential,
                origin: Origin::File {
                    source: Source::OksCli,
                    path: path.to_owned(),
                    line: line.unwrap_or(1),
                },
                current: *name == current,
            }),
            Err(why) => found
                .warnings
                .push(warn(line, format!("profile `{name}` skipped: {why}"))),
        }
    }
    found
}

/// A profile's credential and location, or why it has none.
fn account(name: &str, profile: &Value) -> Result<(CredentialSource, Location), String> {
    if let Some(problem) = name_problem(name) {
        return Err(problem.to_owned());
    }
    let Value::Object(profile) = profile else {
        return Err("not an object".to_owned());
    };
    let text = |key: &str| -> Result<Option<String>, String> {
        match profile.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(value)) if !value.trim().is_empty() => {
                Ok(Some(value.trim().to_owned()))
            }
            Some(Value::String(_)) => Ok(None),
            Some(_) => Err(format!("`{key}` is not text")),
        }
    };
    let required = |key: &str| text(key)?.ok_or_else(|| format!("`{key}` is missing"));
    let credential = match text("type")?.as_deref() {
        Some("ak/sk") => CredentialSource::AccessKey {
            access_key: SecretSource::Inline(required("access_key")?.into()),
            secret_key: SecretSource::Inline(required("secret_key")?.into()),
        },
        Some("username/password") => CredentialSource::Login {
            username: required("username")?,
            password: SecretSource::Inline(required("password")?.into()),
        },
        Some(_) => return Err("`type` is neither `ak/sk` nor `username/password`".to_owned()),
        None => return Err("`type` is missing".to_owned()),
    };
    let region = text("region_name")?;
    if let Some(problem) = region.as_deref().and_then(region_problem) {
        return Err(format!("`region_name`: {problem}"));
    }
    let endpoint = text("endpoint")?;
    if region.is_none() && endpoint.is_none() {
        return Err("it has neither `region_name` nor `endpoint`".to_owned());
    }
    Ok((credential, Location::new(region, endpoint)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::credential::Credential;
    use crate::accounts::tests::{all_at, current_names, folder};

    /// As `oks-cli profile add` writes it: `json.dumps` on one line (`oks_cli/utils.py`:
    /// `set_profile`), keys as in `oks_cli/profile.py`.
    const OKS_CLI: &str = r#"{"default": {"region_name": "eu-west-2", "type": "ak/sk", "access_key": "SENTINEL-AK", "secret_key": "SENTINEL-SK", "jwt": false, "output": "json"}, "gouv": {"region_name": "cloudgouv-eu-west-1", "endpoint": "http://127.0.0.1:9000/api/v2/", "type": "username/password", "username": "ops", "password": "SENTINEL-PW"}}"#;

    fn read_text(folder: &std::path::Path, text: &str, environment: &Environment) -> Found {
        let path = folder.join("config.json");
        std::fs::write(&path, text).unwrap();
        read(&path, environment)
    }

    fn none() -> Environment {
        Environment::empty()
    }

    #[tokio::test]
    async fn every_profile_is_an_account_with_its_region_and_endpoint() {
        let folder = folder("oks-cli");
        let found = read_text(&folder, OKS_CLI, &none());
        assert_eq!(found.warnings, []);
        let [default, gouv] = &found.accounts[..] else {
            panic!("{:?}", found.accounts)
        };
        assert_eq!(
            (default.name.as_str(), default.current),
            ("oks:default", true)
        );
        assert_eq!(
            default
                .location
                .effective_base_url(Provider::Oks)
                .as_deref(),
            Some("https://api.eu-west-2.oks.outscale.com/api/v2")
        );
        assert_eq!((gouv.name.as_str(), gouv.current), ("oks:gouv", false));
        assert_eq!(gouv.location.region.as_deref(), Some("cloudgouv-eu-west-1"));
        assert_eq!(
            gouv.location.base_url.as_deref(),
            Some("http://127.0.0.1:9000/api/v2/")
        );
        assert_eq!(gouv.credential.kind(), "login");
        let credential = gouv
            .credential
            .resolve(&gouv.name, &none(), std::time::Duration::from_secs(1))
            .await
            .unwrap();
        assert_eq!(
            credential,
            Credential::Login {
                username: "ops".into(),
                password: "SENTINEL-PW".into()
            }
        );
        assert!(!format!("{:?}", found.accounts).contains("SENTINEL"));
        let found = read_text(
            &folder,
            OKS_CLI,
            &Environment::from_pairs([
                ("OKS_PROFILE", "gouv"),
                ("OKS_ENDPOINT", "http://127.0.0.1:9999/api/v2"),
            ]),
        );
        // OKS_ENDPOINT wins over every profile's endpoint, as in oks-cli.
        assert!(all_at(&found, "http://127.0.0.1:9999/api/v2"));
        assert_eq!(current_names(&found), ["oks:gouv"]);
        let _ = std::fs::remove_dir_all(folder);
    }

    #[test]
    fn a_broken_file_or_profile_is_a_warning_with_its_line_not_its_value() {
        let folder = folder("oks-cli");
        let found = read_text(
            &folder,
            "{\n \"a\": {\"secret_key\": \"SENTINEL\"\n",
            &none(),
        );
        let [warning] = &found.warnings[..] else {
            panic!("{:?}", found.warnings)
        };
        assert_eq!(warning.line, Some(3), "{warning}");
        assert!(
            warning.to_string().contains("config.json:3: not JSON"),
            "{warning}"
        );
        assert!(!warning.to_string().contains("SENTINEL"));

        let text = r#"{
  "ok": {"type": "ak/sk", "access_key": "AK", "secret_key": "SENTINEL-1", "region_name": "eu-west-2"},
  "no-type": {"access_key": "AK", "secret_key": "SENTINEL-2", "region_name": "eu-west-2"},
  "no-secret": {"type": "ak/sk", "access_key": "AK", "region_name": "eu-west-2"},
  "nowhere": {"type": "ak/sk", "access_key": "AK", "secret_key": "SENTINEL-3"},
  "bad-region": {"type": "ak/sk", "access_key": "AK", "secret_key": "SENTINEL-4", "region_name": "x.evil/"},
  "odd-type": {"type": "oauth", "region_name": "eu-west-2"},
  "number": {"type": "ak/sk", "access_key": 12, "secret_key": "SENTINEL-5", "region_name": "eu-west-2"},
  "a/b": {"type": "ak/sk", "access_key": "AK", "secret_key": "SENTINEL-6", "region_name": "eu-west-2"},
  "list": ["SENTINEL-7"]
}"#;
        let found = read_text(&folder, text, &none());
        let names: Vec<_> = found.accounts.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["oks:ok"]);
        let lines: Vec<_> = found.warnings.iter().filter_map(|w| w.line).collect();
        assert_eq!(lines, [3, 4, 5, 6, 7, 8, 9, 10], "{:?}", found.warnings);
        assert!(!format!("{:?}", found.warnings).contains("SENTINEL"));
        assert!(
            found.warnings[1]
                .message
                .contains("`secret_key` is missing")
        );

        let found = read_text(&folder, "[]", &none());
        assert_eq!(found.warnings[0].message, "not an object of profiles");
        let _ = std::fs::remove_dir_all(folder);
    }
}
