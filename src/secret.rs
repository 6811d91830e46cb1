//! What kaas treats as secret: [`SecretText`], a credential that arrives in a response body,
//! and the headers that may carry one.

use std::fmt;

use secrecy::{ExposeSecret as _, SecretString};

/// A credential found in a response (a cluster token, a private key): zeroized on drop,
/// `[REDACTED]` in `Debug`. Spec fields marked `x-secret` are generated with this type.
///
/// ```
/// let token = kaas::SecretText::from("SENTINEL");
/// assert_eq!(format!("{token:?}"), "SecretText([REDACTED])");
/// assert_eq!(token.expose(), "SENTINEL");
/// ```
#[derive(Clone)]
pub struct SecretText(SecretString);

impl SecretText {
    /// The secret itself. Do not log it.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl From<String> for SecretText {
    fn from(value: String) -> Self {
        SecretText(SecretString::from(value))
    }
}

impl From<&str> for SecretText {
    fn from(value: &str) -> Self {
        SecretText(SecretString::from(value))
    }
}

impl fmt::Debug for SecretText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretText([REDACTED])")
    }
}

impl PartialEq for SecretText {
    fn eq(&self, other: &Self) -> bool {
        self.expose() == other.expose()
    }
}

impl serde::Serialize for SecretText {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.expose())
    }
}

impl<'de> serde::Deserialize<'de> for SecretText {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(SecretText::from)
    }
}

/// Headers that may carry a credential (OKS rotates tokens through `Access-Token` and
/// `Refresh-Token`; others carry cookies, API keys, sessions): never copied into an error,
/// never shown by `Debug`.
pub(crate) fn carries_credential(name: &reqwest::header::HeaderName) -> bool {
    let name = name.as_str();
    matches!(
        name,
        "authorization" | "proxy-authorization" | "cookie" | "set-cookie" | "www-authenticate"
    ) || [
        "token", "secret", "password", "auth", "key", "otp", "session",
    ]
    .iter()
    .any(|word| name.contains(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_shows_as_redacted_and_compares_by_its_text() {
        let token = SecretText::from("SENTINEL");
        assert_eq!(format!("{token:?}"), "SecretText([REDACTED])");
        assert_eq!(
            format!("{:?}", Some(&token)),
            "Some(SecretText([REDACTED]))"
        );
        assert_eq!(token, SecretText::from(String::from("SENTINEL")));
        assert_ne!(token, SecretText::from("SENTINEL2"));
        assert_ne!(token, SecretText::from(""));
    }
}
