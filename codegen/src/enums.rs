//! Writes the Rust enums for `x-extensible-enum` schemas (rule 6 of specs/README.md).

use serde_json::Value;
use std::fmt::Write as _;

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

impl ExtEnum {
    /// An invocation of kaas's `open_enum!` macro (`src/open_enum.rs`) for this enum.
    pub fn rust_code(&self) -> String {
        let mut out = String::from("\ncrate::open_enum! {\n");
        for line in self.description.lines() {
            let _ = writeln!(out, "    /// {line}");
        }
        if !self.description.is_empty() {
            out.push_str("    ///\n");
        }
        out.push_str(
            "    /// An open enum: values this crate does not know yet are kept in `Unknown`, unchanged.\n",
        );
        let (kind, literals): (&str, Vec<String>) = match &self.values {
            Values::Text(v) => ("str", v.iter().map(|s| format!("{s:?}")).collect()),
            Values::Integer(v) => ("i64", v.iter().map(i64::to_string).collect()),
        };
        let _ = writeln!(out, "    {}: {kind} {{", self.name);
        for (variant, literal) in self.variants.iter().zip(&literals) {
            let shown = literal.trim_matches('"').replace('`', "'");
            let _ = writeln!(out, "        /// `{shown}`");
            let _ = writeln!(out, "        {variant} = {literal},");
        }
        out.push_str("    }\n}\n");
        out
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
        let code = enums[0].rust_code();
        assert!(code.contains("crate::open_enum! {"), "{code}");
        assert!(code.contains("    /// The state.\n"), "{code}");
        assert!(code.contains("    State: str {"), "{code}");
        assert!(code.contains("        Running = \"running\",\n"), "{code}");
        assert!(code.contains("        Empty = \"\",\n"), "{code}");
    }

    #[test]
    fn integer_enums_take_their_names_from_x_enum_varnames() {
        let enums = enums_of(
            "    Health:\n      type: integer\n      x-extensible-enum: true\n      enum: [0, 3]\n      x-enum-varnames: [Unknown0, Healthy]\n",
        )
        .unwrap();
        let code = enums[0].rust_code();
        assert!(code.contains("    Health: i64 {"), "{code}");
        assert!(code.contains("        Healthy = 3,\n"), "{code}");
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
