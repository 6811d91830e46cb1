//! What an error or a log may show of an answer: its headers without those that may carry a
//! credential, its URL without userinfo, query or fragment.

use reqwest::header::HeaderMap;

use crate::secret::carries_credential;

/// A URL as errors show it: without userinfo, query or fragment.
pub(super) fn shown_url(url: &reqwest::Url) -> String {
    let mut shown = url.clone();
    shown.set_query(None);
    shown.set_fragment(None);
    let _ = shown.set_password(None);
    let _ = shown.set_username("");
    shown.to_string()
}

/// The headers of an answer without those that may carry a credential.
pub(super) fn without_credentials(headers: &HeaderMap) -> HeaderMap {
    let mut kept = HeaderMap::with_capacity(headers.len());
    for (name, value) in headers {
        if !carries_credential(name) && !value.is_sensitive() {
            kept.append(name.clone(), value.clone());
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_headers_are_not_copied_into_errors() {
        let mut headers = HeaderMap::new();
        for name in [
            "access-token",
            "refresh-token",
            "set-cookie",
            "authorization",
            "x-session-id",
            "x-request-id",
            "ratelimit-remaining",
        ] {
            headers.insert(
                reqwest::header::HeaderName::from_static(name),
                "v".parse().unwrap(),
            );
        }
        let kept = without_credentials(&headers);
        let names: Vec<&str> = kept.keys().map(|k| k.as_str()).collect();
        assert_eq!(names, ["x-request-id", "ratelimit-remaining"]);
    }
}
