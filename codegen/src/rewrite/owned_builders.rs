//! A request builder can keep its client: progenitor's builders borrow it
//! (`client: &'a super::Client`), so a builder cannot outlive the call that made it, and a list
//! walk (a `'static` stream whose pages are tasks of their own) cannot keep the builder that
//! holds the caller's filters. The field becomes `client: Cow<'a, super::Client>`:
//!
//! - `new(client: &'a super::Client)` borrows, as before (`Cow::Borrowed`): making a builder
//!   costs no clone and no allocation, and the public type (`ListClusters<'a>`) is unchanged;
//! - `pub(crate) fn into_owned(self) -> ListClusters<'static>` moves the fields over to a
//!   builder that owns a clone of the client (a `String` and two `Arc`s);
//! - `pub(crate) fn client(&self) -> &super::Client` is the client the request goes to.
//!
//! `send` reads `client.baseurl`, `client.client` and `client.inner` through the `Cow`'s
//! `Deref`, unchanged. Both methods are crate-private (the facade's walks call them), so no
//! public item is added.

use super::{Context, Rewrite};

/// Builders that can own their client.
pub struct OwnedBuilders;

const NAME: &str = "owned_builders";

const FIELD: &str = "a `client: &'a super::Client` field";

const NEW: &str = "`Self { client: client, .. }` in the builder's `new`";

impl Rewrite for OwnedBuilders {
    fn item_struct(&mut self, cx: &mut Context, item: &mut syn::ItemStruct) {
        if !cx.in_module("builder") {
            return;
        }
        let field = item
            .fields
            .iter_mut()
            .find(|field| field.ident.as_ref().is_some_and(|name| name == "client"));
        let borrowed = field.and_then(|field| match &field.ty {
            syn::Type::Reference(reference) if reference.mutability.is_none() => {
                let lifetime = reference.lifetime.clone()?;
                let client = reference.elem.clone();
                Some((field, lifetime, client))
            }
            _ => None,
        });
        let Some((field, lifetime, client)) = borrowed else {
            cx.unexpected(NAME, format!("{FIELD} in builder `{}`", item.ident));
            return;
        };
        field.ty = syn::parse_quote!(::std::borrow::Cow<#lifetime, #client>);
    }

    fn item_impl(&mut self, cx: &mut Context, item: &mut syn::ItemImpl) {
        if !cx.in_module("builder") || item.trait_.is_some() {
            return;
        }
        let syn::Type::Path(self_ty) = item.self_ty.as_ref() else {
            return;
        };
        let Some(builder) = self_ty.path.segments.last().map(|s| s.ident.clone()) else {
            return;
        };
        let taken = item.items.iter().any(|member| {
            matches!(member, syn::ImplItem::Fn(f) if f.sig.ident == "into_owned" || f.sig.ident == "client")
        });
        if taken {
            cx.unexpected(
                NAME,
                format!("no method `into_owned` or `client` in builder `{builder}`"),
            );
            return;
        }
        let Some(fields) = item.items.iter_mut().find_map(|member| match member {
            syn::ImplItem::Fn(method) if method.sig.ident == "new" => borrow_in_new(method),
            _ => None,
        }) else {
            cx.unexpected(NAME, format!("{NEW} (builder `{builder}`)"));
            return;
        };
        item.items.push(syn::parse_quote! {
            /// This request with a client of its own (a clone), so that it can outlive the
            /// client it was made from: a walk over pages keeps it.
            #[allow(dead_code)]
            pub(crate) fn into_owned(self) -> #builder<'static> {
                let Self { client, #(#fields),* } = self;
                #builder {
                    client: ::std::borrow::Cow::Owned(client.into_owned()),
                    #(#fields),*
                }
            }
        });
        item.items.push(syn::parse_quote! {
            /// The client the request is sent with.
            #[allow(dead_code)]
            pub(crate) fn client(&self) -> &super::Client {
                &self.client
            }
        });
    }
}

