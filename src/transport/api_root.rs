//! [`ApiRoot`]: the one rule for every provider's base URL. Give the provider's API root as
//! its documentation writes it; the other common form, the same URL with or without the
//! version path, is accepted and normalized. Any other path (a proxy's prefix) is kept.

/// Where a provider's version path (`/v2`, `/api/v2`, ...) belongs.
#[derive(Clone, Copy, Debug)]
pub(crate) enum ApiRoot {
    /// The spec's operation paths start with `version` (DigitalOcean's `/v2/kubernetes/...`,
    /// Commissaire's `/api/v0/...`): the base URL is the server, so a base URL that ends with
    /// `version` has it removed.
    #[cfg_attr(
        not(any(feature = "digitalocean", feature = "commissaire")),
        allow(dead_code, reason = "no provider of this kind is compiled in")
    )]
    InPaths {
        /// The version path, with its leading slash.
        version: &'static str,
    },
    /// The base URL ends with `version` (OKS's `https://api.<region>.oks.outscale.com/api/v2`):
    /// the provider's own host (`host` or a subdomain of it) given with no path gets it added.
    /// Another host with no path is a server of the caller's (a proxy, kaas's typed mocks)
    /// that serves the API at its root, and is used as given.
    #[cfg_attr(
        not(any(feature = "oks", feature = "cloud66")),
        allow(dead_code, reason = "no provider of this kind is compiled in")
    )]
    InBaseUrl {
        /// The version path, with its leading slash.
        version: &'static str,
        /// The provider's domain.
        host: &'static str,
    },
}

impl ApiRoot {
    /// `url` (checked: it parses, without a trailing slash) in its one form.
    pub(crate) fn normalize(self, url: &str) -> String {
        match self {
            ApiRoot::InPaths { version } => url.strip_suffix(version).unwrap_or(url).to_string(),
            ApiRoot::InBaseUrl { version, host } => {
                let parsed = url::Url::parse(url).ok();
                let bare = parsed.as_ref().is_some_and(|u| u.path() == "/");
                let own_host = parsed
                    .as_ref()
                    .and_then(|u| u.host_str())
                    .is_some_and(|h| is_within(h, host));
                if bare && own_host {
                    format!("{url}{version}")
                } else {
                    url.to_string()
                }
            }
        }
    }
}

/// Whether `host` is `domain` or one of its subdomains (ASCII case ignored).
fn is_within(host: &str, domain: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    host == domain
        || host
            .strip_suffix(domain)
            .is_some_and(|rest| rest.ends_with('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    const IN_PATHS: ApiRoot = ApiRoot::InPaths { version: "/v2" };
    const IN_BASE: ApiRoot = ApiRoot::InBaseUrl {
        version: "/api/v2",
        host: "oks.outscale.com",
    };

    #[test]
    fn the_other_form_is_normalized_and_any_other_path_kept() {
        for (root, given, used) in [
            (
                IN_PATHS,
                "https://api.example.com",
                "https://api.example.com",
            ),
            (
                IN_PATHS,
                "https://api.example.com/v2",
                "https://api.example.com",
            ),
            (
                IN_PATHS,
                "https://proxy.example.com/do/v2",
                "https://proxy.example.com/do",
            ),
            (
                IN_PATHS,
                "https://proxy.example.com/xv2",
                "https://proxy.example.com/xv2",
            ),
            (
                IN_BASE,
                "https://api.eu-west-2.oks.outscale.com",
                "https://api.eu-west-2.oks.outscale.com/api/v2",
            ),
            (
                IN_BASE,
                "https://API.OKS.OUTSCALE.COM",
                "https://API.OKS.OUTSCALE.COM/api/v2",
            ),
            (
                IN_BASE,
                "https://api.eu-west-2.oks.outscale.com/api/v2",
                "https://api.eu-west-2.oks.outscale.com/api/v2",
            ),
            (
                IN_BASE,
                "https://notoks.outscale.com",
                "https://notoks.outscale.com",
            ),
            (
                IN_BASE,
                "https://oks.outscale.com.evil.example",
                "https://oks.outscale.com.evil.example",
            ),
            (IN_BASE, "http://127.0.0.1:8080", "http://127.0.0.1:8080"),
            (
                IN_BASE,
                "https://proxy.example.com/oks",
                "https://proxy.example.com/oks",
            ),
        ] {
            assert_eq!(root.normalize(given), used, "{given}");
        }
    }
}
