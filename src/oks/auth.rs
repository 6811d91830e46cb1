//! OKS authentication: access/secret key headers, HTTP Basic, or a rotating access/refresh
//! token pair; any of them with an `X-OTP-Code` from a caller-supplied source.
//!
//! Token rotation: a response carrying `Access-Token` / `Refresh-Token` headers replaces the
//! stored pair, which later requests send as `AccessToken` / `RefreshToken`. The pair sits behind
//! a lock, so concurrent requests always send a pair that belonged together.

use std::sync::{Arc, RwLock};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use secrecy::{ExposeSecret as _, SecretString};

use crate::auth::{Authenticate, Basic, sensitive_header};
use crate::error::{Error, Result};

/// Supplies a one-time code (MFA) for each request, e.g. from a TOTP generator.
pub type OtpSource = Arc<dyn Fn() -> Option<SecretString> + Send + Sync>;

/// The credentials given to the builder, checked when the client is built.
pub(crate) enum SchemeChoice {
    /// Access key and secret key.
    Keys(SecretString, SecretString),
    /// Login and password.
    Basic(String, SecretString),
    /// Access token and refresh token.
    Tokens(SecretString, SecretString),
}

impl SchemeChoice {
    /// Checks the credentials and prepares their headers.
    pub(crate) fn into_auth(self) -> Result<OksAuth> {
        match self {
            SchemeChoice::Keys(access, secret) => OksAuth::keys(&access, &secret),
            SchemeChoice::Basic(login, password) => OksAuth::basic(&login, &password),
            SchemeChoice::Tokens(access, refresh) => OksAuth::tokens(&access, &refresh),
        }
    }
}

/// The credential scheme in use.
pub(crate) enum Scheme {
    /// `AccessKey` and `SecretKey` headers.
    Keys {
        access_key: HeaderValue,
        secret_key: HeaderValue,
    },
    /// `Authorization: Basic`.
    Basic(Basic),
    /// `AccessToken` and `RefreshToken` headers, replaced by the server's `Access-Token` and
    /// `Refresh-Token` response headers.
    Tokens(RwLock<TokenPair>),
}

#[derive(Clone)]
pub(crate) struct TokenPair {
    access: HeaderValue,
    refresh: HeaderValue,
}

/// The OKS authenticator: one scheme plus an optional OTP source.
pub(crate) struct OksAuth {
    scheme: Scheme,
    otp: Option<OtpSource>,
}

const ACCESS_KEY: HeaderName = HeaderName::from_static("accesskey");
const SECRET_KEY: HeaderName = HeaderName::from_static("secretkey");
const ACCESS_TOKEN: HeaderName = HeaderName::from_static("accesstoken");
const REFRESH_TOKEN: HeaderName = HeaderName::from_static("refreshtoken");
const OTP_CODE: HeaderName = HeaderName::from_static("x-otp-code");
const ACCESS_TOKEN_REPLY: &str = "access-token";
const REFRESH_TOKEN_REPLY: &str = "refresh-token";

impl OksAuth {
    pub(crate) fn keys(access_key: &SecretString, secret_key: &SecretString) -> Result<Self> {
        Ok(Self::with(Scheme::Keys {
            access_key: non_empty_header("access key", access_key)?,
            secret_key: non_empty_header("secret key", secret_key)?,
        }))
    }

    pub(crate) fn basic(login: &str, password: &SecretString) -> Result<Self> {
        Ok(Self::with(Scheme::Basic(Basic::new(login, password)?)))
    }

    pub(crate) fn tokens(access: &SecretString, refresh: &SecretString) -> Result<Self> {
        Ok(Self::with(Scheme::Tokens(RwLock::new(TokenPair {
            access: non_empty_header("access token", access)?,
            refresh: non_empty_header("refresh token", refresh)?,
        }))))
    }

    fn with(scheme: Scheme) -> Self {
        OksAuth { scheme, otp: None }
    }

    pub(crate) fn otp(mut self, source: Option<OtpSource>) -> Self {
        self.otp = source;
        self
    }
}

fn non_empty_header(what: &str, value: &SecretString) -> Result<HeaderValue> {
    let value = value.expose_secret().trim();
    if value.is_empty() {
        return Err(Error::InvalidInput(format!("the OKS {what} is empty")));
    }
    sensitive_header(what, value)
}

impl Authenticate for OksAuth {
    fn apply(&self, headers: &mut HeaderMap) -> std::result::Result<(), String> {
        match &self.scheme {
            Scheme::Keys {
                access_key,
                secret_key,
            } => {
                headers.insert(ACCESS_KEY, access_key.clone());
                headers.insert(SECRET_KEY, secret_key.clone());
            }
            Scheme::Basic(basic) => basic.apply(headers)?,
            Scheme::Tokens(pair) => {
                let pair = pair
                    .read()
                    .unwrap_or_else(|poisoned| poisoned.into_inner())
                    .clone();
                headers.insert(ACCESS_TOKEN, pair.access);
                headers.insert(REFRESH_TOKEN, pair.refresh);
            }
        }
        if let Some(code) = self.otp.as_ref().and_then(|source| source()) {
            let value = sensitive_header("one-time code", code.expose_secret().trim())
                .map_err(|error| error.to_string())?;
            headers.insert(OTP_CODE, value);
        }
        Ok(())
    }

    fn observe(&self, headers: &HeaderMap) {
        let Scheme::Tokens(pair) = &self.scheme else {
            return;
        };
        let fresh = |name: &str| {
            let mut value = headers.get(name)?.clone();
            value.set_sensitive(true);
            (!value.is_empty()).then_some(value)
        };
        let (access, refresh) = (fresh(ACCESS_TOKEN_REPLY), fresh(REFRESH_TOKEN_REPLY));
        if access.is_none() && refresh.is_none() {
            return;
        }
        let mut pair = pair
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(access) = access {
            pair.access = access;
        }
        if let Some(refresh) = refresh {
            pair.refresh = refresh;
        }
    }

    fn scheme(&self) -> &'static str {
        match self.scheme {
            Scheme::Keys { .. } => "access key",
            Scheme::Basic(_) => "basic",
            Scheme::Tokens(_) => "access/refresh token",
        }
    }
}
