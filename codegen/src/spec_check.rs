//! Checks a spec against the rules of `specs/README.md` before progenitor sees it.

use serde_json::{Map, Value};
use std::collections::{BTreeSet, HashSet};

/// The generator's one `$ref` resolver, under the name the other passes use.
pub use crate::refs::follow as resolve;

/// HTTP methods an OpenAPI path item may hold, in the order the inventory lists them.
pub const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// One operation of the spec.
pub struct Op<'a> {
    pub id: String,
    pub method: &'static str,
    pub path: &'a str,
    pub operation: &'a Value,
    pub path_item: &'a Value,
}

/// Every operation, in the order of the file.
pub fn operations(doc: &Value) -> Vec<Op<'_>> {
    let mut ops = Vec::new();
    let Some(paths) = doc["paths"].as_object() else {
        return ops;
    };
    for (path, item) in paths {
        for method in METHODS {
            if let Some(operation) = item.get(*method) {
                let id = operation["operationId"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                ops.push(Op {
                    id,
                    method,
                    path,
                    operation,
                    path_item: item,
                });
            }
        }
    }
    ops
}

/// Whether sending the operation twice has the effect of sending it once, so the transport
/// may retry it: GET, HEAD, PUT, DELETE and OPTIONS are, POST and PATCH are not, and the
/// operation's `x-idempotent: true|false` overrides both (a POST that only reads, a PUT
/// that creates a record or starts an operation).
pub fn is_idempotent(op: &Op<'_>) -> bool {
    match op.operation.get("x-idempotent").and_then(Value::as_bool) {
        Some(declared) => declared,
        None => matches!(op.method, "get" | "head" | "put" | "delete" | "options"),
    }
}

/// Every rule broken by the spec, each naming the operation (or schema) and the fix.
pub fn check(doc: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let version = doc["openapi"].as_str().unwrap_or_default();
    if !version.starts_with("3.0.") {
        problems.push(format!(
            "`openapi: {version}` is not supported; fix: write `openapi: 3.0.3` (progenitor reads OpenAPI 3.0 only)"
        ));
    }
    if doc["paths"].as_object().is_none_or(Map::is_empty) {
        problems.push("the spec has no `paths`; fix: describe at least one operation".into());
    }
    let mut seen_ids = HashSet::new();
    for op in operations(doc) {
        let at = format!("{} {}", op.method.to_uppercase(), op.path);
        if op.id.is_empty() {
            problems.push(format!(
                "{at}: no operationId; fix: add a unique snake_case `operationId`"
            ));
            continue;
        }
        let name = format!("operation `{}` ({at})", op.id);
        if !is_snake_case(&op.id) {
            problems.push(format!(
                "{name}: operationId is not snake_case; fix: rename it to `{}`",
                to_snake_case(&op.id)
            ));
        }
        if !seen_ids.insert(op.id.clone()) {
            problems.push(format!(
                "{name}: operationId used twice; fix: give each operation its own id"
            ));
        }
        if op.operation["tags"].as_array().is_none_or(Vec::is_empty) {
            problems.push(format!("{name}: no tag; fix: add one `tags` entry"));
        }
        if op.operation["summary"].as_str().is_none_or(str::is_empty) {
            problems.push(format!("{name}: no summary; fix: add a one-line `summary`"));
        }
        check_parameters(doc, op.path_item, &name, &mut problems);
        check_parameters(doc, op.operation, &name, &mut problems);
        check_request_body(doc, op.operation, &name, &mut problems);
        check_responses(doc, op.operation, &name, &mut problems);
    }
    check_refs(doc, doc, "", &mut problems);
    for name in doc["components"]["schemas"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, _)| name)
    {
        let consecutive_capitals = name
            .as_bytes()
            .windows(2)
            .any(|w| w[0].is_ascii_uppercase() && w[1].is_ascii_uppercase());
        if !super::enums::is_pascal_case(name) || consecutive_capitals {
            problems.push(format!(
                "schema `{name}`: not a PascalCase name as the generated Rust type will spell it; fix: rename it (e.g. `HTTPError` to `HttpError`)"
            ));
        }
    }
    check_extensible_enums(doc, &mut problems);
    problems
}

fn check_parameters(doc: &Value, holder: &Value, name: &str, problems: &mut Vec<String>) {
    for param in holder["parameters"].as_array().into_iter().flatten() {
        let param = resolve(doc, param);
        let pname = param["name"].as_str().unwrap_or("?");
        match param["in"].as_str() {
            Some("cookie") => problems.push(format!(
                "{name}: cookie parameter `{pname}`; fix: progenitor cannot send cookies, describe it in the operation's description instead"
            )),
            Some("header") if param["schema"]["nullable"] == Value::Bool(true) => problems.push(format!(
                "{name}: header parameter `{pname}` is nullable; fix: remove `nullable` (make it optional instead)"
            )),
            Some("path") if param["required"] != Value::Bool(true) => problems.push(format!(
                "{name}: path parameter `{pname}` is not required; fix: add `required: true`"
            )),
            _ => {}
        }
        if param.get("schema").is_none() {
            problems.push(format!("{name}: parameter `{pname}` has no schema; fix: add `schema: {{type: string}}` (or its type)"));
        }
    }
}

