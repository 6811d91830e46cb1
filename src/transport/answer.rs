//! Reading an answer: error bodies decoded into [`ApiError`], refusals made on this side,
//! secret-holding bodies decoded without quoting them, raw bodies collected.

use std::sync::Arc;

use reqwest::header::HeaderMap;
use reqwest::{Response, StatusCode};

use super::{ProviderProfile, RateLimit, classify_reqwest_error, server_delay};
use crate::error::{ApiError, Error, Result, excerpt, page_text};

/// The most of an error body read into memory; the rest is dropped.
pub(super) const MAX_ERROR_BODY: usize = 64 * 1024;

/// The default cap of a success body: far above the largest real answer (a page of 200
/// DigitalOcean clusters is about 600 KB), far below what would hurt a small machine.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 32 * 1024 * 1024;

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

/// The body of an answer, read whole by the transport inside the attempt, kept with the
/// answer (the answer's own body stream is then spent). The decoders below take it from there.
#[derive(Clone)]
pub(super) struct ReadBody(pub(super) bytes::Bytes);

/// An answer's status, its headers (moved, not copied) and the body the transport read, if
/// it passed through the transport.
fn take_parts(response: &mut Response) -> (StatusCode, HeaderMap, Option<bytes::Bytes>) {
    let status = response.status();
    let headers = std::mem::take(response.headers_mut());
    let body = response
        .extensions_mut()
        .remove::<ReadBody>()
        .map(|ReadBody(body)| body);
    (status, headers, body)
}

/// [`take_parts`] with the body read now when the transport did not read it.
async fn take_answer<E>(
    mut response: Response,
) -> std::result::Result<(StatusCode, HeaderMap, bytes::Bytes), progenitor_client::Error<E>> {
    let (status, headers, body) = take_parts(&mut response);
    let body = match body {
        Some(body) => body,
        None => response
            .bytes()
            .await
            .map_err(progenitor_client::Error::ResponseBodyError)?,
    };
    Ok((status, headers, body))
}

/// Headers that may carry a credential (OKS rotates tokens through `Access-Token` and
/// `Refresh-Token`; others carry cookies, API keys, sessions): never copied into an error,
/// never shown by `Debug`.
pub(crate) fn carries_credential(name: &reqwest::header::HeaderName) -> bool {
    let name = name.as_str();
    matches!(
        name,
        "authorization" | "proxy-authorization" | "cookie" | "set-cookie" | "www-authenticate"
    ) || [
        "token", "secret", "password", "auth", "key", "otp", "session",
    ]
    .iter()
    .any(|word| name.contains(word))
}

/// The headers of an answer without those that may carry a credential.
pub(super) fn without_credentials(headers: &HeaderMap) -> HeaderMap {
    let mut kept = HeaderMap::with_capacity(headers.len());
    for (name, value) in headers {
        if !carries_credential(name) && !value.is_sensitive() {
            kept.append(name.clone(), value.clone());
        }
    }
    kept
}

/// Builds the [`ApiError`] of an error answer: the provider's own shapes first, then JSON of
/// any shape, then the text of an HTML or plain page.
pub(crate) fn decode_api_error(
    profile: &ProviderProfile,
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
) -> ApiError {
    let json = serde_json::from_slice::<serde_json::Value>(body).ok();
    let decoded = (profile.decode_error)(body).unwrap_or_default();
    let header_request_id = headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(String::from);
    let message = decoded.message.unwrap_or_else(|| {
        if status.is_redirection() {
            return redirect_message(status, headers);
        }
        let text = if json.is_none() {
            page_text(body)
        } else {
            String::new()
        };
        if text.is_empty() {
            status.canonical_reason().unwrap_or_default().to_string()
        } else {
            text
        }
    });
    ApiError {
        provider: profile.name,
        status: status.as_u16(),
        code: decoded.code,
        message,
        details: decoded.details,
        request_id: decoded.request_id.or(header_request_id),
        retry_after: server_delay(headers)
            .filter(|_| headers.contains_key(reqwest::header::RETRY_AFTER)),
        rate_limit: RateLimit::from_headers(headers),
        body_excerpt: if json.is_none() && !body.is_empty() {
            Some(excerpt(body))
        } else {
            None
        },
        body: json,
        url: None,
    }
}

/// What a redirect answer says: kaas never follows one (it could carry credentials elsewhere).
fn redirect_message(status: StatusCode, headers: &HeaderMap) -> String {
    let target = headers
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|location| url::Url::parse(location).ok())
        .map(|url| {
            format!(
                " to {}://{}",
                url.scheme(),
                url.host_str().unwrap_or_default()
            )
        })
        .unwrap_or_default();
    format!(
        "{} redirect{target} not followed: check the base URL",
        status.canonical_reason().unwrap_or("a")
    )
}

