//! Message encryption for Web Push (RFC 8291): a fresh P-256 key per message agrees a
//! secret with the browser's key, and the payload goes out as one `aes128gcm` record
//! (RFC 8188) that only that browser can open; the push service sees only bytes.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes128Gcm, Nonce};
use hkdf::Hkdf;
use p256::{PublicKey, SecretKey};
use sha2::Sha256;

/// The record size announced in the header: one record holds the whole message.
const RECORD_SIZE: u32 = 4096;
/// The largest payload one record carries (the record size less the padding delimiter
/// and the authentication tag).
pub const MAX_PAYLOAD: usize = RECORD_SIZE as usize - 1 - 16;

/// Why a message could not be encrypted for a browser.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncryptError {
    /// The subscription's `p256dh` is not a P-256 public key.
    #[error("the browser's key is not a P-256 public key")]
    BadBrowserKey,
    /// The subscription's `auth` secret is not 16 bytes.
    #[error("the browser's auth secret is not 16 bytes")]
    BadAuthSecret,
    /// The payload is larger than one record.
    #[error("the message is {0} bytes, more than {MAX_PAYLOAD}")]
    TooLarge(usize),
    /// No randomness or a cipher failure.
    #[error("encryption failed: {0}")]
    Failed(&'static str),
}

/// Encrypts `payload` for the browser whose subscription keys are `browser_key` (the
/// uncompressed P-256 point, 65 bytes) and `auth` (16 bytes): the request body.
pub fn encrypt(payload: &[u8], browser_key: &[u8], auth: &[u8]) -> Result<Vec<u8>, EncryptError> {
    if payload.len() > MAX_PAYLOAD {
        return Err(EncryptError::TooLarge(payload.len()));
    }
    let browser =
        PublicKey::from_sec1_bytes(browser_key).map_err(|_| EncryptError::BadBrowserKey)?;
    let browser_point = browser.to_sec1_bytes();
    let auth: [u8; 16] = auth.try_into().map_err(|_| EncryptError::BadAuthSecret)?;
    let sender = random_secret()?;
    let sender_point = sender.public_key().to_sec1_bytes();
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|_| EncryptError::Failed("no randomness"))?;

    let shared = p256::ecdh::diffie_hellman(sender.to_nonzero_scalar(), browser.as_affine());
    let (key, nonce) = content_keys(
        shared.raw_secret_bytes().as_slice(),
        &auth,
        &browser_point,
        &sender_point,
        &salt,
    )?;
    let mut record = payload.to_vec();
    // The delimiter of the last (here the only) record; no padding after it.
    record.push(0x02);
    let sealed = Aes128Gcm::new(&key.into())
        .encrypt(&Nonce::from(nonce), record.as_slice())
        .map_err(|_| EncryptError::Failed("AES-GCM"))?;

    let mut body = Vec::with_capacity(16 + 4 + 1 + sender_point.len() + sealed.len());
    body.extend_from_slice(&salt);
    body.extend_from_slice(&RECORD_SIZE.to_be_bytes());
    body.push(u8::try_from(sender_point.len()).map_err(|_| EncryptError::Failed("key id"))?);
    body.extend_from_slice(&sender_point);
    body.extend_from_slice(&sealed);
    Ok(body)
}

/// The content-encryption key and nonce (RFC 8291 section 3.4, RFC 8188 section 2.2).
fn content_keys(
    shared: &[u8],
    auth: &[u8; 16],
    browser_point: &[u8],
    sender_point: &[u8],
    salt: &[u8; 16],
) -> Result<([u8; 16], [u8; 12]), EncryptError> {
    let mut key_info = b"WebPush: info\0".to_vec();
    key_info.extend_from_slice(browser_point);
    key_info.extend_from_slice(sender_point);
    let mut ikm = [0u8; 32];
    Hkdf::<Sha256>::new(Some(auth), shared)
        .expand(&key_info, &mut ikm)
        .map_err(|_| EncryptError::Failed("HKDF"))?;
    let content = Hkdf::<Sha256>::new(Some(salt), &ikm);
    let mut key = [0u8; 16];
    content
        .expand(b"Content-Encoding: aes128gcm\0", &mut key)
        .map_err(|_| EncryptError::Failed("HKDF"))?;
    let mut nonce = [0u8; 12];
    content
        .expand(b"Content-Encoding: nonce\0", &mut nonce)
        .map_err(|_| EncryptError::Failed("HKDF"))?;
    Ok((key, nonce))
}

/// A random P-256 secret key from the operating system's randomness.
pub(crate) fn random_secret() -> Result<SecretKey, EncryptError> {
    // A random 32-byte string is a valid scalar but with negligible probability; try
    // again in that case.
    for _ in 0..8 {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|_| EncryptError::Failed("no randomness"))?;
        if let Ok(secret) = SecretKey::from_slice(&bytes) {
            return Ok(secret);
        }
    }
    Err(EncryptError::Failed("no valid key"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a browser does with a message: the same derivation from its side.
    fn decrypt(body: &[u8], browser: &SecretKey, auth: &[u8; 16]) -> Vec<u8> {
        let salt: [u8; 16] = body[..16].try_into().unwrap();
        assert_eq!(&body[16..20], &RECORD_SIZE.to_be_bytes());
        let id_len = usize::from(body[20]);
        let sender_point = &body[21..21 + id_len];
        let sealed = &body[21 + id_len..];
        let sender = PublicKey::from_sec1_bytes(sender_point).unwrap();
        let shared = p256::ecdh::diffie_hellman(browser.to_nonzero_scalar(), sender.as_affine());
        let browser_point = browser.public_key().to_sec1_bytes();
        let (key, nonce) = content_keys(
            shared.raw_secret_bytes().as_slice(),
            auth,
            &browser_point,
            sender_point,
            &salt,
        )
        .unwrap();
        let mut record = Aes128Gcm::new(&key.into())
            .decrypt(&Nonce::from(nonce), sealed)
            .unwrap();
        assert_eq!(record.pop(), Some(0x02), "one last record");
        record
    }

    #[test]
    #[allow(clippy::indexing_slicing, clippy::unwrap_used, reason = "a test")]
    fn the_browser_reads_what_was_sent_and_nobody_else_does() {
        let browser = random_secret().unwrap();
        let auth = [9u8; 16];
        let point = browser.public_key().to_sec1_bytes();
        let message = "Họp khẩn: ứng phó bão số 9".as_bytes();
        let body = encrypt(message, &point, &auth).unwrap();
        assert_eq!(decrypt(&body, &browser, &auth), message);
        let again = encrypt(message, &point, &auth).unwrap();
        assert_ne!(body, again, "a fresh key and salt for every message");
        assert!(!body.windows(message.len()).any(|window| window == message));
    }

    #[test]
    fn bad_keys_and_large_messages_are_refused() {
        assert_eq!(
            encrypt(b"x", &[4u8; 65], &[0u8; 16]),
            Err(EncryptError::BadBrowserKey)
        );
        let point = random_secret().map(|key| key.public_key().to_sec1_bytes());
        let point = point.unwrap_or_default();
        assert_eq!(
            encrypt(b"x", &point, &[0u8; 15]),
            Err(EncryptError::BadAuthSecret)
        );
        assert_eq!(
            encrypt(&vec![0u8; MAX_PAYLOAD + 1], &point, &[0u8; 16]),
            Err(EncryptError::TooLarge(MAX_PAYLOAD + 1))
        );
    }
}
