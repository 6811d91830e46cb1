//! [`Credential`]: what a kubeconfig user presents to the API server, and how a kubeconfig
//! user is turned into a call to a credential plugin.

use std::fmt;
use std::time::SystemTime;

use base64::Engine as _;
use secrecy::{ExposeSecret as _, SecretString};
use serde_yaml_ng::{Mapping, Value};
use zeroize::Zeroizing;

use super::Kubeconfig;
use crate::error::{Error, Result};

/// The `apiVersion` of the credential plugin protocol kaas speaks.
pub const EXEC_API_VERSION: &str = "client.authentication.k8s.io/v1";

/// The longest time before its expiry that a credential is replaced.
pub const REFRESH_MARGIN: std::time::Duration = std::time::Duration::from_secs(5 * 60);

/// How long before its expiry a credential that lasts `lifetime` is replaced: five minutes
/// ([`REFRESH_MARGIN`]), or a fifth of its lifetime when that is shorter. The refreshing
/// `kube::Client` and the `kaas credential` cache both follow it.
///
/// ```
/// use std::time::Duration;
/// use kaas::kubeconfig::refresh_margin;
/// assert_eq!(refresh_margin(Duration::from_secs(3600)), Duration::from_secs(300));
/// assert_eq!(refresh_margin(Duration::from_secs(600)), Duration::from_secs(120));
/// ```
pub fn refresh_margin(lifetime: std::time::Duration) -> std::time::Duration {
    REFRESH_MARGIN.min(lifetime / 5)
}

/// A cluster credential: a bearer token, or a client certificate and its key, with its expiry
/// when known. Secret parts are zeroized on drop and redacted in `Debug`.
#[derive(Clone)]
pub struct Credential {
    secret: Secret,
    expires_at: Option<SystemTime>,
}

#[derive(Clone)]
enum Secret {
    Token(SecretString),
    ClientCertificate {
        certificate_pem: String,
        key_pem: SecretString,
    },
}

impl Credential {
    /// A bearer token, expiring at `expires_at` when known.
    pub fn token(token: SecretString, expires_at: Option<SystemTime>) -> Self {
        Credential {
            secret: Secret::Token(token),
            expires_at,
        }
    }

    /// A client certificate and its private key, both PEM text. The expiry is the
    /// certificate's `notAfter`, or `expires_at` when that is sooner.
    pub fn client_certificate(
        certificate_pem: String,
        key_pem: SecretString,
        expires_at: Option<SystemTime>,
    ) -> Result<Self> {
        let not_after = certificate_not_after(&certificate_pem)?;
        Ok(Credential {
            secret: Secret::ClientCertificate {
                certificate_pem,
                key_pem,
            },
            expires_at: earliest(expires_at, Some(not_after)),
        })
    }

    /// When the credential stops working, when known.
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.expires_at
    }

    /// The bearer token, if this credential is one. Do not log it.
    pub fn expose_token(&self) -> Option<&str> {
        match &self.secret {
            Secret::Token(token) => Some(token.expose_secret()),
            Secret::ClientCertificate { .. } => None,
        }
    }

    /// The client certificate and key (PEM), if this credential is one. Do not log the key.
    pub fn expose_client_certificate(&self) -> Option<(&str, &str)> {
        match &self.secret {
            Secret::Token(_) => None,
            Secret::ClientCertificate {
                certificate_pem,
                key_pem,
            } => Some((certificate_pem, key_pem.expose_secret())),
        }
    }

    /// The credential as a `client.authentication.k8s.io/v1` `ExecCredential`, the JSON a
    /// credential plugin prints for kubectl, with `expirationTimestamp` when the expiry is
    /// known (kubectl then calls the plugin again only after it).
    pub fn exec_credential_json(&self) -> SecretString {
        let (token, certificate, key) = match &self.secret {
            Secret::Token(token) => (Some(token.expose_secret()), None, None),
            Secret::ClientCertificate {
                certificate_pem,
                key_pem,
            } => (
                None,
                Some(certificate_pem.as_str()),
                Some(key_pem.expose_secret()),
            ),
        };
        let document = ExecCredential {
            api_version: EXEC_API_VERSION,
            kind: "ExecCredential",
            status: ExecCredentialStatus {
                token,
                client_certificate_data: certificate,
                client_key_data: key,
                expiration_timestamp: self.expires_at.map(|at| {
                    chrono::DateTime::<chrono::Utc>::from(at)
                        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                }),
            },
        };
        // Written once into a buffer large enough, so no copy of the secret is left behind
        // by a reallocation, and the buffer is zeroed when dropped.
        let room = 256
            + token.map_or(0, str::len)
            + certificate.map_or(0, str::len) * 2
            + key.map_or(0, str::len) * 2;
        let mut text = Zeroizing::new(Vec::with_capacity(room));
        // Serializing borrowed strings into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *text, &document);
        SecretString::from(String::from_utf8_lossy(&text).as_ref())
    }
}

