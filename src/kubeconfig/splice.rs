//! Edits of a kubeconfig file's text that leave every untouched line as it was: entries of the
//! `clusters`, `contexts` and `users` lists are replaced, added or removed as blocks of lines,
//! and `current-context` as one line. Comments, formatting and fields kaas does not model stay
//! byte for byte; a removed entry takes only its own lines (the comments and blank lines after
//! it are about what follows). A file whose lines all end in CRLF is edited as such.
//! [`apply`] gives up (`None`) on layouts it does not recognise (flow-style lists with
//! entries, several documents, tabs, mixed line ends); the caller then checks or rewrites the
//! file another way.

use serde_yaml_ng::Value;

/// One change to a kubeconfig.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Edit {
    /// Puts `entry` (a mapping with a `name`) into the list `list`: in place of the entry of the
    /// same name, else at the end.
    Upsert { list: &'static str, entry: Value },
    /// Removes the entry named `name` from the list `list`, if there is one.
    Remove { list: &'static str, name: String },
    /// Sets `current-context`.
    CurrentContext(String),
}

impl Edit {
    /// The name of the entry the edit is about (`None` for `CurrentContext`).
    pub(super) fn entry_name(&self) -> Option<&str> {
        match self {
            Edit::Upsert { entry, .. } => entry.get("name").and_then(Value::as_str),
            Edit::Remove { name, .. } => Some(name),
            Edit::CurrentContext(_) => None,
        }
    }
}

/// The text with the edits made, or `None` when its layout is beyond this line-based editor.
pub(super) fn apply(text: &str, edits: &[Edit]) -> Option<String> {
    if let Some(unix) = crlf_to_lf(text) {
        return apply(&unix, edits).map(|edited| edited.replace('\n', "\r\n"));
    }
    if text.contains('\t') || text.contains('\r') || has_several_documents(text) {
        return None;
    }
    let mut text = if text.is_empty() || text.ends_with('\n') {
        text.to_string()
    } else {
        format!("{text}\n")
    };
    for edit in edits {
        text = match edit {
            Edit::Upsert { list, entry } => upsert(&text, list, edit.entry_name()?, entry)?,
            Edit::Remove { list, name } => remove(&text, list, name)?,
            Edit::CurrentContext(name) => current_context(&text, name)?,
        };
    }
    Some(text)
}

/// The text with LF line ends, when every line of it ends in CRLF (and no `\r` is alone).
fn crlf_to_lf(text: &str) -> Option<String> {
    let crlf = text.matches("\r\n").count();
    (crlf > 0 && crlf == text.matches('\n').count() && crlf == text.matches('\r').count())
        .then(|| text.replace("\r\n", "\n"))
}

fn has_several_documents(text: &str) -> bool {
    text.lines()
        .skip_while(|line| line.trim().is_empty() || line.starts_with('#'))
        .skip(1)
        .any(|line| line.starts_with("---") || line.starts_with("..."))
}

/// A line of the text: where it starts and ends (after its newline).
#[derive(Clone, Copy, Debug)]
struct Line {
    start: usize,
    end: usize,
}

fn lines(text: &str) -> Vec<Line> {
    let mut start = 0;
    text.split_inclusive('\n')
        .map(|line| {
            let line = Line {
                start,
                end: start + line.len(),
            };
            start = line.end;
            line
        })
        .collect()
}

/// Whether a line is a top-level key (`key:` at column 0), returning the key and the rest.
fn top_level_key(line: &str) -> Option<(&str, &str)> {
    let first = line.chars().next()?;
    if first.is_whitespace() || matches!(first, '#' | '-' | '[' | '{' | '?' | '&' | '*' | '!') {
        return None;
    }
    let (key, rest) = line.split_once(':')?;
    let key = key.trim_matches(|c| c == '"' || c == '\'');
    (rest.is_empty() || rest.starts_with([' ', '\n'])).then_some((key, rest))
}

/// The top-level key `key`: its line, and the block of lines that belong to its value.
struct Section {
    key_line: Line,
    /// The value written on the key's line (after `:`), comment and spaces trimmed.
    inline_value: String,
    /// From the line after the key to the next top-level line.
    block: Line,
}

fn section(text: &str, key: &str) -> Option<Section> {
    let lines = lines(text);
    let position = lines.iter().position(|line| {
        top_level_key(&text[line.start..line.end]).is_some_and(|(k, _)| k == key)
    })?;
    let key_line = lines[position];
    let (_, rest) = top_level_key(&text[key_line.start..key_line.end])?;
    let inline_value = strip_comment(rest).trim().to_string();
    // The block ends at the next top-level key. A document marker (`---`, `...`) cannot end
    // it: `apply` refuses a text with one past its first line, and a key line comes after that.
    let block_end = lines[position + 1..]
        .iter()
        .find(|line| top_level_key(&text[line.start..line.end]).is_some())
        .map_or(text.len(), |line| line.start);
    Some(Section {
        key_line,
        inline_value,
        block: Line {
            start: key_line.end,
            end: block_end,
        },
    })
}

/// The value part of a line with a trailing ` # comment` removed (quotes are not looked into:
/// a value with `#` in quotes makes the caller give up, which is safe).
fn strip_comment(value: &str) -> &str {
    match value.find(" #") {
        Some(index) => &value[..index],
        None => value,
    }
}

/// The entries of a block list: each entry's line range and name, and the indentation of
/// their dashes.
struct Entries {
    indent: usize,
    entries: Vec<(Line, String)>,
}

fn entries(text: &str, block: Line) -> Option<Entries> {
    let body = &text[block.start..block.end];
    let lines: Vec<Line> = lines(body)
        .into_iter()
        .map(|line| Line {
            start: line.start + block.start,
            end: line.end + block.start,
        })
        .collect();
    let dash = |line: &Line| {
        let content = &text[line.start..line.end];
        let trimmed = content.trim_start_matches(' ');
        (trimmed.starts_with("- ") || trimmed.trim_end() == "-")
            .then(|| content.len() - trimmed.len())
    };
    let Some(indent) = lines.iter().find_map(dash) else {
        // Only blank lines and comments: an empty list.
        return lines
            .iter()
            .all(|line| {
                let content = text[line.start..line.end].trim();
                content.is_empty() || content.starts_with('#')
            })
            .then_some(Entries {
                indent: 0,
                entries: Vec::new(),
            });
    };
    let starts: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, line)| dash(line) == Some(indent))
        .map(|(index, _)| index)
        .collect();
    // Lines before the first entry must be blank or comments; lines at a smaller indentation
    // than the dashes inside the list mean a layout this editor does not know.
    let first = starts[0];
    for line in &lines[..first] {
        let content = text[line.start..line.end].trim();
        if !(content.is_empty() || content.starts_with('#')) {
            return None;
        }
    }
    let mut entries = Vec::new();
    for (n, &start) in starts.iter().enumerate() {
        let end = starts.get(n + 1).map_or(lines.len(), |&next| next);
        let range = Line {
            start: lines[start].start,
            end: lines[end - 1].end,
        };
        for line in &lines[start + 1..end] {
            let content = &text[line.start..line.end];
            let spaces = content.len() - content.trim_start_matches(' ').len();
            let blank = content.trim().is_empty() || content.trim_start().starts_with('#');
            if !blank && spaces <= indent {
                return None;
            }
        }
        let name = entry_name(&text[range.start..range.end], indent)?;
        entries.push((range, name));
    }
    Some(Entries { indent, entries })
}

