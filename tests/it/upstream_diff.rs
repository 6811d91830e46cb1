//! How a later upstream change is found: lists every difference between a curated spec
//! (`specs/<provider>.yaml`) and the provider's own API description (`specs/upstream/`), one
//! stable line per difference, and fails on any difference its explanations file does not
//! explain, and on any explanation that no longer matches a difference.
//!
//! Compared, per operation (`METHOD /path`, path parameters matched whatever their names):
//! the operation itself and its `deprecated` flag; parameters (`in` + `name`: required, schema
//! type, format, enum values); the request body (required, media types, schema); responses
//! (status codes, media types, schemas). Schemas are compared field by field after following
//! `$ref`s and merging `allOf` (and object `anyOf`/`oneOf`): the set of properties,
//! required-ness, type, format, `nullable` and enum values, down through array items
//! (`[]`) and typed `additionalProperties` (`{}`). `readOnly` fields are left out of request
//! bodies and `writeOnly` ones out of responses; curation marks (`x-extensible-enum`,
//! `x-secret`), descriptions, examples and defaults are not compared.
//!
//! Run it against a newer upstream copy with `KAAS_UPSTREAM_DIR=/path/to/dir` (the folder holding
//! the upstream files under the names of `specs/upstream/`), and see every line with
//! `cargo test --test it upstream_diff -- --nocapture`. specs/README.md says how to review its output.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;

/// One curated spec and the upstream description it is checked against.
struct Pair {
    /// The curated spec, relative to the crate root.
    curated: &'static str,
    /// The upstream file's name in `specs/upstream/` (or in `KAAS_UPSTREAM_DIR`).
    upstream: &'static str,
    /// Difference line (or `*` pattern) → one-line reason, relative to the crate root.
    explained: &'static str,
}

const DIGITALOCEAN: Pair = Pair {
    curated: "specs/digitalocean.yaml",
    upstream: "digitalocean-kubernetes.yaml",
    explained: "specs/upstream/digitalocean.explained.yaml",
};

const OKS: Pair = Pair {
    curated: "specs/oks.yaml",
    upstream: "outscale-oks-api.yaml",
    explained: "specs/upstream/oks.explained.yaml",
};

#[test]
fn digitalocean_spec_matches_upstream_or_says_why() {
    check(&DIGITALOCEAN);
}

#[test]
fn oks_spec_matches_upstream_or_says_why() {
    check(&OKS);
}

// ---------------------------------------------------------------------------------------------
// Running a pair

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Where the upstream files are: `KAAS_UPSTREAM_DIR`, else the vendored `specs/upstream/`.
fn upstream_dir() -> PathBuf {
    match std::env::var_os("KAAS_UPSTREAM_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => root().join("specs/upstream"),
    }
}

fn read_yaml(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("{} is not YAML: {e}", path.display()))
}

/// The explanations: pattern → reason. A missing file explains nothing.
fn read_explanations(path: &Path) -> BTreeMap<String, String> {
    if !path.exists() {
        return BTreeMap::new();
    }
    let value = read_yaml(path);
    let Some(map) = value.as_object() else {
        if value.is_null() {
            return BTreeMap::new();
        }
        panic!(
            "{}: must be a mapping of difference → reason",
            path.display()
        );
    };
    map.iter()
        .map(|(line, reason)| {
            let reason = reason.as_str().map(str::trim).unwrap_or_default();
            assert!(
                !reason.is_empty(),
                "{}: `{line}` has no reason; say in one line why the curated spec differs",
                path.display()
            );
            (line.clone(), reason.to_string())
        })
        .collect()
}

fn check(pair: &Pair) {
    let outcome = run(pair, &upstream_dir());
    println!("{}", outcome.listing);
    assert!(outcome.report.is_empty(), "{}", outcome.report);
}

/// What a run found: every line with its state, and the failure report (empty when clean).
struct Outcome {
    listing: String,
    report: String,
}

