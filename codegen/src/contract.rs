//! The body codecs of the contract tests: every operation's JSON bodies decoded into the
//! generated types and encoded back.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

/// `pub const BODIES: &[Bodies]`: for each operation, functions that decode a JSON value into
/// the generated request, success and error types and encode it back. The contract tests run
/// every fixture through them.
pub fn bodies(doc: &Value) -> TokenStream {
    let mut functions = Vec::new();
    let mut entries = Vec::new();
    for op in crate::spec_check::operations(doc) {
        let mut entry = |kind: &str, media: Option<&Value>| -> TokenStream {
            let name = media
                .and_then(|m| m.get("application/json"))
                .and_then(|m| m["schema"]["$ref"].as_str())
                .and_then(|r| r.rsplit('/').next());
            let Some(name) = name else {
                return quote!(None);
            };
            let function = format_ident!("{}_{kind}", op.id);
            let schema = format_ident!("{name}");
            functions.push(quote! {
                fn #function(value: ::serde_json::Value) -> ::serde_json::Result<::serde_json::Value> {
                    ::serde_json::from_value::<super::types::#schema>(value).and_then(|typed| ::serde_json::to_value(typed))
                }
            });
            quote!(Some((#name, #function)))
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
        let id = op.id.as_str();
        entries.push(quote! {
            Bodies { operation: #id, request: #request, response: #success, error: #error }
        });
    }
    quote! {
        /// Decodes a JSON value into a generated type and encodes it back.
        pub type Codec = fn(::serde_json::Value) -> ::serde_json::Result<::serde_json::Value>;

        /// One operation's JSON bodies: the schema name and its codec.
        #[derive(Clone, Copy)]
        pub struct Bodies {
            /// The operationId.
            pub operation: &'static str,
            /// The request body.
            pub request: Option<(&'static str, Codec)>,
            /// The success body.
            pub response: Option<(&'static str, Codec)>,
            /// The error body.
            pub error: Option<(&'static str, Codec)>,
        }

        /// The JSON bodies of every operation, as generated types.
        pub const BODIES: &[Bodies] = &[#(#entries),*];

        #(#functions)*
    }
}

#[cfg(test)]
mod tests {
    use quote::quote;

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
        let expected = quote! {
            /// Decodes a JSON value into a generated type and encodes it back.
            pub type Codec = fn(::serde_json::Value) -> ::serde_json::Result<::serde_json::Value>;

            /// One operation's JSON bodies: the schema name and its codec.
            #[derive(Clone, Copy)]
            pub struct Bodies {
                /// The operationId.
                pub operation: &'static str,
                /// The request body.
                pub request: Option<(&'static str, Codec)>,
                /// The success body.
                pub response: Option<(&'static str, Codec)>,
                /// The error body.
                pub error: Option<(&'static str, Codec)>,
            }

            /// The JSON bodies of every operation, as generated types.
            pub const BODIES: &[Bodies] = &[
                Bodies { operation: "make", request: Some(("New", make_request)), response: Some(("Made", make_response)), error: Some(("Problem", make_error)) },
                Bodies { operation: "file", request: None, response: None, error: None }
            ];

            fn make_request(value: ::serde_json::Value) -> ::serde_json::Result<::serde_json::Value> {
                ::serde_json::from_value::<super::types::New>(value).and_then(|typed| ::serde_json::to_value(typed))
            }
            fn make_response(value: ::serde_json::Value) -> ::serde_json::Result<::serde_json::Value> {
                ::serde_json::from_value::<super::types::Made>(value).and_then(|typed| ::serde_json::to_value(typed))
            }
            fn make_error(value: ::serde_json::Value) -> ::serde_json::Result<::serde_json::Value> {
                ::serde_json::from_value::<super::types::Problem>(value).and_then(|typed| ::serde_json::to_value(typed))
            }
        };
        assert_eq!(super::bodies(&doc).to_string(), expected.to_string());
    }
}
