//! Reading an error answer: its body (at most [`MAX_ERROR_BODY`]) decoded with the provider's
//! shapes into an [`ApiError`], else as JSON of any shape, else as the text of a page; its URL
//! as errors show it.

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use super::profile::ProviderProfile;
use crate::error::{ApiError, excerpt, page_text};
use crate::rate_limit::{RateLimit, server_delay};

/// The most of an error body read into memory; the rest is dropped.
pub(super) const MAX_ERROR_BODY: usize = 64 * 1024;

/// Builds the [`ApiError`] of an error answer: the provider's own shapes first, then JSON of
/// any shape, then the text of an HTML or plain page.
pub(crate) fn decode_api_error(
    profile: &ProviderProfile,
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
) -> ApiError {
    let json = serde_json::from_slice::<serde_json::Value>(body).ok();
    let decoded = (profile.decode_error)(body).unwrap_or_default();
    let header_request_id = headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(String::from);
    let message = decoded.message.unwrap_or_else(|| {
        if status.is_redirection() {
            return redirect_message(status, headers);
        }
        let text = if json.is_none() {
            page_text(body)
        } else {
            String::new()
        };
        if text.is_empty() {
            status.canonical_reason().unwrap_or_default().to_string()
        } else {
            text
        }
    });
    ApiError {
        provider: profile.name,
        status: status.as_u16(),
        code: decoded.code,
        message,
        details: decoded.details,
        request_id: decoded.request_id.or(header_request_id),
        retry_after: server_delay(headers)
            .filter(|_| headers.contains_key(reqwest::header::RETRY_AFTER)),
        rate_limit: RateLimit::from_headers(headers),
        body_excerpt: if json.is_none() && !body.is_empty() {
            Some(excerpt(body))
        } else {
            None
        },
        body: json,
        url: None,
    }
}

/// What a redirect answer says: kaas never follows one (it could carry credentials elsewhere).
fn redirect_message(status: StatusCode, headers: &HeaderMap) -> String {
    let target = headers
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|location| url::Url::parse(location).ok())
        .map(|url| {
            format!(
                " to {}://{}",
                url.scheme(),
                url.host_str().unwrap_or_default()
            )
        })
        .unwrap_or_default();
    format!(
        "{} redirect{target} not followed: check the base URL",
        status.canonical_reason().unwrap_or("a")
    )
}

/// A URL as errors show it: without userinfo, query or fragment.
pub(super) fn shown_url(url: &reqwest::Url) -> String {
    let mut shown = url.clone();
    shown.set_query(None);
    shown.set_fragment(None);
    let _ = shown.set_password(None);
    let _ = shown.set_username("");
    shown.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_error_pages_become_their_text() {
        static PROFILE: ProviderProfile = ProviderProfile {
            name: "test",
            default_base_url: None,
            api_root: crate::transport::ApiRoot::InPaths { version: "" },
            decode_error: |_| None,
            operations: &[],
        };
        let page = b"<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>";
        let api = decode_api_error(&PROFILE, StatusCode::BAD_GATEWAY, &HeaderMap::new(), page);
        assert_eq!(api.status, 502);
        assert_eq!(api.message, "502 Bad Gateway 502 Bad Gateway nginx");
        assert!(api.body.is_none());
        assert!(api.body_excerpt.as_deref().unwrap().starts_with("<html>"));
        let empty = decode_api_error(
            &PROFILE,
            StatusCode::SERVICE_UNAVAILABLE,
            &HeaderMap::new(),
            b"",
        );
        assert_eq!(empty.message, "Service Unavailable");
    }
}
