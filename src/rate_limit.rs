//! Rate-limit headers and the delays a server asks for, read without trusting their numbers.

use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, HeaderName};

/// The latest Unix time a rate-limit reset is taken at (9999-12-31T23:59:59Z); larger values
/// are clamped to it.
const LATEST_RESET_SECS: u64 = 253_402_300_799;

/// Rate-limit reset values below this are seconds from now (the IETF `RateLimit-Reset`
/// convention); from it on, Unix times (DigitalOcean's convention).
const RESET_IS_EPOCH_FROM: u64 = 1_000_000_000;

/// Each rate-limit header in its two spellings, named once (no parsing of names per answer).
const LIMIT: [HeaderName; 2] = [
    HeaderName::from_static("ratelimit-limit"),
    HeaderName::from_static("x-ratelimit-limit"),
];
const REMAINING: [HeaderName; 2] = [
    HeaderName::from_static("ratelimit-remaining"),
    HeaderName::from_static("x-ratelimit-remaining"),
];
const RESET: [HeaderName; 2] = [
    HeaderName::from_static("ratelimit-reset"),
    HeaderName::from_static("x-ratelimit-reset"),
];

/// The rate-limit headers of a response: `ratelimit-limit`, `ratelimit-remaining`,
/// `ratelimit-reset` (as DigitalOcean sends them on every answer) or their `x-ratelimit-*`
/// spelling (Cloud66).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests allowed in the window.
    pub limit: Option<u64>,
    /// Requests left in the window.
    pub remaining: Option<u64>,
    /// When the window resets.
    pub reset: Option<SystemTime>,
}

impl RateLimit {
    /// Reads the headers; `None` when the response carries none of them. A reset below
    /// 10^9 is read as seconds from now, anything larger as a Unix time (clamped to the year
    /// 9999); a value that is not a number is ignored.
    pub fn from_headers(headers: &HeaderMap) -> Option<Self> {
        let number = |[name, x_name]: &[HeaderName; 2]| {
            let value = headers.get(name).or_else(|| headers.get(x_name))?;
            saturating_number(value.to_str().ok()?)
        };
        let limit = number(&LIMIT);
        let remaining = number(&REMAINING);
        let reset = number(&RESET).map(|secs| {
            if secs < RESET_IS_EPOCH_FROM {
                SystemTime::now()
                    .checked_add(Duration::from_secs(secs))
                    .unwrap_or(SystemTime::now())
            } else {
                SystemTime::UNIX_EPOCH + Duration::from_secs(secs.min(LATEST_RESET_SECS))
            }
        });
        (limit.is_some() || remaining.is_some() || reset.is_some()).then_some(RateLimit {
            limit,
            remaining,
            reset,
        })
    }
}

/// A header's whole number of seconds: digits only, and a number too large for `u64` is
/// `u64::MAX` (a server asking for "forever" must not be read as not asking at all).
fn saturating_number(value: &str) -> Option<u64> {
    let value = value.trim();
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(value.parse::<u64>().unwrap_or(u64::MAX))
}

