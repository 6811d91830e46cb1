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

/// Encodes one path parameter. A whole `.` or `..` is encoded too, so that URL parsing cannot
/// remove it before the `pre` hook refuses it. The generated clients call this in place of
/// progenitor's `encode_path`.
pub fn encode_path(segment: &str) -> String {
    match segment {
        "." => "%2E".into(),
        ".." => "%2E%2E".into(),
        _ => percent_encoding::utf8_percent_encode(segment, PATH_SEGMENT).to_string(),
    }
}

/// Refuses a request whose path has an empty, `.` or `..` segment (percent-encoded or not):
/// an id like `..` would steer the request to another resource. Runs before every request
/// (the generated client's `pre` hook); the error names the operation, never the value.
pub(crate) fn check_path(url: &reqwest::Url, operation: &str) -> std::result::Result<(), String> {
    let path = url.path();
    // Most paths hold no escape, no dot and no empty segment: none of their segments can be
    // refused (the URL parser already encoded any whitespace).
    if !path.contains(['%', '.']) && !path.contains("//") && !path.ends_with('/') {
        return Ok(());
    }
    let Some(segments) = url.path_segments() else {
        return Ok(());
    };
    for segment in segments {
        // Most segments hold no escape: read them as they are, without decoding.
        let refused = if segment.contains('%') {
            let decoded = percent_encoding::percent_decode_str(segment).decode_utf8_lossy();
            is_empty_or_dots(&decoded)
        } else {
            is_empty_or_dots(segment)
        };
        if refused {
            return Err(format!(
                "`{operation}`: a path parameter is empty, `.` or `..`; refused before sending"
            ));
        }
    }
    Ok(())
}

fn is_empty_or_dots(segment: &str) -> bool {
    matches!(segment.trim(), "" | "." | "..")
}

/// Caller input quoted in an error message: escaped (so control characters and quotes cannot
/// forge a line of output) and cut after 64 characters.
#[cfg(any(feature = "digitalocean", feature = "commissaire"))]
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
        assert_eq!(encode_path(".."), "%2E%2E");
        assert_eq!(encode_path("."), "%2E");
        assert_eq!(encode_path(r"..\projects\p1"), "..%5Cprojects%5Cp1");
        assert_eq!(encode_path("a/b?c#d"), "a%2Fb%3Fc%23d");
        assert_eq!(encode_path("v1.2_x-y"), "v1.2_x-y");
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
            "/v2/clusters//nodes",
            "/v2/clusters/",
            "/v2/clusters/%20",
        ] {
            let message = check_path(&url(refused), "delete_cluster").unwrap_err();
            assert!(message.contains("delete_cluster"), "{refused}: {message}");
        }
    }
}
