//! How a refusal reaches the caller: an error the transport knows of before any body is
//! decoded (an error answer, a success body past the cap, a credential that cannot be sent)
//! travels through progenitor's generated code to [`crate::Error`].
//!
//! # Why it rides on a response
//!
//! progenitor 0.15 gives the transport three hooks, and none of them can return a kaas error:
//!
//! - `ClientHooks::exec` returns `reqwest::Result<reqwest::Response>`, and a `reqwest::Error`
//!   has no public constructor: a refusal made while sending can leave `exec` only as a
//!   response. For an error answer that is the provider's own answer, with a [`Refusal`]
//!   attached to its extensions; for a refusal made on this side (a success body past the cap,
//!   a credential the transport cannot put in a header, learnt per attempt since tokens rotate)
//!   there is no answer to use, so [`refusal_response`] makes a bodiless one to carry it.
//! - `ClientHooks::pre` and `ClientHooks::post` return `Result<(), progenitor_client::Error<E>>`
//!   for *every* `E` (the operation's error type is a generic parameter of the hook, with no
//!   bound), so they can build only the variants that hold no `E`: `InvalidRequest(String)`,
//!   `Custom(String)` (text only: the variant is lost), the three `reqwest::Error` ones (not
//!   constructible), `InvalidResponsePayload` (a `serde_json::Error`, text only) and
//!   `UnexpectedResponse(reqwest::Response)`. A response is the one value that can carry a
//!   typed kaas error through them: [`error_hook`] (the `post` hook) copies the answer, without
//!   its body and without headers that may hold a credential, into `UnexpectedResponse`, and
//!   `From<progenitor_client::Error<E>> for kaas::Error` below reads the [`Refusal`] back.
//!   `post` sees the answer only by reference, hence the copy.
//!
//! The generated code between the hooks and [`finish`](super::finish) is progenitor's
//! (`send_progenitor() -> Result<ResponseValue<T>, progenitor_client::Error<E>>`), so with the
//! hooks alone there is no other route.
//!
//! # The direct route needs the generated `send()`
//!
//! The generator's syn pass already owns `send()`; the route without a carrier is there: in
//! each generated `send_progenitor`, replace the statements
//! `client.pre(&mut request, &info).await?; let result = client.exec(request, &info).await;
//! client.post(&result, &info).await?; let response = result?;` by one call that returns
//! `kaas::Result<reqwest::Response>` (the attempt loop, returning `Error::Api`,
//! `Error::RateLimited`, `Error::NotImplemented`, `Error::BodyTooLarge` or
//! `Error::InvalidInput` where it now attaches a [`Refusal`]), and make `send_progenitor`
//! return `kaas::Result<ResponseValue<T>>` (`?` on progenitor's own errors converts through
//! the `From` below; the `Err(Error::ErrorResponse(..))` and `Err(Error::UnexpectedResponse(..))`
//! arms of the status match get `.into()`, and the decoders return `kaas::Result`). Then
//! [`Refusal`], [`refusal_response`] and [`error_hook`] go, and `finish` takes a
//! `kaas::Result`.

use std::sync::Arc;

use reqwest::{Response, StatusCode};

use super::answer::ReadBody;
use super::failure::classify_reqwest_error;
use super::sensitive::without_credentials;
use crate::error::{ApiError, Error};

/// Why the transport turned an answer into an error, attached to the response it returns.
#[derive(Clone, Debug)]
pub(crate) enum Refusal {
    /// The provider answered with an error status; its body, decoded.
    Api(Arc<ApiError>),
    /// The success body is larger than the configured cap.
    TooLarge {
        /// The cap, in bytes.
        limit: u64,
    },
    /// A credential could not be applied (e.g. a one-time code with a line break).
    InvalidInput(Arc<str>),
}

/// The refusal a response carries, if the transport attached one.
pub(crate) fn refusal(response: &Response) -> Option<&Refusal> {
    response.extensions().get::<Refusal>()
}

