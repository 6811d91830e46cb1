//! Following local `$ref`s: the one resolver of the generator and of kaas's spec tests.
//!
//! A `$ref` is followed to the end of its chain (a reference to a reference is followed
//! again). A chain that comes back to a reference it already followed is a [`RefError::Cycle`],
//! never a stack overflow; a target the document does not hold is a [`RefError::Missing`]
//! that names it. Only local references (`#/json/pointer`) are followed: the specs are
//! self-contained files.

use serde_json::Value;

/// Why a `$ref` could not be followed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RefError {
    /// The document holds nothing at this target.
    Missing {
        /// The `$ref` as written.
        target: String,
    },
    /// The target is not a local `#/...` pointer.
    NotLocal {
        /// The `$ref` as written.
        target: String,
    },
    /// The chain of references comes back to one it already followed.
    Cycle {
        /// The targets followed, in order; the last is the one met again.
        chain: Vec<String>,
    },
}

impl std::fmt::Display for RefError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RefError::Missing { target } => write!(f, "`$ref: {target}` points at nothing"),
            RefError::NotLocal { target } => {
                write!(f, "`$ref: {target}` is not a local `#/...` reference")
            }
            RefError::Cycle { chain } => {
                write!(f, "`$ref`s loop back on themselves: {}", chain.join(" → "))
            }
        }
    }
}

impl std::error::Error for RefError {}

/// A followed chain of `$ref`s.
#[derive(Clone, Debug)]
pub struct Chain<'a> {
    /// The targets followed, in order; empty when the start was no reference.
    pub refs: Vec<&'a str>,
    /// Every node passed through: the start first, the target (no reference) last.
    pub nodes: Vec<&'a Value>,
}

impl<'a> Chain<'a> {
    /// Where the chain ends: the first node that is not a reference.
    pub fn target(&self) -> &'a Value {
        self.nodes[self.nodes.len() - 1]
    }
}

/// The node at `target`, a local reference (`#/components/schemas/Cluster`).
pub fn lookup<'a>(doc: &'a Value, target: &str) -> Result<&'a Value, RefError> {
    let pointer = target.strip_prefix('#').ok_or_else(|| RefError::NotLocal {
        target: target.to_string(),
    })?;
    doc.pointer(pointer).ok_or_else(|| RefError::Missing {
        target: target.to_string(),
    })
}

/// Follows `node`'s `$ref` chain, keeping every step.
pub fn chain<'a>(doc: &'a Value, node: &'a Value) -> Result<Chain<'a>, RefError> {
    let mut out = Chain {
        refs: Vec::new(),
        nodes: vec![node],
    };
    let mut node = node;
    while let Some(target) = node.get("$ref").and_then(Value::as_str) {
        if out.refs.contains(&target) {
            let mut chain: Vec<String> = out.refs.iter().map(|r| r.to_string()).collect();
            chain.push(target.to_string());
            return Err(RefError::Cycle { chain });
        }
        out.refs.push(target);
        node = lookup(doc, target)?;
        out.nodes.push(node);
    }
    Ok(out)
}

/// The node `node`'s `$ref` chain ends on, or `node` itself when it is no reference.
pub fn resolve<'a>(doc: &'a Value, node: &'a Value) -> Result<&'a Value, RefError> {
    chain(doc, node).map(|c| c.target())
}

/// [`resolve`] in a spec that passed [`crate::spec_check::check`], which reports every
/// broken `$ref`: a broken one is left as it is (the node itself), for the check to name.
pub fn follow<'a>(doc: &'a Value, node: &'a Value) -> &'a Value {
    resolve(doc, node).unwrap_or(node)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc() -> Value {
        json!({
            "components": {
                "schemas": {
                    "Thing": {"type": "object", "properties": {"child": {"$ref": "#/components/schemas/Thing"}}},
                    "Alias": {"$ref": "#/components/schemas/Thing"},
                    "Alias2": {"$ref": "#/components/schemas/Alias"},
                    "Ping": {"$ref": "#/components/schemas/Pong"},
                    "Pong": {"$ref": "#/components/schemas/Ping"},
                    "Self": {"$ref": "#/components/schemas/Self"},
                    "Broken": {"$ref": "#/components/schemas/Nowhere"},
                    "a/b": {"type": "string"}
                }
            }
        })
    }

    #[test]
    fn a_local_ref_reaches_its_target_and_a_plain_node_is_itself() {
        let doc = doc();
        let node = json!({"$ref": "#/components/schemas/Thing"});
        assert_eq!(resolve(&doc, &node).unwrap()["type"], "object");
        let plain = json!({"type": "integer"});
        assert_eq!(resolve(&doc, &plain).unwrap(), &plain);
        let escaped = json!({"$ref": "#/components/schemas/a~1b"});
        assert_eq!(resolve(&doc, &escaped).unwrap()["type"], "string");
    }

    #[test]
    fn nested_refs_are_followed_to_the_end_and_every_step_is_kept() {
        let doc = doc();
        let node = json!({"$ref": "#/components/schemas/Alias2"});
        let chain = chain(&doc, &node).unwrap();
        assert_eq!(
            chain.refs,
            [
                "#/components/schemas/Alias2",
                "#/components/schemas/Alias",
                "#/components/schemas/Thing"
            ]
        );
        assert_eq!(chain.nodes.len(), 4);
        assert_eq!(chain.target()["type"], "object");
    }

    #[test]
    fn a_recursive_schema_is_no_cycle() {
        let doc = doc();
        let thing = &doc["components"]["schemas"]["Thing"];
        let child = &thing["properties"]["child"];
        assert_eq!(resolve(&doc, child).unwrap(), thing);
    }

    #[test]
    fn a_ref_cycle_is_an_error_that_shows_the_loop() {
        let doc = doc();
        let node = json!({"$ref": "#/components/schemas/Ping"});
        let error = resolve(&doc, &node).unwrap_err();
        assert_eq!(
            error,
            RefError::Cycle {
                chain: vec![
                    "#/components/schemas/Ping".into(),
                    "#/components/schemas/Pong".into(),
                    "#/components/schemas/Ping".into()
                ]
            }
        );
        assert!(error.to_string().contains(
            "#/components/schemas/Ping → #/components/schemas/Pong → #/components/schemas/Ping"
        ));
        let itself = json!({"$ref": "#/components/schemas/Self"});
        assert!(matches!(
            resolve(&doc, &itself),
            Err(RefError::Cycle { .. })
        ));
        assert_eq!(
            follow(&doc, &node),
            &node,
            "a checked spec leaves it as it is"
        );
    }

    #[test]
    fn a_missing_or_foreign_target_is_an_error_naming_it() {
        let doc = doc();
        let node = json!({"$ref": "#/components/schemas/Alias3"});
        let error = resolve(&doc, &node).unwrap_err();
        assert_eq!(
            error,
            RefError::Missing {
                target: "#/components/schemas/Alias3".into()
            }
        );
        assert_eq!(
            error.to_string(),
            "`$ref: #/components/schemas/Alias3` points at nothing"
        );
        let through = json!({"$ref": "#/components/schemas/Broken"});
        let foreign = json!({"$ref": "other.yaml#/components/schemas/Thing"});
        assert!(matches!(
            resolve(&doc, &through),
            Err(RefError::Missing { target }) if target.ends_with("Nowhere")
        ));
        assert!(
            resolve(&doc, &foreign)
                .unwrap_err()
                .to_string()
                .contains("other.yaml#/components/schemas/Thing")
        );
        assert_eq!(follow(&doc, &node), &node);
    }
}
