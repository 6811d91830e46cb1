//! The decoders every answer goes through, reachable from the crate's property tests.
//!
//! Not part of the public API: hidden from the docs and free to change in any release.

use crate::error::ApiError;

/// Decodes an error answer as the named provider's transport would (`digitalocean`, `oks`,
/// `cloud66`, `commissaire`); `None` for a provider that is not compiled in.
pub fn decode_error_answer(provider: &str, status: u16, body: &[u8]) -> Option<ApiError> {
    let profile: &'static crate::transport::ProviderProfile = match provider {
        #[cfg(feature = "digitalocean")]
        "digitalocean" => &crate::digitalocean::PROFILE,
        #[cfg(feature = "oks")]
        "oks" => &crate::oks::PROFILE,
        #[cfg(feature = "cloud66")]
        "cloud66" => &crate::cloud66::PROFILE,
        #[cfg(feature = "commissaire")]
        "commissaire" => &crate::commissaire::PROFILE,
        _ => return None,
    };
    let status = reqwest::StatusCode::from_u16(status).ok()?;
    Some(crate::transport::decode_api_error(
        profile,
        status,
        &reqwest::header::HeaderMap::new(),
        body,
    ))
}
