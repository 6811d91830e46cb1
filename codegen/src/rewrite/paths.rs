//! Path parameters are checked first: in each `send`, progenitor converts every input
//! (`let id = id.map_err(Error::InvalidRequest)?;`, path parameters first) and formats the
//! URL with `encode_path(&id.to_string())`. Right after a path parameter's own conversion,
//! before any other input is converted, `let id_segment = encode_path(&id.to_string(), "id",
//! "<operation>").map_err(Error::InvalidRequest)?;` now refuses an empty, `.` or `..` value
//! (raw or percent-encoded) naming the operation and the parameter, and the URL takes
//! `id_segment`. A refusal is progenitor's `InvalidRequest`, which the
//! [`errors`](super::errors) rewrite makes `kaas::Error::InvalidInput` where it is made.

use quote::format_ident;
use syn::punctuated::Punctuated;

use super::{Context, Rewrite, call_to, ident_of};

/// The path-parameter check.
pub struct Paths;

const NAME: &str = "paths";

impl Rewrite for Paths {
    fn expr(&mut self, cx: &mut Context, expr: &mut syn::Expr) {
        // The URL's `format!` is rewritten in `method`; syn does not look inside macros, so
        // a call seen here is one outside the URL.
        if call_to(expr, &["encode_path"]).is_some_and(|args| args.len() == 1) {
            cx.unexpected(NAME, "`encode_path(..)` only inside the URL's `format!`");
        }
    }

