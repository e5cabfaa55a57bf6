//! Web Push to members' browsers (RFC 8030), for what must reach a person even when the
//! app is closed: an urgent meeting convened, an invitation. The hub signs each request
//! with its VAPID key (RFC 8292) and encrypts each message for one browser (RFC 8291);
//! browsers' subscriptions are kept per member in the store ([`subscriptions`]).

pub mod encrypt;
pub mod subscriptions;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::SecretKey;
use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{Signature, SigningKey};
use quorum_store::{EventLog, StoreError};
use serde::{Deserialize, Serialize};

pub use encrypt::{EncryptError, MAX_PAYLOAD};

/// How long a VAPID signature is valid (push services accept up to 24 hours).
const SIGNATURE_SECONDS: i64 = 12 * 3600;

/// The stream that keeps the hub's VAPID key, so that every node of a cluster signs
/// with the same one and a restart keeps browsers' subscriptions valid.
pub const KEY_STREAM: &str = "push-key";

/// Why the push key could not be loaded or made.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    /// The store failed.
    #[error("push key: {0}")]
    Store(#[from] StoreError),
    /// The stored key is not a P-256 key.
    #[error("the stored push key is not a P-256 key")]
    BadKey,
    /// No key could be made.
    #[error("cannot make a push key: {0}")]
    Make(#[from] EncryptError),
}

/// A browser's push subscription, as `PushSubscription.toJSON()` gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscription {
    /// Where the push service takes messages for this browser.
    pub endpoint: String,
    /// Its keys.
    pub keys: SubscriptionKeys,
}

/// A subscription's keys, base64url.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriptionKeys {
    /// The browser's P-256 public key.
    pub p256dh: String,
    /// Its 16-byte auth secret.
    pub auth: String,
}

/// A request for a push service: POST `endpoint` with these headers and body.
#[derive(Debug, Clone)]
pub struct PushRequest {
    /// The subscription's endpoint.
    pub endpoint: String,
    /// `Authorization`, `Content-Encoding`, `TTL`, `Urgency` and `Content-Type`.
    pub headers: Vec<(&'static str, String)>,
    /// The encrypted message.
    pub body: Vec<u8>,
}

/// The hub's VAPID identity.
pub struct Vapid {
    key: SigningKey,
    public: String,
    contact: String,
}

impl std::fmt::Debug for Vapid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vapid")
            .field("public", &self.public)
            .field("contact", &self.contact)
            .finish_non_exhaustive()
    }
}

impl Vapid {
    /// Loads the hub's key from the store, or makes one and stores it (the first
    /// node to do so wins; the others read it). `contact` (`mailto:` or `https:`) tells
    /// push services whom to call.
    ///
    /// # Errors
    ///
    /// The store failed, or holds something else than a key.
    pub async fn load_or_create(store: &dyn EventLog, contact: &str) -> Result<Vapid, PushError> {
        let candidate = encrypt::random_secret()?;
        let encoded = format!("\"{}\"", URL_SAFE_NO_PAD.encode(candidate.to_bytes()));
        let body = crate::journal::stored_once(store, KEY_STREAM, encoded).await?;
        let secret = URL_SAFE_NO_PAD
            .decode(body.trim().trim_matches('"'))
            .ok()
            .and_then(|bytes| SecretKey::from_slice(&bytes).ok())
            .ok_or(PushError::BadKey)?;
        Ok(Vapid::from_secret(&secret, contact))
    }

    fn from_secret(secret: &SecretKey, contact: &str) -> Vapid {
        Vapid {
            public: URL_SAFE_NO_PAD.encode(secret.public_key().to_sec1_bytes()),
            key: SigningKey::from(secret),
            contact: contact.to_owned(),
        }
    }

    /// The public key browsers subscribe with (`applicationServerKey`), base64url.
    pub fn public_key(&self) -> &str {
        &self.public
    }