fn check_request_body(doc: &Value, operation: &Value, name: &str, problems: &mut Vec<String>) {
    let Some(body) = operation.get("requestBody") else {
        return;
    };
    let body = resolve(doc, body);
    let content = body["content"].as_object();
    if content.is_none_or(|c| c.len() != 1) {
        problems.push(format!("{name}: the request body must have exactly one media type; fix: keep `application/json` only"));
        return;
    }
    for (media, media_value) in content.into_iter().flatten() {
        check_media(
            media,
            media_value,
            &format!("{name} request body"),
            true,
            problems,
        );
    }
}

fn check_media(
    media: &str,
    media_value: &Value,
    at: &str,
    needs_named: bool,
    problems: &mut Vec<String>,
) {
    if media_value.get("encoding").is_some() {
        problems.push(format!(
            "{at}: `encoding` on `{media}`; fix: remove it (progenitor does not support encodings)"
        ));
    }
    let Some(schema) = media_value.get("schema") else {
        problems.push(format!("{at}: `{media}` has no schema; fix: add a `schema` ($ref to a named schema, or `type: string` for non-JSON)"));
        return;
    };
    if needs_named && media.contains("json") && schema.get("$ref").is_none() {
        problems.push(format!(
            "{at}: `{media}` schema is inline; fix: move it to `components/schemas/<PascalCaseName>` and use `$ref` (rule 3)"
        ));
    }
}

/// What a response carries, for the one-type-per-kind rule.
fn body_kind(doc: &Value, response: &Value) -> String {
    let response = resolve(doc, response);
    match response["content"].as_object() {
        None => "no body".into(),
        Some(content) if content.is_empty() => "no body".into(),
        Some(content) => content
            .iter()
            .map(|(media, m)| match m["schema"]["$ref"].as_str() {
                Some(r) => format!("{media} {r}"),
                None => format!("{media} {}", m["schema"]),
            })
            .collect::<Vec<_>>()
            .join(", "),
    }
}

fn check_responses(doc: &Value, operation: &Value, name: &str, problems: &mut Vec<String>) {
    let Some(responses) = operation["responses"].as_object() else {
        problems.push(format!(
            "{name}: no responses; fix: list the success and error responses"
        ));
        return;
    };
    let mut success = BTreeSet::new();
    let mut errors = BTreeSet::new();
    for (status, response) in responses {
        if status == "default" {
            problems.push(format!(
                "{name}: a `default` response; fix: write it as `4XX` and `5XX` (rule 5)"
            ));
            continue;
        }
        let resolved = resolve(doc, response);
        for (media, media_value) in resolved["content"].as_object().into_iter().flatten() {
            let is_success = status.starts_with('2');
            check_media(
                media,
                media_value,
                &format!("{name} response {status}"),
                is_success,
                problems,
            );
        }
        if status.starts_with('2') {
            success.insert(body_kind(doc, response));
        } else if status.starts_with('4') || status.starts_with('5') {
            errors.insert(body_kind(doc, response));
        }
    }
    if success.len() > 1 {
        problems.push(format!(
            "{name}: its 2xx responses carry different bodies ({}); fix: give every success response the same body (rule 4)",
            success.into_iter().collect::<Vec<_>>().join(" / ")
        ));
    }
    if errors.len() > 1 {
        problems.push(format!(
            "{name}: its error responses carry different bodies ({}); fix: use the provider's one error response everywhere (rule 5)",
            errors.into_iter().collect::<Vec<_>>().join(" / ")
        ));
    }
}

/// Every `$ref` must lead to something that exists, without coming back to itself.
fn check_refs(doc: &Value, node: &Value, at: &str, problems: &mut Vec<String>) {
    match node {
        Value::Object(map) => {
            if map.contains_key("$ref")
                && let Err(error) = crate::refs::resolve(doc, node)
            {
                let fix = match error {
                    crate::refs::RefError::Cycle { .. } => {
                        "point one of them at a definition instead of another `$ref`"
                    }
                    _ => "define it or correct the name",
                };
                problems.push(format!("{at}: {error}; fix: {fix}"));
            }
            for (key, value) in map {
                check_refs(doc, value, &format!("{at}/{key}"), problems);
            }
        }
        Value::Array(items) => {
            for (i, value) in items.iter().enumerate() {
                check_refs(doc, value, &format!("{at}/{i}"), problems);
            }
        }
        _ => {}
    }
}