/// Wraps `client` in `Cow::Borrowed` in `new`'s `Self { client: client, .. }`, and returns
/// the other fields' names.
fn borrow_in_new(method: &mut syn::ImplItemFn) -> Option<Vec<syn::Ident>> {
    let Some(syn::Stmt::Expr(syn::Expr::Struct(literal), None)) = method.block.stmts.last_mut()
    else {
        return None;
    };
    if !super::path_is(&literal.path, &["Self"]) || literal.rest.is_some() {
        return None;
    }
    let mut others = Vec::new();
    let mut borrowed = false;
    for field in &mut literal.fields {
        let syn::Member::Named(name) = &field.member else {
            return None;
        };
        if name == "client" {
            let value = &field.expr;
            field.expr = syn::parse_quote!(::std::borrow::Cow::Borrowed(#value));
            field.colon_token = Some(Default::default());
            borrowed = true;
        } else {
            others.push(name.clone());
        }
    }
    borrowed.then_some(others)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewritten(mut file: syn::File) -> Result<String, Vec<super::super::Unexpected>> {
        super::super::run(&mut file, &mut [&mut OwnedBuilders])?;
        Ok(prettyplease::unparse(&file))
    }

    #[test]
    fn a_builder_borrows_its_client_and_can_own_a_clone() {
        let file: syn::File = syn::parse_quote! {
            pub mod builder {
                #[derive(Debug, Clone)]
                pub struct ListClusters<'a> {
                    client: &'a super::Client,
                    page: Result<Option<u64>, String>,
                    status: Result<Option<String>, String>,
                }
                impl<'a> ListClusters<'a> {
                    pub fn new(client: &'a super::Client) -> Self {
                        Self { client: client, page: Ok(None), status: Ok(None) }
                    }
                }
            }
        };
        let expected: syn::File = syn::parse_quote! {
            pub mod builder {
                #[derive(Debug, Clone)]
                pub struct ListClusters<'a> {
                    client: ::std::borrow::Cow<'a, super::Client>,
                    page: Result<Option<u64>, String>,
                    status: Result<Option<String>, String>,
                }
                impl<'a> ListClusters<'a> {
                    pub fn new(client: &'a super::Client) -> Self {
                        Self { client: ::std::borrow::Cow::Borrowed(client), page: Ok(None), status: Ok(None) }
                    }
                    /// This request with a client of its own (a clone), so that it can outlive the
                    /// client it was made from: a walk over pages keeps it.
                    #[allow(dead_code)]
                    pub(crate) fn into_owned(self) -> ListClusters<'static> {
                        let Self { client, page, status } = self;
                        ListClusters {
                            client: ::std::borrow::Cow::Owned(client.into_owned()),
                            page,
                            status
                        }
                    }
                    /// The client the request is sent with.
                    #[allow(dead_code)]
                    pub(crate) fn client(&self) -> &super::Client {
                        &self.client
                    }
                }
            }
        };
        assert_eq!(rewritten(file).unwrap(), prettyplease::unparse(&expected));
    }

    #[test]
    fn only_the_builder_module_is_touched() {
        let file: syn::File = syn::parse_quote! {
            pub mod types { pub struct Thing<'a> { client: &'a str } }
            pub struct Client { baseurl: String }
        };
        let before = prettyplease::unparse(&file);
        assert_eq!(rewritten(file).unwrap(), before);
    }

    #[test]
    fn a_builder_without_a_borrowed_client_is_noticed() {
        let file: syn::File = syn::parse_quote! {
            pub mod builder { pub struct ListClusters { client: super::Client } }
        };
        let problems = rewritten(file).unwrap_err();
        assert!(
            problems[0].to_string().contains("builder `ListClusters`"),
            "{problems:?}"
        );
    }

    #[test]
    fn a_new_without_the_client_field_is_noticed() {
        let file: syn::File = syn::parse_quote! {
            pub mod builder { impl<'a> A<'a> { pub fn new(c: &'a super::Client) -> Self { Self::make(c) } } }
        };
        let problems = rewritten(file).unwrap_err();
        assert!(
            problems[0].to_string().contains("builder `A`"),
            "{problems:?}"
        );
    }

    #[test]
    fn a_method_the_rewrite_would_add_twice_is_noticed() {
        let file: syn::File = syn::parse_quote! {
            pub mod builder { impl<'a> A<'a> {
                pub fn new(client: &'a super::Client) -> Self { Self { client: client } }
                pub fn client<V>(self, value: V) -> Self { self }
            } }
        };
        let problems = rewritten(file).unwrap_err();
        assert!(
            problems[0]
                .to_string()
                .contains("no method `into_owned` or `client`"),
            "{problems:?}"
        );
    }
}