/// A `client.authentication.k8s.io/v1` `ExecCredential`, borrowing the secrets it prints.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct ExecCredential<'a> {
    api_version: &'a str,
    kind: &'a str,
    status: ExecCredentialStatus<'a>,
}

/// Its `status`.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct ExecCredentialStatus<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    token: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_certificate_data: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_key_data: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expiration_timestamp: Option<String>,
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.secret {
            Secret::Token(_) => "token",
            Secret::ClientCertificate { .. } => "client certificate",
        };
        f.debug_struct("Credential")
            .field("kind", &kind)
            .field("expires_at", &self.expires_at)
            .field("secret", &"[REDACTED]")
            .finish()
    }
}

impl Kubeconfig {
    /// The credential of the current context's user (of the only context when no
    /// `current-context` is set): its token, or its client certificate and key. A user that
    /// logs in by itself (`exec`, `auth-provider`) has none to hand out: [`Error::Kubeconfig`].
    pub fn credential(&self) -> Result<Credential> {
        let document = parse(self)?;
        let user = current_user(&document)?;
        let field = |name: &str| user.get(name).and_then(Value::as_str);
        if let Some(token) = field("token").filter(|t| !t.is_empty()) {
            return Ok(Credential::token(token.into(), self.expires_at()));
        }
        match (field("client-certificate-data"), field("client-key-data")) {
            (Some(certificate), Some(key)) => Credential::client_certificate(
                base64_text(certificate, "client-certificate-data")?,
                SecretString::from(base64_text(key, "client-key-data")?),
                self.expires_at(),
            ),
            _ => Err(Error::Kubeconfig(
                "the current user has no token and no client certificate data (it logs in by itself, or reads files)".into(),
            )),
        }
    }

    /// The same kubeconfig with every user's credentials replaced by a call to a credential
    /// plugin: `command args..`, speaking `client.authentication.k8s.io/v1`, never interactive.
    /// The result holds no secret and no expiry (the plugin is asked again when it expires).
    pub fn with_exec_user(&self, command: &str, args: &[&str]) -> Result<Kubeconfig> {
        let mut document = parse(self)?;
        let exec = Value::Mapping(Mapping::from_iter([
            ("apiVersion".into(), EXEC_API_VERSION.into()),
            ("command".into(), command.into()),
            (
                "args".into(),
                Value::Sequence(args.iter().map(|a| Value::from(*a)).collect()),
            ),
            ("interactiveMode".into(), "Never".into()),
            ("provideClusterInfo".into(), false.into()),
        ]));
        let users = document
            .get_mut("users")
            .and_then(Value::as_sequence_mut)
            .filter(|users| !users.is_empty())
            .ok_or_else(|| Error::Kubeconfig("the kubeconfig has no users".into()))?;
        for entry in users {
            let Some(entry) = entry.as_mapping_mut() else {
                return Err(Error::Kubeconfig("a user entry is not a mapping".into()));
            };
            entry.insert(
                "user".into(),
                Value::Mapping(Mapping::from_iter([("exec".into(), exec.clone())])),
            );
        }
        let yaml = serde_yaml_ng::to_string(&document).map_err(|_| {
            Error::Kubeconfig("the kubeconfig could not be written back as YAML".into())
        })?;
        Kubeconfig::from_yaml(yaml)
    }
}

