//! The path probe of the hostile-input tests: any operation sent with any one of its path
//! parameters set to a given text, so a table over the operation inventory reaches every
//! path parameter of every operation, new ones included, without a hand-written call.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

/// `pub fn send_with_path_parameter(..)`: one match arm per operation and text path parameter
/// (an integer parameter cannot hold text and has no arm). The other path parameters get a
/// valid id; nothing else is set, since path parameters are checked before any other input.
pub fn path_probe(doc: &Value) -> TokenStream {
    let support = crate::support();
    let mut arms = Vec::new();
    for op in crate::spec_check::operations(doc) {
        let parameters = path_parameters(doc, &op);
        let operation = format_ident!("{}", op.id);
        for (probed, _) in parameters.iter().filter(|(_, text)| *text) {
            let setters = parameters.iter().map(|(name, text)| {
                let setter = format_ident!("{name}");
                let value = match (name == probed, text) {
                    (true, _) => quote!(value),
                    (false, true) => quote!(OTHER),
                    (false, false) => quote!(1),
                };
                quote!(.#setter(#value))
            });
            let id = op.id.as_str();
            arms.push(quote! {
                (#id, #probed) => {
                    let request = client.#operation() #(#setters)*;
                    Some(Box::pin(async move { request.send().await.map(|_| ()) }))
                }
            });
        }
    }
    quote! {
        /// Sends `operation` with its path parameter `parameter` set to `value`, every other path
        /// parameter to a valid id and nothing else; `None` when the operation has no text path
        /// parameter of that name.
        pub fn send_with_path_parameter<'a>(
            client: &'a super::Client,
            operation: &str,
            parameter: &str,
            value: &str,
        ) -> Option<::futures::future::BoxFuture<'a, #support::Result<()>>> {
            #[allow(dead_code, reason = "an operation with one path parameter needs no other")]
            const OTHER: &str = "0b2c2b6a-5f3e-4c1d-9a7e-1d2c3b4a5f6e";
            match (operation, parameter) {
                #(#arms)*
                _ => None,
            }
        }
    }
}

/// The operation's path parameters (those of its path item first), each with whether it holds
/// text (anything but an integer).
fn path_parameters(doc: &Value, op: &crate::spec_check::Op<'_>) -> Vec<(String, bool)> {
    let listed = op.path_item["parameters"]
        .as_array()
        .into_iter()
        .chain(op.operation["parameters"].as_array())
        .flatten();
    let mut out: Vec<(String, bool)> = Vec::new();
    for parameter in listed {
        let parameter = crate::spec_check::resolve(doc, parameter);
        if parameter["in"] != "path" {
            continue;
        }
        let Some(name) = parameter["name"].as_str() else {
            continue;
        };
        let schema = crate::spec_check::resolve(doc, &parameter["schema"]);
        let text = schema["type"] != "integer";
        match out.iter_mut().find(|(seen, _)| seen == name) {
            // An operation's own parameter overrides its path item's.
            Some(seen) => seen.1 = text,
            None => out.push((name.to_string(), text)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use quote::quote;

    #[test]
    fn one_arm_per_text_path_parameter() {
        let doc: serde_json::Value = serde_yaml_ng::from_str(
            r##"
paths:
  /stacks/{stack_id}/actions/{id}:
    parameters:
    - {$ref: '#/components/parameters/stack'}
    get:
      operationId: get_action
      parameters:
      - {name: id, in: path, required: true, schema: {type: integer}}
      - {name: verbose, in: query, schema: {type: boolean}}
  /things:
    get: {operationId: list_things}
components:
  parameters:
    stack: {name: stack_id, in: path, required: true, schema: {$ref: '#/components/schemas/Id'}}
  schemas:
    Id: {type: string, pattern: '^[a-z]+$'}
"##,
        )
        .unwrap();
        let expected = quote! {
            /// Sends `operation` with its path parameter `parameter` set to `value`, every other path
            /// parameter to a valid id and nothing else; `None` when the operation has no text path
            /// parameter of that name.
            pub fn send_with_path_parameter<'a>(
                client: &'a super::Client,
                operation: &str,
                parameter: &str,
                value: &str,
            ) -> Option<::futures::future::BoxFuture<'a, crate::generated_support::Result<()>>> {
                #[allow(dead_code, reason = "an operation with one path parameter needs no other")]
                const OTHER: &str = "0b2c2b6a-5f3e-4c1d-9a7e-1d2c3b4a5f6e";
                match (operation, parameter) {
                    ("get_action", "stack_id") => {
                        let request = client.get_action().stack_id(value).id(1);
                        Some(Box::pin(async move { request.send().await.map(|_| ()) }))
                    }
                    _ => None,
                }
            }
        };
        assert_eq!(super::path_probe(&doc).to_string(), expected.to_string());
    }
}