/// Decodes a success body into the operation's type, as progenitor's own decoder does, but
/// moves the answer's headers into the value instead of copying them. The generated clients
/// call it for every JSON success body that holds no secret.
pub async fn decode_json<T: serde::de::DeserializeOwned, E>(
    response: Response,
) -> std::result::Result<progenitor_client::ResponseValue<T>, progenitor_client::Error<E>> {
    let (status, headers, body) = take_answer(response).await?;
    match serde_json::from_slice::<T>(&body) {
        Ok(inner) => Ok(progenitor_client::ResponseValue::new(
            inner, status, headers,
        )),
        Err(error) => Err(progenitor_client::Error::InvalidResponsePayload(
            body, error,
        )),
    }
}

/// A non-JSON success body (DigitalOcean's kubeconfig, Commissaire's text pages) as the byte
/// stream progenitor's clients expect: the body the transport read, in one piece. The
/// generated clients call it in place of progenitor's `ResponseValue::stream`.
pub fn body_stream(
    mut response: Response,
) -> progenitor_client::ResponseValue<progenitor_client::ByteStream> {
    let (status, headers, body) = take_parts(&mut response);
    let stream: std::pin::Pin<
        Box<dyn futures::Stream<Item = reqwest::Result<bytes::Bytes>> + Send + Sync>,
    > = match body {
        Some(body) => Box::pin(futures::stream::iter([Ok(body)])),
        None => Box::pin(response.bytes_stream()),
    };
    progenitor_client::ResponseValue::new(
        progenitor_client::ByteStream::new(stream),
        status,
        headers,
    )
}

/// Decodes the JSON success body of an operation that answers a secret (a token, a
/// kubeconfig, a private key). On failure the error says where the body stopped matching but
/// quotes neither the body nor any value from it. The generated clients call this in place of
/// progenitor's `ResponseValue::from_response` for those operations.
#[cfg_attr(
    not(any(feature = "digitalocean", feature = "oks", feature = "commissaire")),
    allow(
        dead_code,
        reason = "only providers whose answers hold secrets call it"
    )
)]
pub async fn decode_secret_json<T: serde::de::DeserializeOwned, E>(
    response: Response,
) -> std::result::Result<progenitor_client::ResponseValue<T>, progenitor_client::Error<E>> {
    let (status, headers, body) = take_answer(response).await?;
    let body = zeroize::Zeroizing::new(body.to_vec());
    match serde_json::from_slice::<T>(&body) {
        Ok(inner) => Ok(progenitor_client::ResponseValue::new(
            inner, status, headers,
        )),
        Err(error) => {
            let message = format!(
                "the answer holds a secret, so neither it nor its values are shown; it stopped matching the spec at line {} column {} ({:?} error)",
                error.line(),
                error.column(),
                error.classify()
            );
            Err(progenitor_client::Error::InvalidResponsePayload(
                bytes::Bytes::new(),
                <serde_json::Error as serde::de::Error>::custom(message),
            ))
        }
    }
}

/// A body read chunk by chunk: a body that arrives in one chunk (most answers) is kept as it
/// came, without a copy; only a second chunk starts a buffer.
#[derive(Default)]
pub(super) enum BodyBuffer {
    #[default]
    Empty,
    One(bytes::Bytes),
    Many(bytes::BytesMut),
}

impl BodyBuffer {
    pub(super) fn len(&self) -> usize {
        match self {
            BodyBuffer::Empty => 0,
            BodyBuffer::One(chunk) => chunk.len(),
            BodyBuffer::Many(buffer) => buffer.len(),
        }
    }

    pub(super) fn push(&mut self, chunk: bytes::Bytes) {
        *self = match std::mem::take(self) {
            BodyBuffer::Empty => BodyBuffer::One(chunk),
            BodyBuffer::One(first) => {
                let mut buffer = bytes::BytesMut::with_capacity(first.len() + chunk.len());
                buffer.extend_from_slice(&first);
                buffer.extend_from_slice(&chunk);
                BodyBuffer::Many(buffer)
            }
            BodyBuffer::Many(mut buffer) => {
                buffer.extend_from_slice(&chunk);
                BodyBuffer::Many(buffer)
            }
        };
    }

    pub(super) fn into_bytes(self) -> bytes::Bytes {
        match self {
            BodyBuffer::Empty => bytes::Bytes::new(),
            BodyBuffer::One(chunk) => chunk,
            BodyBuffer::Many(buffer) => buffer.freeze(),
        }
    }
}

