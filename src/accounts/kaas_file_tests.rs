//! kaas's file: its format, its errors (file and line, never a value), the permission rule
//! for inline secrets.

use std::path::PathBuf;

use super::*;
use crate::accounts::tests::folder;

const FILE: &str = r#"# kaas's accounts
foreign_config = false
credential_timeout_seconds = 5

[accounts.team-a]
provider = "digitalocean"
token = { env = "TEAM_A_TOKEN" }

[accounts."oks:prod-eu"]
provider = "oks"
region = "eu-west-2"
access_key = { file = "~/.secrets/ak" }
secret_key = { command = ["pass", "show", "oks/prod-eu"] }

[accounts.lab]
provider = "commissaire"
base_url = "http://127.0.0.1:8000"
username = "ops"
password = { file = "lab-password" }

[accounts.stacks]
provider = "cloud66"
token = { command = "c66-token" }
"#;

/// Writes `text` as `config.toml` with `mode` in a fresh folder.
fn write(test: &str, text: &str, mode: u32) -> (PathBuf, PathBuf) {
    let folder = folder(test);
    let path = folder.join("config.toml");
    std::fs::write(&path, text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    #[cfg(not(unix))]
    let _ = mode;
    (folder, path)
}

#[test]
fn accounts_come_in_the_files_order_with_their_lines_and_sources() {
    let (folder, path) = write("kaas-file", FILE, 0o644);
    let file = read(&path, Some(Path::new("/home/u"))).unwrap();
    assert_eq!(file.foreign_config, Some(false));
    assert_eq!(file.credential_timeout, Some(Duration::from_secs(5)));
    let summary: Vec<_> = file
        .accounts
        .iter()
        .map(|a| {
            (
                a.name.as_str(),
                a.provider,
                a.origin.to_string(),
                a.credential.to_string(),
            )
        })
        .collect();
    let at = |line: usize| format!("{}:{line}", path.display());
    let password = folder.join("lab-password");
    assert_eq!(
        summary,
        [
            (
                "team-a",
                Provider::DigitalOcean,
                at(5),
                "token (variable TEAM_A_TOKEN)".to_owned()
            ),
            (
                "oks:prod-eu",
                Provider::Oks,
                at(9),
                "access key (file /home/u/.secrets/ak, command pass)".to_owned()
            ),
            (
                "lab",
                Provider::Commissaire,
                at(15),
                format!("login (file {})", password.display())
            ),
            (
                "stacks",
                Provider::Cloud66,
                at(21),
                "token (command c66-token)".to_owned()
            ),
        ]
    );
    let CredentialSource::AccessKey {
        secret_key: SecretSource::Command(command),
        ..
    } = &file.accounts[1].credential
    else {
        panic!("{:?}", file.accounts[1]);
    };
    assert_eq!(
        command,
        &CredentialCommand::new("pass", ["show", "oks/prod-eu"])
    );
    assert_eq!(
        file.accounts[1].location.region.as_deref(),
        Some("eu-west-2")
    );
    assert_eq!(
        file.accounts[2].location.base_url.as_deref(),
        Some("http://127.0.0.1:8000")
    );
    let missing = read(&folder.join("absent.toml"), None).unwrap();
    assert!(missing.accounts.is_empty() && missing.foreign_config.is_none());
    let _ = std::fs::remove_dir_all(folder);
}

#[cfg(unix)]
#[test]
fn an_inline_secret_is_accepted_only_in_a_file_no_one_else_can_read() {
    let text = "\n[accounts.team-a]\nprovider = \"digitalocean\"\ntoken = \"dop_v1_SENTINEL\"\n";
    let (folder, path) = write("kaas-inline-open", text, 0o644);
    let error = read(&path, None).unwrap_err();
    let message = error.to_string();
    assert!(
        matches!(error, AccountsError::InlineSecretInOpenFile { line: 2, mode: 0o644, ref account, .. } if account == "team-a"),
        "{error:?}"
    );
    assert!(message.contains(&path.display().to_string()), "{message}");
    assert!(!message.contains("SENTINEL") && !format!("{error:?}").contains("SENTINEL"));
    let _ = std::fs::remove_dir_all(folder);

    for mode in [0o640, 0o604, 0o620] {
        let (folder, path) = write("kaas-inline-group", text, mode);
        assert!(read(&path, None).is_err(), "{mode:o}");
        let _ = std::fs::remove_dir_all(folder);
    }

    let (folder, path) = write("kaas-inline-private", text, 0o600);
    let file = read(&path, None).unwrap();
    let SecretSource::Inline(token) = &file.accounts[0].credential.secrets()[0] else {
        panic!("{:?}", file.accounts[0]);
    };
    assert_eq!(token.expose(), "dop_v1_SENTINEL");
    assert!(!format!("{:?}", file.accounts).contains("SENTINEL"));
    let _ = std::fs::remove_dir_all(folder);
}

#[test]
fn a_broken_file_is_an_error_with_its_file_and_line_and_no_value() {
    let account = |body: &str| format!("foreign_config = true\n\n[accounts.a]\n{body}\n");
    for (text, line, expected) in [
        ("foreign_config = \"SENTINEL\"\n".to_owned(), 1, "invalid type"),
        ("[accounts.a]\nprovider = \"digitalocean\"\ntoken = \"SENTINEL\n".to_owned(), 3, ""),
        (account("provider = \"digitalocean\"\ntokn = { env = \"X\" }"), 5, "unknown field `tokn`"),
        (account("provider = \"SENTINEL\"\ntoken = { env = \"X\" }"), 3, "`provider` is not one of"),
        (account("provider = \"digitalocean\""), 3, "digitalocean takes `token`"),
        (account("provider = \"oks\"\naccess_key = { env = \"A\" }"), 3, "oks takes `access_key` and `secret_key`"),
        (account("provider = \"cloud66\"\ntoken = { env = \"A\" }\npassword = \"SENTINEL\""), 3, "cloud66 takes `token`"),
        (account("provider = \"commissaire\"\ntoken = { env = \"A\" }"), 3, "needs its `base_url`"),
        (account("provider = \"digitalocean\"\nregion = \"eu-west-2\"\ntoken = { env = \"A\" }"), 3, "`region` is for OKS"),
        (account("provider = \"oks\"\nregion = \"x.evil/\"\naccess_key = { env = \"A\" }\nsecret_key = { env = \"B\" }"), 3, "a region name"),
        (account("provider = \"digitalocean\"\ntoken = { env = \"A\", file = \"B\" }"), 3, "a secret is text, or one of"),
        (account("provider = \"digitalocean\"\ntoken = { command = [] }"), 3, "needs a program"),
        (account("provider = \"digitalocean\"\ntoken = { vault = \"SENTINEL\" }"), 5, ""),
        ("[accounts.oks]\nprovider = \"oks\"\naccess_key = { env = \"A\" }\nsecret_key = { env = \"B\" }\n".to_owned(), 1, "a provider's name"),
        ("[accounts.\"env:x\"]\nprovider = \"cloud66\"\ntoken = { env = \"A\" }\n".to_owned(), 1, "a name with `:` must start with `do:`"),
        ("[accounts.\"oks:x\"]\nprovider = \"digitalocean\"\ntoken = { env = \"A\" }\n".to_owned(), 1, "a name with `:`"),
        ("[accounts.\"a/b\"]\nprovider = \"digitalocean\"\ntoken = { env = \"A\" }\n".to_owned(), 1, "cannot hold `/`"),
        ("[accounts.x]\nprovider = \"digitalocean\"\ntoken = { file = \"~/t\" }\n".to_owned(), 1, "home folder is unknown"),
    ] {
        let (folder, path) = write("kaas-broken", &text, 0o600);
        let error = read(&path, None).unwrap_err();
        let message = error.to_string();
        assert!(
            matches!(&error, AccountsError::Invalid { line: l, .. } if *l == line),
            "{text}\n=> {message}"
        );
        assert!(message.starts_with(&format!("{}:{line}: ", path.display())), "{message}");
        assert!(message.contains(expected), "{text}\n=> {message}");
        assert!(!message.contains("SENTINEL"), "{message}");
        assert!(!message.contains('\n'), "{message}");
        let _ = std::fs::remove_dir_all(folder);
    }
}