    fn method(&mut self, cx: &mut Context, method: &mut syn::ImplItemFn) {
        let Some(operation) = cx.operation.clone() else {
            return;
        };
        let Some(url) = method.block.stmts.iter_mut().find_map(url_format) else {
            cx.unexpected(NAME, "`let url = format!(..);`");
            return;
        };
        let Ok(mut args) =
            url.parse_body_with(Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated)
        else {
            cx.unexpected(NAME, "`format!` arguments that are expressions");
            return;
        };
        let mut names: Vec<syn::Ident> = Vec::new();
        for arg in args.iter_mut() {
            let Some(call) = call_to(arg, &["encode_path"]) else {
                continue;
            };
            let Some(name) = call
                .iter()
                .next()
                .filter(|_| call.len() == 1)
                .and_then(to_string_of)
            else {
                cx.unexpected(NAME, "`encode_path(&p.to_string())` in the URL's `format!`");
                continue;
            };
            let segment = format_ident!("{name}_segment");
            *arg = syn::parse_quote!(#segment);
            if !names.contains(&name) {
                names.push(name);
            }
        }
        url.tokens = quote::quote!(#args);
        for name in names {
            let converted: Vec<usize> = method
                .block
                .stmts
                .iter()
                .enumerate()
                .filter(|(_, stmt)| is_conversion_of(stmt, &name))
                .map(|(at, _)| at)
                .collect();
            let [at] = converted[..] else {
                cx.unexpected(
                    NAME,
                    format!("one `let {name} = {name}.map_err(Error::InvalidRequest)?;`"),
                );
                continue;
            };
            let segment = format_ident!("{name}_segment");
            let label = name.to_string();
            method.block.stmts.insert(
                at + 1,
                syn::parse_quote! {
                    let #segment = encode_path(&#name.to_string(), #label, #operation)
                        .map_err(Error::InvalidRequest)?;
                },
            );
        }
    }
}

/// The `format!(..)` of `let url = format!(..);`.
fn url_format(stmt: &mut syn::Stmt) -> Option<&mut syn::Macro> {
    let syn::Stmt::Local(local) = stmt else {
        return None;
    };
    let syn::Pat::Ident(pat) = &local.pat else {
        return None;
    };
    let init = local.init.as_mut()?;
    match init.expr.as_mut() {
        syn::Expr::Macro(mac) if pat.ident == "url" && mac.mac.path.is_ident("format") => {
            Some(&mut mac.mac)
        }
        _ => None,
    }
}

/// `p` of `&p.to_string()`.
fn to_string_of(expr: &syn::Expr) -> Option<syn::Ident> {
    let syn::Expr::Reference(reference) = expr else {
        return None;
    };
    let syn::Expr::MethodCall(call) = reference.expr.as_ref() else {
        return None;
    };
    (call.method == "to_string" && call.args.is_empty())
        .then(|| ident_of(&call.receiver).cloned())
        .flatten()
}

/// Whether `stmt` is `let p = p.map_err(Error::InvalidRequest)?;`.
fn is_conversion_of(stmt: &syn::Stmt, name: &syn::Ident) -> bool {
    let syn::Stmt::Local(local) = stmt else {
        return false;
    };
    let (syn::Pat::Ident(pat), Some(init)) = (&local.pat, &local.init) else {
        return false;
    };
    let syn::Expr::Try(tried) = init.expr.as_ref() else {
        return false;
    };
    let syn::Expr::MethodCall(call) = tried.expr.as_ref() else {
        return false;
    };
    pat.ident == *name
        && call.method == "map_err"
        && ident_of(&call.receiver) == Some(name)
        && matches!(call.args.first(), Some(syn::Expr::Path(p)) if super::path_is(&p.path, &["Error", "InvalidRequest"]))
}

#[cfg(test)]
mod tests {
    use super::super::run;
    use super::*;

    fn send() -> syn::File {
        syn::parse_quote! {
            pub mod builder { impl A { pub async fn send(self) {
                let Self { client, stack_id, id, body } = self;
                let stack_id = stack_id.map_err(Error::InvalidRequest)?;
                let id = id.map_err(Error::InvalidRequest)?;
                let body = body.and_then(|v| types::B::try_from(v).map_err(|e| e.to_string())).map_err(Error::InvalidRequest)?;
                let url = format!("{}/stacks/{}/actions/{}", client.baseurl, encode_path(&stack_id.to_string()), encode_path(&id.to_string()),);
                let info = OperationInfo { operation_id: "get_stack_action" };
            } } }
        }
    }

    #[test]
    fn path_parameters_are_checked_before_any_other_input_and_the_url() {
        let mut file = send();
        run(&mut file, &mut [&mut Paths]).unwrap();
        let expected: syn::File = syn::parse_quote! {
            pub mod builder { impl A { pub async fn send(self) {
                let Self { client, stack_id, id, body } = self;
                let stack_id = stack_id.map_err(Error::InvalidRequest)?;
                let stack_id_segment = encode_path(&stack_id.to_string(), "stack_id", "get_stack_action")
                    .map_err(Error::InvalidRequest)?;
                let id = id.map_err(Error::InvalidRequest)?;
                let id_segment = encode_path(&id.to_string(), "id", "get_stack_action")
                    .map_err(Error::InvalidRequest)?;
                let body = body.and_then(|v| types::B::try_from(v).map_err(|e| e.to_string())).map_err(Error::InvalidRequest)?;
                let url = format!("{}/stacks/{}/actions/{}", client.baseurl, stack_id_segment, id_segment,);
                let info = OperationInfo { operation_id: "get_stack_action" };
            } } }
        };
        assert_eq!(
            prettyplease::unparse(&file),
            prettyplease::unparse(&expected)
        );
    }

    #[test]
    fn a_path_parameter_converted_differently_is_noticed() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod builder { impl A { pub async fn send(self) {
                let url = format!("{}/things/{}", client.baseurl, encode_path(&id.to_string()),);
                let info = OperationInfo { operation_id: "get_thing" };
            } } }
        };
        let problems = run(&mut file, &mut [&mut Paths]).unwrap_err();
        assert_eq!(
            problems[0].to_string(),
            "the `paths` rewrite expected one `let id = id.map_err(Error::InvalidRequest)?;` in operation `get_thing`; progenitor's output changed: update codegen/src/rewrite/paths.rs"
        );
    }

    #[test]
    fn a_path_encoded_outside_the_url_is_noticed() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod builder { impl A { pub async fn send(self) {
                let url = format!("{}/things", client.baseurl);
                let other = encode_path(&id.to_string());
                let info = OperationInfo { operation_id: "get_thing" };
            } } }
        };
        let problems = run(&mut file, &mut [&mut Paths]).unwrap_err();
        assert!(
            problems[0].expected.contains("only inside the URL"),
            "{problems:?}"
        );
    }
}
