//! Writes the Rust enums for `x-extensible-enum` schemas (rule 6 of specs/README.md).

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};
use serde_json::Value;

/// The values of an open enum: strings, or integers with names from `x-enum-varnames`.
pub enum Values {
    Text(Vec<String>),
    Integer(Vec<i64>),
}

/// One open enum: its name, its documentation, and its known values with their variant names.
pub struct ExtEnum {
    pub name: String,
    description: String,
    values: Values,
    variants: Vec<String>,
}

/// The component schemas marked `x-extensible-enum: true`, by name, in file order.
pub fn extensible_schemas(doc: &Value) -> impl Iterator<Item = (&String, &Value)> {
    doc["components"]["schemas"]
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(_, schema)| schema["x-extensible-enum"] == Value::Bool(true))
}

/// Every schema marked `x-extensible-enum: true`, in file order. The spec has been checked.
pub fn collect(doc: &Value) -> Result<Vec<ExtEnum>, String> {
    let mut out = Vec::new();
    for (name, schema) in extensible_schemas(doc) {
        let raw = schema["enum"].as_array().cloned().unwrap_or_default();
        let values = if schema["type"] == "integer" {
            Values::Integer(raw.iter().filter_map(Value::as_i64).collect())
        } else {
            Values::Text(
                raw.iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect(),
            )
        };
        let variants: Vec<String> = match schema["x-enum-varnames"].as_array() {
            Some(names) => names
                .iter()
                .filter_map(|n| n.as_str().map(String::from))
                .collect(),
            None => match &values {
                Values::Text(v) => v.iter().map(|s| variant_name(s)).collect(),
                Values::Integer(v) => v.iter().map(|i| format!("V{i}")).collect(),
            },
        };
        let mut unique = std::collections::HashSet::new();
        for v in &variants {
            if v == "Unknown" || !unique.insert(v.clone()) {
                return Err(format!(
                    "schema `{name}`: two values map to the Rust variant `{v}` (or one is named `Unknown`); fix: give names in `x-enum-varnames`"
                ));
            }
        }
        out.push(ExtEnum {
            name: name.clone(),
            description: schema["description"]
                .as_str()
                .unwrap_or("")
                .trim()
                .to_string(),
            values,
            variants,
        });
    }
    Ok(out)
}

pub fn is_pascal_case(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
}

/// `"flannel_etcd"` → `FlannelEtcd`, `"1.29"` → `V1_29`, `""` → `Empty`.
fn variant_name(value: &str) -> String {
    let mut out = String::new();
    for part in value
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
    {
        if out.chars().last().is_some_and(|c| c.is_ascii_digit())
            && part.starts_with(|c: char| c.is_ascii_digit())
        {
            out.push('_');
        }
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.push_str(chars.as_str());
        }
    }
    if out.is_empty() {
        return "Empty".into();
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    out
}

/// `pub mod extensible`: every open enum of the spec, each an invocation of kaas's
/// `open_enum!` macro (`src/open_enum.rs`) through the support module.
pub fn module(enums: &[ExtEnum]) -> TokenStream {
    let enums = enums.iter().map(ExtEnum::tokens);
    quote! {
        /// Open enums of the spec: known values by name, anything else kept as `Unknown`.
        pub mod extensible {
            #(#enums)*
        }
    }
}

impl ExtEnum {
    /// An invocation of kaas's `open_enum!` macro for this enum.
    pub fn tokens(&self) -> TokenStream {
        let support = crate::support();
        let mut docs: Vec<String> = self.description.lines().map(|l| format!(" {l}")).collect();
        if !docs.is_empty() {
            docs.push(String::new());
        }
        docs.push(
            " An open enum: values this crate does not know yet are kept in `Unknown`, unchanged."
                .into(),
        );
        let name = format_ident!("{}", self.name);
        let (kind, literals, shown): (TokenStream, Vec<Literal>, Vec<String>) = match &self.values {
            Values::Text(v) => (
                quote!(str),
                v.iter().map(|s| Literal::string(s)).collect(),
                v.iter()
                    .map(|s| format!(" `{}`", s.replace('`', "'")))
                    .collect(),
            ),
            Values::Integer(v) => (
                quote!(i64),
                v.iter().map(|i| Literal::i64_unsuffixed(*i)).collect(),
                v.iter().map(|i| format!(" `{i}`")).collect(),
            ),
        };
        let variants = self.variants.iter().map(|v| format_ident!("{v}"));
        quote! {
            #support::open_enum! {
                #(#[doc = #docs])*
                #name: #kind {
                    #( #[doc = #shown] #variants = #literals, )*
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enums_of(yaml: &str) -> Result<Vec<ExtEnum>, String> {
        let doc: Value =
            serde_yaml_ng::from_str(&format!("components:\n  schemas:\n{yaml}")).unwrap();
        collect(&doc)
    }

    #[test]
    fn variant_names_come_from_the_values() {
        assert_eq!(variant_name("flannel_etcd"), "FlannelEtcd");
        assert_eq!(variant_name("1.29"), "V1_29");
        assert_eq!(variant_name(""), "Empty");
        assert_eq!(variant_name("running"), "Running");
    }

    #[test]
    fn string_enums_become_open_enum_invocations() {
        let enums = enums_of(
            "    State:\n      type: string\n      description: The state.\n      x-extensible-enum: true\n      enum: [running, '']\n    Closed: {type: string, enum: [a, b]}\n",
        )
        .unwrap();
        assert_eq!(enums.len(), 1, "only x-extensible-enum schemas are open");
        let expected = quote! {
            crate::generated_support::open_enum! {
                #[doc = " The state."]
                #[doc = ""]
                #[doc = " An open enum: values this crate does not know yet are kept in `Unknown`, unchanged."]
                State: str {
                    #[doc = " `running`"]
                    Running = "running",
                    #[doc = " ``"]
                    Empty = "",
                }
            }
        };
        assert_eq!(enums[0].tokens().to_string(), expected.to_string());
    }

    #[test]
    fn integer_enums_take_their_names_from_x_enum_varnames() {
        let enums = enums_of(
            "    Health:\n      type: integer\n      x-extensible-enum: true\n      enum: [0, 3]\n      x-enum-varnames: [Unknown0, Healthy]\n",
        )
        .unwrap();
        let expected = quote! {
            crate::generated_support::open_enum! {
                #[doc = " An open enum: values this crate does not know yet are kept in `Unknown`, unchanged."]
                Health: i64 {
                    #[doc = " `0`"]
                    Unknown0 = 0,
                    #[doc = " `3`"]
                    Healthy = 3,
                }
            }
        };
        assert_eq!(enums[0].tokens().to_string(), expected.to_string());
    }

    #[test]
    fn clashing_variant_names_are_refused() {
        let error =
            enums_of("    State: {type: string, x-extensible-enum: true, enum: [a-b, a_b]}\n")
                .err()
                .unwrap();
        assert!(error.contains("`AB`"), "{error}");
        assert!(
            enums_of("    State: {type: string, x-extensible-enum: true, enum: [unknown]}\n")
                .is_err()
        );
    }
}