impl Kubeconfig {
    /// A kubeconfig of one context, `kaas`, for `server` (its CA as the base64 PEM a
    /// kubeconfig's `certificate-authority-data` holds) and a bearer token.
    #[cfg_attr(
        not(all(feature = "kube", feature = "digitalocean")),
        allow(dead_code, reason = "DigitalOcean's kube client is its one user")
    )]
    pub(crate) fn for_token(
        server: &str,
        certificate_authority_data: Option<&str>,
        token: &str,
        expires_at: Option<SystemTime>,
    ) -> Result<Kubeconfig> {
        let mut cluster = Mapping::from_iter([("server".into(), server.into())]);
        if let Some(data) = certificate_authority_data {
            cluster.insert("certificate-authority-data".into(), data.into());
        }
        let entry = |kind: &str, value: Value| {
            Value::Sequence(vec![Value::Mapping(Mapping::from_iter([
                ("name".into(), "kaas".into()),
                (kind.into(), value),
            ]))])
        };
        let document = Value::Mapping(Mapping::from_iter([
            ("apiVersion".into(), "v1".into()),
            ("kind".into(), "Config".into()),
            ("current-context".into(), "kaas".into()),
            ("clusters".into(), entry("cluster", Value::Mapping(cluster))),
            (
                "contexts".into(),
                entry(
                    "context",
                    Value::Mapping(Mapping::from_iter([
                        ("cluster".into(), "kaas".into()),
                        ("user".into(), "kaas".into()),
                    ])),
                ),
            ),
            (
                "users".into(),
                entry(
                    "user",
                    Value::Mapping(Mapping::from_iter([("token".into(), token.into())])),
                ),
            ),
        ]));
        let yaml = serde_yaml_ng::to_string(&document)
            .map_err(|_| Error::Kubeconfig("the kubeconfig could not be written as YAML".into()))?;
        let kubeconfig = Kubeconfig::from_yaml(yaml)?;
        Ok(match expires_at {
            Some(at) => kubeconfig.expiring_at(at),
            None => kubeconfig,
        })
    }
}

/// The kubeconfig's YAML as a document (the parse already succeeded once, in `from_yaml`).
fn parse(kubeconfig: &Kubeconfig) -> Result<Value> {
    serde_yaml_ng::from_str(kubeconfig.expose_yaml())
        .map_err(|e| Error::Kubeconfig(super::location_only(&e)))
}

/// The `user` mapping of the current context's user.
fn current_user(document: &Value) -> Result<&Value> {
    let named = |list: &str, name: &str| {
        document
            .get(list)
            .and_then(Value::as_sequence)
            .into_iter()
            .flatten()
            .find(|entry| entry.get("name").and_then(Value::as_str) == Some(name))
    };
    let contexts = document.get("contexts").and_then(Value::as_sequence);
    let context = match document
        .get("current-context")
        .and_then(Value::as_str)
        .filter(|c| !c.is_empty())
    {
        Some(name) => named("contexts", name),
        None => match contexts.map(Vec::as_slice) {
            Some([only]) => Some(only),
            _ => None,
        },
    }
    .ok_or_else(|| {
        Error::Kubeconfig(
            "no current context (and not exactly one context) to take the user of".into(),
        )
    })?;
    let user_name = context
        .get("context")
        .and_then(|c| c.get("user"))
        .and_then(Value::as_str)
        .ok_or_else(|| Error::Kubeconfig("the current context names no user".into()))?;
    named("users", user_name)
        .and_then(|entry| entry.get("user"))
        .ok_or_else(|| {
            Error::Kubeconfig(format!(
                "the current context's user `{user_name}` is not in the kubeconfig"
            ))
        })
}

/// Decodes a kubeconfig `*-data` field (standard base64 of PEM text).
fn base64_text(data: &str, field: &str) -> Result<String> {
    let bytes = Zeroizing::new(
        base64::engine::general_purpose::STANDARD
            .decode(data.trim())
            .map_err(|_| Error::Kubeconfig(format!("`{field}` is not base64")))?,
    );
    String::from_utf8(bytes.to_vec()).map_err(|e| {
        let mut bytes = e.into_bytes();
        zeroize::Zeroize::zeroize(&mut bytes);
        Error::Kubeconfig(format!("`{field}` is not PEM text"))
    })
}

/// The `notAfter` of the first certificate in `pem`.
fn certificate_not_after(pem: &str) -> Result<SystemTime> {
    let start = pem.find("-----BEGIN CERTIFICATE-----").ok_or_else(|| {
        Error::Kubeconfig("the client certificate data holds no PEM certificate".into())
    })?;
    let end = pem[start..]
        .find("-----END CERTIFICATE-----")
        .map(|at| start + at + "-----END CERTIFICATE-----".len())
        .ok_or_else(|| Error::Kubeconfig("the client certificate's PEM is cut short".into()))?;
    let not_valid =
        || Error::Kubeconfig("the client certificate is not a valid X.509 certificate".into());
    let (label, document) = der::Document::from_pem(&pem[start..end]).map_err(|_| not_valid())?;
    if label != "CERTIFICATE" {
        return Err(not_valid());
    }
    let since_epoch = validity_not_after(document.as_bytes()).map_err(|_| not_valid())?;
    SystemTime::UNIX_EPOCH
        .checked_add(since_epoch)
        .ok_or_else(|| {
            Error::Kubeconfig("the client certificate's notAfter is out of range".into())
        })
}

