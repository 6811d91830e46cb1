//! Rewrites of the code progenitor generates, applied to its tokens before formatting.

use proc_macro2::TokenStream;
use std::collections::BTreeSet;

/// The generated client, changed so that:
/// - path parameters are encoded by `crate::transport::encode_path` (which also encodes
///   `\` and dot segments; the transport's `pre` hook refuses empty, `.` and `..` segments);
/// - the success body of an operation that answers a secret is decoded by
///   `crate::transport::decode_secret_json`, whose errors quote neither the body nor a value.
pub fn client(tokens: TokenStream, secret_operations: &BTreeSet<String>) -> TokenStream {
    let code = tokens.to_string();
    let import = "use progenitor_client :: { encode_path ,";
    assert!(
        code.contains(import),
        "progenitor no longer imports encode_path as kaas expects; update build.rs"
    );
    let code = code.replacen(
        import,
        "use crate :: transport :: encode_path ; use progenitor_client :: {",
        1,
    );
    let mut out = String::with_capacity(code.len());
    let marker = "pub async fn send";
    let mut pieces = code.split(marker);
    out.push_str(pieces.next().unwrap_or_default());
    for piece in pieces {
        out.push_str(marker);
        let operation = piece
            .split("operation_id : \"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_default();
        if secret_operations.contains(operation) {
            // The success arm; error arms end in `. await ?`.
            let success = "{ ResponseValue :: from_response (response) . await }";
            assert!(
                piece.contains(success) || piece.contains("ResponseValue :: stream"),
                "progenitor decodes `{operation}` in a way kaas does not recognise; update build.rs"
            );
            out.push_str(&piece.replace(
                success,
                "{ crate :: transport :: decode_secret_json (response) . await }",
            ));
        } else {
            out.push_str(piece);
        }
    }
    out.parse()
        .expect("the rewritten client is the generated client with paths renamed")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_use_kaas_encoding_and_secret_answers_its_decoder() {
        let tokens = quote::quote! {
            use progenitor_client::{encode_path, ClientHooks};
            impl A { pub async fn send(self) { let info = OperationInfo { operation_id: "get_credentials" }; match s { 200u16 => { ResponseValue::from_response(response).await } 401u16 => { Err(Error::ErrorResponse(ResponseValue::from_response(response).await?)) } } } }
            impl B { pub async fn send(self) { let info = OperationInfo { operation_id: "list_clusters" }; match s { 200u16 => { ResponseValue::from_response(response).await } } } }
        };
        let secret: BTreeSet<String> = ["get_credentials".to_string()].into();
        let code = client(tokens, &secret).to_string();
        assert!(
            code.contains("use crate :: transport :: encode_path ;"),
            "{code}"
        );
        assert!(!code.contains("{ encode_path"), "{code}");
        let (a, b) = code.split_at(code.find("impl B").unwrap());
        assert!(
            a.contains("crate :: transport :: decode_secret_json (response)"),
            "{a}"
        );
        assert!(
            a.contains("ResponseValue :: from_response (response) . await ?"),
            "error arms are unchanged: {a}"
        );
        assert!(!b.contains("decode_secret_json"), "{b}");
    }

    #[test]
    #[should_panic(expected = "encode_path")]
    fn a_changed_progenitor_output_is_noticed() {
        client(quote::quote! { fn main() {} }, &BTreeSet::new());
    }
}
