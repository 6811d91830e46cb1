//! Typed mocks match and answer per request: every operation's `When` wrapper gains
//! `is_true(predicate)` (match only some requests, "the first two reads") and every `Then`
//! wrapper `respond_with(responder)` (an answer computed per request), so tests of sequences
//! stay in the typed API.

use super::{Context, Rewrite};

/// The per-request matchers and answers.
pub struct Mocks;

impl Rewrite for Mocks {
    fn item_impl(&mut self, _cx: &mut Context, implementation: &mut syn::ItemImpl) {
        let syn::Type::Path(self_type) = implementation.self_ty.as_ref() else {
            return;
        };
        let Some(name) = self_type.path.segments.last().map(|s| s.ident.to_string()) else {
            return;
        };
        if name.ends_with("When") {
            implementation.items.push(syn::parse_quote! {
                /// Matches only the requests for which `predicate` is true (a sequence:
                /// "the first two reads"), keeping the operation's typed matchers.
                pub fn is_true(
                    self,
                    predicate: impl Fn(&::httpmock::HttpMockRequest) -> bool + Send + Sync + 'static,
                ) -> Self {
                    Self(self.0.is_true(predicate))
                }
            });
        } else if name.ends_with("Then") {
            implementation.items.push(syn::parse_quote! {
                /// Answers each request with what `responder` computes from it.
                pub fn respond_with(
                    self,
                    responder: impl Fn(&::httpmock::HttpMockRequest) -> ::httpmock::HttpMockResponse
                        + Send
                        + Sync
                        + 'static,
                ) -> Self {
                    Self(self.0.respond_with(responder))
                }
            });
        }
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn typed_mocks_gain_per_request_matching_and_answers() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod operations {
                pub struct GetThingWhen(::httpmock::When);
                impl GetThingWhen { pub fn into_inner(self) -> ::httpmock::When { self.0 } }
                pub struct GetThingThen(::httpmock::Then);
                impl GetThingThen { pub fn into_inner(self) -> ::httpmock::Then { self.0 } }
                impl Other { fn x() {} }
            }
        };
        super::super::mocks(&mut file).unwrap();
        let syn::Item::Mod(module) = &file.items[0] else {
            unreachable!()
        };
        let methods: Vec<Vec<String>> = module
            .content
            .as_ref()
            .unwrap()
            .1
            .iter()
            .filter_map(|item| match item {
                syn::Item::Impl(i) => Some(
                    i.items
                        .iter()
                        .filter_map(|m| match m {
                            syn::ImplItem::Fn(f) => Some(f.sig.ident.to_string()),
                            _ => None,
                        })
                        .collect(),
                ),
                _ => None,
            })
            .collect();
        assert_eq!(
            methods,
            [
                vec!["into_inner", "is_true"],
                vec!["into_inner", "respond_with"],
                vec!["x"]
            ]
        );
    }
}