/// Reads `tbsCertificate.validity.notAfter` of a DER certificate (RFC 5280, 4.1):
///
/// ```text
/// Certificate    ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }
/// TBSCertificate ::= SEQUENCE { version [0] EXPLICIT OPTIONAL, serialNumber, signature,
///                               issuer, validity, subject, subjectPublicKeyInfo, ... }
/// Validity       ::= SEQUENCE { notBefore Time, notAfter Time }
/// Time           ::= CHOICE { utcTime UTCTime, generalTime GeneralizedTime }
/// ```
///
/// Only the path to `notAfter` is read; `der` checks every length on the way.
fn validity_not_after(certificate: &[u8]) -> der::Result<std::time::Duration> {
    use der::asn1::{AnyRef, GeneralizedTime, UtcTime};
    use der::{Decode as _, Reader as _, Tag, TagNumber, Tagged as _};

    /// Reads what is left of a sequence, so that its reader ends at its end.
    fn skip_rest(reader: &mut der::SliceReader<'_>) -> der::Result<()> {
        while !reader.is_finished() {
            reader.decode::<AnyRef<'_>>()?;
        }
        Ok(())
    }

    AnyRef::from_der(certificate)?.sequence(|certificate| {
        let tbs = certificate.decode::<AnyRef<'_>>()?;
        skip_rest(certificate)?;
        tbs.sequence(|tbs| {
            let version = Tag::ContextSpecific {
                constructed: true,
                number: TagNumber::N0,
            };
            if tbs.peek_tag()? == version {
                tbs.decode::<AnyRef<'_>>()?;
            }
            for _serial_signature_issuer in 0..3 {
                tbs.decode::<AnyRef<'_>>()?;
            }
            let validity = tbs.decode::<AnyRef<'_>>()?;
            skip_rest(tbs)?;
            validity.sequence(|validity| {
                validity.decode::<AnyRef<'_>>()?;
                let not_after = validity.decode::<AnyRef<'_>>()?;
                match not_after.tag() {
                    Tag::UtcTime => Ok(UtcTime::try_from(not_after)?.to_unix_duration()),
                    _ => Ok(GeneralizedTime::try_from(not_after)?.to_unix_duration()),
                }
            })
        })
    })
}

