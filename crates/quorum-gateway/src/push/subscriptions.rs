//! Members' browser subscriptions, kept in the store: one stream per member,
//! `push/<member>`, each record a subscription made or ended, so that a subscription
//! survives restarts and every node of a cluster sees the same ones.

use quorum_domain::{MemberId, Timestamp};
use quorum_store::{Append, EventLog, Record, StoreError};
use serde::{Deserialize, Serialize};

use super::Subscription;

/// The prefix of every member's subscription stream.
pub const PUSH_PREFIX: &str = "push/";
/// The most browsers one member keeps subscribed; the oldest goes first.
pub const MAX_PER_MEMBER: usize = 10;
/// The longest endpoint URL taken, in bytes.
const MAX_ENDPOINT: usize = 2048;
/// Appends retried when another writer moved the stream meanwhile.
const RETRIES: usize = 5;

/// One change to a member's subscriptions.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Change {
    Subscribed(Subscription),
    Unsubscribed { endpoint: String },
}

/// Why a subscription is refused.
#[derive(Debug, thiserror::Error)]
pub enum SubscribeError {
    /// The endpoint is not an https URL (http only for a push service on this machine).
    #[error("the endpoint must be an https URL")]
    BadEndpoint,
    /// The keys are not base64url of the right sizes.
    #[error("the subscription's keys are not valid")]
    BadKeys,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The stream of a member's subscriptions.
pub fn stream(member: &MemberId) -> String {
    format!("{PUSH_PREFIX}{member}")
}

/// Checks a subscription before it is kept.
///
/// # Errors
///
/// What is wrong with it.
pub fn check(subscription: &Subscription) -> Result<(), SubscribeError> {
    let endpoint = subscription.endpoint.as_str();
    let local = endpoint.starts_with("http://127.") || endpoint.starts_with("http://localhost");
    if endpoint.len() > MAX_ENDPOINT
        || !(endpoint.starts_with("https://") || local)
        || endpoint.chars().any(char::is_control)
    {
        return Err(SubscribeError::BadEndpoint);
    }
    use base64::Engine as _;
    let decode = |text: &str| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(text.trim_end_matches('='))
            .ok()
    };
    let key = decode(&subscription.keys.p256dh).filter(|key| key.len() == 65);
    let auth = decode(&subscription.keys.auth).filter(|auth| auth.len() == 16);
    if key.is_none() || auth.is_none() {
        return Err(SubscribeError::BadKeys);
    }
    Ok(())
}

/// Keeps `subscription` for `member` (replacing one with the same endpoint).
///
/// # Errors
///
/// The subscription is not valid, or the store failed.
pub async fn subscribe(
    store: &dyn EventLog,
    member: &MemberId,
    subscription: Subscription,
    now: Timestamp,
) -> Result<(), SubscribeError> {
    check(&subscription)?;
    append(store, member, &Change::Subscribed(subscription), now).await?;
    Ok(())
}

/// Ends the subscription of `member` at `endpoint`; `false` if there was none.
///
/// # Errors
///
/// The store failed.
pub async fn unsubscribe(
    store: &dyn EventLog,
    member: &MemberId,
    endpoint: &str,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let current = list(store, member).await?;
    if !current.iter().any(|known| known.endpoint == endpoint) {
        return Ok(false);
    }
    let change = Change::Unsubscribed {
        endpoint: endpoint.to_owned(),
    };
    append(store, member, &change, now).await?;
    Ok(true)
}

/// The member's current subscriptions, oldest first.
///
/// # Errors
///
/// The store failed.
pub async fn list(
    store: &dyn EventLog,
    member: &MemberId,
) -> Result<Vec<Subscription>, StoreError> {
    let stream = stream(member);
    let mut current: Vec<Subscription> = Vec::new();
    let mut after = 0;
    loop {
        let records = store.read(&stream, after, 256).await?;
        let Some(last) = records.last() else { break };
        after = last.seq;
        for record in &records {
            match serde_json::from_str(&record.body) {
                Ok(Change::Subscribed(subscription)) => {
                    current.retain(|known| known.endpoint != subscription.endpoint);
                    current.push(subscription);
                    if current.len() > MAX_PER_MEMBER {
                        current.remove(0);
                    }
                }
                Ok(Change::Unsubscribed { endpoint }) => {
                    current.retain(|known| known.endpoint != endpoint);
                }
                Err(error) => {
                    tracing::warn!(%stream, seq = record.seq, %error, "unreadable push subscription record skipped");
                }
            }
        }
    }
    Ok(current)
}

async fn append(
    store: &dyn EventLog,
    member: &MemberId,
    change: &Change,
    now: Timestamp,
) -> Result<(), StoreError> {
    let stream = stream(member);
    let body =
        serde_json::to_string(change).map_err(|error| StoreError::Invalid(error.to_string()))?;
    let mut attempt = 0;
    loop {
        let head = store.head(&stream).await?;
        let result = store
            .append(Append {
                stream: stream.clone(),
                after: head,
                records: vec![Record {
                    seq: head + 1,
                    at: now.0,
                    body: body.clone(),
                }],
            })
            .await;
        match result {
            Err(StoreError::Conflict { .. }) if attempt < RETRIES => attempt += 1,
            other => return other,
        }
    }
}
