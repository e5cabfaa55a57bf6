//! Frames in and out of the socket: decoding the hub's messages, and recording how the
//! connection ended, whether by a close frame, the end of the stream or a failure.

use futures_util::{SinkExt, StreamExt};
use quorum_protocol::{ServerMessage, decode_server};
use tokio_tungstenite::tungstenite::error::ProtocolError;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{self, Message};

use super::{CLOSE_REPLY_TIMEOUT, Connection};
use crate::error::{CLOSE_ABNORMAL, CLOSE_NO_STATUS, ClientError, CloseInfo};

impl Connection {
    /// The next message from the socket, skipping WebSocket pings and pongs.
    pub(super) async fn read_message(&mut self) -> Result<ServerMessage, ClientError> {
        loop {
            match self.read_socket().await? {
                Message::Text(text) => {
                    return Ok(decode_server(text.as_str(), self.max_message_bytes)?);
                }
                Message::Binary(bytes) => {
                    return Err(ClientError::Unexpected {
                        expected: "a text frame",
                        received: format!("a binary frame of {} bytes", bytes.len()),
                    });
                }
                Message::Close(frame) => return Err(close_info(frame.as_ref()).into()),
                Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => {}
            }
        }
    }

    /// The next frame from the socket. A close frame, the end of the stream or a
    /// transport failure records how the connection ended; later reads return it.
    pub(super) async fn read_socket(&mut self) -> Result<Message, ClientError> {
        if let Some(close) = &self.closed {
            return Err(close.clone().into());
        }
        let frame = match self.socket.next().await {
            Some(Ok(frame)) => frame,
            None
            | Some(Err(tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed)) =>
            {
                return Err(self.end(String::new()).into());
            }
            Some(Err(tungstenite::Error::Io(error))) => {
                return Err(self.end(error.to_string()).into());
            }
            Some(Err(tungstenite::Error::Protocol(
                ProtocolError::ResetWithoutClosingHandshake,
            ))) => {
                return Err(self
                    .end("the hub dropped the connection without a close frame".to_owned())
                    .into());
            }
            Some(Err(error)) => {
                self.end(error.to_string());
                return Err(ClientError::WebSocket(Box::new(error)));
            }
        };
        if let Message::Close(close) = &frame {
            self.closed = Some(close_info(close.as_ref()));
            // Send the close reply tungstenite queued; the hub may already be gone.
            let _ = tokio::time::timeout(CLOSE_REPLY_TIMEOUT, self.socket.flush()).await;
        }
        Ok(frame)
    }

    /// Records that the connection ended without a close frame (unless one came).
    fn end(&mut self, reason: String) -> CloseInfo {
        self.closed
            .get_or_insert(CloseInfo {
                code: CLOSE_ABNORMAL,
                reason,
            })
            .clone()
    }

    pub(super) async fn send_frame(&mut self, frame: Message) -> Result<(), ClientError> {
        if let Some(close) = &self.closed {
            return Err(close.clone().into());
        }
        match tokio::time::timeout(self.request_timeout, self.socket.send(frame)).await {
            Err(_) => Err(ClientError::Timeout {
                waiting_for: "the socket to take a message",
            }),
            Ok(Err(error)) => Err(write_error(error, self.closed.as_ref())),
            Ok(Ok(())) => Ok(()),
        }
    }
}

pub(super) fn close_info(frame: Option<&CloseFrame>) -> CloseInfo {
    match frame {
        Some(frame) => CloseInfo {
            code: u16::from(frame.code),
            reason: frame.reason.as_str().to_owned(),
        },
        None => CloseInfo {
            code: CLOSE_NO_STATUS,
            reason: String::new(),
        },
    }
}

/// A failed write, by cause. A write does not record how the connection ended: the
/// hub's close frame may still be waiting to be read, and it says more.
pub(super) fn write_error(error: tungstenite::Error, closed: Option<&CloseInfo>) -> ClientError {
    match error {
        tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed => closed
            .cloned()
            .unwrap_or(CloseInfo {
                code: CLOSE_ABNORMAL,
                reason: String::new(),
            })
            .into(),
        tungstenite::Error::Io(error) => ClientError::Io(error),
        error => ClientError::WebSocket(Box::new(error)),
    }
}