/// Compares `pair` against the upstream file in `dir` and reviews the lines.
fn run(pair: &Pair, dir: &Path) -> Outcome {
    let curated_path = root().join(pair.curated);
    let upstream_path = dir.join(pair.upstream);
    let explained_path = root().join(pair.explained);
    let lines = differences(&read_yaml(&curated_path), &read_yaml(&upstream_path));
    let explanations = read_explanations(&explained_path);
    let review = review(&lines, &explanations);

    let mut listing = format!(
        "{} difference(s) between {} and {}:\n",
        lines.len(),
        pair.curated,
        upstream_path.display()
    );
    for line in &lines {
        match review.reason_of.get(line) {
            Some(reason) => {
                listing.push_str(&format!("  explained  {line}\n             → {reason}\n"))
            }
            None => listing.push_str(&format!("  NEW        {line}\n")),
        }
    }
    let mut report = String::new();
    if !review.unexplained.is_empty() {
        report.push_str(&format!(
            "\n{} difference(s) are not explained in {}. Fix the curated spec where upstream is right, or add each line with a one-line reason:\n",
            review.unexplained.len(),
            pair.explained
        ));
        for line in &review.unexplained {
            report.push_str(&format!("{}: <why>\n", yaml_key(line)));
        }
    }
    if !review.stale.is_empty() {
        report.push_str(&format!(
            "\n{} explanation(s) in {} match no difference any more; remove them:\n",
            review.stale.len(),
            pair.explained
        ));
        for line in &review.stale {
            report.push_str(&format!("  {line}\n"));
        }
    }
    Outcome { listing, report }
}

/// A line quoted as a YAML key, ready to paste into an explanations file.
fn yaml_key(line: &str) -> String {
    format!("'{}'", line.replace('\'', "''"))
}

/// Which lines are explained (and by what), which are not, and which explanations are stale.
#[derive(Debug, Default)]
struct Review {
    reason_of: BTreeMap<String, String>,
    unexplained: Vec<String>,
    stale: Vec<String>,
}

fn review(lines: &[String], explanations: &BTreeMap<String, String>) -> Review {
    let mut out = Review::default();
    let mut used = BTreeSet::new();
    for line in lines {
        let hit = explanations
            .iter()
            .find(|(pattern, _)| pattern.as_str() == line)
            .or_else(|| {
                explanations
                    .iter()
                    .find(|(pattern, _)| pattern.contains('*') && glob(pattern, line))
            });
        match hit {
            Some((pattern, reason)) => {
                used.insert(pattern.clone());
                out.reason_of.insert(line.clone(), reason.clone());
            }
            None => out.unexplained.push(line.clone()),
        }
    }
    out.stale = explanations
        .keys()
        .filter(|pattern| !used.contains(*pattern))
        .cloned()
        .collect();
    out
}

/// Whether `text` matches `pattern`, where `*` stands for any run of characters.
fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, rest) = parts.split_first().expect("split gives one part at least");
    let Some(mut remaining) = text.strip_prefix(first) else {
        return false;
    };
    let Some((last, middle)) = rest.split_last() else {
        return remaining.is_empty();
    };
    for part in middle {
        match remaining.find(part) {
            Some(at) => remaining = &remaining[at + part.len()..],
            None => return false,
        }
    }
    remaining.len() >= last.len() && remaining.ends_with(last)
}

// ---------------------------------------------------------------------------------------------
// Operations

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "patch", "options", "head", "trace",
];

/// One operation of a document.
struct Operation<'a> {
    /// `METHOD /path` as the document writes it.
    label: String,
    operation: &'a Value,
    path_item: &'a Value,
}

/// `/a/{x}/b` → `/a/{}/b`: operations match whatever their path parameters are called.
fn path_shape(path: &str) -> String {
    let mut out = String::new();
    let mut in_param = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push_str("{}");
            }
            '}' => in_param = false,
            _ if in_param => {}
            _ => out.push(c),
        }
    }
    out
}

fn operations(doc: &Value) -> BTreeMap<(String, String), Operation<'_>> {
    let mut out = BTreeMap::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for method in METHODS {
            if let Some(operation) = item.get(*method) {
                let method = method.to_uppercase();
                out.insert(
                    (path_shape(path), method.clone()),
                    Operation {
                        label: format!("{method} {path}"),
                        operation,
                        path_item: item,
                    },
                );
            }
        }
    }
    out
}

/// Every difference between the curated document and the upstream one, sorted.
fn differences(here: &Value, upstream: &Value) -> Vec<String> {
    let mut lines = Vec::new();
    let ours = operations(here);
    let theirs = operations(upstream);
    for (key, op) in &ours {
        match theirs.get(key) {
            None => lines.push(format!("{}: only here", op.label)),
            Some(up) => {
                let docs = Docs { here, upstream };
                compare_operation(docs, op, up, &mut lines);
            }
        }
    }
    for (key, op) in &theirs {
        if !ours.contains_key(key) {
            lines.push(format!("{}: only upstream", op.label));
        }
    }
    lines.sort();
    lines.dedup();
    lines
}

