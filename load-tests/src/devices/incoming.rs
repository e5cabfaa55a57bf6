//! Reading a device's messages cheaply: an `update` is read by its head only (meeting,
//! sequence numbers, time), its changes skipped unparsed, as a device that only counts
//! what arrives needs no more. The hub's updates are most of what a device receives,
//! and fully decoding every one cost the generator more CPU than the hub spent
//! sending them. Any other message is decoded whole.

use std::time::Duration;

use quorum_client::{ClientError, Connection, RawFrame};
use quorum_protocol::ServerMessage;
use quorum_protocol::codec::decode_server;
use serde::Deserialize;

/// Largest message accepted from the hub.
const LIMIT: usize = 64 * 1024 * 1024;

/// A message from the hub.
pub(super) enum Incoming {
    /// An update, by its head.
    Update(Head),
    /// Anything else, whole.
    Message(Box<ServerMessage>),
    /// A frame that carries no message (a ping or pong).
    Nothing,
}

/// What a device records of an update.
#[derive(Debug, Deserialize)]
pub(super) struct Head {
    #[serde(rename = "type")]
    kind: String,
    /// The meeting.
    pub(super) meeting: Option<String>,
    /// The first event it covers.
    pub(super) first_seq: Option<u64>,
    /// The last event it covers.
    pub(super) seq: Option<u64>,
    /// When the last one happened, in ms since the epoch.
    pub(super) at: Option<i64>,
}

/// The next message: buffered ones (read while a typed call awaited its answer)
/// first, then the socket. Cancel-safe, as `Connection::next_message` is.
pub(super) async fn next(
    connection: &mut Connection,
    timeout: Duration,
) -> Result<Incoming, ClientError> {
    if connection.buffered() > 0 {
        let message = connection.next_message(timeout).await?;
        return Ok(Incoming::Message(Box::new(message)));
    }
    match connection.recv_raw(timeout).await? {
        RawFrame::Text(text) => decode(&text),
        RawFrame::Close(close) => Err(ClientError::Closed {
            code: close.code,
            reason: close.reason,
        }),
        RawFrame::Binary(_) => Err(ClientError::Unexpected {
            expected: "a text frame",
            received: "a binary frame".into(),
        }),
        RawFrame::Ping(_) | RawFrame::Pong(_) => Ok(Incoming::Nothing),
    }
}

fn decode(text: &str) -> Result<Incoming, ClientError> {
    if let Ok(head) = serde_json::from_str::<Head>(text)
        && head.kind == "update"
    {
        return Ok(Incoming::Update(head));
    }
    let message = decode_server(text, LIMIT)?;
    Ok(Incoming::Message(Box::new(message)))
}
