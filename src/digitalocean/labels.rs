//! Node-pool labels: JSON values on the wire, text in Kubernetes.
//!
//! DigitalOcean describes `labels` as an untyped object, so an answer may hold a label whose
//! value is a number or a boolean. The generated types keep every value as
//! [`serde_json::Value`] (nothing is lost and one odd label never fails a page); these helpers
//! give the text view Kubernetes uses and build a label map from text.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::types::NodePool;

/// A label map for a request (`NodePoolCreate`, `NodePoolUpdate`) from text pairs.
///
/// ```
/// let labels = kaas::digitalocean::labels([("service", "backend"), ("priority", "high")]);
/// assert_eq!(labels["service"], "backend");
/// ```
pub fn labels<K, V>(pairs: impl IntoIterator<Item = (K, V)>) -> Map<String, Value>
where
    K: Into<String>,
    V: Into<String>,
{
    pairs
        .into_iter()
        .map(|(key, value)| (key.into(), Value::String(value.into())))
        .collect()
}

/// A label value as Kubernetes shows it: a string as is, anything else as its JSON text
/// (`5`, `true`); `None` for `null`, which sets no label.
fn label_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(text) => Some(text.clone()),
        other => Some(other.to_string()),
    }
}

impl NodePool {
    /// The pool's labels as text, sorted by key: strings as they are, numbers and booleans
    /// as their JSON text; `null` values are left out. Empty when the pool has no labels.
    ///
    /// ```
    /// # fn demo(pool: kaas::digitalocean::types::NodePool) {
    /// for (key, value) in pool.label_text() {
    ///     println!("{key}={value}");
    /// }
    /// # }
    /// ```
    pub fn label_text(&self) -> BTreeMap<String, String> {
        self.labels
            .iter()
            .flatten()
            .filter_map(|(key, value)| Some((key.clone(), label_text(value)?)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn odd_label_values_read_as_their_text_and_null_sets_none() {
        let pool: NodePool = serde_json::from_value(json!({
            "name": "p", "size": "s-1vcpu-2gb", "count": 1,
            "labels": {"tier": "web", "replicas": 3, "canary": false, "ratio": 0.5, "gone": null}
        }))
        .unwrap();
        let text = pool.label_text();
        assert_eq!(
            text.into_iter().collect::<Vec<_>>(),
            [
                ("canary".to_string(), "false".to_string()),
                ("ratio".into(), "0.5".into()),
                ("replicas".into(), "3".into()),
                ("tier".into(), "web".into()),
            ]
        );
    }

    #[test]
    fn a_pool_without_labels_has_no_label_text() {
        let pool: NodePool =
            serde_json::from_value(json!({"name": "p", "size": "s", "count": 1, "labels": null}))
                .unwrap();
        assert!(pool.label_text().is_empty());
    }

    #[test]
    fn labels_builds_string_values() {
        assert_eq!(Value::Object(labels([("a", "1")])), json!({"a": "1"}));
    }
}
