//! `encode_path` is kaas's: progenitor imports its own at the top of the client
//! (`use progenitor_client::{encode_path, ..}`) for the builders' `use super::encode_path`;
//! that name now comes from the support module, so the builders call kaas's.

use super::{Context, Rewrite};

/// The import swap.
pub struct Imports;

impl Rewrite for Imports {
    fn file(&mut self, cx: &mut Context, file: &mut syn::File) {
        let found = file.items.iter_mut().position(|item| {
            let syn::Item::Use(import) = item else {
                return false;
            };
            let syn::UseTree::Path(root) = &mut import.tree else {
                return false;
            };
            let syn::UseTree::Group(group) = root.tree.as_mut() else {
                return false;
            };
            if root.ident != "progenitor_client" {
                return false;
            }
            let before = group.items.len();
            group.items = std::mem::take(&mut group.items)
                .into_iter()
                .filter(
                    |tree| !matches!(tree, syn::UseTree::Name(name) if name.ident == "encode_path"),
                )
                .collect();
            group.items.len() < before
        });
        let Some(at) = found else {
            cx.unexpected(
                "imports",
                "`use progenitor_client::{encode_path, ..};` at the top of the client",
            );
            return;
        };
        let support = crate::support();
        file.items.insert(
            at,
            syn::parse_quote! {
                #[allow(unused_imports)]
                use #support::encode_path;
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_path_comes_from_the_support_module() {
        let mut file: syn::File = syn::parse_quote! {
            pub use progenitor_client::{ByteStream, Error};
            use progenitor_client::{encode_path, ClientHooks, OperationInfo};
        };
        super::super::run(&mut file, &mut [&mut Imports]).unwrap();
        let expected: syn::File = syn::parse_quote! {
            pub use progenitor_client::{ByteStream, Error};
            #[allow(unused_imports)]
            use crate::generated_support::encode_path;
            use progenitor_client::{ClientHooks, OperationInfo};
        };
        assert_eq!(file, expected);
    }

    #[test]
    fn a_client_without_progenitors_import_is_noticed() {
        let mut file: syn::File = syn::parse_quote! {
            use progenitor_client::{ClientHooks};
        };
        let problems = super::super::run(&mut file, &mut [&mut Imports]).unwrap_err();
        assert_eq!(problems[0].rewrite, "imports");
    }
}
