//! The generated `Client` is the client users hold: each provider module re-exports it and adds
//! the facade's methods (`new(token)`, `builder()`, waits, walks) in its own `impl` blocks, so
//! the only public ways to make one are the facade's, and its `Debug` is the facade's.
//!
//! progenitor gives the client two public constructors: `new(baseurl, inner)`, which would
//! clash with the facade's `Client::new(token)` and builds its own HTTP client (unwrapping the
//! build), and `new_with_client(baseurl, client, inner)`, which would let a caller skip the
//! builder's checks (https only, no credentials in the URL). The first is dropped; the second
//! becomes the crate's `pub(crate) fn from_parts`. The derived `Debug` (which prints the
//! `reqwest::Client` field by field) is dropped, for the facade's `Debug` that shows the base
//! URL and the transport's redacted summary only.

use super::{Context, Rewrite};

/// The constructors and `Debug` of the generated client.
pub struct Facade;

const NAME: &str = "facade";

impl Rewrite for Facade {
    fn file(&mut self, cx: &mut Context, file: &mut syn::File) {
        let mut constructors = false;
        let mut derive = false;
        for item in &mut file.items {
            match item {
                syn::Item::Impl(item) if item.trait_.is_none() && is_client(&item.self_ty) => {
                    constructors |= own_constructors(item);
                }
                syn::Item::Struct(item) if item.ident == "Client" => {
                    derive = drop_debug(&mut item.attrs);
                }
                _ => {}
            }
        }
        if !constructors {
            cx.unexpected(
                NAME,
                "`impl Client { pub fn new(..); pub fn new_with_client(..) }` at the top of the client",
            );
        }
        if !derive {
            cx.unexpected(
                NAME,
                "`#[derive(.., Debug)] pub struct Client` at the top of the client",
            );
        }
    }
}

/// Whether `ty` is the bare `Client`.
fn is_client(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(path) if path.qself.is_none() && super::path_is(&path.path, &["Client"]))
}

/// Drops `new` and makes `new_with_client` the crate's `from_parts`, when `item` holds both.
fn own_constructors(item: &mut syn::ItemImpl) -> bool {
    let named = |member: &syn::ImplItem, name: &str| matches!(member, syn::ImplItem::Fn(method) if method.sig.ident == name);
    let both = ["new", "new_with_client"]
        .iter()
        .all(|name| item.items.iter().any(|member| named(member, name)));
    if !both {
        return false;
    }
    item.items.retain(|member| !named(member, "new"));
    for member in &mut item.items {
        if let syn::ImplItem::Fn(method) = member
            && method.sig.ident == "new_with_client"
        {
            method.vis = syn::parse_quote!(pub(crate));
            method.sig.ident = syn::parse_quote!(from_parts);
        }
    }
    true
}

/// Takes `Debug` out of the `#[derive(..)]` among `attrs`; whether it was there.
fn drop_debug(attrs: &mut [syn::Attribute]) -> bool {
    type Paths = syn::punctuated::Punctuated<syn::Path, syn::Token![,]>;
    for attr in attrs {
        if !attr.path().is_ident("derive") {
            continue;
        }
        let Ok(paths) = attr.parse_args_with(Paths::parse_terminated) else {
            continue;
        };
        if !paths.iter().any(|path| path.is_ident("Debug")) {
            continue;
        }
        let kept = paths.into_iter().filter(|path| !path.is_ident("Debug"));
        *attr = syn::parse_quote!(#[derive(#(#kept),*)]);
        return true;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_constructors_are_the_crates_and_debug_is_the_facades() {
        let mut file: syn::File = syn::parse_quote! {
            /// Client for the API.
            #[derive(Clone, Debug)]
            pub struct Client {
                pub(crate) baseurl: String,
                pub(crate) client: reqwest::Client,
                pub(crate) inner: crate::generated_support::Transport,
            }
            impl Client {
                /// Create a new client.
                pub fn new(baseurl: &str, inner: crate::generated_support::Transport) -> Self {
                    let client = reqwest::ClientBuilder::new();
                    Self::new_with_client(baseurl, client.build().unwrap(), inner)
                }
                /// Construct a new client with an existing `reqwest::Client`.
                pub fn new_with_client(
                    baseurl: &str,
                    client: reqwest::Client,
                    inner: crate::generated_support::Transport,
                ) -> Self {
                    Self { baseurl: baseurl.to_string(), client, inner }
                }
            }
            impl ClientInfo<crate::generated_support::Transport> for Client {
                fn new(&self) {}
            }
            impl Client {
                pub fn list_clusters(&self) -> builder::ListClusters<'_> {
                    builder::ListClusters::new(self)
                }
            }
            pub mod builder {
                #[derive(Debug)]
                pub struct ListClusters<'a> { client: &'a super::Client }
            }
        };
        super::super::run(&mut file, &mut [&mut Facade]).unwrap();
        let expected: syn::File = syn::parse_quote! {
            /// Client for the API.
            #[derive(Clone)]
            pub struct Client {
                pub(crate) baseurl: String,
                pub(crate) client: reqwest::Client,
                pub(crate) inner: crate::generated_support::Transport,
            }
            impl Client {
                /// Construct a new client with an existing `reqwest::Client`.
                pub(crate) fn from_parts(
                    baseurl: &str,
                    client: reqwest::Client,
                    inner: crate::generated_support::Transport,
                ) -> Self {
                    Self { baseurl: baseurl.to_string(), client, inner }
                }
            }
            impl ClientInfo<crate::generated_support::Transport> for Client {
                fn new(&self) {}
            }
            impl Client {
                pub fn list_clusters(&self) -> builder::ListClusters<'_> {
                    builder::ListClusters::new(self)
                }
            }
            pub mod builder {
                #[derive(Debug)]
                pub struct ListClusters<'a> { client: &'a super::Client }
            }
        };
        assert_eq!(
            prettyplease::unparse(&file),
            prettyplease::unparse(&expected)
        );
    }

    #[test]
    fn a_client_without_progenitors_constructors_or_debug_is_noticed() {
        let mut file: syn::File = syn::parse_quote! {
            #[derive(Clone)]
            pub struct Client { inner: Transport }
            impl Client {
                pub fn new(baseurl: &str, inner: Transport) -> Self { Self { inner } }
            }
        };
        let problems = super::super::run(&mut file, &mut [&mut Facade]).unwrap_err();
        let shown: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(problems.len(), 2, "{shown:?}");
        assert!(shown[0].contains("new_with_client"), "{shown:?}");
        assert!(shown[1].contains("derive(.., Debug)"), "{shown:?}");
        assert!(
            shown
                .iter()
                .all(|s| s.contains("codegen/src/rewrite/facade.rs")),
            "{shown:?}"
        );
    }
}
