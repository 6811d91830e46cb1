//! Which operations answer a secret: their success bodies are never excerpted or quoted in an error.

use serde_json::Value;
use std::collections::BTreeSet;

/// The operationIds whose success body holds a credential: a schema marked `x-secret`
/// reachable from the 2xx body, or a non-JSON body (a kubeconfig file).
pub fn operations_answering_secrets(doc: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for op in super::spec_check::operations(doc) {
        let responses = op.operation["responses"].as_object();
        for (status, response) in responses.into_iter().flatten() {
            if !status.starts_with('2') {
                continue;
            }
            let response = crate::refs::follow(doc, response);
            let Some(content) = response["content"].as_object() else {
                continue;
            };
            let holds_secret = content.iter().any(|(media, body)| {
                media != "application/json"
                    || reaches_secret(doc, &body["schema"], &mut BTreeSet::new())
            });
            if holds_secret {
                out.insert(op.id.clone());
            }
        }
    }
    out
}

fn reaches_secret(doc: &Value, node: &Value, seen: &mut BTreeSet<String>) -> bool {
    match node {
        Value::Object(map) => {
            if map.get("x-secret") == Some(&Value::Bool(true)) {
                return true;
            }
            if let Some(target) = map.get("$ref").and_then(Value::as_str) {
                if !seen.insert(target.to_string()) {
                    return false;
                }
                let resolved = crate::refs::follow(doc, node);
                return reaches_secret(doc, resolved, seen);
            }
            map.iter()
                .filter(|(key, _)| !matches!(key.as_str(), "example" | "examples"))
                .any(|(_, value)| reaches_secret(doc, value, seen))
        }
        Value::Array(items) => items.iter().any(|v| reaches_secret(doc, v, seen)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_whose_answers_reach_a_secret_or_are_files() {
        let doc: Value = serde_yaml_ng::from_str(
            r##"
paths:
  /creds:
    get:
      operationId: get_credentials
      responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Credentials'}}}}}
  /kubeconfig:
    get:
      operationId: get_kubeconfig
      responses: {'200': {description: ok, content: {application/yaml: {schema: {type: string}}}}}
  /clusters:
    get:
      operationId: list_clusters
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Cluster'}}}}
        '401': {description: no, content: {application/json: {schema: {$ref: '#/components/schemas/Credentials'}}}}
components:
  schemas:
    Credentials:
      type: object
      properties:
        token: {allOf: [{$ref: '#/components/schemas/SecretText'}]}
    SecretText: {type: string, x-secret: true}
    Cluster:
      type: object
      properties:
        child: {$ref: '#/components/schemas/Cluster'}
"##,
        )
        .unwrap();
        let found: Vec<String> = operations_answering_secrets(&doc).into_iter().collect();
        assert_eq!(found, ["get_credentials", "get_kubeconfig"]);
    }
}
