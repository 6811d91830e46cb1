//! Path parameters: encoded so they stay inside their segment, refused when they would
//! steer the request elsewhere.

/// Characters percent-encoded in a path parameter: progenitor's set (controls, space,
/// `"#<>?`{}/%`) plus `\`, which some servers and the `url` crate read as `/`.
const PATH_SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'/')
    .add(b'%')
    .add(b'\\');

/// Encodes one path parameter, or refuses it when it would not stay in its segment: empty,
/// `.` or `..`, raw or percent-encoded (`leaves_its_segment`). The generated clients call
/// this for every path parameter before the URL is formatted or parsed (in place of
/// progenitor's `encode_path`); the refusal names the operation, the parameter and the value.
pub fn encode_path(
    segment: &str,
    parameter: &str,
    operation: &str,
) -> std::result::Result<String, String> {
    if leaves_its_segment(segment) {
        return Err(format!(
            "`{operation}`: path parameter `{parameter}` is {}: an empty, `.` or `..` value (even percent-encoded) would leave its path segment; refused before sending",
            quoted(segment)
        ));
    }
    Ok(percent_encoding::utf8_percent_encode(segment, PATH_SEGMENT).to_string())
}

/// Whether a path segment is empty (or blank), `.` or `..` once percent-decoded, as often as a
/// chain of proxies might decode it: `%2e`, `%2E%2e`, `.%2e` and `%252e` all are dots.
pub(crate) fn leaves_its_segment(segment: &str) -> bool {
    // Decoding keeps every character outside an escape: a value with any other character
    // than dots, escapes and blanks can never become a dot segment.
    let may_decode_to_dots = segment
        .chars()
        .all(|c| c == '.' || c == '%' || c.is_ascii_hexdigit() || c.is_whitespace());
    if !may_decode_to_dots {
        return false;
    }
    if !segment.contains('%') {
        return is_empty_or_dots(segment);
    }
    let mut text = segment.to_string();
    // A round that changes the text shortens it or removes a `%`, so this ends.
    loop {
        if is_empty_or_dots(&text) {
            return true;
        }
        let decoded = percent_encoding::percent_decode_str(&text)
            .decode_utf8_lossy()
            .into_owned();
        if decoded == text {
            return false;
        }
        text = decoded;
    }
}

/// Refuses a request whose path has an empty, `.` or `..` segment (percent-encoded or not).
/// A second line behind [`encode_path`], on the URL as sent (checked by
/// [`execute`](super::execute) before the first attempt); the error names the operation,
/// never the value.
pub(crate) fn check_path(url: &reqwest::Url, operation: &str) -> std::result::Result<(), String> {
    let path = url.path();
    // Most paths hold no escape, no dot and no empty segment: none of their segments can be
    // refused (the URL parser already encoded any whitespace).
    if !path.contains(['%', '.']) && !path.contains("//") && !path.ends_with('/') {
        return Ok(());
    }
    let Some(mut segments) = url.path_segments() else {
        return Ok(());
    };
    if segments.any(leaves_its_segment) {
        return Err(format!(
            "`{operation}`: a path parameter is empty, `.` or `..`; refused before sending"
        ));
    }
    Ok(())
}

fn is_empty_or_dots(segment: &str) -> bool {
    matches!(segment.trim(), "" | "." | "..")
}

/// The message of a value that does not match its schema's pattern: the value (quoted) and the
/// pattern. The generated types' checks call it; secret schemas never reach it (they are
/// [`crate::SecretText`], which has no pattern).
#[cfg_attr(
    not(any(feature = "oks", feature = "commissaire")),
    allow(dead_code, reason = "only providers whose specs have patterns call it")
)]
pub fn pattern_mismatch(value: &str, pattern: &str) -> String {
    format!("{} does not match the pattern `{pattern}`", quoted(value))
}

/// Caller input quoted in an error message: escaped (so control characters and quotes cannot
/// forge a line of output) and cut after 64 characters.
pub(crate) fn quoted(input: &str) -> String {
    const LIMIT: usize = 64;
    let head: String = input.chars().take(LIMIT).collect();
    if input.chars().count() > LIMIT {
        format!("{head:?}…")
    } else {
        format!("{head:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_parameters_cannot_leave_their_segment() {
        let encode = |value: &str| encode_path(value, "cluster_id", "delete_cluster");
        assert_eq!(encode(r"..\projects\p1").unwrap(), "..%5Cprojects%5Cp1");
        assert_eq!(encode("a/b?c#d").unwrap(), "a%2Fb%3Fc%23d");
        assert_eq!(encode("v1.2_x-y").unwrap(), "v1.2_x-y");
        assert_eq!(encode("...").unwrap(), "...");
        assert_eq!(encode("%2e%2e%2e").unwrap(), "%252e%252e%252e");
        for refused in [
            ".",
            "..",
            "%2e",
            "%2E%2e",
            ".%2e",
            "%252e%252E",
            "%25252e",
            "",
            " ",
            " .. ",
        ] {
            let message = encode(refused).unwrap_err();
            assert!(
                message.contains("`delete_cluster`") && message.contains("`cluster_id`"),
                "{refused:?}: {message}"
            );
            assert!(message.contains(&format!("{refused:?}")), "{message}");
        }
        let url =
            |path: &str| reqwest::Url::parse(&format!("https://api.example.com{path}")).unwrap();
        for accepted in [
            "/v2/clusters/abc",
            "/v2/clusters/v1.2",
            "/v2/clusters/a%20b",
            "/v2/clusters/...",
        ] {
            assert!(check_path(&url(accepted), "op").is_ok(), "{accepted}");
        }
        for refused in [
            "/v2/clusters/%2E%2E",
            "/v2/clusters/%2e",
            "/v2/clusters/%252e/nodes",
            "/v2/clusters//nodes",
            "/v2/clusters/",
            "/v2/clusters/%20",
        ] {
            let message = check_path(&url(refused), "delete_cluster").unwrap_err();
            assert!(message.contains("delete_cluster"), "{refused}: {message}");
        }
    }

    #[test]
    fn a_pattern_mismatch_names_the_value_escaped_and_the_pattern() {
        assert_eq!(
            pattern_mismatch("sp\u{1b}ace", "^[a-z]+$"),
            r#""sp\u{1b}ace" does not match the pattern `^[a-z]+$`"#
        );
    }

    #[test]
    fn a_quoted_value_is_cut_only_past_64_characters() {
        let exactly = "a".repeat(64);
        assert_eq!(quoted(&exactly), format!("\"{exactly}\""));
        let longer = format!("{exactly}b");
        assert_eq!(quoted(&longer), format!("\"{exactly}\"…"));
    }
}