/// How long a server asks the client to wait: `Retry-After` (seconds or HTTP date), else the
/// time until `ratelimit-reset` when no request is left in the window.
pub(crate) fn server_delay(headers: &HeaderMap) -> Option<Duration> {
    if let Some(value) = headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
    {
        let value = value.trim();
        if let Some(secs) = saturating_number(value) {
            return Some(Duration::from_secs(secs));
        }
        if let Ok(when) = httpdate::parse_http_date(value) {
            return Some(when.duration_since(SystemTime::now()).unwrap_or_default());
        }
    }
    let limit = RateLimit::from_headers(headers)?;
    if limit.remaining == Some(0) || (limit.remaining.is_none() && limit.reset.is_some()) {
        return Some(
            limit
                .reset?
                .duration_since(SystemTime::now())
                .unwrap_or_default(),
        );
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_in_seconds_or_as_a_date_and_ratelimit_reset() {
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", "7".parse().unwrap());
        assert_eq!(server_delay(&headers), Some(Duration::from_secs(7)));

        let later = SystemTime::now() + Duration::from_secs(90);
        headers.insert(
            "retry-after",
            httpdate::fmt_http_date(later).parse().unwrap(),
        );
        let delay = server_delay(&headers).unwrap();
        assert!(
            delay > Duration::from_secs(85) && delay <= Duration::from_secs(90),
            "{delay:?}"
        );

        let mut headers = HeaderMap::new();
        let reset = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + 30;
        headers.insert("ratelimit-limit", "5000".parse().unwrap());
        headers.insert("ratelimit-remaining", "12".parse().unwrap());
        headers.insert("ratelimit-reset", reset.to_string().parse().unwrap());
        assert_eq!(
            server_delay(&headers),
            None,
            "requests left: no need to wait for the reset"
        );
        headers.insert("ratelimit-remaining", "0".parse().unwrap());
        let delay = server_delay(&headers).unwrap();
        assert!(
            delay > Duration::from_secs(25) && delay <= Duration::from_secs(30),
            "{delay:?}"
        );

        let limit = RateLimit::from_headers(&headers).unwrap();
        assert_eq!((limit.limit, limit.remaining), (Some(5000), Some(0)));
        assert_eq!(RateLimit::from_headers(&HeaderMap::new()), None);
    }
    #[test]
    fn numbers_from_servers_never_overflow() {
        for huge in [
            "9223372036854775808",
            "18446744073709551615",
            "1000000000000000000000000000000",
        ] {
            let mut headers = HeaderMap::new();
            headers.insert("ratelimit-reset", huge.parse().unwrap());
            headers.insert("ratelimit-remaining", "0".parse().unwrap());
            let limit = RateLimit::from_headers(&headers).expect("the headers are read");
            assert_eq!(
                limit.reset,
                Some(SystemTime::UNIX_EPOCH + Duration::from_secs(LATEST_RESET_SECS)),
                "clamped to the year 9999"
            );
            let century = Duration::from_secs(100 * 365 * 24 * 3600);
            assert!(server_delay(&headers).is_some_and(|delay| delay > century));
            let mut headers = HeaderMap::new();
            headers.insert("retry-after", huge.parse().unwrap());
            assert_eq!(
                server_delay(&headers),
                Some(Duration::from_secs(huge.parse().unwrap_or(u64::MAX)))
            );
        }
        for beyond_u64 in ["99999999999999999999", "1000000000000000000000000000000"] {
            let mut headers = HeaderMap::new();
            headers.insert("retry-after", beyond_u64.parse().unwrap());
            assert_eq!(
                server_delay(&headers),
                Some(Duration::from_secs(u64::MAX)),
                "a number past u64 is a huge wait, not no wait"
            );
            let mut headers = HeaderMap::new();
            headers.insert("ratelimit-remaining", "0".parse().unwrap());
            headers.insert("ratelimit-reset", beyond_u64.parse().unwrap());
            assert!(server_delay(&headers).unwrap() > Duration::from_secs(100 * 365 * 86_400));
        }
        assert_eq!(saturating_number(" 12 "), Some(12));
        assert_eq!(saturating_number("-1"), None);
        assert_eq!(saturating_number("1e9"), None);
        let mut headers = HeaderMap::new();
        headers.insert("x-ratelimit-reset", "120".parse().unwrap());
        headers.insert("x-ratelimit-remaining", "0".parse().unwrap());
        let delay =
            server_delay(&headers).expect("x-ratelimit-* is read, a small reset as seconds");
        assert!(
            delay > Duration::from_secs(110) && delay <= Duration::from_secs(120),
            "{delay:?}"
        );
    }

    #[test]
    fn any_one_of_the_headers_is_read_and_a_reset_from_ten_to_the_ninth_is_a_unix_time() {
        let only = |name: &'static str, value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(name, value.parse().unwrap());
            RateLimit::from_headers(&headers)
        };
        let none = RateLimit {
            limit: None,
            remaining: None,
            reset: None,
        };
        assert_eq!(
            only("ratelimit-limit", "5000"),
            Some(RateLimit {
                limit: Some(5000),
                ..none
            })
        );
        assert_eq!(
            only("x-ratelimit-remaining", "7"),
            Some(RateLimit {
                remaining: Some(7),
                ..none
            })
        );
        assert_eq!(
            only("ratelimit-reset", "1000000000"),
            Some(RateLimit {
                reset: Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000)),
                ..none
            }),
            "10^9 is 2001-09-09, a Unix time"
        );
        let before = SystemTime::now();
        let reset = only("ratelimit-reset", "999999999").unwrap().reset.unwrap();
        assert!(
            reset >= before + Duration::from_secs(999_999_999),
            "one less is seconds from now"
        );
        assert_eq!(only("ratelimit-remaining", "soon"), None, "not a number");
    }
}
