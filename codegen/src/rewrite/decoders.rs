//! How an answer is decoded: the success arm of each `send`
//! (`200u16 => { ResponseValue::from_response(response).await }`) goes through the support
//! module's `decode_json`, which moves the answer's headers instead of copying them, or, for an
//! operation that answers a secret, `decode_secret_json`, whose errors quote neither the body
//! nor a value. Error arms (`…from_response(response).await?`) are the
//! [`errors`](super::errors) rewrite's: the attempt loop answers error statuses before they
//! would be reached. A byte stream
//! (`ResponseValue::stream(response)`) is `body_stream`: the body the transport already read,
//! in one piece.

use std::collections::BTreeSet;

use super::{Context, Rewrite, call_to, ident_of};

/// The decoder swap.
pub struct Decoders<'s> {
    secret_operations: &'s BTreeSet<String>,
    /// Whether the current `send` has a success decoder or a byte stream.
    decoded: bool,
}

impl<'s> Decoders<'s> {
    /// The swap, with the operations whose answer holds a secret.
    pub fn new(secret_operations: &'s BTreeSet<String>) -> Self {
        Decoders {
            secret_operations,
            decoded: false,
        }
    }
}

const NAME: &str = "decoders";

impl Rewrite for Decoders<'_> {
    fn expr(&mut self, cx: &mut Context, expr: &mut syn::Expr) {
        let Some(args) = call_to(expr, &["ResponseValue", "stream"]) else {
            return;
        };
        let Some(response) = args.first().filter(|_| args.len() == 1).and_then(ident_of) else {
            cx.unexpected(NAME, "`ResponseValue::stream(response)`");
            return;
        };
        let support = crate::support();
        *expr = syn::parse_quote!(#support::body_stream(#response));
        self.decoded = true;
    }

    fn arm(&mut self, cx: &mut Context, arm: &mut syn::Arm) {
        let Some(operation) = cx.operation.as_ref() else {
            return;
        };
        let body = match arm.body.as_mut() {
            syn::Expr::Block(block) if block.block.stmts.len() == 1 => {
                match &mut block.block.stmts[0] {
                    syn::Stmt::Expr(expr, None) => expr,
                    _ => return,
                }
            }
            body => body,
        };
        let syn::Expr::Await(awaited) = body else {
            return;
        };
        let Some(response) = call_to(&awaited.base, &["ResponseValue", "from_response"])
            .and_then(|args| args.first().filter(|_| args.len() == 1))
            .and_then(ident_of)
        else {
            return;
        };
        let support = crate::support();
        *body = if self.secret_operations.contains(operation) {
            syn::parse_quote!(#support::decode_secret_json(#response).await)
        } else {
            syn::parse_quote!(#support::decode_json(#response).await)
        };
        self.decoded = true;
    }

    fn method(&mut self, cx: &mut Context, _method: &mut syn::ImplItemFn) {
        let decoded = std::mem::take(&mut self.decoded);
        if let Some(operation) = &cx.operation
            && self.secret_operations.contains(operation)
            && !decoded
        {
            cx.unexpected(
                NAME,
                "a success arm `ResponseValue::from_response(response).await` or a `ResponseValue::stream(response)` for an operation answering a secret",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewritten(
        file: &mut syn::File,
        secret: &[&str],
    ) -> Result<(), Vec<super::super::Unexpected>> {
        let secret: BTreeSet<String> = secret.iter().map(|s| s.to_string()).collect();
        super::super::run(file, &mut [&mut Decoders::new(&secret)])
    }

    #[test]
    fn success_arms_use_kaas_decoders_and_error_arms_stay() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod builder {
                impl A { pub async fn send(self) { let info = OperationInfo { operation_id: "get_credentials" }; match s { 200u16 => { ResponseValue::from_response(response).await } 401u16 => { Err(Error::ErrorResponse(ResponseValue::from_response(response).await?)) } } } }
                impl B { pub async fn send(self) { let info = OperationInfo { operation_id: "list_clusters" }; match s { 200u16 => ResponseValue::from_response(response).await, } } }
                impl C { pub async fn send(self) { let info = OperationInfo { operation_id: "get_kubeconfig" }; match s { 200u16 => Ok(ResponseValue::stream(response)), } } }
            }
        };
        rewritten(&mut file, &["get_credentials"]).unwrap();
        let expected: syn::File = syn::parse_quote! {
            pub mod builder {
                impl A { pub async fn send(self) { let info = OperationInfo { operation_id: "get_credentials" }; match s { 200u16 => { crate::generated_support::decode_secret_json(response).await } 401u16 => { Err(Error::ErrorResponse(ResponseValue::from_response(response).await?)) } } } }
                impl B { pub async fn send(self) { let info = OperationInfo { operation_id: "list_clusters" }; match s { 200u16 => crate::generated_support::decode_json(response).await, } } }
                impl C { pub async fn send(self) { let info = OperationInfo { operation_id: "get_kubeconfig" }; match s { 200u16 => Ok(crate::generated_support::body_stream(response)), } } }
            }
        };
        assert_eq!(file, expected);
    }

    #[test]
    fn a_secret_answer_decoded_in_an_unknown_way_is_noticed() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod builder {
                impl A { pub async fn send(self) { let info = OperationInfo { operation_id: "get_credentials" }; match s { 200u16 => serde_json::from_slice(&bytes) } } }
            }
        };
        let problems = rewritten(&mut file, &["get_credentials"]).unwrap_err();
        assert_eq!(problems[0].rewrite, "decoders");
        assert_eq!(problems[0].operation.as_deref(), Some("get_credentials"));
    }
}