/// The sooner of two optional moments.
pub(crate) fn earliest(a: Option<SystemTime>, b: Option<SystemTime>) -> Option<SystemTime> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN_CONFIG: &str = "apiVersion: v1\nkind: Config\ncurrent-context: demo\nclusters:\n- name: demo\n  cluster: {server: 'https://demo.example.com', certificate-authority-data: Q0E=}\ncontexts:\n- name: demo\n  context: {cluster: demo, user: admin}\n- name: other\n  context: {cluster: demo, user: viewer}\nusers:\n- name: admin\n  user: {token: SENTINEL-admin}\n- name: viewer\n  user: {token: SENTINEL-viewer}\n";

    /// A self-signed certificate valid until 2031-01-01T17:01:14Z (made with openssl for
    /// this test; its key was thrown away, reading the certificate does not need it).
    const CERTIFICATE_PEM: &str =
        include_str!("../../tests/fixtures/kubeconfig/client-certificate.pem");

    #[test]
    fn the_current_users_token_is_the_credential() {
        let config = Kubeconfig::from_yaml(TOKEN_CONFIG.into()).unwrap();
        let credential = config.credential().unwrap();
        assert_eq!(credential.expose_token(), Some("SENTINEL-admin"));
        assert_eq!(credential.expires_at(), None);
        assert!(!format!("{credential:?}").contains("SENTINEL"));
    }

    #[test]
    fn the_exec_credential_carries_the_token_and_its_expiry() {
        let at = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_900_000_000);
        let credential = Credential::token("SENTINEL".into(), Some(at));
        let json: serde_json::Value =
            serde_json::from_str(credential.exec_credential_json().expose_secret()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "apiVersion": "client.authentication.k8s.io/v1",
                "kind": "ExecCredential",
                "status": {"token": "SENTINEL", "expirationTimestamp": "2030-03-17T17:46:40Z"},
            })
        );
    }

    #[test]
    fn a_client_certificate_expires_at_its_not_after() {
        let data = |text: &str| base64::engine::general_purpose::STANDARD.encode(text);
        let yaml = format!(
            "apiVersion: v1\nkind: Config\ncontexts:\n- name: c\n  context: {{cluster: c, user: u}}\nusers:\n- name: u\n  user:\n    client-certificate-data: {}\n    client-key-data: {}\n",
            data(CERTIFICATE_PEM),
            data("-----BEGIN PRIVATE KEY-----\nSENTINEL\n-----END PRIVATE KEY-----\n"),
        );
        let credential = Kubeconfig::from_yaml(yaml).unwrap().credential().unwrap();
        let not_after = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_925_053_274);
        assert_eq!(credential.expires_at(), Some(not_after));
        let (certificate, key) = credential.expose_client_certificate().unwrap();
        assert_eq!(certificate, CERTIFICATE_PEM);
        assert!(key.contains("SENTINEL"));
        let json: serde_json::Value =
            serde_json::from_str(credential.exec_credential_json().expose_secret()).unwrap();
        assert_eq!(json["status"]["clientCertificateData"], CERTIFICATE_PEM);
        assert_eq!(
            json["status"]["expirationTimestamp"],
            "2031-01-01T17:01:14Z"
        );
        assert!(!format!("{credential:?}").contains("SENTINEL"));
    }

    #[test]
    fn a_version_1_certificate_with_a_generalized_time_expires_at_its_not_after() {
        // No `[0] version` field, and a notAfter past 2049 (GeneralizedTime, not UTCTime).
        let pem =
            include_str!("../../tests/fixtures/kubeconfig/v1-certificate-generalized-time.pem");
        let credential = Credential::client_certificate(pem.into(), "k".into(), None).unwrap();
        let not_after = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(4_949_062_900);
        assert_eq!(credential.expires_at(), Some(not_after));
    }

    #[test]
    fn a_broken_certificate_is_a_kubeconfig_error() {
        let pem = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        let error = Credential::client_certificate(pem.into(), "k".into(), None).unwrap_err();
        assert!(matches!(error, Error::Kubeconfig(_)), "{error}");
        // A real certificate cut short inside its validity: every length is checked.
        use base64::Engine as _;
        let body: String = CERTIFICATE_PEM
            .lines()
            .filter(|line| !line.starts_with("-----"))
            .collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(body)
            .unwrap();
        for cut in [10, der.len() / 2, der.len() - 1] {
            let pem = format!(
                "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
                base64::engine::general_purpose::STANDARD.encode(&der[..cut])
            );
            let error = Credential::client_certificate(pem, "k".into(), None).unwrap_err();
            assert!(
                error.to_string().contains("not a valid X.509 certificate"),
                "cut at {cut}: {error}"
            );
        }
    }

    #[test]
    fn users_that_log_in_by_themselves_have_no_credential() {
        let config = Kubeconfig::from_yaml(TOKEN_CONFIG.into())
            .unwrap()
            .with_exec_user("kaas", &["credential", "digitalocean/1234"])
            .unwrap();
        assert!(matches!(config.credential(), Err(Error::Kubeconfig(_))));
    }

    #[test]
    fn exec_users_replace_every_credential_and_keep_the_rest() {
        let config = Kubeconfig::from_yaml(TOKEN_CONFIG.into())
            .unwrap()
            .with_exec_user("kaas", &["credential", "digitalocean/1234"])
            .unwrap();
        assert!(!config.expose_yaml().contains("SENTINEL"));
        let document: Value = serde_yaml_ng::from_str(config.expose_yaml()).unwrap();
        let before: Value = serde_yaml_ng::from_str(TOKEN_CONFIG).unwrap();
        assert_eq!(document["clusters"], before["clusters"]);
        assert_eq!(document["contexts"], before["contexts"]);
        assert_eq!(document["current-context"], "demo");
        for user in document["users"].as_sequence().unwrap() {
            let exec = &user["user"]["exec"];
            assert_eq!(exec["apiVersion"], EXEC_API_VERSION);
            assert_eq!(exec["command"], "kaas");
            assert_eq!(
                exec["args"],
                serde_yaml_ng::from_str::<Value>("[credential, digitalocean/1234]").unwrap()
            );
            assert_eq!(exec["interactiveMode"], "Never");
        }
    }
}
