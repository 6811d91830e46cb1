//! The operation inventory: `OPERATIONS`, one `kaas::Operation` per operation of the spec.

use std::fmt::Write as _;

use serde_json::Value;

/// `pub const OPERATIONS: &[crate::Operation]`, in the spec's order.
pub fn operations(doc: &Value) -> String {
    let mut out = String::from(
        "/// Every operation of the spec, in the spec's order.\npub const OPERATIONS: &[crate::Operation] = &[\n",
    );
    for op in crate::spec_check::operations(doc) {
        let summary = op.operation["summary"].as_str().unwrap_or_default();
        let tag = op.operation["tags"][0].as_str().unwrap_or_default();
        let _ = writeln!(
            out,
            "    crate::Operation {{ id: {id:?}, method: {method:?}, path: {path:?}, tag: {tag:?}, summary: {summary:?}, deprecated: {deprecated}, idempotent: {idempotent} }},",
            id = op.id,
            method = op.method.to_uppercase(),
            path = op.path,
            deprecated = op.operation["deprecated"].as_bool().unwrap_or(false),
            idempotent = crate::spec_check::is_idempotent(&op),
        );
    }
    out.push_str("];\n");
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_line_per_operation_with_its_retry_verdict() {
        let doc: serde_json::Value = serde_yaml_ng::from_str(
            "paths:\n  /a:\n    post: {operationId: make, tags: [x], summary: Make one, x-idempotent: true}\n    get: {operationId: read, tags: [x], summary: Read, deprecated: true}\n",
        )
        .unwrap();
        let code = super::operations(&doc);
        assert!(code.contains(r#"crate::Operation { id: "read", method: "GET", path: "/a", tag: "x", summary: "Read", deprecated: true, idempotent: true },"#), "{code}");
        // A POST is not retried, unless the spec says `x-idempotent: true`, as `make` does.
        assert!(code.contains(r#"crate::Operation { id: "make", method: "POST", path: "/a", tag: "x", summary: "Make one", deprecated: false, idempotent: true },"#), "{code}");
    }
}
