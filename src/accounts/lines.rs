//! The line an account starts on, for [`Origin`](super::Origin) and warnings: the YAML and
//! JSON parsers kaas uses keep no positions for keys, so the readers find them in the text.

/// The 1-based line of byte `offset` in `text`.
pub(super) fn line_of_offset(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The line of `key` in a block-style YAML mapping: a top-level key when `parent` is `None`,
/// else a key indented under the top-level `parent`. A key written with other cases is found
/// when none is written exactly so (doctl's configuration library lowercases keys); quoted
/// keys are found too. `None` for flow-style mappings: the caller falls back to the parent's
/// line.
pub(super) fn yaml_key_line(text: &str, parent: Option<&str>, key: &str) -> Option<usize> {
    let mut inside = parent.is_none();
    let mut other_case = None;
    for (index, line) in text.lines().enumerate() {
        let content = line.trim_start();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let indented = content.len() != line.len();
        if let Some(parent) = parent {
            if !indented {
                inside = yaml_key(content).is_some_and(|k| k.eq_ignore_ascii_case(parent));
                continue;
            }
        } else if indented {
            continue;
        }
        match yaml_key(content) {
            Some(found) if inside && found == key => return Some(index + 1),
            Some(found) if inside && found.eq_ignore_ascii_case(key) => {
                other_case = other_case.or(Some(index + 1));
            }
            _ => {}
        }
    }
    other_case
}

/// The key of a `key: value` line, unquoted.
fn yaml_key(content: &str) -> Option<&str> {
    for quote in ['"', '\''] {
        if let Some(rest) = content.strip_prefix(quote) {
            let end = rest.find(quote)?;
            return rest[end + 1..]
                .trim_start()
                .starts_with(':')
                .then_some(&rest[..end]);
        }
    }
    let colon = content.find(": ").or_else(|| {
        content
            .trim_end()
            .ends_with(':')
            .then(|| content.trim_end().len() - 1)
    })?;
    Some(content[..colon].trim_end())
}

/// The keys of a JSON document's top-level object with the line each starts on, in order.
/// Only the text's structure is read (strings, nesting); anything else is skipped.
pub(super) fn json_top_level_keys(text: &str) -> Vec<(String, usize)> {
    let bytes = text.as_bytes();
    let mut keys = Vec::new();
    let mut depth = 0usize;
    let mut line = 1;
    let mut index = 0;
    // At depth 1, a string is a key when the previous structural byte is `{` or `,`.
    let mut expecting_key = false;
    while index < bytes.len() {
        match bytes[index] {
            b'\n' => line += 1,
            b'{' | b'[' => {
                depth += 1;
                expecting_key = depth == 1 && bytes[index] == b'{';
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            b',' => expecting_key = depth == 1,
            b':' => expecting_key = false,
            b'"' => {
                let start = index;
                index += 1;
                while index < bytes.len() && bytes[index] != b'"' {
                    if bytes[index] == b'\\' {
                        index += 1;
                    } else if bytes[index] == b'\n' {
                        line += 1;
                    }
                    index += 1;
                }
                if depth == 1 && expecting_key {
                    let raw = text.get(start..=index.min(bytes.len() - 1)).unwrap_or("");
                    if let Ok(key) = serde_json::from_str::<String>(raw) {
                        keys.push((key, line));
                    }
                }
            }
            _ => {}
        }
        index += 1;
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_become_lines() {
        assert_eq!(line_of_offset("a\nb\nc", 0), 1);
        assert_eq!(line_of_offset("a\nb\nc", 2), 2);
        assert_eq!(line_of_offset("a\nb\nc", 99), 3);
    }

    #[test]
    fn yaml_keys_are_found_under_their_parent() {
        let text = "access-token: t\n# note\nauth-contexts:\n  Team-A: t1\n  \"x@y.com\": t2\ncontext: default\nother:\n  team-b: t3\n";
        assert_eq!(yaml_key_line(text, None, "access-token"), Some(1));
        assert_eq!(yaml_key_line(text, None, "context"), Some(6));
        assert_eq!(
            yaml_key_line(text, Some("auth-contexts"), "team-a"),
            Some(4)
        );
        assert_eq!(
            yaml_key_line(text, Some("auth-contexts"), "x@y.com"),
            Some(5)
        );
        assert_eq!(yaml_key_line(text, Some("auth-contexts"), "team-b"), None);
        assert_eq!(
            yaml_key_line("auth-contexts: {a: b}", Some("auth-contexts"), "a"),
            None
        );
    }

    #[test]
    fn json_top_level_keys_come_with_their_lines() {
        let text = "{\n  \"default\": {\"type\": \"ak/sk\", \"x\": [\"a\", {\"b\": 1}]},\n  \"prod\\\"eu\":\n {\"s\": \"a,\\\"b\"}, \"last\": 1}";
        assert_eq!(
            json_top_level_keys(text),
            [
                ("default".to_owned(), 2),
                ("prod\"eu".to_owned(), 3),
                ("last".to_owned(), 4)
            ]
        );
        // oks-cli writes its file on one line.
        assert_eq!(
            json_top_level_keys(r#"{"a": {"type": "ak/sk"}, "b": {}}"#),
            [("a".to_owned(), 1), ("b".to_owned(), 1)]
        );
    }
}