fn check_extensible_enums(doc: &Value, problems: &mut Vec<String>) {
    for (name, schema) in crate::enums::extensible_schemas(doc) {
        let at = format!("schema `{name}`");
        let Some(values) = schema["enum"].as_array().filter(|v| !v.is_empty()) else {
            problems.push(format!(
                "{at}: `x-extensible-enum` without `enum` values; fix: list the known values"
            ));
            continue;
        };
        match schema["type"].as_str() {
            Some("string") if values.iter().all(Value::is_string) => {}
            Some("integer") if values.iter().all(Value::is_i64) => {
                // A list of the wrong length is reported below, with the names' other faults.
                if schema["x-enum-varnames"].as_array().is_none() {
                    problems.push(format!(
                        "{at}: integer enum without `x-enum-varnames`; fix: give one PascalCase name per value, in order (rule 6)"
                    ));
                }
            }
            _ => problems.push(format!(
                "{at}: an extensible enum must be `type: string` with string values or `type: integer` with integer values"
            )),
        }
        if let Some(names) = schema["x-enum-varnames"].as_array()
            && (names.len() != values.len()
                || !names
                    .iter()
                    .all(|n| n.as_str().is_some_and(super::enums::is_pascal_case)))
        {
            problems.push(format!(
                "{at}: `x-enum-varnames` must be PascalCase names, one per value; fix: correct the list"
            ));
        }
    }
}

fn is_snake_case(id: &str) -> bool {
    id.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !id.contains("__")
        && !id.ends_with('_')
}

fn to_snake_case(id: &str) -> String {
    let mut out = String::new();
    for (i, c) in id.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 && !out.ends_with('_') {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_matches('_').to_string()
}

/// Rule 8: a default on an optional property or parameter is the server's business. It moves
/// into the description, so the generated builders send only what the caller set.
pub fn document_property_defaults(doc: &mut Value) {
    if let Some(schemas) = doc.pointer_mut("/components/schemas") {
        walk_schemas(schemas);
    }
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for item in paths.values_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (key, holder) in item.iter_mut() {
            let params = if key == "parameters" {
                Some(holder)
            } else {
                holder.get_mut("parameters")
            };
            for param in params.and_then(Value::as_array_mut).into_iter().flatten() {
                if param["required"] != Value::Bool(true)
                    && let Some(schema) = param.get_mut("schema")
                {
                    move_default_to_description(schema);
                }
            }
        }
    }
}

