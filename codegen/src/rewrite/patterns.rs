//! A value refused by a schema's `pattern` is named: typify's check says only
//! `"doesn't match pattern \"…\"".into()`; it now calls the support module's
//! `pattern_mismatch(value, "…")`. (Secret schemas are `SecretText`, never a typify type, so no
//! secret is quoted.)

use super::{Context, Rewrite};

/// The pattern message.
pub struct Patterns;

const PREFIX: &str = "doesn't match pattern \"";

impl Rewrite for Patterns {
    fn expr(&mut self, _cx: &mut Context, expr: &mut syn::Expr) {
        let syn::Expr::MethodCall(call) = expr else {
            return;
        };
        if call.method != "into" || !call.args.is_empty() {
            return;
        }
        let Some(message) = super::string_literal(&call.receiver) else {
            return;
        };
        let Some(pattern) = message
            .strip_prefix(PREFIX)
            .and_then(|rest| rest.strip_suffix('"'))
        else {
            return;
        };
        let support = crate::support();
        *expr = syn::parse_quote!(#support::pattern_mismatch(value, #pattern).into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pattern_mismatch_names_the_value() {
        let mut file: syn::File = syn::parse_quote! {
            impl ::std::str::FromStr for Name {
                fn from_str(value: &str) -> Result<Self, ConversionError> {
                    if PATTERN.find(value).is_none() {
                        return Err("doesn't match pattern \"^[a-z]\\.+$\"".into());
                    }
                    Ok(Self(value.to_string()))
                }
            }
        };
        super::super::run(&mut file, &mut [&mut Patterns]).unwrap();
        let expected: syn::File = syn::parse_quote! {
            impl ::std::str::FromStr for Name {
                fn from_str(value: &str) -> Result<Self, ConversionError> {
                    if PATTERN.find(value).is_none() {
                        return Err(crate::generated_support::pattern_mismatch(value, "^[a-z]\\.+$").into());
                    }
                    Ok(Self(value.to_string()))
                }
            }
        };
        assert_eq!(file, expected);
    }
}
