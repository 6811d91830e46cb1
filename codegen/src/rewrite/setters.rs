//! Every builder setter's refusal says why: progenitor's
//! `.map_err(|_| "conversion to `T` for p failed".to_string())` drops the conversion's own
//! error (a pattern and the value, a bad UUID character); it is now appended
//! (`|e| format!("{}: {}", "conversion to …", e)`). The setter's `V` gains the bound
//! `<V as TryInto<T>>::Error: Display`, which every conversion kaas's types offer meets.

use super::{Context, Rewrite};

/// The setter messages.
#[derive(Default)]
pub struct Setters {
    /// Whether the current method's refusal was rewritten.
    rewrote: bool,
}

const NAME: &str = "setters";

impl Rewrite for Setters {
    fn expr(&mut self, cx: &mut Context, expr: &mut syn::Expr) {
        if !cx.in_module("builder") {
            return;
        }
        let syn::Expr::MethodCall(call) = expr else {
            return;
        };
        if call.method != "map_err" || call.args.len() != 1 {
            return;
        }
        let Some(syn::Expr::Closure(closure)) = call.args.first_mut() else {
            return;
        };
        let ignores_error =
            closure.inputs.len() == 1 && matches!(closure.inputs.first(), Some(syn::Pat::Wild(_)));
        let syn::Expr::MethodCall(message) = closure.body.as_ref() else {
            return;
        };
        let Some(text) = super::string_literal(&message.receiver) else {
            return;
        };
        if !ignores_error || message.method != "to_string" || !text.starts_with("conversion to ") {
            return;
        }
        *closure = syn::parse_quote!(|e| format!("{}: {}", #text, e));
        self.rewrote = true;
    }

    fn method(&mut self, cx: &mut Context, method: &mut syn::ImplItemFn) {
        if !std::mem::take(&mut self.rewrote) {
            return;
        }
        let bound = method
            .sig
            .generics
            .where_clause
            .iter()
            .flat_map(|clause| &clause.predicates)
            .find_map(|predicate| {
                let syn::WherePredicate::Type(predicate) = predicate else {
                    return None;
                };
                predicate.bounds.iter().find_map(|bound| {
                    let syn::TypeParamBound::Trait(bound) = bound else {
                        return None;
                    };
                    let last = bound.path.segments.last()?;
                    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
                        return None;
                    };
                    (last.ident == "TryInto")
                        .then(|| (predicate.bounded_ty.clone(), args.args.clone()))
                })
            });
        let Some((input, target)) = bound else {
            cx.unexpected(
                NAME,
                format!("a `V: TryInto<T>` bound on setter `{}`", method.sig.ident),
            );
            return;
        };
        method.sig.generics.make_where_clause().predicates.push(
            syn::parse_quote!(<#input as std::convert::TryInto<#target>>::Error: std::fmt::Display),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setter_refusals_keep_the_conversion_error() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod builder {
                impl<'a> GetCluster<'a> {
                    pub fn name<V>(mut self, value: V) -> Self
                    where
                        V: std::convert::TryInto<types::ClusterName>,
                    {
                        self.name = value.try_into().map(Some).map_err(|_| "conversion to `ClusterName` for name failed".to_string());
                        self
                    }
                    pub fn body_map<F>(mut self, f: F) -> Self where F: std::ops::FnOnce(B) -> B { self }
                }
            }
        };
        super::super::run(&mut file, &mut [&mut Setters::default()]).unwrap();
        let expected: syn::File = syn::parse_quote! {
            pub mod builder {
                impl<'a> GetCluster<'a> {
                    pub fn name<V>(mut self, value: V) -> Self
                    where
                        V: std::convert::TryInto<types::ClusterName>,
                        <V as std::convert::TryInto<types::ClusterName>>::Error: std::fmt::Display,
                    {
                        self.name = value.try_into().map(Some).map_err(|e| format!("{}: {}", "conversion to `ClusterName` for name failed", e));
                        self
                    }
                    pub fn body_map<F>(mut self, f: F) -> Self where F: std::ops::FnOnce(B) -> B { self }
                }
            }
        };
        assert_eq!(
            prettyplease::unparse(&file),
            prettyplease::unparse(&expected)
        );
    }

    #[test]
    fn a_setter_without_a_conversion_bound_is_noticed() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod builder { impl A {
                pub fn name<V>(mut self, value: V) -> Self {
                    self.name = value.try_into().map_err(|_| "conversion to `N` for name failed".to_string());
                    self
                }
            } }
        };
        let problems = super::super::run(&mut file, &mut [&mut Setters::default()]).unwrap_err();
        assert!(
            problems[0].to_string().contains("setter `name`"),
            "{problems:?}"
        );
    }
}