    /// The `Authorization: vapid t=…, k=…` value for a request to `endpoint` at `now`
    /// (unix seconds); `None` if the endpoint is not an absolute URL.
    pub fn authorization(&self, endpoint: &str, now: i64) -> Option<String> {
        let audience = origin(endpoint)?;
        let header = URL_SAFE_NO_PAD.encode(br#"{"typ":"JWT","alg":"ES256"}"#);
        let claims = serde_json::json!({
            "aud": audience,
            "exp": now + SIGNATURE_SECONDS,
            "sub": self.contact,
        });
        let claims = URL_SAFE_NO_PAD.encode(claims.to_string());
        let signed = format!("{header}.{claims}");
        let signature: Signature = self.key.sign(signed.as_bytes());
        let signature = URL_SAFE_NO_PAD.encode(signature.to_bytes());
        Some(format!("vapid t={signed}.{signature}, k={}", self.public))
    }

    /// The request that delivers `payload` to `subscription`: kept by the push service
    /// for `ttl` seconds at most, `urgent` ones first.
    ///
    /// # Errors
    ///
    /// The subscription's keys are not valid, its endpoint not a URL, or the payload
    /// too large.
    pub fn request(
        &self,
        subscription: &Subscription,
        payload: &[u8],
        ttl: u32,
        urgent: bool,
        now: i64,
    ) -> Result<PushRequest, EncryptError> {
        let browser_key = URL_SAFE_NO_PAD
            .decode(subscription.keys.p256dh.trim_end_matches('='))
            .map_err(|_| EncryptError::BadBrowserKey)?;
        let auth = URL_SAFE_NO_PAD
            .decode(subscription.keys.auth.trim_end_matches('='))
            .map_err(|_| EncryptError::BadAuthSecret)?;
        let body = encrypt::encrypt(payload, &browser_key, &auth)?;
        let authorization = self
            .authorization(&subscription.endpoint, now)
            .ok_or(EncryptError::Failed("the endpoint is not a URL"))?;
        Ok(PushRequest {
            endpoint: subscription.endpoint.clone(),
            headers: vec![
                ("Authorization", authorization),
                ("Content-Encoding", "aes128gcm".into()),
                ("Content-Type", "application/octet-stream".into()),
                ("TTL", ttl.to_string()),
                ("Urgency", if urgent { "high" } else { "normal" }.into()),
            ],
            body,
        })
    }
}

/// `scheme://host[:port]` of an absolute http(s) URL.
fn origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    if scheme != "https" && scheme != "http" {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next()?;
    (!authority.is_empty()).then(|| format!("{scheme}://{authority}"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "a test")]

    use p256::ecdsa::VerifyingKey;
    use p256::ecdsa::signature::Verifier as _;

    use super::*;

    #[tokio::test]
    async fn the_key_is_made_once_and_kept_in_the_store() {
        let dir = tempfile::tempdir().unwrap();
        let log = quorum_store::SqliteLog::open(
            &dir.path().join("quorum.db"),
            quorum_store::SqliteOptions::default(),
        )
        .unwrap();
        let first = Vapid::load_or_create(&log, "mailto:it@example.vn")
            .await
            .unwrap();
        let again = Vapid::load_or_create(&log, "mailto:it@example.vn")
            .await
            .unwrap();
        assert_eq!(first.public_key(), again.public_key());
        assert_eq!(log.head(KEY_STREAM).await.unwrap(), 1);
    }

    #[test]
    fn the_signature_names_the_push_service_and_verifies() {
        let secret = encrypt::random_secret().unwrap();
        let vapid = Vapid::from_secret(&secret, "mailto:it@example.vn");
        let value = vapid
            .authorization("https://push.example.net:8443/send/abc?x=1", 1_700_000_000)
            .unwrap();
        let (token, key) = value
            .strip_prefix("vapid t=")
            .unwrap()
            .split_once(", k=")
            .unwrap();
        assert_eq!(key, vapid.public_key());
        let parts: Vec<&str> = token.split('.').collect();
        let claims: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        assert_eq!(claims["aud"], "https://push.example.net:8443");
        assert_eq!(claims["exp"], 1_700_000_000 + SIGNATURE_SECONDS);
        assert_eq!(claims["sub"], "mailto:it@example.vn");
        let signature = Signature::from_slice(&URL_SAFE_NO_PAD.decode(parts[2]).unwrap()).unwrap();
        let verifying =
            VerifyingKey::from_sec1_bytes(&URL_SAFE_NO_PAD.decode(key).unwrap()).unwrap();
        let signed = format!("{}.{}", parts[0], parts[1]);
        assert!(verifying.verify(signed.as_bytes(), &signature).is_ok());
        assert!(vapid.authorization("mailto:someone", 0).is_none());
    }
}
