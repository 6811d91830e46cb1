//! How an error the transport knows of before any body is decoded (an error answer, a
//! success body past the cap, a credential that cannot be sent, a failure on the wire)
//! reaches the caller through progenitor's generated code.
//!
//! The attempt loop ([`Transport::execute`]) makes each of them the [`crate::Error`] it is the
//! moment it is known, and returns it. Only here, at the seam with progenitor's hooks, does it
//! ride on a response, because progenitor 0.15's hooks give no other way through:
//!
//! - `ClientHooks::exec` returns `reqwest::Result<reqwest::Response>`, and a `reqwest::Error`
//!   has no public constructor: an error can leave `exec` only inside a response.
//!   [`exec_hook`] puts it in the extensions of a bodiless response made for it (its status
//!   means nothing; nothing reads it).
//! - `ClientHooks::pre` and `ClientHooks::post` return `Result<(), progenitor_client::Error<E>>`
//!   for *every* `E` (the operation's error type is a generic parameter of the hook, with no
//!   bound), so they can build only the variants that hold no `E`: `InvalidRequest(String)`
//!   and `Custom(String)` (text: the variant and the source are lost), the three
//!   `reqwest::Error` ones (not constructible), `InvalidResponsePayload` (a
//!   `serde_json::Error`: text again) and `UnexpectedResponse(reqwest::Response)`. A response
//!   is the one value that carries a typed error through them: [`error_hook`] (the `post`
//!   hook) moves the error into `UnexpectedResponse` (it sees the response by reference only,
//!   so it makes a new bodiless one), and `From<progenitor_client::Error<E>> for kaas::Error`
//!   below takes it out.
//!
//! The generated code between the hooks and [`finish`](super::finish) is progenitor's
//! (`send_progenitor() -> Result<ResponseValue<T>, progenitor_client::Error<E>>`), so with the
//! hooks alone there is no other route.
//!
//! # The direct route needs the generated `send()`
//!
//! The generator's syn pass owns `send()`. In each generated `send_progenitor`, replace
//!
//! ```text
//! client.pre(&mut request, &info).await?;
//! let result = client.exec(request, &info).await;
//! client.post(&result, &info).await?;
//! let response = result?;
//! ```
//!
//! by the path check and the attempt loop, each already the error it is:
//!
//! ```text
//! check_path(request.url(), info.operation_id).map_err(kaas::Error::InvalidInput)?;
//! let response = client.inner().execute(client.client(), request, info.operation_id).await?;
//! ```
//!
//! and make `send_progenitor` return `kaas::Result<ResponseValue<T>>`: `?` on progenitor's own
//! errors (`body.map_err(Error::InvalidRequest)?`) converts through the `From` below;
//! `.build()?` gives a `reqwest::Error`, so it becomes
//! `.build().map_err(classify_reqwest_error)?`; the `Err(Error::ErrorResponse(..))` and
//! `Err(Error::UnexpectedResponse(..))` arms of the status match get `.into()`; `decode_json`,
//! `decode_secret_json` and `finish*` take and give `kaas::Result`. Then [`Refusal`],
//! [`exec_hook`], [`error_hook`] and the `exec` and `post` hooks go.

use std::sync::{Arc, Mutex};

use reqwest::Response;

use super::client::Transport;
use super::failure::classify_reqwest_error;
use crate::error::{ApiError, Error};

/// A kaas error on its way through progenitor's code, in a response's extensions (which
/// need `Clone`: the clones share the one error, and the first to take it has it).
#[derive(Clone)]
pub(crate) struct Refusal(Arc<Mutex<Option<Error>>>);

/// A bodiless response made to carry `refusal`.
fn carrier(refusal: Refusal) -> Response {
    let mut response = http::Response::new(bytes::Bytes::new());
    response.extensions_mut().insert(refusal);
    Response::from(response)
}

/// The error a response carries, taken out of it, if it carries one.
fn carried(response: &Response) -> Option<Error> {
    let Refusal(error) = response.extensions().get::<Refusal>()?;
    error
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .take()
}

/// The generated client's `ClientHooks::exec`: [`Transport::execute`], its error carried in a
/// response for [`error_hook`].
pub(crate) async fn exec_hook(
    transport: &Transport,
    http: &reqwest::Client,
    request: reqwest::Request,
    operation: &'static str,
) -> reqwest::Result<Response> {
    Ok(match transport.execute(http, request, operation).await {
        Ok(response) => response,
        Err(error) => carrier(Refusal(Arc::new(Mutex::new(Some(error))))),
    })
}

/// The generated client's `ClientHooks::post`: a response that carries an error becomes
/// progenitor's `UnexpectedResponse`, still carrying it, for `kaas::Error::from`.
#[allow(
    clippy::result_large_err,
    reason = "the signature is progenitor's ClientHooks::post"
)]
pub(crate) fn error_hook<E>(
    result: &reqwest::Result<Response>,
) -> std::result::Result<(), progenitor_client::Error<E>> {
    match result
        .as_ref()
        .ok()
        .and_then(|response| response.extensions().get::<Refusal>())
    {
        Some(refusal) => Err(progenitor_client::Error::UnexpectedResponse(carrier(
            refusal.clone(),
        ))),
        None => Ok(()),
    }
}

/// progenitor's error as a kaas error: the error the transport carried through progenitor's
/// code (see the module docs) comes out as it went in.
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
            P::UnexpectedResponse(response) => match carried(&response) {
                Some(error) => error,
                None => Error::Decode {
                    message: format!("status {} is not described by the spec", response.status()),
                    body_excerpt: String::new(),
                },
            },
        }
    }
}
