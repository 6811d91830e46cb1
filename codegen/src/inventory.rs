//! The operation inventory: `OPERATIONS`, one `kaas::Operation` per operation of the spec.

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;

/// `pub const OPERATIONS: &[Operation]`, in the spec's order.
pub fn operations(doc: &Value) -> TokenStream {
    let support = crate::support();
    let entries = crate::spec_check::operations(doc).into_iter().map(|op| {
        let id = op.id.as_str();
        let method = op.method.to_uppercase();
        let path = op.path;
        let tag = op.operation["tags"][0].as_str().unwrap_or_default();
        let summary = op.operation["summary"].as_str().unwrap_or_default();
        let deprecated = op.operation["deprecated"].as_bool().unwrap_or(false);
        let idempotent = crate::spec_check::is_idempotent(&op);
        quote! {
            #support::Operation {
                id: #id,
                method: #method,
                path: #path,
                tag: #tag,
                summary: #summary,
                deprecated: #deprecated,
                idempotent: #idempotent,
            }
        }
    });
    quote! {
        /// Every operation of the spec, in the spec's order.
        pub const OPERATIONS: &[#support::Operation] = &[#(#entries),*];
    }
}

#[cfg(test)]
mod tests {
    use quote::quote;

    #[test]
    fn one_entry_per_operation_with_its_retry_verdict() {
        let doc: serde_json::Value = serde_yaml_ng::from_str(
            "paths:\n  /a:\n    post: {operationId: make, tags: [x], summary: Make one, x-idempotent: true}\n    get: {operationId: read, tags: [x], summary: Read, deprecated: true}\n",
        )
        .unwrap();
        // A POST is not retried, unless the spec says `x-idempotent: true`, as `make` does.
        let expected = quote! {
            /// Every operation of the spec, in the spec's order.
            pub const OPERATIONS: &[crate::generated_support::Operation] = &[
                crate::generated_support::Operation { id: "read", method: "GET", path: "/a", tag: "x", summary: "Read", deprecated: true, idempotent: true, },
                crate::generated_support::Operation { id: "make", method: "POST", path: "/a", tag: "x", summary: "Make one", deprecated: false, idempotent: true, }
            ];
        };
        assert_eq!(super::operations(&doc).to_string(), expected.to_string());
    }
}
