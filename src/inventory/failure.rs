//! The error item of a listing: one account could not be listed.

use super::Provider;

/// The error item of [`Inventory::clusters`](super::Inventory::clusters): one account could
/// not be listed (the others still are). Its message names the account, then the error:
/// `do:team-a: digitalocean answered 401 …`, `lab: transport error: …`; an account named
/// after its provider (see `Inventory::with_oks` and its
/// siblings) is said once (`oks answered 401 …`), and so is the account of a credential that
/// could not be had (its error names the account).
#[derive(Debug, thiserror::Error)]
#[error("{}{error}", account_prefix(.account, .error))]
#[non_exhaustive]
pub struct ProviderFailure {
    /// The provider of the account that failed.
    pub provider: Provider,
    /// The account that failed.
    pub account: String,
    /// Why.
    #[source]
    pub error: crate::Error,
}

/// `"<account>: "` before an error, unless the error's message names the account already: a
/// failure names its account once.
fn account_prefix(account: &str, error: &crate::Error) -> String {
    if error.named_provider() == Some(account) || names_account(error, account) {
        String::new()
    } else {
        format!("{account}: ")
    }
}

/// Whether `error` is a credential error of `account`, whose message names it.
#[cfg(feature = "accounts")]
fn names_account(error: &crate::Error, account: &str) -> bool {
    match error {
        crate::Error::Other { source, .. } => source
            .downcast_ref::<crate::accounts::CredentialError>()
            .is_some_and(|credential| credential.account() == account),
        _ => false,
    }
}

#[cfg(not(feature = "accounts"))]
fn names_account(_: &crate::Error, _: &str) -> bool {
    false
}

#[cfg(all(test, feature = "oks"))]
mod tests {
    use super::*;

    fn failure(account: &str, error: crate::Error) -> String {
        ProviderFailure {
            provider: Provider::Oks,
            account: account.into(),
            error,
        }
        .to_string()
    }

    fn not_found() -> crate::Error {
        crate::Error::ClusterNotFound {
            provider: "oks".into(),
            cluster: "prod".into(),
        }
    }

    fn timeout() -> crate::Error {
        crate::Error::Timeout {
            message: "reading the answer".into(),
        }
    }

    #[test]
    fn an_account_named_after_its_provider_is_said_once() {
        assert_eq!(
            failure("oks", not_found()),
            "oks has no cluster with id or name `prod`"
        );
        assert_eq!(
            failure("oks", timeout()),
            "oks: timed out: reading the answer"
        );
    }

    #[test]
    fn a_failure_names_its_account_then_the_error() {
        assert_eq!(
            failure("oks:prod-eu", not_found()),
            "oks:prod-eu: oks has no cluster with id or name `prod`"
        );
        assert_eq!(
            failure("env:oks", timeout()),
            "env:oks: timed out: reading the answer"
        );
    }

    #[cfg(feature = "accounts")]
    #[test]
    fn a_credential_error_names_its_account_once() {
        let credential = crate::accounts::CredentialError::VariableUnset {
            account: "prod-eu".into(),
            variable: "PROD_EU_KEY".into(),
        };
        let error = super::super::account::credential_error(credential);
        assert_eq!(
            failure("prod-eu", error),
            "account `prod-eu`: the variable PROD_EU_KEY is not set"
        );
    }
}
