//! Reading OKS error answers, in every shape the service sends.
//!
//! - the documented FastAPI bodies: `{"detail": "..."}` and `{"detail": [{loc, msg, type}]}`;
//! - the live (and upstream) `{"Errors": [{Type, Code, Details}, ...], "ResponseContext":
//!   {"RequestId"}}`, where each entry has its own `Details` (a message, or a list of
//!   `{loc, msg, type}`);
//! - `{"message": "..."}`, the answer to an invalid token.

use serde_json::Value;

use super::types;
use crate::error::DecodedErrorBody;

/// What an error body says: the first `Errors` entry gives the code and the message; every
/// other entry's text and every validation error are kept in `details`, in order.
pub(super) fn decode_error(body: &[u8]) -> Option<DecodedErrorBody> {
    let error: types::ErrorResponse = serde_json::from_slice(body).ok()?;
    let request_id = error.response_context.and_then(|c| c.request_id);
    if let Some((first, rest)) = error.errors.split_first() {
        let code = entry_code(first);
        let (message, mut details) = detail_text(first.details.as_ref());
        for entry in rest {
            let (text, items) = detail_text(entry.details.as_ref());
            if !items.is_empty() {
                details.extend(items);
                continue;
            }
            let Some(text) = text else { continue };
            let entry_code = entry_code(entry);
            details.push(match entry_code {
                Some(other) if entry_code != code => format!("{other}: {text}"),
                _ => text,
            });
        }
        return Some(DecodedErrorBody {
            code,
            message,
            details,
            request_id,
        });
    }
    let (message, details) = match detail_text(error.detail.as_ref()) {
        (None, details) if details.is_empty() => (error.message, details),
        found => found,
    };
    if message.is_none() && details.is_empty() {
        return None;
    }
    Some(DecodedErrorBody {
        code: None,
        message,
        details,
        request_id,
    })
}

/// `NotFoundError (404)`, or whichever of the two the entry has.
fn entry_code(entry: &types::OksError) -> Option<String> {
    match (&entry.type_, &entry.code) {
        (Some(kind), Some(code)) => Some(format!("{kind} ({code})")),
        (kind, code) => kind.clone().or_else(|| code.clone()),
    }
}

/// A `detail`/`Details` value: a message, or a list of `{loc, msg, type}` validation errors.
fn detail_text(value: Option<&Value>) -> (Option<String>, Vec<String>) {
    match value {
        Some(Value::String(message)) => (Some(message.clone()), Vec::new()),
        Some(Value::Array(items)) => {
            let details: Vec<String> = items.iter().map(validation_text).collect();
            (Some("the request is not valid".into()), details)
        }
        Some(other) if !other.is_null() => (Some(other.to_string()), Vec::new()),
        _ => (None, Vec::new()),
    }
}

/// `body.name: string does not match regex (value_error.str.regex)`.
fn validation_text(item: &Value) -> String {
    let location = item["loc"]
        .as_array()
        .map(|l| {
            l.iter()
                .map(|p| {
                    p.as_str()
                        .map(String::from)
                        .unwrap_or_else(|| p.to_string())
                })
                .collect::<Vec<_>>()
                .join(".")
        })
        .unwrap_or_default();
    let message = item["msg"].as_str().unwrap_or_default();
    match item["type"].as_str() {
        Some(kind) => format!("{location}: {message} ({kind})"),
        None => format!("{location}: {message}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(body: Value) -> DecodedErrorBody {
        decode_error(body.to_string().as_bytes()).expect("decodes")
    }

    #[test]
    fn every_entry_of_several_errors_is_kept() {
        let decoded = decode(serde_json::json!({
            "Errors": [
                {"Type": "NotFoundError", "Details": "Cluster c1 not found.", "Code": "404"},
                {"Type": "NotFoundError", "Details": "Project p1 not found", "Code": "404"},
                {"Type": "ResourceConflict", "Details": "The project has been deleted.", "Code": "409"},
                {"Type": "ValidationError", "Code": "422",
                 "Details": [{"loc": ["body", "version"], "msg": "field required", "type": "missing"}]}
            ],
            "ResponseContext": {"RequestId": "r-1"}
        }));
        assert_eq!(decoded.code.as_deref(), Some("NotFoundError (404)"));
        assert_eq!(decoded.message.as_deref(), Some("Cluster c1 not found."));
        assert_eq!(
            decoded.details,
            [
                "Project p1 not found",
                "ResourceConflict (409): The project has been deleted.",
                "body.version: field required (missing)",
            ]
        );
        assert_eq!(decoded.request_id.as_deref(), Some("r-1"));
    }

    #[test]
    fn the_invalid_token_message_is_the_message() {
        let decoded = decode(serde_json::json!({"message": "Unauthorized: Invalid JWT."}));
        assert_eq!(
            decoded.message.as_deref(),
            Some("Unauthorized: Invalid JWT.")
        );
        assert_eq!((decoded.code, decoded.request_id), (None, None));
        assert!(decoded.details.is_empty());
    }

    #[test]
    fn a_body_saying_nothing_is_not_decoded() {
        assert_eq!(decode_error(b"{}"), None);
        assert_eq!(decode_error(br#"{"Errors": []}"#), None);
        assert_eq!(decode_error(b"not json"), None);
        assert_eq!(decode_error(br#"{"message": 3}"#), None);
    }
}
