//! OKS's encrypted kubeconfig: a libsodium sealed box (`crypto_box_seal`) opened in memory.
//!
//! The client makes a fresh X25519 key pair per request and sends the public key as standard
//! base64 in the `x-encrypt-nacl` header; the server answers with `Cluster.data.kubeconfig`
//! holding standard base64 of the sealed box (32-byte ephemeral public key, then the
//! XSalsa20-Poly1305 ciphertext and its 16-byte tag: 48 bytes of overhead). Only the holder of
//! the secret key can open it. The secret key and every plaintext buffer are zeroized.

use std::fmt;

use base64::Engine as _;
use crypto_box::SecretKey;
use zeroize::Zeroizing;

use crate::error::{CryptoError, Result};
use crate::kubeconfig::Kubeconfig;

/// Bytes a sealed box adds to its message: the ephemeral public key and the MAC.
pub const SEALED_BOX_OVERHEAD: usize = 48;

/// A one-use X25519 key pair for one encrypted-kubeconfig request. The secret key never leaves
/// memory and is zeroized on drop; `Debug` shows only the public key.
///
/// ```
/// let key = kaas::oks::KubeconfigKey::generate();
/// assert_eq!(key.public_key_base64().len(), 44);
/// ```
pub struct KubeconfigKey {
    secret: SecretKey,
}

impl KubeconfigKey {
    /// A fresh key pair from the operating system's random source.
    pub fn generate() -> Self {
        KubeconfigKey {
            secret: SecretKey::generate(&mut crypto_box::aead::OsRng),
        }
    }

    /// A key pair from a known 32-byte secret key, e.g. to open a test vector.
    pub fn from_secret_bytes(bytes: [u8; 32]) -> Self {
        let bytes = Zeroizing::new(bytes);
        KubeconfigKey {
            secret: SecretKey::from(*bytes),
        }
    }

    /// The public key, standard base64 (44 characters): the `x-encrypt-nacl` header value.
    pub fn public_key_base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.secret.public_key().as_bytes())
    }

    /// The public key's bytes.
    pub fn public_key(&self) -> [u8; 32] {
        *self.secret.public_key().as_bytes()
    }

    /// Opens a sealed kubeconfig given as standard base64 (whitespace ignored).
    ///
    /// Each failure has its own [`CryptoError`]: not base64, shorter than a sealed box, or a box
    /// that does not open (altered, or sealed for another key: a sealed box cannot tell which).
    pub fn open(&self, sealed_base64: &str) -> Result<Kubeconfig> {
        let compact: String = sealed_base64
            .chars()
            .filter(|c| !c.is_ascii_whitespace())
            .collect();
        let sealed = base64::engine::general_purpose::STANDARD
            .decode(compact.as_bytes())
            .map_err(|_| CryptoError::Base64)?;
        if sealed.len() < SEALED_BOX_OVERHEAD {
            return Err(CryptoError::TooShort { len: sealed.len() }.into());
        }
        let plaintext = Zeroizing::new(
            self.secret
                .unseal(&sealed)
                .map_err(|_| CryptoError::Unauthenticated)?,
        );
        let text = std::str::from_utf8(&plaintext).map_err(|_| CryptoError::NotUtf8)?;
        Kubeconfig::from_yaml(text.to_string())
    }
}

impl fmt::Debug for KubeconfigKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KubeconfigKey")
            .field("public_key", &self.public_key_base64())
            .field("secret_key", &"[REDACTED]")
            .finish()
    }
}

/// Seals `message` for `public_key` as libsodium's `crypto_box_seal` does, returned as standard
/// base64: what the OKS server does. For mock OKS servers in tests (`mock` feature).
#[cfg(feature = "mock")]
pub fn seal_for(public_key_base64: &str, message: &[u8]) -> Result<String> {
    use crate::Error;
    use crypto_box::PublicKey;
    let not_a_key =
        || Error::InvalidInput("the public key is not 32 bytes of standard base64".into());
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(public_key_base64.trim())
        .map_err(|_| not_a_key())?;
    let key: [u8; 32] = bytes.try_into().map_err(|_| not_a_key())?;
    let sealed = PublicKey::from(key)
        .seal(&mut crypto_box::aead::OsRng, message)
        .map_err(|_| Error::InvalidInput("the message could not be sealed".into()))?;
    Ok(base64::engine::general_purpose::STANDARD.encode(sealed))
}

/// The header in which an encrypted-kubeconfig request carries its public key.
#[cfg(feature = "mock")]
const PUBLIC_KEY_HEADER: &str = "x-encrypt-nacl";

/// The public key an encrypted-kubeconfig request carries (its `x-encrypt-nacl` header), as a
/// mock OKS server sees it (`mock` feature).
#[cfg(feature = "mock")]
pub fn request_key(request: &httpmock::HttpMockRequest) -> Option<String> {
    let headers = request.headers();
    let key = headers.get(PUBLIC_KEY_HEADER)?.to_str().ok()?;
    Some(key.to_string())
}

/// Seals `message` for the public key `request` carries: what a mock OKS server answers an
/// encrypted-kubeconfig request with (`mock` feature).
///
/// ```
/// # fn answer(request: &httpmock::HttpMockRequest) -> kaas::Result<String> {
/// let sealed = kaas::oks::nacl::seal_for_request(request, b"apiVersion: v1\n")?;
/// # Ok(sealed) }
/// ```
#[cfg(feature = "mock")]
pub fn seal_for_request(request: &httpmock::HttpMockRequest, message: &[u8]) -> Result<String> {
    let key = request_key(request).ok_or_else(|| {
        crate::Error::InvalidInput(format!(
            "the request carries no `{PUBLIC_KEY_HEADER}` header"
        ))
    })?;
    seal_for(&key, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;

    #[test]
    fn a_key_gives_and_shows_its_public_half_only() {
        let key = KubeconfigKey::from_secret_bytes([7; 32]);
        let public = *SecretKey::from([7; 32]).public_key().as_bytes();
        assert_eq!(key.public_key(), public);
        let base64 = base64::engine::general_purpose::STANDARD.encode(public);
        assert_eq!(key.public_key_base64(), base64);
        assert_eq!(
            format!("{key:?}"),
            format!("KubeconfigKey {{ public_key: {base64:?}, secret_key: \"[REDACTED]\" }}")
        );
    }

    #[test]
    fn a_box_of_exactly_the_overhead_is_tried_not_refused_as_short() {
        let key = KubeconfigKey::generate();
        let boxed = |len: usize| base64::engine::general_purpose::STANDARD.encode(vec![0x5a; len]);
        assert!(matches!(
            key.open(&boxed(SEALED_BOX_OVERHEAD - 1)),
            Err(Error::Crypto(CryptoError::TooShort { len: 47 }))
        ));
        assert!(matches!(
            key.open(&boxed(SEALED_BOX_OVERHEAD)),
            Err(Error::Crypto(CryptoError::Unauthenticated))
        ));
    }
}
