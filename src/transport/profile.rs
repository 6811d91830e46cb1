//! [`ProviderProfile`]: what a provider module tells the transport about itself, and which
//! of its operations may be sent again.

use reqwest::Method;

use super::api_root::ApiRoot;
use crate::error::DecodedErrorBody;

/// What a provider module tells the transport about itself.
pub(crate) struct ProviderProfile {
    /// Short name, used in errors and logs.
    pub name: &'static str,
    /// The documented base URL, if the provider has one.
    pub default_base_url: Option<&'static str>,
    /// Where the version path belongs, for the one base-URL rule.
    pub api_root: ApiRoot,
    /// Reads the provider's error body shapes.
    pub decode_error: fn(&[u8]) -> Option<DecodedErrorBody>,
    /// The spec's operations: the transport reads whether each may be retried.
    pub operations: &'static [crate::Operation],
}

impl ProviderProfile {
    /// Whether `operation` may be sent again after a failure: the spec's verdict, else the
    /// method's (GET, HEAD, PUT, DELETE, OPTIONS).
    pub(super) fn may_retry(&self, operation: &str, method: &Method) -> bool {
        self.operations
            .iter()
            .find(|op| op.id == operation)
            .map_or_else(|| is_idempotent(method), |op| op.idempotent)
    }
}

fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
    )
}
