//! Encoding and decoding: JSON text frames, one message per frame. The only code in
//! Quorum that knows the wire format.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::client::ClientMessage;
use crate::server::ServerMessage;

/// The largest message a device may send, in bytes. A command with a full roster
/// invitation is the largest legitimate one.
pub const MAX_CLIENT_MESSAGE_BYTES: usize = 256 * 1024;

/// Why a frame is not a message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The frame is larger than the limit; it was not parsed.
    #[error("the message is {size} bytes, more than the limit of {limit}")]
    TooLarge {
        /// The frame's size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// The frame is not a valid message.
    #[error("malformed message: {0}")]
    Malformed(String),
}

/// A message could not be encoded (a bug: every message type is plain data).
#[derive(Debug, thiserror::Error)]
#[error("cannot encode message: {0}")]
pub struct EncodeError(#[from] serde_json::Error);

/// Decodes a device's frame, refusing anything over [`MAX_CLIENT_MESSAGE_BYTES`].
pub fn decode_client(frame: &str) -> Result<ClientMessage, DecodeError> {
    decode(frame, MAX_CLIENT_MESSAGE_BYTES)
}

/// Decodes a hub's frame (for devices, tools and tests), with a given size limit.
pub fn decode_server(frame: &str, limit: usize) -> Result<ServerMessage, DecodeError> {
    decode(frame, limit)
}

/// Encodes a hub's message as one text frame.
pub fn encode_server(message: &ServerMessage) -> Result<String, EncodeError> {
    encode(message)
}

/// Encodes a device's message as one text frame.
pub fn encode_client(message: &ClientMessage) -> Result<String, EncodeError> {
    encode(message)
}

fn decode<T: DeserializeOwned>(frame: &str, limit: usize) -> Result<T, DecodeError> {
    if frame.len() > limit {
        return Err(DecodeError::TooLarge {
            size: frame.len(),
            limit,
        });
    }
    serde_json::from_str(frame).map_err(|error| DecodeError::Malformed(error.to_string()))
}

fn encode<T: Serialize>(message: &T) -> Result<String, EncodeError> {
    Ok(serde_json::to_string(message)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oversize_frames_are_refused_before_parsing() {
        let frame = " ".repeat(MAX_CLIENT_MESSAGE_BYTES + 1);
        assert!(matches!(
            decode_client(&frame),
            Err(DecodeError::TooLarge { .. })
        ));
    }

    #[test]
    fn garbage_is_malformed_not_a_panic() {
        for frame in [
            "",
            "{",
            "[]",
            "null",
            "{\"type\":\"nope\"}",
            "{\"type\":\"ping\"}",
        ] {
            assert!(
                matches!(decode_client(frame), Err(DecodeError::Malformed(_))),
                "{frame}"
            );
        }
    }

    #[test]
    fn a_ping_round_trips() {
        let ping = ClientMessage::Ping { nonce: 7 };
        let frame = encode_client(&ping).unwrap();
        assert_eq!(frame, r#"{"type":"ping","nonce":7}"#);
        assert_eq!(decode_client(&frame), Ok(ping));
    }
}
