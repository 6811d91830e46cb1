//! Every operation's `send()` returns `kaas::Result<T>` with `T` the typed body, and
//! `send_with_response()` returns `kaas::Result<kaas::Response<T>>` (status, headers and
//! body). progenitor's own `send` stays, private, as `send_progenitor`, without the
//! `api-version` header progenitor adds (no provider reads it). A non-JSON success body
//! (progenitor's `ByteStream`) comes back as `bytes::Bytes`, read whole.

use super::{Context, Rewrite};

/// The `send` signatures.
pub struct Sends;

const NAME: &str = "send";

impl Rewrite for Sends {
    fn item_impl(&mut self, cx: &mut Context, implementation: &mut syn::ItemImpl) {
        if !cx.in_module("builder") {
            return;
        }
        let support = crate::support();
        let mut added: Vec<syn::ImplItem> = Vec::new();
        for impl_item in &mut implementation.items {
            let syn::ImplItem::Fn(function) = impl_item else {
                continue;
            };
            if function.sig.ident != "send" || function.sig.asyncness.is_none() {
                continue;
            }
            let Some(body_type) = success_type(&function.sig.output) else {
                cx.unexpected(NAME, "`send` to return `Result<ResponseValue<T>, ..>`");
                continue;
            };
            let docs: Vec<syn::Attribute> = function
                .attrs
                .iter()
                .filter(|a| a.path().is_ident("doc"))
                .cloned()
                .collect();
            function.sig.ident = syn::Ident::new("send_progenitor", function.sig.ident.span());
            function.vis = syn::Visibility::Inherited;
            function.attrs.retain(|a| !a.path().is_ident("doc"));
            function
                .block
                .stmts
                .retain(|statement| !adds_api_version(statement));
            function.attrs.push(syn::parse_quote!(#[allow(unused_mut)]));
            let is_stream = matches!(&body_type, syn::Type::Path(p)
                    if p.path.segments.last().is_some_and(|s| s.ident == "ByteStream"));
            // `send` keeps the body alone: a typed body is taken without copying the headers.
            let (body, finish, send) = if is_stream {
                (
                    quote::quote!(::bytes::Bytes),
                    quote::quote!(#support::finish_bytes(self.send_progenitor().await).await),
                    quote::quote!(self.send_with_response().await.map(#support::Response::into_body)),
                )
            } else {
                (
                    quote::quote!(#body_type),
                    quote::quote!(#support::finish(self.send_progenitor().await)),
                    quote::quote!(#support::finish_body(self.send_progenitor().await)),
                )
            };
            added.push(syn::parse_quote! {
                #(#docs)*
                ///
                /// Returns the typed body; [`send_with_response`](Self::send_with_response)
                /// also gives the status and headers.
                pub async fn send(self) -> #support::Result<#body> {
                    #send
                }
            });
            added.push(syn::parse_quote! {
                /// Sends the request, like [`send`](Self::send); the answer's status and
                /// headers come with the typed body.
                pub async fn send_with_response(self) -> #support::Result<#support::Response<#body>> {
                    #finish
                }
            });
        }
        implementation.items.extend(added);
    }
}

/// Whether `statement` is `header_map.append(HeaderName::from_static("api-version"), ..);`.
fn adds_api_version(statement: &syn::Stmt) -> bool {
    let syn::Stmt::Expr(syn::Expr::MethodCall(call), _) = statement else {
        return false;
    };
    call.method == "append"
        && call.args.first().is_some_and(|name| {
            let syn::Expr::Call(name) = name else {
                return false;
            };
            let from_static = matches!(name.func.as_ref(), syn::Expr::Path(f)
                if f.path.segments.last().is_some_and(|s| s.ident == "from_static"));
            from_static
                && name.args.len() == 1
                && name.args.first().and_then(super::string_literal).as_deref()
                    == Some("api-version")
        })
}

/// `T` of `Result<ResponseValue<T>, Error<E>>` (progenitor's) or `Result<ResponseValue<T>>`
/// (after the [`errors`](super::errors) rewrite).
fn success_type(output: &syn::ReturnType) -> Option<syn::Type> {
    let syn::ReturnType::Type(_, ty) = output else {
        return None;
    };
    let syn::Type::Path(result) = ty.as_ref() else {
        return None;
    };
    let last = result.path.segments.last()?;
    if last.ident != "Result" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    let Some(syn::GenericArgument::Type(syn::Type::Path(value))) = args.args.first() else {
        return None;
    };
    let value = value.path.segments.last()?;
    if value.ident != "ResponseValue" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(inner) = &value.arguments else {
        return None;
    };
    match inner.args.first() {
        Some(syn::GenericArgument::Type(body)) => Some(body.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn send_returns_the_typed_body_and_send_with_response_the_rest() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod builder {
                impl<'a> GetThing<'a> {
                    pub fn id(self) -> Self { self }
                    ///Sends a `GET` request to `/things/{id}`
                    pub async fn send(self) -> Result<ResponseValue<types::Thing>, Error<types::Error>> {
                        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
                        header_map.append(
                            ::reqwest::header::HeaderName::from_static("api-version"),
                            ::reqwest::header::HeaderValue::from_static(super::Client::api_version()),
                        );
                        let info = OperationInfo { operation_id: "get_thing" };
                        go()
                    }
                }
                impl<'a> GetFile<'a> {
                    pub async fn send(self) -> Result<ResponseValue<ByteStream>, Error<types::Error>> { let info = OperationInfo { operation_id: "get_file" }; go() }
                }
            }
        };
        super::super::run(&mut file, &mut [&mut Sends]).unwrap();
        let expected: syn::File = syn::parse_quote! {
            pub mod builder {
                impl<'a> GetThing<'a> {
                    pub fn id(self) -> Self { self }
                    #[allow(unused_mut)]
                    async fn send_progenitor(self) -> Result<ResponseValue<types::Thing>, Error<types::Error>> {
                        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
                        let info = OperationInfo { operation_id: "get_thing" };
                        go()
                    }
                    ///Sends a `GET` request to `/things/{id}`
                    ///
                    /// Returns the typed body; [`send_with_response`](Self::send_with_response)
                    /// also gives the status and headers.
                    pub async fn send(self) -> crate::generated_support::Result<types::Thing> {
                        crate::generated_support::finish_body(self.send_progenitor().await)
                    }
                    /// Sends the request, like [`send`](Self::send); the answer's status and
                    /// headers come with the typed body.
                    pub async fn send_with_response(self) -> crate::generated_support::Result<crate::generated_support::Response<types::Thing>> {
                        crate::generated_support::finish(self.send_progenitor().await)
                    }
                }
                impl<'a> GetFile<'a> {
                    #[allow(unused_mut)]
                    async fn send_progenitor(self) -> Result<ResponseValue<ByteStream>, Error<types::Error>> { let info = OperationInfo { operation_id: "get_file" }; go() }
                    ///
                    /// Returns the typed body; [`send_with_response`](Self::send_with_response)
                    /// also gives the status and headers.
                    pub async fn send(self) -> crate::generated_support::Result<::bytes::Bytes> {
                        self.send_with_response().await.map(crate::generated_support::Response::into_body)
                    }
                    /// Sends the request, like [`send`](Self::send); the answer's status and
                    /// headers come with the typed body.
                    pub async fn send_with_response(self) -> crate::generated_support::Result<crate::generated_support::Response<::bytes::Bytes>> {
                        crate::generated_support::finish_bytes(self.send_progenitor().await).await
                    }
                }
            }
        };
        assert_eq!(
            prettyplease::unparse(&file),
            prettyplease::unparse(&expected)
        );
    }

    #[test]
    fn an_unexpected_send_signature_is_noticed() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod builder { impl<'a> GetThing<'a> { pub async fn send(self) -> u8 { let info = OperationInfo { operation_id: "get_thing" }; 0 } } }
        };
        let problems = super::super::run(&mut file, &mut [&mut Sends]).unwrap_err();
        assert!(problems.iter().any(|p| p.rewrite == "send"), "{problems:?}");
    }
}
