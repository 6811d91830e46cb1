//! Reading a success answer: its body kept whole by the transport, decoded into the
//! operation's type (a secret-holding body without quoting it) or handed on as bytes, and
//! turned into a [`crate::Response`]. Every failure here is the [`crate::Error`] it is from
//! the moment it is known.

use reqwest::header::HeaderMap;
use reqwest::{Response, StatusCode};

use super::failure::classify_reqwest_error;
use crate::error::{Error, Result};

/// The default cap of a success body: far above the largest real answer (a page of 200
/// DigitalOcean clusters is about 600 KB), far below what would hurt a small machine.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 32 * 1024 * 1024;

/// The body of an answer, read whole by the transport inside the attempt, kept with the
/// answer (the answer's own body stream is then spent). The decoders below take it from there.
#[derive(Clone)]
pub(crate) struct ReadBody(pub(crate) bytes::Bytes);

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
async fn take_answer(mut response: Response) -> Result<(StatusCode, HeaderMap, bytes::Bytes)> {
    let (status, headers, body) = take_parts(&mut response);
    let body = match body {
        Some(body) => body,
        None => response.bytes().await.map_err(|error| {
            if error.is_timeout() {
                Error::Timeout {
                    message: "reading the response body".into(),
                }
            } else {
                Error::transport("the response body could not be read completely", error)
            }
        })?,
    };
    Ok((status, headers, body))
}

/// Decodes a success body into the operation's type, as progenitor's own decoder does, but
/// moves the answer's headers into the value instead of copying them. The generated clients
/// call it for every JSON success body that holds no secret.
pub async fn decode_json<T: serde::de::DeserializeOwned>(
    response: Response,
) -> Result<progenitor_client::ResponseValue<T>> {
    let (status, headers, body) = take_answer(response).await?;
    match serde_json::from_slice::<T>(&body) {
        Ok(inner) => Ok(progenitor_client::ResponseValue::new(
            inner, status, headers,
        )),
        Err(error) => Err(Error::decode(error, &body)),
    }
}

/// A non-JSON success body (DigitalOcean's kubeconfig) as the byte
/// stream progenitor's clients expect: the body the transport read, in one piece. The
/// generated clients call it in place of progenitor's `ResponseValue::stream`.
#[cfg_attr(
    not(feature = "digitalocean"),
    allow(
        dead_code,
        reason = "only DigitalOcean answers a non-JSON success body (its kubeconfig)"
    )
)]
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
pub async fn decode_secret_json<T: serde::de::DeserializeOwned>(
    response: Response,
) -> Result<progenitor_client::ResponseValue<T>> {
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
            Err(Error::decode(message, &[]))
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

/// An answer with a success status the operation's spec does not list (the attempt loop made
/// every other status its error before the generated code looked at it). The generated
/// `send_progenitor` returns it in place of progenitor's `UnexpectedResponse`.
pub fn unexpected_answer(response: Response) -> Error {
    Error::Decode {
        message: format!("status {} is not described by the spec", response.status()),
        body_excerpt: String::new(),
    }
}

/// The end of every generated `send_with_response()`: the decoded answer as a
/// [`crate::Response`].
pub fn finish<T>(
    answer: Result<progenitor_client::ResponseValue<T>>,
) -> Result<crate::Response<T>> {
    let answer = answer?;
    let status = answer.status().as_u16();
    let headers = answer.headers().clone();
    Ok(crate::Response::new(status, headers, answer.into_inner()))
}

/// [`finish`] for `send()`: the typed body alone, without copying the headers.
pub fn finish_body<T>(answer: Result<progenitor_client::ResponseValue<T>>) -> Result<T> {
    answer.map(progenitor_client::ResponseValue::into_inner)
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
pub async fn finish_bytes(
    answer: Result<progenitor_client::ResponseValue<progenitor_client::ByteStream>>,
) -> Result<crate::Response<bytes::Bytes>> {
    use futures::TryStreamExt as _;
    let answer = answer?;
    let status = answer.status().as_u16();
    let headers = answer.headers().clone();
    let mut stream = answer.into_inner().into_inner();
    let mut body = BodyBuffer::default();
    while let Some(chunk) = stream.try_next().await.map_err(classify_reqwest_error)? {
        body.push(chunk);
    }
    Ok(crate::Response::new(status, headers, body.into_bytes()))
}

#[cfg(test)]
mod tests {
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