/// The end of every generated `send_with_response()`: progenitor's answer as a
/// [`crate::Response`], or its error as a [`crate::Error`].
pub fn finish<T, E>(
    answer: std::result::Result<progenitor_client::ResponseValue<T>, progenitor_client::Error<E>>,
) -> Result<crate::Response<T>>
where
    crate::Error: From<progenitor_client::Error<E>>,
{
    let answer = answer.map_err(crate::Error::from)?;
    let status = answer.status().as_u16();
    let headers = answer.headers().clone();
    Ok(crate::Response::new(status, headers, answer.into_inner()))
}

/// [`finish`] for `send()`: the typed body alone, without copying the headers.
pub fn finish_body<T, E>(
    answer: std::result::Result<progenitor_client::ResponseValue<T>, progenitor_client::Error<E>>,
) -> Result<T>
where
    crate::Error: From<progenitor_client::Error<E>>,
{
    answer
        .map(progenitor_client::ResponseValue::into_inner)
        .map_err(crate::Error::from)
}

/// [`finish`] for a non-JSON success body (a kubeconfig file): the body, read whole. The
/// transport read it already, usually as one chunk, which is handed on without a copy.
#[cfg_attr(
    not(feature = "digitalocean"),
    allow(
        dead_code,
        reason = "only DigitalOcean answers a non-JSON body (its kubeconfig)"
    )
)]
pub async fn finish_bytes<E>(
    answer: std::result::Result<
        progenitor_client::ResponseValue<progenitor_client::ByteStream>,
        progenitor_client::Error<E>,
    >,
) -> Result<crate::Response<bytes::Bytes>>
where
    crate::Error: From<progenitor_client::Error<E>>,
{
    use futures::TryStreamExt as _;
    let answer = answer.map_err(crate::Error::from)?;
    let status = answer.status().as_u16();
    let headers = answer.headers().clone();
    let mut stream = answer.into_inner().into_inner();
    let mut body = BodyBuffer::default();
    while let Some(chunk) = stream.try_next().await.map_err(classify_reqwest_error)? {
        body.push(chunk);
    }
    Ok(crate::Response::new(status, headers, body.into_bytes()))
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

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderMap;

    #[test]
    fn credential_headers_are_not_copied_into_errors() {
        let mut headers = HeaderMap::new();
        for name in [
            "access-token",
            "refresh-token",
            "set-cookie",
            "authorization",
            "x-session-id",
            "x-request-id",
            "ratelimit-remaining",
        ] {
            headers.insert(
                reqwest::header::HeaderName::from_static(name),
                "v".parse().unwrap(),
            );
        }
        let kept = without_credentials(&headers);
        let names: Vec<&str> = kept.keys().map(|k| k.as_str()).collect();
        assert_eq!(names, ["x-request-id", "ratelimit-remaining"]);
    }
    #[test]
    fn html_error_pages_become_their_text() {
        static PROFILE: ProviderProfile = ProviderProfile {
            name: "test",
            default_base_url: None,
            decode_error: |_| None,
            operations: &[],
        };
        let page = b"<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>";
        let api = decode_api_error(&PROFILE, StatusCode::BAD_GATEWAY, &HeaderMap::new(), page);
        assert_eq!(api.status, 502);
        assert_eq!(api.message, "502 Bad Gateway 502 Bad Gateway nginx");
        assert!(api.body.is_none());
        assert!(api.body_excerpt.as_deref().unwrap().starts_with("<html>"));
        let empty = decode_api_error(
            &PROFILE,
            StatusCode::SERVICE_UNAVAILABLE,
            &HeaderMap::new(),
            b"",
        );
        assert_eq!(empty.message, "Service Unavailable");
    }

    #[test]
    fn a_body_in_one_chunk_is_kept_as_it_came_and_more_chunks_are_joined_in_order() {
        assert!(super::BodyBuffer::default().into_bytes().is_empty());
        let chunk = bytes::Bytes::from_static(b"{\"id\": 1}");
        let mut one = super::BodyBuffer::default();
        one.push(chunk.clone());
        let kept = one.into_bytes();
        assert_eq!(kept.as_ptr(), chunk.as_ptr(), "no copy of a single chunk");
        let mut many = super::BodyBuffer::default();
        for part in ["ab", "cd", "ef"] {
            many.push(bytes::Bytes::from(part));
            assert!(many.len() <= 6);
        }
        assert_eq!(many.len(), 6);
        assert_eq!(&many.into_bytes()[..], b"abcdef");
    }
}
