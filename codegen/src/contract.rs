//! The body codecs of the contract tests: every operation's JSON bodies decoded into the
//! generated types and encoded back.

use std::fmt::Write as _;

use serde_json::Value;

/// `pub const BODIES: &[Bodies]`: for each operation, functions that decode a JSON value into
/// the generated request, success and error types and encode it back. The contract tests run
/// every fixture through them.
pub fn bodies(doc: &Value) -> String {
    let mut functions = String::new();
    let mut table = String::from(
        "/// The JSON bodies of every operation, as generated types.\npub const BODIES: &[Bodies] = &[\n",
    );
    for op in crate::spec_check::operations(doc) {
        let mut entry = |kind: &str, media: Option<&Value>| -> String {
            let name = media
                .and_then(|m| m.get("application/json"))
                .and_then(|m| m["schema"]["$ref"].as_str())
                .and_then(|r| r.rsplit('/').next());
            match name {
                Some(name) => {
                    let function = format!("{}_{kind}", op.id);
                    let _ = writeln!(
                        functions,
                        "fn {function}(value: ::serde_json::Value) -> ::serde_json::Result<::serde_json::Value> {{\n    ::serde_json::from_value::<super::types::{name}>(value).and_then(|typed| ::serde_json::to_value(typed))\n}}"
                    );
                    format!("Some(({name:?}, {function}))")
                }
                None => "None".into(),
            }
        };
        let request = crate::spec_check::resolve(doc, &op.operation["requestBody"]);
        let request = entry("request", request.get("content"));
        let responses = op.operation["responses"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        let body_of = |prefix: char| {
            responses
                .iter()
                .find(|(status, _)| status.starts_with(prefix))
                .and_then(|(_, r)| crate::spec_check::resolve(doc, r).get("content").cloned())
        };
        let success = body_of('2');
        let success = entry("response", success.as_ref());
        let error = body_of('4').or_else(|| body_of('5'));
        let error = entry("error", error.as_ref());
        let _ = writeln!(
            table,
            "    Bodies {{ operation: {:?}, request: {request}, response: {success}, error: {error} }},",
            op.id
        );
    }
    table.push_str("];\n");
    format!(
        "/// Decodes a JSON value into a generated type and encodes it back.\npub type Codec = fn(::serde_json::Value) -> ::serde_json::Result<::serde_json::Value>;\n\n/// One operation's JSON bodies: the schema name and its codec.\n#[derive(Clone, Copy)]\npub struct Bodies {{\n    /// The operationId.\n    pub operation: &'static str,\n    /// The request body.\n    pub request: Option<(&'static str, Codec)>,\n    /// The success body.\n    pub response: Option<(&'static str, Codec)>,\n    /// The error body.\n    pub error: Option<(&'static str, Codec)>,\n}}\n\n{table}\n{functions}"
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn codecs_for_each_named_json_body() {
        let doc: serde_json::Value = serde_yaml_ng::from_str(
            r##"
paths:
  /a:
    post:
      operationId: make
      requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/New'}}}}
      responses:
        '201': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Made'}}}}
        '4XX': {description: no, content: {application/json: {schema: {$ref: '#/components/schemas/Problem'}}}}
  /b:
    get:
      operationId: file
      responses: {'200': {description: ok, content: {application/yaml: {schema: {type: string}}}}}
"##,
        )
        .unwrap();
        let code = super::bodies(&doc);
        assert!(code.contains(r#"Bodies { operation: "make", request: Some(("New", make_request)), response: Some(("Made", make_response)), error: Some(("Problem", make_error)) },"#), "{code}");
        assert!(
            code.contains(
                r#"Bodies { operation: "file", request: None, response: None, error: None },"#
            ),
            "{code}"
        );
        assert!(
            code.contains("::serde_json::from_value::<super::types::Made>"),
            "{code}"
        );
    }
}