/// The names a schema object lists in `required`.
pub fn required_names(schema: &Map<String, Value>) -> BTreeSet<String> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| {
            r.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

fn walk_schemas(node: &mut Value) {
    match node {
        Value::Object(map) => {
            let required = required_names(map);
            if let Some(Value::Object(props)) = map.get_mut("properties") {
                for (prop, schema) in props.iter_mut() {
                    if !required.contains(prop) {
                        move_default_to_description(schema);
                    }
                }
            }
            for value in map.values_mut() {
                walk_schemas(value);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(walk_schemas),
        _ => {}
    }
}

fn move_default_to_description(schema: &mut Value) {
    let Some(map) = schema.as_object_mut() else {
        return;
    };
    let Some(default) = map.remove("default") else {
        return;
    };
    let note = format!("Server default: `{default}`.");
    let description = match map.get("description").and_then(Value::as_str) {
        Some(d) if !d.is_empty() => format!("{}\n\n{note}", d.trim_end()),
        _ => note,
    };
    map.insert("description".into(), Value::String(description));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal valid spec with one operation, to which each test adds one mistake.
    fn spec(operation: &str, components: &str) -> Value {
        let yaml = format!(
            "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths:\n  /things/{{id}}:\n    get:\n{operation}\ncomponents:\n  schemas:\n    Thing: {{type: object}}\n{components}"
        );
        serde_yaml_ng::from_str(&yaml).unwrap()
    }

    const GOOD: &str = "      operationId: get_thing\n      tags: [things]\n      summary: Get a thing\n      parameters:\n      - {name: id, in: path, required: true, schema: {type: string}}\n      responses:\n        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}}";

    fn problems_of(operation: &str, components: &str) -> Vec<String> {
        check(&spec(operation, components))
    }

    #[test]
    fn a_spec_that_follows_the_rules_passes() {
        assert_eq!(problems_of(GOOD, ""), Vec::<String>::new());
    }

    #[test]
    fn each_rule_names_the_operation_and_the_fix() {
        let cases = [
            (
                GOOD.replace("operationId: get_thing", "operationId: getThing"),
                "rename it to `get_thing`",
            ),
            (
                GOOD.replace("      operationId: get_thing\n", ""),
                "no operationId",
            ),
            (GOOD.replace("tags: [things]", "tags: []"), "no tag"),
            (
                GOOD.replace("summary: Get a thing", "summary: ''"),
                "no summary",
            ),
            (GOOD.replace("required: true, ", ""), "add `required: true`"),
            (
                GOOD.replace("in: path, required: true", "in: cookie, required: true"),
                "cookie parameter",
            ),
            (
                GOOD.replace("'200'", "default"),
                "write it as `4XX` and `5XX`",
            ),
            (
                GOOD.replace("{$ref: '#/components/schemas/Thing'}", "{type: object}"),
                "move it to `components/schemas",
            ),
            (
                GOOD.replace("schemas/Thing'", "schemas/Nothing'"),
                "points at nothing",
            ),
            (
                format!(
                    "{GOOD}\n        '201': {{description: ok, content: {{application/json: {{schema: {{type: string}}}}}}}}"
                ),
                "same body (rule 4)",
            ),
        ];
        for (operation, expected) in cases {
            let problems = problems_of(&operation, "");
            assert!(
                problems.iter().any(|p| p.contains(expected)),
                "expected a problem containing {expected:?}, got {problems:?}"
            );
        }
    }

    #[test]
    fn a_ref_cycle_is_refused_with_its_loop() {
        let problems = problems_of(
            &GOOD.replace("schemas/Thing'", "schemas/Loop'"),
            "    Loop: {$ref: '#/components/schemas/Pool'}\n    Pool: {$ref: '#/components/schemas/Loop'}\n",
        );
        assert!(
            problems.iter().any(|p| p.contains("/get/responses/200/")
                && p.contains("#/components/schemas/Loop → #/components/schemas/Pool → #/components/schemas/Loop")
                && p.contains("fix: point one of them at a definition")),
            "{problems:?}"
        );
    }

    #[test]
    fn schema_names_and_open_enums_are_checked() {
        let problems = problems_of(GOOD, "    HTTPError: {type: object}\n");
        assert!(
            problems
                .iter()
                .any(|p| p.contains("`HTTPError` to `HttpError`")),
            "{problems:?}"
        );
        let problems = problems_of(GOOD, "    State: {type: string, x-extensible-enum: true}\n");
        assert!(
            problems.iter().any(|p| p.contains("without `enum` values")),
            "{problems:?}"
        );
        let problems = problems_of(
            GOOD,
            "    Health: {type: integer, enum: [0, 1], x-extensible-enum: true}\n",
        );
        assert!(
            problems.iter().any(|p| p.contains("x-enum-varnames")),
            "{problems:?}"
        );
        let problems = problems_of(
            GOOD,
            "    Health: {type: integer, enum: [0, 1], x-enum-varnames: [Zero], x-extensible-enum: true}\n",
        );
        assert_eq!(
            problems
                .iter()
                .filter(|p| p.contains("x-enum-varnames"))
                .count(),
            1,
            "one problem for one wrong list: {problems:?}"
        );
    }

    #[test]
    fn a_wrong_openapi_version_is_refused() {
        let mut doc = spec(GOOD, "");
        doc["openapi"] = Value::String("3.1.0".into());
        assert!(check(&doc).iter().any(|p| p.contains("openapi: 3.0.3")));
    }

    #[test]
    fn idempotence_is_the_method_unless_the_spec_says_otherwise() {
        let doc: Value = serde_yaml_ng::from_str(
            "paths:\n  /a:\n    get: {operationId: a}\n    post: {operationId: b}\n    put: {operationId: c, x-idempotent: false}\n  /b:\n    post: {operationId: d, x-idempotent: true}\n    delete: {operationId: e}\n",
        )
        .unwrap();
        let verdicts: Vec<(String, bool)> = operations(&doc)
            .iter()
            .map(|op| (op.id.clone(), is_idempotent(op)))
            .collect();
        assert_eq!(
            verdicts,
            [
                ("a", true),
                ("c", false),
                ("b", false),
                ("d", true),
                ("e", true)
            ]
            .map(|(id, v)| (id.to_string(), v))
        );
    }

    #[test]
    fn defaults_of_optional_properties_become_documentation() {
        let mut doc: Value = serde_yaml_ng::from_str(
            "components:\n  schemas:\n    Pool:\n      type: object\n      required: [count]\n      properties:\n        count: {type: integer, default: 3}\n        auto_scale: {type: boolean, default: false, description: Scale.}\n",
        )
        .unwrap();
        document_property_defaults(&mut doc);
        let props = &doc["components"]["schemas"]["Pool"]["properties"];
        assert_eq!(
            props["count"]["default"], 3,
            "a required property keeps its default"
        );
        assert!(props["auto_scale"].get("default").is_none());
        assert_eq!(
            props["auto_scale"]["description"],
            "Scale.\n\nServer default: `false`."
        );
    }
}