/// The `name` of one list entry's text (dedented and read as YAML).
fn entry_name(entry: &str, indent: usize) -> Option<String> {
    let dedented: String = entry
        .split_inclusive('\n')
        .map(|line| line.get(indent.min(leading_spaces(line))..).unwrap_or(line))
        .collect();
    let parsed: Vec<Value> = serde_yaml_ng::from_str(&dedented).ok()?;
    match parsed.as_slice() {
        [entry] => entry.get("name")?.as_str().map(str::to_string),
        _ => None,
    }
}

fn leading_spaces(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// One entry as block YAML, its dash at `indent` spaces.
fn render_entry(entry: &Value, indent: usize) -> Option<String> {
    let yaml = serde_yaml_ng::to_string(&[entry]).ok()?;
    let padding = " ".repeat(indent);
    Some(
        yaml.split_inclusive('\n')
            .map(|line| format!("{padding}{line}"))
            .collect(),
    )
}

fn upsert(text: &str, list: &str, name: &str, entry: &Value) -> Option<String> {
    let Some(section) = section(text, list) else {
        // No such list yet: add it at the end.
        return Some(format!("{text}{list}:\n{}", render_entry(entry, 0)?));
    };
    if !section.inline_value.is_empty() {
        // `clusters: []` or `clusters: null`: the list becomes a block with the entry.
        if !matches!(section.inline_value.as_str(), "[]" | "null" | "~") {
            return None;
        }
        let mut out = String::with_capacity(text.len() + 256);
        out.push_str(&text[..section.key_line.start]);
        out.push_str(&format!("{list}:\n"));
        out.push_str(&render_entry(entry, 0)?);
        out.push_str(&text[section.key_line.end..]);
        return Some(out);
    }
    let found = entries(text, section.block)?;
    let mut out = String::with_capacity(text.len() + 256);
    match found.entries.iter().find(|(_, n)| n == name) {
        Some((range, _)) => {
            out.push_str(&text[..range.start]);
            out.push_str(&render_entry(entry, found.indent)?);
            // Blank lines and comments that followed the old entry stay.
            out.push_str(not_its_own(&text[range.start..range.end], found.indent));
            out.push_str(&text[range.end..]);
        }
        None => {
            // After the last entry (before the blank lines and comments that end the block).
            let at = found
                .entries
                .last()
                .map_or(section.block.start, |(range, _)| {
                    range.end - not_its_own(&text[range.start..range.end], found.indent).len()
                });
            out.push_str(&text[..at]);
            out.push_str(&render_entry(entry, found.indent)?);
            out.push_str(&text[at..]);
        }
    }
    Some(out)
}

/// The lines at the end of an entry's text (from its dash to the next entry's) that are not
/// its own: blank lines, and comments no deeper than its dash (`# about the next one`, a
/// file's closing comment). A comment indented into the entry is its own.
fn not_its_own(entry: &str, indent: usize) -> &str {
    let mut cut = entry.len();
    for line in entry.split_inclusive('\n').rev() {
        let content = line.trim();
        if content.is_empty() || (content.starts_with('#') && leading_spaces(line) <= indent) {
            cut -= line.len();
        } else {
            break;
        }
    }
    &entry[cut..]
}

fn remove(text: &str, list: &str, name: &str) -> Option<String> {
    let Some(section) = section(text, list) else {
        return Some(text.to_string());
    };
    if !section.inline_value.is_empty() {
        return matches!(section.inline_value.as_str(), "[]" | "null" | "~")
            .then(|| text.to_string());
    }
    let found = entries(text, section.block)?;
    let Some((range, _)) = found.entries.iter().find(|(_, n)| n == name) else {
        return Some(text.to_string());
    };
    // Only the entry's own lines go: what follows them is about the next entry, or the file.
    let own_end = range.end - not_its_own(&text[range.start..range.end], found.indent).len();
    let mut out = String::with_capacity(text.len());
    out.push_str(&text[..range.start]);
    out.push_str(&text[own_end..]);
    if found.entries.len() == 1 {
        // The list is now empty: say so, as kubectl writes it.
        return replace_key_line(&out, list, &format!("{list}: []\n"));
    }
    Some(out)
}

fn current_context(text: &str, name: &str) -> Option<String> {
    let mut line = serde_yaml_ng::Mapping::new();
    line.insert("current-context".into(), name.into());
    let line = serde_yaml_ng::to_string(&line).ok()?;
    match section(text, "current-context") {
        Some(_) => replace_key_line(text, "current-context", &line),
        None => Some(format!("{text}{line}")),
    }
}

/// The text with the top-level key line of `key` replaced by `line`.
fn replace_key_line(text: &str, key: &str, line: &str) -> Option<String> {
    let section = section(text, key)?;
    Some(format!(
        "{}{line}{}",
        &text[..section.key_line.start],
        &text[section.key_line.end..]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const KUBECTL_STYLE: &str = "\
apiVersion: v1
# a comment kaas never touches
clusters:
- cluster:
    certificate-authority-data: LS0tLS1CRUdJTg==
    server: https://a.example.com
    extensions:
    - name: vendor
      extension: {anything: [1, 2]}
  name: a
- cluster:
    server: https://b.example.com
  name: b
contexts:
- context:
    cluster: a
    user: a-admin
  name: a
current-context: a
kind: Config
preferences: {colors: true}
users:
- name: a-admin
  user:
    token: secret-a
";

    fn entry(yaml: &str) -> Value {
        serde_yaml_ng::from_str(yaml).unwrap()
    }

    #[test]
    fn a_new_entry_goes_after_the_last_and_nothing_else_moves() {
        let edited = apply(
            KUBECTL_STYLE,
            &[Edit::Upsert {
                list: "clusters",
                entry: entry("{name: c, cluster: {server: 'https://c.example.com'}}"),
            }],
        )
        .unwrap();
        let expected = KUBECTL_STYLE.replace(
            "  name: b\ncontexts:",
            "  name: b\n- name: c\n  cluster:\n    server: https://c.example.com\ncontexts:",
        );
        assert_eq!(edited, expected);
    }

    #[test]
    fn an_entry_of_the_same_name_is_replaced_in_place() {
        let edited = apply(
            KUBECTL_STYLE,
            &[Edit::Upsert {
                list: "clusters",
                entry: entry("{name: a, cluster: {server: 'https://a2.example.com'}}"),
            }],
        )
        .unwrap();
        assert!(edited.starts_with("apiVersion: v1\n# a comment kaas never touches\nclusters:\n- name: a\n  cluster:\n    server: https://a2.example.com\n- cluster:\n    server: https://b.example.com\n  name: b\n"), "{edited}");
        assert!(!edited.contains("vendor"));
        assert!(edited.ends_with(&KUBECTL_STYLE[KUBECTL_STYLE.find("contexts:").unwrap()..]));
    }

    #[test]
    fn removing_keeps_the_rest_and_an_emptied_list_says_so() {
        let edited = apply(
            KUBECTL_STYLE,
            &[Edit::Remove {
                list: "contexts",
                name: "a".into(),
            }],
        )
        .unwrap();
        assert_eq!(
            edited,
            KUBECTL_STYLE.replace(
                "contexts:\n- context:\n    cluster: a\n    user: a-admin\n  name: a\n",
                "contexts: []\n"
            )
        );
        let unchanged = apply(
            KUBECTL_STYLE,
            &[Edit::Remove {
                list: "users",
                name: "nobody".into(),
            }],
        )
        .unwrap();
        assert_eq!(unchanged, KUBECTL_STYLE);
    }

    #[test]
    fn current_context_is_one_line_replaced_or_added() {
        let edited = apply(KUBECTL_STYLE, &[Edit::CurrentContext("b".into())]).unwrap();
        assert_eq!(
            edited,
            KUBECTL_STYLE.replace("current-context: a\n", "current-context: b\n")
        );
        let added = apply("apiVersion: v1\n", &[Edit::CurrentContext("x: y".into())]).unwrap();
        assert_eq!(added, "apiVersion: v1\ncurrent-context: 'x: y'\n");
    }

    #[test]
    fn indented_lists_and_empty_flow_lists_are_edited_too() {
        let indented = "clusters:\n  - name: a\n    cluster: {server: 'https://a'}\nusers: []\n";
        let edited = apply(
            indented,
            &[
                Edit::Upsert {
                    list: "clusters",
                    entry: entry("{name: b, cluster: {server: 'https://b'}}"),
                },
                Edit::Upsert {
                    list: "users",
                    entry: entry("{name: u, user: {token: t}}"),
                },
            ],
        )
        .unwrap();
        assert_eq!(
            edited,
            "clusters:\n  - name: a\n    cluster: {server: 'https://a'}\n  - name: b\n    cluster:\n      server: https://b\nusers:\n- name: u\n  user:\n    token: t\n"
        );
    }

    #[test]
    fn a_removed_entry_takes_its_indented_comments_and_leaves_the_next_ones() {
        let text = "users:\n- name: a\n  user:\n    token: x\n    # rotated monthly\n\n# about b\n- name: b\n  user: {token: y}\n";
        let edited = apply(
            text,
            &[Edit::Remove {
                list: "users",
                name: "a".into(),
            }],
        )
        .unwrap();
        assert_eq!(
            edited,
            "users:\n\n# about b\n- name: b\n  user: {token: y}\n"
        );
        // Mixed line ends are beyond it: CRLF is only kept when every line has it.
        let mixed = "users:\r\n- name: a\n  user: {token: x}\r\n";
        assert_eq!(apply(mixed, &[Edit::CurrentContext("a".into())]), None);
    }

    #[test]
    fn layouts_beyond_the_line_editor_are_refused_not_guessed() {
        let upsert = [Edit::Upsert {
            list: "clusters",
            entry: entry("{name: b}"),
        }];
        for text in [
            "clusters: [{name: a}]\n",
            "clusters:\n\t- name: a\n",
            "apiVersion: v1\n---\nclusters: []\n",
            "clusters:\n  junk\n- name: a\n",
        ] {
            assert_eq!(apply(text, &upsert), None, "{text:?}");
        }
    }

    fn upsert_b() -> [Edit; 1] {
        [Edit::Upsert {
            list: "clusters",
            entry: entry("{name: b, cluster: {server: 'https://b'}}"),
        }]
    }

    const B: &str = "- name: b\n  cluster:\n    server: https://b\n";

    #[test]
    fn a_new_entry_goes_before_the_blank_lines_and_comments_that_end_the_list() {
        let own = "clusters:\n- name: a\n  cluster: {server: 'https://a'}\n";
        let after = "\n# the clusters end here\n";
        for rest in ["contexts: []\n", ""] {
            let text = format!("{own}{after}{rest}");
            assert_eq!(
                apply(&text, &upsert_b()).unwrap(),
                format!("{own}{B}{after}{rest}"),
                "{text:?}"
            );
        }
    }

    #[test]
    fn blank_lines_and_comments_before_and_inside_entries_are_kept() {
        let text = "clusters:\n\n# ours\n-\n  name: a\n\n# at column 0, still a's\n  cluster: {server: 'https://a'}\n# about c\n- name: c\n  cluster: {server: 'https://c'}\n";
        assert_eq!(apply(text, &upsert_b()).unwrap(), format!("{text}{B}"));
        let replaced = apply(
            text,
            &[Edit::Upsert {
                list: "clusters",
                entry: entry("{name: a, cluster: {server: 'https://a2'}}"),
            }],
        )
        .unwrap();
        assert_eq!(
            replaced,
            "clusters:\n\n# ours\n- name: a\n  cluster:\n    server: https://a2\n# about c\n- name: c\n  cluster: {server: 'https://c'}\n"
        );
        // A list of comments only is an empty list.
        let empty = "clusters:\n# none yet\n\ncontexts: []\n";
        assert_eq!(
            apply(empty, &upsert_b()).unwrap(),
            format!("clusters:\n{B}# none yet\n\ncontexts: []\n")
        );
    }

    #[test]
    fn quoted_keys_a_first_document_marker_and_a_missing_last_newline_are_read() {
        let quoted = "'clusters':\n- name: a\n\"current-context\": a\n";
        assert_eq!(
            apply(quoted, &[Edit::CurrentContext("b".into())]).unwrap(),
            "'clusters':\n- name: a\ncurrent-context: b\n"
        );
        let marked = "# kubeconfig\n---\nclusters: []\n";
        assert_eq!(
            apply(marked, &upsert_b()).unwrap(),
            format!("# kubeconfig\n---\nclusters:\n{B}")
        );
        assert_eq!(apply("", &upsert_b()).unwrap(), format!("clusters:\n{B}"));
        assert_eq!(
            apply("kind: Config", &upsert_b()).unwrap(),
            format!("kind: Config\nclusters:\n{B}")
        );
    }

    #[test]
    fn a_tab_anywhere_or_a_line_left_of_the_dashes_is_refused() {
        // A tab in a value would be kept, but tabs are refused wholesale.
        let tab = "clusters:\n- name: a\n  note: \"x\ty\"\n";
        assert_eq!(apply(tab, &upsert_b()), None);
        // A flow mapping continued left of its dash: YAML reads it, the line editor does not.
        for text in [
            "clusters:\n  - {name: a,\n  cluster: {}}\n",
            "clusters:\n  - {name: a,\n cluster: {}}\n",
        ] {
            assert_eq!(apply(text, &upsert_b()), None, "{text:?}");
        }
    }
}
