//! Request bodies keep "not set" apart from "set to empty".
//!
//! typify generates an optional list or map as a plain `Vec`/`HashMap` that is skipped when
//! empty, so `[]` could never be sent, while providers give it a meaning (DigitalOcean:
//! `taints: []` removes every taint, an omitted `taints` keeps them). Every optional list or
//! map property of a schema that a request body reaches is made `nullable` before generation,
//! which typify turns into `Option<..>`: `None` is not sent, `Some(vec![])` is sent as `[]`.

use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// Applies the rule to every schema reachable from a request body.
pub fn keep_empty_collections(doc: &mut Value) {
    let mut reachable = BTreeSet::new();
    let mut inline_bodies = Vec::new();
    for op in super::spec_check::operations(doc) {
        let body = crate::refs::follow(doc, &op.operation["requestBody"]);
        for media in body["content"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(_, m)| m)
        {
            collect_refs(doc, &media["schema"], &mut reachable);
        }
        if op.operation["requestBody"].get("$ref").is_none() && !body.is_null() {
            inline_bodies.push((op.path.to_string(), op.method));
        }
    }
    let snapshot = doc.clone();
    for name in &reachable {
        if let Some(schema) = doc.pointer_mut(&format!("/components/schemas/{name}")) {
            make_optional_collections_nullable(&snapshot, schema);
        }
    }
    for (path, method) in inline_bodies {
        let pointer = format!("/paths/{}/{method}/requestBody/content", escape(&path));
        if let Some(Value::Object(content)) = doc.pointer_mut(&pointer) {
            for media in content.values_mut() {
                if let Some(schema) = media.get_mut("schema") {
                    make_optional_collections_nullable(&snapshot, schema);
                }
            }
        }
    }
}

fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// The names of every component schema `node` reaches through `$ref`s.
fn collect_refs(doc: &Value, node: &Value, out: &mut BTreeSet<String>) {
    match node {
        Value::Object(map) => {
            if let Some(target) = map.get("$ref").and_then(Value::as_str) {
                if let Some(name) = target.strip_prefix("#/components/schemas/")
                    && out.insert(name.to_string())
                {
                    collect_refs(doc, crate::refs::follow(doc, node), out);
                }
                return;
            }
            map.iter()
                .filter(|(key, _)| !matches!(key.as_str(), "example" | "examples"))
                .for_each(|(_, value)| collect_refs(doc, value, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(doc, v, out)),
        _ => {}
    }
}

/// In one schema (and the inline objects nested in it), marks every optional property that
/// is a list or a map as `nullable`.
fn make_optional_collections_nullable(doc: &Value, schema: &mut Value) {
    let Some(map) = schema.as_object_mut() else {
        return;
    };
    let required = super::spec_check::required_names(map);
    if let Some(Value::Object(properties)) = map.get_mut("properties") {
        for (name, property) in properties.iter_mut() {
            if !required.contains(name) && is_collection(doc, property) {
                mark_nullable(property);
            }
            make_optional_collections_nullable(doc, property);
        }
    }
    for key in ["items", "additionalProperties"] {
        if let Some(inner) = map.get_mut(key) {
            make_optional_collections_nullable(doc, inner);
        }
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        if let Some(Value::Array(parts)) = map.get_mut(key) {
            parts
                .iter_mut()
                .for_each(|part| make_optional_collections_nullable(doc, part));
        }
    }
}

/// A list, or a map (an object with `additionalProperties` and no named properties).
fn is_collection(doc: &Value, schema: &Value) -> bool {
    let schema = crate::refs::follow(doc, schema);
    match schema["type"].as_str() {
        Some("array") => true,
        Some("object") | None => {
            schema.get("properties").is_none()
                && schema
                    .get("additionalProperties")
                    .is_some_and(|extra| extra != &Value::Bool(false))
        }
        _ => false,
    }
}

fn mark_nullable(property: &mut Value) {
    let Some(map) = property.as_object_mut() else {
        return;
    };
    if map.contains_key("$ref") {
        // A `$ref` ignores its siblings in OpenAPI 3.0: wrap it to say nullable.
        let reference = std::mem::take(map);
        let mut wrapper = Map::new();
        wrapper.insert("allOf".into(), Value::Array(vec![Value::Object(reference)]));
        wrapper.insert("nullable".into(), Value::Bool(true));
        *map = wrapper;
    } else {
        map.insert("nullable".into(), Value::Bool(true));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn optional_lists_and_maps_reached_from_request_bodies_become_nullable() {
        let mut doc: Value = serde_yaml_ng::from_str(
            r##"
paths:
  /pools:
    put:
      operationId: update_pool
      requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/PoolUpdate'}}}}
      responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Answer'}}}}}
components:
  schemas:
    PoolUpdate:
      type: object
      required: [name, node_ids]
      properties:
        name: {type: string}
        node_ids: {type: array, items: {type: string}}
        taints: {type: array, items: {$ref: '#/components/schemas/Taint'}}
        labels: {type: object, additionalProperties: {type: string}}
        tags: {$ref: '#/components/schemas/Tags'}
        options: {type: object, properties: {a: {type: string}}}
    Taint:
      type: object
      properties:
        values: {type: array, items: {type: string}}
    Tags: {type: array, items: {type: string}}
    Answer:
      type: object
      properties:
        items: {type: array, items: {type: string}}
"##,
        )
        .unwrap();
        keep_empty_collections(&mut doc);
        let props = &doc["components"]["schemas"]["PoolUpdate"]["properties"];
        assert_eq!(props["taints"]["nullable"], true);
        assert_eq!(props["labels"]["nullable"], true);
        assert_eq!(props["tags"]["nullable"], true, "a $ref is wrapped");
        assert_eq!(
            props["tags"]["allOf"][0]["$ref"],
            "#/components/schemas/Tags"
        );
        assert!(
            props["node_ids"].get("nullable").is_none(),
            "required: always sent"
        );
        assert!(props["name"].get("nullable").is_none(), "not a collection");
        assert!(
            props["options"].get("nullable").is_none(),
            "an object with properties is not a map"
        );
        assert_eq!(
            doc["components"]["schemas"]["Taint"]["properties"]["values"]["nullable"], true,
            "schemas reached through the body are changed too"
        );
        assert!(
            doc["components"]["schemas"]["Answer"]["properties"]["items"]
                .get("nullable")
                .is_none(),
            "response-only schemas are left alone"
        );
    }
}
