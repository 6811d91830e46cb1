//! Credential schemes shared by providers: bearer token and HTTP Basic. Provider-specific
//! schemes (OKS keys and rotating tokens) live in their provider module.
//!
//! Every credential is a [`SecretString`] until the moment it becomes a header value, which is
//! marked sensitive so that `reqwest` and `http` redact it in `Debug`.

use base64::Engine as _;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};
use secrecy::{ExposeSecret as _, SecretString};

use crate::error::{Error, Result};

/// Applies a provider's credentials to each attempt, and reads what the server sends back
/// (OKS rotates its tokens through response headers).
pub(crate) trait Authenticate: Send + Sync {
    /// Adds the credential headers, marked sensitive. An error (which never quotes the
    /// credential) stops the request before it is sent.
    fn apply(&self, headers: &mut HeaderMap) -> std::result::Result<(), String>;
    /// Sees every response's headers.
    fn observe(&self, _headers: &HeaderMap) {}
    /// The scheme's name, for `Debug` (never the credential).
    fn scheme(&self) -> &'static str;
}

/// A sensitive header value made from a secret; `InvalidInput` (naming `what`, never the value)
/// when it holds characters HTTP forbids.
pub(crate) fn sensitive_header(what: &str, value: &str) -> Result<HeaderValue> {
    let mut header = HeaderValue::from_str(value).map_err(|_| {
        Error::InvalidInput(format!(
            "the {what} contains characters not allowed in an HTTP header"
        ))
    })?;
    header.set_sensitive(true);
    Ok(header)
}

/// `Authorization: Bearer <token>`.
#[cfg_attr(
    not(any(feature = "digitalocean", feature = "cloud66", feature = "commissaire")),
    allow(dead_code)
)]
pub(crate) struct Bearer(HeaderValue);

#[cfg_attr(
    not(any(feature = "digitalocean", feature = "cloud66", feature = "commissaire")),
    allow(dead_code)
)]
impl Bearer {
    /// Checks the token and prepares its header.
    pub(crate) fn new(token: &SecretString) -> Result<Self> {
        let token = token.expose_secret().trim();
        if token.is_empty() {
            return Err(Error::InvalidInput("the API token is empty".into()));
        }
        Ok(Bearer(sensitive_header(
            "API token",
            &format!("Bearer {token}"),
        )?))
    }
}

impl Authenticate for Bearer {
    fn apply(&self, headers: &mut HeaderMap) -> std::result::Result<(), String> {
        headers.insert(AUTHORIZATION, self.0.clone());
        Ok(())
    }
    fn scheme(&self) -> &'static str {
        "bearer"
    }
}

/// `Authorization: Basic base64(login:password)`, sent up front.
#[cfg_attr(not(any(feature = "oks", feature = "commissaire")), allow(dead_code))]
pub(crate) struct Basic(HeaderValue);

#[cfg_attr(not(any(feature = "oks", feature = "commissaire")), allow(dead_code))]
impl Basic {
    /// Checks the login and prepares the header.
    pub(crate) fn new(login: &str, password: &SecretString) -> Result<Self> {
        if login.is_empty() || login.contains(':') {
            return Err(Error::InvalidInput(
                "the login must be non-empty and must not contain ':'".into(),
            ));
        }
        let mut pair = zeroize::Zeroizing::new(format!("{login}:{}", password.expose_secret()));
        let encoded = zeroize::Zeroizing::new(
            base64::engine::general_purpose::STANDARD.encode(pair.as_bytes()),
        );
        pair.clear();
        Ok(Basic(sensitive_header(
            "password",
            &format!("Basic {}", encoded.as_str()),
        )?))
    }
}

impl Authenticate for Basic {
    fn apply(&self, headers: &mut HeaderMap) -> std::result::Result<(), String> {
        headers.insert(AUTHORIZATION, self.0.clone());
        Ok(())
    }
    fn scheme(&self) -> &'static str {
        "basic"
    }
}