/// The two documents, so `$ref`s resolve on their own side.
#[derive(Clone, Copy)]
struct Docs<'a> {
    here: &'a Value,
    upstream: &'a Value,
}

fn compare_operation(docs: Docs, op: &Operation, up: &Operation, lines: &mut Vec<String>) {
    let at = &op.label;
    let deprecated = |o: &Operation| o.operation["deprecated"].as_bool().unwrap_or(false);
    if deprecated(op) != deprecated(up) {
        lines.push(format!(
            "{at}: deprecated here {}, upstream {}",
            deprecated(op),
            deprecated(up)
        ));
    }
    compare_parameters(docs, op, up, lines);
    compare_request(docs, op, up, lines);
    compare_responses(docs, op, up, lines);
}

// ---------------------------------------------------------------------------------------------
// Parameters

/// Path-item and operation parameters by (`in`, `name`); the operation's win.
fn parameters<'a>(doc: &'a Value, op: &Operation<'a>) -> BTreeMap<(String, String), &'a Value> {
    let mut out = BTreeMap::new();
    for holder in [op.path_item, op.operation] {
        for param in holder["parameters"].as_array().into_iter().flatten() {
            let param = follow(doc, param).target();
            let place = param["in"].as_str().unwrap_or("?").to_string();
            let name = param["name"].as_str().unwrap_or("?").to_string();
            // Header names are case-insensitive.
            let name = if place == "header" {
                name.to_ascii_lowercase()
            } else {
                name
            };
            out.insert((place, name), param);
        }
    }
    out
}