/// A bodiless answer standing for a refusal made on this side, for the `post` hook to turn
/// into an error.
pub(super) fn refusal_response(url: &reqwest::Url, refusal: Refusal) -> Response {
    use reqwest::ResponseBuilderExt as _;
    let mut response = http::Response::builder().status(StatusCode::OK);
    if let Some(extensions) = response.extensions_mut() {
        extensions.insert(refusal);
    }
    let response = response
        .url(url.clone())
        .body(bytes::Bytes::new())
        .unwrap_or_default();
    Response::from(response)
}

/// Called from the generated client's `ClientHooks::post`: an error answer or a refusal
/// becomes progenitor's `UnexpectedResponse`, carrying the [`Refusal`], which
/// `kaas::Error::from` turns into the matching variant. The copy keeps the status, the URL
/// and the headers that hold no credential.
#[allow(
    clippy::result_large_err,
    reason = "the signature is progenitor's ClientHooks::post"
)]
pub(crate) fn error_hook<E>(
    result: &reqwest::Result<Response>,
) -> std::result::Result<(), progenitor_client::Error<E>> {
    let Ok(response) = result else { return Ok(()) };
    if response.status().is_success() && refusal(response).is_none() {
        return Ok(());
    }
    use reqwest::ResponseBuilderExt as _;
    let mut copy = http::Response::builder()
        .status(response.status())
        .version(response.version());
    if let Some(headers) = copy.headers_mut() {
        *headers = without_credentials(response.headers());
    }
    if let Some(extensions) = copy.extensions_mut() {
        *extensions = response.extensions().clone();
        // The error already holds what the body says; the copy does not keep the body.
        extensions.remove::<ReadBody>();
    }
    // After the extensions: the URL is kept in them.
    let copy = copy.url(response.url().clone());
    match copy.body(Vec::<u8>::new()) {
        Ok(copy) => Err(progenitor_client::Error::UnexpectedResponse(
            Response::from(copy),
        )),
        Err(e) => Err(progenitor_client::Error::Custom(format!(
            "could not read the error answer: {e}"
        ))),
    }
}

/// progenitor's error as a kaas error: a refusal the transport attached (an error answer, a
/// body past the cap, bad input) becomes its own variant.
impl<E> From<progenitor_client::Error<E>> for Error {
    fn from(error: progenitor_client::Error<E>) -> Self {
        use progenitor_client::Error as P;
        match error {
            P::InvalidRequest(message) => Error::InvalidInput(message),
            P::Custom(message) => Error::InvalidInput(message),
            P::CommunicationError(e) | P::InvalidUpgrade(e) => classify_reqwest_error(e),
            P::ResponseBodyError(e) => {
                if e.is_timeout() {
                    Error::Timeout {
                        message: "reading the response body".into(),
                    }
                } else {
                    Error::transport("the response body could not be read completely", e)
                }
            }
            P::InvalidResponsePayload(body, e) => Error::decode(e, &body),
            P::ErrorResponse(value) => Error::Api(Box::new(ApiError {
                provider: "unknown",
                status: value.status().as_u16(),
                code: None,
                message: value
                    .status()
                    .canonical_reason()
                    .unwrap_or_default()
                    .to_string(),
                details: Vec::new(),
                request_id: None,
                retry_after: None,
                rate_limit: None,
                body: None,
                body_excerpt: None,
                url: None,
            })),
            P::UnexpectedResponse(response) => match refusal(&response) {
                Some(Refusal::Api(api)) if api.status == 501 => {
                    Error::NotImplemented(Box::new((**api).clone()))
                }
                Some(Refusal::Api(api)) if api.is_rate_limited() => {
                    Error::RateLimited(Box::new((**api).clone()))
                }
                Some(Refusal::Api(api)) => Error::Api(Box::new((**api).clone())),
                Some(Refusal::TooLarge { limit }) => Error::BodyTooLarge { limit: *limit },
                Some(Refusal::InvalidInput(reason)) => Error::InvalidInput(reason.to_string()),
                None => Error::Decode {
                    message: format!("status {} is not described by the spec", response.status()),
                    body_excerpt: String::new(),
                },
            },
        }
    }
}