fn compare_parameters(docs: Docs, op: &Operation, up: &Operation, lines: &mut Vec<String>) {
    let ours = parameters(docs.here, op);
    let theirs = parameters(docs.upstream, up);
    // Path parameters are matched by position when the two documents name them differently.
    let path_names = |o: &Operation| -> Vec<String> {
        let path = o.label.split_once(' ').map(|(_, p)| p).unwrap_or_default();
        path.split('{')
            .skip(1)
            .filter_map(|s| s.split_once('}').map(|(n, _)| n.to_string()))
            .collect()
    };
    let renamed: BTreeMap<String, String> = path_names(op)
        .into_iter()
        .zip(path_names(up))
        .filter(|(a, b)| a != b)
        .collect();
    let upstream_key = |key: &(String, String)| -> (String, String) {
        match (key.0.as_str(), renamed.get(&key.1)) {
            ("path", Some(theirs)) => (key.0.clone(), theirs.clone()),
            _ => key.clone(),
        }
    };
    let at = &op.label;
    for (key, param) in &ours {
        let their_key = upstream_key(key);
        let where_ = format!("{at} parameter {} {}", key.0, key.1);
        let Some(theirs_param) = theirs.get(&their_key) else {
            lines.push(format!("{where_}: only here"));
            continue;
        };
        if their_key.1 != key.1 {
            lines.push(format!(
                "{where_}: named here {}, upstream {}",
                key.1, their_key.1
            ));
        }
        let required = |p: &Value| p["required"].as_bool().unwrap_or(false);
        if required(param) != required(theirs_param) {
            lines.push(format!(
                "{where_}: required here {}, upstream {}",
                required(param),
                required(theirs_param)
            ));
        }
        compare_schema(
            docs,
            &param["schema"],
            &theirs_param["schema"],
            Context {
                at: &where_,
                path: String::new(),
                direction: Direction::Request,
            },
            &mut Vec::new(),
            lines,
        );
    }
    let renamed_back: BTreeSet<(String, String)> = ours.keys().map(upstream_key).collect();
    for key in theirs.keys() {
        if !renamed_back.contains(key) {
            lines.push(format!("{at} parameter {} {}: only upstream", key.0, key.1));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Bodies

fn compare_request(docs: Docs, op: &Operation, up: &Operation, lines: &mut Vec<String>) {
    let at = &op.label;
    let ours = op
        .operation
        .get("requestBody")
        .map(|b| follow(docs.here, b).target());
    let theirs = up
        .operation
        .get("requestBody")
        .map(|b| follow(docs.upstream, b).target());
    match (ours, theirs) {
        (None, None) => {}
        (Some(_), None) => lines.push(format!("{at} request body: only here")),
        (None, Some(_)) => lines.push(format!("{at} request body: only upstream")),
        (Some(ours), Some(theirs)) => {
            let required = |b: &Value| b["required"].as_bool().unwrap_or(false);
            if required(ours) != required(theirs) {
                lines.push(format!(
                    "{at} request body: required here {}, upstream {}",
                    required(ours),
                    required(theirs)
                ));
            }
            compare_content(
                docs,
                ours,
                theirs,
                &format!("{at} request"),
                Direction::Request,
                lines,
            );
        }
    }
}

fn compare_responses(docs: Docs, op: &Operation, up: &Operation, lines: &mut Vec<String>) {
    let at = &op.label;
    let statuses = |o: &Operation| -> BTreeSet<String> {
        o.operation["responses"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(status, _)| status.clone())
            .collect()
    };
    let ours = statuses(op);
    let theirs = statuses(up);
    for status in ours.difference(&theirs) {
        lines.push(format!("{at} response {status}: only here"));
    }
    for status in theirs.difference(&ours) {
        lines.push(format!("{at} response {status}: only upstream"));
    }
    for status in ours.intersection(&theirs) {
        let mine = follow(docs.here, &op.operation["responses"][status]).target();
        let other = follow(docs.upstream, &up.operation["responses"][status]).target();
        compare_content(
            docs,
            mine,
            other,
            &format!("{at} response {status}"),
            Direction::Response,
            lines,
        );
    }
}

/// Media types of a body or response, then the schema of each shared one.
fn compare_content(
    docs: Docs,
    ours: &Value,
    theirs: &Value,
    at: &str,
    direction: Direction,
    lines: &mut Vec<String>,
) {
    let media = |v: &Value| -> BTreeMap<String, Value> {
        v["content"]
            .as_object()
            .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default()
    };
    let ours = media(ours);
    let theirs = media(theirs);
    for name in ours.keys().filter(|m| !theirs.contains_key(*m)) {
        lines.push(format!("{at} {name}: only here"));
    }
    for name in theirs.keys().filter(|m| !ours.contains_key(*m)) {
        lines.push(format!("{at} {name}: only upstream"));
    }
    // One media type on each side (the usual case) is compared without naming it.
    let single = ours.len() == 1 && theirs.len() == 1;
    for (name, mine) in &ours {
        let Some(other) = theirs.get(name) else {
            continue;
        };
        let at = if single {
            at.to_string()
        } else {
            format!("{at} {name}")
        };
        compare_schema(
            docs,
            &mine["schema"],
            &other["schema"],
            Context {
                at: &at,
                path: "$".into(),
                direction,
            },
            &mut Vec::new(),
            lines,
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Schemas

/// Whether a schema is read as a request body (sent) or a response (received).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Direction {
    Request,
    Response,
}

/// Where a schema sits: the operation part, the field path, and which way it travels.
#[derive(Clone)]
struct Context<'a> {
    at: &'a str,
    path: String,
    direction: Direction,
}

impl Context<'_> {
    fn child(&self, suffix: &str) -> Self {
        Context {
            at: self.at,
            path: format!("{}{suffix}", self.path),
            direction: self.direction,
        }
    }
    fn line(&self, what: impl std::fmt::Display) -> String {
        if self.path.is_empty() {
            format!("{}: {what}", self.at)
        } else {
            format!("{} {}: {what}", self.at, self.path)
        }
    }
}

/// A schema with `$ref`s followed and `allOf` (and object `anyOf`/`oneOf`) merged.
#[derive(Debug, Default, Clone)]
struct Shape {
    ty: String,
    format: Option<String>,
    nullable: bool,
    read_only: bool,
    write_only: bool,
    enum_values: Option<BTreeSet<String>>,
    properties: BTreeMap<String, Value>,
    required: BTreeSet<String>,
    items: Option<Value>,
    /// A typed `additionalProperties`; absent, `true` and `{}` are all "anything" and stay `None`.
    additional: Option<Value>,
    /// `$ref`s followed to reach this shape (for cycles).
    refs: Vec<String>,
}

/// `node`'s `$ref` chain (the generator's resolver); a reference to nothing, or a loop, fails
/// the test with its name.
fn follow<'a>(doc: &'a Value, node: &'a Value) -> kaas_codegen::refs::Chain<'a> {
    kaas_codegen::refs::chain(doc, node).unwrap_or_else(|e| panic!("{e}"))
}

fn shape(doc: &Value, node: &Value) -> Shape {
    let mut out = Shape::default();
    let chain = follow(doc, node);
    for node in &chain.nodes {
        out.nullable |= node["nullable"].as_bool().unwrap_or(false);
        out.read_only |= node["readOnly"].as_bool().unwrap_or(false);
        out.write_only |= node["writeOnly"].as_bool().unwrap_or(false);
    }
    out.refs = chain.refs.iter().map(|r| r.to_string()).collect();
    let node = chain.target();
    for part in node["allOf"].as_array().into_iter().flatten() {
        let part = shape(doc, part);
        out.merge(part);
    }
    let alternatives: Vec<Shape> = ["anyOf", "oneOf"]
        .iter()
        .flat_map(|k| node[*k].as_array().into_iter().flatten())
        .map(|alt| shape(doc, alt))
        .filter(|alt| alt.ty != "any")
        .collect();
    let (nulls, alternatives): (Vec<Shape>, Vec<Shape>) =
        alternatives.into_iter().partition(|alt| alt.ty == "null");
    out.nullable |= !nulls.is_empty();
    if alternatives.len() == 1 {
        out.merge(alternatives.into_iter().next().expect("one alternative"));
    } else if !alternatives.is_empty() && alternatives.iter().all(|a| a.ty == "object") {
        // Object alternatives: every field of any of them, required where all require it.
        let required = alternatives
            .iter()
            .map(|a| a.required.clone())
            .reduce(|a, b| a.intersection(&b).cloned().collect())
            .unwrap_or_default();
        for alt in alternatives {
            out.merge(Shape {
                required: BTreeSet::new(),
                ..alt
            });
        }
        out.required.extend(required);
    } else if !alternatives.is_empty() {
        let names: BTreeSet<String> = alternatives.iter().map(|a| a.ty.clone()).collect();
        out.ty = format!("oneOf({})", names.into_iter().collect::<Vec<_>>().join("|"));
    }
    if let Some(ty) = node["type"].as_str() {
        out.ty = ty.to_string();
    }
    if let Some(format) = node["format"].as_str() {
        out.format = Some(format.to_string());
    }
    if let Some(values) = node["enum"].as_array() {
        out.enum_values = Some(values.iter().map(enum_text).collect());
    }
    for (name, schema) in node["properties"].as_object().into_iter().flatten() {
        out.properties.insert(name.clone(), schema.clone());
    }
    for name in node["required"].as_array().into_iter().flatten() {
        if let Some(name) = name.as_str() {
            out.required.insert(name.to_string());
        }
    }
    if let Some(items) = node.get("items") {
        out.items = Some(items.clone());
    }
    match node.get("additionalProperties") {
        None | Some(Value::Bool(true)) => {}
        Some(Value::Object(map)) if map.is_empty() => {}
        Some(other) => out.additional = Some(other.clone()),
    }
    if out.ty.is_empty() {
        out.ty = if !out.properties.is_empty() || out.additional.is_some() {
            "object".into()
        } else if out.items.is_some() {
            "array".into()
        } else if out.enum_values.is_some() {
            "string".into()
        } else {
            "any".into()
        };
    }
    out
}

fn enum_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl Shape {
    /// Adds an `allOf` part (or the one alternative of an `anyOf`).
    fn merge(&mut self, part: Shape) {
        if self.ty.is_empty() || self.ty == "any" {
            self.ty = part.ty;
        }
        self.format = self.format.take().or(part.format);
        self.nullable |= part.nullable;
        self.read_only |= part.read_only;
        self.write_only |= part.write_only;
        self.enum_values = self.enum_values.take().or(part.enum_values);
        for (name, schema) in part.properties {
            self.properties.entry(name).or_insert(schema);
        }
        self.required.extend(part.required);
        self.items = self.items.take().or(part.items);
        self.additional = self.additional.take().or(part.additional);
        self.refs.extend(part.refs);
    }

    /// Whether a field with this shape travels this way (not `readOnly` in a request, not
    /// `writeOnly` in a response).
    fn travels(&self, direction: Direction) -> bool {
        match direction {
            Direction::Request => !self.read_only,
            Direction::Response => !self.write_only,
        }
    }
}

fn show(values: &BTreeSet<String>) -> String {
    format!(
        "[{}]",
        values.iter().cloned().collect::<Vec<_>>().join(", ")
    )
}

/// Compares two schemas at `cx`; `stack` holds the `$ref` pairs being compared further up,
/// so a recursive schema is walked once.
fn compare_schema(
    docs: Docs,
    ours: &Value,
    theirs: &Value,
    cx: Context,
    stack: &mut Vec<(String, String)>,
    lines: &mut Vec<String>,
) {
    let mine = shape(docs.here, ours);
    let other = shape(docs.upstream, theirs);
    let pair = (mine.refs.join(">"), other.refs.join(">"));
    let named = !pair.0.is_empty() || !pair.1.is_empty();
    if named && stack.contains(&pair) {
        return;
    }
    if named {
        stack.push(pair);
    }
    compare_shapes(docs, &mine, &other, cx, stack, lines);
    if named {
        stack.pop();
    }
}

fn compare_shapes(
    docs: Docs,
    mine: &Shape,
    other: &Shape,
    cx: Context,
    seen: &mut Vec<(String, String)>,
    lines: &mut Vec<String>,
) {
    if mine.ty != other.ty {
        lines.push(cx.line(format!("type here {}, upstream {}", mine.ty, other.ty)));
    }
    if mine.format != other.format {
        let f = |f: &Option<String>| f.clone().unwrap_or_else(|| "none".into());
        lines.push(cx.line(format!(
            "format here {}, upstream {}",
            f(&mine.format),
            f(&other.format)
        )));
    }
    if mine.nullable != other.nullable {
        lines.push(cx.line(format!(
            "nullable here {}, upstream {}",
            mine.nullable, other.nullable
        )));
    }
    match (&mine.enum_values, &other.enum_values) {
        (None, None) => {}
        (Some(values), None) => lines.push(cx.line(format!("enum only here {}", show(values)))),
        (None, Some(values)) => lines.push(cx.line(format!("enum only upstream {}", show(values)))),
        (Some(a), Some(b)) => {
            let only_here: BTreeSet<String> = a.difference(b).cloned().collect();
            let only_upstream: BTreeSet<String> = b.difference(a).cloned().collect();
            if !only_here.is_empty() {
                lines.push(cx.line(format!("enum values only here {}", show(&only_here))));
            }
            if !only_upstream.is_empty() {
                lines.push(cx.line(format!(
                    "enum values only upstream {}",
                    show(&only_upstream)
                )));
            }
        }
    }
    if mine.ty != other.ty && !(mine.ty == "any" || other.ty == "any") {
        return;
    }

    let direction = cx.direction;
    let travelling = |outer: &Shape, doc: &Value| -> BTreeMap<String, Value> {
        outer
            .properties
            .iter()
            .filter(|(_, schema)| shape(doc, schema).travels(direction))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    };
    let our_fields = travelling(mine, docs.here);
    let their_fields = travelling(other, docs.upstream);
    let separator = |path: &str| if path.is_empty() { "" } else { "." };
    for (name, schema) in &our_fields {
        let child = cx.child(&format!("{}{name}", separator(&cx.path)));
        let Some(their_schema) = their_fields.get(name) else {
            lines.push(child.line("only here"));
            continue;
        };
        let (a, b) = (mine.required.contains(name), other.required.contains(name));
        if a != b {
            lines.push(child.line(format!("required here {a}, upstream {b}")));
        }
        compare_schema(docs, schema, their_schema, child, seen, lines);
    }
    for name in their_fields.keys().filter(|n| !our_fields.contains_key(*n)) {
        let child = cx.child(&format!("{}{name}", separator(&cx.path)));
        lines.push(child.line("only upstream"));
    }

    match (&mine.items, &other.items) {
        (Some(a), Some(b)) => compare_schema(docs, a, b, cx.child("[]"), seen, lines),
        (Some(_), None) => lines.push(cx.child("[]").line("only here")),
        (None, Some(_)) => lines.push(cx.child("[]").line("only upstream")),
        (None, None) => {}
    }
    let anything = Value::Object(Default::default());
    match (&mine.additional, &other.additional) {
        (None, None) => {}
        (a, b) => compare_schema(
            docs,
            a.as_ref().unwrap_or(&anything),
            b.as_ref().unwrap_or(&anything),
            cx.child("{}"),
            seen,
            lines,
        ),
    }
}

// ---------------------------------------------------------------------------------------------
// The tool's own tests: each kind of difference is found, and explanations are reviewed.

#[cfg(test)]
mod tool {
    use super::*;
    use serde_json::json;

    fn spec(paths: Value, schemas: Value) -> Value {
        json!({"openapi": "3.0.3", "paths": paths, "components": {"schemas": schemas}})
    }

    fn one_get(params: Value, body: Value) -> Value {
        json!({"/things/{id}": {"get": {
            "parameters": params,
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": body}}}}
        }}})
    }

    #[test]
    fn identical_documents_have_no_difference() {
        let doc = spec(
            one_get(
                json!([{"name": "id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}}]),
                json!({"$ref": "#/components/schemas/Thing"}),
            ),
            json!({"Thing": {"type": "object", "properties": {"a": {"type": "string"}}}}),
        );
        assert_eq!(differences(&doc, &doc), Vec::<String>::new());
    }

    #[test]
    fn operations_missing_on_either_side_are_listed_whatever_the_parameter_names() {
        let here =
            json!({"paths": {"/a/{x}": {"get": {"responses": {}}, "put": {"responses": {}}}}});
        let upstream =
            json!({"paths": {"/a/{y}": {"get": {"responses": {}}, "delete": {"responses": {}}}}});
        assert_eq!(
            differences(&here, &upstream),
            ["DELETE /a/{y}: only upstream", "PUT /a/{x}: only here"]
        );
    }

    #[test]
    fn parameters_differ_in_presence_required_type_format_enum_and_name() {
        let here = one_get(
            json!([
                {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}},
                {"name": "kind", "in": "query", "schema": {"type": "string", "enum": ["a", "b"]}},
                {"name": "mine", "in": "query", "schema": {"type": "integer"}}
            ]),
            json!({}),
        );
        let upstream = json!({"/things/{thing_id}": {"get": {
            "parameters": [
                {"name": "thing_id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}},
                {"name": "kind", "in": "query", "required": true, "schema": {"type": "string", "enum": ["a", "c"]}},
                {"name": "theirs", "in": "query", "schema": {"type": "integer"}}
            ],
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {}}}}}
        }}});
        assert_eq!(
            differences(&spec(here, json!({})), &spec(upstream, json!({}))),
            [
                "GET /things/{id} parameter path id: format here none, upstream uuid",
                "GET /things/{id} parameter path id: named here id, upstream thing_id",
                "GET /things/{id} parameter query kind: enum values only here [b]",
                "GET /things/{id} parameter query kind: enum values only upstream [c]",
                "GET /things/{id} parameter query kind: required here false, upstream true",
                "GET /things/{id} parameter query mine: only here",
                "GET /things/{id} parameter query theirs: only upstream",
            ]
        );
    }

    #[test]
    fn schemas_are_compared_field_by_field_through_refs_all_of_and_items() {
        let here = spec(
            one_get(json!([]), json!({"$ref": "#/components/schemas/List"})),
            json!({
                "List": {"type": "object", "required": ["items"], "properties": {
                    "items": {"type": "array", "items": {"$ref": "#/components/schemas/Item"}}}},
                "Item": {"type": "object", "required": ["name"], "properties": {
                    "name": {"type": "string"},
                    "state": {"$ref": "#/components/schemas/State"},
                    "policy": {"allOf": [{"$ref": "#/components/schemas/Policy"}], "nullable": true},
                    "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                    "total": {"type": "integer", "minimum": 0},
                    "secret_here": {"type": "string"}}},
                "State": {"type": "string", "enum": ["on", "off"], "x-extensible-enum": true},
                "Policy": {"type": "object", "properties": {"day": {"type": "string"}}}
            }),
        );
        let upstream = spec(
            one_get(
                json!([]),
                json!({"allOf": [
                    {"$ref": "#/components/schemas/list"},
                    {"type": "object", "properties": {"meta": {"type": "object"}}}
                ]}),
            ),
            json!({
                "list": {"type": "object", "properties": {
                    "items": {"type": "array", "items": {"$ref": "#/components/schemas/item"}}}},
                "item": {"type": "object", "required": ["name", "size"], "properties": {
                    "name": {"type": "string"},
                    "size": {"type": "string"},
                    "state": {"type": "string", "enum": ["on", "off", "paused"]},
                    "policy": {"$ref": "#/components/schemas/policy"},
                    "labels": {"type": "object", "nullable": true},
                    "total": {"type": "number"},
                    "id": {"type": "string", "format": "uuid", "readOnly": true}}},
                "policy": {"type": "object", "nullable": true, "properties": {
                    "day": {"type": "string"}, "hour": {"type": "integer"}}}
            }),
        );
        let at = "GET /things/{id} response 200";
        let expected: Vec<String> = [
            "$.items: required here true, upstream false",
            "$.items[].id: only upstream",
            "$.items[].labels: nullable here false, upstream true",
            "$.items[].labels{}: type here string, upstream any",
            "$.items[].policy.hour: only upstream",
            "$.items[].secret_here: only here",
            "$.items[].size: only upstream",
            "$.items[].state: enum values only upstream [paused]",
            "$.items[].total: type here integer, upstream number",
            "$.meta: only upstream",
        ]
        .iter()
        .map(|l| format!("{at} {l}"))
        .collect();
        assert_eq!(differences(&here, &upstream), expected);
    }

    #[test]
    fn read_only_fields_are_not_compared_in_request_bodies() {
        let post = |schema: Value| {
            spec(
                json!({"/things": {"post": {
                    "requestBody": {"required": true, "content": {"application/json": {"schema": schema}}},
                    "responses": {"201": {"description": "created"}}
                }}}),
                json!({}),
            )
        };
        let here = post(json!({"type": "object", "properties": {"name": {"type": "string"}}}));
        let upstream = post(json!({"type": "object", "properties": {
            "name": {"type": "string"},
            "id": {"type": "string", "readOnly": true},
            "tags": {"type": "array", "items": {"type": "string"}}}}));
        assert_eq!(
            differences(&here, &upstream),
            ["POST /things request $.tags: only upstream"]
        );
    }

    #[test]
    fn responses_and_media_types_differ_by_status() {
        let with = |responses: Value| json!({"paths": {"/x": {"get": {"responses": responses}}}});
        let here = with(json!({
            "200": {"content": {"application/yaml": {"schema": {"type": "string"}}}},
            "4XX": {"description": "error"}
        }));
        let upstream = with(json!({
            "200": {"content": {"application/json": {"schema": {"type": "string"}}}},
            "default": {"description": "error"}
        }));
        assert_eq!(
            differences(&here, &upstream),
            [
                "GET /x response 200 application/json: only upstream",
                "GET /x response 200 application/yaml: only here",
                "GET /x response 4XX: only here",
                "GET /x response default: only upstream",
            ]
        );
    }

    #[test]
    fn explanations_match_exactly_or_by_pattern_and_stale_ones_are_reported() {
        let lines: Vec<String> = [
            "GET /a response default: only upstream",
            "GET /b response default: only upstream",
            "GET /b parameter query x: only here",
            "GET /c: only upstream",
        ]
        .map(String::from)
        .to_vec();
        let explanations: BTreeMap<String, String> = [
            ("* response default: only upstream", "rule 5"),
            ("GET /b parameter query x: only here", "live behaviour"),
            ("GET /gone: only here", "was removed"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .into();
        let review = review(&lines, &explanations);
        assert_eq!(review.unexplained, ["GET /c: only upstream"]);
        assert_eq!(review.stale, ["GET /gone: only here"]);
        assert_eq!(
            review.reason_of["GET /b response default: only upstream"],
            "rule 5"
        );
    }

    /// What `KAAS_UPSTREAM_DIR` does: a newer upstream copy that adds a field and drops a
    /// requirement fails the DigitalOcean pair with the new line and the stale explanation.
    #[test]
    fn a_newer_upstream_copy_shows_what_changed() {
        let mut upstream = read_yaml(&root().join("specs/upstream").join(DIGITALOCEAN.upstream));
        upstream["components"]["schemas"]["cluster_read"]["properties"]["hibernated"] =
            json!({"type": "boolean"});
        upstream["components"]["schemas"]["meta"]["properties"]["meta"]["allOf"]
            .as_array_mut()
            .unwrap()
            .pop();
        let dir = std::env::temp_dir().join(format!("kaas-upstream-diff-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join(DIGITALOCEAN.upstream),
            serde_yaml_ng::to_string(&upstream).unwrap(),
        )
        .unwrap();
        let outcome = run(&DIGITALOCEAN, &dir);
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(
            outcome.report.contains(
                "'GET /v2/kubernetes/clusters response 200 $.kubernetes_clusters[].hibernated: only upstream': <why>"
            ),
            "{}",
            outcome.report
        );
        assert!(outcome.report.contains(
            "'GET /v2/kubernetes/clusters/{cluster_id} response 200 $.kubernetes_cluster.hibernated: only upstream': <why>"
        ));
        assert!(
            outcome.report.contains(
                "match no difference any more; remove them:\n  GET /v2/kubernetes/clusters response 200 $.meta.total: required here false, upstream true"
            ),
            "{}",
            outcome.report
        );
        assert!(outcome.listing.contains("  NEW        GET /v2/kubernetes/clusters response 200 $.kubernetes_clusters[].hibernated: only upstream"));
    }

    #[test]
    fn glob_stars_stand_for_any_run_of_characters() {
        assert!(glob("a*c", "abc"));
        assert!(glob("a*c", "ac"));
        assert!(glob("*: only here", "GET /x: only here"));
        assert!(glob("GET * response * only", "GET /x response 4XX: only"));
        assert!(!glob("a*c", "abd"));
        assert!(!glob("a*b*b", "ab"));
        assert!(!glob("abc", "abcd"));
    }
}
